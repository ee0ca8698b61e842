"""The Excel add-in: the file carbon_report.xlam, and what its buttons run.

xlwings cannot drive Excel on Linux. The add-in is checked as a file (zip, ribbon XML, VBA through oletools'
own parser and LibreOffice's); the buttons' Python runs end to end against FakeBook (tests/excel_fake.py), an
in-memory stand-in that offers exactly the xlwings calls adapter.LiveBook makes, with xlwings' real signatures
(checked below). tests/test_excel_command_line.py runs the command line the VBA builds in a real subprocess.
"""

from __future__ import annotations

import importlib.util
import inspect
import io
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import olefile
import pytest
import xlwings as xw
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from oletools.olevba import VBA_Parser, decompress_stream

import carbon_report
import workbooks
from carbon_report import __version__
from carbon_report.app.excel import addin as addin_mod
from carbon_report.app.excel import run_from_excel
from carbon_report.app.excel.addin import interpreter_settings, write_addin
from carbon_report.app.excel.cfb import write_compound_file
from carbon_report.app.excel.ovba import VbaProject, compress, decompress, parse_dir, serialize_dir, vba_text
from carbon_report.app.excel.sheets import cell_value, hyperlink, table_values
from carbon_report.app.pipeline import check_file
from carbon_report.core import contract
from carbon_report.core.errors import CarbonReportError, OutputLocked
from excel_fake import FakeApp, FakeBook, FakeRange, FakeSheet, FakeSheets, settings_of

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
HAS_REPORT = importlib.util.find_spec("carbon_report.outputs.report") is not None
CUI = "{http://schemas.microsoft.com/office/2006/01/customui}"


def test_fake_follows_xlwings_signatures() -> None:
    """The fake makes the same calls with the same parameters as xlwings' public API."""
    pairs = [(xw.main.Sheets.add, FakeSheets.add), (xw.Sheet.range, FakeSheet.range), (xw.App.alert, FakeApp.alert),
             (xw.Sheet.clear, FakeSheet.clear), (xw.Sheet.activate, FakeSheet.activate)]
    for real, fake in pairs:
        real_params = [(p.name, p.kind, p.default) for p in inspect.signature(real).parameters.values()]
        fake_params = [(p.name, p.kind, p.default) for p in inspect.signature(fake).parameters.values()]
        assert real_params == fake_params, real.__qualname__
    settable = {(xw.Range, FakeRange): ["value", "number_format", "column_width"], (xw.App, FakeApp): ["status_bar"]}
    for (cls, fake_cls), names in settable.items():
        for n in names:
            prop = inspect.getattr_static(cls, n)
            assert isinstance(prop, property) and prop.fset is not None, n
            assert isinstance(inspect.getattr_static(fake_cls, n), property)
    for cls, names in {xw.Book: ["name", "fullname", "sheets", "app", "api"], xw.main.Sheets: ["active"],
                       xw.Sheet: ["name"]}.items():
        for n in names:
            assert isinstance(inspect.getattr_static(cls, n), property), n
    assert "__getitem__" in dir(xw.main.Sheets) and "__iter__" in dir(xw.main.Sheets)


# ---- the add-in file ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def addin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_addin(tmp_path_factory.mktemp("addin"), {"Interpreter_Win": r"C:\Python311\python.exe"})


def test_ribbon_has_the_tab_and_both_buttons(addin_path: Path) -> None:
    with zipfile.ZipFile(addin_path) as z:
        ui = etree.fromstring(z.read("customUI/customUI.xml"))
        rels = z.read("_rels/.rels").decode()
        assert z.testzip() is None
    assert "ui/extensibility" in rels and "customUI/customUI.xml" in rels
    tabs = ui.findall(f".//{CUI}tab")
    assert [t.get("label") for t in tabs] == ["碳排放报告"]
    buttons = {b.get("label"): b.get("onAction") for b in tabs[0].iter(f"{CUI}button")}
    assert buttons == {"生成报告": "RibbonCarbonReport.RunMain", "校验": "RibbonCarbonReport.RunCheck"}


def _macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {vba_name: code for _, _, vba_name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_vba_buttons_run_python_into_carbon_report(addin_path: Path) -> None:
    macros = _macros(addin_path)
    ribbon = macros["RibbonCarbonReport.bas"]
    assert 'Attribute VB_Name = "RibbonCarbonReport"' in ribbon
    run_main = ribbon[ribbon.index("Sub RunMain(control As IRibbonControl)"):]
    run_check = ribbon[ribbon.index("Sub RunCheck(control As IRibbonControl)"):]
    # The buttons pass the versions the add-in was built with (xlwings' as its own VBA module says).
    versions = f"'{__version__}','{xw.__version__}'"
    main_call = f'RunCarbonReport "import carbon_report;carbon_report.excel_process({versions})"'
    check_call = f'RunCarbonReport "import carbon_report;carbon_report.excel_check({versions})"'
    assert run_main[:run_main.index("End Sub")].count(main_call) == 1
    assert run_check[:run_check.index("End Sub")].count(check_call) == 1
    assert f'Public Const XLWINGS_VERSION As String = "{xw.__version__}"' in macros["xlwings.bas"]
    # One place runs Python: wait cursor and status line first, both reset after the "Finally:" label, which
    # every path through the sub reaches (On Error GoTo Finally), and error 70 (blocked) explained.
    runner = ribbon[ribbon.index("Private Sub RunCarbonReport(command As String)"):]
    runner = runner[:runner.index("End Sub")]
    body, cleanup = runner.split("\r\nFinally:\r\n")
    code = [line.strip() for line in ribbon.splitlines() if not line.lstrip().startswith("'")]
    assert [line for line in code if "RunPython" in line] == ["RunPython command"] and "RunPython command" in body
    assert body.index("On Error GoTo Finally") < body.index("Application.Cursor = 2") < body.index("RunPython")
    assert "Application.StatusBar = ChrW(" in body
    assert "Application.Cursor = -4143" in cleanup and "Application.StatusBar = False" in cleanup
    assert "If Err.Number = 70 Then" in cleanup and "Exit Sub" not in body.split("On Error GoTo Finally")[1]
    assert "RibbonMyAddin.bas" not in macros
    # xlwings' own module is there, with our settings name.
    assert "Public Function RunPython(PythonCommand As String)" in macros["xlwings.bas"]
    assert 'Public Const PROJECT_NAME As String = "carbon_report"' in macros["xlwings.bas"]
    assert "myaddin" not in macros["xlwings.bas"]
    # Chinese text is built with ChrW: the module's code page (1252) cannot hold it.
    assert all(ord(ch) < 128 for ch in ribbon)


def test_the_macros_targets_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr("carbon_report.app.excel.run_from_excel",
                        lambda check_only, addin: calls.append((check_only, addin)))
    monkeypatch.setattr("sys.path", ["", "/x", "."])
    carbon_report.excel_process("0.2.0", "0.37.8")
    carbon_report.excel_check("0.2.0", "0.37.8")
    # add-ins installed before those names: main(…) and check(…) with their versions, or nothing at all
    carbon_report.main("0.0.9", "0.37.1")
    carbon_report.check("0.1.0", "0.37.8")
    carbon_report.check()
    assert calls == [(False, ("0.2.0", "0.37.8")), (True, ("0.2.0", "0.37.8")), (False, ("0.0.9", "0.37.1")),
                     (True, ("0.1.0", "0.37.8")), (True, None)]
    import sys

    assert sys.path == ["/x"]  # the current folder (the client's, maybe) is never searched for imports


def test_vba_project_is_in_the_interoperable_form(addin_path: Path) -> None:
    """Version 0xFFFF and edited modules as source only (MODULEOFFSET 0): Excel compiles the source
    ([MS-OVBA] 1.6), as it does for xlwings' own module in the file xlwings ships."""
    with zipfile.ZipFile(addin_path) as z:
        data = z.read("xl/vbaProject.bin")
    with zipfile.ZipFile(addin_mod.xlwings_source()) as z:
        original = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(io.BytesIO(data))
    streams = {"/".join(e): ole.openstream(e).read() for e in ole.listdir()}
    assert streams["VBA/_VBA_PROJECT"][:5] == b"\xcc\x61\xff\xff\x00" and len(streams["VBA/_VBA_PROJECT"]) == 7
    assert not [s for s in streams if "__SRP_" in s.upper()]
    records = parse_dir(bytes(decompress_stream(bytearray(streams["VBA/dir"]))))
    names = [r.data for r in records if r.id == 0x19]
    offsets = [struct.unpack("<I", r.data)[0] for r in records if r.id == 0x31]
    by_name = dict(zip(names, offsets, strict=True))
    assert by_name[b"RibbonCarbonReport"] == 0 and by_name[b"xlwings"] == 0
    assert streams["VBA/RibbonCarbonReport"][0] == 1  # a compressed container from byte 0
    project = streams["PROJECT"].decode("cp1252")
    assert "Module=RibbonCarbonReport\r\n" in project and 'Name="CarbonReport"' in project
    assert "RibbonMyAddin" not in project
    assert b"RibbonCarbonReport\x00" in streams["PROJECTwm"]
    # Modules we did not edit are byte for byte xlwings'.
    orig = olefile.OleFileIO(io.BytesIO(original))
    for m in ("ThisWorkbook", "Sheet2", "Dictionary"):
        assert streams[f"VBA/{m}"] == orig.openstream(f"VBA/{m}").read()
    assert VbaProject(data).project_name == "CarbonReport"


def test_settings_sheet_points_at_the_interpreter(addin_path: Path, tmp_path: Path) -> None:
    assert settings_of(addin_path) == {"ADD_WORKBOOK_TO_PYTHONPATH": "false",
                                       "Interpreter_Win": r"C:\Python311\python.exe"}
    # Only keys with a value (an empty one would hide the user's settings file), and always the one that
    # keeps the workbook's folder off sys.path.
    assert settings_of(write_addin(tmp_path, {})) == {"ADD_WORKBOOK_TO_PYTHONPATH": "false"}


def test_interpreter_settings(tmp_path: Path) -> None:
    assert interpreter_settings("win32", r"C:\Py\python.exe", str(tmp_path), {}) == {"Interpreter_Win": r"C:\Py\python.exe"}
    assert interpreter_settings("darwin", "/opt/py/bin/python3", str(tmp_path), {}) == {"Interpreter_Mac": "/opt/py/bin/python3"}
    assert interpreter_settings("linux", "/usr/bin/python3", str(tmp_path), {}) == {}
    env = tmp_path / "envs" / "cr"
    (env / "conda-meta").mkdir(parents=True)
    conda = interpreter_settings("win32", str(env / "python.exe"), str(env),
                                 {"CONDA_EXE": str(tmp_path / "Scripts" / "conda.exe")})
    assert conda["Conda Path"] == str(tmp_path) and conda["Conda Env"] == str(env)


@pytest.mark.parametrize("version", ["0.37.7", "0.38.0", "0.30.10", "1.0"])
def test_xlwings_outside_the_pinned_range_is_refused(version: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addin_mod, "installed_xlwings", lambda: version)
    with pytest.raises(CarbonReportError) as e:
        write_addin(tmp_path, {})
    assert e.value.code == "E-XLWINGS-VERSION"
    assert version in e.value.message and "xlwings>=0.37.8,<0.38" in e.value.message
    assert not list(tmp_path.iterdir())


def test_the_pin_in_pyproject_is_the_range_the_addin_checks() -> None:
    import tomllib

    deps = tomllib.loads((SAMPLES.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert "xlwings>=0.37.8,<0.38" in deps
    for version in ("0.37.8", "0.37.12"):
        addin_mod.check_xlwings(version)


def test_a_broken_xlwings_is_one_clear_error_not_a_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addin_mod, "xlwings_source", lambda: tmp_path / "missing.xlam")
    with pytest.raises(CarbonReportError) as e:
        write_addin(tmp_path / "out", {"Interpreter_Mac": "/usr/local/bin/python3"})
    assert e.value.code == "E-XLWINGS-ADDIN" and "missing.xlam" in e.value.message
    assert not (tmp_path / "out" / "carbon_report.xlam").exists()


def test_write_addin_loaded_in_excel_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from carbon_report.io import atomic

    def locked(dest: Path, data: bytes) -> None:
        raise atomic.OutputLocked(str(dest))

    monkeypatch.setattr(atomic, "write_bytes", locked)
    with pytest.raises(OutputLocked, match="关闭 Excel"):
        write_addin(tmp_path, {})


def test_libreoffice_opens_the_addin_and_reads_its_vba(addin_path: Path, tmp_path: Path) -> None:
    """An independent reader of compound files and VBA: LibreOffice loads the add-in and imports the
    module source into its Basic library."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice not installed")
    src = tmp_path / addin_path.name
    shutil.copyfile(addin_path, src)
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                           "--infilter=Calc MS Excel 2007 XML", "--convert-to", "ods", "--outdir", str(tmp_path / "out"),
                           str(src)], capture_output=True, text=True, timeout=180)
    out = tmp_path / "out" / "carbon_report.ods"
    assert proc.returncode == 0 and out.is_file(), proc.stdout + proc.stderr
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        module = z.read("Basic/CarbonReport/RibbonCarbonReport.xml").decode()
        xlwings_module = z.read("Basic/CarbonReport/xlwings.xml").decode()
    assert "Basic/CarbonReport/xlwings.xml" in names
    assert "RunCarbonReport &quot;import carbon_report;carbon_report.excel_process(&apos;" in module
    assert "RunCarbonReport &quot;import carbon_report;carbon_report.excel_check(&apos;" in module
    assert "RunPython command" in module
    assert "PROJECT_NAME As String = &quot;carbon_report&quot;" in xlwings_module


_LO_RUN_BASIC = r"""
import os, signal, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p

def give_up(*_):
    raise TimeoutError("LibreOffice did not answer")

soffice, profile, pipe, path, script = sys.argv[1:6]
# Its own session and no inherited pipes: killed as a group at the end, it cannot keep the caller waiting.
proc = subprocess.Popen([soffice, "-env:UserInstallation=" + profile, "--headless", "--invisible", "--norestore",
                         "--accept=pipe,name=" + pipe + ";urp;"], stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
signal.signal(signal.SIGALRM, give_up)
signal.alarm(100)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(160):
        try:
            ctx = resolver.resolve("uno:pipe,name=" + pipe + ";urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    # ReadOnly: no lock file, so nothing is left behind to block a later load.
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                       (prop("Hidden", True), prop("ReadOnly", True), prop("MacroExecutionMode", 4),
                                        prop("FilterName", "Calc MS Excel 2007 XML")))
    result = doc.getScriptProvider().getScript(script).invoke((), (), ())[0]
    print("RESULT=" + repr(result), flush=True)
finally:
    signal.alarm(0)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
"""


def test_libreoffice_compiles_and_runs_the_button_module(addin_path: Path, tmp_path: Path) -> None:
    """LibreOffice's Basic (VBA compatibility mode) compiles the whole RibbonCarbonReport module and runs
    NoWorkbook(), which returns False there (LibreOffice has an active workbook). A syntax error anywhere in
    the module makes the call return nothing instead (checked once by hand with a broken line)."""
    soffice = shutil.which("soffice")
    system_python = Path("/usr/bin/python3")
    if not soffice or not system_python.exists() or subprocess.run(
            [str(system_python), "-c", "import uno"], capture_output=True).returncode != 0:
        pytest.skip("LibreOffice with python3-uno not installed")
    helper = tmp_path / "run_basic.py"
    helper.write_text(_LO_RUN_BASIC, encoding="utf-8")
    script = "vnd.sun.star.script:CarbonReport.RibbonCarbonReport.NoWorkbook?language=Basic&location=document"
    output = ""
    for attempt in range(2):  # a LibreOffice that fails to start or hangs (busy machine) gets one more try
        src = tmp_path / f"addin{attempt}.xlsm"
        shutil.copyfile(addin_path, src)
        try:
            proc = subprocess.run([str(system_python), str(helper), soffice,
                                   (tmp_path / f"profile{attempt}").as_uri(), f"cr_test_{tmp_path.name}_{attempt}",
                                   str(src), script], capture_output=True, text=True, timeout=150)
        except subprocess.TimeoutExpired as e:
            output += f"attempt {attempt}: timed out {e.stdout!r}\n"
            continue
        output += proc.stdout + proc.stderr
        if "RESULT=" in proc.stdout:  # an answer, right or wrong: no retry
            break
    assert "RESULT=False" in output, output


# ---- MS-OVBA compression and the compound-file writer ------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=9000))
def test_compression_round_trips_through_oletools(text: str) -> None:
    data = text.encode("ascii")
    packed = compress(data)
    assert bytes(decompress_stream(bytearray(packed))) == data
    assert decompress(packed) == data


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=3600) | st.binary(min_size=4096, max_size=4096))
def test_compression_of_incompressible_bytes(data: bytes) -> None:
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


def test_dir_stream_round_trips() -> None:
    with zipfile.ZipFile(addin_mod.xlwings_source()) as z:
        project = VbaProject(z.read("xl/vbaProject.bin"))
    raw = decompress(project.streams["VBA/dir"])
    assert serialize_dir(parse_dir(raw)) == raw


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.sampled_from(["A", "B", "PROJECT", "VBA/dir", "VBA/m1", "VBA/Module_2", "VBA/x", "S/T/u"]),
                       st.integers(min_value=0, max_value=9000), min_size=1))
def test_compound_file_writer_is_read_back_by_olefile(sizes: dict[str, int]) -> None:
    if "S/T/u" in sizes and any(k in sizes for k in ("S", "S/T")):
        return
    streams = {k: bytes((i * 7 + len(k)) % 251 for i in range(n)) for k, n in sizes.items()}
    ole = olefile.OleFileIO(io.BytesIO(write_compound_file(streams)))
    assert {"/".join(e): ole.openstream(e).read() for e in ole.listdir()} == streams


def test_vba_text() -> None:
    assert vba_text('say "hi"') == '"say ""hi"""'
    assert vba_text("碳a") == 'ChrW(30899) & "a"'
    assert vba_text("") == '""'


# ---- the computed sheets as 2-D values ---------------------------------------------------------------------


def test_text_is_written_as_text_and_links_as_hyperlinks() -> None:
    assert cell_value("=SUM(A1)") == "'=SUM(A1)" and cell_value("2024-07-20") == "'2024-07-20"
    assert cell_value(1.5) == 1.5 and cell_value(None) is None and cell_value("") is None
    assert cell_value(float("nan")) == "'nan"
    assert hyperlink("'活动数据'!D7", "D7") == '=HYPERLINK("#\'活动数据\'!D7","D7")'
    assert hyperlink("'a\"b'!A1", 'x"y') == '=HYPERLINK("#\'a""b\'!A1","x""y")'


def test_table_values_are_rectangular(tmp_path: Path) -> None:
    from carbon_report.outputs.computed import computed_tables

    o = check_file(workbooks.build(tmp_path / "in.xlsx"))
    for t in computed_tables(o.findings, o.intake, o.result, o.library_version):
        values, first = table_values(t)
        assert len({len(r) for r in values}) == 1
        assert values[first - 2][: len(t.header)] == ["'" + h for h in t.header]
        assert len(values) - first + 1 == len(t.rows)


# ---- the buttons, end to end -------------------------------------------------------------------------------


def _input_snapshot(book: FakeBook) -> dict[str, dict[tuple[int, int], Any]]:
    return {s.name: dict(s.cells) for s in book.sheets if s.name not in contract.ALL_COMPUTED_SHEETS}


def _summary_total(book: FakeBook) -> float:
    grid = book.sheets[contract.SHEET_SUMMARY].grid()
    row = next(r for r in grid if r[1] == "'企业碳排放量合计（1+2+3+4+5+6）")
    return row[3]


def test_generate_report_end_to_end(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "企业填报.xlsx")
    before = path.read_bytes()
    book = FakeBook(path)
    inputs = _input_snapshot(book)
    expected = check_file(path)

    run = run_from_excel(False, book, platform="win32")

    names = [s.name for s in book.sheets]
    # the test workbook has three "/" rows, so 数据缺口 follows the computed sheets every run writes
    computed = [*contract.COMPUTED_SHEETS, contract.SHEET_GAPS]
    n = len(computed)
    assert names[-n:] == computed and names[:-n] == list(inputs)
    assert _input_snapshot(book) == inputs  # input sheets never touched
    assert all(s.writes == 0 and s.clears == 0 for s in book.sheets if s.name in inputs)
    assert all(book.sheets[n].writes == 1 for n in contract.COMPUTED_SHEETS)  # one 2-D write per sheet
    assert _summary_total(book) == pytest.approx(expected.result.total)
    findings = book.sheets[contract.SHEET_FINDINGS].grid()
    assert findings[1][:2] == ["'序号", "'级别"]
    details = book.sheets[contract.SHEET_DETAILS]
    assert details.cells[(3, 5)].startswith('=HYPERLINK("#\'活动数据\'!')
    assert details.widths[1] == 6 and set(details.formats.values()) >= {"#,##0.000000"}
    assert book.sheets.active.name == contract.SHEET_SUMMARY
    # A copy was taken with SaveCopyAs; the open workbook still points at its file, which is unchanged.
    assert len(book.api.copies) == 1 and Path(book.api.copies[0]).parent != tmp_path
    assert book.fullname == str(path) and path.read_bytes() == before
    alert = book.app.alerts[-1]
    assert alert["title"] == "碳排放报告" and alert["mode"] == "info"
    assert f"{expected.result.total:,.2f} tCO2e" in alert["prompt"] and "错误 0 个" in alert["prompt"]
    assert run.outcome.status == "ok"
    if HAS_REPORT:
        report = tmp_path / "企业填报_评价报告.docx"
        assert report.is_file() and str(report) in alert["prompt"]
        assert run.outcome.outputs["report"] == str(report)


def test_check_button_writes_no_report(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "in.xlsx")
    book = FakeBook(path)
    run = run_from_excel(True, book, platform="win32")
    assert run.outcome.status == "ok" and not list(tmp_path.glob("*.docx"))
    assert book.sheets.active.name == contract.SHEET_FINDINGS
    assert "校验通过" in book.app.alerts[-1]["prompt"] and "tCO2e" in book.app.alerts[-1]["prompt"]


def test_errors_activate_the_findings_sheet(tmp_path: Path) -> None:
    acts = [list(r) for r in workbooks.SEED_ACTIVITIES]
    acts[0][3] = -5
    path = workbooks.build(tmp_path / "bad.xlsx", activities=acts)
    book = FakeBook(path)
    run = run_from_excel(False, book, platform="win32")
    assert run.outcome.status == "invalid" and run.critical
    assert book.sheets.active.name == contract.SHEET_FINDINGS
    assert not list(tmp_path.glob("*.docx"))
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and f"错误 {len(run.outcome.errors)} 个" in alert["prompt"]
    grid = book.sheets[contract.SHEET_FINDINGS].grid()
    assert any(r[1] == "'错误" and r[4] == "'E-AMOUNT-NEGATIVE" for r in grid)
    assert book.sheets[contract.SHEET_SUMMARY].grid()[1][0].startswith("'存在错误")


def test_second_run_replaces_the_computed_sheets(tmp_path: Path) -> None:
    acts = [list(r) for r in workbooks.SEED_ACTIVITIES]
    acts[0][3] = -5
    path = workbooks.build(tmp_path / "in.xlsx", activities=acts)
    book = FakeBook(path)
    run_from_excel(True, book, platform="win32")
    rows_before = len(book.sheets[contract.SHEET_FINDINGS].grid())
    workbooks.build(path)  # the user fixed the workbook
    run = run_from_excel(True, book, platform="win32")
    assert run.outcome.status == "ok"
    assert [s.name for s in book.sheets].count(contract.SHEET_FINDINGS) == 1
    assert book.sheets[contract.SHEET_FINDINGS].clears == 1
    assert len(book.sheets[contract.SHEET_FINDINGS].grid()) <= rows_before
    assert not any(r[1] == "'错误" for r in book.sheets[contract.SHEET_FINDINGS].grid())


def test_mac_reads_the_saved_file_and_asks_to_save_first(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "in.xlsx")
    book = FakeBook(path)
    run = run_from_excel(True, book, platform="darwin")
    assert run.outcome.status == "ok" and not book.api.copies  # no SaveCopyAs on macOS
    book = FakeBook(path)
    book.api.Saved = False
    run = run_from_excel(False, book, platform="darwin")
    assert run.outcome is None and run.critical and "未保存" in book.app.alerts[-1]["prompt"]
    assert not [s for s in book.sheets if s.name in contract.COMPUTED_SHEETS]


def test_onedrive_address_still_writes_the_sheets_and_explains(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "in.xlsx")
    book = FakeBook(path, fullname="https://d.docs.live.net/abc123/Documents/in.xlsx")
    run = run_from_excel(False, book, platform="win32")
    assert run.outcome.status == "ok" and not list(tmp_path.glob("*.docx"))
    prompt = book.app.alerts[-1]["prompt"]
    assert "未生成报告" in prompt and "ONEDRIVE" in prompt
    assert book.sheets[contract.SHEET_SUMMARY].writes == 1
    # xlwings raises when it cannot map the address: the same message, never a traceback.
    book = FakeBook(path, fullname=xw.XlwingsError("Couldn't find your local OneDrive file"))
    run = run_from_excel(False, book, platform="win32")
    assert "未生成报告" in book.app.alerts[-1]["prompt"]
    mac = FakeBook(path, fullname="https://d.docs.live.net/abc123/Documents/in.xlsx")
    run = run_from_excel(True, mac, platform="darwin")
    assert run.outcome is None and "ONEDRIVE" in mac.app.alerts[-1]["prompt"]


def test_unsaved_new_workbook_is_checked_without_a_report(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "Book1.xlsx")
    book = FakeBook(path, fullname="Book1")
    book._name = "Book1"
    run = run_from_excel(False, book, platform="win32")
    assert run.outcome.status == "ok" and "尚未保存" in book.app.alerts[-1]["prompt"]
    assert Path(book.api.copies[0]).name == "Book1.xlsx"


def test_not_an_excel_workbook(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "in.xlsx")
    book = FakeBook(path)
    book._name = "data.csv"
    run = run_from_excel(False, book, platform="win32")
    assert run.critical and "另存为" in book.app.alerts[-1]["prompt"]


def test_any_failure_is_one_line_in_a_message_box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbooks.build(tmp_path / "in.xlsx")
    book = FakeBook(path)

    def broken(*a: Any, **k: Any) -> None:
        raise RuntimeError("Call was rejected by callee.\nmore detail")

    monkeypatch.setattr(book.sheets, "add", broken)
    run = run_from_excel(False, book, platform="win32")
    prompt = book.app.alerts[-1]["prompt"]
    assert run.critical and "RuntimeError: Call was rejected by callee." in prompt
    assert "more detail" not in prompt and "Traceback" not in prompt


def test_when_no_message_box_can_be_shown(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    book = FakeBook(workbooks.build(tmp_path / "in.xlsx"))

    def no_box(*a: Any, **k: Any) -> None:
        raise RuntimeError("Excel went away")

    book.app.alert = no_box  # type: ignore[method-assign]
    with pytest.raises(SystemExit) as e:
        run_from_excel(True, book, platform="win32")
    assert e.value.code == 1
    err = capfd.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Excel went away" in err


def test_outside_excel_is_one_line_too(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_from_excel(False)
    err = capfd.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Excel" in err


def test_pictures_are_found_beside_the_open_workbook(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (8, 8), "green").save(tmp_path / "厂区.png")
    path = workbooks.build(tmp_path / "in.xlsx", pictures=[["图2-1 企业概貌", "厂区", "厂区.png"]])
    book = FakeBook(path)
    run = run_from_excel(True, book, platform="win32")
    assert not [f for f in run.outcome.findings if f.sheet == contract.PICTURES.name]


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.xlsx")), ids=lambda p: p.stem)
def test_bundled_samples(sample: Path, tmp_path: Path) -> None:
    path = tmp_path / sample.name
    shutil.copyfile(sample, path)
    book = FakeBook(path)
    run = run_from_excel(True, book, platform="win32")
    expected = check_file(sample)
    assert run.outcome.status == expected.status
    if expected.result is not None:
        assert _summary_total(book) == pytest.approx(expected.result.total)


def test_status_bar_shows_each_step_and_is_given_back(tmp_path: Path) -> None:
    book = FakeBook(workbooks.build(tmp_path / "in.xlsx"))
    run_from_excel(False, book, platform="win32")
    steps = ["读取工作簿……", "校验……", "计算……", "写入计算表……"] + (["生成报告……"] if HAS_REPORT else [])
    assert book.app.status_history == steps + [False]
    # A failure half-way gives the status bar back as well.
    book = FakeBook(workbooks.build(tmp_path / "again.xlsx"))

    def broken(*a: Any, **k: Any) -> None:
        raise RuntimeError("Call was rejected by callee.")

    book.sheets.add = broken  # type: ignore[method-assign]
    run = run_from_excel(True, book, platform="win32")
    assert run.critical and book.app.status_history[-2:] == ["写入计算表……", False]


@pytest.mark.parametrize(("name", "kind", "code"), [("企业填报.xlsb", "Excel 二进制工作簿（.xlsb）", "E-FILE-XLSB"),
                                                    ("企业填报.XLS", "旧版 Excel 97-2003 工作簿（.xls）", "E-FILE-XLS")])
def test_xlsb_and_xls_are_asked_to_be_saved_as_xlsx(name: str, kind: str, code: str, tmp_path: Path) -> None:
    book = FakeBook(workbooks.build(tmp_path / "in.xlsx"))
    book._name = name
    run = run_from_excel(False, book, platform="win32")
    prompt = book.app.alerts[-1]["prompt"]
    assert run.critical and run.outcome is None and not book.api.copies
    assert f"“{name}”是{kind}" in prompt and "另存为" in prompt and "Excel 工作簿(*.xlsx)" in prompt
    assert prompt.endswith(f"[{code}]") and "不是 Excel 工作簿" not in prompt


def test_an_addin_built_by_other_versions_says_so(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "in.xlsx")
    book = FakeBook(path)
    run_from_excel(True, book, platform="win32", addin=("0.0.9", "0.37.1"))
    prompt = book.app.alerts[-1]["prompt"]
    assert "校验通过" in prompt  # it still runs
    assert (f"加载项是用 carbon-report 0.0.9 / xlwings 0.37.1 生成的，本机现在安装的是 carbon-report {__version__} / "
            f"xlwings {xw.__version__}") in prompt
    assert "carbon-report addin --install" in prompt and "[W-ADDIN-VERSION]" in prompt
    book = FakeBook(path)
    run_from_excel(True, book, platform="win32", addin=(__version__, xw.__version__))
    assert "W-ADDIN-VERSION" not in book.app.alerts[-1]["prompt"]


def test_a_monthly_sheet_of_an_earlier_run_is_emptied_when_months_are_gone(tmp_path: Path) -> None:
    """Issue 16: 月度数据 exists only while rows give months; the button never deletes sheets, so a later run
    without months leaves it holding one note instead of stale figures."""
    keys = [c.key for c in contract.ACTIVITIES.columns]
    monthly = [dict(zip(keys, r, strict=False)) for r in workbooks.SEED_ACTIVITIES]
    monthly[4].update({f"m{i}": 6048 for i in range(1, 12)}, m12=72584 - 11 * 6048)  # Σ = 72,584 kWh
    rows = [[r.get(k) for k in keys] for r in monthly]
    path = workbooks.build(tmp_path / "in.xlsx", activities=rows)
    book = FakeBook(path)
    run_from_excel(True, book, platform="win32")
    assert 72584 in [v for r in book.sheets[contract.SHEET_MONTHLY].grid() for v in r]
    workbooks.build(path)  # months removed
    run = run_from_excel(True, book, platform="win32")
    assert run.outcome.status == "ok"
    grid = book.sheets[contract.SHEET_MONTHLY].grid()
    assert len(grid) == 1 and "无内容" in str(grid[0][0])
