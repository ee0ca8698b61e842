"""The report as typed, frozen views: one dataclass per section, every field a string, a number, a Text
(runs, core/report/text.py), a chart as data (ChartSpec), a tuple of views or a read-only mapping of them.

These are exactly what a report template may read (docs/report.md lists them field by field): the report
layer hands them to Jinja and its sandbox refuses every attribute that is not a field of one of these
classes (outputs/report/render.py). Nothing here leads to a file, a document or a library object.
Figures are display text, formatted once (core/report/numbers.py) from the one Result, so two tables can
never disagree; shares are shared out by largest remainder so they add up to 100.00 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from carbon_report.core.report.charts import ChartSpec
from carbon_report.core.report.text import Text

Cell = int | str  # a row number, or "…" on the row that stands for the rows past the table's limit


# ---- company, cover, long texts --------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyView:
    """The 企业信息 sheet as text (dates written 2024年7月20日; blank fields are "")."""

    name: str
    uscc: str
    year: int
    base_year: int
    report_date: str
    output_value: float | None
    allocation_method: str  # 分配方法 (product footprints)
    registered_address: str
    address: str
    industry: str
    gwp_version: str
    template_version: str
    report_no: str
    agency_name: str
    agency_address: str
    website: str  # the consultancy's 查询网址 (profile key website; "" when none)
    contact: str
    phone: str
    team_leader: str
    team_members: str
    reviewer: str
    review_date: str  # the report date when blank
    approver: str
    approval_date: str  # the report date when blank
    profile: str
    main_products: str
    org_boundary: str
    env_upgrade: str
    systems: str
    low_carbon: str
    digital: str
    organisation: str
    duties: str
    disclosure_method: str
    disclosure_time: str
    disclosure_body: str
    conclusion: str
    advice: str


@dataclass(frozen=True)
class CoverView:
    """The consultant's fields on the cover and the sign-off: the value, or a highlighted 【待填写：…】."""

    report_no: Text
    agency_name: Text
    report_date: Text
    team_leader: Text
    reviewer: Text
    approver: Text
    review_date: Text
    approval_date: Text


@dataclass(frozen=True)
class TextsView:
    """Long texts of 企业信息 as paragraphs; a blank one is a single highlighted placeholder paragraph."""

    profile: tuple[Text, ...]
    main_products: tuple[Text, ...]
    org_boundary: tuple[Text, ...]
    env_upgrade: tuple[Text, ...]
    systems: tuple[Text, ...]
    low_carbon: tuple[Text, ...]
    digital: tuple[Text, ...]
    organisation: tuple[Text, ...]
    duties: tuple[Text, ...]
    disclosure_method: tuple[Text, ...]
    disclosure_time: tuple[Text, ...]
    disclosure_body: tuple[Text, ...]
    conclusion: tuple[Text, ...]
    advice: tuple[Text, ...]


# ---- stages (chapter 2) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    stage: str
    type: str
    sources: str


@dataclass(frozen=True)
class ActivityRow:
    no: Cell
    type: str
    name: str
    amount: str
    unit: Text
    source: str
    note: str


@dataclass(frozen=True)
class ResultRow:
    no: Cell
    name: str
    amount: str
    unit: Text
    tco2e: str


@dataclass(frozen=True)
class StageView:
    stage: str  # the stage's key: raw_materials, production, procurement, transport, packaging, recycling
    long: str  # 低碳原材料获取 …
    indicator: str  # 低碳原材料获取阶段碳排放量 (表 A.1's label)
    quantified: bool  # at least one row with a number
    has_rows: bool  # at least one activity row
    value: float  # tCO2e
    value_text: str  # "/" when not quantified
    share_text: str
    note: str
    coverage_rows: tuple[CoverageRow, ...]
    activity_rows: tuple[ActivityRow, ...]
    result_rows: tuple[ResultRow, ...]


@dataclass(frozen=True)
class SummaryRow:
    no: int
    label: str
    unit: Text
    value: str
    share: str
    note: str


@dataclass(frozen=True)
class IntensityRow:
    label: str
    unit: Text
    value: str
    basis: str
    note: str
    product: str
    output: str
    product_unit: str
    allocation: str


@dataclass(frozen=True)
class ProductRow:
    no: int
    name: str
    output: str
    unit: str
    for_intensity: str
    allocation: str


@dataclass(frozen=True)
class EquipmentRow:
    no: int
    name: str
    model: str
    unit: str
    quantity: str
    energy: str


@dataclass(frozen=True)
class FactorRow:
    no: int
    name: str
    code: str
    gas: Text
    value: str
    unit: Text
    source: str
    published: str


@dataclass(frozen=True)
class GasRow:
    no: int
    gas: Text
    gwp: str
    tonnes: str
    tco2e: str
    share: str


@dataclass(frozen=True)
class GwpView:
    set: str  # SAR, AR4, AR5, AR6
    name: str
    source: str


@dataclass(frozen=True)
class GapRow:
    no: Cell
    stage: str
    name: str  # "—" for a stage without rows
    unit: Text
    note: str
    kind: str = ""  # 缺少活动数据 / 缺少月份数据 / 证明材料缺失 / 阶段无活动数据 (core/gaps.py)


@dataclass(frozen=True)
class ExcludedRow:
    no: Cell
    stage: str
    name: str
    reason: str


@dataclass(frozen=True)
class SourceRow:
    no: int
    source: str
    activities: str


# ---- targets and measures (chapter 3, 附表 2-1) -----------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    label: str
    unit: Text
    base: str
    pct: str
    target: str


@dataclass(frozen=True)
class TargetYear:
    year: int
    rows: tuple[TargetRow, ...]
    implied_note: str  # when only stage targets were given: the total row is their sum, and says so


@dataclass(frozen=True)
class MeasureRow:
    no: int
    stage: str
    emissions: str
    measure: str
    rate: str
    investment: str
    note: str


@dataclass(frozen=True)
class MeasuresTotal:
    no: int
    stage: str
    emissions: str
    investment: str


@dataclass(frozen=True)
class ChartsView:
    share: ChartSpec | None  # 各阶段碳排放占比 (None without a positive total)
    target: ChartSpec | None  # 企业碳排放总量目标路径 (None without total targets)


@dataclass(frozen=True)
class FindingsCount:
    warnings: int


# ---- scopes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    stage: str
    scope1: str
    scope2_location: str
    scope2_market: str
    scope3: str
    total: str


@dataclass(frozen=True)
class IsoRow:
    stage: str
    cats: tuple[str, ...]  # ISO 14064-1 categories 1–6
    total: str


@dataclass(frozen=True)
class IsoName:
    no: int
    name: str


@dataclass(frozen=True)
class ScopesView:
    scope_rows: tuple[ScopeRow, ...]
    iso_rows: tuple[IsoRow, ...]
    iso_names: tuple[IsoName, ...]
    summary: Text
    scope3_detail: Text


# ---- sites, months, evidence, uncertainty ----------------------------------------------------------------


@dataclass(frozen=True)
class SiteRow:
    site: str
    stages: tuple[str, ...]  # the six stages in order
    total: str
    share: str


@dataclass(frozen=True)
class EvidenceRow:
    no: str
    stage: str
    name: str
    file: str
    sha: str


@dataclass(frozen=True)
class UncertaintyRow:
    stage: str
    tco2e: str
    u: str
    measured: str


@dataclass(frozen=True)
class UncertaintyView:
    rows: tuple[UncertaintyRow, ...]
    text: Text


@dataclass(frozen=True)
class ExtrasView:
    sites: tuple[SiteRow, ...]  # empty with fewer than two sites
    monthly_chart: ChartSpec | None
    monthly_rows: int
    evidence: tuple[EvidenceRow, ...]
    uncertainty: UncertaintyView | None


# ---- earlier years ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    year: str
    source: str
    stages: tuple[str, ...]
    reported: str
    recalculated: str
    change: str
    intensity: str


@dataclass(frozen=True)
class YearsView:
    rows: tuple[YearRow, ...]
    summary: Text  # the trend, what 重算 means and each earlier year's reasons (CO2 as subscripts)
    intensity_label: Text
    chart: ChartSpec | None
    basis: str = ""  # what the earlier years' figures are: 往年按本年度方法和边界重算, or typed and not recalculated


# ---- the whole report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportView:
    """Everything the report shows that follows from the workbook and its result (the report layer adds the
    pictures, the earlier years and caption numbering: outputs/report/context.py ReportContext)."""

    company: CompanyView
    year: int
    base_year: int
    texts: TextsView
    org_boundary: Text
    coverage: Text
    stages: tuple[StageView, ...]
    stage: Mapping[str, StageView]  # by key: stage['production']
    coverage_groups: tuple[tuple[StageView, ...], ...]
    stages_with_rows: tuple[StageView, ...]
    stages_without_rows: str
    summary_rows: tuple[SummaryRow, ...]
    total_text: str
    intensity_rows: tuple[IntensityRow, ...]
    products: tuple[ProductRow, ...]
    equipment: tuple[EquipmentRow, ...]
    factor_rows: tuple[FactorRow, ...]
    gas_rows: tuple[GasRow, ...]
    gwp: GwpView
    gaps: tuple[GapRow, ...]
    excluded: tuple[ExcludedRow, ...]
    sources: tuple[SourceRow, ...]
    targets: tuple[TargetYear, ...]
    target_summary: Text
    base_year_source: Text
    measures: tuple[MeasureRow, ...]
    measures_total: MeasuresTotal | None
    cover: CoverView
    library_edition: str
    summary_points: tuple[Text, ...]
    charts: ChartsView
    library_version: str
    has_co2e: bool
    biogenic: Text
    findings_count: FindingsCount
    scopes: ScopesView | None
    extras: ExtrasView


VIEWS: tuple[type, ...] = (
    CompanyView, CoverView, TextsView, CoverageRow, ActivityRow, ResultRow, StageView, SummaryRow, IntensityRow,
    ProductRow, EquipmentRow, FactorRow, GasRow, GwpView, GapRow, ExcludedRow, SourceRow, TargetRow, TargetYear,
    MeasureRow, MeasuresTotal, ChartsView, FindingsCount, ScopeRow, IsoRow, IsoName, ScopesView, SiteRow,
    EvidenceRow, UncertaintyRow, UncertaintyView, ExtrasView, YearRow, YearsView, ReportView,
)


def field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))
