"""Judge what the reader found: turn a RawWorkbook into a typed Intake plus findings.

Every finding names the sheet and cell it concerns and carries a stable code (E-… error, W-… warning).
Pure: plain data in, plain data out. Whether a picture file exists is asked through a callable, so this
module never touches the disk itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from carbon_report.core import contract, units
from carbon_report.core.factors import Library, factor_from_row, gases_agree, normalize_gas
from carbon_report.core.model import (
    Activity,
    CellRef,
    Company,
    Equipment,
    Factor,
    Finding,
    HistoryRow,
    Intake,
    Measure,
    Picture,
    Product,
    Stage,
    Target,
)
from carbon_report.core.raw import RawCell, RawRow, RawTable, RawWorkbook, column_number
from carbon_report.core.values import (
    ParsedNumber,
    fold_text,
    parse_date,
    parse_number,
    parse_percent,
    parse_year,
    text_of,
    uscc_problem,
)

FUEL_WORDS = ("柴油", "汽油", "天然气", "液化石油气", "液化气", "燃料油", "重油", "煤油", "焦炭", "原煤", "煤", "LPG",
              "LNG", "CNG", "生物质")
EARLIEST_YEAR = 1990
LATEST_TARGET_YEAR = 2100
_NOTE_ROW = re.compile(r"^注(\s*$|\s*[:：0-9１-９一二三四五①②③])")


@dataclass
class _Findings:
    items: list[Finding] = field(default_factory=list)
    _seen: set[Finding] = field(default_factory=set)

    def add(self, finding: Finding) -> None:
        if finding not in self._seen:  # one cell, one problem, said once (a factor used by many rows)
            self._seen.add(finding)
            self.items.append(finding)

    def error(self, ref: CellRef, code: str, message: str) -> None:
        self.add(Finding("error", ref.sheet, ref.cell, code, message))

    def warn(self, ref: CellRef, code: str, message: str) -> None:
        self.add(Finding("warning", ref.sheet, ref.cell, code, message))

    def row_ok(self, row: RawRow) -> bool:
        """Every cell of the row checked (each problem reported, not just the first)."""
        oks = [self.cell_ok(c) for c in row.cells.values()]
        return all(oks)

    def cell_ok(self, cell: RawCell | None) -> bool:
        """False (with a finding) for an Excel error value or a formula Excel never calculated."""
        if cell is None or not cell.problem:
            return True
        if cell.problem == "uncached-formula":
            self.error(cell.ref, "E-FORMULA-UNCACHED",
                       "公式没有计算结果（文件未在 Excel 中计算并保存过），请在 Excel 中打开、重新计算并保存")
        else:
            self.error(cell.ref, "E-CELL-ERROR", f"单元格为 Excel 错误值 {cell.problem.split(':', 1)[1]}，请修正公式或数据")
        return False


def validate(raw: RawWorkbook, library: Library, *, today: dt.date | None = None,
             picture_exists: Callable[[str], bool] | None = None) -> tuple[Intake | None, list[Finding]]:
    f = _Findings()
    for x in raw.findings:
        f.add(x)
    today = today or dt.date.today()
    company = _company(raw, f, today)
    gwp_set = company.gwp_version if company else contract.DEFAULT_GWP
    report_day = (company.report_date if company else None) or today
    broken: set[str] = set()
    factors = _workbook_factors(raw, library, f, gwp_set, broken)
    activities, used = _activities(raw, library, factors, f, gwp_set, report_day, broken)
    products = _products(raw, f)
    base_year = company.base_year if company else None
    year = company.year if company else None
    history = _history(raw, f)
    targets = _targets(raw, f, company, products)
    measures = _measures(raw, f)
    equipment = _equipment(raw, f, activities)
    pictures = _pictures(raw, f, picture_exists)
    if company and targets and base_year is not None and base_year != year:
        _check_history(company, targets, history, f)
    if base_year is not None:
        _check_measures(measures, targets, base_year, f, raw.tables.get(contract.TARGETS.name))
    if company is None or any(x.is_error for x in f.items if x.code in ("E-SHEET-MISSING", "E-COLUMN-MISSING")
                              and x.sheet == contract.ACTIVITIES.name):
        return None, f.items
    intake = Intake(
        company=company,
        products=tuple(products),
        activities=tuple(activities),
        factors={code: factors[code] for code in sorted(used)},
        equipment=tuple(equipment),
        targets=tuple(targets),
        measures=tuple(measures),
        pictures=tuple(pictures),
        history=tuple(history),
        library_version=library.version,
    )
    return intake, f.items


# ---- 企业信息 ---------------------------------------------------------------------------------------------


def _company(raw: RawWorkbook, f: _Findings, today: dt.date) -> Company | None:
    if contract.COMPANY_SHEET not in raw.sheet_names:
        return None
    sheet_a1 = CellRef(contract.COMPANY_SHEET, "A1")
    values: dict[str, object] = {}
    for lab in contract.LABELS:
        cell = raw.labels.get(lab.key)
        if cell is None:
            if lab.required:
                f.error(sheet_a1, "E-LABEL-MISSING", f"“{contract.COMPANY_SHEET}”中找不到必填项“{lab.text}”")
            continue
        if not f.cell_ok(cell):
            continue
        blank = cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())
        if blank:
            if lab.required:
                f.error(cell.ref, "E-REQUIRED-MISSING", f"必填项“{lab.text}”为空")
            continue
        values[lab.key] = cell.value

    def ref(key: str) -> CellRef:
        c = raw.labels.get(key)
        return c.ref if c else sheet_a1

    name = text_of(values["name"]) if "name" in values else ""  # as registered: full-width brackets stay
    uscc = ""
    if "uscc" in values:
        v = values["uscc"]
        if isinstance(v, int | float):
            f.error(ref("uscc"), "E-USCC-NUMBER",
                    "统一社会信用代码被当作数字输入，Excel 已丢失其中的位数；请将单元格设为文本后重新输入完整代码")
        else:
            uscc = fold_text(v).upper()
            problem = uscc_problem(uscc)
            if problem:
                f.error(ref("uscc"), "E-USCC-CHECK", f"统一社会信用代码“{uscc}”不符合 GB 32100-2015：{problem}")
    year = None
    if "year" in values:
        year = parse_year(values["year"])
        if year is None or not EARLIEST_YEAR <= year <= today.year:
            f.error(ref("year"), "E-YEAR-INVALID",
                    f"核算年度“{text_of(values['year'])}”不是 {EARLIEST_YEAR}–{today.year} 之间的年份")
            year = None
    base_year = year
    if "base_year" in values:
        base_year = parse_year(values["base_year"])
        if base_year is None or base_year < EARLIEST_YEAR or (year is not None and base_year > year):
            f.error(ref("base_year"), "E-BASE-YEAR-INVALID",
                    f"基准年“{text_of(values['base_year'])}”应为 {EARLIEST_YEAR} 年至核算年度之间的年份")
            base_year = year
    gwp = contract.DEFAULT_GWP
    if "gwp_version" in values:
        g = fold_text(values["gwp_version"]).upper()
        if g not in contract.GWP_VERSIONS:
            f.error(ref("gwp_version"), "E-GWP-VERSION",
                    f"GWP版本“{text_of(values['gwp_version'])}”无效，应为 {' / '.join(contract.GWP_VERSIONS)}")
        else:
            gwp = g
    if "template_version" in values and \
            _squash(values["template_version"]).upper().lstrip("V") not in (str(contract.TEMPLATE_VERSION),
                                                                            f"{contract.TEMPLATE_VERSION}.0"):
        f.warn(ref("template_version"), "W-TEMPLATE-VERSION",
               f"模板版本为“{text_of(values['template_version'])}”，本程序按 v{contract.TEMPLATE_VERSION} 读取")
    report_date = None
    texts: dict[str, str] = {}
    for key in ("report_date", "review_date", "approval_date"):
        if key in values:
            d = parse_date(values[key])
            if d is None:
                label = next(lab.text for lab in contract.LABELS if lab.key == key)
                f.error(ref(key), "E-DATE-INVALID", f"{label}“{text_of(values[key])}”不是有效日期（如 2024-07-20 或 2024年7月20日）")
            else:
                texts[key] = d.isoformat()
                if key == "report_date":
                    report_date = d
    output_value = None
    if "output_value" in values:
        p = parse_number(values["output_value"])
        if p.kind == "with_unit" and _squash(p.unit) == "万元":
            f.warn(ref("output_value"), "W-AMOUNT-WITH-UNIT", f"工业总产值“{p.text}”含单位，已按 {p.value:g} 万元读取")
            p = ParsedNumber("number", p.value, text=p.text)
        if p.kind != "number" or p.value <= 0:
            f.error(ref("output_value"), "E-OUTPUT-VALUE-INVALID",
                    f"工业总产值“{text_of(values['output_value'])}”应为大于 0 的数字（万元）")
        else:
            output_value = p.value
    if "phone" in values and isinstance(values["phone"], int | float):
        f.warn(ref("phone"), "W-PHONE-NUMBER", "联系方式被当作数字输入，可能已丢失开头的 0；请设为文本后重新输入")
    if "conclusion" not in values:
        f.warn(ref("conclusion"), "W-CONCLUSION-BLANK", "评价结论为空：报告中将显示待填写的占位提示，请咨询机构填写")
    for lab in contract.LABELS:
        if lab.key in values and lab.key not in texts:
            texts[lab.key] = text_of(values[lab.key])
    if not name or year is None or base_year is None:
        return None
    return Company(
        name=name, uscc=uscc, year=year, base_year=base_year, gwp_version=gwp, report_date=report_date,
        output_value=output_value, texts=texts,
        refs={k: c.ref for k, c in raw.labels.items()},
    )


# ---- 排放因子 ---------------------------------------------------------------------------------------------


def _workbook_factors(raw: RawWorkbook, library: Library, f: _Findings, gwp_set: str,
                      broken: set[str]) -> dict[str, tuple[Factor, ...]]:
    """Library factors with the workbook's own applied; codes of rejected rows go into `broken`, so the
    activities that use them are not told a second time that the code does not exist."""
    factors = dict(library.factors)
    table = raw.tables.get(contract.FACTORS.name)
    if table is None:
        return factors
    mine: dict[str, list[Factor]] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in _data_rows(table, f, name_key="name"):
        code = text_of(row.value("code"))
        if not f.row_ok(row):
            broken.add(code)
            continue
        gas_text = text_of(row.value("gas"))
        unit_text = text_of(row.value("unit"))
        missing = [k for k, v in (("code", code), ("gas", gas_text), ("value", row.value("value")), ("unit", unit_text))
                   if v in ("", None)]
        for k in missing:
            f.error(_ref(row, table, k), "E-REQUIRED-MISSING", f"排放因子“{code or '（无编码）'}”缺少必填项“{contract.FACTORS.column(k).header}”")
        if missing:
            broken.add(code)
            continue
        gas = normalize_gas(gas_text)
        ok = True
        if library.gwp_value(gwp_set, gas) is None and not any(gas in t for t in library.gwp.values()) \
                and gas not in library.blends:
            f.error(_ref(row, table, "gas"), "E-FACTOR-GAS-UNKNOWN", f"温室气体“{gas_text}”无法识别（如 CO2、CH4、N2O、HFC-134a）")
            ok = False
        p = parse_number(row.value("value"))
        if p.kind != "number" or p.value <= 0:
            f.error(_ref(row, table, "value"), "E-FACTOR-VALUE", f"因子值“{text_of(row.value('value'))}”应为大于 0 的数字")
            ok = False
        try:
            fu = units.parse_factor_unit(unit_text)
        except units.UnitError:
            f.error(_ref(row, table, "unit"), "E-UNIT-UNKNOWN",
                    f"因子单位“{unit_text}”无法识别，应写成 质量[气体]/活动单位，如 tCO2/MWh、kgCO2e/t")
            broken.add(code)
            continue
        if not gases_agree(fu.gas, gas):
            f.error(_ref(row, table, "unit"), "E-FACTOR-GAS-MISMATCH",
                    f"因子单位“{unit_text}”中的气体与温室气体列“{gas_text}”不一致")
            ok = False
        key = (code, gas)
        if key in seen:
            f.error(_ref(row, table, "gas"), "E-FACTOR-DUPLICATE", f"因子编码“{code}”的气体“{gas}”在第 {seen[key]} 行已定义")
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
        if year is None and not _blank_value(row.value("year")):
            f.warn(_ref(row, table, "year"), "W-FACTOR-YEAR", f"因子年份“{text_of(row.value('year'))}”不是年份，已忽略")
        factor = Factor(**{**factor.__dict__, "origin": "workbook", "ref": row.ref("code"), "data_year": year,
                           "note": text_of(row.value("note"))})
        _check_scale(factor, library, f, row, table)
        mine.setdefault(code, []).append(factor)
    # A code defined in the workbook replaces every gas row of that code in the library.
    factors.update({code: tuple(rows) for code, rows in mine.items()})
    return factors


def _check_scale(factor: Factor, library: Library, f: _Findings, row: RawRow, table: RawTable) -> None:
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
            f.warn(_ref(row, table, "value"), "W-FACTOR-SCALE",
                   f"因子“{factor.code}”为 {factor.value:g} {factor.unit}，与因子库的 {lib.value:g} {lib.unit} 相差约 "
                   f"{ratio if ratio >= 1 else 1 / ratio:,.0f} 倍，请检查单位（如 kWh 与 MWh、kg 与 t）")


# ---- 活动数据 ---------------------------------------------------------------------------------------------


def _activities(raw: RawWorkbook, library: Library, factors: dict[str, tuple[Factor, ...]], f: _Findings,
                gwp_set: str, report_day: dt.date, broken: set[str]) -> tuple[list[Activity], set[str]]:
    table = raw.tables.get(contract.ACTIVITIES.name)
    out: list[Activity] = []
    used: set[str] = set()
    if table is None:
        return out, used
    seen_rows: dict[tuple, int] = {}
    green = _has_green_power(table, library, factors, report_day)
    for row in _data_rows(table, f, name_key="name", stage_key="stage"):
        if not f.row_ok(row):
            continue
        name = text_of(row.value("name"))
        stage_text = text_of(row.value("stage"))
        stage = Stage.parse(stage_text) if stage_text else None
        bad = False
        if not stage_text:
            f.error(_ref(row, table, "stage"), "E-REQUIRED-MISSING", "“阶段”为空")
            bad = True
        elif stage is None:
            f.error(_ref(row, table, "stage"), "E-STAGE-UNKNOWN",
                    f"阶段“{stage_text}”无法识别，应为：原材料获取、生产、采购、运输、包装、回收之一")
            bad = True
        if not name:
            f.error(_ref(row, table, "name"), "E-REQUIRED-MISSING", "“名称”为空")
            bad = True
        label = name or f"第 {row.row} 行"
        amount_ref = _ref(row, table, "amount")
        unit_ref = _ref(row, table, "unit")
        unit = text_of(row.value("unit"))
        note = text_of(row.value("note"))
        p = parse_number(row.value("amount"))
        kind = "value"
        amount = 0.0
        if p.kind == "blank":
            f.error(amount_ref, "E-REQUIRED-MISSING", f"“{label}”的活动数据为空；无数据请填 /")
            bad = True
        elif p.kind == "invalid":
            f.error(amount_ref, "E-AMOUNT-NOT-NUMBER", f"“{label}”的活动数据“{p.text}”不是数字")
            bad = True
        elif p.kind == "no_data":
            kind = "no_data"
            f.warn(amount_ref, "W-AMOUNT-NO-DATA", f"“{label}”无数据（{p.text}），按 0 计算并在报告中列为数据缺口")
        elif p.kind == "not_applicable":
            kind = "not_applicable"
            if not note:
                f.error(_ref(row, table, "note"), "E-NOT-APPLICABLE-REASON",
                        f"“{label}”填写了“不适用”，请在备注中说明排除的原因")
                bad = True
        elif p.kind == "with_unit":
            if not unit or _same_unit(unit, p.unit):
                f.warn(amount_ref, "W-AMOUNT-WITH-UNIT", f"“{label}”的活动数据“{p.text}”含单位，已按 {p.value:g} {p.unit} 读取")
                if not unit:
                    unit, unit_ref = p.unit, amount_ref  # the unit's problems, if any, are in the amount cell
                amount = p.value
            else:
                f.error(amount_ref, "E-AMOUNT-UNIT-CONFLICT",
                        f"“{label}”的活动数据写有单位“{p.unit}”，与单位列“{unit}”不一致")
                bad = True
        else:
            amount = p.value
        if kind == "value" and amount < 0:
            f.error(amount_ref, "E-AMOUNT-NEGATIVE", f"“{label}”的活动数据为负数（{amount:g}）")
            bad = True
        if not unit:
            f.error(unit_ref, "E-UNIT-MISSING", f"“{label}”缺少单位（如 t、kWh、m3）")
            bad = True
        elif not units.is_known(unit):
            f.error(unit_ref, "E-UNIT-UNKNOWN", f"“{label}”的单位“{unit}”无法识别")
            bad = True
        code = text_of(row.value("factor_code"))
        code_ref = _ref(row, table, "factor_code")
        chosen: tuple[Factor, ...] | None = None
        if code:
            chosen = factors.get(code)
            if code in broken:
                chosen = None
                bad = True  # the 排放因子 row is wrong and already reported there
            elif chosen is None:
                f.error(code_ref, "E-FACTOR-UNKNOWN", f"排放因子编码“{code}”在因子库和“排放因子”表中都不存在")
                bad = True
            elif green and library.residual_of(code):
                f.warn(code_ref, "W-GREEN-POWER-RESIDUAL",
                       f"本工作簿有绿电，电网电力使用全国平均因子 {code} 会把绿电部分重复计入；"
                       f"建议改用不包括市场化交易非化石能源电量的因子 {library.residual_of(code)}")
        elif name and kind == "value":
            matches = library.match_name(name, report_day)
            if len(matches) == 1:
                code = matches[0]
                residual = library.residual_of(code) if green else None
                # Beside green power the rest of the grid is the residual mix, or the green share counts twice.
                code = residual if residual in factors else code
                chosen = factors.get(code)
                first = chosen[0] if chosen else None
                f.warn(code_ref, "W-FACTOR-BY-NAME",
                       f"“{name}”未填排放因子编码，已按名称选用因子库 {code}"
                       + (f"（{first.name}，{first.value:g} {first.unit}）" if first else "")
                       + ("，因本工作簿有绿电" if residual else ""))
            elif not matches:
                f.error(code_ref, "E-FACTOR-NO-MATCH", f"“{name}”未填排放因子编码，因子库中也没有同名的默认因子，请填写编码")
                bad = True
            else:
                f.error(code_ref, "E-FACTOR-AMBIGUOUS",
                        f"“{name}”未填排放因子编码，因子库中有多个候选（{'、'.join(matches)}），请填写编码")
                bad = True
        if chosen and unit and units.is_known(unit):
            for fac in chosen:
                try:
                    units.factor(unit, fac.per_unit, fac.density_t_per_m3)
                except units.UnitError:
                    f.error(unit_ref, "E-UNIT-MISMATCH",
                            f"“{label}”的单位“{unit}”无法换算为因子 {code} 的单位“{fac.per_unit}”（{fac.unit}）")
                    bad = True
                    break
            for fac in chosen:
                if library.gwp_value(gwp_set, fac.gas) is None:
                    where = _gas_cell(fac, raw) or code_ref
                    f.error(where, "E-GWP-MISSING", f"GWP 版本 {gwp_set} 中没有气体“{fac.gas}”的增温潜势值（因子 {code}）")
                    bad = True
        if bad or stage is None:
            continue
        key = (stage, name, kind, amount, unit, code)
        if key in seen_rows:
            f.warn(CellRef(table.sheet, f"A{row.row}"), "W-DUPLICATE-ROW",
                   f"第 {row.row} 行与第 {seen_rows[key]} 行完全相同，是否重复填写？")
        seen_rows[key] = row.row
        if chosen:
            used.add(code)
        out.append(Activity(
            stage=stage, type=text_of(row.value("type")), name=name, amount=amount, amount_kind=kind,  # type: ignore[arg-type]
            unit=unit, factor_code=code if chosen else "", source=text_of(row.value("source")), note=note,
            row=row.row, amount_cell=amount_ref, unit_cell=unit_ref,
        ))
    if not out and not any(x.is_error and x.sheet == table.sheet for x in f.items):
        f.error(CellRef(table.sheet, f"A{table.header_row}"), "E-NO-ACTIVITIES", "“活动数据”表中没有任何活动数据行")
    _check_double_counting(out, factors, f, table)
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


def _gas_cell(fac: Factor, raw: RawWorkbook) -> CellRef | None:
    """The 温室气体 cell of the 排放因子 row that defined a workbook factor."""
    table = raw.tables.get(contract.FACTORS.name)
    if fac.ref is None or table is None or "gas" not in table.columns:
        return fac.ref
    row = fac.ref.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return CellRef(fac.ref.sheet, f"{table.columns['gas']}{row}")


def _same_unit(a: str, b: str) -> bool:
    try:
        k, note = units.factor(a, b)
    except units.UnitError:
        return False
    return abs(k - 1) < 1e-12 and not note


def _check_double_counting(acts: list[Activity], factors: dict[str, tuple[Factor, ...]], f: _Findings,
                           table: RawTable) -> None:
    by_name: dict[str, Activity] = {}
    by_code: dict[str, Activity] = {}
    for a in acts:
        key = "".join(a.name.split()).casefold()
        first = by_name.setdefault(key, a)
        if first.stage != a.stage:
            f.warn(CellRef(table.sheet, f"{table.columns.get('name', 'A')}{a.row}"), "W-DOUBLE-COUNT",
                   f"“{a.name}”同时出现在“{first.stage.short_zh}”（第 {first.row} 行）和“{a.stage.short_zh}”阶段，可能重复计算")
            continue
        facs = factors.get(a.factor_code) or ()
        if not a.factor_code or any(units.kind_of(x.per_unit) == "freight" for x in facs):
            continue  # freight legs of different flows legitimately share one t·km factor
        first = by_code.setdefault(a.factor_code, a)
        if first.stage != a.stage:
            f.warn(CellRef(table.sheet, f"{table.columns.get('factor_code', 'A')}{a.row}"), "W-DOUBLE-COUNT",
                   f"排放因子“{a.factor_code}”同时用于“{first.stage.short_zh}”（第 {first.row} 行）和“{a.stage.short_zh}”阶段，可能重复计算")


# ---- 产品产量 ---------------------------------------------------------------------------------------------


def _products(raw: RawWorkbook, f: _Findings) -> list[Product]:
    table = raw.tables.get(contract.PRODUCTS.name)
    if table is None:
        return []
    rows = [r for r in _data_rows(table, f, name_key="name") if f.row_ok(r)]
    out: list[Product] = []
    for row in rows:
        name = text_of(row.value("name"))
        unit = text_of(row.value("unit"))
        yes_no = fold_text(row.value("for_intensity") or "")
        if yes_no in ("", None):
            use = len(rows) == 1
        elif yes_no in (contract.YES, "Y", "YES", "y", "yes", "√"):
            use = True
        elif yes_no in (contract.NO, "N", "NO", "n", "no", "×"):
            use = False
        else:
            f.error(_ref(row, table, "for_intensity"), "E-YESNO-INVALID", f"“用于强度计算”应填 是 或 否，实际为“{yes_no}”")
            continue
        ok = True
        for key in ("name", "unit"):
            if not text_of(row.value(key)):
                f.error(_ref(row, table, key), "E-REQUIRED-MISSING", f"产品“{name or row.row}”缺少“{contract.PRODUCTS.column(key).header}”")
                ok = False
        out_ref = _ref(row, table, "output")
        p = parse_number(row.value("output"))
        if p.kind == "with_unit":
            # "4670 根": the unit column is free text, so the written unit must match it literally.
            if not unit or _squash(p.unit) == _squash(unit) or _same_unit(p.unit, unit):
                f.warn(out_ref, "W-AMOUNT-WITH-UNIT", f"产品“{name}”的产量“{p.text}”含单位，已按 {p.value:g} {p.unit} 读取")
                p = ParsedNumber("number", p.value, text=p.text)
            else:
                f.error(out_ref, "E-AMOUNT-UNIT-CONFLICT", f"产品“{name}”的产量写有单位“{p.unit}”，与单位列“{unit}”不一致")
                ok = False
        output = p.value if p.kind == "number" else 0.0
        if p.kind == "blank":
            f.error(out_ref, "E-REQUIRED-MISSING", f"产品“{name}”的产量为空")
            ok = False
        elif p.kind in ("no_data", "not_applicable") and not use:
            pass  # a product listed but not used for intensity needs no output
        elif p.kind in ("invalid", "no_data", "not_applicable"):
            f.error(out_ref, "E-AMOUNT-NOT-NUMBER", f"产品“{name}”的产量“{text_of(row.value('output'))}”不是数字")
            ok = False
        elif p.kind != "number":
            pass  # the unit conflict above
        elif use and output <= 0:
            f.error(_ref(row, table, "output"), "E-OUTPUT-NONPOSITIVE", f"产品“{name}”用于强度计算，产量必须大于 0")
            ok = False
        elif output < 0:
            f.error(_ref(row, table, "output"), "E-AMOUNT-NEGATIVE", f"产品“{name}”的产量为负数")
            ok = False
        alloc = 100.0
        cell = row.cells.get("allocation")
        if cell is not None and cell.value not in (None, ""):
            pp = parse_percent(cell.value, cell.number_format)
            if not pp.ok or not 0 < pp.pct <= 100:
                f.error(cell.ref, "E-ALLOCATION-RANGE", f"分配比例“{text_of(cell.value)}”应在 0–100（%）之间")
                ok = False
            else:
                alloc = pp.pct
                if pp.fraction_warning:
                    f.warn(cell.ref, "W-PERCENT-FRACTION", f"分配比例“{text_of(cell.value)}”按 {pp.pct:g}% 读取；若指 {pp.pct * 100:g}%，请填 {pp.pct * 100:g}")
        if ok:
            out.append(Product(name, output, unit, use, alloc, row.row))
    used = [p for p in out if p.for_intensity]
    if used and sum(p.allocation_pct for p in used) > 100 + 1e-9:
        f.warn(CellRef(table.sheet, f"A{table.header_row}"), "W-ALLOCATION-SUM",
               f"用于强度计算的产品分配比例合计为 {sum(p.allocation_pct for p in used):g}%，超过 100%")
    return out


# ---- 减排目标, 减排技术, 设备清单, 图片与附件, 历史排放 --------------------------------------------------------


def _targets(raw: RawWorkbook, f: _Findings, company: Company | None, products: list[Product]) -> list[Target]:
    table = raw.tables.get(contract.TARGETS.name)
    out: list[Target] = []
    if table is None:
        return out
    base_year = company.base_year if company else None
    seen: dict[tuple, tuple[float, int]] = {}
    for row in _data_rows(table, f, name_key="stage"):
        if not f.row_ok(row):
            continue
        ok = True
        year = parse_year(row.value("year"))
        if year is None:
            f.error(_ref(row, table, "year"), "E-REQUIRED-MISSING" if row.value("year") in (None, "") else "E-YEAR-INVALID",
                    f"目标年份“{text_of(row.value('year'))}”不是年份")
            ok = False
        elif base_year is not None and year <= base_year:
            f.error(_ref(row, table, "year"), "E-TARGET-YEAR", f"目标年份 {year} 应晚于基准年 {base_year}")
            ok = False
        elif year > LATEST_TARGET_YEAR:
            f.error(_ref(row, table, "year"), "E-YEAR-INVALID", f"目标年份 {year} 不合理（应不晚于 {LATEST_TARGET_YEAR} 年）")
            ok = False
        cell = row.cells.get("reduction")
        pct = 0.0
        if cell is None or cell.value in (None, ""):
            f.error(_ref(row, table, "reduction"), "E-REQUIRED-MISSING", "减排比例为空")
            ok = False
        else:
            pp = parse_percent(cell.value, cell.number_format)
            if not pp.ok or not 0 <= pp.pct <= 100:
                f.error(cell.ref, "E-REDUCTION-RANGE", f"减排比例“{text_of(cell.value)}”应在 0–100（%）之间")
                ok = False
            else:
                pct = pp.pct
                if pp.fraction_warning:
                    f.warn(cell.ref, "W-PERCENT-FRACTION", f"减排比例“{text_of(cell.value)}”按 {pp.pct:g}% 读取；若指 {pp.pct * 100:g}%，请填 {pp.pct * 100:g}")
        stage = None
        st = text_of(row.value("stage"))
        if st:
            stage = Stage.parse(st)
            if stage is None:
                f.error(_ref(row, table, "stage"), "E-STAGE-UNKNOWN", f"阶段“{st}”无法识别")
                ok = False
        kind_text = _squash(row.value("kind")) or "总量"
        kind = contract.TARGET_KINDS.get(kind_text)
        if kind is None:
            f.error(_ref(row, table, "kind"), "E-TARGET-KIND", f"目标类型“{kind_text}”应为 总量 或 强度")
            ok = False
        elif kind == "intensity" and not any(p.for_intensity for p in products):
            f.error(_ref(row, table, "kind"), "E-TARGET-NO-PRODUCT", "强度目标需要至少一种“用于强度计算”为“是”的产品")
            ok = False
        elif kind == "intensity" and company is not None and company.base_year != company.year:
            f.warn(_ref(row, table, "kind"), "W-TARGET-INTENSITY-BASE",
                   f"强度目标需要基准年 {company.base_year} 的产品排放强度，本工具只有核算年度的产量，此目标未测算")
        if ok and year is not None and kind is not None:
            key = (year, stage, kind)
            if key in seen:
                earlier_pct, earlier_row = seen[key]
                if earlier_pct != pct:
                    f.error(_ref(row, table, "reduction"), "E-TARGET-CONFLICT",
                            f"与第 {earlier_row} 行的目标（同一年份、阶段和类型）减排比例不同（{earlier_pct:g}% 与 {pct:g}%）")
                else:
                    f.warn(_ref(row, table, "year"), "W-DUPLICATE-ROW", f"第 {row.row} 行与第 {earlier_row} 行的目标相同，是否重复填写？")
                continue
            seen[key] = (pct, row.row)
            out.append(Target(year, pct, stage, kind, row.row))  # type: ignore[arg-type]
    return out


def _measures(raw: RawWorkbook, f: _Findings) -> list[Measure]:
    table = raw.tables.get(contract.MEASURES.name)
    out: list[Measure] = []
    if table is None:
        return out
    for row in _data_rows(table, f, name_key="stage"):
        if not f.row_ok(row):
            continue
        st = text_of(row.value("stage"))
        stage = Stage.parse(st) if st else None
        if st and stage is None:
            f.error(_ref(row, table, "stage"), "E-STAGE-UNKNOWN", f"阶段“{st}”无法识别")
            continue
        rate = None
        cell = row.cells.get("annual_rate")
        if cell is not None and cell.value not in (None, ""):
            pp = parse_percent(cell.value, cell.number_format)
            if not pp.ok or not 0 <= pp.pct <= 100:
                f.error(cell.ref, "E-REDUCTION-RANGE", f"年均减排比例“{text_of(cell.value)}”应在 0–100（%）之间")
                continue
            rate = pp.pct
            if pp.fraction_warning:
                f.warn(cell.ref, "W-PERCENT-FRACTION", f"年均减排比例“{text_of(cell.value)}”按 {pp.pct:g}% 读取；若指 {pp.pct * 100:g}%，请填 {pp.pct * 100:g}")
        out.append(Measure(stage, text_of(row.value("measure")), rate, text_of(row.value("investment")),
                           text_of(row.value("note")), row.row))
    return out


def _check_measures(measures: list[Measure], targets: list[Target], base_year: int, f: _Findings,
                    table: RawTable | None) -> None:
    """The seed plans 4 % a year yet targets 8 % by 2025 from 2023: 1 − 0.96² = 7.84 % falls short."""
    rates: dict[Stage | None, list[float]] = {}
    for m in measures:
        if m.annual_rate_pct is not None:
            rates.setdefault(m.stage, []).append(m.annual_rate_pct / 100)
    for t in targets:
        if t.kind != "total":
            continue
        stages = [t.stage] if t.stage else [s for s in rates if s is not None] or [None]
        short: list[tuple[str, float]] = []
        for stage in stages:
            rs = rates.get(stage) or rates.get(None)
            if not rs:
                continue
            keep = 1.0
            for r in rs:
                keep *= (1 - r) ** (t.year - base_year)
            achieved = (1 - keep) * 100
            if achieved + 1e-9 < t.reduction_pct:
                short.append((stage.short_zh if stage else "企业合计", achieved))
        if not short:
            continue
        # One line per target row: the seed's blank-stage target would otherwise repeat it six times.
        if len({round(a, 2) for _, a in short}) == 1:
            what = f"{'、'.join(n for n, _ in short)}：减排技术的年均减排比例按复利至 {t.year} 年仅减排 {short[0][1]:.2f}%"
        else:
            what = f"减排技术的年均减排比例按复利至 {t.year} 年仅减排 " + "、".join(f"{n} {a:.2f}%" for n, a in short)
        col = table.columns.get("reduction", "A") if table else "A"
        f.warn(CellRef(contract.TARGETS.name, f"{col}{t.row}"), "W-MEASURES-SHORT",
               f"{what}，低于目标 {t.reduction_pct:g}%")


def _equipment(raw: RawWorkbook, f: _Findings, acts: list[Activity]) -> list[Equipment]:
    table = raw.tables.get(contract.EQUIPMENT.name)
    out: list[Equipment] = []
    if table is None:
        return out
    names = " ".join(a.name for a in acts).upper()
    for row in _data_rows(table, f, name_key="name"):
        if not f.row_ok(row):
            continue
        q = parse_number(row.value("quantity"))
        if q.kind not in ("number", "blank"):
            f.warn(_ref(row, table, "quantity"), "W-EQUIPMENT-QUANTITY",
                   f"设备数量“{text_of(row.value('quantity'))}”不是数字，已按空白读取")
        energy = text_of(row.value("energy"))
        eq = Equipment(text_of(row.value("name")), text_of(row.value("model")), text_of(row.value("unit")),
                       q.value if q.kind == "number" else None, energy, row.row)
        out.append(eq)
        for fuel in _fuels_in(energy.upper()):
            if not any(w in names for w in _FUEL_SYNONYMS.get(fuel, (fuel,))):
                f.warn(_ref(row, table, "energy"), "W-EQUIPMENT-FUEL",
                       f"设备“{eq.name or row.row}”使用{fuel}，但活动数据中没有{fuel}的消耗记录")
    return out


_FUEL_SYNONYMS = {"液化石油气": ("液化石油气", "液化气", "LPG"), "液化气": ("液化石油气", "液化气", "LPG"),
                  "LPG": ("液化石油气", "液化气", "LPG"), "天然气": ("天然气", "LNG", "CNG"),
                  "LNG": ("天然气", "LNG"), "CNG": ("天然气", "CNG"), "煤": ("煤",), "原煤": ("原煤", "煤")}


def _fuels_in(energy: str) -> list[str]:
    """Fuels named in 能源类型, longest words first, each stretch of text counted once (原煤 is not also 煤)."""
    found: list[str] = []
    rest = energy
    for w in sorted(FUEL_WORDS, key=len, reverse=True):
        if w in rest:
            found.append(w)
            rest = rest.replace(w, " ")
    return found


def _pictures(raw: RawWorkbook, f: _Findings, exists: Callable[[str], bool] | None) -> list[Picture]:
    table = raw.tables.get(contract.PICTURES.name)
    out: list[Picture] = []
    if table is None:
        return out
    for row in _data_rows(table, f, name_key="position"):
        if not f.row_ok(row):
            continue
        pos, file = text_of(row.value("position")), text_of(row.value("file"))
        if not pos or not file:
            key = "position" if not pos else "file"
            f.error(_ref(row, table, key), "E-REQUIRED-MISSING", f"图片行缺少“{contract.PICTURES.column(key).header}”")
            continue
        if not file.lower().endswith((".png", ".jpg", ".jpeg")):
            f.warn(_ref(row, table, "file"), "W-PICTURE-TYPE", f"图片“{file}”不是 png 或 jpg，报告中将显示占位框")
        elif exists is not None and not exists(file):
            f.warn(_ref(row, table, "file"), "W-PICTURE-MISSING", f"找不到图片文件“{file}”，报告中将显示占位框")
        out.append(Picture(pos, text_of(row.value("title")), file, row.row))
    return out


def _history(raw: RawWorkbook, f: _Findings) -> list[HistoryRow]:
    table = raw.tables.get(contract.HISTORY.name)
    out: list[HistoryRow] = []
    if table is None:
        return out
    for row in _data_rows(table, f, name_key="stage"):
        if not f.row_ok(row):
            continue
        year = parse_year(row.value("year"))
        st = text_of(row.value("stage"))
        stage = Stage.parse(st) if st else None
        p = parse_number(row.value("emissions"))
        if year is None:
            f.error(_ref(row, table, "year"), "E-YEAR-INVALID", f"年份“{text_of(row.value('year'))}”无效")
        elif st and stage is None:
            f.error(_ref(row, table, "stage"), "E-STAGE-UNKNOWN", f"阶段“{st}”无法识别")
        elif p.kind != "number" or p.value < 0:
            f.error(_ref(row, table, "emissions"), "E-AMOUNT-NOT-NUMBER", f"排放量“{text_of(row.value('emissions'))}”应为不小于 0 的数字")
        else:
            out.append(HistoryRow(year, stage, p.value, row.row))
    return out


def _check_history(company: Company, targets: list[Target], history: list[HistoryRow], f: _Findings) -> None:
    have = {(h.year, h.stage) for h in history if h.year == company.base_year}
    need: set[Stage | None] = set()
    for t in targets:
        if t.kind == "total":  # an intensity target is not measured against history (a warning says so)
            need.update([t.stage] if t.stage else [None, *Stage])
    ref = company.refs.get("base_year", CellRef(contract.COMPANY_SHEET, "A1"))
    missing = [s for s in need if (company.base_year, s) not in have]
    for s in sorted(missing, key=lambda s: -1 if s is None else list(Stage).index(s)):
        name = "企业合计" if s is None else s.short_zh + "阶段"
        f.error(ref, "E-BASE-YEAR-HISTORY",
                f"基准年 {company.base_year} 不同于核算年度，需要在“历史排放”表中填写基准年{name}的排放量")


# ---- shared row handling -----------------------------------------------------------------------------------


def _data_rows(table: RawTable, f: _Findings, name_key: str, stage_key: str | None = None):
    """Rows to read: 合计/小计/总计 rows and notes (注…) are skipped with a warning."""
    for row in table.rows:
        name = _squash(row.value(name_key))
        first_cell = next((c for c in _in_column_order(row, table) if not _blank_value(c.value)), None)
        first = _squash(first_cell.value) if first_cell else ""
        where = first_cell.ref if first_cell else CellRef(table.sheet, f"A{row.row}")
        if name in contract.TOTAL_ROW_NAMES or first in contract.TOTAL_ROW_NAMES:
            if name in contract.TOTAL_ROW_NAMES:
                where = _ref(row, table, name_key)
            f.warn(where, "W-TOTAL-ROW-SKIPPED", f"第 {row.row} 行是合计/小计行，已跳过（合计由程序计算）")
            continue
        if first_cell is not None and _NOTE_ROW.match(fold_text(first_cell.value)):
            f.warn(where, "W-NOTE-ROW-SKIPPED", f"第 {row.row} 行是注释行，已跳过")
            continue
        if row.hidden:
            f.warn(where, "W-HIDDEN-ROW", f"第 {row.row} 行被隐藏或筛选，仍已读取")
        yield row


def _squash(value: object) -> str:
    """Text without any spaces or a trailing colon, for matching words such as 合计 or 小 计："""
    return "".join(fold_text(text_of(value)).split()).rstrip(":：")


def _blank_value(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _in_column_order(row: RawRow, table: RawTable) -> list[RawCell]:
    order = sorted(table.columns, key=lambda k: column_number(table.columns[k]))
    return [row.cells[k] for k in order if k in row.cells]


def _ref(row: RawRow, table: RawTable, key: str) -> CellRef:
    r = row.ref(key)
    if r is not None:
        return r
    return CellRef(table.sheet, f"A{row.row}")
