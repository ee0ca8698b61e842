"""历史排放: earlier years' totals for the base year."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    CellRef,
    HistoryRow,
)
from carbon_report.core.raw import RawTable, RawWorkbook
from carbon_report.core.validate.rows import Findings, checked_rows, ref, stage_of
from carbon_report.core.values import (
    out_of_range,
    parse_number,
    parse_year,
    text_of,
)


def read_history(raw: RawWorkbook, f: Findings) -> list[HistoryRow]:
    out: list[HistoryRow] = []
    got = checked_rows(raw, contract.HISTORY, f, name_key="stage")
    if got is None:
        return out
    table, rows = got
    for row in rows:
        year = parse_year(row.value("year"))
        p = parse_number(row.value("emissions"))
        if year is None:
            f.error(ref(row, table, "year"), Code.E_YEAR_INVALID, label="年份", value=text_of(row.value("year")),
                    first=1000, last=9999)
            continue
        stage, ok = stage_of(row, table, f)
        if not ok:
            continue
        if p.kind == "number" and out_of_range(p.value):
            f.error(ref(row, table, "emissions"), Code.E_AMOUNT_OUT_OF_RANGE, name=f"{year} 年", column="排放量",
                    value=text_of(row.value("emissions")))
        elif p.kind != "number" or p.value < 0:
            f.error(ref(row, table, "emissions"), Code.E_AMOUNT_NOT_NUMBER, name=f"{year} 年", column="排放量",
                    value=text_of(row.value("emissions")))
        else:
            out.append(HistoryRow(year, stage, p.value, row.row))
    check_totals_against_stages(out, table, f)
    return out


def check_totals_against_stages(rows: list[HistoryRow], table: RawTable, f: Findings) -> None:
    """A year's total row must equal the sum of its stage rows, or the total target and the stage targets
    built on them disagree. Figures copied from a report are rounded (two decimals, as table A.1 prints):
    each may be off by half a hundredth, so that much per figure is let through."""
    col = table.columns.get("emissions", "A")
    for year in sorted({h.year for h in rows}):
        totals = [h for h in rows if h.year == year and h.stage is None]
        stages = [h for h in rows if h.year == year and h.stage is not None]
        if len(totals) != 1 or not stages:
            continue
        total, parts = totals[0], sum(h.tco2e for h in stages)
        if abs(total.tco2e - parts) > 0.005 * (len(stages) + 1):
            f.warn(CellRef(table.sheet, f"{col}{total.row}"), Code.W_HISTORY_TOTAL_MISMATCH,
                   year=year, total=f"{total.tco2e:,.4f}", sum=f"{parts:,.4f}", rows=len(stages),
                   diff=f"{total.tco2e - parts:+,.4f}")
