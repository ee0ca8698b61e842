"""Uncertainty by IPCC 2006 Guidelines Vol.1 ch.3, Approach 1 (error propagation), with correlated terms
combined as correlated (issue 25).

Per emission line (an activity × a gas): U = sqrt(U_A² + U_EF² + U_GWP²), the product rule for
E = A × EF × GWP. U is in percent, half the 95 % confidence interval. The product and summation rules were
read as the GHG Management Institute / UNFCCC training course states them ("Product Rule", "Summation Rule",
U "half the 95% confidence range in percentage points"; "cannot easily deal with correlations").

Sums: Approach 1 "assumes that categories and gases are uncorrelated, or are aggregated until the aggregated
categories can be treated as uncorrelated" (IPCC 2006 Vol.1 ch.3, Approach 1 trend equations, as reproduced
on climate-policy-watcher.org). So the correlated parts are aggregated first and only then added in
quadrature: the lines of one activity (its CO2, CH4 and N2O) share one activity amount, so U_A applies to
their sum; the lines that use one factor (code and gas) share that factor's error, so U_EF applies to their
sum; the lines of one gas share its GWP. For a stage or the total:
    U = sqrt( Σ_activity (U_A·E_a)² + Σ_factor (U_EF·E_f)² + Σ_gas (U_GWP·E_g)² ) / |Σ E|.

U_A is the row's 不确定度(%), or the default of its 数据质量 tier (uncertainty_defaults.csv). U_EF is the
factor's own (排放因子 sheet, factor_uncertainty.csv), else for a library factor its family's default
(uncertainty_families.csv, cited or this tool's assumption), else 0 and the factor is listed as not
included. U_GWP is the gas's default (uncertainty_families.csv), 0 for CO2 and CO2e. Pure.
"""

from __future__ import annotations

import math
from collections import defaultdict

from carbon_report.core.factors import Library, UncertaintyFamily
from carbon_report.core.model import EmissionLine, LineUncertainty, Stage, Uncertainty, UncertaintyFamilyUse

MEASURED = "实测"


def line_uncertainty(u_activity: float, u_factor: float, u_gwp: float = 0.0) -> float:
    return math.sqrt(u_activity ** 2 + u_factor ** 2 + u_gwp ** 2)


def combined(terms: list[tuple[float, float]]) -> float | None:
    """sqrt(Σ (U_i × E_i)²) / |Σ E_i| over uncorrelated (U_i %, E_i) pairs; None when the E_i add up to 0."""
    total = sum(e for _, e in terms)
    if total == 0:
        return None
    return math.sqrt(sum((u * e) ** 2 for u, e in terms)) / abs(total)


def correlated(lines: list[LineUncertainty]) -> float | None:
    """The uncertainty of a sum of lines with their correlated parts aggregated first (module docstring)."""
    total = sum(x.line.tco2e for x in lines)
    if total == 0:
        return None
    by_activity: dict[int, list[LineUncertainty]] = defaultdict(list)
    by_factor: dict[tuple[str, str], list[LineUncertainty]] = defaultdict(list)
    by_gas: dict[str, list[LineUncertainty]] = defaultdict(list)
    for x in lines:
        by_activity[id(x.line.activity)].append(x)
        by_factor[(x.line.factor.code, x.line.factor.gas)].append(x)
        by_gas[x.line.factor.gas].append(x)
    var = 0.0
    for group in by_activity.values():
        var += (group[0].u_activity * sum(x.line.tco2e for x in group)) ** 2
    for group in by_factor.values():
        var += (group[0].u_factor * sum(x.line.tco2e for x in group)) ** 2
    for group in by_gas.values():
        var += (group[0].u_gwp * sum(x.line.tco2e for x in group)) ** 2
    return math.sqrt(var) / abs(total)


def assess(lines: list[EmissionLine] | tuple[EmissionLine, ...], library: Library | None = None) -> Uncertainty | None:
    """Approach 1 over the lines the totals count. None when no row carries an uncertainty (a workbook
    without 数据质量 / 不确定度: nothing to assess). Without `library`, no family defaults apply."""
    counted = [ln for ln in lines if not ln.factor.biogenic]
    if not any(ln.activity.uncertainty_pct is not None for ln in counted):
        return None
    out: list[LineUncertainty] = []
    without: list[str] = []
    families: dict[str, UncertaintyFamily] = {}
    for ln in counted:
        u_a = ln.activity.uncertainty_pct or 0.0
        u_ef = ln.factor.uncertainty_pct
        basis = "given" if u_ef is not None else ""
        if u_ef is None and library is not None:
            fam = library.factor_family(ln.factor)
            if fam is not None:
                u_ef, basis = fam.pct, fam.family
                families[fam.family] = fam
        if u_ef is None:
            if ln.factor.code not in without:
                without.append(ln.factor.code)
            u_ef = 0.0
        u_gwp, gwp_basis = 0.0, ""
        gwp = library.gwp_family(ln.factor.gas) if library is not None else None
        if gwp is not None:
            u_gwp, gwp_basis = gwp.pct, gwp.family
            families[gwp.family] = gwp
        out.append(LineUncertainty(ln, u_a, u_ef, line_uncertainty(u_a, u_ef, u_gwp), u_gwp, basis, gwp_basis))
    stages = {s: correlated([x for x in out if x.line.activity.stage == s]) for s in Stage}
    total = correlated(out)
    measured: dict[Stage | None, float | None] = {}
    for s in (*Stage, None):
        mine = [x.line for x in out if s is None or x.line.activity.stage == s]
        e = sum(ln.tco2e for ln in mine)
        measured[s] = sum(ln.tco2e for ln in mine if ln.activity.quality == MEASURED) / e if e else None
    defaults = len({id(ln.activity) for ln in counted if ln.activity.uncertainty_basis == "default"})
    used = tuple(UncertaintyFamilyUse(f.family, f.label, f.pct, f.status, f.source)
                 for f in sorted(families.values(), key=lambda f: (not f.cited, f.family)))
    return Uncertainty(total_pct=total, stages=stages, lines=tuple(out), measured_share=measured,
                       factors_without=tuple(without), defaults_used=defaults, families=used)
