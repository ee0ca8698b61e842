"""减排技术: reduction measures and their yearly rates."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Measure,
)
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.rows import Findings, checked_rows, percent_cell, stage_of
from carbon_report.core.values import (
    text_of,
)


def read_measures(raw: RawWorkbook, f: Findings) -> list[Measure]:
    out: list[Measure] = []
    got = checked_rows(raw, contract.MEASURES, f, name_key="stage")
    if got is None:
        return out
    table, rows = got
    for row in rows:
        stage, ok = stage_of(row, table, f)
        if not ok:
            continue
        rate = None
        cell = row.cell("annual_rate")
        if cell is not None and cell.value not in (None, ""):
            rate = percent_cell(cell, f, "年均减排比例", Code.E_REDUCTION_RANGE)
            if rate is None:
                continue
        out.append(Measure(stage, text_of(row.value("measure")), rate, text_of(row.value("investment")),
                           text_of(row.value("note")), row.row))
    return out
