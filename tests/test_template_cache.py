"""The report template is compiled once per machine (issue 24, start-up halved): its patched, compiled parts are
kept in the user's cache folder under the template's SHA-256, a later process renders from them without
compiling anything, and a cache folder that cannot be written costs only speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import workbooks

SCRIPT = r"""
import json, sys, datetime
from pathlib import Path
compiled = []
if sys.argv[3] == "no-compile":  # a process that must not compile: any compile is recorded
    import jinja2
    original = jinja2.Environment.compile
    def spy(self, source, *a, **k):
        compiled.append(len(source))
        return original(self, source, *a, **k)
    jinja2.Environment.compile = spy
from carbon_report.app.pipeline import Options, process_file
template = Path(sys.argv[4]) if len(sys.argv) > 4 else None
outcome = process_file(Path(sys.argv[1]), Path(sys.argv[2]),
                       Options(today=datetime.date(2025, 3, 1), report_template=template))
print(json.dumps({"status": outcome.status, "report": outcome.outputs.get("report"), "compiled": compiled}))
"""


def seed(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    return workbooks.build(tmp_path / "in" / "a.xlsx")


def run(workbook: Path, out: Path, cache: Path | str, mode: str = "", template: Path | None = None) -> dict:
    env = {**os.environ, "CARBON_REPORT_CACHE_DIR": str(cache), "CARBON_REPORT_TOC": "0"}
    args = [sys.executable, "-c", SCRIPT, str(workbook), str(out), mode or "-"] + ([str(template)] if template else [])
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def body(report: str) -> bytes:
    with zipfile.ZipFile(report) as z:
        return z.read("word/document.xml")


def test_a_second_process_renders_from_the_cache_without_compiling(tmp_path: Path) -> None:
    wb = seed(tmp_path)
    cache = tmp_path / "cache"
    first = run(wb, tmp_path / "o1", cache)
    stored = list((cache / "templates").glob("*.bin"))
    assert first["status"] == "ok" and len(stored) == 1
    second = run(wb, tmp_path / "o2", cache, "no-compile")
    # no part compiled: only docxtpl's document properties (a title of a few words) are, in every process
    assert second["status"] == "ok" and max(second["compiled"], default=0) < 200, second["compiled"]
    assert body(second["report"]) == body(first["report"])  # the same report
    assert list((cache / "templates").glob("*.bin")) == stored


def test_an_unwritable_cache_folder_costs_only_the_compile(tmp_path: Path) -> None:
    wb = seed(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    reference = run(wb, tmp_path / "o1", tmp_path / "cache")
    got = run(wb, tmp_path / "o2", blocker / "cache", "no-compile")  # cannot be created (root or not)
    assert got["status"] == "ok" and max(got["compiled"]) > 10_000  # the body compiled again, every time
    assert body(got["report"]) == body(reference["report"])


def test_another_template_gets_its_own_entry_and_a_damaged_entry_is_compiled_again(tmp_path: Path) -> None:
    from carbon_report.outputs.report import default_template

    wb = seed(tmp_path)
    cache = tmp_path / "cache"
    run(wb, tmp_path / "o1", cache)
    mine = tmp_path / "mine.docx"
    with zipfile.ZipFile(default_template()) as src, zipfile.ZipFile(mine, "w") as dst:
        for info in src.infolist():  # the same template with one more word in its body
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>extra</w:t></w:r></w:p>", 1)
            dst.writestr(info, data)
    run(wb, tmp_path / "o2", cache, template=mine)
    entries = sorted((cache / "templates").glob("*.bin"))
    assert len(entries) == 2
    for entry in entries:
        entry.write_bytes(b"damaged")
    again = run(wb, tmp_path / "o3", cache, "no-compile")
    assert again["status"] == "ok" and max(again["compiled"]) > 10_000  # not loaded: compiled, stored again
    assert sum(e.read_bytes() != b"damaged" for e in entries) == 1  # the default template's entry, rewritten
