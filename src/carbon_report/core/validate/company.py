"""企业信息: the label/value sheet → Company (names, codes, years, GWP set, dates)."""

from __future__ import annotations

import datetime as dt

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    CellRef,
    Company,
)
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.rows import Findings, squash
from carbon_report.core.values import (
    ParsedNumber,
    fold_text,
    out_of_range,
    parse_date,
    parse_number,
    parse_year,
    text_of,
    uscc_problem,
)

EARLIEST_YEAR = 1990






def read_company(raw: RawWorkbook, f: Findings, today: dt.date) -> Company | None:
    if contract.COMPANY_SHEET not in raw.sheet_names:
        return None
    sheet_a1 = CellRef(contract.COMPANY_SHEET, "A1")
    values: dict[str, object] = {}
    for lab in contract.LABELS:
        cell = raw.labels.get(lab.key)
        if cell is None:
            if lab.required:
                f.error(sheet_a1, Code.E_LABEL_MISSING, sheet=contract.COMPANY_SHEET, label=lab.text)
            continue
        if not f.cell_ok(cell):
            continue
        blank = cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())
        if blank:
            if lab.required:
                f.error(cell.ref, Code.E_REQUIRED_MISSING, name=contract.COMPANY_SHEET, column=lab.text)
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
            f.error(ref("uscc"), Code.E_USCC_NUMBER)
        else:
            uscc = fold_text(v).upper()
            problem = uscc_problem(uscc)
            if problem:
                f.error(ref("uscc"), Code.E_USCC_CHECK, value=uscc, problem=problem)
    year = None
    if "year" in values:
        year = parse_year(values["year"])
        if year is None or not EARLIEST_YEAR <= year <= today.year:
            f.error(ref("year"), Code.E_YEAR_INVALID, label="核算年度", value=text_of(values["year"]),
                    first=EARLIEST_YEAR, last=today.year)
            year = None
    base_year = year
    if "base_year" in values:
        base_year = parse_year(values["base_year"])
        if base_year is None or base_year < EARLIEST_YEAR or (year is not None and base_year > year):
            f.error(ref("base_year"), Code.E_BASE_YEAR_INVALID, value=text_of(values["base_year"]),
                    first=EARLIEST_YEAR)
            base_year = year
    gwp = contract.DEFAULT_GWP
    if "gwp_version" in values:
        g = fold_text(values["gwp_version"]).upper()
        if g not in contract.GWP_VERSIONS:
            f.error(ref("gwp_version"), Code.E_GWP_VERSION, value=text_of(values["gwp_version"]),
                    choices=" / ".join(contract.GWP_VERSIONS))
        else:
            gwp = g
    if "template_version" in values and \
            squash(values["template_version"]).upper().lstrip("V") not in (str(contract.TEMPLATE_VERSION),
                                                                            f"{contract.TEMPLATE_VERSION}.0"):
        f.warn(ref("template_version"), Code.W_TEMPLATE_VERSION, value=text_of(values["template_version"]),
               version=contract.TEMPLATE_VERSION)
    report_date = None
    texts: dict[str, str] = {}
    for key in ("report_date", "review_date", "approval_date"):
        if key in values:
            d = parse_date(values[key])
            if d is None:
                label = next(lab.text for lab in contract.LABELS if lab.key == key)
                f.error(ref(key), Code.E_DATE_INVALID, label=label, value=text_of(values[key]))
            else:
                texts[key] = d.isoformat()
                if key == "report_date":
                    report_date = d
    output_value = None
    if "output_value" in values:
        p = parse_number(values["output_value"])
        if p.kind == "with_unit" and squash(p.unit) == "万元":
            f.warn(ref("output_value"), Code.W_AMOUNT_WITH_UNIT, name=name or contract.COMPANY_SHEET, column="工业总产值",
                   value=p.text, number=f"{p.value:g}", unit="万元")
            p = ParsedNumber("number", p.value, text=p.text)
        if p.kind == "number" and p.value > 0 and out_of_range(p.value, divisor=True):
            f.error(ref("output_value"), Code.E_AMOUNT_OUT_OF_RANGE, name=name or contract.COMPANY_SHEET,
                    column="工业总产值",
                    value=text_of(values["output_value"]))
        elif p.kind != "number" or p.value <= 0:
            f.error(ref("output_value"), Code.E_OUTPUT_VALUE_INVALID, value=text_of(values["output_value"]))
        else:
            output_value = p.value
    if "phone" in values and isinstance(values["phone"], int | float):
        f.warn(ref("phone"), Code.W_PHONE_NUMBER)
    if "report_date" not in values:
        warn_report_date_blank(ref("report_date"), today, f)
    if "conclusion" not in values:
        f.warn(ref("conclusion"), Code.W_CONCLUSION_BLANK)
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


def warn_report_date_blank(where: CellRef, today: dt.date, f: Findings) -> None:
    """The default grid factor is the latest published on or before 报告日期; without one it follows the day
    the tool runs, so the same workbook can give another total tomorrow."""
    f.warn(where, Code.W_REPORT_DATE_BLANK, date=today.isoformat())
