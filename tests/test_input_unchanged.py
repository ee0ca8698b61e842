"""Issue 3, nothing lost: the input is only ever read; outputs are written to a temporary name and renamed
into place; text copied from input cells stays text in the computed sheets."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import workbooks
from carbon_report.app.pipeline import Options, check_file, process_file
from carbon_report.core import contract
from workbooks import SEED_ACTIVITIES, activities_with

try:
    from carbon_report.outputs.report import render_report  # noqa: F401

    HAVE_REPORT = True
except ImportError:  # the report package is another issue's work
    HAVE_REPORT = False


def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    return subprocess.run([sys.executable, "-m", "carbon_report.app.cli", *args], capture_output=True, env=env,
                          timeout=300)


def fingerprint(path: Path) -> tuple[str, int]:
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns


@pytest.fixture
def good(tmp_path: Path) -> Path:
    src = tmp_path / "in" / "企业A.xlsx"
    src.parent.mkdir()
    return workbooks.build(src)


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    src = tmp_path / "in" / "企业B.xlsx"
    src.parent.mkdir(exist_ok=True)
    return workbooks.build(src, activities=activities_with(0, 4, "桶"))


def test_check_leaves_the_input_alone_and_writes_nothing(tmp_path: Path, good: Path) -> None:
    before = fingerprint(good)
    listing = sorted(p.name for p in good.parent.iterdir())
    p = cli("check", str(good))
    assert p.returncode == 0, p.stderr.decode("utf-8")
    assert fingerprint(good) == before
    assert sorted(p.name for p in good.parent.iterdir()) == listing


def test_successful_process_leaves_the_input_alone(tmp_path: Path, good: Path) -> None:
    before = fingerprint(good)
    args = ["process", str(good), "--out", str(tmp_path / "out")] + ([] if HAVE_REPORT else ["--no-report"])
    p = cli(*args)
    assert p.returncode == 0, p.stderr.decode("utf-8")
    assert fingerprint(good) == before
    assert (tmp_path / "out" / "企业A_计算结果.xlsx").is_file()
    assert sorted(x.name for x in good.parent.iterdir()) == ["企业A.xlsx"]


def test_failed_process_leaves_the_input_alone(tmp_path: Path, bad: Path) -> None:
    before = fingerprint(bad)
    p = cli("process", str(bad), "--out", str(tmp_path / "out"))
    assert p.returncode == 1
    assert fingerprint(bad) == before
    assert [x.name for x in (tmp_path / "out").iterdir()] == ["企业B_计算结果.xlsx"]  # no report on errors


def test_processing_into_the_inputs_own_folder_keeps_the_input(good: Path) -> None:
    before = fingerprint(good)
    p = cli("process", str(good), "--out", str(good.parent), "--no-report")
    assert p.returncode == 0, p.stderr.decode("utf-8")
    assert fingerprint(good) == before
    assert (good.parent / "企业A_计算结果.xlsx").is_file()


@pytest.mark.parametrize("which", ["good", "bad"])
def test_the_input_is_never_opened_for_writing(tmp_path: Path, good: Path, bad: Path, which: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    src = good if which == "good" else bad
    opened: list[tuple[str, str]] = []
    replaced: list[tuple[str, str]] = []
    real_open, real_os_open, real_replace = builtins.open, os.open, os.replace

    def spy_open(file: Any, mode: str = "r", *a: Any, **kw: Any) -> Any:
        if isinstance(file, str | os.PathLike):
            opened.append((os.path.realpath(file), mode))
        return real_open(file, mode, *a, **kw)

    def spy_os_open(path: Any, flags: int, *a: Any, **kw: Any) -> int:
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_TRUNC | os.O_CREAT)
        opened.append((os.path.realpath(path), "w" if writing else "r"))
        return real_os_open(path, flags, *a, **kw)

    def spy_replace(a: Any, b: Any, *args: Any, **kw: Any) -> None:
        replaced.append((os.fspath(a), os.fspath(b)))
        real_replace(a, b, *args, **kw)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)  # zipfile and pathlib open files through io.open
    monkeypatch.setattr(os, "open", spy_os_open)
    monkeypatch.setattr(os, "replace", spy_replace)
    before = fingerprint(src)
    out = tmp_path / "out"
    outcome = process_file(src, out, Options(report=HAVE_REPORT))
    monkeypatch.undo()

    assert fingerprint(src) == before
    mine = os.path.realpath(src)
    assert any(p == mine for p, _ in opened), "the spy saw the input being read"
    assert all(set(m) <= set("rbt") for p, m in opened if p == mine), [m for p, m in opened if p == mine]
    # the computed workbook went to a temporary name beside it, then was renamed into place
    workbook = Path(outcome.outputs["workbook"] or "")
    assert workbook.is_file()
    tmp_names = [a for a, b in replaced if Path(b) == workbook]
    assert tmp_names and Path(tmp_names[0]).parent == workbook.parent and Path(tmp_names[0]) != workbook
    assert not Path(tmp_names[0]).exists()
    assert all(Path(b) != src for _a, b in replaced)


def test_a_failed_write_leaves_no_partial_output(tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "企业A_计算结果.xlsx").write_bytes(b"an earlier result")

    def refuse(a: Any, b: Any) -> None:
        raise PermissionError("locked by Excel")

    monkeypatch.setattr(os, "replace", refuse)
    outcome = process_file(good, out, Options(report=False))
    monkeypatch.undo()
    assert (out / "企业A_计算结果.xlsx").read_bytes() == b"an earlier result"
    assert [f.code for f in outcome.findings if f.code == "E-OUTPUT-LOCKED"] == ["E-OUTPUT-LOCKED"]
    assert sorted(p.name for p in out.iterdir()) == ["企业A_计算结果.xlsx"]  # no stray temporary file


FORMULA_LIKE = ['=HYPERLINK("http://example.com","点我")', "+1", "-2 t", "@SUM(A1)", "=1/0"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    acts = [*SEED_ACTIVITIES]
    acts += [["原材料获取", "原材料", name, 1 + i, "t", "EF-SAND", "实际数据", name] for i, name in enumerate(FORMULA_LIKE)]

    def as_text(wb: openpyxl.Workbook) -> None:
        ws = wb[contract.ACTIVITIES.name]
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    c.data_type = "s"  # typed as text in Excel (a leading apostrophe)

    src = workbooks.build(tmp_path / "in.xlsx", activities=acts, tweak=as_text)
    assert check_file(src).status == "ok"
    p = cli("process", str(src), "--out", str(tmp_path / "out"), "--no-report")
    assert p.returncode == 0, p.stderr.decode("utf-8")
    out = tmp_path / "out" / "in_计算结果.xlsx"

    wb = openpyxl.load_workbook(out)  # formulas as written, not their results
    ws = wb[contract.SHEET_DETAILS]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for name in FORMULA_LIKE:
        assert name in cells, name
        assert cells[name].data_type == "s", (name, cells[name].data_type)
    z = zipfile.ZipFile(out)
    sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/cr_")]
    assert sheets and not any(b"HYPERLINK" in z.read(n) and b"<f>" in z.read(n) for n in sheets)
