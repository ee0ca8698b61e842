"""Untrusted workbooks and report templates (issue 12): no code run, no file leaked, no silent wrong number.

Each test plants one attack or oddity, asserts the one line a user sees (code, cell, exit status) and that
the input file's bytes are unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

import workbooks

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook_templates" / "report_template.docx"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lines_with(stderr: str, code: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"[{code}]" in line]


def template_with(tmp_path: Path, name: str, tag: str) -> Path:
    """The built-in report template with one more paragraph holding `tag`."""
    out = tmp_path / name
    with zipfile.ZipFile(TEMPLATE) as z_in, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z_out:
        for info in z_in.infolist():
            data = z_in.read(info.filename)
            if info.filename == "word/document.xml":
                para = f"<w:p><w:r><w:t>{tag}</w:t></w:r></w:p>".encode()
                data = data.replace(b"<w:sectPr", para + b"<w:sectPr", 1) if b"<w:body><w:sectPr" in data \
                    else data.replace(b"</w:body>", para + b"</w:body>")
            z_out.writestr(info, data)
    return out


# ---- 1. report templates ---------------------------------------------------------------------------------

PAYLOADS = {
    "command": "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "passwd": "{{ lipsum.__globals__['__builtins__']['open']('/etc/passwd').read() }}",
    "passwd-self": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('cat /etc/passwd').read() }}",
}


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_a_template_cannot_run_a_command_or_read_a_file(tmp_path: Path, cli, kind: str) -> None:
    marker = tmp_path / "pwned"
    src = workbooks.build(tmp_path / "a.xlsx")
    before = digest(src)
    tpl = template_with(tmp_path, "恶意模板.docx", PAYLOADS[kind].replace("{marker}", str(marker)))
    out = tmp_path / "o"
    r = cli("process", src, "--out", out, "--report-template", tpl, "--json")
    assert r.returncode == 2
    found = lines_with(r.stderr, "E-REPORT-TEMPLATE")
    assert len(found) == 1 and "恶意模板.docx" in found[0] and "安全" in found[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not marker.exists()  # no command ran
    js = json.loads(r.stdout)
    assert js["outputs"]["report"] is None
    passwd = Path("/etc/passwd").read_bytes()
    for f in out.iterdir():  # nothing of the system's password file reached any output
        with zipfile.ZipFile(f) as z:
            assert all(passwd[:40] not in z.read(n) and b"root:x:0:0" not in z.read(n) for n in z.namelist())
    assert not list(out.glob("*.docx"))
    assert digest(src) == before


def test_the_built_in_template_still_renders_in_the_sandbox(tmp_path: Path, cli) -> None:
    src = workbooks.build(tmp_path / "a.xlsx")
    r = cli("process", src, "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    assert list((tmp_path / "o").glob("*_评价报告.docx"))


def test_an_undefined_name_in_a_template_is_one_line(tmp_path: Path, cli) -> None:
    src = workbooks.build(tmp_path / "a.xlsx")
    tpl = template_with(tmp_path, "我的模板.docx", "{{ company.no_such_field.x }}")
    r = cli("process", src, "--out", tmp_path / "o", "--report-template", tpl)
    assert r.returncode == 2
    found = lines_with(r.stderr, "E-REPORT-TEMPLATE")
    assert len(found) == 1 and "我的模板.docx" in found[0] and "\n" not in found[0]


# ---- 3. numbers ------------------------------------------------------------------------------------------


def strict_json(text: str) -> dict:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("amount", ["1250①", "1250¹", "1250⒈", "1250₁", "１２５０②"])
def test_a_footnote_digit_is_not_part_of_the_number(tmp_path: Path, cli, amount: str) -> None:
    src = workbooks.build(tmp_path / "a.xlsx", activities=workbooks.activities_with(0, 3, amount))
    before = digest(src)
    r = cli("check", src, "--json")
    assert r.returncode == 1
    found = lines_with(r.stderr, "E-AMOUNT-NOT-NUMBER")
    assert found == [f"a.xlsx: 活动数据!D2: “钢筋”的活动数据“{amount}”不是数字 [E-AMOUNT-NOT-NUMBER]"]
    assert "12501" not in r.stdout
    assert digest(src) == before


@pytest.mark.parametrize("amount", [1e26, 1e308, -1e15, 1e-320, "1e20"])
def test_an_absurd_amount_is_an_error_on_its_cell(tmp_path: Path, cli, amount: object) -> None:
    src = workbooks.build(tmp_path / "a.xlsx", activities=workbooks.activities_with(0, 3, amount))
    before = digest(src)
    r = cli("process", src, "--out", tmp_path / "o", "--json")
    assert r.returncode == 1, r.stderr
    found = lines_with(r.stderr, "E-AMOUNT-OUT-OF-RANGE")
    assert len(found) == 1 and found[0].startswith("a.xlsx: 活动数据!D2: “钢筋”的活动数据"), r.stderr
    assert "E-INTERNAL" not in r.stderr
    js = strict_json(r.stdout)
    assert js["status"] == "invalid" and js["total_tco2e"] is None
    assert digest(src) == before


@pytest.mark.parametrize("output", [1e-320, 1e308, 1e-12])
def test_an_absurd_product_output_is_an_error_on_its_cell(tmp_path: Path, cli, output: float) -> None:
    src = workbooks.build(tmp_path / "a.xlsx", products=[["非预应力电杆", output, "根", "是", None]])
    before = digest(src)
    r = cli("process", src, "--out", tmp_path / "o", "--json")
    assert r.returncode == 1, r.stderr
    found = lines_with(r.stderr, "E-AMOUNT-OUT-OF-RANGE")
    assert len(found) == 1 and found[0].startswith("a.xlsx: 产品产量!B2: “非预应力电杆”的产量“"), r.stderr
    strict_json(r.stdout)
    assert digest(src) == before


@pytest.mark.parametrize("value", [1e-320, 1e308])
def test_an_absurd_output_value_is_an_error_on_its_cell(tmp_path: Path, cli, value: float) -> None:
    company = workbooks.company_with(工业总产值=value)
    row = list(company).index("工业总产值") + 1
    src = workbooks.build(tmp_path / "a.xlsx", company=company)
    before = digest(src)
    r = cli("process", src, "--out", tmp_path / "o", "--json")
    assert r.returncode == 1, r.stderr
    found = lines_with(r.stderr, "E-AMOUNT-OUT-OF-RANGE")
    # The catalogue's template names the company, then the cell's label: “<企业名称>”的工业总产值“<value>”…
    assert len(found) == 1 and f"a.xlsx: 企业信息!B{row}: “" in found[0] and "”的工业总产值“" in found[0], r.stderr
    strict_json(r.stdout)
    assert digest(src) == before


def test_a_factor_value_of_1e300_is_an_error_not_an_infinite_total(tmp_path: Path, cli) -> None:
    factors = [["SEED-TRUCK", "货车运输", "CO2", 1e300, "kgCO2/t·km", "原报告所引，未核实", 2023, "未核实"]]
    src = workbooks.build(tmp_path / "a.xlsx", factors=factors)
    r = cli("check", src, "--json")
    assert r.returncode == 1
    assert len(lines_with(r.stderr, "E-AMOUNT-OUT-OF-RANGE")) == 1
    strict_json(r.stdout)


def test_the_json_is_strict_json_for_a_good_workbook(tmp_path: Path, cli) -> None:
    src = workbooks.build(tmp_path / "a.xlsx")
    r = cli("process", src, "--out", tmp_path / "o", "--json", "--no-report")
    assert r.returncode == 0
    assert strict_json(r.stdout)["status"] == "ok"


def test_a_300_character_company_name_is_cut_only_in_the_document_properties(tmp_path: Path, cli) -> None:
    from docx import Document

    name = "河南" + "很长的名称" * 59 + "有限公司"  # 301 characters
    assert len(name) > 300
    src = workbooks.build(tmp_path / "a.xlsx", company=workbooks.company_with(企业名称=name))
    before = digest(src)
    r = cli("process", src, "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    report = next((tmp_path / "o").glob("*_评价报告.docx"))
    doc = Document(str(report))
    assert len(doc.core_properties.title) <= 255 and doc.core_properties.title.startswith("河南很长的名称")
    body = "".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert name in body
    assert digest(src) == before


def xlsxwriter_copy(src: Path, dest: Path, formulas: dict[tuple[str, str], str]) -> Path:
    """The workbook `src` written again by xlsxwriter, as a program would that never calculates: the cells
    in `formulas` hold a formula whose stored result is xlsxwriter's placeholder 0."""
    import openpyxl
    import xlsxwriter

    wb = openpyxl.load_workbook(src)
    out = xlsxwriter.Workbook(str(dest))
    dates = out.add_format({"num_format": "yyyy-mm-dd"})
    for ws in wb.worksheets:
        sheet = out.add_worksheet(ws.title)
        for row in ws.iter_rows():
            for c in row:
                if (ws.title, c.coordinate) in formulas:
                    sheet.write_formula(c.coordinate, formulas[(ws.title, c.coordinate)])
                elif isinstance(c.value, dt.datetime | dt.date):
                    sheet.write_datetime(c.coordinate, c.value, dates)
                elif c.value is not None:
                    sheet.write(c.coordinate, c.value)
    out.close()
    return dest


def test_formulas_of_a_workbook_no_spreadsheet_calculated_are_uncalculated(tmp_path: Path, cli) -> None:
    src = xlsxwriter_copy(workbooks.build(tmp_path / "seed.xlsx"), tmp_path / "x.xlsx",
                          {("活动数据", "D6"): "=72000+584"})
    with zipfile.ZipFile(src) as z:  # the trap: a cached 0 that no program computed
        assert b"<f>72000+584</f><v>0</v>" in z.read("xl/worksheets/sheet3.xml")
        assert "xl/calcChain.xml" not in z.namelist()
    before = digest(src)
    r = cli("check", src, "--json")
    assert r.returncode == 1
    assert lines_with(r.stderr, "E-FORMULA-UNCACHED") == [
        "x.xlsx: 活动数据!D6: 公式没有计算结果（文件未在 Excel 中计算并保存过），请在 Excel 中打开、重新计算并保存 [E-FORMULA-UNCACHED]"]
    assert strict_json(r.stdout)["total_tco2e"] is None
    assert digest(src) == before


def test_the_same_workbook_saved_by_libreoffice_is_read(tmp_path: Path, cli) -> None:
    """The cached results are trusted once a spreadsheet program names itself in docProps/app.xml."""
    src = xlsxwriter_copy(workbooks.build(tmp_path / "seed.xlsx"), tmp_path / "x.xlsx",
                          {("活动数据", "D6"): "=72000+584"})
    fixed = tmp_path / "lo.xlsx"
    with zipfile.ZipFile(src) as z_in, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as z_out:
        for info in z_in.infolist():
            data = z_in.read(info.filename)
            data = data.replace(b"<f>72000+584</f><v>0</v>", b"<f>72000+584</f><v>72584</v>")
            data = data.replace(b"<Application>Microsoft Excel</Application>",
                                b"<Application>LibreOffice/7.4.7.2$Linux_X86_64</Application>")
            data = data.replace(b' fullCalcOnLoad="1"', b"")
            z_out.writestr(info, data)
    r = cli("check", fixed)
    assert r.returncode == 0, r.stderr


# ---- 4. Strict OOXML -------------------------------------------------------------------------------------

SAMPLE = ROOT / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
_TO_STRICT = [
    (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
    (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
     b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
    (b"http://schemas.openxmlformats.org/drawingml/2006/main", b"http://purl.oclc.org/ooxml/drawingml/main"),
]


def strict_copy(dest: Path) -> Path:
    """The sample with its XML in ISO/IEC 29500 Strict namespaces, as Excel's 'Strict Open XML' saves it."""
    with zipfile.ZipFile(SAMPLE) as z_in, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z_out:
        for info in z_in.infolist():
            data = z_in.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                for a, b in _TO_STRICT:
                    data = data.replace(a, b)
            z_out.writestr(info, data)
    return dest


@pytest.mark.parametrize("command", ["check", "process", "batch"])
def test_a_strict_ooxml_workbook_is_refused_with_its_own_line(tmp_path: Path, cli, command: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    src = strict_copy(folder / "严格.xlsx")
    before = digest(src)
    args = {"check": ("check", src), "process": ("process", src, "--out", tmp_path / "o"),
            "batch": ("batch", folder, "--out", tmp_path / "o")}[command]
    r = cli(*args)
    assert r.returncode == 2, r.stderr
    found = lines_with(r.stderr, "E-FILE-STRICT-OOXML")
    assert len(found) == 1 and found[0].startswith("严格.xlsx: ") and "Excel 工作簿(*.xlsx)" in found[0], r.stderr
    for wrong in ("E-INTERNAL", "E-SHEET-MISSING", "Traceback"):
        assert wrong not in r.stderr
    assert digest(src) == before


# ---- 2. pictures -----------------------------------------------------------------------------------------

SECRET = b"TOP-SECRET-BYTES-0123456789"


def secret_png(path: Path) -> Path:
    """A real PNG whose bytes carry a marker, so that the marker in an output means the file was copied."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("secret", SECRET.decode())
    Image.new("RGB", (40, 30), "red").save(path, pnginfo=info)
    assert SECRET in path.read_bytes()
    return path


def outputs_hold(folder: Path, needle: bytes) -> bool:
    for f in folder.rglob("*"):
        if f.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(f) as z:
                if any(needle in z.read(n) for n in z.namelist()):
                    return True
    return False


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "drive"])
def test_a_picture_path_leaving_the_workbooks_folder_is_an_error_and_never_read(tmp_path: Path, cli,
                                                                                kind: str) -> None:
    import os

    secret = secret_png(tmp_path / "secret.png")
    book = tmp_path / "客户"
    book.mkdir()
    if kind == "symlink":
        os.symlink(secret, book / "厂区.png")
    text = {"dotdot": "../secret.png", "absolute": str(secret), "symlink": "厂区.png",
            "drive": "C:\\secret.png"}[kind]
    src = workbooks.build(book / "a.xlsx", pictures=[["图2-1 企业概貌", "厂区", text]])
    before = digest(src)
    out = tmp_path / "o"
    r = cli("process", src, "--out", out, "--json")
    assert r.returncode == 1, r.stderr
    found = lines_with(r.stderr, "E-PICTURE-OUTSIDE")
    assert len(found) == 1 and found[0].startswith(f"a.xlsx: 图片与附件!C2: 图片文件“{text}”不在工作簿所在的文件夹内")
    assert strict_json(r.stdout)["outputs"]["report"] is None
    assert not outputs_hold(out, SECRET)  # nothing of the file outside the folder reached an output
    assert digest(src) == before


def test_the_report_never_embeds_a_file_outside_even_when_validation_is_skipped(tmp_path: Path) -> None:
    """Defence in depth: the report's own loader looks only inside the folder too."""
    from carbon_report.outputs.report.context import build_pictures

    secret_png(tmp_path / "secret.png")
    book = tmp_path / "客户"
    book.mkdir()
    intake = type("I", (), {"pictures": (workbooks_picture("../secret.png"),)})()
    got = build_pictures(intake, book)
    item = got.fig["2_1"][0]
    assert not item.ok and item.file == "../secret.png"
    assert "文件不在工作簿所在文件夹内" in item.image.plain


def workbooks_picture(file: str):
    from carbon_report.core.model import Picture

    return Picture("图2-1 企业概貌", "厂区", file, 2)


def test_a_gif_named_png_is_a_placeholder_not_embedded(tmp_path: Path, cli) -> None:
    from PIL import Image

    Image.new("RGB", (40, 30), "blue").save(tmp_path / "厂区.png", format="GIF")
    gif = (tmp_path / "厂区.png").read_bytes()
    assert gif.startswith(b"GIF8")
    src = workbooks.build(tmp_path / "a.xlsx", pictures=[["图2-1 企业概貌", "厂区", "厂区.png"]])
    before = digest(src)
    out = tmp_path / "o"
    r = cli("process", src, "--out", out)
    assert r.returncode == 0, r.stderr
    assert lines_with(r.stderr, "W-PICTURE-TYPE") == [
        "a.xlsx: 图片与附件!C2: 警告 图片“厂区.png”不是 png 或 jpg（按扩展名或文件内容判断），报告中将显示占位框 [W-PICTURE-TYPE]"]
    report = next(out.glob("*_评价报告.docx"))
    with zipfile.ZipFile(report) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
        assert "图片缺失：厂区.png" in z.read("word/document.xml").decode()
    assert digest(src) == before


def test_a_real_png_inside_the_folder_is_embedded(tmp_path: Path, cli) -> None:
    (tmp_path / "图片").mkdir()
    png = secret_png(tmp_path / "图片" / "厂区.png")
    src = workbooks.build(tmp_path / "a.xlsx", pictures=[["图2-1 企业概貌", "厂区", "图片\\厂区.png"]])
    r = cli("process", src, "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    assert not lines_with(r.stderr, "W-PICTURE-TYPE") and not lines_with(r.stderr, "W-PICTURE-MISSING")
    assert outputs_hold(tmp_path / "o", png.read_bytes())


def test_a_picture_over_the_pixel_limit_is_one_warning_and_a_placeholder(tmp_path: Path, cli) -> None:
    from PIL import Image

    # 12,000 × 12,000 (144 Mpx, over Pillow's 89 Mpx limit) written as a 1-bit PNG: a small file.
    Image.new("1", (12_000, 12_000)).save(tmp_path / "巨图.png", optimize=True)
    src = workbooks.build(tmp_path / "a.xlsx", pictures=[["图2-1 企业概貌", "厂区", "巨图.png"]])
    before = digest(src)
    out = tmp_path / "o"
    r = cli("process", src, "--out", out)
    assert r.returncode == 0, r.stderr
    found = lines_with(r.stderr, "W-PICTURE-TOO-LARGE")
    assert len(found) == 1 and found[0].startswith("a.xlsx: 图片与附件!C2: 警告 图片“巨图.png”像素过多")
    assert "DecompressionBomb" not in r.stderr  # Python's warnings go to sys.stderr, captured here
    with zipfile.ZipFile(next(out.glob("*_评价报告.docx"))) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
    assert digest(src) == before


# ---- 8. the package and the finding lines ----------------------------------------------------------------


def test_headers_beyond_column_200_are_found(tmp_path: Path, cli) -> None:
    def shift(wb) -> None:  # 活动数据's table moved 250 columns to the right
        ws = wb["活动数据"]
        ws.insert_cols(1, 250)

    src = workbooks.build(tmp_path / "a.xlsx", tweak=shift)
    before = digest(src)
    r = cli("check", src, "--json")
    assert r.returncode == 0, r.stderr
    assert not lines_with(r.stderr, "E-COLUMN-MISSING")
    assert strict_json(r.stdout)["total_tco2e"] > 0
    assert digest(src) == before


def test_traversal_zip_members_are_not_copied_into_the_output(tmp_path: Path, cli) -> None:
    good = workbooks.build(tmp_path / "good.xlsx")
    src = tmp_path / "a.xlsx"
    with zipfile.ZipFile(good) as z_in, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z_out:
        for info in z_in.infolist():
            z_out.writestr(info, z_in.read(info.filename))
        z_out.writestr("../../evil.txt", b"escape")
        z_out.writestr("/abs/evil.txt", b"escape")
        z_out.writestr("xl\\..\\evil.txt", b"escape")
    before = digest(src)
    r = cli("process", src, "--out", tmp_path / "o", "--no-report")
    assert r.returncode == 0, r.stderr
    out = next((tmp_path / "o").glob("*_计算结果.xlsx"))
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert len(names) == len(set(names))
        assert not [n for n in names if "evil" in n]
    assert digest(src) == before
    # A member name twice is no longer copied once but refused (issue 23: E-FILE-DUPLICATE-PART, see
    # tests/test_untrusted_package.py): which copy a program reads differs between programs.


def test_a_users_own_sheet_named_like_a_computed_one_does_not_shift_the_tabs(tmp_path: Path, cli) -> None:
    import openpyxl

    def own_sheet(wb) -> None:
        ws = wb.create_sheet("校验结果", 1)  # the user's own, second of ten
        ws["A1"] = "我自己的记录"

    src = workbooks.build(tmp_path / "a.xlsx", tweak=own_sheet)
    with zipfile.ZipFile(src) as z_in, zipfile.ZipFile(tmp_path / "b.xlsx", "w") as z_out:
        for info in z_in.infolist():  # the tab bar scrolled so that 活动数据 (the 4th sheet) is the first shown
            data = z_in.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b'firstSheet="0"', b'firstSheet="3"')
            z_out.writestr(info, data)
    src = tmp_path / "b.xlsx"
    assert b'firstSheet="3"' in zipfile.ZipFile(src).read("xl/workbook.xml")
    before = digest(src)
    r = cli("process", src, "--out", tmp_path / "o", "--no-report")
    assert r.returncode == 0, r.stderr
    out = next((tmp_path / "o").glob("*_计算结果.xlsx"))
    wb = openpyxl.load_workbook(out)
    names = wb.sheetnames
    assert names.count("校验结果") == 1 and names.index("校验结果") > names.index("历史排放")
    assert wb.active.title == "校验结果"  # the computed one, holding this run's warnings
    view = wb.views[0]
    assert names[view.firstSheet] == "活动数据"
    assert digest(src) == before


def test_a_file_name_with_a_newline_stays_on_one_finding_line(tmp_path: Path, cli) -> None:
    src = workbooks.build(tmp_path / "企业\nA.xlsx", activities=workbooks.activities_with(0, 3, "很多"))
    before = digest(src)
    r = cli("check", src)
    assert r.returncode == 1
    found = lines_with(r.stderr, "E-AMOUNT-NOT-NUMBER")
    assert found == ["企业\\nA.xlsx: 活动数据!D2: “钢筋”的活动数据“很多”不是数字 [E-AMOUNT-NOT-NUMBER]"]
    assert all(line.startswith("企业\\nA.xlsx: ") for line in r.stderr.splitlines() if "[" in line)
    assert digest(src) == before
