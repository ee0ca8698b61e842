"""The report's views from one Intake and one Result: every figure in every table formatted from the same
Result, so two tables can never disagree; shares shared out by largest remainder; implied totals (the sum of
stage targets when no total target was given) computed here. Text the consultant must supply but left
blank becomes a highlighted placeholder.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from carbon_report.core.contract import LABELS
from carbon_report.core.findings import Code
from carbon_report.core.gaps import KIND_ZH as GAP_KIND_ZH
from carbon_report.core.gaps import find_gaps
from carbon_report.core.model import (
    STAGES,
    Activity,
    Company,
    EmissionLine,
    Factor,
    Finding,
    Intake,
    Result,
    Stage,
    Target,
)
from carbon_report.core.report import numbers as fmt
from carbon_report.core.report.charts import GREY, ChartSeries, ChartSpec
from carbon_report.core.report.citations import factor_citation, gwp_citation
from carbon_report.core.report.extras import extras_view
from carbon_report.core.report.notes import stage_note
from carbon_report.core.report.scopes import scopes_view
from carbon_report.core.report.text import Text, clean, placeholder, text_of
from carbon_report.core.report.views import (
    ActivityRow,
    ChartsView,
    CompanyView,
    CoverageRow,
    CoverView,
    EquipmentRow,
    ExcludedRow,
    FactorRow,
    FindingsCount,
    GapRow,
    GasRow,
    GwpView,
    IntensityRow,
    MeasureRow,
    MeasuresTotal,
    ProductRow,
    ReportView,
    ResultRow,
    SourceRow,
    StageView,
    SummaryRow,
    TargetRow,
    TargetYear,
    TextsView,
)

TOTAL_LABEL = "企业碳排放量合计（1+2+3+4+5+6）"
IMPLIED_TOTAL_LABEL = "企业碳排放量合计（各阶段目标之和，隐含）"
# CO2e is not a gas: it is the share of emissions computed with factors given in CO2 equivalents
CO2E_ROW_LABEL = "按 CO2 当量因子计算的排放（未分气体）"
GAS_NAMES_ZH = {
    "CO2": "二氧化碳（CO2）", "CO2e": CO2E_ROW_LABEL, "CH4": "甲烷（CH4）",
    "CH4-fossil": "化石源甲烷（CH4）", "CH4-non-fossil": "非化石源甲烷（CH4）", "N2O": "氧化亚氮（N2O）",
    "SF6": "六氟化硫（SF6）", "NF3": "三氟化氮（NF3）", "CF4": "四氟化碳（CF4）", "C2F6": "六氟乙烷（C2F6）",
}
KYOTO_GROUPS = (("CO2", "二氧化碳（CO2）"), ("CH4", "甲烷（CH4）"), ("N2O", "氧化亚氮（N2O）"),
                ("HFC", "氢氟碳化物（HFCs）"), ("PFC", "全氟化碳（PFCs）"), ("SF6", "六氟化硫（SF6）"),
                ("NF3", "三氟化氮（NF3）"))
# perfluorocarbons by formula
_PFCS = {"CF4", "C2F6", "C3F8", "C4F10", "C-C4F8", "C5F12", "C6F14", "C10F18"}
_STANDARD_YEAR = re.compile(r"(?:GB|GB/T|HJ|JGJ|DB\d*/T|T/[A-Z]+)\s*[\d.]+\s*[-—–]\s*((?:19|20)\d{2})(?!\d)")
# a factor's gas in the factor table: the formula, and in Chinese what the suffix says
# (on two lines: the gas column is narrow)
FACTOR_GAS_LABEL = {"CH4-fossil": "CH4\n化石源", "CH4-non-fossil": "CH4\n非化石源", "CO2-biogenic": "CO2\n生物源"}
GWP_SET_ZH = {"SAR": "IPCC 第二次评估报告（SAR）", "AR4": "IPCC 第四次评估报告（AR4）",
              "AR5": "IPCC 第五次评估报告（AR5）", "AR6": "IPCC 第六次评估报告（AR6）"}

# A stage's activity tables list at most this many rows; the rest is one row saying how many more there are
# and where they are listed (计算明细 lists every one). A report of 20,000 rows would be some 400 pages that
# no reader wants and that LibreOffice needs minutes to paginate for the 目录.
REPORT_TABLE_ROWS = 200  # 500 measured: 98 s with the 目录 filled at 20,000 rows; 200: 34 s under load 5
REPORT_SOURCE_NAMES = 50  # names listed per type in the coverage table, the same way
REST_WHERE = "逐项明细见计算结果工作簿“计算明细”工作表"

# The consultant's fields of the cover and the sign-off, with the label their placeholder names
COVER_FIELDS = (("report_no", "报告编号"), ("agency_name", "技术服务机构名称"), ("report_date", "报告日期"),
                ("team_leader", "组长"), ("reviewer", "技术复核人"), ("approver", "批准人"),
                ("review_date", "复核日期"), ("approval_date", "批准日期"))


# ---- small helpers ---------------------------------------------------------------------------------------


def paragraphs(value: str) -> list[str]:
    return [p.strip() for p in clean(value).replace("\r\n", "\n").replace("\r", "\n").split("\n") if p.strip()]


def text_paras(value: str, missing: str) -> tuple[Text, ...]:
    paras = paragraphs(value)
    return tuple(text_of(p) for p in paras) if paras else (placeholder(missing),)


def _activity_key(a: Activity) -> tuple[str, int]:
    return (a.amount_cell.sheet, a.row)


def _amount_text(a: Activity) -> str:
    if a.amount_kind == "no_data":
        return fmt.NO_VALUE
    if a.amount_kind == "not_applicable":
        return "不适用"
    return fmt.fmt_amount(a.amount)


def _stage_label(stage: Stage | None) -> str:
    return stage.indicator_zh if stage is not None else TOTAL_LABEL


def gas_group(gas: str, blends: Mapping[str, Mapping[str, float]]) -> str | None:
    """The Kyoto basket group of a gas as the result names it (CO2, CH4, N2O, HFC, PFC, SF6, NF3); a blend
    whose components are all of one group is of that group; None for CO2e (not a gas) and unknown gases."""
    g = gas.upper()
    if g == "CO2E":
        return None
    if g.startswith("CH4"):
        return "CH4"
    if g in ("CO2", "N2O", "SF6", "NF3"):
        return g
    if g.startswith("HFC"):
        return "HFC"
    if g in _PFCS or g.startswith("PFC"):
        return "PFC"
    components = blends.get(gas)
    if components:
        groups = {gas_group(c, {}) for c in components}
        if len(groups) == 1:
            return groups.pop()
    return None


def gas_name(gas: str, blends: Mapping[str, Mapping[str, float]], *, cell: bool = False) -> str:
    """How the report names a gas: 二氧化碳（CO2）, HFC-134a（氢氟碳化物）, R-410A（氢氟碳化物混合制冷剂，
    HFC-32/HFC-125）; in a table `cell` a blend takes two lines, R-410A（HFC-32/HFC-125） and 氢氟碳化物混合制冷剂,
    so that no line breaks inside a name."""
    if gas in GAS_NAMES_ZH:
        return GAS_NAMES_ZH[gas]
    group = gas_group(gas, blends)
    if gas in blends:
        parts = "/".join(blends[gas])
        kind = {"HFC": "氢氟碳化物混合制冷剂", "PFC": "全氟化碳混合物"}.get(group or "", "混合气体")
        return f"{gas}（{parts}）\n{kind}" if cell else f"{gas}（{kind}，{parts}）"
    if group == "HFC":
        return f"{gas}（氢氟碳化物）"
    if group == "PFC":
        return f"{gas}（全氟化碳）"
    return gas


def _published_text(f: Factor) -> str:
    """The factor's publication date; without one, the year in its standard's designation
    (GB/T 51366-2019 → 2019 年), which is the edition the value was read from."""
    published = fmt.fmt_date(f.published) if f.published else ""
    if not published:
        m = _STANDARD_YEAR.search(clean(f.source))
        if m:
            published = f"{m.group(1)} 年"
    if f.data_year:
        published = f"{published}（数据年份 {f.data_year}）" if published else f"数据年份 {f.data_year}"
    return published


def library_edition(version: str, library_version: str) -> str:
    """The factor library named as a dated edition: 2026.3 版（2026 年 11 月 25 日）."""
    if version != library_version:
        return f"{version} 版"
    try:
        import tomllib
        from importlib.resources import files

        meta = tomllib.loads(files("carbon_report.core.factors").joinpath("meta.toml").read_text("utf-8"))
        day = fmt.fmt_date(str(meta.get("date", "")))
    except (OSError, ValueError, ModuleNotFoundError):
        day = ""
    return f"{version} 版（{day}）" if day else f"{version} 版"


def investment_sum(texts: Sequence[str]) -> str:
    """Σ of investment estimates written as numbers or ranges (2-3, 0.5~1): '2.5-6'; '' when one is not."""
    lo = hi = Decimal(0)
    seen = False
    for t in texts:
        t = clean(t).strip().replace("万元", "").replace("～", "-").replace("~", "-").replace("—", "-")
        if not t:
            continue
        m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?", t)
        if not m:
            return ""
        seen = True
        lo += Decimal(m.group(1))
        hi += Decimal(m.group(2) or m.group(1))
    if not seen:
        return ""
    return f"{lo.normalize():f}" if lo == hi else f"{lo.normalize():f}-{hi.normalize():f}"


def largest_remainder_safe(parts: Mapping[Any, float]) -> dict[Any, Decimal]:
    positive = {k: max(v, 0.0) for k, v in parts.items()}
    if sum(positive.values()) <= 0:
        return {}
    return fmt.largest_remainder(positive)


def _names_text(names: list[str]) -> str:
    if len(names) <= REPORT_SOURCE_NAMES:
        return "、".join(names)
    return "、".join(names[:REPORT_SOURCE_NAMES]) + f" 等 {len(names):,} 项（完整清单见计算结果工作簿“计算明细”工作表）"


# ---- the pieces ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Basis:
    """What several sections share: the lines that carry a number, by activity; which stages are quantified;
    the stage shares."""

    acts_by_stage: Mapping[Stage, list[Activity]]
    value_lines: list[EmissionLine]
    lines_by_activity: Mapping[tuple[str, int], list[EmissionLine]]
    quantified: Mapping[Stage, bool]
    shares: Mapping[Hashable, Decimal]


def _basis(intake: Intake, result: Result) -> _Basis:
    acts_by_stage = {s: [a for a in intake.activities if a.stage == s] for s in STAGES}
    # lines that carry a number: calculate.py also makes zero lines for no-data rows, and biogenic CO2 is
    # reported apart from every total
    value_lines = [x for x in result.lines if x.activity.amount_kind == "value"]
    lines_by_activity: dict[tuple[str, int], list[EmissionLine]] = defaultdict(list)
    for line in value_lines:
        lines_by_activity[_activity_key(line.activity)].append(line)
    # a stage is quantified when at least one of its rows has a number; otherwise it shows "/"
    quantified = {s: any(a.amount_kind == "value" for a in acts_by_stage[s]) for s in STAGES}
    shares: dict[Hashable, Decimal] = {}
    share_parts = {s: result.stage_totals.get(s, 0.0) for s in STAGES if quantified[s]}
    if result.total > 0 and share_parts:
        shares = largest_remainder_safe(share_parts)
    return _Basis(acts_by_stage, value_lines, lines_by_activity, quantified, shares)


def _stage_view(s: Stage, result: Result, b: _Basis) -> StageView:
    acts = b.acts_by_stage[s]
    q = b.quantified[s]
    value = result.stage_totals.get(s, 0.0)
    by_type: dict[str, dict[str, None]] = {}  # dicts as ordered sets: a list's `in` is quadratic at 20,000 rows
    for a in acts:
        by_type.setdefault(clean(a.type).strip() or s.short_zh, {})[clean(a.name)] = None
    activity_rows: list[ActivityRow] = []
    result_rows: list[ResultRow] = []
    for i, a in enumerate(acts[:REPORT_TABLE_ROWS], start=1):
        lines = b.lines_by_activity.get(_activity_key(a), [])
        activity_rows.append(ActivityRow(i, clean(a.type), clean(a.name), _amount_text(a), text_of(a.unit),
                                         clean(a.source), clean(a.note)))
        counted = [x for x in lines if not x.factor.biogenic]
        if a.amount_kind == "value" and counted:
            emis = fmt.fmt_tco2e(sum(x.tco2e for x in counted))
        elif a.amount_kind == "value":
            emis = "未计入（无排放因子）" if not lines else "0"
        else:
            emis = _amount_text(a)
        result_rows.append(ResultRow(i, clean(a.name), _amount_text(a), text_of(a.unit), emis))
    if len(acts) > REPORT_TABLE_ROWS:
        # The row that stands for the activities past REPORT_TABLE_ROWS: how many, and their emissions
        # together (so that the table still adds up to the stage's total).
        rest = acts[REPORT_TABLE_ROWS:]
        counted = [x for a in rest for x in b.lines_by_activity.get(_activity_key(a), []) if not x.factor.biogenic]
        # the activity table's name column is narrow: the pointer goes into 备注, the widest
        activity_rows.append(ActivityRow("…", "", f"其余 {len(rest):,} 项活动", "", text_of(), "", REST_WHERE))
        result_rows.append(ResultRow("…", f"其余 {len(rest):,} 项活动，{REST_WHERE}（合计）", "", text_of(),
                                     fmt.fmt_tco2e(sum(x.tco2e for x in counted)) if counted else "0"))
    return StageView(
        stage=s.value, long=s.long_zh, indicator=s.indicator_zh, quantified=q, has_rows=bool(acts), value=value,
        value_text=fmt.fmt_tco2e(value) if q else fmt.NO_VALUE,
        share_text=fmt.fmt_share(b.shares.get(s), positive=value > 0) if q and b.shares else fmt.NO_VALUE,
        note=stage_note(acts),
        coverage_rows=tuple(CoverageRow(f"{s.long_zh}阶段", t, _names_text(list(n))) for t, n in by_type.items()),
        activity_rows=tuple(activity_rows), result_rows=tuple(result_rows))


def _intensity_rows(result: Result) -> tuple[IntensityRow, ...]:
    rows = []
    for it in result.intensities:
        is_output_value = it.product == "工业总产值" and it.unit == "万元"
        label = "单位工业总产值碳排放强度" if is_output_value else f"单位产品碳排放强度（{clean(it.product)}）"
        basis = (f"企业合计 ÷ 工业总产值 {fmt.fmt_amount(it.output)} 万元" if is_output_value else
                 f"企业合计 × 分配比例 {fmt.fmt_pct(it.allocation_pct)} ÷ 产量 {fmt.fmt_amount(it.output)} "
                 f"{clean(it.unit)}")
        rows.append(IntensityRow(label, text_of(f"tCO2e/{clean(it.unit)}"), fmt.fmt_intensity(it.tco2e_per_unit),
                                 basis, "按工业总产值计" if is_output_value else "按产品产量计", clean(it.product),
                                 fmt.fmt_amount(it.output), clean(it.unit), fmt.fmt_pct(it.allocation_pct)))
    return tuple(rows)


def _factor_rows(intake: Intake, b: _Basis) -> tuple[FactorRow, ...]:
    """The factors actually used, in the order the activities use them."""
    rows: list[FactorRow] = []
    seen: set[str] = set()
    for line in b.value_lines:
        code = line.factor.code
        if code in seen:
            continue
        seen.add(code)
        for f in intake.factors.get(code) or tuple(x.factor for x in b.value_lines if x.factor.code == code):
            published = _published_text(f)
            if f.origin == "workbook":  # as the client wrote it; the cell's address stays in the computed workbook
                source = clean(f.source)
                source = f"企业提供的排放因子：{source}" if source else "企业提供的排放因子"
            else:  # a short Chinese citation; the full source, the code and any 未核实 note stay in 计算明细
                source = factor_citation(f)
            rows.append(FactorRow(len(rows) + 1, clean(f.name), clean(f.code),
                                  text_of(FACTOR_GAS_LABEL.get(f.gas, f.gas)), fmt.fmt_factor(f.value),
                                  text_of(f.unit), source or "/", published or "/"))
    return tuple(rows)


def _gas_rows(result: Result, b: _Basis, blends: Mapping[str, Mapping[str, float]]) -> tuple[GasRow, ...]:
    gwp_used: dict[str, float] = {}
    for line in b.value_lines:
        gwp_used.setdefault(line.factor.gas, line.gwp)
    gas_shares = largest_remainder_safe({g: v for g, v in result.gas_totals.items() if v > 0}) \
        if result.total > 0 else {}
    rows = []
    for i, (gas, tco2e) in enumerate(sorted(result.gas_totals.items(), key=lambda kv: -kv[1]), start=1):
        gwp = gwp_used.get(gas)
        rows.append(GasRow(
            i, text_of(gas_name(gas, blends, cell=True)),
            "—" if gas == "CO2e" else (fmt.fmt_gwp(gwp) if gwp is not None else "/"),
            "—" if gas == "CO2e" else fmt.fmt_gas_tonnes(result.gas_tonnes.get(gas, 0.0)),
            fmt.fmt_tco2e(tco2e), fmt.fmt_share(gas_shares.get(gas), positive=tco2e > 0)))
    return tuple(rows)


def _gaps(intake: Intake) -> tuple[tuple[GapRow, ...], tuple[ExcludedRow, ...]]:
    """2.3.5's two lists from core/gaps.py: every data gap ("/" rows, blank months, missing evidence, stages
    without rows) and every exclusion (不适用 with its reason), each once, as the sheet 数据缺口 lists them."""
    found = find_gaps(intake)
    gaps = [GapRow(i, g.stage.long_zh, clean(g.name) or "—", text_of(g.unit), clean(g.detail), GAP_KIND_ZH[g.kind])
            for i, g in enumerate(found.gaps[:REPORT_TABLE_ROWS], start=1)]
    if len(found.gaps) > REPORT_TABLE_ROWS:
        gaps.append(GapRow("…", "", f"其余 {len(found.gaps) - REPORT_TABLE_ROWS:,} 项见计算结果工作簿“数据缺口”工作表",
                           text_of(), "", ""))
    excluded = [ExcludedRow(i, x.stage.long_zh, clean(x.name), clean(x.reason) or "/")
                for i, x in enumerate(found.exclusions[:REPORT_TABLE_ROWS], start=1)]
    if len(found.exclusions) > REPORT_TABLE_ROWS:
        excluded.append(ExcludedRow(
            "…", "", f"其余 {len(found.exclusions) - REPORT_TABLE_ROWS:,} 项见计算结果工作簿“数据缺口”工作表", ""))
    return tuple(gaps), tuple(excluded)


def _sources(intake: Intake) -> tuple[SourceRow, ...]:
    by_source: dict[str, dict[str, None]] = {}  # ordered sets, as by_type above
    for a in intake.activities:
        if a.amount_kind != "value":
            continue
        by_source.setdefault(clean(a.source).strip() or "未注明", {})[clean(a.name)] = None
    return tuple(SourceRow(i, s, _names_text(list(n))) for i, (s, n) in enumerate(by_source.items(), 1))


@dataclass(frozen=True)
class TotalPoint:
    """The enterprise total in one target year: given, or implied by the stage targets."""

    year: int
    base: float
    target: float
    pct: float
    implied: bool


@dataclass(frozen=True)
class _Targets:
    years: tuple[TargetYear, ...]
    path: tuple[TotalPoint, ...]
    base_total: float
    summary: Text
    base_year_source: Text


def _targets(intake: Intake, result: Result, b: _Basis) -> _Targets:
    c = intake.company
    year, base_year = c.year, c.base_year
    targets_by_year: dict[int, list[Target]] = defaultdict(list)
    for t in result.targets:
        targets_by_year[t.year].append(t)
    stage_order = {s: i for i, s in enumerate(STAGES)}
    target_years = []
    # the enterprise total per target year: given, or implied by the stage targets (path for chart and text)
    total_path: list[TotalPoint] = []
    for yr in sorted(targets_by_year):
        rows = []
        items = sorted(targets_by_year[yr], key=lambda t: (t.kind != "total", stage_order.get(t.stage, 99),
                                                          t.product or ""))
        given_total = next((t for t in items if t.kind == "total" and t.stage is None), None)
        stage_targets = [t for t in items if t.kind == "total" and t.stage is not None]
        implied_note = ""
        for t in items:
            if t.kind == "total":
                ok = t.stage is None or base_year != year or b.quantified.get(t.stage, False)
                rows.append(TargetRow(_stage_label(t.stage), text_of("tCO2e"),
                                      fmt.fmt_tco2e(t.base_value) if ok else fmt.NO_VALUE, fmt.fmt_pct(t.reduction_pct),
                                      fmt.fmt_tco2e(t.target_value) if ok else fmt.NO_VALUE))
                if t is given_total:
                    total_path.append(TotalPoint(yr, t.base_value, t.target_value, t.reduction_pct, False))
            else:
                label = (f"单位产品碳排放强度（{clean(t.product)}）" if t.product and t.product != "工业总产值"
                         else "单位工业总产值碳排放强度")
                rows.append(TargetRow(label, text_of(f"tCO2e/{clean(t.unit or '')}"), fmt.fmt_intensity(t.base_value),
                                      fmt.fmt_pct(t.reduction_pct), fmt.fmt_intensity(t.target_value)))
        if given_total is None and stage_targets:
            # Only stage targets: their sum is the total the company has implicitly committed to. A stage
            # without a target is counted at its base-year level, and the note says so.
            covered = {t.stage for t in stage_targets}
            untargeted = [s for s in STAGES if s not in covered]
            rest = sum(result.base_year_totals.get(s, 0.0) for s in untargeted)
            base = sum(t.base_value for t in stage_targets) + rest
            target = sum(t.target_value for t in stage_targets) + rest
            pct = round((1 - target / base) * 100, 2) if base > 0 else 0.0  # derived: shown to 0.01 %
            rows.insert(len(stage_targets), TargetRow(IMPLIED_TOTAL_LABEL, text_of("tCO2e"), fmt.fmt_tco2e(base),
                                                      fmt.fmt_pct(pct), fmt.fmt_tco2e(target)))
            implied_note = (f"企业未直接设定 {yr} 年企业碳排放总量目标；合计行为各阶段目标之和，即隐含的企业碳排放"
                            f"总量目标，减排比例据此推算")
            if untargeted:
                implied_note += f"（{'、'.join(s.long_zh for s in untargeted)}阶段未设目标，按基准年排放量计）"
            implied_note += "。"
            total_path.append(TotalPoint(yr, base, target, pct, True))
        target_years.append(TargetYear(yr, tuple(rows), implied_note))
    base_total = result.base_year_totals.get(None, total_path[0].base if total_path else result.total)
    sentences = []
    for p in total_path:
        if p.implied:
            sentences.append(f"{p.year} 年各阶段目标合计 {fmt.fmt_tco2e(p.target)} tCO2e，即隐含的企业"
                             f"碳排放总量目标，较基准年降低 {fmt.fmt_pct(p.pct)}")
        else:
            sentences.append(f"{p.year} 年企业碳排放总量较基准年降低 {fmt.fmt_pct(p.pct)}"
                             f"（目标值 {fmt.fmt_tco2e(p.target)} tCO2e）")
    intensity_targets = sorted((t for t in result.targets if t.kind == "intensity"), key=lambda t: (t.year, t.product or ""))
    sentences += [f"{t.year} 年{'单位产品' if t.product != '工业总产值' else '单位工业总产值'}碳排放强度"
                  f"{'（' + clean(t.product) + '）' if t.product and t.product != '工业总产值' else ''}"
                  f"较基准年降低 {fmt.fmt_pct(t.reduction_pct)}" for t in intensity_targets]
    if sentences:
        summary = text_of(f"以 {base_year} 年为基准年（基准年排放量 {fmt.fmt_tco2e(base_total)} tCO2e），"
                       + "；".join(sentences) + "。")
    elif result.targets:
        summary = text_of(f"以 {base_year} 年为基准年，各阶段减排目标见下表。")
    else:
        summary = placeholder("【待补充：企业减排目标（企业未提供减排目标）】")
    if base_year == year:
        source = text_of(f"基准年排放量即本报告核算年度（{year} 年）的核算结果。")
    elif result.history is not None and result.history.base is not None:
        hb = result.history.base
        how = ("按本年度的方法和边界重新计算" if hb.recalculated else "按该年原报告的口径计算")
        source = text_of(f"基准年排放量取自企业 {base_year} 年度的核算数据，{how}"
                         f"（合计 {fmt.fmt_tco2e(base_total)} tCO2e）。")
    else:
        source = text_of(f"基准年排放量取自企业提供的 {base_year} 年排放数据"
                      f"（合计 {fmt.fmt_tco2e(base_total)} tCO2e），未按本报告的方法重新核算。")
    return _Targets(tuple(target_years), tuple(total_path), base_total, summary, source)


def _measures(intake: Intake, stages: Sequence[StageView], total_text: str
              ) -> tuple[tuple[MeasureRow, ...], MeasuresTotal | None]:
    """附表 2-1, and the seed's 合计 row: the enterprise total and the summed investment estimate (the rows
    here are measures, not the six stages, so the label carries no "1+2+…+6")."""
    by_key = {v.stage: v for v in stages}
    rows = []
    for i, m in enumerate(intake.measures, start=1):
        if m.stage is None:
            label, emis = "企业整体", total_text
        else:
            label, emis = m.stage.indicator_zh, by_key[m.stage.value].value_text
        rows.append(MeasureRow(i, label, emis, clean(m.measure),
                               fmt.fmt_pct(m.annual_rate_pct) if m.annual_rate_pct is not None else "",
                               clean(m.investment), clean(m.note)))
    total = MeasuresTotal(len(rows) + 1, "企业碳排放量合计", total_text,
                          investment_sum([m.investment for m in intake.measures])) if rows else None
    return tuple(rows), total


def _summary_points(intake: Intake, result: Result, findings: Sequence[Finding], stages: Sequence[StageView],
                    total_text: str, intensity_rows: Sequence[IntensityRow], gwp_set: str,
                    blends: Mapping[str, Mapping[str, float]]) -> tuple[Text, ...]:
    """Chapter 2.4's summary sentences."""
    year = intake.company.year
    points: list[Text] = []
    if any(v.quantified for v in stages):
        main = max((v for v in stages if v.quantified), key=lambda v: v.value)
        points.append(text_of(
            f"{year} 年度企业碳排放总量为 {total_text} tCO2e；其中{main.long}阶段排放量最大，为 "
            f"{main.value_text} tCO2e，占 {main.share_text}。"))
    for r in intensity_rows:
        points.append(text_of(f"{r.label}为 {r.value} {r.unit.plain}（{r.basis}）。"))
    present = {g for g, v in result.gas_totals.items() if v > 0}
    present_gases = [g for g in sorted(present, key=lambda g: -result.gas_totals[g]) if g != "CO2e"]
    present_named = [gas_name(g, blends) for g in present_gases]
    present_groups = {gas_group(g, blends) for g in present_gases}
    absent = [zh for key, zh in KYOTO_GROUPS if key not in present_groups]
    co2e = result.gas_totals.get("CO2e", 0.0)
    by_co2e_factors = ("按以 CO2 当量给出的排放因子（如原材料“摇篮到大门”排放因子）计算，这类因子已涵盖其所含的各种"
                       "温室气体，未再按气体拆分")
    if present_named:
        sentence = (f"本报告按气体核算的温室气体为{'、'.join(present_named)}，按{GWP_SET_ZH.get(gwp_set, gwp_set)}"
                    "的全球增温潜势折算为二氧化碳当量")
        if co2e > 0:
            sentence += f"；另有 {fmt.fmt_tco2e(co2e)} tCO2e 的排放{by_co2e_factors}"
        if absent:
            sentence += f"；按气体核算的排放源中未涉及{'、'.join(absent)}"
        points.append(text_of(sentence + "。"))
    elif co2e > 0:
        points.append(text_of(f"本年度的排放量（{fmt.fmt_tco2e(co2e)} tCO2e）均{by_co2e_factors}。"))
    found = find_gaps(intake)  # counted as 2.3.5 and the sheet 数据缺口 list them; said also when there are none
    tail = "；缺少的数据按 0 计入，补充后排放量可能增加。" if found.gaps else "。"
    points.append(text_of(f"{found.summary()}，详见 2.3.5 节{tail}"))
    if any(f.code == Code.W_GREEN_POWER_NO_RESIDUAL for f in findings):
        points.append(text_of(
            "绿电按市场法计为 0，而其余外购电力采用的位置法电网平均因子没有对应的剩余电网组合因子（不包括市场化交易的"
            "非化石能源电量），绿电电量仍含在该平均因子中，可能被重复声明。"))
    return tuple(points)


def _company(c: Company) -> CompanyView:
    t = {k: clean(v) for k, v in c.texts.items()}
    report_date = fmt.fmt_date(c.report_date)

    def get(key: str) -> str:
        return t.get(key, "")

    return CompanyView(
        name=clean(c.name), uscc=clean(c.uscc), year=c.year, base_year=c.base_year, report_date=report_date,
        output_value=c.output_value, allocation_method=get("allocation_method"),
        registered_address=get("registered_address"), address=get("address"),
        industry=get("industry"), gwp_version=t.get("gwp_version", clean(c.gwp_version)),
        template_version=get("template_version"), report_no=get("report_no"), agency_name=get("agency_name"),
        agency_address=get("agency_address"), website=get("website"), contact=get("contact"), phone=get("phone"),
        team_leader=get("team_leader"), team_members=get("team_members"), reviewer=get("reviewer"),
        review_date=fmt.fmt_date(c.texts.get("review_date", "")) or report_date, approver=get("approver"),
        approval_date=fmt.fmt_date(c.texts.get("approval_date", "")) or report_date, profile=get("profile"),
        main_products=get("main_products"), org_boundary=get("org_boundary"), env_upgrade=get("env_upgrade"),
        systems=get("systems"), low_carbon=get("low_carbon"), digital=get("digital"),
        organisation=get("organisation"), duties=get("duties"), disclosure_method=get("disclosure_method"),
        disclosure_time=get("disclosure_time"), disclosure_body=get("disclosure_body"),
        conclusion=get("conclusion"), advice=get("advice"))


def _cover(company: CompanyView) -> CoverView:
    """Cover and sign-off: the consultant's fields, a highlighted placeholder while blank (completeness.py
    warns once for each)."""
    def field(key: str, label: str) -> Text:
        value = str(getattr(company, key) or "").strip()
        return text_of(value, formulas=False) if value else placeholder(f"【待填写：{label}】")

    return CoverView(**{key: field(key, label) for key, label in COVER_FIELDS})


def _texts(c: Company) -> TextsView:
    """Every paragraph label of 企业信息 (contract.LABELS), with a visible placeholder naming where to fill it."""
    paras = {lab.key: text_paras(c.text(lab.key), f"【待填写：{lab.text}（“企业信息”表“{lab.text}”）】")
             for lab in LABELS if lab.long_text or lab.key in ("disclosure_time", "disclosure_body")}
    paras["conclusion"] = text_paras(c.text("conclusion"), "【评价结论待填写】")
    paras["advice"] = text_paras(c.text("advice"), "【建议待填写】")
    return TextsView(**paras)


def _charts(intake: Intake, stages: Sequence[StageView], b: _Basis, targets: _Targets) -> ChartsView:
    year, base_year = intake.company.year, intake.company.base_year
    share = target = None
    if b.shares:
        # the shares the tables print (largest remainder), so chart and table never disagree
        share = ChartSpec(
            kind="bar", title=f"{year} 年各阶段碳排放占比", categories=[v.long for v in stages],
            series=[ChartSeries("占比（%）", [float(b.shares[s]) if s in b.shares else None for s in STAGES])],
            number_format='0.00"%"', axis_format='0"%"', value_axis_title="占比（%）")
    if targets.path:
        cats = [f"{base_year} 年（基准年）"] + [f"{p.year} 年" + ("（隐含）" if p.implied else "")
                                            for p in targets.path]
        values = [targets.base_total] + [p.target for p in targets.path]
        big = max(values) >= 100
        target = ChartSpec(
            kind="column", title="企业碳排放总量目标路径", categories=cats,
            series=[ChartSeries("企业碳排放总量（tCO2e）", values, colors=[GREY])],
            number_format="#,##0.00", axis_format="#,##0" if big else "#,##0.00",
            value_axis_title="tCO2e", height_mm=80.0)
    return ChartsView(share, target)


# ---- the whole report ------------------------------------------------------------------------------------


def report_view(intake: Intake, result: Result, findings: Sequence[Finding], *,
                library_version: str = "") -> ReportView:
    from carbon_report.core.factors import load_library

    c = intake.company
    year, base_year = c.year, c.base_year
    b = _basis(intake, result)
    stages = tuple(_stage_view(s, result, b) for s in STAGES)
    total_text = fmt.fmt_tco2e(result.total) if any(b.quantified.values()) else fmt.NO_VALUE
    total_share = "100.00%" if b.shares else fmt.NO_VALUE

    # 表 A.1 and the summary table: stages, total, then intensities in their own labelled rows
    t_unit = text_of("tCO2e")
    summary_rows = [SummaryRow(i, v.indicator, t_unit, v.value_text, v.share_text, v.note)
                    for i, v in enumerate(stages, start=1)]
    summary_rows.append(SummaryRow(len(stages) + 1, TOTAL_LABEL, t_unit, total_text, total_share, "全厂合计"))
    intensity_rows = _intensity_rows(result)
    summary_rows += [SummaryRow(j, r.label, r.unit, r.value, "—", r.note)
                     for j, r in enumerate(intensity_rows, start=len(summary_rows) + 1)]

    library = load_library()
    gwp_set = c.gwp_version or "AR6"
    present = {g for g, v in result.gas_totals.items() if v > 0}
    gaps, excluded = _gaps(intake)
    targets = _targets(intake, result, b)
    measures, measures_total = _measures(intake, stages, total_text)

    # 1.4 覆盖范围: the stages with a source inside the boundary. A stage with no row at all is a data gap
    # (core/gaps.py, listed in 2.3.5); a stage whose every row is 不适用 is outside the boundary (an exclusion,
    # 表 A.1's 无相关活动), its reason in 2.3.5
    missing_stages = [s.long_zh for s in STAGES if not b.acts_by_stage[s]]
    excluded_stages = [s.long_zh for s in STAGES if b.acts_by_stage[s]
                       and all(a.amount_kind == "not_applicable" for a in b.acts_by_stage[s])]
    covered = [f"{s.long_zh}阶段" for s in STAGES if b.acts_by_stage[s] and s.long_zh not in excluded_stages]
    coverage = text_of("+".join(covered) if covered else "/")
    notes = []
    if missing_stages:
        notes.append(f"{'、'.join(missing_stages)}阶段未填报活动数据，列为数据缺口，见 2.3.5 节，报告中以“/”表示")
    if excluded_stages:
        notes.append(f"{'、'.join(excluded_stages)}阶段的排放源经确认不在核算边界内，原因见 2.3.5 节")
    if notes:
        coverage += text_of(f"（{'；'.join(notes)}）")

    org = paragraphs(c.text("org_boundary"))
    company = _company(c)
    version = library_version or intake.library_version or library.version
    return ReportView(
        company=company,
        year=year,
        base_year=base_year,
        texts=_texts(c),
        org_boundary=text_of("".join(org)) if org else placeholder("【待填写：组织边界（“企业信息”表“组织边界”）】"),
        coverage=coverage,
        stages=stages,
        stage=MappingProxyType({v.stage: v for v in stages}),
        coverage_groups=((stages[0],), (stages[1], stages[2]), (stages[3], stages[4], stages[5])),
        stages_with_rows=tuple(v for v in stages if v.has_rows),
        stages_without_rows="、".join(v.long for v in stages if not v.has_rows),
        summary_rows=tuple(summary_rows),
        total_text=total_text,
        intensity_rows=intensity_rows,
        products=tuple(ProductRow(i, clean(p.name), fmt.fmt_amount(p.output), clean(p.unit),
                                  "是" if p.for_intensity else "否", fmt.fmt_pct(p.allocation_pct))
                       for i, p in enumerate(intake.products, start=1)),
        equipment=tuple(EquipmentRow(i, clean(e.name), clean(e.model), clean(e.unit),
                                     fmt.fmt_amount(e.quantity) if e.quantity is not None else "", clean(e.energy))
                        for i, e in enumerate(intake.equipment, start=1)),
        factor_rows=_factor_rows(intake, b),
        gas_rows=_gas_rows(result, b, library.blends),
        gwp=GwpView(gwp_set, GWP_SET_ZH.get(gwp_set, gwp_set), gwp_citation(gwp_set, library.gwp_sources.get(gwp_set, ""))),
        gaps=gaps,
        excluded=excluded,
        sources=_sources(intake),
        targets=targets.years,
        target_summary=targets.summary,
        base_year_source=targets.base_year_source,
        measures=measures,
        measures_total=measures_total,
        cover=_cover(company),
        library_edition=library_edition(version, library.version),
        summary_points=_summary_points(intake, result, findings, stages, total_text, intensity_rows, gwp_set,
                                       library.blends),
        charts=_charts(intake, stages, b, targets),
        library_version=version,
        has_co2e="CO2e" in present,
        biogenic=text_of(
            f"生物源二氧化碳排放 {fmt.fmt_gas_tonnes(result.biogenic_co2_t)} t（如生物质燃料燃烧），按 "
            "GB/T 32150-2015 和 ISO 14064-1 的要求单独报告，不计入上述排放量及排放总量。"
            if result.biogenic_co2_t > 0 else "本年度活动数据未涉及生物源二氧化碳排放。"),
        findings_count=FindingsCount(sum(1 for f in findings if not f.is_error)),
        scopes=scopes_view(intake, result),
        extras=extras_view(intake, result),
    )
