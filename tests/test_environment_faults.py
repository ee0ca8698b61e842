"""The user's own environment refusing an output (issue 12, items 5 and 8): one line with its own code,
exit status 2, the JSON still printed with status "failed", the input unchanged, no temporary file left.

Tests run as root here, and root ignores file permissions: a read-only folder is a read-only tmpfs, a full
disk a 64 KB tmpfs, an immutable folder `chattr +i`; each is skipped with its reason where the machine
cannot make it. A file where the folder should be, a name over 255 bytes and a folder where the output
file should be need nothing special and always run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import workbooks
from conftest import run_process

TMP_PREFIX = ".~tmp_"


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return workbooks.build(tmp_path / "企业A.xlsx")


def _json(stdout: str) -> dict:
    return json.loads(stdout)


def _codes(stderr: str) -> list[str]:
    return [line.rsplit("[", 1)[1].rstrip("]") for line in stderr.splitlines() if line.endswith("]") and "[E-" in line]


def _no_temporary_files(folder: Path) -> bool:
    return not any(p.name.startswith(TMP_PREFIX) for p in folder.rglob("*")) if folder.is_dir() else True


@contextlib.contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_out_that_is_a_file(cli, good: Path, tmp_path: Path) -> None:
    before = good.read_bytes()
    out = tmp_path / "输出"
    out.write_text("a file, not a folder")
    r = cli("process", good, "--out", out, "--json")
    assert r.returncode == 2
    assert _json(r.stdout)["status"] == "failed"
    errors = [line for line in r.stderr.splitlines() if "[E-" in line]
    assert len(errors) == 1 and errors[0].startswith("企业A.xlsx: ") and errors[0].endswith("[E-OUTPUT-NOT-A-FOLDER]")
    assert str(out) in errors[0] and "不是文件夹" in errors[0]
    assert "E-INTERNAL" not in r.stderr
    assert out.read_text() == "a file, not a folder" and good.read_bytes() == before


def test_output_name_over_255_bytes(cli, tmp_path: Path) -> None:
    # 80 × 3 bytes + ".xlsx" = 245 bytes: the input exists; its output adds "_计算结果" (13 bytes) = 258 > 255
    src = workbooks.build(tmp_path / ("长" * 80 + ".xlsx"))
    before = src.read_bytes()
    out = tmp_path / "out"
    r = cli("process", src, "--out", out, "--json")
    assert r.returncode == 2
    assert _json(r.stdout)["status"] == "failed"
    assert _codes(r.stderr) == ["E-OUTPUT-NAME-TOO-LONG"]
    assert "258 字节" in r.stderr
    assert src.read_bytes() == before and _no_temporary_files(out)


def test_a_folder_where_the_output_file_goes_is_another_os_error(cli, good: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "企业A_计算结果.xlsx").mkdir(parents=True)  # os.replace onto a folder: EISDIR
    r = cli("process", good, "--out", out, "--json")
    assert r.returncode == 2
    assert _json(r.stdout)["status"] == "failed"
    assert _codes(r.stderr) == ["E-OUTPUT-WRITE-FAILED"]
    assert (out / "企业A_计算结果.xlsx").is_dir() and _no_temporary_files(out)


def test_full_disk(cli, good: Path, tmp_path: Path) -> None:
    before = good.read_bytes()
    with _tmpfs(tmp_path / "small", "size=64k") as out:
        r = cli("process", good, "--out", out, "--json")
        assert r.returncode == 2
        doc = _json(r.stdout)
        assert doc["status"] == "failed"
        assert "E-OUTPUT-DISK-FULL" in _codes(r.stderr) and "磁盘空间不足" in r.stderr
        assert _no_temporary_files(out)
        # what was written is complete: the computed workbook fits in 64 KB, the report does not
        assert doc["outputs"]["report"] is None
    assert good.read_bytes() == before


def test_read_only_folder(cli, good: Path, tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro", "ro,size=64k") as out:
        r = cli("process", good, "--out", out, "--json")
        assert r.returncode == 2
        assert _json(r.stdout)["status"] == "failed"
        assert _codes(r.stderr) == ["E-OUTPUT-NOT-WRITABLE"]
        assert "不可写入" in r.stderr
        # the other commands that write: the same code, exit 2
        t = cli("template", out / "模板.xlsx")
        assert t.returncode == 2 and _codes(t.stderr) == ["E-OUTPUT-NOT-WRITABLE"]
        a = cli("addin", out)
        assert a.returncode == 2 and _codes(a.stderr) == ["E-OUTPUT-NOT-WRITABLE"]
        assert list(out.iterdir()) == []


def test_immutable_folder(cli, good: Path, tmp_path: Path) -> None:
    out = tmp_path / "imm"
    out.mkdir()
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    r0 = subprocess.run(["chattr", "+i", str(out)], capture_output=True, text=True)
    if r0.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {r0.stderr.strip()}")
    try:
        r = cli("process", good, "--out", out, "--json")
        assert r.returncode == 2
        assert _json(r.stdout)["status"] == "failed"
        assert _codes(r.stderr) == ["E-OUTPUT-NOT-WRITABLE"]
        t = cli("template", out / "模板.xlsx")
        assert t.returncode == 2 and _codes(t.stderr) == ["E-OUTPUT-NOT-WRITABLE"]
        assert list(out.iterdir()) == []
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=False)


def test_report_open_in_word_is_locked_exit_2_and_not_ok(cli, good: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # Word's owner file for 企业A_评价报告.docx: "~$" in place of the first two characters
    (out / "~$A_评价报告.docx").write_bytes(b"\x05owner")
    before = good.read_bytes()
    r = cli("process", good, "--out", out, "--json")
    assert r.returncode == 2
    doc = _json(r.stdout)
    assert doc["status"] == "failed" and doc["outputs"]["report"] is None
    assert _codes(r.stderr) == ["E-OUTPUT-LOCKED"]
    assert "企业A_评价报告.docx" in r.stderr
    assert good.read_bytes() == before


def test_batch_into_a_file_marks_files_failed_not_unreadable(good: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(good, folder / "企业A.xlsx")
    out = tmp_path / "out"
    out.write_text("a file")
    r = subprocess.run([sys.executable, "-m", "carbon_report", "batch", str(folder), "--out", str(out), "--json",
                        "--no-report", "--jobs", "1"], capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 2, r.stderr
    doc = json.loads(r.stdout)
    assert [f["status"] for f in doc["files"]] == ["failed"]
    assert [i["code"] for i in doc["files"][0]["issues"] if i["severity"] == "error"] == ["E-OUTPUT-NOT-A-FOLDER"]
    assert doc["summary"]["failed"] == 1 and doc["summary"]["unreadable"] == 0
    assert "无法读取" not in r.stderr and "E-BATCH-WORKER-CRASH" not in r.stderr
    assert out.read_text() == "a file"


def test_batch_timeout_must_be_a_finite_number(tmp_path: Path) -> None:
    for bad in ("-1", "nan", "inf", "abc"):
        r = run_process("batch", tmp_path, "--out", tmp_path / "out", "--timeout", bad)
        assert r.returncode == 2, bad
        assert r.stderr.strip().endswith("[E-USAGE]") and "--timeout" in r.stderr
    for bad in ("0", "-5", "nan", "inf"):
        r = run_process("process", tmp_path / "x.xlsx", "--out", tmp_path / "out", "--time-limit", bad)
        assert r.returncode == 2, bad
        assert r.stderr.strip().endswith("[E-USAGE]") and "--time-limit" in r.stderr
    assert not (tmp_path / "out").exists()


def test_missing_report_template_is_usage_exit_2(cli, good: Path, tmp_path: Path) -> None:
    before = good.read_bytes()
    out = tmp_path / "out"
    r = cli("process", good, "--out", out, "--report-template", tmp_path / "无此模板.docx")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "无此模板.docx" in lines[0] and lines[0].endswith("[E-REPORT-TEMPLATE]")
    assert not out.exists() and good.read_bytes() == before


def test_time_limit_stops_the_run(good: Path, tmp_path: Path) -> None:
    before = good.read_bytes()
    out = tmp_path / "out"
    slow = ("import time\nimport carbon_report.app.pipeline as p\n_a = p.analyse\n"
            "def analyse(*a, **k):\n    time.sleep(60)\n    return _a(*a, **k)\np.analyse = analyse")
    r = run_process("process", good, "--out", out, "--json", "--time-limit", "1", patch=slow, timeout=50)
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert doc["status"] == "failed" and doc["outputs"] == {"workbook": None, "report": None}
    assert _codes(r.stderr) == ["E-TIME-LIMIT"] and "1 秒" in r.stderr
    assert "Traceback" not in r.stderr
    assert good.read_bytes() == before and (not out.exists() or list(out.iterdir()) == [])
