"""Red-team cases of issue 23 against the batch (failures 2 and 4), as the project's own tests: every input file
is checked before anything opens it, in the batch's parent too; one finding per bad file, the batch goes on,
汇总.xlsx is always written; `--ship-inputs` ships only what a workbook names, after the same checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

import workbooks

USCC_2 = "91350100M000100Y7C"
# The batch in-process, so that its own peak memory can be read: VmHWM, the peak resident size of this process's
# own memory. Not ru_maxrss: Linux carries that across exec from the process that spawned it (here a pytest
# worker that may itself have grown past 400 MB), so it measured the test runner, not the batch.
PARENT = ("import re, sys\nfrom carbon_report.app.cli import main\nrc = main(sys.argv[2:])\n"
          "hwm = re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)\n"
          "open(sys.argv[1], 'w').write(hwm)\nsys.exit(rc)")


def batch(folder: Path, out: Path, *extra: str, timeout: float = 300) -> tuple[subprocess.CompletedProcess[str], int]:
    """`carbon-report batch FOLDER --out OUT --json …` and the parent's peak RSS in MB."""
    rss = out.parent / f"{out.name}.rss"
    p = subprocess.run([sys.executable, "-c", PARENT, str(rss), "batch", str(folder), "--out", str(out), "--json",
                        "--no-report", *extra], capture_output=True, text=True, encoding="utf-8",
                       env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=timeout)
    return p, int(rss.read_text()) // 1024 if rss.exists() else -1


def files(p: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    return {Path(f["input"]).name: f for f in json.loads(p.stdout)["files"]}


def codes(f: dict) -> list[str]:
    return [i["code"] for i in f["issues"]]


def two_good(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    workbooks.build(d / "a.xlsx")
    workbooks.build(d / "b.xlsx", company={**workbooks.SEED_COMPANY, "统一社会信用代码": USCC_2})


def summary_rows(out: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["汇总"]
    return {r[1]: r[5] for r in ws.iter_rows(min_row=2, values_only=True)}


def test_a_fifo_named_xlsx_is_one_finding_and_does_not_hang_the_batch(tmp_path: Path) -> None:
    d = tmp_path / "in"
    two_good(d)
    os.mkfifo(d / "管道.xlsx")  # nobody ever writes to it: opening it for reading blocks forever
    p, _ = batch(d, tmp_path / "out", timeout=240)
    got = files(p)
    assert codes(got["管道.xlsx"]) == ["E-FILE-NOT-REGULAR"] and got["管道.xlsx"]["status"] == "unreadable"
    assert got["a.xlsx"]["status"] == got["b.xlsx"]["status"] == "ok"
    assert p.returncode == 2 and "Traceback" not in p.stderr and "E-INTERNAL" not in p.stderr
    assert summary_rows(tmp_path / "out") == {"a.xlsx": "通过", "b.xlsx": "通过", "管道.xlsx": "无法读取"}


def test_a_symlink_loop_named_xlsx_is_one_finding_and_the_summary_is_written(tmp_path: Path) -> None:
    d = tmp_path / "in"
    two_good(d)
    (d / "环.xlsx").symlink_to(d / "环2.xlsx")
    (d / "环2.xlsx").symlink_to(d / "环.xlsx")
    p, _ = batch(d, tmp_path / "out")
    got = files(p)
    for name in ("环.xlsx", "环2.xlsx"):
        assert got[name]["status"] == "unreadable" and len(got[name]["issues"]) == 1, got[name]
        assert got[name]["issues"][0]["code"] != "E-INTERNAL"
    assert got["a.xlsx"]["status"] == "ok"
    assert "E-INTERNAL" not in p.stderr and "Traceback" not in p.stderr and p.returncode == 2
    assert summary_rows(tmp_path / "out")["环.xlsx"] == "无法读取"


def inflating(path: Path, inflated: int, *, ratio_below_limit: bool = False) -> Path:
    """A real workbook whose 企业信息 sheet part inflates to `inflated` bytes (blank space inside its sheetData),
    written in 1 MB pieces: the file stays about a thousandth of that. `ratio_below_limit`: each KB starts
    with 8 random characters, so the part packs only ~60:1, under the package check's ratio limit."""
    good = workbooks.build(path.with_name("seed_for_bomb.xlsx"))
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        sheet = next(n for n in src.namelist() if n.startswith("xl/worksheets/sheet1"))  # 企业信息, built first
        for info in src.infolist():
            data = src.read(info)
            if info.filename != sheet:
                dst.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            big = zipfile.ZipInfo(info.filename, info.date_time)
            big.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(big, "w", force_zip64=True) as f:
                f.write(head)
                piece = b" " * 1024**2
                for _ in range(inflated // len(piece)):
                    if ratio_below_limit:
                        piece = b"".join(os.urandom(4).hex().encode() + b" " * 1016 for _ in range(1024))
                    f.write(piece)
                f.write(b"</sheetData>" + tail)
    good.unlink()
    return path


def test_a_workbook_inflating_to_1_gib_never_reaches_the_parents_memory(tmp_path: Path) -> None:
    d = tmp_path / "in"
    two_good(d)
    bomb = inflating(d / "炸弹.xlsx", 1024**3)
    assert bomb.stat().st_size < 3 * 1024**2  # the red team's was 1.1 MB
    p, parent_mb = batch(d, tmp_path / "out")
    got = files(p)
    assert codes(got["炸弹.xlsx"]) == ["E-FILE-ZIP-BOMB"]
    assert got["a.xlsx"]["status"] == got["b.xlsx"]["status"] == "ok"
    assert 0 < parent_mb < 400, parent_mb  # the parent read no part of it (it used to reach 2.1 GB)
    assert summary_rows(tmp_path / "out")["炸弹.xlsx"] == "无法读取"
