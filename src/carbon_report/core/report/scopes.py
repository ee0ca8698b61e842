"""The report's scope section (after 2.3.3): the six stages by GHG Protocol scope, Scope 2 both ways, and by
ISO 14064-1 category. Every figure comes from Result.scopes, which classifies the same lines as the stage
totals, so the 合计 row here is the total of 表 A.1."""

from __future__ import annotations

from carbon_report.core.factors.scopes import class_names
from carbon_report.core.model import STAGES, Intake, Result
from carbon_report.core.report import numbers as fmt
from carbon_report.core.report.text import text_of
from carbon_report.core.report.views import IsoName, IsoRow, ScopeRow, ScopesView

ISO_NUMBERS = (1, 2, 3, 4, 5, 6)


def scopes_view(intake: Intake, result: Result) -> ScopesView | None:
    """`scopes` for the template: rows of the stage × scope and stage × category tables (texts), the
    category names, and one sentence with the headline figures."""
    sc = result.scopes
    if sc is None:
        return None
    quantified = {s: any(a.stage == s and a.amount_kind == "value" for a in intake.activities) for s in STAGES}

    def cell(value: float, shown: bool = True) -> str:
        return fmt.fmt_tco2e(value) if shown else fmt.NO_VALUE

    scope_rows = []
    iso_rows = []
    for s in STAGES:
        q = quantified[s]
        by = sc.by_stage[s]
        scope_rows.append(ScopeRow(s.long_zh, cell(by["scope1"], q), cell(by["scope2_location"], q),
                                   cell(by["scope2_market"], q), cell(by["scope3"], q),
                                   cell(result.stage_totals[s], q)))
        iso_rows.append(IsoRow(s.long_zh, tuple(cell(sc.iso_by_stage[s][n], q) for n in ISO_NUMBERS),
                               cell(result.stage_totals[s], q)))
    t = sc.totals
    scope_rows.append(ScopeRow("合计", cell(t["scope1"]), cell(t["scope2_location"]), cell(t["scope2_market"]),
                               cell(t["scope3"]), cell(result.total)))
    iso_rows.append(IsoRow("合计", tuple(cell(sc.iso[n]) for n in ISO_NUMBERS), cell(result.total)))
    names = class_names()
    summary = (f"按 GHG Protocol 核算范围：范围一 {fmt.fmt_tco2e(t['scope1'])} tCO2e，范围二 "
               f"{fmt.fmt_tco2e(t['scope2_market'])} tCO2e（市场法；位置法 {fmt.fmt_tco2e(t['scope2_location'])} "
               f"tCO2e），范围三 {fmt.fmt_tco2e(t['scope3'])} tCO2e；三者之和（范围二取市场法）即企业碳排放总量 "
               f"{fmt.fmt_tco2e(result.total)} tCO2e。")
    # GHG Protocol's Scope 3 categories are always "范围三第 N 类", never "类别 N" (that is ISO 14064-1's)
    scope3 = [f"范围三第 {n} 类（{names.get(('scope3', n), n)}）{fmt.fmt_tco2e(v)} tCO2e"
              for n, v in sc.scope3_categories.items() if v > 0]
    return ScopesView(
        scope_rows=tuple(scope_rows),
        iso_rows=tuple(iso_rows),
        iso_names=tuple(IsoName(n, names[("iso", n)]) for n in ISO_NUMBERS),
        summary=text_of(summary),
        scope3_detail=text_of(("其中" + "，".join(scope3) + "。") if scope3 else ""),
    )
