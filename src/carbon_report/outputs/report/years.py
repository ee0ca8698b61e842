"""The report's year-over-year section (after the scope section) and the base-year statement in 3.1:
the same rows as the computed sheet 历年对比 (outputs/computed.year_rows), and a native chart of the trend
with the total targets drawn beside it."""

from __future__ import annotations

from dataclasses import dataclass

from carbon_report.core.history import HISTORY_SHEET_SOURCE, default_threshold
from carbon_report.core.model import STAGES, Intake, Result, Stage
from carbon_report.core.report import numbers as fmt
from carbon_report.core.report.charts import GREEN, GREY, ChartSeries, ChartSpec
from carbon_report.core.report.text import Text, text_of
from carbon_report.core.report.views import YearRow, YearsView
from carbon_report.outputs.computed import (
    CURRENT_SOURCE,
    RECALCULATED_MEANS,
    base_year_statement,
    reasons_text,
    year_rows,
)
from carbon_report.outputs.computed import YearRow as YearRow_


def _change(pct: float | None) -> str:
    return fmt.NO_VALUE if pct is None else f"{pct:+.2f}%"


# 来源 as a client reads it: where the year's figures come from, never a file name (the computed sheet
# 历年对比 keeps the history workbook's name for the consultant)
SOURCE_CURRENT = "本年核算"
SOURCE_EARLIER = "往年核算"
SOURCE_RECALCULATED = "往年核算，重算后"
SOURCE_TYPED = "企业提供的往年数据"


def _source(r: YearRow_) -> str:
    if r.source == CURRENT_SOURCE:
        return SOURCE_CURRENT
    if r.source == HISTORY_SHEET_SOURCE or r.recalculated_total is None:
        return SOURCE_TYPED
    return SOURCE_RECALCULATED if r.recalculated_total != r.reported_total else SOURCE_EARLIER


def _stage(r: YearRow_, s: Stage) -> str:
    """A stage of one year: "/" when that year gave only a total, or had no figure for the stage (as the
    current year's tables show it)."""
    if r.stages is None:
        return fmt.NO_VALUE
    value = r.stages[s]
    if value == 0 and r.quantified is not None and s not in r.quantified:
        return fmt.NO_VALUE
    return fmt.fmt_tco2e(value)


@dataclass(frozen=True)
class Years:
    """`years` for the template (None when no earlier year is known), `base_year_statement` and
    `base_year_threshold`."""

    years: YearsView | None
    base_year_statement: Text
    base_year_threshold: str


def years_view(intake: Intake, result: Result) -> Years:
    statement = text_of(base_year_statement(result))
    threshold = result.history.threshold_pct if result.history else default_threshold().pct
    rows = year_rows(intake, result)
    if len(rows) < 2:
        return Years(None, statement, f"{threshold:g}")
    table = []
    for r in rows:
        table.append(YearRow(
            year=f"{r.year}" + ("（本年度）" if r.current else ""),
            source=_source(r),
            stages=tuple(_stage(r, s) for s in STAGES),
            reported=fmt.fmt_tco2e(r.reported_total),
            recalculated=fmt.fmt_tco2e(r.recalculated_total) if r.recalculated_total is not None else fmt.NO_VALUE,
            change=_change(r.change_pct),
            intensity=fmt.fmt_intensity(r.intensity) if r.intensity is not None else fmt.NO_VALUE,
        ))
    first, last = rows[0], rows[-1]
    overall = ((last.comparable_total - first.comparable_total) / first.comparable_total * 100
               if first.comparable_total else None)
    earlier = [r for r in rows if not r.current]
    recalculated = any(r.recalculated_total is not None for r in earlier)
    typed = any(r.recalculated_total is None for r in earlier)
    basis = ("往年按本年度方法和边界重算" + ("；企业提供的往年数值未重算" if typed else "") if recalculated
             else "往年为企业提供的数值，未重算")
    summary = (f"{first.year}—{last.year} 年企业碳排放总量（{basis}）由 "
               f"{fmt.fmt_tco2e(first.comparable_total)} tCO2e 变为 {fmt.fmt_tco2e(last.comparable_total)} tCO2e，"
               f"累计变化 {_change(overall)}；较上年变化 {_change(last.change_pct)}。"
               + (RECALCULATED_MEANS if recalculated else ""))
    base = result.history.base if result.history else None
    for y in (result.history.years if result.history else ()):
        # the base year's reasons are said once, in 3.1's statement on the base year
        if y.reasons and not (base is not None and base.year == y.year):
            summary += f"{reasons_text(y.reasons)}。"
        elif y.reasons:
            summary += f"{y.year} 年（基准年）的重算原因见 3.1 节。"
    product = next((i for i in result.intensities if i.product != "工业总产值"), None)
    totals = sorted({t.year: t.target_value for t in result.targets
                     if t.kind == "total" and t.stage is None}.items())
    years = [r.year for r in rows] + [y for y, _ in totals if y > last.year]
    actual = {r.year: r.comparable_total for r in rows}
    target = dict(totals)
    values = [v for v in [*actual.values(), *target.values()]]
    big = max(values) >= 100
    chart = ChartSpec(
        kind="column", title="历年碳排放总量与减排目标", categories=[f"{y} 年" for y in years],
        series=[ChartSeries(f"碳排放总量（tCO2e，{basis}）", [actual.get(y) for y in years], color=GREEN),
                ChartSeries("减排目标（tCO2e）", [target.get(y) for y in years], color=GREY)],
        number_format="#,##0.00", axis_format="#,##0" if big else "#,##0.00", value_axis_title="tCO2e",
        height_mm=85.0)
    return Years(YearsView(
        rows=tuple(table),
        summary=text_of(summary),
        basis=basis,
        intensity_label=text_of(f"单位产品排放强度（tCO2e/{product.unit}）" if product else "单位产品排放强度"),
        chart=chart,
    ), statement, f"{threshold:g}")
