"""排放因子: the workbook's own factors, checked against gases and units, overriding the library."""

from __future__ import annotations

from carbon_report.core import contract, units
from carbon_report.core.factors import Library, factor_from_row, gases_agree, normalize_gas
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    CellRef,
    Factor,
)
from carbon_report.core.raw import RawRow, RawTable, RawWorkbook
from carbon_report.core.validate.rows import Findings, blank_value, data_rows, ref
from carbon_report.core.validate.scopes import classify_workbook_factor
from carbon_report.core.values import (
    out_of_range,
    parse_number,
    parse_percent,
    parse_year,
    text_of,
)


def read_factors(raw: RawWorkbook, library: Library, f: Findings, gwp_set: str,
                      broken: set[str]) -> dict[str, tuple[Factor, ...]]:
    """Library factors with the workbook's own applied; codes of rejected rows go into `broken`, so the
    activities that use them are not told a second time that the code does not exist."""
    factors = dict(library.factors)
    table = raw.tables.get(contract.FACTORS.name)
    if table is None:
        return factors
    mine: dict[str, list[Factor]] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in data_rows(table, f, name_key="name"):
        code = text_of(row.value("code"))
        if not f.row_ok(row):
            broken.add(code)
            continue
        gas_text = text_of(row.value("gas"))
        unit_text = text_of(row.value("unit"))
        missing = [k for k, v in (("code", code), ("gas", gas_text), ("value", row.value("value")), ("unit", unit_text))
                   if v in ("", None)]
        for k in missing:
            f.error(ref(row, table, k), Code.E_REQUIRED_MISSING, name=code or f"第 {row.row} 行",
                        column=contract.FACTORS.column(k).header)
        if missing:
            broken.add(code)
            continue
        gas = normalize_gas(gas_text)
        ok = True
        if library.gwp_value(gwp_set, gas) is None and not any(gas in t for t in library.gwp.values()) \
                and gas not in library.blends:
            f.error(ref(row, table, "gas"), Code.E_FACTOR_GAS_UNKNOWN, gas=gas_text)
            ok = False
        p = parse_number(row.value("value"))
        if p.kind != "number" or p.value <= 0:
            f.error(ref(row, table, "value"), Code.E_FACTOR_VALUE, value=text_of(row.value("value")))
            ok = False
        elif out_of_range(p.value):
            f.error(ref(row, table, "value"), Code.E_AMOUNT_OUT_OF_RANGE, name=code, column="因子值",
                    value=text_of(row.value("value")))
            ok = False
        try:
            fu = units.parse_factor_unit(unit_text)
        except units.UnitError:
            f.error(ref(row, table, "unit"), Code.E_UNIT_UNKNOWN, name=code, unit=unit_text, why=units.FACTOR_UNIT_HINT)
            broken.add(code)
            continue
        if not gases_agree(fu.gas, gas):
            f.error(ref(row, table, "unit"), Code.E_FACTOR_GAS_MISMATCH, unit=unit_text, gas=gas_text)
            ok = False
        key = (code, gas)
        if key in seen:
            f.error(ref(row, table, "gas"), Code.E_FACTOR_DUPLICATE, code=code, gas=gas, row=seen[key])
            ok = False
        seen[key] = row.row
        if not ok:
            broken.add(code)
            continue
        factor = factor_from_row({
            "code": code, "name_zh": text_of(row.value("name")) or code, "gas": gas, "value": str(p.value),
            "unit": unit_text, "source": text_of(row.value("source")), "data_year": "",
        })
        year = parse_year(row.value("year"))
        if year is None and not blank_value(row.value("year")):
            f.warn(ref(row, table, "year"), Code.W_FACTOR_YEAR, value=text_of(row.value("year")))
        u_ef, u_ok = _factor_uncertainty(row, code, f)
        if not u_ok:
            broken.add(code)
            continue
        factor = Factor(**{**factor.__dict__, "origin": "workbook", "ref": row.ref("code"), "data_year": year,
                           "note": text_of(row.value("note")), "uncertainty_pct": u_ef,
                           "uncertainty_source": text_of(row.value("source")) if u_ef is not None else ""})
        _check_scale(factor, library, f, row, table)
        _check_methane_class(factor, library, gwp_set, f, row, table)
        classified = classify_workbook_factor(factor, library, row, table, f)
        if classified is None:
            broken.add(code)
            continue
        mine.setdefault(code, []).append(classified)
    # A code defined in the workbook replaces every gas row of that code in the library.
    factors.update({code: tuple(rows) for code, rows in mine.items()})
    return factors


def _factor_uncertainty(row: RawRow, code: str, f: Findings) -> tuple[float | None, bool]:
    """The optional 不确定度(%) of a workbook factor (issue 16): None when blank; False when wrong."""
    cell = row.cell("uncertainty")
    if cell is None or blank_value(cell.value):
        return None, True
    pp = parse_percent(cell.value, cell.number_format)
    if not pp.ok or pp.pct < 0:
        f.error(cell.ref, Code.E_UNCERTAINTY_INVALID, name=code, value=text_of(cell.value))
        return None, False
    return pp.pct, True


def _check_scale(factor: Factor, library: Library, f: Findings, row: RawRow, table: RawTable) -> None:
    for lib in library.lookup(factor.code) or ():
        if lib.gas != factor.gas:
            continue
        try:
            k, _ = units.factor(factor.per_unit, lib.per_unit)  # one workbook unit is k library units
            mine_t = factor.value * units.mass_to_tonnes(factor.mass_unit)
            lib_t = lib.value * units.mass_to_tonnes(lib.mass_unit) * k
        except units.UnitError:
            continue
        ratio = mine_t / lib_t if lib_t else 0
        if ratio >= 300 or (ratio and ratio <= 1 / 300):
            f.warn(ref(row, table, "value"), Code.W_FACTOR_SCALE,
                   code=factor.code, value=f"{factor.value:g} {factor.unit}", library_value=f"{lib.value:g} {lib.unit}",
                   ratio=f"{ratio if ratio >= 1 else 1 / ratio:,.0f}")


def _check_methane_class(factor: Factor, library: Library, gwp_set: str, f: Findings, row: RawRow,
                         table: RawTable) -> None:
    """CH4 without its origin takes the set's generic value; where the set tells fossil from non-fossil
    methane (AR5, AR6) that is a choice the user should see and can make."""
    if factor.gas != "CH4":
        return
    generic = library.gwp_value(gwp_set, "CH4")
    fossil = library.gwp_value(gwp_set, "CH4-fossil")
    non_fossil = library.gwp_value(gwp_set, "CH4-non-fossil")
    if generic is None or fossil is None or non_fossil is None or generic == fossil == non_fossil:
        return
    f.warn(ref(row, table, "gas"), Code.W_FACTOR_CH4_CLASS, code=factor.code, gwp_set=gwp_set, generic=f"{generic:g}",
           fossil=f"{fossil:g}", non_fossil=f"{non_fossil:g}")


def gas_cell(fac: Factor, raw: RawWorkbook) -> CellRef | None:
    """The 温室气体 cell of the 排放因子 row that defined a workbook factor."""
    table = raw.tables.get(contract.FACTORS.name)
    if fac.ref is None or table is None or "gas" not in table.columns:
        return fac.ref
    row = fac.ref.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return CellRef(fac.ref.sheet, f"{table.columns['gas']}{row}")
