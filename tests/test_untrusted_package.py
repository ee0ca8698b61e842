"""Issue 23, the red team's package attacks: packages read as the standard reads them (failures 8 and 9), and a
report template's external relationships removed before any converter sees them (failure 3).

Expected totals are worked out by hand: one activity row of 1,000 kWh of electricity at the library's
0.5703 tCO2/MWh is 1 MWh × 0.5703 = 0.5703 tCO2e; 1,250 kWh is 0.712875 t; 999,999 kWh is 570.299430 t.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

from carbon_report.core import contract
from workbooks import build

ELEC = "EF-ELEC-CN-ENTERPRISE-2022"  # 0.5703 tCO2/MWh
KEYS = [c.key for c in contract.ACTIVITIES.columns]


def row(**cells: Any) -> list[Any]:
    return [cells.get(k) for k in KEYS]


def one_row_workbook(path: Path, kwh: float = 1000) -> Path:
    return build(path, activities=[row(stage="生产", name="电力", amount=kwh, unit="kWh", factor_code=ELEC)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rezip(src: Path, dest: Path, edit: Any) -> Path:
    """`dest`: the members of `src` passed through edit(name, data) → [(name, data), …] (written in order)."""
    with zipfile.ZipFile(src) as zi:
        members = [(i.filename, zi.read(i)) for i in zi.infolist()]
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zo:
        for name, data in members:
            for new_name, new_data in edit(name, data):
                zo.writestr(new_name, new_data)
    return dest


def activities_part(path: Path) -> str:
    """The 活动数据 sheet's part, found by reading workbook.xml and its rels by hand."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet[^>]*name="活动数据"[^>]*r:id="([^"]+)"', wb) or \
        re.search(r'<sheet[^>]*r:id="([^"]+)"[^>]*name="活动数据"', wb)
    assert rid
    target = re.search(rf'<Relationship[^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target
    t = target.group(1)
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


# ---- failure 8: a duplicated part is refused -------------------------------------------------------------


@pytest.mark.parametrize("case", ["same", "upper"])
def test_a_workbook_with_a_duplicated_sheet_part_is_refused(cli, tmp_path: Path, case: str) -> None:
    src = one_row_workbook(tmp_path / "src.xlsx", 1250)
    part = activities_part(src)

    def twice(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name != part:
            return [(name, data)]
        second = data.replace(b">1250<", b">999999<")
        assert second != data
        return [(name, data), (name if case == "same" else name.upper(), second)]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile's "Duplicate name" when writing the same name
        bad = rezip(src, tmp_path / "双份.xlsx", twice)
    before = digest(bad)
    out = tmp_path / "out"
    ran = cli("process", bad, "--out", out, "--json")
    assert ran.returncode == 2
    lines = [ln for ln in ran.stderr.splitlines() if "[E-FILE-DUPLICATE-PART]" in ln]
    assert len(lines) == 1 and "双份.xlsx" in lines[0] and part.split("/")[-1] in lines[0].lower(), ran.stderr
    d = json.loads(ran.stdout)
    assert d["total_tco2e"] is None and d["outputs"]["workbook"] is None
    assert not out.exists() or not list(out.iterdir())  # neither 1250 nor 999999 was computed into a file
    assert digest(bad) == before


def test_the_same_workbook_without_the_copy_is_computed(cli, tmp_path: Path) -> None:
    src = one_row_workbook(tmp_path / "src.xlsx", 1250)
    d = json.loads(cli("check", src, "--json").stdout)
    assert d["total_tco2e"] == pytest.approx(0.712875)  # 1.25 MWh × 0.5703


# ---- failure 9: the main part is where _rels/.rels says -------------------------------------------------


@pytest.mark.parametrize("main", ["xl/main.xml", "xl/myworkbook.xml", "wb/book.xml"])
def test_a_renamed_main_part_is_read_through_the_package_relationships(cli, tmp_path: Path, main: str) -> None:
    src = one_row_workbook(tmp_path / "src.xlsx")
    folder_changes = not main.startswith("xl/")

    def rename(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == "xl/workbook.xml":
            return [(main, data)]
        if name == "xl/_rels/workbook.xml.rels":
            if folder_changes:  # targets relative to xl/ become absolute, so they still name the same parts
                data = re.sub(rb'Target="(?!/)([^"]+)"', rb'Target="/xl/\1"', data)
            return [(main.rsplit("/", 1)[0] + "/_rels/" + main.rsplit("/", 1)[1] + ".rels", data)]
        if name in ("[Content_Types].xml", "_rels/.rels"):
            return [(name, data.replace(b"xl/workbook.xml", main.encode()))]
        return [(name, data)]

    renamed = rezip(src, tmp_path / "改名.xlsx", rename)
    with zipfile.ZipFile(renamed) as z:
        assert "xl/workbook.xml" not in z.namelist() and main in z.namelist()
    before = digest(renamed)
    ran = cli("process", renamed, "--out", tmp_path / "out", "--json")
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)
    assert d["total_tco2e"] == pytest.approx(0.5703)
    assert digest(renamed) == before
    import openpyxl

    out = openpyxl.load_workbook(tmp_path / "out" / "改名_计算结果.xlsx")
    assert contract.COMPANY_SHEET in out.sheetnames and "排放汇总" in out.sheetnames


def test_a_docx_renamed_xlsx_is_still_not_a_workbook(cli, tmp_path: Path) -> None:
    docx = Path(__file__).resolve().parent.parent / "workbook_templates" / "report_template.docx"
    fake = tmp_path / "伪装.xlsx"
    fake.write_bytes(docx.read_bytes())
    ran = cli("check", fake)
    assert ran.returncode == 2 and "[E-FILE-NOT-WORKBOOK]" in ran.stderr


# ---- failure 9: a 0-byte report template is a usage error like a folder ----------------------------------


@pytest.mark.parametrize("kind", ["empty", "folder", "text"])
def test_a_template_that_is_no_docx_exits_2_with_one_line(cli, tmp_path: Path, kind: str) -> None:
    wb = one_row_workbook(tmp_path / "a.xlsx")
    tpl = tmp_path / "模板.docx"
    if kind == "folder":
        tpl.mkdir()
    else:
        tpl.write_bytes(b"" if kind == "empty" else b"not a docx at all")
    ran = cli("process", wb, "--out", tmp_path / "out", "--report-template", tpl)
    assert ran.returncode == 2
    lines = [ln for ln in ran.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "[E-REPORT-TEMPLATE]" in lines[0] and "模板.docx" in lines[0], ran.stderr
    assert not (tmp_path / "out").exists()


# ---- failure 3: a template's external relationships are removed before any converter sees them ------------

TEMPLATE = Path(__file__).resolve().parent.parent / "workbook_templates" / "report_template.docx"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_LINK_RELS = {
    "image": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image",
    "hyperlink": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
    "template": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate",
    "ole": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject",
}


def _linked_picture(rid: str, pid: int) -> str:
    return (
        '<w:p><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="952500" cy="952500"/><wp:docPr id="{pid}" name="linked{pid}"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:nvPicPr><pic:cNvPr id="{pid}" name="linked{pid}.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:link="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
        '</wp:inline></w:drawing></w:r></w:p>')


def _rels(*rels: tuple[str, str, str]) -> bytes:
    body = "".join(f'<Relationship Id="{i}" Type="{_LINK_RELS[t]}" Target="{target}" TargetMode="External"/>'
                   for i, t, target in rels)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}'
            "</Relationships>").encode()


def evil_template(path: Path, base: str, secret: Path) -> Path:
    """The built-in template with the red team's links: a picture linked to the local server in the body and
    one in the header, a file:/// picture, an attachedTemplate on the server, file:// and http hyperlinks and
    an OLE link, in document.xml.rels, header1.xml.rels and settings.xml.rels."""
    body = (_linked_picture("rIdX1", 9001) + _linked_picture("rIdX2", 9002)
            + '<w:p><w:hyperlink r:id="rIdX3"><w:r><w:t>口令文件</w:t></w:r></w:hyperlink>'
              '<w:hyperlink r:id="rIdX4"><w:r><w:t>网页</w:t></w:r></w:hyperlink></w:p>'
            + '<w:p><w:r><w:object><o:OLEObject Type="Link" ProgID="Excel.Sheet.12" ShapeID="_x0000_s9"'
              ' DrawAspect="Content" ObjectID="_1" r:id="rIdX5"/></w:object></w:r></w:p>')

    def edit(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == "word/document.xml":
            data = data.replace(b"<w:sectPr", body.encode() + b"<w:sectPr", 1)
        elif name == "word/_rels/document.xml.rels":
            extra = _rels(("rIdX1", "image", f"{base}/body.png"), ("rIdX2", "image", secret.as_uri()),
                          ("rIdX3", "hyperlink", "file:///etc/passwd"), ("rIdX4", "hyperlink", f"{base}/page"),
                          ("rIdX5", "ole", f"{base}/book.xlsx"))
            data = data.replace(b"</Relationships>", extra.split(b"\">", 1)[1].replace(b"</Relationships>", b"")
                                + b"</Relationships>")
        elif name == "word/settings.xml":
            data = re.sub(rb"(<w:settings[^>]*>)", rb'\1<w:attachedTemplate r:id="rIdT1"/>', data, count=1)
        elif name == "word/header1.xml":
            data = data.replace(b"</w:hdr>", _linked_picture("rIdH1", 9003).encode() + b"</w:hdr>")
            if b'xmlns:wp=' not in data.split(b">", 2)[1]:
                data = data.replace(b"<w:hdr ", b'<w:hdr xmlns:wp="http://schemas.openxmlformats.org/drawingml/'
                                               b'2006/wordprocessingDrawing" ', 1)
            return [(name, data), ("word/_rels/header1.xml.rels", _rels(("rIdH1", "image", f"{base}/header.png")))]
        return [(name, data)]

    out = rezip(TEMPLATE, path, edit)
    with zipfile.ZipFile(out, "a") as z:
        z.writestr("word/_rels/settings.xml.rels", _rels(("rIdT1", "template", f"{base}/evil.dotm")))
    return out


class _Recorder:
    """A web server on 127.0.0.1 that records every request made to it."""

    def __init__(self) -> None:
        import http.server
        import threading

        seen = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                seen.append(self.path)
                png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
                       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
                       b"\x00\x00IEND\xaeB`\x82")
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(png)

            do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_recorder_sees_a_fetch(tmp_path: Path) -> None:
    """The witness works: a request to it is recorded (so an empty record below means no fetch)."""
    import urllib.request

    rec = _Recorder()
    try:
        urllib.request.urlopen(f"{rec.base}/probe.png", timeout=10).read()  # noqa: S310 - our own local server
    finally:
        rec.close()
    assert rec.requests == ["/probe.png"]


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_external_links_in_a_template_are_removed_before_libreoffice_sees_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import run_process

    secret = tmp_path / "outside" / "secret.png"
    secret.parent.mkdir()
    marker = b"OUTSIDE-BYTES-" + hashlib.sha256(b"x").hexdigest().encode()
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + marker)
    rec = _Recorder()
    try:
        tpl = evil_template(tmp_path / "外链模板.docx", rec.base, secret)
        (tmp_path / "book").mkdir()
        wb = one_row_workbook(tmp_path / "book" / "企业.xlsx")
        monkeypatch.setenv("CARBON_REPORT_TOC", "1")  # the 目录 filled by LibreOffice, as users get it
        ran = run_process("process", wb, "--out", tmp_path / "out", "--report-template", tpl, "--pdf", "--json")
    finally:
        rec.close()
    assert ran.returncode == 0, ran.stderr
    assert rec.requests == []  # nothing fetched from the server, during the 目录 or the PDF
    lines = [ln for ln in ran.stderr.splitlines() if "[W-TEMPLATE-EXTERNAL]" in ln]
    assert len(lines) == 1, ran.stderr
    for named in ("evil.dotm", "file:///etc/passwd", "body.png", "header.png"):
        assert named in lines[0] or "等 7 个" in lines[0], lines[0]
    assert "外链模板.docx" in lines[0]
    report = tmp_path / "out" / "企业_评价报告.docx"
    with zipfile.ZipFile(report) as z:
        for name in z.namelist():
            data = z.read(name)
            assert b'TargetMode="External"' not in data, name
            assert rec.base.encode() not in data and b"file:///" not in data and marker not in data, name
            if name.endswith(".xml") and name != "[Content_Types].xml":
                assert b"attachedTemplate" not in data, name
    from docx import Document

    entries = [p.text for p in Document(str(report)).paragraphs if p.style.name.startswith("toc")]
    assert len(entries) >= 10 and all(re.search(r"\t\d+$", e) for e in entries)  # LibreOffice laid it out
    pdf = (tmp_path / "out" / "企业_评价报告.pdf").read_bytes()
    assert b"file:///" not in pdf and b"127.0.0.1" not in pdf and marker not in pdf
    assert json.loads(ran.stdout)["outputs"]["report"] == str(report)


def test_a_template_without_external_links_is_read_unchanged() -> None:
    from carbon_report.io.package import without_external_relationships

    data = TEMPLATE.read_bytes()
    clean, removed = without_external_relationships(data)
    assert removed == [] and clean is data


def test_a_package_naming_two_main_parts_is_refused(cli, tmp_path: Path) -> None:
    """_rels/.rels names xl/main.xml (999,999 kWh) while xl/workbook.xml (1,250 kWh) is still there: Excel
    follows the relationship, openpyxl the content types; refused rather than guessed."""
    src = one_row_workbook(tmp_path / "src.xlsx", 1250)
    part = activities_part(src)

    def second_main(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == "_rels/.rels":
            return [(name, data.replace(b"xl/workbook.xml", b"xl/main.xml"))]
        if name == "xl/workbook.xml":
            return [(name, data), ("xl/main.xml", data)]
        if name == "xl/_rels/workbook.xml.rels":
            decoy = data.replace(part.split("/", 1)[1].encode(), b"worksheets/decoy.xml")
            return [(name, data), ("xl/_rels/main.xml.rels", decoy)]
        if name == part:
            return [(name, data), ("xl/worksheets/decoy.xml", data.replace(b">1250<", b">999999<"))]
        return [(name, data)]

    bad = rezip(src, tmp_path / "两个主部件.xlsx", second_main)
    ran = cli("process", bad, "--out", tmp_path / "out", "--json")
    assert ran.returncode == 2
    lines = [ln for ln in ran.stderr.splitlines() if "[E-FILE-CORRUPT]" in ln]
    assert len(lines) == 1 and "主部件不明确" in lines[0], ran.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_one_module_opens_zips_and_holds_the_ooxml_namespaces() -> None:
    """Item 7 of issue 23: io/package.py is the only place that imports zipfile or spells an OOXML namespace."""
    src = Path(__file__).resolve().parent.parent / "src" / "carbon_report"
    # The page's uploads and downloads are plain zip archives of workbooks (not OPC packages): their own
    # checked unpacking and packing lives with the page.
    plain_archives = {"app/web/uploads.py", "app/web/jobs.py"}
    zips, namespaces = [], []
    for path in src.rglob("*.py"):
        rel = path.relative_to(src).as_posix()
        if rel == "io/package.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import zipfile|from zipfile import)", text, re.M) and rel not in plain_archives:
            zips.append(rel)
        if re.search(r"schemas\.openxmlformats\.org|purl\.oclc\.org/ooxml", text):
            namespaces.append(rel)
    assert zips == [] and namespaces == [], (zips, namespaces)


def _field_template(path: Path, base: str) -> Path:
    """The built-in template with fields that read other files when updated: INCLUDEPICTURE (a simple field
    and a complex one, with a cached result), INCLUDETEXT of file:///etc/passwd and a LINK to a workbook on
    the server, as a template from elsewhere may carry them."""
    body = ('<w:p><w:fldSimple w:instr=\' INCLUDEPICTURE "' + base + '/simple.png" \\d \'><w:r><w:t>图</w:t></w:r>'
            '</w:fldSimple></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
            'INCLUDEPICTURE "' + base + '/complex.png" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
            '</w:r><w:r><w:t>旧图</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> INCLUDETEXT '
            '"file:///etc/passwd" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> LINK '
            'Excel.Sheet.12 "' + base + '/book.xlsx" "Sheet1!R1C1" \\a \\h </w:instrText></w:r><w:r>'
            '<w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>链接结果</w:t></w:r><w:r>'
            '<w:fldChar w:fldCharType="end"/></w:r></w:p>')

    def edit(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == "word/document.xml":  # before the body's own sectPr, the last one
            at = data.rindex(b"<w:sectPr")
            data = data[:at] + body.encode() + data[at:]
        return [(name, data)]

    return rezip(TEMPLATE, path, edit)


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_fields_that_read_other_files_are_removed_from_a_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """INCLUDEPICTURE, INCLUDETEXT and LINK fields fetch their file when updated (by LibreOffice laying out the
    目录, by Word asked to update fields when the 目录 was not filled): removed with the external links, one
    W-TEMPLATE-EXTERNAL naming them; a cached result stays as plain text."""
    from conftest import run_process

    rec = _Recorder()
    try:
        tpl = _field_template(tmp_path / "域模板.docx", rec.base)
        (tmp_path / "book").mkdir()
        wb = one_row_workbook(tmp_path / "book" / "企业.xlsx")
        monkeypatch.setenv("CARBON_REPORT_TOC", "1")
        ran = run_process("process", wb, "--out", tmp_path / "out", "--report-template", tpl, "--pdf", "--json")
    finally:
        rec.close()
    assert ran.returncode == 0, ran.stderr
    assert rec.requests == []
    lines = [ln for ln in ran.stderr.splitlines() if "[W-TEMPLATE-EXTERNAL]" in ln]
    assert len(lines) == 1 and "域模板.docx" in lines[0] and "共 4 个" in lines[0], ran.stderr
    assert "simple.png" in lines[0] and "file:///etc/passwd" in lines[0]
    report = tmp_path / "out" / "企业_评价报告.docx"
    with zipfile.ZipFile(report) as z:
        for name in z.namelist():
            data = z.read(name)
            for word in (b"INCLUDEPICTURE", b"INCLUDETEXT", b"Excel.Sheet.12", rec.base.encode(), b"file:///"):
                assert word not in data, (name, word)
    from docx import Document

    text = "\n".join(p.text for p in Document(str(report)).paragraphs)
    assert "旧图" in text and "链接结果" in text  # what the fields last showed, as text


def test_a_template_without_fetching_fields_is_read_unchanged() -> None:
    from carbon_report.io.package import without_external_fields

    data = TEMPLATE.read_bytes()
    clean, removed = without_external_fields(data)
    assert removed == [] and clean is data


@pytest.mark.parametrize("part", ["[Content_Types].xml", "_rels/.rels"])
def test_an_inflated_package_part_is_refused_before_it_is_parsed(cli, tmp_path: Path, part: str) -> None:
    """[Content_Types].xml or _rels/.rels padded to 5 MB with comments of random text (about 60:1 packed, under
    the ratio limit; the whole file stays under every other limit): parsed whole before anything else, in a
    batch's parent too, so refused by its size, 5.0 MB over 4 MB, with one line naming it."""
    import os

    src = one_row_workbook(tmp_path / "src.xlsx")
    pad = b"".join(b"<!--" + os.urandom(4).hex().encode() + b" " * 1012 + b"-->" for _ in range(5 * 1024))

    def edit(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == part:
            head, _, rest = data.partition(b"?>")
            data = head + b"?>" + pad + rest
        return [(name, data)]

    bad = rezip(src, tmp_path / "填充.xlsx", edit)
    with zipfile.ZipFile(bad) as z:
        assert z.getinfo(part).file_size > 5 * 1024 * 1024 and bad.stat().st_size < 2 * 1024 * 1024
    ran = cli("check", bad, "--json")
    issues = json.loads(ran.stdout)["issues"]
    assert ran.returncode == 2 and [i["code"] for i in issues] == ["E-FILE-ZIP-BOMB"]
    assert f"条目“{part}”的解压后体积为 5.0 MB，超过上限 4 MB" in issues[0]["message"]
