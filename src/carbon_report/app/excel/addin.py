"""`carbon-report addin DIR`: the Excel add-in carbon_report.xlam.

Built from xlwings' own ribbon add-in (`xlwings quickstart NAME --addin --ribbon` copies the same file), so
its VBA (RunPython, settings, OneDrive handling) is the xlwings VBA of the installed xlwings version. Edits:

- ribbon (customUI/customUI.xml): a tab 碳排放报告 with the buttons 生成报告 and 校验;
- VBA: the ribbon module is renamed RibbonCarbonReport (another xlwings add-in's RibbonMyAddin.RunMain
  cannot catch our buttons' callbacks) and holds RunMain → `carbon_report.main()` and RunCheck →
  `carbon_report.check()`; the xlwings module's PROJECT_NAME becomes "carbon_report", so the settings are
  the sheet `carbon_report.conf` and the file `carbon_report.conf` (see docs/excel.md); the project is named
  CarbonReport. The edited modules are stored as source only, as xlwings stores its own module (ovba.py);
- the add-in's settings sheet carries the interpreter that ran `carbon-report addin` (Windows and macOS),
  so the buttons find the Python that has carbon-report installed;
- title and description shown by Excel's add-in dialog.

The file is written without Excel; tests read it back with oletools and LibreOffice. What only Excel can
show (the ribbon, the buttons running) is a manual check in docs/excel.md.
"""

from __future__ import annotations

import io
import os
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from carbon_report.app.excel.ovba import ModuleEdit, VbaProject, vba_text

ADDIN_NAME = "carbon_report.xlam"
TEMPLATE = Path(__file__).with_name(ADDIN_NAME)  # built by build_addin() from xlwings 0.37.8, no settings
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


def ribbon_module_source() -> str:
    """The VBA behind the two buttons. ASCII only: the project's code page is 1252 (see vba_text)."""
    lines = [
        f'Attribute VB_Name = "{RIBBON_MODULE}"',
        "' carbon-report: the buttons of the ribbon tab. Written by `carbon-report addin`.",
        "' RunPython is xlwings' (module xlwings); Python gets the active workbook as xw.Book.caller().",
        "Option Explicit",
        "",
        "Sub RunMain(control As IRibbonControl)",
        "    If NoWorkbook() Then Exit Sub",
        '    RunPython "import carbon_report;carbon_report.main()"',
        "End Sub",
        "",
        "Sub RunCheck(control As IRibbonControl)",
        "    If NoWorkbook() Then Exit Sub",
        '    RunPython "import carbon_report;carbon_report.check()"',
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


def build_addin(source: Path | None = None, settings: dict[str, str] | None = None) -> bytes:
    """The add-in's bytes, from xlwings' ribbon add-in `source` (default: the installed xlwings')."""
    src = zipfile.ZipFile(source or xlwings_source())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "customUI/customUI.xml":
                data = CUSTOM_UI.encode("utf-8")
            elif info.filename == "xl/vbaProject.bin":
                data = _vba(data)
            elif info.filename == "xl/workbook.xml":
                data = _rename_conf_sheet(data, settings)
            elif info.filename == "xl/worksheets/sheet1.xml":
                data = _settings_sheet(data, settings or {})
            elif info.filename == "docProps/core.xml":
                data = _core_properties(data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, data)
    return out.getvalue()


def _vba(data: bytes) -> bytes:
    project = VbaProject(data)
    if _SOURCE_RIBBON_MODULE not in project.module_names() or "xlwings" not in project.module_names():
        raise ValueError("xlwings' ribbon add-in has an unexpected VBA project")
    project.replace_module(ModuleEdit(_SOURCE_RIBBON_MODULE, RIBBON_MODULE, ribbon_module_source()))
    xlwings_vba = project.module_source("xlwings")
    if _SOURCE_PROJECT_LINE not in xlwings_vba:
        raise ValueError("xlwings' VBA module has no PROJECT_NAME constant")
    xlwings_vba = xlwings_vba.replace(_SOURCE_PROJECT_LINE,
                                      f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')
    project.replace_module(ModuleEdit("xlwings", "xlwings", xlwings_vba))
    project.set_project_name(VBA_PROJECT_NAME)
    return project.to_bytes()


def _rename_conf_sheet(data: bytes, settings: dict[str, str] | None) -> bytes:
    """The settings sheet is read by xlwings' VBA only under the name carbon_report.conf; without settings
    it keeps a leading underscore, so it cannot hide the user's carbon_report.conf file."""
    name = CONF_SHEET if settings else f"_{CONF_SHEET}"
    text = data.decode("utf-8")
    if 'name="_myaddin.conf"' not in text:
        raise ValueError("xlwings' ribbon add-in has no _myaddin.conf sheet")
    return text.replace('name="_myaddin.conf"', f'name="{name}"').encode("utf-8")


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
    text = text.replace("<dc:description />", "<dc:description>碳排放报告选项卡：生成报告、校验。"
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

    dest = Path(dir) / ADDIN_NAME
    settings = interpreter_settings() if settings is None else settings
    try:
        data = build_addin(None, settings)
    except (OSError, ValueError, KeyError):
        # The installed xlwings has no ribbon add-in of the shape we know: fall back to the one built
        # from xlwings 0.37.8 (its VBA then matters on macOS, where `xlwings runpython install` must match).
        data = _with_settings(TEMPLATE.read_bytes(), settings)
    try:
        atomic.write_bytes(dest, data)
    except atomic.OutputLocked:
        raise atomic.OutputLocked(dest, f"“{dest}”正被 Excel 使用（加载项已加载）。请先关闭 Excel 再运行本命令。") from None
    return dest


def _with_settings(addin: bytes, settings: dict[str, str]) -> bytes:
    """Put `settings` into an already built add-in (the stored template has none)."""
    src = zipfile.ZipFile(io.BytesIO(addin))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml" and settings:
                data = data.replace(f'name="_{CONF_SHEET}"'.encode(), f'name="{CONF_SHEET}"'.encode())
            elif info.filename == "xl/worksheets/sheet1.xml":
                data = _settings_sheet(data, settings)
            z.writestr(info, data)
    return out.getvalue()


if __name__ == "__main__":  # python -m carbon_report.app.excel.addin: rebuild the stored template
    TEMPLATE.write_bytes(build_addin(None, {}))
    print(f"rebuilt {TEMPLATE}")
