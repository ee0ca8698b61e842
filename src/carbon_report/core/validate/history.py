"""历史排放: earlier years' totals for the base year."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    HistoryRow,
    Stage,
)
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.rows import Findings, data_rows, ref
from carbon_report.core.values import (
    parse_number,
    parse_year,
    text_of,
)


def read_history(raw: RawWorkbook, f: Findings) -> list[HistoryRow]:
    table = raw.tables.get(contract.HISTORY.name)
    out: list[HistoryRow] = []
    if table is None:
        return out
    for row in data_rows(table, f, name_key="stage"):
        if not f.row_ok(row):
            continue
        year = parse_year(row.value("year"))
        st = text_of(row.value("stage"))
        stage = Stage.parse(st) if st else None
        p = parse_number(row.value("emissions"))
        if year is None:
            f.error(ref(row, table, "year"), Code.E_YEAR_INVALID, f"年份“{text_of(row.value('year'))}”无效")
        elif st and stage is None:
            f.error(ref(row, table, "stage"), Code.E_STAGE_UNKNOWN, f"阶段“{st}”无法识别")
        elif p.kind != "number" or p.value < 0:
            f.error(ref(row, table, "emissions"), Code.E_AMOUNT_NOT_NUMBER, f"排放量“{text_of(row.value('emissions'))}”应为不小于 0 的数字")
        else:
            out.append(HistoryRow(year, stage, p.value, row.row))
    return out
