"""The report's views of issue 16's columns: sites, the monthly chart, evidence per stage, and data quality
with its Approach 1 uncertainty. Every figure comes from the same Result as 表 A.1; a workbook that fills
none of those columns gets none of these views (its report reads as before)."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.factors import UncertaintyTier, load_library
from carbon_report.core.model import STAGES, Intake, Result, Uncertainty
from carbon_report.core.report import numbers as fmt
from carbon_report.core.report.charts import GREY, ChartSeries, ChartSpec
from carbon_report.core.report.text import clean, sub, text_of
from carbon_report.core.report.views import EvidenceRow, ExtrasView, SiteRow, UncertaintyRow, UncertaintyView
from carbon_report.core.rounding import share_percentages

ELECTRICITY_KINDS = ("electricity", "electricity-market", "electricity-footprint", "heat")


def _pct(value: float | None) -> str:
    return fmt.NO_VALUE if value is None else f"±{value:.1f}%"


def extras_view(intake: Intake, result: Result) -> ExtrasView:
    return ExtrasView(
        sites=site_rows(result, intake.company.text("address") or contract.MAIN_SITE_DEFAULT),
        monthly_chart=monthly_chart(intake, result),
        monthly_rows=sum(1 for a in intake.activities if a.months is not None),
        evidence=evidence_rows(intake),
        uncertainty=uncertainty_view(intake, result),
    )


def site_rows(result: Result, main: str = "") -> tuple[SiteRow, ...]:
    """Rows of the site × stage table, only when there is more than one site. The site of a blank 场所 is
    named by the company's address in the data; the report calls it 主厂区 (its paragraph gives the address)."""
    if len(result.sites) < 2:
        return ()
    rows = []
    # largest remainder, as the stage shares: the printed site shares add up to 100.00 %
    shares = share_percentages({n: max(t, 0.0) for n, t in result.site_totals.items()}) if result.total > 0 else {}
    for name, by_stage in result.sites.items():
        # (unless the client named another site 主厂区 themselves: then the address tells them apart)
        label = contract.MAIN_SITE_DEFAULT if name == main and contract.MAIN_SITE_DEFAULT not in result.sites \
            else clean(name)
        rows.append(SiteRow(label, tuple(fmt.fmt_tco2e(by_stage[s]) for s in STAGES),
                            fmt.fmt_tco2e(sum(by_stage.values())),
                            fmt.fmt_share(shares.get(name), positive=sum(by_stage.values()) > 0)))
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
    # the factors by name, as the factor table lists them (a code is the tool's, not the reader's)
    names = {code: clean(fs[0].name) or code for code, fs in intake.factors.items() if fs}
    without = list(dict.fromkeys(names.get(c, c) for c in u.factors_without))
    t = text_of
    text = (t("按 IPCC 2006 年国家温室气体清单指南第 1 卷第 3 章的方法 1（误差传播）估算：每项排放的不确定度 U = √(U")
            + sub("A") + t("² + U") + sub("EF") + t("² + U") + sub("GWP")
            + t("²)，其中 U") + sub("A") + t("、U") + sub("EF") + t("、U") + sub("GWP")
            + t(" 分别为活动数据、排放因子和全球增温潜势的不确定度；同一活动的各种气体共用活动数据、同一排放因子用于多行、"
                "同一气体共用 GWP，这些相关的部分先合计，再按 √Σ(U") + sub("i") + t(" × E") + sub("i") + t(")² / |ΣE")
            + sub("i") + t(f"| 合成各阶段及合计（95% 置信区间的半宽）。企业碳排放总量 {fmt.fmt_tco2e(result.total)} tCO2e "
                           f"的不确定度约为 {_pct(u.total_pct)}。{len(counted)} 项有数量的活动中，{given} 项由企业给出活动数据"
                           f"不确定度，{u.defaults_used} 项按“数据质量”等级取缺省值（{defaults}）。"
                           f"{defaults_sources(tiers, u)}"))
    if without:
        text += (t("以下排放因子的来源未给出不确定度，因子库也没有其类别的缺省值，未计入其因子不确定度（U")
                 + sub("EF") + t(f" 按 0 计）：{'、'.join(without)}。"))
    return UncertaintyView(tuple(rows), text)


def defaults_sources(tiers: dict[str, UncertaintyTier], u: Uncertainty) -> str:
    """Which defaults rest on a text read (cited) and which are assumptions: the 数据质量 tiers
    (uncertainty_defaults.csv) and the factor and GWP families used (uncertainty_families.csv)."""
    cited = [f"“{t.tier}”等级 ±{t.pct:g}%" for t in tiers.values() if t.status == "verified"]
    cited += [f"{f.label} ±{f.pct:g}%" for f in u.families if f.cited]
    assumed = [f"“{t.tier}”等级 ±{t.pct:g}%" for t in tiers.values() if t.status != "verified"]
    assumed += [f"{f.label} ±{f.pct:g}%" for f in u.families if not f.cited]
    out = ""
    if cited:
        out += f"引用公开资料的缺省值：{'、'.join(cited)}。"
    if assumed:
        out += f"本报告采用的假设值（未找到给出该数值的资料，待核实）：{'、'.join(assumed)}。"
    return out


def _share(value: float | None) -> str:
    return fmt.NO_VALUE if value is None else f"{value * 100:.1f}%"

