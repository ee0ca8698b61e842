"""图片与附件: pictures for the report, checked for existence through a callable."""

from __future__ import annotations

from collections.abc import Callable

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Picture,
)
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.rows import Findings, checked_rows, ref
from carbon_report.core.values import (
    text_of,
)


def read_pictures(raw: RawWorkbook, f: Findings, exists: Callable[[str], bool] | None) -> list[Picture]:
    out: list[Picture] = []
    got = checked_rows(raw, contract.PICTURES, f, name_key="position")
    if got is None:
        return out
    table, rows = got
    for row in rows:
        pos, file = text_of(row.value("position")), text_of(row.value("file"))
        if not pos or not file:
            key = "position" if not pos else "file"
            f.error(ref(row, table, key), Code.E_REQUIRED_MISSING, f"图片行缺少“{contract.PICTURES.column(key).header}”")
            continue
        if not file.lower().endswith((".png", ".jpg", ".jpeg")):
            f.warn(ref(row, table, "file"), Code.W_PICTURE_TYPE, f"图片“{file}”不是 png 或 jpg，报告中将显示占位框")
        elif exists is not None and not exists(file):
            f.warn(ref(row, table, "file"), Code.W_PICTURE_MISSING, f"找不到图片文件“{file}”，报告中将显示占位框")
        out.append(Picture(pos, text_of(row.value("title")), file, row.row))
    return out
