"""Earlier years: which history workbooks count, each computed as reported and recalculated, the base-year
check and the reasons a base year changed, each with its effect.

Recalculation follows the triggers of the GHG Protocol Corporate Standard ch. 5 and ISO 14064-1 6.4.2:
- structural changes: a source or a site added or removed since that year;
- methodology changes: for the same source, another factor choice, factor source (a library edition, the
  client's own factor), GWP set or calculation method.
A grid or other dated factor of a newer data year is a real change, not a trigger: the earlier year keeps
the factor of its own data year. Discovered errors are out of scope (docs/factors.md).

Sources are matched across years by stage, name (whitespace and full-width forms folded), site and unit
kind: a unit change within one kind (t → kg, kWh → MWh) is the same source, across kinds (t → L) another.
The earlier year is then recalculated source by source under this year's methodology; a source added since
takes its earlier-year amount from a 仅用于重算 row of that year's workbook (W-BASE-YEAR-SOURCE-MISSING
where none is given). The threshold test sums the absolute effects of all changes against the as-reported
base year (cumulative significance, base_year.toml); at or above it the targets use the recalculated year.
Pure: workbooks come in as RawWorkbooks read by io, the library as data.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from carbon_report.core import contract, units
from carbon_report.core.calculate import calculate
from carbon_report.core.factors import Library
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Activity,
    BaseYearCheck,
    CellRef,
    EmissionLine,
    Factor,
    FactorChoice,
    Finding,
    History,
    HistoryYear,
    Intake,
    Intensity,
    RecalcReason,
    Result,
    Stage,
)
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.rounding import plain_number, significant_decimals

HISTORY_SHEET_SOURCE = contract.HISTORY.name  # the source of a year that comes from 历史排放 rows


@dataclass(frozen=True)
class Threshold:
    pct: float
    source: str  # one line for the report and the sheet: where the number comes from


@cache
def default_threshold() -> Threshold:
    data = tomllib.loads(resources.files("carbon_report.core.factors").joinpath("base_year.toml")
                         .read_text(encoding="utf-8"))
    return Threshold(float(data["threshold_pct"]), str(data["source"]["why_zh"]))


# ---- which history workbooks count -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryWorkbook:
    """A history workbook as io read it: its file name (for messages) and its cells."""

    name: str
    raw: RawWorkbook


@dataclass(frozen=True)
class PickedWorkbook:
    name: str
    raw: RawWorkbook
    year: int


def pick_history(current: RawWorkbook, found: list[HistoryWorkbook], today: dt.date
                 ) -> tuple[list[PickedWorkbook], list[Finding]]:
    """The workbooks of this company (same 统一社会信用代码) and of an earlier year, one per year, in the
    order given. Whatever is wrong with one is a warning: the current year goes on."""
    from carbon_report.core.validate.company import read_company
    from carbon_report.core.validate.rows import Findings

    me = read_company(current, Findings(), today)
    findings: list[Finding] = []
    out: list[PickedWorkbook] = []

    def warn(code: Code, /, **fields: object) -> None:
        findings.append(Finding.of(code, **fields))

    for h in found:
        told = Findings()
        c = read_company(h.raw, told, today)
        if c is None or not c.uscc or not c.year:
            errors = [x for x in told.items if x.is_error] or [Finding.of(
                Code.E_REQUIRED_MISSING, name=contract.COMPANY_SHEET, column="统一社会信用代码")]
            warn(Code.W_HISTORY_INVALID, file=h.name, n=len(errors), first=named(errors[0]))
            continue
        if me is not None and me.uscc and c.uscc != me.uscc:
            warn(Code.W_HISTORY_COMPANY, file=h.name, other=c.uscc, name=c.name, uscc=me.uscc)
            continue
        if me is not None and me.year and c.year >= me.year:
            warn(Code.W_HISTORY_YEAR, file=h.name, year=c.year, current=me.year, other="—")
            continue
        twin = next((x for x in out if x.year == c.year), None)
        if twin is not None:
            warn(Code.W_HISTORY_YEAR, file=h.name, year=c.year, current=me.year if me else "—", other=twin.name)
            continue
        out.append(PickedWorkbook(h.name, h.raw, c.year))
    return out, findings


@dataclass(frozen=True)
class HistoryRun:
    """One history workbook validated and calculated as reported (its own 报告日期, GWP set and the edition
    it was reported with), without errors."""

    source: str
    intake: Intake
    result: Result


def run_history(picked: list[PickedWorkbook], library: Library, *, today: dt.date | None = None
                ) -> tuple[list[HistoryRun], list[Finding]]:
    """Each picked workbook through the same validation and calculation as the current one (`library`: the
    edition it was reported with). One with errors is left out with a warning."""
    from carbon_report.core.validate import validate

    covered = frozenset(p.year for p in picked)
    runs: list[HistoryRun] = []
    findings: list[Finding] = []
    for p in picked:
        intake, found = validate(p.raw, library, today=today, covered_years=covered, picture_status=lambda rel: "found")
        errors = [f for f in found if f.is_error]
        if intake is None or errors:
            first = errors[0] if errors else Finding.of(Code.E_INTERNAL, error="validate: no intake, no error")
            findings.append(Finding.of(Code.W_HISTORY_INVALID, file=p.name, n=len(errors) or 1, first=named(first)))
            continue
        runs.append(HistoryRun(p.name, intake, calculate(intake, library)[0]))
    return runs, findings


def named(f: Finding) -> str:
    """A finding of a history workbook, named within a warning about that workbook."""
    return f"{f.sheet}!{f.cell}: {f.message}" if f.sheet else f.message


# ---- matching sources across years -------------------------------------------------------------------------


SourceKey = tuple[Stage, str, str, str]


def fold(text: str) -> str:
    """A name as matching compares it: full-width forms to ASCII (NFKC), no whitespace, case folded."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def unit_kind(unit: str) -> str:
    """The unit family a source is measured in: mass, volume, freight …; energy split into electricity and
    heat (kWh and GJ are different things even though both convert to joules)."""
    kind = units.kind_of(unit) or fold(unit)
    family = units.family_of(unit)
    return f"{kind}:{family}" if kind == "energy" and family else kind


def source_key(a: Activity) -> SourceKey:
    return a.stage, fold(a.name), fold(a.site), unit_kind(a.unit)


def counted(a: Activity) -> bool:
    """Inside the boundary: 不适用 rows are outside it (a source excluded is, for matching, a source absent)."""
    return a.amount_kind != "not_applicable"


def match_sources(current: Intake, earlier: Intake) -> dict[int, Activity | None]:
    """Each counted row of the earlier year (by row number) → this year's counted row of the same source,
    or None when this year has none (removed). Several rows of one source this year: the one with the same
    factor code, else the first."""
    now: dict[SourceKey, list[Activity]] = defaultdict(list)
    for a in current.activities:
        if counted(a):
            now[source_key(a)].append(a)
    out: dict[int, Activity | None] = {}
    for b in earlier.activities:
        if not counted(b):
            continue
        same = now.get(source_key(b), [])
        out[b.row] = next((c for c in same if c.factor_code == b.factor_code), same[0] if same else None)
    return out


# ---- recalculating one earlier year ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recalculation:
    total: float
    stages: dict[Stage, float]
    reasons: tuple[RecalcReason, ...]
    choices: tuple[FactorChoice, ...]
    missing: tuple[Activity, ...]  # this year's sources the earlier year gave no amount for


def _emissions(a: Activity, factors: tuple[Factor, ...], library: Library, gwp_set: str,
               fallback_set: str) -> float | None:
    """tCO2e of an activity at factors (E = A × EF × GWP, biogenic CO2 apart); None when its unit does not
    convert to a factor's. A gas missing from `gwp_set` takes `fallback_set`'s value."""
    t = 0.0
    for fac in factors:
        if fac.biogenic:
            continue
        try:
            conv = units.conversion(a.unit, fac.per_unit, fac.density_t_per_m3, fac.declares)
        except units.UnitError:
            return None
        gwp = library.gwp_value(gwp_set, fac.gas)
        if gwp is None:
            gwp = library.gwp_value(fallback_set, fac.gas) or 0.0
        t += a.amount * conv.multiplier * fac.value * units.mass_to_tonnes(fac.mass_unit) * gwp
    return t


def _dated_change(before: tuple[Factor, ...], now: tuple[Factor, ...]) -> bool:
    """Both are library factors with a data year each (grid averages and other dated defaults), of one kind
    and of different data years: the difference is the real change from year to year (a grid's mix), not a
    change of method."""
    if not before or not now or any(f.origin != "library" for f in (*before, *now)):
        return False  # a client's own factor of another year is another factor source: a method change
    years_b = {f.data_year for f in before}
    years_n = {f.data_year for f in now}
    if None in years_b or None in years_n:
        return False
    return {f.category for f in before} == {f.category for f in now} and years_b != years_n


_YEAR_IN_NAME = re.compile(r"\s*（(?:19|20)\d{2}\s*年度?）$")  # 全国电力平均二氧化碳排放因子（2021年）
_STANDARD_YEAR = re.compile(r"(?:GB|GB/T|HJ|JGJ|DB\d*/T|T/[A-Z]+)\s*[\d.]+\s*[-—–]\s*((?:19|20)\d{2})(?!\d)")
GWP_SETS_ZH = {"SAR": "IPCC 第二次评估报告（SAR）", "AR4": "IPCC 第四次评估报告（AR4）",
               "AR5": "IPCC 第五次评估报告（AR5）", "AR6": "IPCC 第六次评估报告（AR6）"}


def significant(value: float, digits: int = 4) -> str:
    """A factor value as the report prints factors: four significant digits (0.5306, 2.000, 2,340)."""
    if value == 0:
        return "0"
    d = significant_decimals(value, digits, least=0, most=12)
    return f"{value:,.{d}f}"


def factor_name(f: Factor) -> str:
    """The factor's Chinese name without a trailing data year, which the edition then says once."""
    return _YEAR_IN_NAME.sub("", f.name.strip()) or "企业提供的排放因子"


def factor_edition(f: Factor) -> str:
    """The edition a client knows a factor by: the client's own factor, or the year of the edition it was
    published in (the data year of a yearly factor such as the grid average, else the year it was published,
    else the year in its standard's designation: GB/T 51366-2019 → 2019 年版)."""
    if f.origin == "workbook":
        return "企业提供"
    year = f.data_year or (f.published.year if f.published else None)
    if year is None:
        m = _STANDARD_YEAR.search(f.source or "")
        year = int(m.group(1)) if m else None
    return f"{year} 年版" if year else "排放因子库"


def _shown(factors: tuple[Factor, ...]) -> list[Factor]:
    return [f for f in factors if not f.biogenic] or list(factors)


def _values(factors: tuple[Factor, ...]) -> str:
    return "、".join(f"{significant(f.value)} {f.unit}" for f in _shown(factors))


def factor_label(factors: tuple[Factor, ...]) -> str:
    """A factor as a client reads it: name, value(s) with unit and edition year (no code, no file):
    “全国电力平均二氧化碳排放因子”0.5306 kgCO2/kWh（2023 年版）."""
    head = _shown(factors)[0]
    return f"“{factor_name(head)}”{_values(factors)}（{factor_edition(head)}）"


def factor_change(before: tuple[Factor, ...], after: tuple[Factor, ...], then_version: str, now_version: str
                  ) -> str:
    """'全国电力平均二氧化碳排放因子由 0.5568 kgCO2/kWh（2021 年版）调整为 0.5306 kgCO2/kWh（2023 年版）': the
    name once when it is the same factor, the unit once when only the value moved."""
    hb, ha = _shown(before)[0], _shown(after)[0]
    nb, na = factor_name(hb), factor_name(ha)
    eb, ea = factor_edition(hb), factor_edition(ha)
    if nb != na or hb.origin != ha.origin:
        return f"排放因子由{factor_label(before)}调整为{factor_label(after)}"
    one_each = len(_shown(before)) == len(_shown(after)) == 1
    if one_each and hb.unit == ha.unit and eb == ea:
        if significant(hb.value) == significant(ha.value):
            return f"{na}（{ea}）的取值不变，计算口径按本年度调整"
        tail = ea
        if then_version and now_version and then_version != now_version and ha.origin == "library":
            tail += f"，排放因子库由 {then_version} 版更新为 {now_version} 版"
        return f"{na}由 {significant(hb.value)} 调整为 {significant(ha.value)} {ha.unit}（{tail}）"
    return f"{na}由 {_values(before)}（{eb}）调整为 {_values(after)}（{ea}）"


def _same_factor(a: tuple[Factor, ...], b: tuple[Factor, ...]) -> bool:
    return sorted((f.code, f.gas, f.value, f.unit) for f in a) == sorted((f.code, f.gas, f.value, f.unit) for f in b)


def _where(a: Activity, sites: bool = False) -> str:
    """A source as a client names it: stage and name, and its site where the company has several."""
    return f"{a.stage.short_zh}“{a.name}”" + (f"（{a.site}）" if sites and a.site else "")


def _t(x: float) -> str:
    return f"{x:+,.2f} tCO2e"


def _effect(x: float) -> str:
    return f"影响 {_t(x)}"


def _lead(year: int, what: str) -> str:
    """'2023 年排放量按本年度因子重算：' — every reason says which year and what kind of change."""
    return f"{year} 年排放量按本年度{what}重算："


def recalculate(current: Intake, run: HistoryRun, library: Library, then_version: str) -> Recalculation:
    """The earlier year under this year's methodology and boundary, source by source, and the reasons
    with their effects (which add up to recalculated − as reported). `library` is this run's edition;
    `then_version` the edition the earlier year was reported with."""
    earlier, reported = run.intake, run.result
    year = earlier.company.year
    set_then, set_now = earlier.company.gwp_version, current.company.gwp_version
    matches = match_sources(current, earlier)
    lines_of: dict[int, list[EmissionLine]] = defaultdict(list)
    for ln in reported.lines:
        lines_of[ln.activity.row].append(ln)
    stages = dict(reported.stage_totals)
    reasons: list[RecalcReason] = []
    choices: list[FactorChoice] = []
    gwp_effect: dict[Stage, float] = defaultdict(float)
    matched_now: set[int] = set()
    sites_now = {fold(a.site) for a in current.activities if counted(a)}
    several = len(sites_now | {fold(a.site) for a in earlier.activities if counted(a)}) > 1

    # the main site (a blank 场所) is the company's address: a reason names only the other sites
    mains = {fold(i.company.text("address") or contract.MAIN_SITE_DEFAULT) for i in (current, earlier)}

    def where(a: Activity) -> str:
        return _where(a, several and fold(a.site) not in mains)

    for b in earlier.activities:
        if not counted(b):
            continue
        e_rep = 0.0 if b.recalc_only else sum(ln.tco2e for ln in lines_of[b.row] if not ln.factor.biogenic)
        f_then = earlier.factors.get(b.factor_code, ())
        c = matches.get(b.row)
        target: tuple[Factor, ...] | None = None
        why = ""
        if c is not None:
            f_now = current.factors.get(c.factor_code, ())
            if not f_now:
                target, why = f_then, "本年度该源无数据、无因子，沿用该年的因子"
            elif _dated_change(f_then, f_now):
                target, why = _own_year(b, f_then, year, library, current.factor_date)
            else:
                target = f_now
                why = ("与本年度相同的因子" if _same_factor(f_then, f_now)
                       else "按本年度的因子（方法变更）")
            e_new = _emissions(b, target, library, set_now, set_then)
            if e_new is None:  # the earlier unit does not meet this year's factor: another source after all
                c = None
            else:
                matched_now.add(c.row)
        if c is None:
            if b.recalc_only:
                continue  # base-year data for a source this year does not have: nothing to add it to
            gone = fold(b.site) not in sites_now
            excluded_now = any(not counted(a) and source_key(a) == source_key(b) for a in current.activities)
            what = (f"场所“{b.site}”不在本年度边界内，扣除其{_where(b)}" if gone
                    else f"{where(b)}本年度为“不适用”（不在核算边界内），扣除其" if excluded_now
                    else f"{where(b)}本年度不再是排放源，扣除其")
            reasons.append(RecalcReason(
                "structural", f"{_lead(year, '边界')}{what}在 {year} 年原报告中的 {e_rep:,.2f} tCO2e，"
                f"{_effect(-e_rep)}", -e_rep, b.stage))
            stages[b.stage] -= e_rep
            continue
        assert target is not None and e_new is not None
        e_fac = _emissions(b, target, library, set_then, set_now)
        assert e_fac is not None, "the same units converted just above"
        choices.append(FactorChoice(b.stage, b.name, b.site, factor_label(target), why))
        if b.recalc_only:
            reasons.append(RecalcReason(
                "structural", f"{_lead(year, '边界')}{where(b)}本年度计入，{year} 年原报告未计入（本年度新增或该年"
                f"不适用），按补充提供的 {year} 年数量 {plain_number(b.amount, 6)} {b.unit} 计入，{_effect(e_new)}",
                e_new, b.stage, c.row))
            stages[b.stage] += e_new
            continue
        if b.amount_kind == "value" and (not _same_factor(f_then, target) or e_fac != e_rep):
            # another factor of the same kind is a factor update; the client's own factor for a library one
            # (or the reverse) is a change of method
            what = "因子" if {f.origin for f in f_then} == {f.origin for f in target} else "方法"
            reasons.append(RecalcReason(
                "methodology", f"{_lead(year, what)}{where(b)}的"
                f"{factor_change(f_then, target, then_version, library.version)}，{_effect(e_fac - e_rep)}",
                e_fac - e_rep, b.stage, c.row))
            stages[b.stage] += e_fac - e_rep
        gwp_effect[b.stage] += e_new - e_fac
        stages[b.stage] += e_new - e_fac

    if set_then != set_now:
        total_gwp = sum(gwp_effect.values())
        reasons.append(RecalcReason(
            "methodology", f"{_lead(year, '方法')}全球增温潜势（GWP）由 {GWP_SETS_ZH.get(set_then, set_then)}的取值改为"
            f"本年度采用的 {GWP_SETS_ZH.get(set_now, set_now)}的取值，{_effect(total_gwp)}", total_gwp, None))

    missing: list[Activity] = []
    excluded_then = {source_key(b) for b in earlier.activities if not counted(b)}
    for c in current.activities:
        if not counted(c) or c.recalc_only or c.row in matched_now:
            continue
        then_excluded = source_key(c) in excluded_then
        how = f"{year} 年为“不适用”" if then_excluded else f"{year} 年的数据中没有该排放源"
        missing.append(c)
        shared = f"{_lead(year, '边界')}{{}}本年度计入，{how}，且未补充提供该年数量，按 0 计，{_effect(0.0)}"
        reasons.append(RecalcReason("structural", shared.format(where(c)), 0.0, c.stage, c.row,
                                    shared=shared, subject=where(c)))
    return Recalculation(sum(stages.values()), stages, tuple(reasons), tuple(choices), tuple(missing))


def _own_year(b: Activity, f_then: tuple[Factor, ...], year: int, library: Library, on: dt.date | None
              ) -> tuple[tuple[Factor, ...], str]:
    """A dated factor in an earlier year: the factor of that year's own data year from this edition. A row
    that named its code keeps it (this edition's values); a row whose code was chosen by name takes the
    name's default of the year's own data year published by this report's date, never an older data year
    than it had."""
    head = f_then[0]
    code = head.code
    if b.factor_by_name and head.origin == "library":
        own = library.own_year(b.name, year, on)
        if own is not None and (library.factors[own][0].data_year or 0) > (head.data_year or 0):
            code = own
    now = library.factors.get(code) if head.origin == "library" else None
    chosen = now or f_then
    dy = chosen[0].data_year
    return chosen, (f"按该年自身数据年份（{dy} 年）的因子：电网等按年度发布的因子反映各年的实际变化，"
                    "不随本年度的因子更新")


# ---- the history of a run ----------------------------------------------------------------------------------


def _excluded(intake: Intake) -> tuple[str, ...]:
    return tuple(f"{a.stage.short_zh}：{a.name}" for a in intake.activities if a.amount_kind == "not_applicable")


def _intensities(intake: Intake, total: float) -> tuple[Intensity, ...]:
    from carbon_report.core.calculate import intensities_of

    return tuple(intensities_of(intake, total))


def year_of_run(run: HistoryRun, recalc: Recalculation) -> HistoryYear:
    ri, rr = run.intake, run.result
    return HistoryYear(
        year=ri.company.year, source=run.source, reported_total=rr.total, reported_stages=dict(rr.stage_totals),
        recalculated_total=recalc.total, recalculated_stages=recalc.stages,
        intensities=_intensities(ri, recalc.total), reported_factor_date=ri.factor_date,
        reported_gwp=ri.company.gwp_version, excluded=_excluded(ri), reasons=recalc.reasons,
        factor_choices=recalc.choices,
        base_outputs={p.name: (p.output, p.unit) for p in ri.products if p.output > 0},
        quantified=frozenset(a.stage for a in ri.activities if a.amount_kind == "value"))


def years_of_rows(intake: Intake, skip: set[int]) -> list[HistoryYear]:
    """Years of 历史排放 that no history workbook covers: the total row, or the sum of the stage rows."""
    out = []
    for year in sorted({h.year for h in intake.history} - skip):
        if year >= intake.company.year:
            continue
        rows = [h for h in intake.history if h.year == year]
        total_rows = [h.tco2e for h in rows if h.stage is None]
        stage_rows = [h for h in rows if h.stage is not None]
        stages = None
        if stage_rows:
            stages = {s: sum(h.tco2e for h in stage_rows if h.stage == s) for s in Stage}
        total = total_rows[0] if total_rows else sum(h.tco2e for h in stage_rows)
        out.append(HistoryYear(year, HISTORY_SHEET_SOURCE, total, stages))
    return out


def significance(reported: float, effects: list[float], threshold_pct: float) -> tuple[float | None, bool]:
    """Cumulative significance: Σ |effect| against the as-reported base year, in percent, and whether it is
    at or above the threshold. A reported total of 0 gives no percentage: any effect is then significant."""
    moved = sum(abs(e) for e in effects)
    if reported == 0:
        return None, moved > 0
    pct = moved / abs(reported) * 100
    return pct, pct >= threshold_pct


def build_history(current: Intake, runs: list[HistoryRun], threshold: Threshold, library: Library,
                  then_version: str | None = None) -> tuple[History, list[Finding]]:
    """The earlier years oldest first, and the base-year check when the base year has a history workbook."""
    c = current.company
    recalcs = {r.source: recalculate(current, r, library, then_version or r.intake.library_version) for r in runs}
    years = [year_of_run(r, recalcs[r.source]) for r in runs]
    by_workbook = {y.year: y.source for y in years}
    years += years_of_rows(current, set(by_workbook))
    years.sort(key=lambda y: y.year)
    findings: list[Finding] = [
        Finding.of(Code.W_HISTORY_ROW_SUPERSEDED, CellRef(contract.HISTORY.name, f"A{h.row}"), row=h.row, year=h.year,
                   file=by_workbook[h.year])
        for h in current.history if h.year in by_workbook]
    base = None
    run = next((r for r in runs if r.intake.company.year == c.base_year), None)
    if run is not None and c.base_year != c.year:
        recalc = recalcs[run.source]
        reported, recalculated = run.result.total, recalc.total
        diff = (recalculated - reported) / reported * 100 if reported else None
        cumulative, significant = significance(reported, [x.effect_tco2e for x in recalc.reasons], threshold.pct)
        base = BaseYearCheck(c.base_year, run.source, reported, recalculated, diff, threshold.pct, significant,
                             tuple(x.description for x in recalc.reasons), cumulative, recalc.reasons)
        for a in recalc.missing:
            fill = f"阶段“{a.stage.short_zh}”、名称“{a.name}”" + (f"、场所“{a.site}”" if a.site else "")
            findings.append(Finding.of(Code.W_BASE_YEAR_SOURCE_MISSING, a.amount_cell, source=_where(a),
                                       year=c.base_year, file=run.source, fill=fill))
        if significant:
            where = c.refs.get("base_year", CellRef(contract.COMPANY_SHEET, "A1"))
            findings.append(Finding.of(
                Code.W_BASE_YEAR_RECALCULATED, where, year=c.base_year, total=plain_number(recalculated, 4),
                reported=plain_number(reported, 4), pct=pct_text(diff),
                moved=plain_number(sum(abs(x.effect_tco2e) for x in recalc.reasons), 4),
                cumulative=pct_text(cumulative, signed=False), threshold=f"{threshold.pct:g}"))
    return History(tuple(years), base, threshold.pct, threshold.source), findings


def pct_text(diff: float | None, *, signed: bool = True) -> str:
    if diff is None:
        return "—"
    return f"{diff:+.2f}%" if signed else f"{diff:.2f}%"
