"""E = Σ_i Σ_j A_i × EF_ij × GWP_j, then stage totals, shares, intensities and targets.

Pure arithmetic over a validated Intake: every unit, factor and GWP was resolved by validate.py, so the
only findings made here are about the result itself (a zero total).
"""

from __future__ import annotations

from collections import defaultdict

from carbon_report.core import contract, units
from carbon_report.core.factors import Library
from carbon_report.core.model import (
    Activity,
    EmissionLine,
    Factor,
    Finding,
    Intake,
    Intensity,
    Result,
    Stage,
    TargetResult,
)

OUTPUT_VALUE_PRODUCT = "工业总产值"
OUTPUT_VALUE_UNIT = "万元"


def calculate(intake: Intake, library: Library) -> tuple[Result, list[Finding]]:
    findings: list[Finding] = []
    gwp_set = intake.company.gwp_version
    lines: list[EmissionLine] = []
    for a in intake.activities:
        for fac in intake.factors.get(a.factor_code, ()):
            conv = units.conversion(a.unit, fac.per_unit, fac.density_t_per_m3, fac.declares)
            converted = a.amount * conv.multiplier
            gas_t = converted * fac.value * units.mass_to_tonnes(fac.mass_unit)
            gwp = library.gwp_value(gwp_set, fac.gas)
            assert gwp is not None, "validate.py reports a gas missing from the GWP set"
            lines.append(EmissionLine(a, fac, converted, conversion_text(a, fac, conv, converted), gas_t, gwp,
                                      gas_t * gwp, line_notes(a, fac, conv, library, gwp_set)))

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
        findings.append(Finding("warning", contract.ACTIVITIES.name, "A1", "W-TOTAL-ZERO",
                                "排放总量为 0，无法计算各阶段占比"))

    intensities: list[Intensity] = []
    for p in intake.products:
        if p.for_intensity and p.output > 0:
            intensities.append(Intensity(p.name, p.unit, p.output, p.allocation_pct,
                                         total * p.allocation_pct / 100 / p.output))
    if intake.company.output_value:
        intensities.append(Intensity(OUTPUT_VALUE_PRODUCT, OUTPUT_VALUE_UNIT, intake.company.output_value, 100.0,
                                     total / intake.company.output_value))

    base: dict[Stage | None, float] = {}
    company = intake.company
    if company.base_year == company.year:
        base = {**stage_totals, None: total}
    else:
        for h in intake.history:
            if h.year == company.base_year:
                base[h.stage] = base.get(h.stage, 0.0) + h.tco2e

    targets: list[TargetResult] = []
    for t in intake.targets:
        keep = 1 - t.reduction_pct / 100
        if t.kind == "intensity":
            for it in intensities:
                if it.product == OUTPUT_VALUE_PRODUCT or company.base_year != company.year:
                    continue
                targets.append(TargetResult(t.year, None, "intensity", t.reduction_pct, company.base_year,
                                            it.tco2e_per_unit, it.tco2e_per_unit * keep, it.product, it.unit))
            continue
        for stage in ([t.stage] if t.stage else [*Stage, None]):
            if stage not in base:
                continue
            targets.append(TargetResult(t.year, stage, "total", t.reduction_pct, company.base_year,
                                        base[stage], base[stage] * keep))
    targets.sort(key=lambda r: (r.year, r.kind, 99 if r.stage is None else list(Stage).index(r.stage)))

    for a in intake.activities:
        if a.amount_kind == "value" and not a.factor_code:
            findings.append(Finding("warning", a.amount_cell.sheet, a.amount_cell.cell, "W-NO-FACTOR",
                                    f"“{a.name}”没有排放因子，未计入排放"))
    return Result(
        lines=tuple(lines), stage_totals=stage_totals, total=total, shares=shares,
        intensities=tuple(intensities), targets=tuple(targets), gas_totals=dict(gas_totals),
        gas_tonnes=dict(gas_tonnes), base_year_totals=base, biogenic_co2_t=biogenic,
    ), findings



def conversion_text(a: Activity, fac: Factor, conv: units.Conversion, converted: float) -> str:
    """What 单位换算 shows: every change of spelling, even one that multiplies by 1 (万方 → 万Nm3), so a
    reader sees each unit the amount passed through."""
    if units.normalize(a.unit) == units.normalize(fac.per_unit) and not conv.density_note:
        return ""
    text = f"{a.amount:g} {a.unit} = {converted:.6g} {fac.per_unit}"
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
