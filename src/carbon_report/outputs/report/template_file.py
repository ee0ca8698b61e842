"""The report template as a file from outside: read only if it is a regular file, and stripped of every external
relationship before docxtpl, python-docx or LibreOffice sees it (issue 23).

A template passes between consultancies. A picture *linked* to http://… or file:///…, an attachedTemplate, a
file:// hyperlink or an OLE link makes the program that opens the document fetch or embed what it points at:
LibreOffice fetched a linked picture while laying out the 目录 of a plain `process`, and a file:/// link was
embedded into the PDF. Such relationships are removed from the template's bytes as they are read, so neither
the report nor any converter ever holds them, and one warning names them (W-TEMPLATE-EXTERNAL).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from carbon_report.core.errors import TemplateError
from carbon_report.core.findings import Code
from carbon_report.core.model import PATH_PROBLEM_TEXT
from carbon_report.io.package import BAD_ZIP, without_external_fields, without_external_relationships
from carbon_report.io.paths import open_regular

MAX_TEMPLATE_BYTES = 256 * 1024 * 1024  # a template with its pictures; the built-in one is under 1 MB
_SHOWN = 5  # links named in the warning; the rest are counted


class TemplateExternalWarning(UserWarning):
    """The template held external relationships, removed before rendering: the fields of W-TEMPLATE-EXTERNAL."""

    def __init__(self, file: str, links: str) -> None:
        super().__init__(Code.W_TEMPLATE_EXTERNAL.text(file=file, links=links))
        self.file = file
        self.links = links


def read_template(path: Path) -> tuple[bytes, tuple[str, ...]]:
    """The template's bytes without external relationships, and those relationships' targets."""
    from lxml import etree

    from carbon_report.core.errors import PathRefused

    try:
        with open_regular(Path(path), follow_links=True) as opened:
            if opened.size > MAX_TEMPLATE_BYTES:
                raise TemplateError(f"报告模板“{Path(path).name}”过大（超过 {MAX_TEMPLATE_BYTES // 1048576} MB）")
            blob = opened.file.read(MAX_TEMPLATE_BYTES + 1)
    except PathRefused as e:
        why = PATH_PROBLEM_TEXT.get(e.problem, e.problem)
        raise TemplateError(f"无法读取报告模板“{Path(path).name}”（{why}）") from None
    try:
        clean, removed = without_external_relationships(blob)
        clean, fields = without_external_fields(clean)
    except (etree.XMLSyntaxError, KeyError, *BAD_ZIP):
        return blob, ()  # not a readable package: python-docx says so in its own words (E-REPORT-TEMPLATE)
    return clean, (*(r.target for r in removed), *fields)


def warn_external(path: Path, targets: tuple[str, ...]) -> None:
    """One W-TEMPLATE-EXTERNAL for this report, naming what was removed."""
    if not targets:
        return
    names = "、".join(_short(t) for t in targets[:_SHOWN])
    more = f" 等 {len(targets)} 个" if len(targets) > _SHOWN else f"，共 {len(targets)} 个"
    warnings.warn(TemplateExternalWarning(Path(path).name, names + more), stacklevel=2)


def _short(target: str) -> str:
    one_line = " ".join(target.split())
    return one_line if len(one_line) <= 80 else one_line[:79] + "…"
