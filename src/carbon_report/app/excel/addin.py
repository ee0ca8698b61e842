"""`carbon-report addin DIR`: the Excel add-in carbon_report.xlam.

Built from xlwings' own ribbon add-in (`xlwings quickstart NAME --addin --ribbon` copies the same file), so
its VBA (RunPython, settings, OneDrive handling) is the xlwings VBA of the installed xlwings version. Edits:

- ribbon (customUI/customUI.xml): a tab 碳排放报告 with the buttons 生成报告 and 校验;
- VBA: the ribbon module is renamed RibbonCarbonReport (another xlwings add-in's RibbonMyAddin.RunMain
  cannot catch our buttons' callbacks) and holds RunMain → `carbon_report.excel_process()` and RunCheck →
  `carbon_report.excel_check()` (add-ins written earlier call main() / check(), which still lead there); the
  xlwings module's PROJECT_NAME becomes "carbon_report", so the settings are the sheet `carbon_report.conf`
  and the file `carbon_report.conf` (see docs/excel.md); the project is named CarbonReport. The edited modules are stored as source only, as xlwings stores its own module (ovba.py);
- the add-in's settings sheet carries the interpreter that ran `carbon-report addin` (Windows and macOS),
  so the buttons find the Python that has carbon-report installed, and ADD_WORKBOOK_TO_PYTHONPATH false:
  xlwings would otherwise put the workbook's folder on sys.path before carbon_report is imported (a
  `docx.py` beside a client's workbook would shadow python-docx) and, for a OneDrive/SharePoint address it
  cannot map, raise an English traceback before our code runs;
- the buttons pass the carbon-report and xlwings versions the add-in was built with, so Python can say
  when the add-in is older than what is installed;
- title and description shown by Excel's add-in dialog.

`carbon-report addin --install` writes the file straight into Excel's start-up folder XLSTART (found by
xlwings' own code), replacing a stale copy, and warms up what the first click would otherwise pay for.

The file is written without Excel; tests read it back with oletools and LibreOffice. What only Excel can
show (the ribbon, the buttons running) is a manual check in docs/excel.md.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from carbon_report import __version__
from carbon_report.app.excel.ovba import ModuleEdit, VbaProject, vba_text
from carbon_report.core.errors import CarbonReportError, OutputLocked
from carbon_report.core.findings import Code
from carbon_report.io.package import BAD_ZIP, Package

ADDIN_NAME = "carbon_report.xlam"
# The xlwings releases whose ribbon add-in our edits were made on (pyproject.toml pins the same range):
# lowest included, highest excluded. Another xlwings is refused at `addin` time rather than guessed at.
XLWINGS_RANGE = ((0, 37, 8), (0, 38))
PROJECT_NAME = "carbon_report"  # xlwings' PROJECT_NAME: settings sheet/file "carbon_report.conf"
VBA_PROJECT_NAME = "CarbonReport"
RIBBON_MODULE = "RibbonCarbonReport"
CONF_SHEET = f"{PROJECT_NAME}.conf"
TAB_LABEL = "碳排放报告"
PROCESS_LABEL = "生成报告"
CHECK_LABEL = "校验"
_SOURCE_RIBBON_MODULE = "RibbonMyAddin"
_SOURCE_PROJECT_LINE = 'Public Const PROJECT_NAME As String = "myaddin"'
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
_MAX_SOURCE_BYTES = 16 * 1024 * 1024  # xlwings' ribbon add-in is about 60 KB

CUSTOM_UI = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">
  <ribbon>
    <tabs>
      <tab id="carbonReportTab" label="{TAB_LABEL}">
        <group id="carbonReportGroup" label="{TAB_LABEL}">
          <button id="carbonReportProcess" label="{PROCESS_LABEL}" size="large" imageMso="MacroPlay"
                  onAction="{RIBBON_MODULE}.RunMain" screentip="{PROCESS_LABEL}"
                  supertip="校验并计算当前工作簿，把计算结果写入本工作簿（校验结果、计算明细、排放汇总、减排目标测算），没有错误时在工作簿旁生成 Word 评价报告。"/>
          <button id="carbonReportCheck" label="{CHECK_LABEL}" size="large" imageMso="DataValidation"
                  onAction="{RIBBON_MODULE}.RunCheck" screentip="{CHECK_LABEL}"
                  supertip="只校验当前工作簿：问题列在“校验结果”表中，不生成报告。"/>
        </group>
      </tab>
    </tabs>
  </ribbon>
</customUI>
"""

_NO_WORKBOOK = "请先打开要处理的企业填报工作簿（.xlsx），再点此按钮。工作簿处于“受保护的视图”时，请先点“启用编辑”。"
_STARTING = "碳排放报告：正在启动 Python……"
# Run-time error 70 from WScript.Run: Excel may not start a program. Almost always security software
# (Defender's attack-surface-reduction rule against Office child processes, or antivirus).
_BLOCKED = ("Excel 无法启动 Python（错误 70：拒绝访问）。这通常是公司的安全软件拦截了 Excel 启动其他程序"
            "（Microsoft Defender 的“阻止所有 Office 应用程序创建子进程”规则）。请把使用说明 docs/excel.md 的“安全软件”一节"
            "发给 IT；在此之前请用命令行：carbon-report process 工作簿.xlsx --out 输出")
_FAILED = "加载项运行出错："
_CURSOR_WAIT, _CURSOR_DEFAULT = 2, -4143  # Excel's xlWait and xlDefault


def ribbon_module_source(xlwings_version: str) -> str:
    """The VBA behind the two buttons. ASCII only: the project's code page is 1252 (see vba_text).

    The call carries the versions the add-in was built with; Python compares them with what is installed.
    Single quotes only in the Python command: xlwings puts it inside double quotes on the command line."""
    versions = f"'{__version__}','{xlwings_version}'"
    lines = [
        f'Attribute VB_Name = "{RIBBON_MODULE}"',
        "' carbon-report: the buttons of the ribbon tab. Written by `carbon-report addin`.",
        "' RunPython is xlwings' (module xlwings); Python gets the active workbook as xw.Book.caller().",
        "Option Explicit",
        "",
        "Sub RunMain(control As IRibbonControl)",
        f'    RunCarbonReport "import carbon_report;carbon_report.excel_process({versions})"',
        "End Sub",
        "",
        "Sub RunCheck(control As IRibbonControl)",
        f'    RunCarbonReport "import carbon_report;carbon_report.excel_check({versions})"',
        "End Sub",
        "",
        "' A wait cursor and a status line while Python starts (Python then shows each step in the status",
        "' bar); both are given back to Excel whatever happens, as a finally block would.",
        "Private Sub RunCarbonReport(command As String)",
        "    If NoWorkbook() Then Exit Sub",
        "    On Error GoTo Finally",
        "    #If Not Mac Then",
        f"        Application.Cursor = {_CURSOR_WAIT}",
        "    #End If",
        f"    Application.StatusBar = {vba_text(_STARTING)}",
        "    RunPython command",
        "Finally:",
        "    #If Not Mac Then",
        f"        Application.Cursor = {_CURSOR_DEFAULT}",
        "    #End If",
        "    Application.StatusBar = False",
        "    If Err.Number = 70 Then",
        f"        MsgBox {vba_text(_BLOCKED)}, vbCritical, {vba_text(TAB_LABEL)}",
        "    ElseIf Err.Number <> 0 Then",
        f"        MsgBox {vba_text(_FAILED)} & Err.Description & \" (\" & Err.Number & \")\", vbCritical, "
        f"{vba_text(TAB_LABEL)}",
        "    End If",
        "End Sub",
        "",
        "Private Function NoWorkbook() As Boolean",
        "    NoWorkbook = ActiveWorkbook Is Nothing",
        "    If NoWorkbook Then",
        f"        MsgBox {vba_text(_NO_WORKBOOK)}, vbExclamation, {vba_text(TAB_LABEL)}",
        "    End If",
        "End Function",
        "",
    ]
    return "\r\n".join(lines)


def xlwings_source() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


def installed_xlwings() -> str:
    from importlib.metadata import version

    return version("xlwings")


def check_xlwings(version: str) -> None:
    """Refuse an xlwings outside XLWINGS_RANGE: its add-in may differ from the one our edits know, and on
    macOS its VBA names its own AppleScript file, so a guess would fail only later, in Excel."""
    low, high = XLWINGS_RANGE
    numbers = tuple(int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3])
    if not low <= numbers < high:
        wanted = f"xlwings>={'.'.join(map(str, low))},<{'.'.join(map(str, high))}"
        raise CarbonReportError.of(Code.E_XLWINGS_VERSION, version=version, range=wanted)


def build_addin(source: Path | None = None, settings: dict[str, str] | None = None) -> bytes:
    """The add-in's bytes, from xlwings' ribbon add-in `source` (default: the installed xlwings').
    `settings` (the interpreter) go into the settings sheet after ADD_WORKBOOK_TO_PYTHONPATH false."""
    settings = {"ADD_WORKBOOK_TO_PYTHONPATH": "false", **(settings or {})}
    edits = {
        "customUI/customUI.xml": lambda data: CUSTOM_UI.encode("utf-8"),
        "xl/vbaProject.bin": _vba,
        "xl/workbook.xml": _rename_conf_sheet,
        "xl/worksheets/sheet1.xml": lambda data: _settings_sheet(data, settings),
        "docProps/core.xml": _core_properties,
    }
    with Package.read(source or xlwings_source(), max_bytes=_MAX_SOURCE_BYTES) as src:
        replace = {name: edit(src.part(name)) for name, edit in edits.items() if src.has(name)}
        return src.rewrite(replace, fixed_time=_ZIP_DATE)


def _vba(data: bytes) -> bytes:
    project = VbaProject(data)
    if _SOURCE_RIBBON_MODULE not in project.module_names() or "xlwings" not in project.module_names():
        raise ValueError("xlwings' ribbon add-in has an unexpected VBA project")
    xlwings_vba = project.module_source("xlwings")
    if _SOURCE_PROJECT_LINE not in xlwings_vba:
        raise ValueError("xlwings' VBA module has no PROJECT_NAME constant")
    found = re.search(r'Public Const XLWINGS_VERSION As String = "([^"]+)"', xlwings_vba)
    if not found:
        raise ValueError("xlwings' VBA module has no XLWINGS_VERSION constant")
    project.replace_module(ModuleEdit(_SOURCE_RIBBON_MODULE, RIBBON_MODULE, ribbon_module_source(found.group(1))))
    xlwings_vba = xlwings_vba.replace(_SOURCE_PROJECT_LINE,
                                      f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')
    project.replace_module(ModuleEdit("xlwings", "xlwings", xlwings_vba))
    project.set_project_name(VBA_PROJECT_NAME)
    return project.to_bytes()


def _rename_conf_sheet(data: bytes) -> bytes:
    """xlwings' VBA reads the settings sheet only under the name carbon_report.conf."""
    text = data.decode("utf-8")
    if 'name="_myaddin.conf"' not in text:
        raise ValueError("xlwings' ribbon add-in has no _myaddin.conf sheet")
    return text.replace('name="_myaddin.conf"', f'name="{CONF_SHEET}"').encode("utf-8")


def _settings_sheet(data: bytes, settings: dict[str, str]) -> bytes:
    """Only keys with a value: an empty key in the sheet would override the user's settings file."""
    rows = []
    for i, (key, value) in enumerate(settings.items(), start=1):
        rows.append(f'<row r="{i}"><c r="A{i}" s="1" t="inlineStr"><is><t>{escape(key)}</t></is></c>'
                    f'<c r="B{i}" s="1" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c></row>')
    sheet_data = f"<sheetData>{''.join(rows)}</sheetData>" if rows else "<sheetData/>"
    text = re.sub(r"<sheetData/>|<sheetData>.*?</sheetData>", lambda _: sheet_data, data.decode("utf-8"),
                  count=1, flags=re.S)
    dim = f"A1:B{len(settings)}" if settings else "A1"
    text = text.replace('<col min="2" max="2" width="9.25"', '<col min="2" max="2" width="60"')
    return re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dim}"', text, count=1).encode("utf-8")


def _core_properties(data: bytes) -> bytes:
    text = data.decode("utf-8")
    text = text.replace("<dc:title />", "<dc:title>碳排放报告 carbon-report</dc:title>")
    text = text.replace("<dc:description />", f"<dc:description>碳排放报告选项卡：生成报告、校验。carbon-report {__version__}。"
                        "需要安装了 carbon-report 的 Python（见 docs/excel.md）。</dc:description>")
    text = text.replace("<dc:creator>Felix</dc:creator>", "<dc:creator>carbon-report</dc:creator>")
    return text.replace("<cp:lastModifiedBy>Felix Zumstein</cp:lastModifiedBy>",
                        "<cp:lastModifiedBy>carbon-report</cp:lastModifiedBy>").encode("utf-8")


def interpreter_settings(platform: str | None = None, executable: str | None = None,
                         prefix: str | None = None, environ: dict[str, str] | None = None) -> dict[str, str]:
    """xlwings settings that point the buttons at the Python running this command."""
    platform = platform or sys.platform
    executable = executable or sys.executable
    prefix = prefix or sys.prefix
    environ = dict(os.environ) if environ is None else environ
    if not executable:
        return {}
    if platform.startswith("win"):
        settings = {"Interpreter_Win": executable}
        conda_exe = environ.get("CONDA_EXE", "")
        if (Path(prefix) / "conda-meta").is_dir() and conda_exe:
            # A conda Python needs its environment activated (DLL search path); xlwings does that from
            # these two settings. Its command line does not quote them, so only paths without spaces.
            conda_root = str(Path(conda_exe).parent.parent)
            if " " not in conda_root and " " not in prefix:
                settings.update({"Conda Path": conda_root, "Conda Env": prefix})
        return settings
    if platform == "darwin":
        return {"Interpreter_Mac": executable}
    return {}


def write_addin(dir: Path, settings: dict[str, str] | None = None) -> Path:  # noqa: A002
    """Write DIR/carbon_report.xlam and return its path. `settings` default: this Python's interpreter."""
    from carbon_report.io import atomic

    xlwings_version = installed_xlwings()
    check_xlwings(xlwings_version)
    dest = Path(dir) / ADDIN_NAME
    settings = interpreter_settings() if settings is None else settings
    try:
        data = build_addin(None, settings)
    except (OSError, ValueError, KeyError, CarbonReportError, *BAD_ZIP) as e:
        raise CarbonReportError.of(Code.E_XLWINGS_ADDIN, version=xlwings_version, file=xlwings_source().name,
                                   error=e) from None
    try:
        atomic.write_bytes(dest, data)
    except OutputLocked:
        raise OutputLocked(dest) from None
    return dest


def excel_startup_folder() -> Path:
    """Excel's XLSTART, as xlwings' `addin install` finds it: Excel itself tells (it is started hidden when
    not running). Workbooks there open with Excel and are trusted by default."""
    try:
        from xlwings.cli import get_addin_dir

        return Path(get_addin_dir())
    except Exception as e:  # no Excel here (Linux, WPS only), or Excel would not start
        text = str(e).strip().splitlines()
        why = text[0] if text else type(e).__name__
        raise CarbonReportError.of(Code.E_ADDIN_XLSTART, why=why) from None


def install_addin(xlstart: Path | None = None, settings: dict[str, str] | None = None,
                  platform: str | None = None, notices: list[str] | None = None) -> Path:
    """`carbon-report addin --install`: the add-in written into XLSTART (given, or asked of Excel), an older
    copy there replaced; on macOS xlwings' AppleScript installed too; on Windows the Start-menu and desktop
    shortcuts for the page (`carbon-report web`, shortcut.py); then the warm-up. Returns its path; what could
    not be done beside it (a shortcut) goes into `notices`."""
    platform = platform or sys.platform
    folder = Path(xlstart) if xlstart is not None else excel_startup_folder()
    path = write_addin(folder, interpreter_settings(platform) if settings is None else settings)
    if platform == "darwin" and xlstart is None:
        from xlwings.cli import runpython_install

        runpython_install(None)  # Excel for Mac starts Python only through this script (`xlwings runpython install`)
    if platform.startswith("win"):
        from carbon_report.app.excel.shortcut import write_shortcuts

        try:
            for p in write_shortcuts():
                (notices if notices is not None else []).append(f"已创建网页快捷方式 shortcut: {p}")
        except Exception as e:  # noqa: BLE001 - the add-in is installed; the page can still be started by hand
            (notices if notices is not None else []).append(
                f"未能创建网页快捷方式（{type(e).__name__}: {e}）；可在命令提示符中运行 py -m carbon_report web")
    warm_up()
    return path


def uninstall_addin(xlstart: Path | None = None, platform: str | None = None) -> list[Path]:
    """`carbon-report addin --uninstall`: the add-in removed from XLSTART (given, or asked of Excel) and, on
    Windows, the page's shortcuts. xlwings' own AppleScript on macOS is shared with other xlwings add-ins
    and stays. Returns what was removed; Excel holding the add-in open is OutputLocked."""
    platform = platform or sys.platform
    folder = Path(xlstart) if xlstart is not None else excel_startup_folder()
    removed: list[Path] = []
    target = folder / ADDIN_NAME
    try:
        target.unlink()
        removed.append(target)
    except FileNotFoundError:
        pass
    except PermissionError:
        raise OutputLocked(target, f"“{target}”正被 Excel 使用（加载项已加载）。请先关闭 Excel 再运行本命令。") from None
    if platform.startswith("win"):
        from carbon_report.app.excel.shortcut import remove_shortcuts

        removed += remove_shortcuts()
    return removed


def addin_status(xlstart: Path | None = None, platform: str | None = None) -> list[str]:
    """`carbon-report addin --status`: one line each — where XLSTART is, whether the add-in is there and
    which carbon-report and Python it was written for, and (Windows) the page's shortcuts."""
    platform = platform or sys.platform
    lines: list[str] = []
    try:
        folder = Path(xlstart) if xlstart is not None else excel_startup_folder()
    except CarbonReportError as e:
        return [f"Excel 启动文件夹 XLSTART: {e.message}"]
    path = folder / ADDIN_NAME
    lines.append(f"Excel 启动文件夹 XLSTART: {folder}")
    if not path.is_file():
        lines.append(f"加载项 add-in: 未安装 not installed（{path}）")
    else:
        built, python = _installed_details(path)
        same = "，与本机一致" if built == __version__ else f"，本机现在是 {__version__}，请重新运行 carbon-report addin --install"
        lines.append(f"加载项 add-in: 已安装 installed {path}（carbon-report {built or '?'}{same}）")
        if python:
            exists = "存在" if Path(python).exists() else "不存在，请重新运行 carbon-report addin --install"
            lines.append(f"按钮使用的 Python interpreter: {python}（{exists}）")
    if platform.startswith("win"):
        from carbon_report.app.excel.shortcut import shortcut_paths

        try:
            for p in shortcut_paths():
                lines.append(f"网页快捷方式 shortcut: {p}（{'已创建' if p.exists() else '未创建'}）")
        except Exception as e:  # noqa: BLE001 - no WScript.Shell: say so, the rest stands
            lines.append(f"网页快捷方式 shortcut: 无法查询（{type(e).__name__}）")
    return lines


def _installed_details(path: Path) -> tuple[str, str]:
    """The carbon-report version (core properties' description) and the interpreter (settings sheet) of an
    installed add-in; "" where the file does not say."""
    try:
        with Package.read(path, max_bytes=_MAX_SOURCE_BYTES) as z:
            core = z.part("docProps/core.xml").decode("utf-8", "replace")
            sheet = z.part("xl/worksheets/sheet1.xml").decode("utf-8", "replace")  # _settings_sheet's
    except (OSError, KeyError, CarbonReportError, *BAD_ZIP):
        return "", ""
    from xml.sax.saxutils import unescape

    m = re.search(r"carbon-report ([0-9][^\s。<]*)。", core)
    py = re.search(r"(?:Interpreter_Win|Interpreter_Mac)</t>.*?<t[^>]*>([^<]+)</t>", sheet, re.S)
    return (m.group(1) if m else ""), (unescape(py.group(1)) if py else "")


def warm_up() -> None:
    """Pay now what the first click would: RunPython starts Python with -B (no bytecode written), so compile
    the package once. (The report's charts are native Word charts: no font cache to build.)"""
    import compileall

    import carbon_report

    compileall.compile_dir(str(Path(carbon_report.__file__).parent), quiet=2)
