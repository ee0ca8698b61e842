"""活动数据: every activity row → Activity with its factor, unit conversion and stage."""

from __future__ import annotations

import datetime as dt

from carbon_report.core import contract, units
from carbon_report.core.factors import Library
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Activity,
    CellRef,
    Factor,
    Stage,
)
from carbon_report.core.raw import RawRow, RawTable, RawWorkbook
from carbon_report.core.validate.cross import check_double_counting
from carbon_report.core.validate.extras import (
    EvidenceProbe,
    check_annual,
    read_evidence,
    read_months,
    read_quality,
    read_recalc_only,
    read_site,
    uses_quality_columns,
)
from carbon_report.core.validate.factors import gas_cell
from carbon_report.core.validate.rows import Findings, data_rows, ref
from carbon_report.core.validate.scopes import read_overrides
from carbon_report.core.values import (
    out_of_range,
    parse_number,
    text_of,
)


def read_activities(raw: RawWorkbook, library: Library, factors: dict[str, tuple[Factor, ...]], f: Findings,
                    gwp_set: str, report_day: dt.date, broken: set[str], *, main_site: str = contract.MAIN_SITE_DEFAULT,
                    evidence: EvidenceProbe | None = None) -> tuple[list[Activity], set[str]]:
    table = raw.tables.get(contract.ACTIVITIES.name)
    out: list[Activity] = []
    used: set[str] = set()
    if table is None:
        return out, used
    seen_rows: dict[tuple, int] = {}
    green = _has_green_power(table, library, factors, report_day)
    assessed = uses_quality_columns(table)
    for row in data_rows(table, f, name_key="name", stage_key="stage"):
        if not f.row_ok(row):
            continue
        name = text_of(row.value("name"))
        stage_text = text_of(row.value("stage"))
        stage = Stage.parse(stage_text) if stage_text else None
        bad = False
        if not stage_text:
            f.error(ref(row, table, "stage"), Code.E_REQUIRED_MISSING, name=name or f"第 {row.row} 行", column="阶段")
            bad = True
        elif stage is None:
            f.error(ref(row, table, "stage"), Code.E_STAGE_UNKNOWN, value=stage_text)
            bad = True
        if not name:
            f.error(ref(row, table, "name"), Code.E_REQUIRED_MISSING, name=f"第 {row.row} 行", column="名称")
            bad = True
        label = name or f"第 {row.row} 行"
        amount_ref = ref(row, table, "amount")
        unit_ref = ref(row, table, "unit")
        unit = text_of(row.value("unit"))
        note = text_of(row.value("note"))
        p = parse_number(row.value("amount"))
        kind = "value"
        amount = 0.0
        months, months_ok = read_months(row, table, label, unit, f)
        bad = bad or not months_ok
        if months is not None and p.kind in ("blank", "no_data"):
            amount = months.total  # the annual amount is the months' sum; a "/" beside months is no gap
        elif months is not None and p.kind == "not_applicable":
            f.error(amount_ref, Code.E_MONTHLY_MISMATCH, name=label, amount=p.text, sum=f"{months.total:g}", pct="100")
            bad = True
        elif months is not None and p.kind in ("number", "with_unit") and (p.kind == "number" or not unit
                                                                           or same_unit(unit, p.unit)):
            if p.kind == "with_unit" and not unit:
                unit, unit_ref = p.unit, amount_ref
            if months_ok and not check_annual(months, p.value, label, amount_ref, f):
                bad = True
            amount = months.total
        elif p.kind == "blank":
            f.error(amount_ref, Code.E_REQUIRED_MISSING, name=label, column="活动数据")
            bad = True
        elif p.kind == "invalid":
            f.error(amount_ref, Code.E_AMOUNT_NOT_NUMBER, name=label, column="活动数据", value=p.text)
            bad = True
        elif p.kind == "no_data":
            kind = "no_data"
            f.warn(amount_ref, Code.W_AMOUNT_NO_DATA, name=label, value=p.text)
        elif p.kind == "not_applicable":
            kind = "not_applicable"
            if not note:
                f.error(ref(row, table, "note"), Code.E_NOT_APPLICABLE_REASON, name=label)
                bad = True
        elif p.kind == "with_unit":
            if not unit or same_unit(unit, p.unit):
                f.warn(amount_ref, Code.W_AMOUNT_WITH_UNIT, name=label, column="活动数据", value=p.text, number=f"{p.value:g}",
                       unit=p.unit)
                if not unit:
                    unit, unit_ref = p.unit, amount_ref  # the unit's problems, if any, are in the amount cell
                amount = p.value
            else:
                f.error(amount_ref, Code.E_AMOUNT_UNIT_CONFLICT, name=label, column="活动数据", unit=p.unit,
                        column_unit=unit)
                bad = True
        else:
            amount = p.value
        if kind == "value" and out_of_range(amount):
            f.error(amount_ref, Code.E_AMOUNT_OUT_OF_RANGE, name=label, column="活动数据",
                    value=text_of(row.value("amount")))
            bad = True
        elif kind == "value" and amount < 0:
            f.error(amount_ref, Code.E_AMOUNT_NEGATIVE, name=label, column="活动数据", value=f"{amount:g}")
            bad = True
        if not unit:
            f.error(unit_ref, Code.E_UNIT_MISSING, name=label)
            bad = True
        elif not units.is_known(unit):
            f.error(unit_ref, Code.E_UNIT_UNKNOWN, name=label, unit=unit, why=units.why_unknown(unit))
            bad = True
        code = text_of(row.value("factor_code"))
        code_ref = ref(row, table, "factor_code")
        chosen: tuple[Factor, ...] | None = None
        if code:
            chosen = factors.get(code)
            if code in broken:
                chosen = None
                bad = True  # the 排放因子 row is wrong and already reported there
            elif chosen is None:
                f.error(code_ref, Code.E_FACTOR_UNKNOWN, code=code)
                bad = True
            elif green and library.residual_of(code):
                f.warn(code_ref, Code.W_GREEN_POWER_RESIDUAL, code=code, residual=library.residual_of(code))
            elif green:
                check_green_beside_location_factor(code, chosen, library, code_ref, f)
        elif name and kind == "value":
            matches = library.match_name(name, report_day)
            if len(matches) == 1:
                code = matches[0]
                residual = library.residual_of(code) if green else None
                # Beside green power the rest of the grid is the residual mix, or the green share counts twice.
                code = residual if residual in factors else code
                chosen = factors.get(code)
                first = chosen[0] if chosen else None
                f.warn(code_ref, Code.W_FACTOR_BY_NAME, name=name, code=code,
                       factor=f"{first.name}，{first.value:g} {first.unit}" if first else code)
                if green and not residual and chosen:
                    check_green_beside_location_factor(code, chosen, library, code_ref, f)
            elif not matches:
                f.error(code_ref, Code.E_FACTOR_NO_MATCH, name=name)
                bad = True
            else:
                f.error(code_ref, Code.E_FACTOR_AMBIGUOUS, name=name, codes="、".join(matches))
                bad = True
        if chosen and unit and units.is_known(unit):
            for fac in chosen:
                try:
                    units.conversion(unit, fac.per_unit, fac.density_t_per_m3, fac.declares)
                except units.UnitError:
                    f.error(unit_ref, Code.E_UNIT_MISMATCH, name=label, unit=unit, code=code,
                            factor_unit=fac.per_unit, factor=fac.unit, unit_means=units.meaning_zh(unit),
                            factor_means=units.meaning_zh(fac.per_unit))
                    bad = True
                    break
            else:
                check_conversion_assumptions(row, table, label, unit, unit_ref, code, chosen, f)
            check_unverified(code, chosen, code_ref, f)
            for fac in chosen:
                if library.gwp_value(gwp_set, fac.gas) is None:
                    where = gas_cell(fac, raw) or code_ref
                    f.error(where, Code.E_GWP_MISSING, gwp_set=gwp_set, gas=fac.gas, code=code)
                    bad = True
        scope_override, iso_override, scope_ok = read_overrides(row, table, f)
        bad = bad or not scope_ok
        proof, proof_ok = read_evidence(row, table, label, evidence, f)
        quality, u_pct, u_basis, quality_ok = read_quality(row, table, label, library, kind == "value", assessed, f)
        recalc_only, recalc_ok = read_recalc_only(row, table, f)
        bad = bad or not proof_ok or not quality_ok or not recalc_ok
        if bad or stage is None:
            continue
        key = (stage, name, kind, amount, unit, code, read_site(row, main_site))
        if key in seen_rows:
            f.warn(CellRef(table.sheet, f"A{row.row}"), Code.W_DUPLICATE_ROW, row=row.row, other_row=seen_rows[key])
        seen_rows[key] = row.row
        if chosen:
            used.add(code)
        out.append(Activity(
            stage=stage, type=text_of(row.value("type")), name=name, amount=amount, amount_kind=kind,  # type: ignore[arg-type]
            unit=unit, factor_code=code if chosen else "", source=text_of(row.value("source")), note=note,
            row=row.row, amount_cell=amount_ref, unit_cell=unit_ref,
            scope_override=scope_override, iso_override=iso_override,
            site=read_site(row, main_site), months=months.values if months else None,
            month_gaps=months.gaps if months else (), evidence=proof, quality=quality,
            uncertainty_pct=u_pct, uncertainty_basis=u_basis, recalc_only=recalc_only,
            factor_by_name=bool(chosen) and not text_of(row.value("factor_code")),
        ))
    if not out and not any(x.is_error and x.sheet == table.sheet for x in f.items):
        f.error(CellRef(table.sheet, f"A{table.header_row}"), Code.E_NO_ACTIVITIES)
    check_double_counting(out, factors, f, table)
    return out, used


def _has_green_power(table: RawTable, library: Library, factors: dict[str, tuple[Factor, ...]],
                     day: dt.date) -> bool:
    """Whether any row is green electricity (market-based, counted at zero), by code or by name."""
    for row in table.rows:
        code = text_of(row.value("factor_code"))
        codes = [code] if code else library.match_name(text_of(row.value("name")), day)
        if any(fac.category == "electricity-market" for c in codes for fac in factors.get(c, ())):
            return True
    return False


def same_unit(a: str, b: str) -> bool:
    try:
        k, note = units.factor(a, b)
    except units.UnitError:
        return False
    return abs(k - 1) < 1e-12 and not note


def check_conversion_assumptions(row: RawRow, table: RawTable, label: str, unit: str, unit_ref: CellRef, code: str,
                                 chosen: tuple[Factor, ...], f: Findings) -> None:
    """An implicit reading is a warning the user can see: a volume in plain m³ against a factor per normal
    m³ is read as Nm³ unless the row says 标况; a gas bill metered at 20 °C holds 7.3 % more volume than the
    same gas at 0 °C (293.15 K / 273.15 K), so the assumption overstates such a bill by that much."""
    texts = [text_of(row.value(k)) for k in ("name", "type", "note", "source")]
    for fac in chosen:
        conv = units.conversion(unit, fac.per_unit, fac.density_t_per_m3, fac.declares)
        if conv.assumption == "normal-volume" and not units.states_normal_conditions(*texts):
            f.warn(unit_ref, Code.W_UNIT_NM3_ASSUMED,
                   name=label, unit=unit, code=code, factor_unit=fac.per_unit)
            return


def check_unverified(code: str, chosen: tuple[Factor, ...], code_ref: CellRef, f: Findings) -> None:
    notes = list(dict.fromkeys(fac.unverified for fac in chosen if fac.origin == "library" and fac.unverified))
    if notes:
        f.warn(code_ref, Code.W_FACTOR_UNVERIFIED,
               code=code, parameters="；".join(notes))


def check_green_beside_location_factor(code: str, chosen: tuple[Factor, ...] | None, library: Library,
                                       code_ref: CellRef, f: Findings) -> None:
    """Green power counted at zero beside a location-based grid factor that has no residual-mix version
    (0.5703, 0.5810, the regional factors): the green kWh stay inside that grid average, so they are
    claimed twice. There is nothing to switch to, so the run says so."""
    if not chosen or code in library.residual.values():
        return
    if any(fac.category == "electricity" and fac.origin == "library" for fac in chosen):
        f.warn(code_ref, Code.W_GREEN_POWER_NO_RESIDUAL, code=code)
