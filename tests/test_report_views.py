"""The report's views are computed in core from Intake + Result, without a document: shares by largest
remainder and the implied total of stage targets, checked against figures worked out by hand."""

from __future__ import annotations

import dataclasses

from carbon_report.core.model import Stage, Target
from carbon_report.core.report.build import IMPLIED_TOTAL_LABEL, report_view
from carbon_report.core.report.views import ReportView
from report_fixtures import act, calc, seed_intake


def small_intake():
    # 100 t rebar × 2,340 kgCO2e/t = 234 t; 100,000 kWh × 0.5703 tCO2/MWh = 57.03 t; total 291.03 t
    acts = [act(Stage.RAW_MATERIALS, "原材料", "钢筋", 100, "t", "EF-STEEL-REBAR", row=5),
            act(Stage.PRODUCTION, "能源", "电力", 100_000, "kWh", "EF-ELEC-CN-2022NOTICE", row=6)]
    intake = seed_intake(activities=acts, targets=())
    # only stage targets in 2030: raw materials −50 %, production −20 %
    return dataclasses.replace(intake, targets=(Target(2030, 50, Stage.RAW_MATERIALS, "total", 5),
                                                Target(2030, 20, Stage.PRODUCTION, "total", 6)))


def test_stage_figures_and_shares() -> None:
    intake = small_intake()
    view = report_view(intake, calc(intake), [])
    assert isinstance(view, ReportView)
    raw, prod = view.stage["raw_materials"], view.stage["production"]
    assert (raw.value_text, prod.value_text, view.total_text) == ("234.00", "57.03", "291.03")
    # 234 / 291.03 = 80.404 %, 57.03 / 291.03 = 19.596 %: floors 80.40 + 19.59 = 99.99, the larger remainder
    # (0.596) gets the last hundredth
    assert (raw.share_text, prod.share_text) == ("80.40%", "19.60%")
    assert [r.value for r in view.summary_rows[:7]] == ["234.00", "57.03", "/", "/", "/", "/", "291.03"]
    assert view.summary_rows[6].share == "100.00%"
    assert view.charts.share is not None and list(view.charts.share.series[0].values) == [80.4, 19.6, None, None,
                                                                                          None, None]


def test_implied_total_of_stage_targets() -> None:
    intake = small_intake()
    view = report_view(intake, calc(intake), [])
    (year,) = view.targets
    assert year.year == 2030
    labels = [r.label for r in year.rows]
    implied = year.rows[labels.index(IMPLIED_TOTAL_LABEL)]
    # base 234 + 57.03 = 291.03; target 117 + 45.624 = 162.624; 1 − 162.624 / 291.03 = 44.12 %
    assert (implied.base, implied.target, implied.pct) == ("291.03", "162.62", "44.12%")
    assert "数智化采购、绿色运输、绿色包装、绿色回收阶段未设目标" in year.implied_note
    chart = view.charts.target
    assert chart is not None and list(chart.categories) == ["2023 年（基准年）", "2030 年（隐含）"]
    assert list(chart.series[0].values) == [291.03, 162.624]

