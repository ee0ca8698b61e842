"""范围 / ISO类别: the optional scope overrides of 活动数据 and 排放因子, the classification of workbook
factors, and the grid average behind each Scope 2 location-based figure."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from carbon_report.core import contract, units
from carbon_report.core.factors import Library
from carbon_report.core.factors import scopes as sc
from carbon_report.core.findings import Code
from carbon_report.core.model import Activity, CellRef, Factor
from carbon_report.core.raw import RawRow, RawTable, RawWorkbook
from carbon_report.core.validate.rows import Findings, ref


def read_overrides(row: RawRow, table: RawTable, f: Findings) -> tuple[int | None, int | None, bool]:
    """(范围, ISO类别, ok) of one row; an unknown value is an error on its cell."""
    ok = True
    scope = sc.parse_scope(row.value("scope"))
    if isinstance(scope, str):
        f.error(ref(row, table, "scope"), Code.E_SCOPE_UNKNOWN, value=scope)
        scope, ok = None, False
    iso = sc.parse_iso(row.value("iso_category"))
    if isinstance(iso, str):
        f.error(ref(row, table, "iso_category"), Code.E_ISO_CATEGORY_UNKNOWN, value=iso)
        iso, ok = None, False
    return scope, iso, ok


def _override_cell(row: RawRow, table: RawTable) -> CellRef:
    """Where a pair of overrides that do not fit is reported: the ISO类别 cell, or 范围 without that column."""
    return ref(row, table, "iso_category" if "iso_category" in table.columns else "scope")


def classify_workbook_factor(factor: Factor, library: Library, row: RawRow, table: RawTable,
                             f: Findings) -> Factor | None:
    """A workbook factor with its scope and category: the library kind of the same code (the code means the
    same source), otherwise a kind read from its gas and unit; then its row's 范围 / ISO类别. None (with an
    error) when the overrides are wrong."""
    same_code = library.lookup(factor.code) or ()
    lib = next((x for x in same_code if x.gas == factor.gas), same_code[0] if same_code else None)
    base: sc.Classification | None = None
    if lib is not None and lib.kind:
        kind = lib.kind
        base = sc.of_kind(kind)
    if base is None:
        kind = sc.infer_kind(factor)
        c = sc.of_kind(kind)
        assert c is not None, f"scopes.csv has no row for the inferred kind {kind}"
        base = replace(c, basis="inferred")
    scope, iso, ok = read_overrides(row, table, f)
    if not ok:
        return None
    c2 = sc.combine(base, scope, iso)
    if isinstance(c2, tuple):
        code, fields = c2
        f.error(_override_cell(row, table), code, name=factor.code, **fields)
        return None
    return replace(factor, scope=c2.scope, iso_category=c2.iso_category, scope3_category=c2.scope3_category,
                   kind=kind, scope_basis=c2.basis)


def check_classification(activities: list[Activity], factors: dict[str, tuple[Factor, ...]],
                         library: Library, report_day: dt.date, raw: RawWorkbook,
                         f: Findings) -> dict[str, tuple[Factor, ...]]:
    """Every activity's overrides against its factor, one warning per workbook factor whose class was read
    from its gas and unit, and the grid average each market-based electricity code's location-based figure
    uses (returned: market code → factor rows)."""
    table = raw.tables.get(contract.ACTIVITIES.name)
    col = table.columns if table else {}
    told: set[str] = set()
    location: dict[str, tuple[Factor, ...]] = {}
    for a in activities:
        facs = factors.get(a.factor_code, ()) if a.factor_code else ()
        for fac in facs:
            base = sc.Classification(fac.scope or 0, fac.iso_category or 0, fac.scope3_category, fac.scope_basis)
            if fac.scope is None:
                continue
            c = sc.combine(base, a.scope_override, a.iso_override)
            if isinstance(c, tuple):
                code, fields = c
                letter = col.get("iso_category") or col.get("scope") or "A"
                f.error(CellRef(a.amount_cell.sheet, f"{letter}{a.row}"), code, name=a.name, **fields)
                break
        inferred = [x for x in facs if x.scope_basis == "inferred" and x.kind in sc.GUESSED_KINDS]
        if inferred and a.scope_override is None and a.iso_override is None and a.factor_code not in told:
            told.add(a.factor_code)
            x = inferred[0]
            f.warn(x.ref or CellRef(contract.FACTORS.name, "A1"), Code.W_SCOPE_INFERRED,
                   code=x.code, kind=sc.scope_classes()[x.kind].label, scope=x.scope, category=x.iso_category)
        if facs and a.amount_kind == "value" and a.factor_code not in location:
            needed, found = _location_factor(a, facs, factors, library, report_day)
            where = CellRef(a.amount_cell.sheet, f"{col.get('factor_code', 'A')}{a.row}")
            if found:
                location[a.factor_code] = found
                first = found[0]
                f.warn(where, Code.W_SCOPE2_LOCATION,
                       name=a.name, market=a.factor_code, code=first.code,
                       factor=f"{first.name}，{first.value:g} {first.unit}")
            elif needed:
                location[a.factor_code] = ()
                f.warn(where, Code.W_SCOPE2_LOCATION_NONE,
                       name=a.name, market=a.factor_code, date=report_day.isoformat())
    return {k: v for k, v in location.items() if v}


def _location_factor(a: Activity, facs: tuple[Factor, ...], factors: dict[str, tuple[Factor, ...]],
                     library: Library, day: dt.date) -> tuple[bool, tuple[Factor, ...]]:
    """(whether the row needs another factor, the grid average) for a market-based electricity row: the
    average a residual mix was derived from, or for contractual green power the library's default for the
    name scopes.csv gives (by 报告日期)."""
    average = library.average_of(a.factor_code)
    if average is None:
        kinds = {x.kind for x in facs}
        basis = {sc.scope_classes()[k].location_basis for k in kinds if k in sc.scope_classes()}
        defaults = [b.split(":", 1)[1] for b in basis if b.startswith("default:")]
        if not defaults:
            return False, ()
        matches = library.match_name(defaults[0], day)
        average = matches[0] if len(matches) == 1 else None
    rows = factors.get(average) if average else None
    if not rows:
        return True, ()
    try:
        for x in rows:
            units.factor(a.unit, x.per_unit, x.density_t_per_m3)
    except units.UnitError:
        return True, ()
    return True, rows
