"""The computed sheets (computed.SheetTable) as the 2-D values written into the live workbook.

The same tables the openpyxl writer draws, as values only: a title line, the header, the rows. Internal
links become HYPERLINK formulas, so a click on 单元格 jumps to the cell as in the CLI's output workbook.
Text is written with Excel's text prefix ('), because Excel parses a value written through its object
model as if it were typed: "=…" would become a formula, "2024-07-20" a date, "8%" a number.
"""

from __future__ import annotations

import math
from typing import Any

from carbon_report.app.excel.adapter import LiveBook
from carbon_report.core import contract
from carbon_report.outputs.computed import SheetTable


def cell_value(v: Any) -> Any:
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return v if math.isfinite(v) else "'" + str(v)
    text = str(v)
    return "'" + text if text else None


def hyperlink(location: str, text: Any) -> str:
    """location is "'工作表'!D7" (computed.sheet_link)."""
    def q(s: str) -> str:
        return s.replace('"', '""')

    return f'=HYPERLINK("#{q(location)}","{q(str(text))}")'


def table_values(t: SheetTable) -> tuple[list[list[Any]], int]:
    """(rows to write from A1, 1-based row of the first data row)."""
    width = max([len(t.header)] + [len(r) for r in t.rows])
    values: list[list[Any]] = []
    if t.title:
        values.append([cell_value(t.title)] + [None] * (width - 1))
    values.append([cell_value(h) for h in t.header] + [None] * (width - len(t.header)))
    first = len(values) + 1
    for i, row in enumerate(t.rows):
        out = [hyperlink(t.links[(i, j)], v) if (i, j) in t.links and v not in (None, "") else cell_value(v)
               for j, v in enumerate(row)]
        values.append(out + [None] * (width - len(out)))
    return values, first


def write_computed(live: LiveBook, tables: list[SheetTable]) -> None:
    """Replace the computed sheets; input sheets are never touched (only names in COMPUTED_SHEETS)."""
    for t in tables:
        if t.name not in contract.ALL_COMPUTED_SHEETS:
            raise ValueError(f"not a computed sheet: {t.name}")
        values, first = table_values(t)
        live.write_sheet(t.name, values, first_data_row=first, number_formats=dict(t.number_formats),
                         widths=t.widths)
    # An optional sheet (月度数据, 场所汇总) left by an earlier run whose columns this run no longer uses is
    # emptied with a note, so it never shows stale figures (the add-in does not delete sheets).
    written = {t.name for t in tables}
    for name in contract.OPTIONAL_COMPUTED_SHEETS:
        if name not in written and name in live.sheet_names():
            live.write_sheet(name, [["本次运行的“活动数据”未使用相应的列，此表无内容。"]], first_data_row=2,
                             number_formats={}, widths=[60])
