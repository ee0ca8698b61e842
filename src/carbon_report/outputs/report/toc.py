"""A filled 目录 in the .docx itself.

The contents page is a TOC field. Word refreshes it on opening (<w:updateFields> and the field's dirty flag
stay set), but LibreOffice and WPS may show the field's stored result as it is, which in a fresh document is
one line of instructions. When an office program is installed, the process's converter (outputs/convert)
lays the report out once and gives the entries with their page numbers; they are written back here as the
field's result, in the template's TOC styles. Only the field's result changes; the rest of the package
stays as rendered.

Without one the field is kept as it was and a TocNotFilledWarning says so once per process;
CARBON_REPORT_TOC=0 skips the step without a word (the test suite, runs that do not need it).
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from typing import Any

from lxml import etree

from carbon_report.outputs.convert import TocNotFilledWarning

__all__ = ["TocEntry", "TocNotFilledWarning", "fill_toc", "wanted"]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_XML = "word/document.xml"


@dataclass(frozen=True)
class TocEntry:
    """One line of the contents as the office program laid it out: "2.3.3 计算结果" on page "12"."""

    level: int
    text: str
    page: str


def wanted() -> bool:
    """Whether the 目录 is to be filled: the default; CARBON_REPORT_TOC=0 turns it off."""
    return os.environ.get("CARBON_REPORT_TOC", "1").strip() != "0"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _run(text: str | None = None, *, tab: bool = False, fld: str | None = None,
         instr: str | None = None) -> Any:
    r = etree.Element(_w("r"))
    if tab:
        etree.SubElement(r, _w("tab"))
    if fld:
        fc = etree.SubElement(r, _w("fldChar"))
        fc.set(_w("fldCharType"), fld)
        if fld == "begin":
            fc.set(_w("dirty"), "true")  # Word still refreshes the contents on opening
    if instr is not None:
        it = etree.SubElement(r, _w("instrText"))
        it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        it.text = instr
    if text is not None:
        t = etree.SubElement(r, _w("t"))
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = text
    return r


def _toc_paragraph(body: Any) -> tuple[Any, str] | None:
    """The paragraph holding the TOC field's instruction, and the instruction."""
    for p in body.iter(_w("p")):
        instr = "".join(t.text or "" for t in p.iter(_w("instrText")))
        if instr.strip().upper().startswith("TOC"):
            return p, instr
    return None


def _style_ids(styles_xml: bytes | None) -> set[str]:
    if styles_xml is None:
        return set()
    return {s.get(_w("styleId")) for s in etree.fromstring(styles_xml).iter(_w("style"))}


# ---- the package (zip) side: kept to these two small functions -------------------------------------------

def _read_parts(docx_bytes: bytes) -> tuple[bytes, bytes | None]:
    """The package's document.xml and styles.xml (None when it has none)."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        styles = z.read("word/styles.xml") if "word/styles.xml" in z.namelist() else None
        return z.read(DOCUMENT_XML), styles


def _with_document(docx_bytes: bytes, document: bytes) -> bytes:
    """The package with its document.xml replaced, every other part as it was."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = document if info.filename == DOCUMENT_XML else src.read(info.filename)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ---- the document side --------------------------------------------------------------------------------------

def fill_toc(docx_bytes: bytes, entries: list[TocEntry]) -> bytes | None:
    """The package with the TOC field's result replaced by `entries` (None when it has no TOC field, or
    the field spans paragraphs already, i.e. was filled before)."""
    if not entries:
        return None
    document_xml, styles_xml = _read_parts(docx_bytes)
    root = etree.fromstring(document_xml)
    found = _toc_paragraph(root)
    if found is None:
        return None
    first, instr = found
    chars = [fc.get(_w("fldCharType")) for fc in first.iter(_w("fldChar"))]
    if chars != ["begin", "separate", "end"]:
        return None
    styles = _style_ids(styles_xml)
    ppr = first.find(_w("pPr"))
    first_style = ppr.find(_w("pStyle")).get(_w("val")) if ppr is not None and ppr.find(_w("pStyle")) is not None \
        else "TOC1"

    def paragraph(level: int) -> Any:
        p = etree.Element(_w("p"))
        pp = etree.SubElement(p, _w("pPr"))
        st = etree.SubElement(pp, _w("pStyle"))
        style = f"TOC{level}"
        st.set(_w("val"), style if style in styles else first_style)
        return p

    paras = []
    for k, e in enumerate(entries):
        p = paragraph(e.level or 1)
        if k == 0:
            p.append(_run(fld="begin"))
            p.append(_run(instr=instr))
            p.append(_run(fld="separate"))
        p.append(_run(e.text))
        p.append(_run(tab=True))
        p.append(_run(e.page))
        paras.append(p)
    paras[-1].append(_run(fld="end"))
    parent = first.getparent()
    at = parent.index(first)
    parent.remove(first)
    for offset, p in enumerate(paras):
        parent.insert(at + offset, p)
    return _with_document(docx_bytes, etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                     standalone=True))
