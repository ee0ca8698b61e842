"""产品产量: products, outputs and allocation for intensities."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    CellRef,
    Product,
)
from carbon_report.core.raw import RawRow, RawTable, RawWorkbook
from carbon_report.core.validate.activities import same_unit
from carbon_report.core.validate.rows import (
    Findings,
    checked_rows,
    percent_cell,
    ref,
    squash,
)
from carbon_report.core.values import (
    ParsedNumber,
    fold_text,
    out_of_range,
    parse_number,
    text_of,
)


def read_products(raw: RawWorkbook, f: Findings) -> list[Product]:
    got = checked_rows(raw, contract.PRODUCTS, f, name_key="name")
    if got is None:
        return []
    table, rows = got
    out: list[Product] = []
    for row in rows:
        name = text_of(row.value("name"))
        unit = text_of(row.value("unit"))
        use = _for_intensity(row, table, f, single=len(rows) == 1)
        if use is None:
            continue
        ok = True
        for key in ("name", "unit"):
            if not text_of(row.value(key)):
                f.error(ref(row, table, key), Code.E_REQUIRED_MISSING, name=name or f"第 {row.row} 行",
                        column=contract.PRODUCTS.column(key).header)
                ok = False
        output, output_ok = _output(row, table, f, name, unit, use)
        ok = ok and output_ok
        alloc = 100.0
        cell = row.cell("allocation")
        if cell is not None and cell.value not in (None, ""):
            got = percent_cell(cell, f, "分配比例", Code.E_ALLOCATION_RANGE, zero_ok=False)
            ok = ok and got is not None
            alloc = got or alloc
        base_output, base_ok = _base_output(row, table, f, name)
        ok = ok and base_ok
        if ok:
            out.append(Product(name, output, unit, use, alloc, row.row, base_output=base_output))
    used = [p for p in out if p.for_intensity]
    if used and sum(p.allocation_pct for p in used) > 100 + 1e-9:
        f.warn(CellRef(table.sheet, f"A{table.header_row}"), Code.W_ALLOCATION_SUM,
               sum=f"{sum(p.allocation_pct for p in used):g}")
    return out


def _base_output(row: RawRow, table: RawTable, f: Findings, name: str) -> tuple[float | None, bool]:
    """基准年产量 (optional, issue 25): blank is None; otherwise a number greater than 0."""
    cell = row.cell("base_output")
    if cell is None or cell.value in (None, ""):
        return None, True
    p = parse_number(cell.value)
    if p.kind != "number" or out_of_range(p.value, divisor=True):
        f.error(cell.ref, Code.E_AMOUNT_NOT_NUMBER, name=name, column="基准年产量", value=text_of(cell.value))
        return None, False
    if p.value <= 0:
        f.error(cell.ref, Code.E_AMOUNT_NEGATIVE, name=name, column="基准年产量", value=text_of(cell.value))
        return None, False
    return p.value, True


def _output(row: RawRow, table: RawTable, f: Findings, name: str, unit: str, use: bool) -> tuple[float, bool]:
    """产量 of one product: a number (a written unit must match the unit column), blank or no-data only when
    the product is not used for intensity."""
    ok = True
    out_ref = ref(row, table, "output")
    p = parse_number(row.value("output"))
    if p.kind == "with_unit":
        # "4670 根": the unit column is free text, so the written unit must match it literally.
        if not unit or squash(p.unit) == squash(unit) or same_unit(p.unit, unit):
            f.warn(out_ref, Code.W_AMOUNT_WITH_UNIT, name=name, column="产量", value=p.text, number=f"{p.value:g}",
                   unit=p.unit)
            p = ParsedNumber("number", p.value, text=p.text)
        else:
            f.error(out_ref, Code.E_AMOUNT_UNIT_CONFLICT, name=name, column="产量", unit=p.unit, column_unit=unit)
            ok = False
    output = p.value if p.kind == "number" else 0.0
    if p.kind == "blank":
        f.error(out_ref, Code.E_REQUIRED_MISSING, name=name, column="产量")
        ok = False
    elif p.kind in ("no_data", "not_applicable") and not use:
        pass  # a product listed but not used for intensity needs no output
    elif p.kind in ("invalid", "no_data", "not_applicable"):
        f.error(out_ref, Code.E_AMOUNT_NOT_NUMBER, name=name, column="产量", value=text_of(row.value("output")))
        ok = False
    elif p.kind != "number":
        pass  # the unit conflict above
    elif out_of_range(output, divisor=True):
        f.error(out_ref, Code.E_AMOUNT_OUT_OF_RANGE, name=name, column="产量", value=text_of(row.value("output")))
        ok = False
    elif use and output <= 0:
        f.error(ref(row, table, "output"), Code.E_OUTPUT_NONPOSITIVE, name=name)
        ok = False
    elif output < 0:
        f.error(ref(row, table, "output"), Code.E_AMOUNT_NEGATIVE, name=name, column="产量", value=f"{output:g}")
        ok = False
    return output, ok


def _for_intensity(row: RawRow, table: RawTable, f: Findings, *, single: bool) -> bool | None:
    """用于强度计算: blank means 是 for a single product and 否 for several (contract); None after an error."""
    yes_no = fold_text(row.value("for_intensity") or "")
    if yes_no in ("", None):
        return single
    if yes_no in (contract.YES, "Y", "YES", "y", "yes", "√"):
        return True
    if yes_no in (contract.NO, "N", "NO", "n", "no", "×"):
        return False
    f.error(ref(row, table, "for_intensity"), Code.E_YESNO_INVALID, label="用于强度计算", value=yes_no)
    return None
