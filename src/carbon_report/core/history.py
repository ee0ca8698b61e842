"""Earlier years: history workbooks computed twice, the base-year check and the reasons a base year changed.

A history workbook is computed as reported (its own 报告日期 picks the dated defaults, such as the grid
factor, as its own report did) and recalculated (this run's 报告日期, library and GWP set, so both years use
the same factors). When the two base-year totals differ by the threshold (core/factors/base_year.toml) or
more, the targets use the recalculated one and the report says why. Pure: the runs come in as data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    BaseYearCheck,
    CellRef,
    Finding,
    History,
    HistoryYear,
    Intake,
    Result,
    Stage,
)
from carbon_report.core.rounding import plain_number

HISTORY_SHEET_SOURCE = contract.HISTORY.name  # the source of a year that comes from 历史排放 rows


@dataclass(frozen=True)
class Threshold:
    pct: float
    source: str  # one line for the report and the sheet: where the number comes from


@cache
def default_threshold() -> Threshold:
    data = tomllib.loads(resources.files("carbon_report.core.factors").joinpath("base_year.toml")
                         .read_text(encoding="utf-8"))
    return Threshold(float(data["threshold_pct"]), str(data["source"]["why_zh"]))


@dataclass(frozen=True)
class HistoryRun:
    """One history workbook, calculated both ways (both without errors)."""

    source: str
    reported: tuple[Intake, Result]
    recalculated: tuple[Intake, Result]


def _excluded(intake: Intake) -> tuple[str, ...]:
    return tuple(f"{a.stage.short_zh}：{a.name}" for a in intake.activities if a.amount_kind == "not_applicable")


def year_of_run(run: HistoryRun) -> HistoryYear:
    (ri, rr), (_, cr) = run.reported, run.recalculated
    return HistoryYear(
        year=ri.company.year, source=run.source, reported_total=rr.total, reported_stages=dict(rr.stage_totals),
        recalculated_total=cr.total, recalculated_stages=dict(cr.stage_totals), intensities=cr.intensities,
        reported_factor_date=ri.factor_date, reported_gwp=ri.company.gwp_version, excluded=_excluded(ri))


def years_of_rows(intake: Intake, skip: set[int]) -> list[HistoryYear]:
    """Years of 历史排放 that no history workbook covers: the total row, or the sum of the stage rows."""
    out = []
    for year in sorted({h.year for h in intake.history} - skip):
        if year >= intake.company.year:
            continue
        rows = [h for h in intake.history if h.year == year]
        total_rows = [h.tco2e for h in rows if h.stage is None]
        stage_rows = [h for h in rows if h.stage is not None]
        stages = None
        if stage_rows:
            stages = {s: sum(h.tco2e for h in stage_rows if h.stage == s) for s in Stage}
        total = total_rows[0] if total_rows else sum(h.tco2e for h in stage_rows)
        out.append(HistoryYear(year, HISTORY_SHEET_SOURCE, total, stages))
    return out


def build_history(current: Intake, runs: list[HistoryRun], threshold: Threshold) -> tuple[History, list[Finding]]:
    """The earlier years oldest first, and the base-year check when the base year has a history workbook."""
    years = [year_of_run(r) for r in runs]
    by_workbook = {y.year: y.source for y in years}
    years += years_of_rows(current, set(by_workbook))
    years.sort(key=lambda y: y.year)
    c = current.company
    findings: list[Finding] = [
        Finding.of(Code.W_HISTORY_ROW_SUPERSEDED, CellRef(contract.HISTORY.name, f"A{h.row}"), row=h.row, year=h.year,
                   file=by_workbook[h.year])
        for h in current.history if h.year in by_workbook]
    base = None
    run = next((r for r in runs if r.reported[0].company.year == c.base_year), None)
    if run is not None and c.base_year != c.year:
        reported, recalculated = run.reported[1].total, run.recalculated[1].total
        diff = (recalculated - reported) / reported * 100 if reported else None
        # A reported total of 0 cannot give a percentage: any change then counts as significant.
        significant = abs(diff) >= threshold.pct if diff is not None else recalculated != reported
        base = BaseYearCheck(c.base_year, run.source, reported, recalculated, diff, threshold.pct, significant,
                             tuple(reasons(current, run)))
        if significant:
            where = c.refs.get("base_year", CellRef(contract.COMPANY_SHEET, "A1"))
            findings.append(Finding.of(
                Code.W_BASE_YEAR_RECALCULATED, where, year=c.base_year, file=run.source,
                total=plain_number(recalculated, 4), reported=plain_number(reported, 4), pct=pct_text(diff),
                threshold=f"{threshold.pct:g}", reasons="；".join(base.reasons) or "—"))
    return History(tuple(years), base, threshold.pct, threshold.source), findings


def pct_text(diff: float | None) -> str:
    return "—" if diff is None else f"{diff:+.2f}%"


def base_year_values(history: History | None) -> dict[Stage | None, float] | None:
    """The base year the targets use (stages and the total, None key): recalculated at or above the
    threshold, as reported below it; None when no history workbook gave the base year."""
    if history is None or history.base is None:
        return None
    b = history.base
    y = next(y for y in history.years if y.year == b.year and y.source == b.source)
    stages = y.recalculated_stages if b.recalculated else y.reported_stages
    assert stages is not None, "a history workbook always has its stages"
    return {**stages, None: b.recalculated_total if b.recalculated else b.reported_total}


def reasons(current: Intake, run: HistoryRun) -> list[str]:
    """Why the base year reads differently now: the factors each activity used (a library edition, a
    dated default chosen by another 报告日期), the GWP set, and sources inside the boundary in one year and
    excluded (不适用) in the other."""
    (ri, rr), (ci, cr) = run.reported, run.recalculated
    out: list[str] = []
    if ri.library_version != ci.library_version:
        out.append(f"因子库版本由 {ri.library_version} 更新为 {ci.library_version}")
    changed: dict[str, str] = {}
    used_then = {(line.activity.row, line.factor.gas): line.factor for line in rr.lines}
    for line in cr.lines:
        before = used_then.get((line.activity.row, line.factor.gas))
        now = line.factor
        if before is None or (before.code, before.value, before.unit) == (now.code, now.value, now.unit):
            continue
        changed.setdefault(line.activity.name,
                           f"“{line.activity.name}”的排放因子由 {before.code}（{plain_number(before.value, 6)} "
                           f"{before.unit}）改为 {now.code}（{plain_number(now.value, 6)} {now.unit}）")
    if changed:
        out.append("排放因子更新：" + "；".join(changed.values()))
        if ri.factor_date and ci.factor_date and ri.factor_date != ci.factor_date:
            out.append(f"默认因子按本次报告日期 {ci.factor_date.isoformat()} 选取（原报告按 {ri.factor_date.isoformat()}）")
    if ri.company.gwp_version != ci.company.gwp_version:
        out.append(f"GWP 取值由 {ri.company.gwp_version} 改为 {ci.company.gwp_version}")
    out += boundary_changes(current, ri)
    return out


def _key(stage: Stage, name: str) -> tuple[Stage, str]:
    return stage, "".join(name.split()).casefold()


def boundary_changes(current: Intake, base: Intake) -> list[str]:
    """A source counted in one year and marked 不适用 (outside the boundary) in the other."""
    def kinds(intake: Intake) -> dict[tuple[Stage, str], tuple[str, str]]:
        return {_key(a.stage, a.name): (a.amount_kind, a.name) for a in intake.activities}

    now, then = kinds(current), kinds(base)
    out = []
    y0, y1 = base.company.year, current.company.year
    for key in sorted(set(now) & set(then), key=lambda k: (list(Stage).index(k[0]), k[1])):
        (k_now, name), (k_then, _) = now[key], then[key]
        if k_then == "value" and k_now == "not_applicable":
            out.append(f"边界变化：{key[0].short_zh}“{name}”{y0} 年计入，{y1} 年不适用")
        elif k_then == "not_applicable" and k_now == "value":
            out.append(f"边界变化：{key[0].short_zh}“{name}”{y0} 年不适用，{y1} 年计入")
    return out
