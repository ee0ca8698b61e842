"""E = Σ_i Σ_j A_i × EF_ij × GWP_j, then stage totals, shares, intensities and targets.

Pure arithmetic over a validated Intake: every unit, factor and GWP was resolved by validate.py, so the
only findings made here are about the result itself (a zero total).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from carbon_report.core import contract, units
from carbon_report.core.factors import Library
from carbon_report.core.factors import scopes as sc
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    SCOPE_KEYS,
    Activity,
    CellRef,
    EmissionLine,
    Factor,
    Finding,
    History,
    Intake,
    Intensity,
    Result,
    ScopeTotals,
    Stage,
    TargetResult,
)
from carbon_report.core.rounding import plain_number
from carbon_report.core.uncertainty import assess

OUTPUT_VALUE_PRODUCT = "工业总产值"
OUTPUT_VALUE_UNIT = "万元"


def calculate(intake: Intake, library: Library, history: History | None = None) -> tuple[Result, list[Finding]]:
    """`history`: the earlier years (core/history.py); when a history workbook gave the base year, the
    targets use it (recalculated at or above the threshold, as reported below)."""
    findings: list[Finding] = []
    gwp_set = intake.company.gwp_version
    lines: list[EmissionLine] = []
    for a in intake.activities:
        if a.recalc_only:
            continue  # base-year data for a later year's recalculation, never this year's figures (issue 25)
        for fac in intake.factors.get(a.factor_code, ()):
            conv = units.conversion(a.unit, fac.per_unit, fac.density_t_per_m3, fac.declares)
            converted = a.amount * conv.multiplier
            gas_t = converted * fac.value * units.mass_to_tonnes(fac.mass_unit)
            gwp = library.gwp_value(gwp_set, fac.gas)
            assert gwp is not None, "validate.py reports a gas missing from the GWP set"
            lines.append(EmissionLine(a, fac, converted, conversion_text(a, fac, conv, converted), gas_t, gwp,
                                      gas_t * gwp, notes=line_notes(a, fac, conv, library, gwp_set)))

    lines = classify_lines(lines)
    stage_totals = {s: 0.0 for s in Stage}
    gas_totals: dict[str, float] = defaultdict(float)
    gas_tonnes: dict[str, float] = defaultdict(float)
    biogenic = 0.0
    for line in lines:
        if line.factor.biogenic:
            biogenic += line.gas_tonnes  # reported apart (GB/T 32150-2015), never in a total
            continue
        stage_totals[line.activity.stage] += line.tco2e
        gas_totals[line.factor.gas] += line.tco2e
        gas_tonnes[line.factor.gas] += line.gas_tonnes
    total = sum(stage_totals.values())
    shares = None
    if total > 0:
        shares = {s: v / total for s, v in stage_totals.items()}
    else:
        findings.append(Finding.of(Code.W_TOTAL_ZERO, CellRef(contract.ACTIVITIES.name, "A1")))

    intensities = intensities_of(intake, total)

    base: dict[Stage | None, float] = {}
    company = intake.company
    from_workbook = history.base_values() if history else None
    if company.base_year == company.year:
        base = {**stage_totals, None: total}
    elif from_workbook is not None:
        base = from_workbook
    else:
        for h in intake.history:
            if h.year == company.base_year:
                base[h.stage] = base.get(h.stage, 0.0) + h.tco2e

    base_total = base.get(None, sum(base.values()) if base else None)
    targets: list[TargetResult] = []
    for t in intake.targets:
        keep = 1 - t.reduction_pct / 100
        if t.kind == "intensity":
            for it in intensities:
                if it.product == OUTPUT_VALUE_PRODUCT:
                    continue
                at_base = (it.tco2e_per_unit if company.base_year == company.year
                           else base_intensity(intake, history, base_total, it))
                if at_base is None:
                    where = t.kind_cell or CellRef(contract.TARGETS.name, f"A{t.row}")
                    findings.append(Finding.of(Code.W_TARGET_INTENSITY_BASE, where, year=company.base_year,
                                               product=it.product))
                    continue
                targets.append(TargetResult(t.year, None, "intensity", t.reduction_pct, company.base_year,
                                            at_base, at_base * keep, it.product, it.unit))
            continue
        for stage in ([t.stage] if t.stage else [*Stage, None]):
            if stage not in base:
                continue
            targets.append(TargetResult(t.year, stage, "total", t.reduction_pct, company.base_year,
                                        base[stage], base[stage] * keep))
    targets.sort(key=lambda r: (r.year, r.kind, 99 if r.stage is None else list(Stage).index(r.stage)))

    sites: dict[str, dict[Stage, float]] = {}
    for line in lines:
        if not line.factor.biogenic:
            by_stage = sites.setdefault(line.activity.site or contract.MAIN_SITE_DEFAULT, {s: 0.0 for s in Stage})
            by_stage[line.activity.stage] += line.tco2e

    return Result(
        lines=tuple(lines), stage_totals=stage_totals, total=total, shares=shares,
        intensities=tuple(intensities), targets=tuple(targets), gas_totals=dict(gas_totals),
        gas_tonnes=dict(gas_tonnes), base_year_totals=base, biogenic_co2_t=biogenic,
        scopes=scope_totals(intake, lines, library), history=history, sites=sites,
        uncertainty=assess(lines, library),
    ), findings


def intensities_of(intake: Intake, total: float) -> list[Intensity]:
    """Emissions per unit of each intensity product (its allocated share) and per 万元 of output value."""
    out: list[Intensity] = []
    for p in intake.products:
        if p.for_intensity and p.output > 0:
            out.append(Intensity(p.name, p.unit, p.output, p.allocation_pct, total * p.allocation_pct / 100 / p.output))
    if intake.company.output_value:
        out.append(Intensity(OUTPUT_VALUE_PRODUCT, OUTPUT_VALUE_UNIT, intake.company.output_value, 100.0,
                             total / intake.company.output_value))
    return out


def base_output(intake: Intake, history: History | None, product: str, unit: str) -> tuple[float, str] | None:
    """The base year's output of a product and where it comes from: the base-year history workbook's
    产品产量 (same name and unit), else this workbook's 基准年产量 column; None when neither gives it."""
    b = history.base if history else None
    if b is not None and history is not None:
        y = next((y for y in history.years if y.year == b.year and y.source == b.source), None)
        got = y.base_outputs.get(product) if y else None
        if got is not None and got[0] > 0 and units_agree(got[1], unit):
            return got[0], "history"
    p = next((p for p in intake.products if p.name == product), None)
    if p is not None and p.base_output:
        return p.base_output, "column"
    return None


def units_agree(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def base_intensity(intake: Intake, history: History | None, base_total: float | None, it: Intensity) -> float | None:
    """The base year's intensity, computed as this year's: base total × allocation / base-year output."""
    got = base_output(intake, history, it.product, it.unit)
    if got is None or base_total is None:
        return None
    return base_total * it.allocation_pct / 100 / got[0]


# ---- scopes and ISO 14064-1 categories: the same lines, classified by their factor --------------------------


def classify_lines(lines: list[EmissionLine]) -> list[EmissionLine]:
    """Each line with its scope and categories: its factor's (scopes.csv by kind, or the 排放因子 row's
    override), then the activity row's 范围 / ISO类别 over that."""
    out = []
    for line in lines:
        fac, a = line.factor, line.activity
        kind = fac.kind or fac.category or sc.infer_kind(fac)
        c = sc.combine(sc.in_stage(kind, a.stage.value, _factor_class(fac)), a.scope_override, a.iso_override)
        assert not isinstance(c, tuple), "validate reports overrides that do not fit"
        out.append(replace(line, scope=c.scope, iso_category=c.iso_category, scope3_category=c.scope3_category))
    return out


def _factor_class(fac: Factor) -> sc.Classification:
    """The factor's classification; a factor built without validate (an Intake made in code) is classified
    from its kind, or its gas and unit, as validate would."""
    if fac.scope is not None and fac.iso_category is not None:
        return sc.Classification(fac.scope, fac.iso_category, fac.scope3_category, fac.scope_basis)
    c = sc.of_kind(fac.kind or fac.category) or sc.of_kind(sc.infer_kind(fac))
    assert c is not None, "scopes.csv covers every kind infer_kind returns"
    return c


def _scope_key(scope: int | None) -> str:
    return {1: "scope1", 2: "scope2_market", 3: "scope3"}[scope or 0]


def scope_totals(intake: Intake, lines: list[EmissionLine], library: Library) -> ScopeTotals:
    """Totals by scope and category over the lines the stage totals count (biogenic CO2 apart). Scope 2 both
    ways: market-based is what the lines say (green power at zero, the rest at its residual mix);
    location-based puts each market-based electricity row at the grid average validate chose for it
    (Intake.location_factors) and every other Scope 2 row at its own factor."""
    totals = {k: 0.0 for k in SCOPE_KEYS}
    iso = {i: 0.0 for i in sc.ISO_CATEGORIES}
    by_stage = {s: {k: 0.0 for k in SCOPE_KEYS} for s in Stage}
    iso_by_stage = {s: {i: 0.0 for i in sc.ISO_CATEGORIES} for s in Stage}
    scope3: dict[int, float] = defaultdict(float)
    unclassified = 0.0
    scope2_by_activity: dict[int, tuple[Activity, float]] = {}
    for line in lines:
        if line.factor.biogenic:
            continue
        key = _scope_key(line.scope)
        stage = line.activity.stage
        totals[key] += line.tco2e
        by_stage[stage][key] += line.tco2e
        iso[line.iso_category or 0] += line.tco2e
        iso_by_stage[stage][line.iso_category or 0] += line.tco2e
        if line.scope == 3:
            if line.scope3_category:
                scope3[line.scope3_category] += line.tco2e
            else:
                unclassified += line.tco2e
        if line.scope == 2:
            a, market = scope2_by_activity.get(id(line.activity), (line.activity, 0.0))
            scope2_by_activity[id(line.activity)] = (a, market + line.tco2e)
    gwp_set = intake.company.gwp_version
    for a, market in scope2_by_activity.values():
        grid = intake.location_factors.get(a.factor_code)
        location = _at_factor(a, grid, library, gwp_set) if grid else market
        totals["scope2_location"] += location
        by_stage[a.stage]["scope2_location"] += location
    return ScopeTotals(totals=totals, iso=iso, by_stage=by_stage, iso_by_stage=iso_by_stage,
                       scope3_categories=dict(sorted(scope3.items())), unclassified_scope3=unclassified)


def _at_factor(a: Activity, rows: tuple[Factor, ...], library: Library, gwp_set: str) -> float:
    """tCO2e of one activity at another factor (E = A × EF × GWP, the activity's amount converted)."""
    t = 0.0
    for fac in rows:
        if fac.biogenic:
            continue
        k, _ = units.factor(a.unit, fac.per_unit, fac.density_t_per_m3)
        gwp = library.gwp_value(gwp_set, fac.gas)
        assert gwp is not None, "the grid averages are CO2 factors"
        t += a.amount * k * fac.value * units.mass_to_tonnes(fac.mass_unit) * gwp
    return t

def conversion_text(a: Activity, fac: Factor, conv: units.Conversion, converted: float) -> str:
    """What 单位换算 shows: every change of spelling, even one that multiplies by 1 (万方 → 万Nm3), so a
    reader sees each unit the amount passed through."""
    if units.normalize(a.unit) == units.normalize(fac.per_unit) and not conv.density_note:
        return ""
    text = f"{plain_number(a.amount, 12)} {a.unit} = {plain_number(converted)} {fac.per_unit}"
    if conv.density_note:
        text += f"（{conv.density_note}）"
    if conv.assumption == "normal-volume":
        text += "（按标况体积读取）"
    return text


def line_notes(a: Activity, fac: Factor, conv: units.Conversion, library: Library, gwp_set: str) -> str:
    notes = []
    ch4 = library.ch4_class_note(gwp_set, fac.gas)
    if ch4:
        notes.append(ch4)
    if conv.assumption == "normal-volume" and not units.states_normal_conditions(a.name, a.type, a.note, a.source):
        notes.append(f"“{a.unit}”未注明标况，按 Nm³ 读取；工况（20 ℃）计量时高估约 7.3%")
    if conv.declared:
        notes.append(f"{units.FAMILY_ZH[conv.declared]}按因子库条目声明的换算计入")
    if fac.unverified and fac.origin == "library":
        notes.append(f"含未核实参数：{fac.unverified}")
    return "；".join(notes)
