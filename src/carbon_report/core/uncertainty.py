"""Uncertainty by IPCC 2006 Guidelines Vol.1 ch.3, Approach 1 (error propagation), as issue 16 states it.

Per emission line (an activity × a gas): U = sqrt(U_A² + U_EF²), the product rule for E = A × EF.
Per stage and for the total: U = sqrt(Σ (U_i × E_i)²) / |Σ E_i|, the summation rule for uncorrelated terms.
U is in percent, half the 95 % confidence interval. The rules were read as the GHG Management Institute /
UNFCCC training course states them ("Product Rule", "Summation Rule", U "half the 95% confidence range in
percentage points"); the chapter's own equations 3.1 and 3.2 were not read in the original. Approach 1
assumes uncorrelated, roughly normal inputs: lines of one activity (CO2, CH4, N2O of one fuel) share their
activity data, which the issue's per-line rule treats as independent.

U_A is the row's 不确定度(%), or the default of its 数据质量 tier (core/factors/uncertainty_defaults.csv);
U_EF is the factor's where its source gives one, else 0 (and the factor is listed as not included). Pure.
"""

from __future__ import annotations

import math

from carbon_report.core.model import EmissionLine, LineUncertainty, Stage, Uncertainty

MEASURED = "实测"


def line_uncertainty(u_activity: float, u_factor: float) -> float:
    return math.sqrt(u_activity ** 2 + u_factor ** 2)


def combined(terms: list[tuple[float, float]]) -> float | None:
    """sqrt(Σ (U_i × E_i)²) / |Σ E_i| over (U_i %, E_i) pairs; None when the E_i add up to 0."""
    total = sum(e for _, e in terms)
    if total == 0:
        return None
    return math.sqrt(sum((u * e) ** 2 for u, e in terms)) / abs(total)


def assess(lines: list[EmissionLine] | tuple[EmissionLine, ...]) -> Uncertainty | None:
    """Approach 1 over the lines the totals count. None when no row carries an uncertainty (a workbook
    without 数据质量 / 不确定度: nothing to assess)."""
    counted = [ln for ln in lines if not ln.factor.biogenic]
    if not any(ln.activity.uncertainty_pct is not None for ln in counted):
        return None
    out: list[LineUncertainty] = []
    without: list[str] = []
    for ln in counted:
        u_a = ln.activity.uncertainty_pct or 0.0
        u_ef = ln.factor.uncertainty_pct
        if u_ef is None:
            if ln.factor.code not in without:
                without.append(ln.factor.code)
            u_ef = 0.0
        out.append(LineUncertainty(ln, u_a, u_ef, line_uncertainty(u_a, u_ef)))
    stages = {s: combined([(x.u_line, x.line.tco2e) for x in out if x.line.activity.stage == s]) for s in Stage}
    total = combined([(x.u_line, x.line.tco2e) for x in out])
    measured: dict[Stage | None, float | None] = {}
    for s in (*Stage, None):
        mine = [x.line for x in out if s is None or x.line.activity.stage == s]
        e = sum(ln.tco2e for ln in mine)
        measured[s] = sum(ln.tco2e for ln in mine if ln.activity.quality == MEASURED) / e if e else None
    defaults = len({id(ln.activity) for ln in counted if ln.activity.uncertainty_basis == "default"})
    return Uncertainty(total_pct=total, stages=stages, lines=tuple(out), measured_share=measured,
                       factors_without=tuple(without), defaults_used=defaults)
