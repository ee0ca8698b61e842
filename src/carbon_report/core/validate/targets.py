"""减排目标: reduction targets per stage or for the total."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Company,
    Product,
    Target,
)
from carbon_report.core.raw import RawRow, RawTable, RawWorkbook
from carbon_report.core.validate.company import EARLIEST_YEAR
from carbon_report.core.validate.rows import (
    Findings,
    checked_rows,
    percent_cell,
    ref,
    squash,
    stage_of,
)
from carbon_report.core.values import (
    parse_year,
    text_of,
)

LATEST_TARGET_YEAR = 2100






def read_targets(raw: RawWorkbook, f: Findings, company: Company | None, products: list[Product]) -> list[Target]:
    out: list[Target] = []
    got = checked_rows(raw, contract.TARGETS, f, name_key="stage")
    if got is None:
        return out
    table, rows = got
    base_year = company.base_year if company else None
    seen: dict[tuple, tuple[float, int]] = {}
    for row in rows:
        ok = True
        year = _target_year(row, table, f, base_year)
        ok = year is not None
        cell = row.cell("reduction")
        pct = 0.0
        if cell is None or cell.value in (None, ""):
            f.error(ref(row, table, "reduction"), Code.E_REQUIRED_MISSING, name=f"第 {row.row} 行", column="减排比例")
            ok = False
        else:
            got = percent_cell(cell, f, "减排比例", Code.E_REDUCTION_RANGE)
            ok = ok and got is not None
            pct = got or 0.0
        stage, stage_ok = stage_of(row, table, f)
        ok = ok and stage_ok
        kind_text = squash(row.value("kind")) or "总量"
        kind = contract.TARGET_KINDS.get(kind_text)
        if kind is None:
            f.error(ref(row, table, "kind"), Code.E_TARGET_KIND, value=kind_text)
            ok = False
        elif kind == "intensity" and not any(p.for_intensity for p in products):
            f.error(ref(row, table, "kind"), Code.E_TARGET_NO_PRODUCT)
            ok = False
        if ok and year is not None and kind is not None:
            key = (year, stage, kind)
            if key in seen:
                earlier_pct, earlier_row = seen[key]
                if earlier_pct != pct:
                    f.error(ref(row, table, "reduction"), Code.E_TARGET_CONFLICT, row=earlier_row,
                            earlier_pct=f"{earlier_pct:g}", pct=f"{pct:g}")
                else:
                    f.warn(ref(row, table, "year"), Code.W_DUPLICATE_ROW, row=row.row, other_row=earlier_row)
                continue
            seen[key] = (pct, row.row)
            out.append(Target(year, pct, stage, kind, row.row, ref(row, table, "kind")))  # type: ignore[arg-type]
    return out


def _target_year(row: RawRow, table: RawTable, f: Findings, base_year: int | None) -> int | None:
    year = parse_year(row.value("year"))
    where = ref(row, table, "year")
    first = base_year + 1 if base_year is not None else EARLIEST_YEAR
    if year is None and row.value("year") in (None, ""):
        f.error(where, Code.E_REQUIRED_MISSING, name=f"第 {row.row} 行", column="目标年份")
    elif year is None:
        f.error(where, Code.E_YEAR_INVALID, label="目标年份", value=text_of(row.value("year")), first=first,
                last=LATEST_TARGET_YEAR)
    elif base_year is not None and year <= base_year:
        f.error(where, Code.E_TARGET_YEAR, year=year, base_year=base_year)
    elif year > LATEST_TARGET_YEAR:
        f.error(where, Code.E_YEAR_INVALID, label="目标年份", value=year, first=first, last=LATEST_TARGET_YEAR)
    else:
        return year
    return None
