"""图片与附件: pictures for the report, checked through a callable that looks at the disk for validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import PATH_PROBLEM_TEXT, Picture
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.rows import Findings, checked_rows, ref
from carbon_report.core.values import (
    text_of,
)

# What io/pictures.picture_status says of a path typed in 文件: found inside the workbook's folder as PNG or
# JPEG (by content), missing, leading out of the folder, of another type, or over the pixel limit.
# A path that is there but no regular file, or cannot be read, says why (a core.model.PathProblem).
PictureStatus = Literal["found", "missing", "outside", "not_png_jpeg", "too_large",
                        "directory", "special", "too_long", "loop", "denied", "unreadable"]


def read_pictures(raw: RawWorkbook, f: Findings,
                  status: Callable[[str], PictureStatus] | None) -> list[Picture]:
    out: list[Picture] = []
    got = checked_rows(raw, contract.PICTURES, f, name_key="position")
    if got is None:
        return out
    table, rows = got
    for row in rows:
        pos, file = text_of(row.value("position")), text_of(row.value("file"))
        if not pos or not file:
            key = "position" if not pos else "file"
            f.error(ref(row, table, key), Code.E_REQUIRED_MISSING, name=f"第 {row.row} 行",
                        column=contract.PICTURES.column(key).header)
            continue
        cell = ref(row, table, "file")
        got_status = status(file) if status is not None else None
        if got_status == "outside":
            f.error(cell, Code.E_PICTURE_OUTSIDE, file=file)
            continue
        if got_status == "not_png_jpeg" or (
                got_status is None and not file.lower().endswith((".png", ".jpg", ".jpeg"))):
            f.warn(cell, Code.W_PICTURE_TYPE, file=file)
        elif got_status == "missing":
            f.warn(cell, Code.W_PICTURE_MISSING, file=file)
        elif got_status in ("directory", "special"):
            f.warn(cell, Code.W_PICTURE_NOT_REGULAR, file=file, why=PATH_PROBLEM_TEXT[got_status])
        elif got_status in ("too_long", "loop", "denied", "unreadable"):
            f.warn(cell, Code.W_PICTURE_UNREADABLE, file=file, why=PATH_PROBLEM_TEXT[got_status])
        elif got_status == "too_large":
            f.warn(cell, Code.W_PICTURE_TOO_LARGE, file=file)
        out.append(Picture(pos, text_of(row.value("title")), file, row.row))
    return out
