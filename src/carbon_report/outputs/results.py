"""One workbook's result as plain frozen data: what the Python API returns (carbon_report.api), what the
CLI's JSON is made from (WorkbookResult.to_json) and what the tidy tables are cut from (outputs/tables.py),
so the three cannot drift apart.

    workbook_result(input, status, findings, intake, result, ...) -> WorkbookResult

Quantities are tCO2e, unrounded; `StageTotal.share_text` and `note` are the figures as 排放汇总 and the report
print them. The earlier years, the base-year check, intensities, targets, the company and the findings are the
core's own frozen records (core/model.py); the rest is flattened here so that a result pickles small and
reads without the intake behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from carbon_report.core import contract
from carbon_report.core.factors.scopes import class_names
from carbon_report.core.model import (
    BaseYearCheck,
    Company,
    EmissionLine,
    Finding,
    HistoryYear,
    Intake,
    Intensity,
    Result,
    Stage,
    TargetResult,
    WithFindings,
)
from carbon_report.outputs.computed import SCOPE_HEADINGS, stage_display

if TYPE_CHECKING:
    import pandas

    from carbon_report.core.pcf import ProductFootprint

# ok: computed; invalid: the workbook has errors (findings say where); unreadable: not a workbook at all;
# failed: the environment refused an output (read-only folder, disk full, file open elsewhere) or the time
# limit passed.
Status = Literal["ok", "invalid", "unreadable", "failed"]
STATUSES: tuple[str, ...] = ("ok", "invalid", "unreadable", "failed")


@dataclass(frozen=True)
class StageTotal:
    """One of the six life-cycle stages."""

    stage: Stage  # English key: raw_materials, production, procurement, transport, packaging, recycling
    name: str  # as the report names it: 低碳原材料获取, 数智化生产 …
    tco2e: float
    share: float | None  # fraction of the total; None when the total is 0
    share_text: str  # the share as printed ("35.54%", "/" for a stage without a number)
    note: str  # 数据缺失 (no rows, or only "/") / 部分数据缺失 / 无相关活动 (all 不适用) / ""
    uncertainty_pct: float | None = None  # IPCC Approach 1, half the 95 % interval; None: not assessed or 0 t


@dataclass(frozen=True)
class ScopeTotal:
    """GHG Protocol scope. Scope 2 comes both ways; the market-based one is in the total, so
    scope1 + scope2_market + scope3 = total."""

    scope: str  # scope1 / scope2_location / scope2_market / scope3
    name: str  # 范围一, 范围二（位置法） …
    tco2e: float
    in_total: bool  # False for scope2_location
    stages: Mapping[Stage, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CategoryTotal:
    """ISO 14064-1:2018 category (1–6); the six add up to the total (category 2 market-based)."""

    category: int
    name: str
    tco2e: float
    stages: Mapping[Stage, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteTotal:
    """A site (活动数据 场所; a blank one is the main site) with its stages."""

    site: str
    tco2e: float
    stages: Mapping[Stage, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """One 活动数据 row × one gas of its factor: the unit of traceability (计算明细).
    tco2e = amount_in_factor_unit × factor_value (in tonnes of the gas) × gwp. A biogenic CO2 line is
    reported apart: it counts in no total."""

    row: int  # 活动数据 row
    cell: str  # the amount's cell, e.g. 活动数据!D7
    stage: Stage
    activity_type: str
    name: str
    amount: float  # as typed (0 for 无数据 / 不适用)
    amount_kind: str  # value / no_data / not_applicable
    unit: str
    site: str
    factor_code: str
    factor_name: str
    gas: str
    factor_value: float
    factor_unit: str
    factor_source: str
    factor_origin: str  # library / workbook
    amount_in_factor_unit: float
    conversion: str  # "72584 kWh = 72.584 MWh", "" when the units agree
    gas_tonnes: float
    gwp: float
    tco2e: float
    biogenic: bool
    scope: int | None
    iso_category: int | None
    scope3_category: int | None
    data_quality: str = ""  # 实测 / 计算 / 估算 / 缺省 / ""
    uncertainty_pct: float | None = None  # the line's Approach 1 uncertainty, when assessed
    notes: str = ""
    months: tuple[float, ...] | None = None  # the row's amounts by month (its own unit), when given
    month_gaps: tuple[int, ...] = ()  # months left blank (counted as 0)

    @property
    def scope_key(self) -> str:
        """The JSON's scope key of this line: scope1 / scope2_market / scope3 ("" for a biogenic line)."""
        if self.biogenic:
            return ""
        return {1: "scope1", 2: "scope2_market", 3: "scope3"}.get(self.scope or 0, "")


@dataclass(frozen=True)
class WorkbookResult(WithFindings):
    """Everything computed from one intake workbook. When status is not "ok" the figures are empty (no partial
    totals) and `findings` say why, each with its sheet and cell."""

    input: Path
    status: Status
    findings: tuple[Finding, ...]
    company: Company | None = None  # None when 企业信息 could not be read
    total_tco2e: float | None = None
    stages: tuple[StageTotal, ...] = ()
    scopes: tuple[ScopeTotal, ...] = ()
    categories: tuple[CategoryTotal, ...] = ()  # ISO 14064-1
    sites: tuple[SiteTotal, ...] = ()
    lines: tuple[Line, ...] = ()
    intensities: tuple[Intensity, ...] = ()
    targets: tuple[TargetResult, ...] = ()
    history: tuple[HistoryYear, ...] = ()  # earlier years, oldest first
    base_year: BaseYearCheck | None = None  # when a history workbook gave the base year
    biogenic_co2_t: float | None = None
    uncertainty_assessed: bool = False  # the workbook gives 数据质量 or 不确定度
    uncertainty_pct: float | None = None  # of the total
    # workbook / report / pdf → path or None; with pcf, pcf_reports / pact → {product: path}
    outputs: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[str, ...] = ()  # what the run said besides findings (a report written as _v2 …)
    library_version: str = ""  # the factor library's edition
    factor_date: dt.date | None = None  # the day default factors were chosen for
    sha256: str = ""  # of the input file, when the caller hashed it (API, export)
    template_version: str = ""  # 企业信息 模板版本 as typed ("" when blank)
    # product carbon footprints (issue 28; core/pcf): None unless computed (--pcf, or a footprint column filled)
    products: tuple[ProductFootprint, ...] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def gwp_version(self) -> str | None:
        return self.company.gwp_version if self.company else None

    def stage(self, stage: Stage | str) -> StageTotal:
        """The stage by its key ("production") or Stage."""
        for s in self.stages:
            if s.stage == stage:
                return s
        raise KeyError(stage)

    def to_frame(self, table: str) -> pandas.DataFrame:
        """One tidy table of this result ("workbooks", "lines", "months", "totals", "findings"; outputs/tables.py)
        as a pandas DataFrame. pandas is the optional extra carbon-report[pandas], imported only here."""
        from carbon_report.outputs.tables import to_frame

        return to_frame([self], table)

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON (intake-contract.md; docs/result.schema.json), exactly as `--json` prints it."""
        ok = self.status == "ok"
        c = self.company
        stages = {s.stage.value: s for s in self.stages}
        shares = None
        if ok:
            shares = None if any(s.share is None for s in self.stages) else {
                k: s.share for k, s in stages.items()}
        return {
            "input": str(self.input),
            "status": self.status,
            "company": {"name": c.name, "uscc": c.uscc, "year": c.year} if c else None,
            "stages": {k: s.tco2e for k, s in stages.items()} if ok else None,
            "total_tco2e": self.total_tco2e if ok else None,
            "shares": shares,
            "intensity": [{"product": i.product, "unit": i.unit, "tco2e_per_unit": i.tco2e_per_unit}
                          for i in self.intensities] if ok else None,
            "targets": [_target_json(t) for t in self.targets] if ok else None,
            "issues": [f.as_dict() for f in self.findings],
            "outputs": dict(self.outputs),
            "biogenic_co2_t": self.biogenic_co2_t if ok else None,
            "library_version": self.library_version or None,
            "gwp_version": c.gwp_version if c else None,
            "display": {"shares": {k: s.share_text for k, s in stages.items()},
                        "stage_notes": {k: s.note for k, s in stages.items()}} if ok else None,
            "scopes": {s.scope: s.tco2e for s in self.scopes} if ok and self.scopes else None,
            "iso14064_categories": ({str(k.category): k.tco2e for k in self.categories}
                                    if ok and self.scopes else None),
            "sites": {s.site: s.tco2e for s in self.sites} if ok else None,
            "uncertainty_pct": {"total": self.uncertainty_pct,
                                "stages": {k: s.uncertainty_pct for k, s in stages.items()}}
            if ok and self.uncertainty_assessed else None,
            "factor_date": self.factor_date.isoformat() if self.factor_date else None,
            **self._history_json(ok),
            "products": [product_json(fp) for fp in self.products] if ok and self.products is not None else None,
        }

    def _history_json(self, ok: bool) -> dict[str, Any]:
        """Earlier years oldest first (tCO2e unrounded; stages as reported) and whether the targets use a
        recalculated base year; `base_year` gives both base-year totals and the difference."""
        b = self.base_year
        return {
            "history": [history_year_json(y) for y in self.history] if ok else None,
            "base_year_recalculated": bool(b and b.recalculated) if ok else None,
            "base_year": base_year_json(b) if b and ok else None,
        }


@dataclass(frozen=True)
class BatchResult:
    """A folder of workbooks (the API's batch()): every file's result in input order, one bad file never
    stopping the others. `to_frame` concatenates the files' tables; `to_json` is what `batch --json` prints."""

    results: tuple[WorkbookResult, ...]
    skipped: tuple[Path, ...] = ()  # Excel's ~$ lock files, hidden files, this tool's own outputs
    notes: tuple[str, ...] = ()  # lines said once every file was in (duplicate companies, 汇总.xlsx not written)
    summary_workbook: Path | None = None  # 汇总.xlsx, when written

    def __iter__(self) -> Iterator[WorkbookResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def exit_code(self) -> int:
        """The CLI's exit status: the highest of the files' (2 unreadable or failed, 1 errors, 0)."""
        return max((2 if r.status in ("unreadable", "failed") else 1 if r.errors else 0 for r in self.results),
                   default=0)

    def to_frame(self, table: str) -> pandas.DataFrame:
        """One tidy table of every file, one after another (each row keyed by its input's SHA-256 and path)."""
        from carbon_report.outputs.tables import to_frame

        return to_frame(self.results, table)

    def to_json(self) -> dict[str, Any]:
        """What `carbon-report batch --json` prints."""
        statuses = [r.status for r in self.results]
        return {"files": [r.to_json() for r in self.results],
                "summary": {"workbooks": len(statuses), **{s: statuses.count(s) for s in STATUSES},
                            "skipped": [str(p) for p in self.skipped], "exit_code": self.exit_code,
                            "summary_workbook": str(self.summary_workbook) if self.summary_workbook else None}}


def product_json(fp: ProductFootprint) -> dict[str, Any]:
    """One product's footprint (issue 28): tCO2e and kgCO2e per declared unit, unrounded."""
    return {"name": fp.name, "declared_unit": fp.declared_unit, "output": fp.output,
            "unit_mass_kg": fp.unit_mass_kg, "boundary": fp.boundary,
            "allocation": fp.allocation, "allocation_share": fp.share, "total_tco2e": fp.total_tco2e,
            "per_unit_kgco2e": fp.per_unit_kgco2e, "stages": {s.value: v for s, v in fp.stages.items()},
            "gases": dict(fp.gases), "biogenic_co2_t": fp.biogenic_co2_t,
            "primary_data_share": fp.primary_data_share, "excluded_tco2e": fp.excluded_tco2e}


def _figures(total: float | None, stages: dict[Stage, float] | None) -> dict[str, Any] | None:
    if total is None:
        return None
    return {"total_tco2e": total, "stages": {s.value: stages[s] for s in Stage} if stages is not None else None}


def history_year_json(y: HistoryYear) -> dict[str, Any]:
    """One earlier year (issue 25): as_reported and recalculated ({total_tco2e, stages}; recalculated null for
    a 历史排放 year) and reasons ({kind, description, effect_tco2e}; they add up to recalculated − as
    reported). Deprecated, kept one more release (intake contract): total_tco2e, recalculated_tco2e, stages."""
    return {"year": y.year, "source": y.source,
            "as_reported": _figures(y.reported_total, y.reported_stages),
            "recalculated": _figures(y.recalculated_total, y.recalculated_stages),
            "reasons": [{"kind": x.kind, "description": x.description, "effect_tco2e": x.effect_tco2e}
                        for x in y.reasons],
            "total_tco2e": y.reported_total, "recalculated_tco2e": y.recalculated_total,
            "stages": ({s.value: y.reported_stages[s] for s in Stage} if y.reported_stages is not None else None)}


def base_year_json(b: BaseYearCheck) -> dict[str, Any]:
    """`reasons` (texts) is deprecated: history[] carries each reason with its effect."""
    return {"year": b.year, "source": b.source, "reported_tco2e": b.reported_total,
            "recalculated_tco2e": b.recalculated_total, "difference_pct": b.difference_pct,
            "cumulative_pct": b.cumulative_pct, "threshold_pct": b.threshold_pct, "reasons": list(b.reasons)}


def _target_json(t: TargetResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "year": t.year, "stage": t.stage.value if t.stage else None, "reduction_pct": t.reduction_pct,
        "target_tco2e": t.target_value if t.kind == "total" else None, "base_year": t.base_year,
        "base_tco2e": t.base_value if t.kind == "total" else None, "kind": t.kind}
    if t.kind == "intensity":
        out.update(product=t.product, unit=t.unit, target_tco2e_per_unit=t.target_value)
    return out


# ---- building one from the pipeline's records ---------------------------------------------------------------


def workbook_result(input: Path, status: Status, findings: Sequence[Finding], intake: Intake | None,
                    result: Result | None, *, outputs: Mapping[str, Any] | None = None,
                    notices: Sequence[str] = (), library_version: str = "", run_date: dt.date | None = None,
                    sha256: str = "") -> WorkbookResult:
    """The frozen result of one run. Figures only when status is "ok" (a run that failed after computing, a
    time limit or a locked output, keeps its company and findings but reports no totals)."""
    company = intake.company if intake else None
    factor_date = (intake.factor_date if intake else None) or run_date or dt.date.today()
    base = WorkbookResult(
        input=Path(input), status=status, findings=tuple(findings), company=company,
        outputs=dict(outputs if outputs is not None else {"workbook": None, "report": None}),
        notices=tuple(notices), library_version=library_version, factor_date=factor_date, sha256=sha256,
        template_version=company.text("template_version") if company else "")
    if status != "ok" or intake is None or result is None:
        return base
    return replace(base, total_tco2e=result.total, stages=_stages(intake, result), scopes=_scopes(result),
                   categories=_categories(result), sites=_sites(result), lines=_lines(intake, result),
                   intensities=result.intensities, targets=result.targets,
                   history=result.history.years if result.history else (),
                   base_year=result.history.base if result.history else None,
                   biogenic_co2_t=result.biogenic_co2_t, uncertainty_assessed=result.uncertainty is not None,
                   uncertainty_pct=result.uncertainty.total_pct if result.uncertainty else None,
                   products=result.pcf.products if result.pcf is not None else None)


def _stages(intake: Intake, r: Result) -> tuple[StageTotal, ...]:
    shown = stage_display(intake, r)
    u = r.uncertainty
    return tuple(StageTotal(s, s.long_zh, r.stage_totals[s], r.shares[s] if r.shares is not None else None,
                            shown[s].share_text, shown[s].note, u.stages[s] if u else None) for s in Stage)


def _scopes(r: Result) -> tuple[ScopeTotal, ...]:
    s = r.scopes
    if s is None:
        return ()
    return tuple(ScopeTotal(k, SCOPE_HEADINGS[k], v, k != "scope2_location",
                            {st: s.by_stage[st][k] for st in Stage}) for k, v in s.totals.items())


def _categories(r: Result) -> tuple[CategoryTotal, ...]:
    s = r.scopes
    if s is None:
        return ()
    names = class_names()
    return tuple(CategoryTotal(k, names.get(("iso", k), ""), v, {st: s.iso_by_stage[st][k] for st in Stage})
                 for k, v in s.iso.items())


def _sites(r: Result) -> tuple[SiteTotal, ...]:
    return tuple(SiteTotal(name, sum(by.values()), dict(by)) for name, by in r.sites.items())


def _lines(intake: Intake, r: Result) -> tuple[Line, ...]:
    u = {id(lu.line): lu.u_line for lu in r.uncertainty.lines} if r.uncertainty else {}
    return tuple(_line(x, u.get(id(x))) for x in r.lines)


def _line(x: EmissionLine, u: float | None) -> Line:
    a, f = x.activity, x.factor
    return Line(
        row=a.row, cell=str(a.amount_cell), stage=a.stage, activity_type=a.type, name=a.name, amount=a.amount,
        amount_kind=a.amount_kind, unit=a.unit, site=a.site or contract.MAIN_SITE_DEFAULT,
        factor_code=f.code, factor_name=f.name, gas=f.gas, factor_value=f.value, factor_unit=f.unit,
        factor_source=f.source, factor_origin=f.origin, amount_in_factor_unit=x.amount_in_factor_unit,
        conversion=x.conversion, gas_tonnes=x.gas_tonnes, gwp=x.gwp, tco2e=x.tco2e, biogenic=f.biogenic,
        scope=x.scope, iso_category=x.iso_category, scope3_category=x.scope3_category, data_quality=a.quality,
        uncertainty_pct=u, notes=x.notes, months=a.months, month_gaps=a.month_gaps)


# ---- the JSON Schema of to_json (docs/result.schema.json, written by scripts/build_result_schema.py) --------


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of WorkbookResult.to_json and of `batch --json`. Keys are taken from the
    same definitions to_json uses (stages, scope keys, ISO categories, statuses, the Finding fields); every
    object is closed (additionalProperties false), so a key added to the JSON without the schema fails the
    tests that validate real output against it."""
    from dataclasses import fields

    from carbon_report.core.factors.scopes import ISO_CATEGORIES
    from carbon_report.core.model import SCOPE_KEYS
    from carbon_report.core.pcf import ALLOCATION_ZH, BOUNDARY_ZH, PcfStage

    stages = [s.value for s in Stage]
    num: dict[str, Any] = {"type": "number"}
    num_or_null: dict[str, Any] = {"type": ["number", "null"]}
    text: dict[str, Any] = {"type": "string"}
    text_or_null: dict[str, Any] = {"type": ["string", "null"]}
    integer: dict[str, Any] = {"type": "integer"}

    def obj(props: dict[str, Any], desc: str = "", *, nullable: bool = False,
            required: list[str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"type": ["object", "null"] if nullable else "object"}
        if desc:
            out["description"] = desc
        return {**out, "properties": props, "required": list(props) if required is None else required,
                "additionalProperties": False}

    def by_stage(value: dict[str, Any], desc: str, nullable: bool = True) -> dict[str, Any]:
        return obj({s: value for s in stages}, desc, nullable=nullable)

    def array(items: dict[str, Any], desc: str = "", nullable: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"type": ["array", "null"] if nullable else "array", "items": items}
        return {**out, "description": desc} if desc else out

    finding = obj({f.name: ({"enum": ["error", "warning"]} if f.name == "severity" else
                            {"type": "string", "pattern": "^[EW]-[A-Z0-9-]+$"} if f.name == "code" else text)
                   for f in fields(Finding)}, "one finding: where (sheet, cell) and what (code, message in Chinese)")
    target = obj({"year": integer, "stage": {"enum": [*stages, None]}, "reduction_pct": num,
                  "target_tco2e": num_or_null, "base_year": integer, "base_tco2e": num_or_null,
                  "kind": {"enum": ["total", "intensity"]}, "product": text_or_null, "unit": text_or_null,
                  "target_tco2e_per_unit": num},
                 "one target (TargetResult): kind total gives target_tco2e and base_tco2e (stage null: the "
                 "enterprise total); kind intensity gives product, unit and target_tco2e_per_unit instead",
                 required=["year", "stage", "reduction_pct", "target_tco2e", "base_year", "base_tco2e", "kind"])
    figures = obj({"total_tco2e": num, "stages": by_stage(num, "per stage; null when not given by stage")},
                  "a year's figures", nullable=True)
    reason = obj({"kind": {"enum": ["structural", "methodology"]}, "description": text, "effect_tco2e": num},
                 "one reason the recalculation differs (they add up to recalculated − as reported)")
    history_year = obj({"year": integer,
                        "total_tco2e": {**num, "description": "as reported (deprecated: as_reported.total_tco2e)"},
                        "recalculated_tco2e": {**num_or_null,
                                               "description": "deprecated: recalculated.total_tco2e"},
                        "stages": by_stage(num, "as reported, null when 历史排放 gave no stage rows "
                                                "(deprecated: as_reported.stages)"),
                        "source": {**text, "description": "the history workbook's file name, or 历史排放"},
                        # third-round keys of the intake contract (issue 25)
                        "as_reported": figures, "recalculated": figures,
                        "reasons": {"type": "array", "items": reason}},
                       "one earlier year (HistoryYear)",
                       required=["year", "total_tco2e", "recalculated_tco2e", "stages", "source", "as_reported",
                                 "recalculated", "reasons"])
    props: dict[str, Any] = {
        "input": {**text, "description": "the workbook's path as given (WorkbookResult.input)"},
        "status": {"enum": list(STATUSES), "description": "ok: computed; invalid: the workbook has errors; "
                   "unreadable: not a workbook; failed: an output could not be written or the time limit passed"},
        "company": obj({"name": text, "uscc": text, "year": integer},
                       "企业信息: 企业名称, 统一社会信用代码, 核算年度 (null when it could not be read)", nullable=True),
        "stages": by_stage(num, "tCO2e per life-cycle stage (StageTotal.tco2e)"),
        "total_tco2e": num_or_null,
        "shares": by_stage(num, "fractions of the total (StageTotal.share); null when the total is 0"),
        "intensity": array(obj({"product": text, "unit": text, "tco2e_per_unit": num}),
                           "tCO2e per product unit (Intensity); per 万元 as product 工业总产值, unit 万元"),
        "targets": array(target),
        "issues": array({"$ref": "#/$defs/finding"}, "every finding, errors and warnings", nullable=False),
        "outputs": obj({"workbook": text_or_null, "report": text_or_null, "pdf": text_or_null,
                        "pcf_reports": {"type": "object", "additionalProperties": text_or_null},
                        "pact": {"type": "object", "additionalProperties": text_or_null}},
                       "paths written (null: not written); pdf only when asked for and made; with --pcf "
                       "pcf_reports and pact: product name → its footprint report / PACT file",
                       required=["workbook", "report"]),
        "biogenic_co2_t": {**num_or_null, "description": "biogenic CO2 in tonnes, apart from every total"},
        "library_version": {**text_or_null, "description": "the factor library's edition"},
        "gwp_version": {**text_or_null, "description": "the GWP set (企业信息 GWP版本)"},
        "display": obj({"shares": by_stage(text, "shares as printed (StageTotal.share_text: \"35.54%\", \"/\")",
                                           nullable=False),
                        "stage_notes": by_stage(text, "StageTotal.note: 数据缺失（未填报或全为“/”）/ 部分数据缺失 / 无相关活动（全部经确认不适用）/ \"\"",
                                                nullable=False)},
                       "the figures as 排放汇总 and the report print them", nullable=True),
        "scopes": obj({k: num for k in SCOPE_KEYS}, "GHG Protocol scopes (ScopeTotal); scope1 + scope2_market + "
                      "scope3 = total_tco2e", nullable=True),
        "iso14064_categories": obj({str(k): num for k in ISO_CATEGORIES}, "ISO 14064-1 categories (CategoryTotal), "
                                   "keys \"1\"…\"6\"; they add up to total_tco2e", nullable=True),
        "sites": {"type": ["object", "null"], "additionalProperties": num,
                  "description": "tCO2e per site (SiteTotal; 场所, a blank one is the main site)"},
        "uncertainty_pct": obj({"total": num_or_null, "stages": by_stage(num_or_null, "per stage (null: 0 t)",
                                                                         nullable=False)},
                               "IPCC 2006 Approach 1 in % (half the 95 % interval); null unless the workbook gives "
                               "数据质量 or 不确定度", nullable=True),
        "factor_date": {"type": ["string", "null"], "format": "date",
                        "description": "the day default factors were chosen for (报告日期, or the run date)"},
        "history": array(history_year, "earlier years, oldest first"),
        "base_year_recalculated": {"type": ["boolean", "null"],
                                   "description": "the targets use the recalculated base year"},
        "base_year": obj({"year": integer, "source": text, "reported_tco2e": num, "recalculated_tco2e": num,
                          "difference_pct": num_or_null, "cumulative_pct": num_or_null, "threshold_pct": num,
                          "reasons": {"type": "array", "items": text}},
                         "the base year as reported against recalculated (BaseYearCheck)", nullable=True,
                         required=["year", "source", "reported_tco2e", "recalculated_tco2e", "difference_pct",
                                   "threshold_pct", "reasons"]),
        "products": array(obj({"name": text, "declared_unit": text, "output": num, "unit_mass_kg": num_or_null,
                               "boundary": {"enum": list(BOUNDARY_ZH)}, "allocation": {"enum": list(ALLOCATION_ZH)},
                               "allocation_share": num, "total_tco2e": num, "per_unit_kgco2e": num,
                               "stages": obj({st.value: num for st in PcfStage}, "tCO2e inside the boundary per "
                                             "life-cycle stage of the product",
                                             required=[]),
                               "gases": {"type": "object", "additionalProperties": num},
                               "biogenic_co2_t": num, "primary_data_share": num_or_null, "excluded_tco2e": num},
                              "one product's carbon footprint (ProductFootprint, GB/T 24067 / ISO 14067)"),
                          "product footprints (issue 28); null unless computed"),
    }
    batch = obj({"files": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                 "summary": obj({"workbooks": integer, "ok": integer, "invalid": integer, "unreadable": integer,
                                 "failed": integer, "skipped": {"type": "array", "items": text},
                                 "exit_code": integer, "summary_workbook": text_or_null})},
                "what `carbon-report batch --json` prints: one object per workbook, in input order")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "carbon-report: one workbook's result (check / process --json; batch --json files[])",
        "description": "Made from the frozen dataclasses of carbon_report.outputs.results (WorkbookResult.to_json), "
                       "which the Python API returns. Quantities in tCO2e, unrounded, never a non-finite number. "
                       "When status is not ok every figure is null (no partial totals). Written by "
                       "scripts/build_result_schema.py; tests/test_api.py validates real output against it. "
                       "#/$defs/batch is what `batch --json` prints.",
        "$ref": "#/$defs/result",
        "$defs": {"result": obj(props, "one workbook (WorkbookResult.to_json)"), "finding": finding, "batch": batch},
    }
