"""A filled 目录 in the .docx itself.

The contents page is a TOC field. A fresh report asks Word to refresh it on opening (<w:updateFields>),
but LibreOffice and WPS may show the field's stored result as it is, which in a fresh document is one line
of instructions. When an office program is installed, the process's converter (outputs/convert) lays the
report out once and gives the entries with their page numbers; they are written back here as the field's
result, in the template's TOC styles, each entry a link to a _Toc bookmark on its heading (the field's \\h switch).
A filled report no longer asks Word to update fields on opening. Only the field's result, those bookmarks
and that setting change; the rest of the package stays as rendered.

Without one the field is kept as it was and a TocNotFilledWarning says so once per process;
CARBON_REPORT_TOC=0 skips the step without a word (the test suite, runs that do not need it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from carbon_report.io.package import NS, opened
from carbon_report.outputs.convert import TocNotFilledWarning, toc_wanted

__all__ = ["TocEntry", "TocNotFilledWarning", "fill_toc", "wanted"]

W_NS = NS.W
DOCUMENT_XML = "word/document.xml"
SETTINGS_XML = "word/settings.xml"


@dataclass(frozen=True)
class TocEntry:
    """One line of the contents as the office program laid it out: "2.3.3 计算结果" on page "12"."""

    level: int
    text: str
    page: str


wanted = toc_wanted  # whether the 目录 is to be filled: the default; CARBON_REPORT_TOC=0 turns it off


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
    with opened(docx_bytes) as z:
        styles = z.part("word/styles.xml") if z.has("word/styles.xml") else None
        return z.part(DOCUMENT_XML), styles


def _with_document(docx_bytes: bytes, document: bytes) -> bytes:
    """The package with its document.xml replaced and Word's update-fields-on-open request dropped (the
    contents are filled, every caption number is cached: Word need not ask on every open), every other part
    as it was."""
    with opened(docx_bytes) as src:
        replace = {DOCUMENT_XML: document}
        if src.has(SETTINGS_XML):
            replace[SETTINGS_XML] = _without_update_fields(src.part(SETTINGS_XML))
        return src.rewrite(replace)


def _without_update_fields(settings_xml: bytes) -> bytes:
    root = etree.fromstring(settings_xml)
    for el in root.findall(_w("updateFields")):
        root.remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---- the document side --------------------------------------------------------------------------------------

def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(_w("t"))).strip()


def _bookmark_headings(root: Any, toc_paragraph: Any, entries: list[TocEntry]) -> list[str | None]:
    """A _Toc bookmark around each heading an entry names (in order; the entry's text ends with the heading's
    own text, its number coming from the heading list), and the bookmark names, None where none matched."""
    headings = []
    seen_toc = False
    for p in root.iter(_w("p")):
        if p is toc_paragraph:
            seen_toc = True
            continue
        st = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        if seen_toc and st is not None and (st.get(_w("val")) or "").startswith("Heading"):
            headings.append(p)
    names: list[str | None] = []
    at = 0
    for k, e in enumerate(entries):
        name = None
        for j in range(at, len(headings)):
            own = _text(headings[j])
            if own and " ".join(e.text.split()).endswith(" ".join(own.split())):
                name = f"_Toc{900000 + k}"
                start = etree.Element(_w("bookmarkStart"))
                start.set(_w("id"), str(900000 + k))
                start.set(_w("name"), name)
                end = etree.Element(_w("bookmarkEnd"))
                end.set(_w("id"), str(900000 + k))
                ppr = headings[j].find(_w("pPr"))
                headings[j].insert(0 if ppr is None else headings[j].index(ppr) + 1, start)
                headings[j].append(end)
                at = j + 1
                break
        names.append(name)
    return names


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

    anchors = _bookmark_headings(root, first, entries)
    paras = []
    for k, e in enumerate(entries):
        p = paragraph(e.level or 1)
        if k == 0:
            p.append(_run(fld="begin"))
            p.append(_run(instr=instr))
            p.append(_run(fld="separate"))
        target = p
        if anchors[k]:  # \h: the entry is a link to its heading, as Word writes it
            target = etree.SubElement(p, _w("hyperlink"))
            target.set(_w("anchor"), anchors[k])
            target.set(_w("history"), "1")
        target.append(_run(e.text))
        target.append(_run(tab=True))
        target.append(_run(e.page))
        paras.append(p)
    paras[-1].append(_run(fld="end"))
    parent = first.getparent()
    at = parent.index(first)
    parent.remove(first)
    for offset, p in enumerate(paras):
        parent.insert(at + offset, p)
    return _with_document(docx_bytes, etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                     standalone=True))
