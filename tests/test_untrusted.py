"""Untrusted workbooks and report templates (issue 12): no code run, no file leaked, no silent wrong number.

Each test plants one attack or oddity, asserts the one line a user sees (code, cell, exit status) and that
the input file's bytes are unchanged.
"""

from __future__ import annotations

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
    assert r.returncode == 1
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
    assert r.returncode == 1
    found = lines_with(r.stderr, "E-REPORT-TEMPLATE")
    assert len(found) == 1 and "我的模板.docx" in found[0] and "\n" not in found[0]
