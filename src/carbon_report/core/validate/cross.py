"""Checks across sheets: double counting, measures against targets, base year against history."""

from __future__ import annotations

from carbon_report.core import contract, units
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Activity,
    CellRef,
    Company,
    Factor,
    HistoryRow,
    Measure,
    Stage,
    Target,
)
from carbon_report.core.raw import RawTable
from carbon_report.core.validate.rows import Findings


def check_double_counting(acts: list[Activity], factors: dict[str, tuple[Factor, ...]], f: Findings,
                           table: RawTable) -> None:
    by_name: dict[str, Activity] = {}
    by_code: dict[str, Activity] = {}
    for a in acts:
        key = "".join(a.name.split()).casefold()
        first = by_name.setdefault(key, a)
        if first.stage != a.stage:
            f.warn(CellRef(table.sheet, f"{table.columns.get('name', 'A')}{a.row}"), Code.W_DOUBLE_COUNT,
                   what="活动", name=a.name, stage=first.stage.short_zh, row=first.row, other_stage=a.stage.short_zh)
            continue
        facs = factors.get(a.factor_code) or ()
        if not a.factor_code or any(units.kind_of(x.per_unit) == "freight" for x in facs):
            continue  # freight legs of different flows legitimately share one t·km factor
        first = by_code.setdefault(a.factor_code, a)
        if first.stage != a.stage:
            f.warn(CellRef(table.sheet, f"{table.columns.get('factor_code', 'A')}{a.row}"), Code.W_DOUBLE_COUNT,
                   what="排放因子", name=a.factor_code, stage=first.stage.short_zh, row=first.row,
                   other_stage=a.stage.short_zh)


def check_measures(measures: list[Measure], targets: list[Target], base_year: int, f: Findings,
                    table: RawTable | None) -> None:
    """The seed plans 4 % a year yet targets 8 % by 2025 from 2023: 1 − 0.96² = 7.84 % falls short."""
    rates: dict[Stage | None, list[float]] = {}
    for m in measures:
        if m.annual_rate_pct is not None:
            rates.setdefault(m.stage, []).append(m.annual_rate_pct / 100)
    for t in targets:
        if t.kind != "total":
            continue
        stages = [t.stage] if t.stage else [s for s in rates if s is not None] or [None]
        short: list[tuple[str, float]] = []
        for stage in stages:
            rs = rates.get(stage) or rates.get(None)
            if not rs:
                continue
            keep = 1.0
            for r in rs:
                keep *= (1 - r) ** (t.year - base_year)
            achieved = (1 - keep) * 100
            if achieved + 1e-9 < t.reduction_pct:
                short.append((stage.short_zh if stage else "企业合计", achieved))
        if not short:
            continue
        # One line per target row: the seed's blank-stage target would otherwise repeat it six times.
        if len({round(a, 2) for _, a in short}) == 1:
            reached = f"{short[0][1]:.2f}%"
        else:
            reached = "、".join(f"{n} {a:.2f}%" for n, a in short)
        col = table.columns.get("reduction", "A") if table else "A"
        f.warn(CellRef(contract.TARGETS.name, f"{col}{t.row}"), Code.W_MEASURES_SHORT,
               stages="、".join(n for n, _ in short), year=t.year, achieved=reached, pct=f"{t.reduction_pct:g}")


def check_history(company: Company, targets: list[Target], history: list[HistoryRow], f: Findings) -> None:
    have = {(h.year, h.stage) for h in history if h.year == company.base_year}
    need: set[Stage | None] = set()
    for t in targets:
        if t.kind == "total":  # an intensity target is not measured against history (a warning says so)
            need.update([t.stage] if t.stage else [None, *Stage])
    ref = company.refs.get("base_year", CellRef(contract.COMPANY_SHEET, "A1"))
    missing = [s for s in need if (company.base_year, s) not in have]
    for s in sorted(missing, key=lambda s: -1 if s is None else list(Stage).index(s)):
        f.error(ref, Code.E_BASE_YEAR_HISTORY, year=company.base_year, stage="企业合计" if s is None else s.short_zh)
