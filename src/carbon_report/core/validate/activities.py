"""活动数据: every activity row → Activity with its factor, unit conversion and stage."""

from __future__ import annotations

import datetime as dt

from carbon_report.core import contract, units
from carbon_report.core.errors import UnitFamilyMismatch
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
            f.error(ref(row, table, "stage"), Code.E_REQUIRED_MISSING, "“阶段”为空")
            bad = True
        elif stage is None:
            f.error(ref(row, table, "stage"), Code.E_STAGE_UNKNOWN,
                    f"阶段“{stage_text}”无法识别，应为：原材料获取、生产、采购、运输、包装、回收之一")
            bad = True
        if not name:
            f.error(ref(row, table, "name"), Code.E_REQUIRED_MISSING, "“名称”为空")
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
            f.error(amount_ref, Code.E_MONTHLY_MISMATCH,
                    f"“{label}”的活动数据为“不适用”，但 1–12 月之和为 {months.total:g}；请删除月度数据或填写年度数据")
            bad = True
        elif months is not None and p.kind in ("number", "with_unit") and (p.kind == "number" or not unit
                                                                           or same_unit(unit, p.unit)):
            if p.kind == "with_unit" and not unit:
                unit, unit_ref = p.unit, amount_ref
            if not check_annual(months, p.value, label, amount_ref, f):
                bad = True
            amount = months.total
        elif p.kind == "blank":
            f.error(amount_ref, Code.E_REQUIRED_MISSING, f"“{label}”的活动数据为空；无数据请填 /")
            bad = True
        elif p.kind == "invalid":
            f.error(amount_ref, Code.E_AMOUNT_NOT_NUMBER, f"“{label}”的活动数据“{p.text}”不是数字")
            bad = True
        elif p.kind == "no_data":
            kind = "no_data"
            f.warn(amount_ref, Code.W_AMOUNT_NO_DATA, f"“{label}”无数据（{p.text}），按 0 计算并在报告中列为数据缺口")
        elif p.kind == "not_applicable":
            kind = "not_applicable"
            if not note:
                f.error(ref(row, table, "note"), Code.E_NOT_APPLICABLE_REASON,
                        f"“{label}”填写了“不适用”，请在备注中说明排除的原因")
                bad = True
        elif p.kind == "with_unit":
            if not unit or same_unit(unit, p.unit):
                f.warn(amount_ref, Code.W_AMOUNT_WITH_UNIT, f"“{label}”的活动数据“{p.text}”含单位，已按 {p.value:g} {p.unit} 读取")
                if not unit:
                    unit, unit_ref = p.unit, amount_ref  # the unit's problems, if any, are in the amount cell
                amount = p.value
            else:
                f.error(amount_ref, Code.E_AMOUNT_UNIT_CONFLICT,
                        f"“{label}”的活动数据写有单位“{p.unit}”，与单位列“{unit}”不一致")
                bad = True
        else:
            amount = p.value
        if kind == "value" and out_of_range(amount):
            f.error(amount_ref, Code.E_AMOUNT_OUT_OF_RANGE,
                    f"“{label}”的活动数据“{text_of(row.value('amount'))}”超出合理范围（绝对值应小于 10^15），请检查是否输错")
            bad = True
        elif kind == "value" and amount < 0:
            f.error(amount_ref, Code.E_AMOUNT_NEGATIVE, f"“{label}”的活动数据为负数（{amount:g}）")
            bad = True
        if not unit:
            f.error(unit_ref, Code.E_UNIT_MISSING, f"“{label}”缺少单位（如 t、kWh、m3）")
            bad = True
        elif not units.is_known(unit):
            why = units.why_unknown(unit)
            f.error(unit_ref, Code.E_UNIT_UNKNOWN, f"“{label}”的单位“{unit}”无法识别" + (f"：{why}" if why else ""))
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
                f.error(code_ref, Code.E_FACTOR_UNKNOWN, f"排放因子编码“{code}”在因子库和“排放因子”表中都不存在")
                bad = True
            elif green and library.residual_of(code):
                f.warn(code_ref, Code.W_GREEN_POWER_RESIDUAL,
                       f"本工作簿有绿电，电网电力使用全国平均因子 {code} 会把绿电部分重复计入；"
                       f"建议改用不包括市场化交易非化石能源电量的因子 {library.residual_of(code)}")
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
                f.warn(code_ref, Code.W_FACTOR_BY_NAME,
                       f"“{name}”未填排放因子编码，已按名称选用因子库 {code}"
                       + (f"（{first.name}，{first.value:g} {first.unit}）" if first else "")
                       + ("，因本工作簿有绿电" if residual else ""))
                if green and not residual and chosen:
                    check_green_beside_location_factor(code, chosen, library, code_ref, f)
            elif not matches:
                f.error(code_ref, Code.E_FACTOR_NO_MATCH, f"“{name}”未填排放因子编码，因子库中也没有同名的默认因子，请填写编码")
                bad = True
            else:
                f.error(code_ref, Code.E_FACTOR_AMBIGUOUS,
                        f"“{name}”未填排放因子编码，因子库中有多个候选（{'、'.join(matches)}），请填写编码")
                bad = True
        if chosen and unit and units.is_known(unit):
            for fac in chosen:
                try:
                    units.conversion(unit, fac.per_unit, fac.density_t_per_m3, fac.declares)
                except units.UnitError as e:
                    crossing = isinstance(e, UnitFamilyMismatch)
                    f.error(unit_ref, Code.E_UNIT_MISMATCH,
                            f"“{label}”的单位“{unit}”无法换算为因子 {code} 的单位“{fac.per_unit}”（{fac.unit}）"
                            + (f"：{e.message}含义不同，因子库条目未声明此换算" if crossing else ""))
                    bad = True
                    break
            else:
                check_conversion_assumptions(row, table, label, unit, unit_ref, code, chosen, f)
            check_unverified(code, chosen, code_ref, f)
            for fac in chosen:
                if library.gwp_value(gwp_set, fac.gas) is None:
                    where = gas_cell(fac, raw) or code_ref
                    f.error(where, Code.E_GWP_MISSING, f"GWP 版本 {gwp_set} 中没有气体“{fac.gas}”的增温潜势值（因子 {code}）")
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
            f.warn(CellRef(table.sheet, f"A{row.row}"), Code.W_DUPLICATE_ROW,
                   f"第 {row.row} 行与第 {seen_rows[key]} 行完全相同，是否重复填写？")
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
        f.error(CellRef(table.sheet, f"A{table.header_row}"), Code.E_NO_ACTIVITIES, "“活动数据”表中没有任何活动数据行")
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
                   f"“{label}”的单位“{unit}”未注明标准状况，已按标况体积（0 ℃、101.325 kPa，Nm³）读取，以对应因子 {code} "
                   f"的单位“{fac.per_unit}”；若为工况计量（如 20 ℃ 燃气表），按标况读取会高估约 7.3%，"
                   f"请换算为 Nm³ 填写，或在备注中注明“标况”")
            return


def check_unverified(code: str, chosen: tuple[Factor, ...], code_ref: CellRef, f: Findings) -> None:
    notes = list(dict.fromkeys(fac.unverified for fac in chosen if fac.origin == "library" and fac.unverified))
    if notes:
        f.warn(code_ref, Code.W_FACTOR_UNVERIFIED,
               f"因子库 {code} 含未核实的参数（{'；'.join(notes)}）：可用实测值或在“排放因子”表中填写有出处的因子")


def check_green_beside_location_factor(code: str, chosen: tuple[Factor, ...] | None, library: Library,
                                       code_ref: CellRef, f: Findings) -> None:
    """Green power counted at zero beside a location-based grid factor that has no residual-mix version
    (0.5703, 0.5810, the regional factors): the green kWh stay inside that grid average, so they are
    claimed twice. There is nothing to switch to, so the run says so."""
    if not chosen or code in library.residual.values():
        return
    if any(fac.category == "electricity" and fac.origin == "library" for fac in chosen):
        f.warn(code_ref, Code.W_GREEN_POWER_NO_RESIDUAL,
               f"本工作簿的绿电按市场法计为 0，而电网电力使用的因子 {code} 是位置法电网平均因子，因子库中没有对应的"
               f"“不包括市场化交易的非化石能源电量”（剩余电网组合）因子：绿电电量仍含在该平均因子中，可能被重复声明。"
               f"请改用有剩余组合因子的年份（如 EF-ELEC-CN-RESIDUAL-2022），或在报告中说明")
