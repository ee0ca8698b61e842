"""Plain data that flows through the pipeline: read → validate → calculate → write.

Nothing here touches a file or Excel. Every value that came from the workbook carries the sheet and cell it
came from, so any finding or 计算明细 row can point back at it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from carbon_report.core.findings import Code

if TYPE_CHECKING:
    from carbon_report.core.errors import CarbonReportError
    from carbon_report.core.pcf import PcfResult

Severity = Literal["error", "warning"]
BIOGENIC_CO2 = "CO2-biogenic"


class Stage(StrEnum):
    RAW_MATERIALS = "raw_materials"
    PRODUCTION = "production"
    PROCUREMENT = "procurement"
    TRANSPORT = "transport"
    PACKAGING = "packaging"
    RECYCLING = "recycling"

    @property
    def short_zh(self) -> str:
        return _STAGE_ZH[self][0]

    @property
    def long_zh(self) -> str:
        """The stage as the seed report names it (低碳原材料获取 …)."""
        return _STAGE_ZH[self][1]

    @property
    def indicator_zh(self) -> str:
        """The row label of table A.1."""
        return f"{self.long_zh}阶段碳排放量"

    @classmethod
    def parse(cls, text: str) -> Stage | None:
        t = "".join(str(text).split())
        if t.endswith("阶段碳排放量"):
            t = t[: -len("阶段碳排放量")]
        elif t.endswith("阶段"):
            t = t[:-2]
        for stage, names in _STAGE_ZH.items():
            if t in names or t == stage.value:
                return stage
        return None


_STAGE_ZH: dict[Stage, tuple[str, str]] = {
    Stage.RAW_MATERIALS: ("原材料获取", "低碳原材料获取"),
    Stage.PRODUCTION: ("生产", "数智化生产"),
    Stage.PROCUREMENT: ("采购", "数智化采购"),
    Stage.TRANSPORT: ("运输", "绿色运输"),
    Stage.PACKAGING: ("包装", "绿色包装"),
    Stage.RECYCLING: ("回收", "绿色回收"),
}

STAGES: tuple[Stage, ...] = tuple(Stage)


@dataclass(frozen=True, slots=True)
class CellRef:
    sheet: str
    cell: str  # A1 notation; the header row's first cell for a missing column

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    sheet: str
    cell: str
    code: str
    message: str

    @classmethod
    def of(cls, code: Code, where: CellRef | None = None, /, **fields: object) -> Finding:
        """The one way to make a finding: its severity and text come from the catalogue, the call names the
        cell and the values."""
        return cls(code.severity, where.sheet if where else "", where.cell if where else "", code, code.text(**fields))

    @classmethod
    def raised(cls, e: CarbonReportError) -> Finding:
        """The finding of an expected failure raised as an exception (its message already the catalogue's)."""
        code = Code(e.code)
        return cls(code.severity, "", "", code, e.message)

    @classmethod
    def from_dict(cls, d: dict[str, str]) -> Finding:
        """The finding of its JSON object (as_dict's inverse): a record that crossed a process as JSON."""
        return cls(d["severity"], d["sheet"], d["cell"], d["code"], d["message"])  # type: ignore[arg-type]

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "sheet": self.sheet, "cell": self.cell, "code": self.code,
                "message": self.message}


# ---- the intake, as validated ----------------------------------------------------------------------------


class WithFindings:
    """What carries `findings` (a batch's record of a file, a workbook's result) splits them the same way."""

    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.is_error)


@dataclass(frozen=True)
class Company:
    name: str
    uscc: str
    year: int
    base_year: int
    gwp_version: str
    report_date: dt.date | None
    output_value: float | None  # 工业总产值, 万元
    texts: dict[str, str] = field(default_factory=dict)  # every other label, keyed as in contract.LABELS
    refs: dict[str, CellRef] = field(default_factory=dict)
    from_profile: tuple[str, ...] = ()  # label keys blank in the workbook, filled from the consultancy profile

    def text(self, key: str) -> str:
        return self.texts.get(key, "")


@dataclass(frozen=True)
class Product:
    name: str
    output: float
    unit: str
    for_intensity: bool
    allocation_pct: float  # 100 means the whole plant's emissions
    row: int
    # issue 28 (product footprints), all optional: whether 分配比例 was typed, the mass of one unit (kg), 产值
    # (万元), the system boundary, and the PACT identifiers the intake may give
    allocation_given: bool = False
    unit_mass_kg: float | None = None
    output_value: float | None = None
    boundary: Literal["cradle_to_gate", "cradle_to_grave"] = "cradle_to_gate"
    cpc: str = ""
    product_id: str = ""
    refs: dict[str, CellRef] = field(default_factory=dict, compare=False, hash=False)
    base_output: float | None = None  # 基准年产量 (issue 25, optional): the base year's output of this product


AmountKind = Literal["value", "no_data", "not_applicable"]


@dataclass(frozen=True)
class Activity:
    stage: Stage
    type: str
    name: str
    amount: float  # 0 for no data / not applicable
    amount_kind: AmountKind
    unit: str
    factor_code: str  # as resolved (explicit, or chosen by name)
    source: str
    note: str
    row: int
    amount_cell: CellRef
    unit_cell: CellRef
    scope_override: int | None = None  # 范围 (1-3) typed on the row, over the factor's own scope
    iso_override: int | None = None  # ISO类别 (1-6) typed on the row
    # issue 16, all optional: the row's site (blank 场所 resolved to the main site), its twelve months (None
    # when no month is filled; a blank month is 0 and listed in month_gaps), its evidence file, and its data
    # quality tier and activity-data uncertainty (%, half the 95 % interval; basis "given" or "default")
    site: str = ""
    months: tuple[float, ...] | None = None
    month_gaps: tuple[int, ...] = ()
    evidence: Evidence | None = None
    quality: str = ""
    uncertainty_pct: float | None = None
    uncertainty_basis: str = ""
    # issue 25, optional: 仅用于重算 = 是 on a history workbook's row: base-year data for a source added
    # since, counted in that year's recalculation only (never in its as-reported figures); and whether the
    # factor was chosen by name (blank 排放因子编码), so a recalculation may pick the year's own dated default
    recalc_only: bool = False
    factor_by_name: bool = False
    product: str = ""  # issue 28: the one product in 产品产量 this row belongs to; "" shared by all
    product_cell: CellRef | None = None


# Why a path typed in a cell leads to no readable regular file (io/paths.py answers, validation words it).
PathProblem = Literal["missing", "directory", "special", "too_long", "loop", "denied", "unreadable"]
PATH_PROBLEM_TEXT: dict[str, str] = {
    "missing": "文件不存在",
    "directory": "这是文件夹，不是文件",
    "special": "不是普通文件（管道、设备或套接字），不予读取",
    "too_long": "路径或其中某一级名称过长（超过系统上限）",
    "loop": "符号链接循环",
    "denied": "没有读取权限",
    "unreadable": "读取出错",
}


@dataclass(frozen=True)
class EvidenceFile:
    """What io found for a path typed in 证明材料: outside the folder, missing or unreadable (`problem`), too
    large to hash (size only), or hashed."""

    outside: bool = False
    sha256: str | None = None
    size: int | None = None
    problem: PathProblem | None = None  # set when there is no file to read (sha256 and size None)
    too_large: bool = False  # over the evidence size cap: size recorded, not hashed
    limit: int | None = None  # the cap in bytes, when too_large


@dataclass(frozen=True)
class Evidence:
    file: str  # as typed, relative to the workbook's folder
    cell: CellRef
    sha256: str | None  # None: the file was not found (a warning)
    size: int | None


@dataclass(frozen=True)
class Factor:
    """One gas row of an emission factor: value in `unit`, e.g. 0.5703 tCO2/MWh."""

    code: str
    name: str
    gas: str
    value: float
    unit: str  # as written, e.g. "tCO2/MWh"
    mass_unit: str  # numerator mass unit (pint name), e.g. "t"
    per_unit: str  # denominator unit as written, e.g. "MWh"
    source: str
    published: dt.date | None = None
    data_year: int | None = None
    density_t_per_m3: float | None = None  # liquid fuels: lets litres convert to tonnes
    origin: str = "library"  # "library" or "workbook"
    ref: CellRef | None = None  # the workbook row that defined it
    name_en: str = ""
    region: str = ""
    note: str = ""
    category: str = ""  # electricity, electricity-market, fuel-biomass, freight, material …
    # GHG Protocol scope, ISO 14064-1 category and Scope 3 category (factors/scopes.csv by kind, or the
    # workbook's 范围 / ISO类别); kind is the category the classification was read from ("" if unknown)
    scope: int | None = None
    iso_category: int | None = None
    scope3_category: int | None = None
    kind: str = ""
    scope_basis: str = ""  # kind / inferred / override
    declares: frozenset[str] = frozenset()  # unit families this entry accepts across (e.g. "heat" for kWh→GJ)
    date_basis: str = ""  # which date `published` is (公开发布, 印发 …): the default grid factor switches on it
    unverified: str = ""  # parameters no text read confirms; non-empty → a warning wherever the factor is used
    uncertainty_pct: float | None = None  # U_EF (%, half the 95 % interval) where the source gives one
    uncertainty_source: str = ""
    supplier_data: bool = False  # 供应商数据 = 是: primary data for product footprints (issue 28)
    evidence: Evidence | None = None  # 排放因子's 证明材料, checked as activity evidence is

    @property
    def biogenic(self) -> bool:
        """Biogenic CO2 is reported apart from the total (GB/T 32150-2015, ISO 14064-1)."""
        return self.gas == BIOGENIC_CO2


@dataclass(frozen=True)
class Target:
    year: int
    reduction_pct: float
    stage: Stage | None  # None: every stage and the total
    kind: Literal["total", "intensity"]
    row: int
    kind_cell: CellRef | None = None  # its 目标类型 cell: where a finding about an intensity target points


@dataclass(frozen=True)
class Measure:
    stage: Stage | None
    measure: str
    annual_rate_pct: float | None
    investment: str
    note: str
    row: int


@dataclass(frozen=True)
class Equipment:
    name: str
    model: str
    unit: str
    quantity: float | None
    energy: str
    row: int


@dataclass(frozen=True)
class Picture:
    position: str
    title: str
    file: str  # as written, relative to the workbook's folder
    row: int


@dataclass(frozen=True)
class HistoryRow:
    year: int
    stage: Stage | None
    tco2e: float
    row: int


@dataclass(frozen=True)
class Intake:
    company: Company
    products: tuple[Product, ...]
    activities: tuple[Activity, ...]
    factors: dict[str, tuple[Factor, ...]]  # every factor code used, workbook overrides applied
    equipment: tuple[Equipment, ...] = ()
    targets: tuple[Target, ...] = ()
    measures: tuple[Measure, ...] = ()
    pictures: tuple[Picture, ...] = ()
    history: tuple[HistoryRow, ...] = ()
    library_version: str = ""
    # market-based factor code (green power, residual mix) → the grid average its Scope 2 location-based
    # figure uses instead
    location_factors: dict[str, tuple[Factor, ...]] = field(default_factory=dict)
    factor_date: dt.date | None = None  # the day default factors were chosen for: 报告日期, or the run date


# ---- the calculation result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmissionLine:
    """One activity × one gas: the unit of traceability in 计算明细."""

    activity: Activity
    factor: Factor
    amount_in_factor_unit: float
    conversion: str  # how the amount was converted, e.g. "72584 kWh = 72.584 MWh"
    gas_tonnes: float  # tonnes of the gas itself
    gwp: float
    tco2e: float
    scope: int | None = None  # the line's scope and categories: the activity's override, else its factor's
    iso_category: int | None = None
    scope3_category: int | None = None
    notes: str = ""  # what a reader must know about this line: the CH4 class and GWP table, assumptions made


@dataclass(frozen=True)
class Intensity:
    product: str
    unit: str
    output: float
    allocation_pct: float
    tco2e_per_unit: float


@dataclass(frozen=True)
class TargetResult:
    year: int
    stage: Stage | None  # None: the enterprise total
    kind: Literal["total", "intensity"]
    reduction_pct: float
    base_year: int
    base_value: float  # tCO2e, or tCO2e per product unit for an intensity target
    target_value: float
    product: str | None = None  # for intensity targets
    unit: str | None = None


RecalcKind = Literal["structural", "methodology"]


@dataclass(frozen=True)
class RecalcReason:
    """One change between an earlier year and this one that its recalculation applies (GHG Protocol
    Corporate Standard ch. 5, ISO 14064-1 6.4.2): structural (a source or site added or removed) or
    methodology (the same source with another factor, factor source, GWP set or method). `effect_tco2e`
    is what the change adds to that year's total; a year's effects add up to recalculated − as reported."""

    kind: RecalcKind
    description: str  # client wording, Chinese: names, values and editions, no codes or file names
    effect_tco2e: float
    stage: Stage | None = None  # None: spread over stages (a GWP set)
    row: int | None = None  # the current workbook's 活动数据 row it concerns, where there is one
    # a reason said alike of many sources (a source counted now, absent then, with no amount given): the
    # sentence with "{}" where the source stands, and the source, so that a report can say them all at once
    shared: str = ""
    subject: str = ""


@dataclass(frozen=True)
class FactorChoice:
    """Which factor one history row took in the recalculation, and why (for 历年对比 and the report)."""

    stage: Stage
    name: str
    site: str
    factor: str  # name, value and unit as a client reads them
    why: str


@dataclass(frozen=True)
class HistoryYear:
    """One earlier year: as reported (its own 报告日期, library and GWP set) and, for a history workbook,
    recalculated with this run's 报告日期, library and GWP set. A 历史排放 row has no recalculation."""

    year: int
    source: str  # the history workbook's file name, or 历史排放
    reported_total: float
    reported_stages: dict[Stage, float] | None  # None: 历史排放 gave no stage rows
    recalculated_total: float | None = None
    recalculated_stages: dict[Stage, float] | None = None
    intensities: tuple[Intensity, ...] = ()  # recalculated (as reported when there is no recalculation)
    reported_factor_date: dt.date | None = None
    reported_gwp: str = ""
    excluded: tuple[str, ...] = ()  # 不适用 sources of that year (阶段：名称), for boundary changes
    reasons: tuple[RecalcReason, ...] = ()  # why recalculated differs from reported; effects add up
    factor_choices: tuple[FactorChoice, ...] = ()  # what each history row took in the recalculation
    base_outputs: dict[str, tuple[float, str]] = field(default_factory=dict)  # product → (output, unit)
    # the stages with at least one row carrying a number that year (None: not known, a 历史排放 year); the
    # report shows "/" for the others, as it does for this year
    quantified: frozenset[Stage] | None = None

    @property
    def comparable_total(self) -> float:
        """The figure the trend compares: recalculated when there is one."""
        return self.reported_total if self.recalculated_total is None else self.recalculated_total


@dataclass(frozen=True)
class BaseYearCheck:
    """The base year as reported against recalculated, and whether the targets use the recalculation."""

    year: int
    source: str
    reported_total: float
    recalculated_total: float
    difference_pct: float | None  # (recalculated − reported) / reported × 100; None when reported is 0
    threshold_pct: float
    recalculated: bool  # cumulative ≥ threshold: the targets use the recalculated base year
    reasons: tuple[str, ...]  # each reason in Chinese with its effect (deprecated in JSON: use `effects`)
    cumulative_pct: float | None = None  # Σ |effect| / reported × 100: the significance test (None: reported 0)
    effects: tuple[RecalcReason, ...] = ()


@dataclass(frozen=True)
class History:
    years: tuple[HistoryYear, ...]  # earlier than the current year, oldest first
    base: BaseYearCheck | None  # when the base year came from a history workbook
    threshold_pct: float
    threshold_source: str = ""

    def base_values(self) -> dict[Stage | None, float] | None:
        """The base year the targets use (stages and the total, None key): recalculated at or above the
        threshold, as reported below it; None when no history workbook gave the base year."""
        b = self.base
        if b is None:
            return None
        y = next(y for y in self.years if y.year == b.year and y.source == b.source)
        stages = y.recalculated_stages if b.recalculated else y.reported_stages
        assert stages is not None, "a history workbook always has its stages"
        return {**stages, None: b.recalculated_total if b.recalculated else b.reported_total}


@dataclass(frozen=True)
class Result:
    lines: tuple[EmissionLine, ...]
    stage_totals: dict[Stage, float]
    total: float
    shares: dict[Stage, float] | None  # fractions; None when the total is 0
    intensities: tuple[Intensity, ...]
    targets: tuple[TargetResult, ...]
    gas_totals: dict[str, float]  # tCO2e per gas
    gas_tonnes: dict[str, float]  # tonnes of each gas
    base_year_totals: dict[Stage | None, float]  # the base year's emissions (None: the total)
    biogenic_co2_t: float = 0.0  # reported apart, never in the totals
    scopes: ScopeTotals | None = None  # the same lines by scope and ISO 14064-1 category
    history: History | None = None  # earlier years (history workbooks, 历史排放) and the base-year check
    sites: dict[str, dict[Stage, float]] = field(default_factory=dict)  # site → stage → tCO2e (issue 16)
    uncertainty: Uncertainty | None = None  # IPCC Approach 1, when the workbook gives data quality
    pcf: PcfResult | None = None  # product footprints, with --pcf or when a footprint column is filled (issue 28)

    @property
    def site_totals(self) -> dict[str, float]:
        return {name: sum(v.values()) for name, v in self.sites.items()}

    def stage_has_rows(self, stage: Stage) -> bool:
        return any(line.activity.stage == stage for line in self.lines)


SCOPE_KEYS = ("scope1", "scope2_location", "scope2_market", "scope3")


@dataclass(frozen=True)
class ScopeTotals:
    """tCO2e by scope and by ISO 14064-1 category, in total and per stage. The market-based Scope 2 is the
    one the stage totals use, so scope1 + scope2_market + scope3 is the total; ISO category 2 is market-based
    too, so the six categories add up to the total as well. Biogenic CO2 is in none of them."""

    totals: dict[str, float]  # SCOPE_KEYS → t
    iso: dict[int, float]  # 1-6 → t
    by_stage: dict[Stage, dict[str, float]]
    iso_by_stage: dict[Stage, dict[int, float]]
    scope3_categories: dict[int, float]  # GHG Protocol Scope 3 category → t, where the factor kind decides it
    unclassified_scope3: float = 0.0  # Scope 3 t without a GHG Protocol Scope 3 category


@dataclass(frozen=True)
class LineUncertainty:
    """One emission line's Approach 1 uncertainty: U = sqrt(U_A² + U_EF²), all in percent."""

    line: EmissionLine
    u_activity: float
    u_factor: float  # 0 when neither the factor's source nor a family default gives one
    u_line: float  # sqrt(U_A² + U_EF² + U_GWP²)
    u_gwp: float = 0.0  # the gas's GWP uncertainty (0 for CO2 and CO2e)
    factor_basis: str = ""  # "given" (the factor's own), a family of uncertainty_families.csv, or "" (none)
    gwp_basis: str = ""  # the GWP family, or ""


@dataclass(frozen=True)
class Uncertainty:
    """IPCC 2006 Vol.1 ch.3 Approach 1 over the lines the totals count (biogenic CO2 apart), in percent.
    A stage (or the total) whose emissions add to 0 has no relative uncertainty: None."""

    total_pct: float | None
    stages: dict[Stage, float | None]
    lines: tuple[LineUncertainty, ...]
    measured_share: dict[Stage | None, float | None]  # tCO2e share from rows whose 数据质量 is 实测 (None: total)
    factors_without: tuple[str, ...]  # factor codes used with no known uncertainty (U_EF = 0)
    defaults_used: int  # rows whose U_A is the 数据质量 tier's default
    families: tuple[UncertaintyFamilyUse, ...] = ()  # the default U_EF / U_GWP families used, cited first


@dataclass(frozen=True)
class UncertaintyFamilyUse:
    """A default factor or GWP uncertainty as the report lists it: cited from a text read, or an assumption."""

    family: str
    label: str
    pct: float
    status: str  # "cited" or "assumption"
    source: str

    @property
    def cited(self) -> bool:
        return self.status == "cited"
