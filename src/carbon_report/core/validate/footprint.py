"""The product-footprint columns (issue 28), read after the sheets they sit in: 产品产量's 单位质量(kg), 产值(万元),
系统边界, CPC编码, 产品标识; 活动数据's 产品; 排放因子's 供应商数据 and 证明材料.

All optional and additive: a workbook without them reads exactly as before. Only what a cell itself can be
wrong about is checked here (a number, a yes/no, a boundary word); whether the footprints can be computed
(a 产品 not in 产品产量, mass allocation without 单位质量 …) binds only when they are asked for (pcf.py).
"""

from __future__ import annotations

import dataclasses

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import Activity, CellRef, Factor, Intake, Product
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.extras import EvidenceProbe, read_evidence
from carbon_report.core.validate.rows import Findings, blank_value, ref
from carbon_report.core.values import fold_text, out_of_range, parse_number, text_of

_YES = (contract.YES, "Y", "YES", "y", "yes", "√")
_NO = (contract.NO, "N", "NO", "n", "no", "×", "")


def read_footprint_columns(raw: RawWorkbook, intake: Intake, f: Findings,
                           evidence: EvidenceProbe | None) -> Intake:
    return dataclasses.replace(intake, products=_products(raw, intake.products, f),
                               activities=_activities(raw, intake.activities),
                               factors=_factors(raw, intake.factors, f, evidence))


def _positive(raw_value: object, cell: CellRef, f: Findings, name: str, column: str) -> float | None:
    p = parse_number(raw_value)
    if p.kind == "blank":
        return None
    if p.kind != "number" or p.value <= 0 or out_of_range(p.value, divisor=True):
        f.error(cell, Code.E_AMOUNT_NOT_NUMBER, name=name, column=column, value=text_of(raw_value))
        return None
    return p.value


def _products(raw: RawWorkbook, products: tuple[Product, ...], f: Findings) -> tuple[Product, ...]:
    table = raw.tables.get(contract.PRODUCTS.name)
    if table is None:
        return products
    by_row = {r.row: r for r in table.rows}
    out: list[Product] = []
    for p in products:
        row = by_row.get(p.row)
        if row is None:
            out.append(p)
            continue
        refs = {k: ref(row, table, k) for k in ("output", "allocation", "unit_mass", "output_value", "boundary", "cpc")}
        mass = _positive(row.value("unit_mass"), refs["unit_mass"], f, p.name, "单位质量")
        value = _positive(row.value("output_value"), refs["output_value"], f, p.name, "产值")
        boundary_text = fold_text(text_of(row.value("boundary"))).replace(" ", "")
        boundary = contract.PCF_BOUNDARIES.get(boundary_text or "从摇篮到大门")
        if boundary is None:
            f.error(refs["boundary"], Code.E_PCF_BOUNDARY_INVALID, value=boundary_text)
            boundary = "cradle_to_gate"
        if not boundary_text:
            refs.pop("boundary")  # blank: the default, and no sign that footprints are wanted
        out.append(dataclasses.replace(
            p, allocation_given=not blank_value(row.value("allocation")), unit_mass_kg=mass, output_value=value,
            boundary=boundary, cpc=text_of(row.value("cpc")).strip(), product_id=text_of(row.value("product_id")).strip(),
            refs=refs))
    return tuple(out)


def _activities(raw: RawWorkbook, activities: tuple[Activity, ...]) -> tuple[Activity, ...]:
    table = raw.tables.get(contract.ACTIVITIES.name)
    if table is None or "product" not in table.columns:
        return activities
    by_row = {r.row: r for r in table.rows}
    out = []
    for a in activities:
        row = by_row.get(a.row)
        name = text_of(row.value("product")).strip() if row is not None else ""
        out.append(dataclasses.replace(a, product=name, product_cell=ref(row, table, "product")) if name else a)
    return tuple(out)


def _factors(raw: RawWorkbook, factors: dict[str, tuple[Factor, ...]], f: Findings,
             evidence: EvidenceProbe | None) -> dict[str, tuple[Factor, ...]]:
    table = raw.tables.get(contract.FACTORS.name)
    if table is None or not ({"supplier_data", "evidence"} & set(table.columns)):
        return factors
    marks: dict[str, tuple[bool, object]] = {}
    for row in table.rows:
        code = text_of(row.value("code")).strip()
        if not code:
            continue
        yes_no = fold_text(text_of(row.value("supplier_data")))
        if yes_no not in _YES + _NO:
            f.error(ref(row, table, "supplier_data"), Code.E_YESNO_INVALID, label="供应商数据", value=yes_no)
            continue
        proof, _ok = read_evidence(row, table, code, evidence, f)
        supplier, old_proof = marks.get(code, (False, None))
        marks[code] = (supplier or yes_no in _YES, old_proof or proof)
    out = dict(factors)
    for code, (supplier, proof) in marks.items():
        if code in out and (supplier or proof):
            out[code] = tuple(dataclasses.replace(x, supplier_data=supplier, evidence=proof) for x in out[code])
    return out
