"""减排技术: reduction measures and their yearly rates."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Measure,
    Stage,
)
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.rows import Findings, data_rows, ref
from carbon_report.core.values import (
    parse_percent,
    text_of,
)


def read_measures(raw: RawWorkbook, f: Findings) -> list[Measure]:
    table = raw.tables.get(contract.MEASURES.name)
    out: list[Measure] = []
    if table is None:
        return out
    for row in data_rows(table, f, name_key="stage"):
        if not f.row_ok(row):
            continue
        st = text_of(row.value("stage"))
        stage = Stage.parse(st) if st else None
        if st and stage is None:
            f.error(ref(row, table, "stage"), Code.E_STAGE_UNKNOWN, f"阶段“{st}”无法识别")
            continue
        rate = None
        cell = row.cells.get("annual_rate")
        if cell is not None and cell.value not in (None, ""):
            pp = parse_percent(cell.value, cell.number_format)
            if not pp.ok or not 0 <= pp.pct <= 100:
                f.error(cell.ref, Code.E_REDUCTION_RANGE, f"年均减排比例“{text_of(cell.value)}”应在 0–100（%）之间")
                continue
            rate = pp.pct
            if pp.fraction_warning:
                f.warn(cell.ref, Code.W_PERCENT_FRACTION, f"年均减排比例“{text_of(cell.value)}”按 {pp.pct:g}% 读取；若指 {pp.pct * 100:g}%，请填 {pp.pct * 100:g}")
        out.append(Measure(stage, text_of(row.value("measure")), rate, text_of(row.value("investment")),
                           text_of(row.value("note")), row.row))
    return out
