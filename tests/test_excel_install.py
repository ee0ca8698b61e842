"""`carbon-report addin --install`: the add-in written into Excel's start-up folder, an older copy replaced,
the interpreter recorded in its settings sheet. On Linux there is no Excel to ask for XLSTART, so the tests
give the folder with --xlstart (or the xlstart argument)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from carbon_report.app.excel.addin import install_addin
from excel_fake import settings_of

CUI = "{http://schemas.microsoft.com/office/2006/01/customui}"


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "carbon_report", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=180, env={**os.environ, **(env or {})})


def _ribbon_tabs(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        ui = etree.fromstring(z.read("customUI/customUI.xml"))
    return [t.get("label") for t in ui.iter(f"{CUI}tab")]


@pytest.mark.parametrize(("platform", "key"), [("win32", "Interpreter_Win"), ("darwin", "Interpreter_Mac")])
def test_install_replaces_a_stale_copy_and_records_this_python(platform: str, key: str, tmp_path: Path) -> None:
    xlstart = tmp_path / "XLSTART"
    xlstart.mkdir()
    stale = xlstart / "carbon_report.xlam"
    stale.write_bytes(b"an add-in from an old install, pointing at a Python that is gone")
    path = install_addin(xlstart, platform=platform)
    assert path == stale and _ribbon_tabs(path) == ["碳排放报告"]
    # Read back as xlwings' VBA reads it: this Python, and the workbook's folder kept off sys.path.
    assert settings_of(path) == {"ADD_WORKBOOK_TO_PYTHONPATH": "false", key: sys.executable}
    assert sorted(p.name for p in xlstart.iterdir()) == ["carbon_report.xlam"]  # no temporary file left


def test_install_from_the_command_line(tmp_path: Path) -> None:
    proc = cli("addin", str(tmp_path / "加载项"), "--install", "--xlstart", str(tmp_path / "XLSTART"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"已写出 Excel 加载项 add-in written: {tmp_path / '加载项' / 'carbon_report.xlam'}" in proc.stdout
    assert f"已安装 Excel 加载项 add-in installed: {tmp_path / 'XLSTART' / 'carbon_report.xlam'}" in proc.stdout
    for path in (tmp_path / "加载项" / "carbon_report.xlam", tmp_path / "XLSTART" / "carbon_report.xlam"):
        # Linux is neither Windows nor macOS: no interpreter key, the rest as everywhere.
        assert settings_of(path) == {"ADD_WORKBOOK_TO_PYTHONPATH": "false"}


def test_without_excel_install_says_what_to_do(tmp_path: Path) -> None:
    proc = cli("addin", "--install", cwd=tmp_path)
    out = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2 and len(out.splitlines()) == 1
    assert "找不到 Excel 的启动文件夹 XLSTART" in out and "--xlstart" in out and out.endswith("[E-ADDIN-XLSTART]")
    proc = cli("addin", cwd=tmp_path)
    assert proc.returncode == 2 and "--install" in proc.stderr and "Traceback" not in proc.stderr
