"""A filled 目录 in the .docx itself.

The contents page is a TOC field. Word refreshes it on opening (<w:updateFields> and the field's dirty flag
stay set), but LibreOffice and WPS may show the field's stored result as it is, which in a fresh document is
one line of instructions. When LibreOffice is installed, it lays the report out once (uno_export.py updates
the indexes through UNO and writes the entries with their page numbers) and the entries are written back as
the field's result here, in the template's TOC styles. Only the field's result changes; the rest of the
package stays as rendered.

Without LibreOffice the field is kept as it was and a TocNotFilledWarning says so once per process;
CARBON_REPORT_TOC=0 (batch runs that do not need it, the test suite) skips the step without a word.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_XML = "word/document.xml"
TIMEOUT_S = 240
_said = False


class TocNotFilledWarning(UserWarning):
    pass


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _say_once(message: str) -> None:
    global _said
    if not _said:
        _said = True
        warnings.warn(message, TocNotFilledWarning, stacklevel=3)


def toc_entries_from_libreoffice(docx_bytes: bytes) -> list[dict[str, Any]] | None:
    """The report's TOC entries as LibreOffice lays it out, or None when LibreOffice (with UNO) is absent
    or fails (said once)."""
    from carbon_report.outputs.report.pdf import _fontconfig_file, find_soffice, find_uno_python

    if os.environ.get("CARBON_REPORT_TOC", "1").strip() == "0":  # asked for: nothing to say
        return None
    soffice = find_soffice()
    python = find_uno_python(soffice) if soffice else None
    if soffice is None or python is None:
        _say_once("未找到 LibreOffice（带 UNO），报告的目录未预先填充：Word 打开时会更新目录；"
                  "WPS 或 LibreOffice 中请右键单击目录并选择“更新域/更新目录”。")
        return None
    with tempfile.TemporaryDirectory(prefix="carbon_report_toc_") as tmp_name:
        tmp = Path(tmp_name)
        src, out = tmp / "report.docx", tmp / "toc.json"
        src.write_bytes(docx_bytes)
        env = dict(os.environ)
        conf = _fontconfig_file(tmp)  # the PDF's fonts, so the page numbers are the PDF's
        if conf is not None:
            env["FONTCONFIG_FILE"] = str(conf)
        script = Path(__file__).with_name("uno_export.py")
        try:
            r = subprocess.run([python, str(script), soffice, str(src), "-", (tmp / "profile").as_uri(), str(out)],
                               capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
            detail = (r.stderr or r.stdout).strip()[-300:]
        except subprocess.TimeoutExpired:
            detail = "超时"
        if not out.is_file():
            _say_once(f"LibreOffice 未能更新目录（{detail}），报告的目录将在 Word 中打开时更新。")
            return None
        return json.loads(out.read_text(encoding="utf-8"))


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


def _style_ids(z: zipfile.ZipFile) -> set[str]:
    try:
        styles = etree.fromstring(z.read("word/styles.xml"))
    except KeyError:
        return set()
    return {s.get(_w("styleId")) for s in styles.iter(_w("style"))}


def fill_toc(docx_bytes: bytes, entries: list[dict[str, Any]]) -> bytes | None:
    """The package with the TOC field's result replaced by `entries` (None when it has no TOC field, or
    the field spans paragraphs already, i.e. was filled before)."""
    if not entries:
        return None
    z = zipfile.ZipFile(io.BytesIO(docx_bytes))
    root = etree.fromstring(z.read(DOCUMENT_XML))
    found = _toc_paragraph(root)
    if found is None:
        return None
    first, instr = found
    chars = [fc.get(_w("fldCharType")) for fc in first.iter(_w("fldChar"))]
    if chars != ["begin", "separate", "end"]:
        return None
    styles = _style_ids(z)
    ppr = first.find(_w("pPr"))
    first_style = ppr.find(_w("pStyle")).get(_w("val")) if ppr is not None and ppr.find(_w("pStyle")) is not None \
        else "TOC1"

    def paragraph(level: int) -> Any:
        p = etree.Element(_w("p"))
        pp = etree.SubElement(p, _w("pPr"))
        st = etree.SubElement(pp, _w("pStyle"))
        wanted = f"TOC{level}"
        st.set(_w("val"), wanted if wanted in styles else first_style)
        return p

    paras = []
    for k, e in enumerate(entries):
        p = paragraph(int(e.get("level") or 1))
        if k == 0:
            p.append(_run(fld="begin"))
            p.append(_run(instr=instr))
            p.append(_run(fld="separate"))
        p.append(_run(str(e.get("text", ""))))
        p.append(_run(tab=True))
        p.append(_run(str(e.get("page", ""))))
        paras.append(p)
    paras[-1].append(_run(fld="end"))
    parent = first.getparent()
    at = parent.index(first)
    parent.remove(first)
    for offset, p in enumerate(paras):
        parent.insert(at + offset, p)
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in z.infolist():
            data = document if info.filename == DOCUMENT_XML else z.read(info.filename)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def with_filled_toc(docx_bytes: bytes) -> bytes:
    """`docx_bytes` with its contents page filled when LibreOffice can lay it out; unchanged otherwise."""
    entries = toc_entries_from_libreoffice(docx_bytes)
    if not entries:
        return docx_bytes
    return fill_toc(docx_bytes, entries) or docx_bytes
