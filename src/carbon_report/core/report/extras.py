"""The report's views of issue 16's columns: sites, the monthly chart, evidence per stage, and data quality
with its Approach 1 uncertainty. Every figure comes from the same Result as 表 A.1; a workbook that fills
none of those columns gets none of these views (its report reads as before)."""

from __future__ import annotations

from carbon_report.core.factors import UncertaintyTier, load_library
from carbon_report.core.model import STAGES, Intake, Result
from carbon_report.core.report import numbers as fmt
from carbon_report.core.report.charts import GREY, ChartSeries, ChartSpec
from carbon_report.core.report.text import clean
from carbon_report.core.report.views import EvidenceRow, ExtrasView, SiteRow, UncertaintyRow, UncertaintyView
from carbon_report.core.rounding import share_percentages

ELECTRICITY_KINDS = ("electricity", "electricity-market", "electricity-footprint", "heat")


def _pct(value: float | None) -> str:
    return fmt.NO_VALUE if value is None else f"±{value:.1f}%"


def extras_view(intake: Intake, result: Result) -> ExtrasView:
    return ExtrasView(
        sites=site_rows(result),
        monthly_chart=monthly_chart(intake, result),
        monthly_rows=sum(1 for a in intake.activities if a.months is not None),
        evidence=evidence_rows(intake),
        uncertainty=uncertainty_view(intake, result),
    )


def site_rows(result: Result) -> tuple[SiteRow, ...]:
    """Rows of the site × stage table, only when there is more than one site."""
    if len(result.sites) < 2:
        return ()
    rows = []
    # largest remainder, as the stage shares: the printed site shares add up to 100.00 %
    shares = share_percentages({n: max(t, 0.0) for n, t in result.site_totals.items()}) if result.total > 0 else {}
    for name, by_stage in result.sites.items():
        rows.append(SiteRow(clean(name), tuple(fmt.fmt_tco2e(by_stage[s]) for s in STAGES),
                            fmt.fmt_tco2e(sum(by_stage.values())), fmt.fmt_share(shares.get(name))))
    rows.append(SiteRow("合计", tuple(fmt.fmt_tco2e(result.stage_totals[s]) for s in STAGES),
                        fmt.fmt_tco2e(result.total), "100.00%" if result.total > 0 else fmt.NO_VALUE))
    return tuple(rows)


def monthly_chart(intake: Intake, result: Result) -> ChartSpec | None:
    """The emissions of the electricity and fuel rows given by month (tCO2e per month: each month's share of
    the row's amount × the row's tCO2e), as two series. tCO2e, not kWh and litres: one axis can carry both."""
    elec = [0.0] * 12
    fuel = [0.0] * 12
    any_elec = any_fuel = False
    for line in result.lines:
        a = line.activity
        if a.months is None or line.factor.biogenic or a.amount == 0:
            continue
        is_elec = line.factor.category in ELECTRICITY_KINDS or "电" in a.name
        target = elec if is_elec else fuel
        for i, m in enumerate(a.months):
            target[i] += line.tco2e * m / a.amount
        any_elec, any_fuel = any_elec or is_elec, any_fuel or not is_elec
    if not (any_elec or any_fuel):
        return None
    series = []
    if any_elec:
        series.append(ChartSeries("外购电力（tCO2e）", elec))
    if any_fuel:
        series.append(ChartSeries("燃料等（tCO2e）", fuel, color=GREY))
    big = max(elec + fuel) >= 100
    return ChartSpec(kind="column", title=f"{intake.company.year} 年月度用电和燃料碳排放",
                     categories=[f"{i}月" for i in range(1, 13)], series=series,
                     number_format="#,##0.0" if big else "#,##0.00", axis_format="#,##0" if big else "#,##0.0",
                     value_axis_title="tCO2e", height_mm=80.0)


def evidence_rows(intake: Intake) -> tuple[EvidenceRow, ...]:
    """Evidence per stage: each file with the activity it supports and its SHA-256 (the first 16 digits in
    the report; the full value in 计算明细)."""
    rows: list[EvidenceRow] = []
    for s in STAGES:
        for a in intake.activities:
            if a.stage != s or a.evidence is None:
                continue
            ev = a.evidence
            rows.append(EvidenceRow(str(len(rows) + 1), s.long_zh, clean(a.name), clean(ev.file),
                                    (ev.sha256[:16] + "…") if ev.sha256 else "未找到文件"))
    return tuple(rows)


def uncertainty_view(intake: Intake, result: Result) -> UncertaintyView | None:
    u = result.uncertainty
    if u is None:
        return None
    shown = [s for s in STAGES if any(a.stage == s and a.amount_kind == "value" for a in intake.activities)]
    rows = [UncertaintyRow(s.long_zh, fmt.fmt_tco2e(result.stage_totals[s]), _pct(u.stages[s]),
                           _share(u.measured_share[s])) for s in shown]
    rows.append(UncertaintyRow("合计", fmt.fmt_tco2e(result.total), _pct(u.total_pct),
                               _share(u.measured_share[None])))
    tiers = load_library().uncertainty_tiers
    defaults = "、".join(f"{t.tier} ±{t.pct:g}%" for t in tiers.values())
    counted = [a for a in intake.activities if a.amount_kind == "value"]
    given = sum(1 for a in counted if a.uncertainty_basis == "given")
    without = list(u.factors_without)
    factor_note = ("所用排放因子的来源均未给出不确定度，合成不确定度未计入排放因子的不确定度（U_EF 按 0 计），实际不确定度更大。"
                   if without and len(without) == len({ln.line.factor.code for ln in u.lines}) else
                   f"以下排放因子的来源未给出不确定度，未计入其因子不确定度（U_EF 按 0 计）：{'、'.join(without)}。"
                   if without else "各排放因子的不确定度按其来源所给计入。")
    text = (f"按 IPCC 2006 国家温室气体清单指南第 1 卷第 3 章的方法 1（误差传播）估算：每项排放 U = √(U_A² + U_EF²)，"
            f"各阶段及合计 U = √Σ(U_i × E_i)² / |ΣE_i|（95% 置信区间的半宽）。企业碳排放总量 "
            f"{fmt.fmt_tco2e(result.total)} tCO2e 的不确定度约为 {_pct(u.total_pct)}。{len(counted)} 项有数量的活动中，"
            f"{given} 项由企业给出活动数据不确定度，{u.defaults_used} 项按“数据质量”等级取缺省值（{defaults}；"
            f"{_defaults_basis(tiers)}）。{factor_note}")
    return UncertaintyView(tuple(rows), text)


def _defaults_basis(tiers: dict[str, UncertaintyTier]) -> str:
    """How far the tier defaults rest on texts read, from each tier's status in uncertainty_defaults.csv."""
    verified = [t.tier for t in tiers.values() if t.status == "verified"]
    unverified = [t.tier for t in tiers.values() if t.status != "verified"]
    if not verified:
        return "缺省值参照 IPCC 指南所列的不确定度范围取定，未经核实"
    said = f"“{'”“'.join(verified)}”的缺省值与所查公开资料给出的数值一致"
    return said + (f"，“{'”“'.join(unverified)}”的缺省值参照 IPCC 指南所列范围取定，未经核实" if unverified else "")


def _share(value: float | None) -> str:
    return fmt.NO_VALUE if value is None else f"{value * 100:.1f}%"

