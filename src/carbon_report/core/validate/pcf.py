"""Product footprints: the rules that bind only when footprints are asked for (--pcf) or a footprint column
is used, so a v1 workbook (products in 根/件/台 without 单位质量) keeps working unchanged (issue 28)."""

from __future__ import annotations

from dataclasses import dataclass

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import CellRef, Finding, Intake
from carbon_report.core.pcf import (
    ALLOCATION_BY_ZH,
    ALLOCATION_ZH,
    GRAVE_NEEDS,
    Allocation,
    default_allocation,
    rule_for,
    unit_mass_kg,
)


@dataclass(frozen=True)
class PcfPlan:
    """What the footprints will use: the method and, in Chinese, why."""

    allocation: Allocation
    basis_zh: str


def footprint_columns_used(intake: Intake) -> bool:
    """Any footprint column filled: the footprint rules then bind even without --pcf."""
    c = intake.company
    return (bool(c.text("allocation_method"))
            or any(a.product for a in intake.activities)
            or any(p.unit_mass_kg is not None or p.output_value is not None or "boundary" in p.refs
                   for p in intake.products)
            or any(f.supplier_data for rows in intake.factors.values() for f in rows))


def check_pcf(intake: Intake) -> tuple[PcfPlan | None, list[Finding]]:
    """The allocation method and every reason the footprints cannot be computed, each on its cell."""
    out: list[Finding] = []
    products = [p for p in intake.products if p.output > 0]
    company = intake.company
    method_cell = company.refs.get("allocation_method", CellRef(contract.COMPANY_SHEET, "B1"))
    typed = company.text("allocation_method").strip()
    single = len([p for p in intake.products if p.output > 0]) == 1
    if single and not typed:
        method, basis = "none", "只有一种产品，全部排放计入该产品，无需分配"
    elif typed:
        method = ALLOCATION_BY_ZH.get(typed)
        if method is None:
            out.append(Finding.of(Code.E_PCF_ALLOCATION_INVALID, method_cell, value=typed))
            return None, out
        basis = f"企业信息中填写的“{typed}”"
    else:
        method = default_allocation(tuple(products))
        why = "每个产品都填写了分配比例" if method == "share" else "并非每个产品都填写了分配比例"
        basis = f"未填写分配方法，{why}，按{ALLOCATION_ZH[method]}分配"
        out.append(Finding.of(Code.W_PCF_ALLOCATION_DEFAULT, method_cell, method=ALLOCATION_ZH[method], why=why))
    names = {p.name for p in intake.products}
    for a in intake.activities:
        if a.product and a.product not in names:
            out.append(Finding.of(Code.E_PCF_PRODUCT_UNKNOWN, a.product_cell or a.amount_cell,
                                  product=a.product))
    for p in intake.products:
        if p.output <= 0:
            out.append(Finding.of(Code.E_PCF_NO_OUTPUT, p.refs.get("output", CellRef("产品产量", f"B{p.row}")),
                                  name=p.name))
    if not products:
        return None, out
    if single:
        pass  # one product takes every line: no allocation rule to satisfy
    elif method == "mass":
        for p in products:
            if unit_mass_kg(p) is None:
                out.append(Finding.of(Code.E_PCF_UNIT_MASS_MISSING,
                                      p.refs.get("unit_mass", CellRef("产品产量", f"A{p.row}")), name=p.name, unit=p.unit))
    elif method == "economic":
        for p in products:
            if p.output_value is None or p.output_value <= 0:
                out.append(Finding.of(Code.E_PCF_OUTPUT_VALUE_MISSING,
                                      p.refs.get("output_value", CellRef("产品产量", f"A{p.row}")), name=p.name))
    elif method == "share":
        missing = [p for p in products if not p.allocation_given]
        for p in missing:
            out.append(Finding.of(Code.E_PCF_SHARE_MISSING, p.refs.get("allocation", CellRef("产品产量", f"A{p.row}")),
                                  name=p.name))
        total = sum(p.allocation_pct for p in products)
        if not missing and abs(total - 100.0) > 1e-6:
            out.append(Finding.of(Code.E_PCF_SHARE_SUM, method_cell, total=f"{total:g}"))
    else:  # 不分配: every row names its product
        for a in intake.activities:
            if not a.product and a.amount_kind == "value":
                out.append(Finding.of(Code.E_PCF_NOT_ALLOCATED, a.product_cell or a.amount_cell,
                                      name=a.name))
    for p in products:
        if p.boundary != "cradle_to_grave":
            continue
        got = {rule_for(a.stage, a.type, a.name).pcf_stage for a in intake.activities
               if a.product == p.name and a.amount_kind == "value"}
        if not all(s in got for s in GRAVE_NEEDS):
            out.append(Finding.of(Code.E_PCF_BOUNDARY_DATA, p.refs.get("boundary", CellRef("产品产量", f"A{p.row}")),
                                  name=p.name))
    if any(f.is_error for f in out):
        return None, out
    return PcfPlan(method, basis), out

