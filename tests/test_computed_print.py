"""Issue 26, item 6: the computed workbook prints readably and its charts show without recalculation.

A long note beside a table is wrapped within the table's columns (merged), so it never widens the
fit-to-page print area; a trend's value axis starts at zero; every chart part carries cached values (a
preview that does not recalculate, such as a phone or a mail viewer, draws from them)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from carbon_report.core import contract
from carbon_report.outputs.computed import SheetTable
from carbon_report.outputs.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[1]
HENAN = ROOT / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
LONG = "注：" + "较上年变化按重算后的口径计算，历史排放表所填年份无法重算按所填数值。" * 4


def _write(tmp_path: Path, table: SheetTable) -> Path:
    out = tmp_path / "out.xlsx"
    write_workbook(HENAN, [table], out)
    return out


def _parts(out: Path, prefix: str) -> list[str]:
    with zipfile.ZipFile(out) as z:
        return [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith(prefix)]


def test_long_title_and_notes_stay_within_the_table(tmp_path: Path) -> None:
    name = contract.SHEET_YEARS
    table = SheetTable(name, ["年份", "合计", "变化"], [[2022, 3000.0, None], [2023, 2502.5, -0.1658], [LONG, None, None]],
                       [8, 14, 12], title="华东精密机械有限公司（示例）　" + LONG)
    out = _write(tmp_path, table)
    ws = openpyxl.load_workbook(out)[name]
    merged = {str(r) for r in ws.merged_cells.ranges}
    # title in row 1, header row 2, years rows 3–4, the note row 5: each long text spans A:C only
    assert merged == {"A1:C1", "A5:C5"}
    assert ws["A1"].alignment.wrap_text and ws["A5"].alignment.wrap_text
    # the rows are tall enough for the wrapped lines (34 digit widths per line; a CJK character counts ~2)
    assert ws.row_dimensions[1].height > 15 * 3 and ws.row_dimensions[5].height > 15 * 3
    sheet_xml = next(x for x in _parts(out, "xl/worksheets/") if LONG[:10] in x or "mergeCell" in x)
    assert 'fitToPage="1"' in sheet_xml


def test_line_chart_starts_at_zero_and_caches_its_values(tmp_path: Path) -> None:
    table = SheetTable(contract.SHEET_YEARS, ["年份", "排放总量 tCO2e"], [[2022, 2400.0], [2023, 2502.5], [2024, 2300.25]],
                       [10, 16], chart={"kind": "line", "title": "历年排放趋势", "label_col": 0, "value_col": 1,
                                        "first": 0, "last": 2})
    (xml,) = _parts(_write(tmp_path, table), "xl/charts/cr_")
    val_axis = re.search(r"<c:valAx>.*?</c:valAx>", xml).group(0)
    assert '<c:min val="0"/>' in val_axis  # 2,300 … 2,502 drawn from 0, not from 2,300
    caches = re.findall(r"<c:numCache>(.*?)</c:numCache>", xml)
    assert len(caches) == 2  # the years and the totals
    assert re.findall(r"<c:v>([^<]*)</c:v>", caches[0]) == ["2022.0", "2023.0", "2024.0"]
    assert re.findall(r"<c:v>([^<]*)</c:v>", caches[1]) == ["2400.0", "2502.5", "2300.25"]
    assert "<c:strCache><c:ptCount val=\"1\"/><c:pt idx=\"0\"><c:v>排放总量 tCO2e</c:v>" in xml  # series name


def test_pie_chart_caches_its_labels_and_values(tmp_path: Path) -> None:
    rows = [[1, "低碳原材料获取阶段碳排放量", "tCO2e", 2461.14], [2, "数智化生产阶段碳排放量", "tCO2e", 41.39],
            [3, "数智化采购阶段碳排放量", "tCO2e", "/"]]
    table = SheetTable(contract.SHEET_SUMMARY, ["序号", "清单", "单位", "数量"], rows, [6, 30, 10, 14],
                       chart={"kind": "pie", "title": "各阶段碳排放占比", "label_col": 1, "value_col": 3,
                              "first": 0, "last": 2})
    (xml,) = _parts(_write(tmp_path, table), "xl/charts/cr_")
    labels = re.search(r"<c:cat>.*?</c:cat>", xml).group(0)
    assert re.findall(r"<c:v>([^<]*)</c:v>", labels) == [r[1] for r in rows]
    values = re.search(r"<c:val>.*?</c:val>", xml).group(0)
    assert '<c:ptCount val="3"/>' in values
    # "/" has no point (as Excel caches a text cell under a number series); the two numbers are there
    assert re.findall(r'<c:pt idx="(\d)"><c:v>([^<]*)</c:v>', values) == [("0", "2461.14"), ("1", "41.39")]
