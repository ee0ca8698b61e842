"""减排技术: reduction measures and their yearly rates."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Measure,
    Stage,
)
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.rows import Findings, data_rows, percent_cell, ref
from carbon_report.core.values import (
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
            rate = percent_cell(cell, f, "年均减排比例", Code.E_REDUCTION_RANGE)
            if rate is None:
                continue
        out.append(Measure(stage, text_of(row.value("measure")), rate, text_of(row.value("investment")),
                           text_of(row.value("note")), row.row))
    return out
