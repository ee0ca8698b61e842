"""The report template a consultant edits, where the installed package finds it, and a broken one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import workbooks

ROOT = Path(__file__).resolve().parent.parent


def test_packaged_copy_is_the_committed_template() -> None:
    # scripts/build_report_template.py writes both; a non-editable install only has the packaged one.
    a = ROOT / "workbook_templates" / "report_template.docx"
    b = ROOT / "src" / "carbon_report" / "outputs" / "report" / "report_template.docx"
    assert a.read_bytes() == b.read_bytes()


def test_a_broken_consultant_template_is_one_clear_line(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "a.xlsx")
    broken = tmp_path / "我的模板.docx"
    with zipfile.ZipFile(ROOT / "workbook_templates" / "report_template.docx") as z_in, \
            zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as z_out:
        for info in z_in.infolist():
            data = z_in.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<w:p><w:r><w:t>{% if %}</w:t></w:r></w:p></w:body>")
            z_out.writestr(info, data)
    p = subprocess.run([sys.executable, "-m", "carbon_report.app.cli", "process", str(src), "--out", str(tmp_path / "o"),
                        "--report-template", str(broken), "--json"],
                       capture_output=True, text=True, encoding="utf-8", timeout=300,
                       env={**os.environ, "PYTHONIOENCODING": "gbk"})
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert "[E-REPORT-TEMPLATE]" in p.stderr
    js = json.loads(p.stdout)
    assert js["outputs"]["report"] is None and js["outputs"]["workbook"]
