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
import pytest

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


def test_a_fifo_or_a_device_named_xlsx_is_one_finding_and_does_not_hang_the_batch(tmp_path: Path) -> None:
    d = tmp_path / "in"
    two_good(d)
    os.mkfifo(d / "管道.xlsx")  # nobody ever writes to it: opening it for reading blocks forever
    (d / "零.xlsx").symlink_to("/dev/zero")  # never ends
    p, parent_mb = batch(d, tmp_path / "out", timeout=240)
    got = files(p)
    for name in ("管道.xlsx", "零.xlsx"):
        assert codes(got[name]) == ["E-FILE-NOT-REGULAR"] and got[name]["status"] == "unreadable"
    assert got["a.xlsx"]["status"] == got["b.xlsx"]["status"] == "ok"
    assert p.returncode == 2 and "Traceback" not in p.stderr and "E-INTERNAL" not in p.stderr
    assert 0 < parent_mb < 400, parent_mb
    assert summary_rows(tmp_path / "out") == {"a.xlsx": "通过", "b.xlsx": "通过", "管道.xlsx": "无法读取",
                                              "零.xlsx": "无法读取"}


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


@pytest.mark.parametrize("inflated_mb", [300])
def test_a_large_company_sheet_below_the_bomb_limits_is_not_read_in_the_parent(tmp_path: Path,
                                                                                inflated_mb: int) -> None:
    """Below the package limits (so its worker reads it, under its own memory cap), a 企业信息 part of
    hundreds of MB is still not parsed by the batch's parent to link years: the parent stays small."""
    d = tmp_path / "in"
    two_good(d)
    big = inflating(d / "大.xlsx", inflated_mb * 1024**2, ratio_below_limit=True)
    with zipfile.ZipFile(big) as z:  # within every package limit: a file the pipeline itself reads
        assert sum(i.file_size for i in z.infolist()) < 512 * 1024**2 and big.stat().st_size < 50 * 1024**2
        assert all(i.file_size / max(i.compress_size, 1) < 200 for i in z.infolist())
    p, parent_mb = batch(d, tmp_path / "out")
    got = files(p)
    assert got["a.xlsx"]["status"] == "ok" and "大.xlsx" in got
    assert 0 < parent_mb < 400, parent_mb


# ---- --ship-inputs: only what the workbook names, only regular files inside its folder --------------------------


def evidence_row(path_text: str) -> list:
    from carbon_report.core import contract

    cells = {"stage": "生产", "type": "能源", "name": "电力", "amount": 72584, "unit": "kWh",
             "factor_code": "EF-ELEC-CN-ENTERPRISE-2022", "evidence": path_text}
    return [cells.get(c.key) for c in contract.ACTIVITIES.columns]


def shipped_folder(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """A client folder as the red team left it: one workbook naming a picture that is a symlink to a PNG outside
    the folder, evidence that is a symlink to /etc/passwd, a FIFO and a symlink to /dev/zero, and a real picture
    and bill; beside them files the workbook does not name."""
    from PIL import Image

    d = tmp_path / "收集"
    (d / "图片").mkdir(parents=True)
    (d / "bills").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    Image.new("RGB", (64, 48), (201, 13, 77)).save(outside / "secret.png")
    Image.new("RGB", (64, 48), (20, 120, 90)).save(d / "图片" / "厂区.png")
    (d / "图片" / "外部.png").symlink_to(outside / "secret.png")
    (d / "bills" / "电费单.pdf").write_bytes(b"%PDF-1.4 bill")
    (d / "bills" / "passwd.pdf").symlink_to("/etc/passwd")
    (d / "bills" / "zero.pdf").symlink_to("/dev/zero")
    os.mkfifo(d / "bills" / "fifo.pdf")
    (d / "未引用.txt").write_text("not named by any cell", encoding="utf-8")
    (d / "图片" / "未引用.png").write_bytes((d / "图片" / "厂区.png").read_bytes())
    rows = workbooks.SEED_ACTIVITIES[:4] + [evidence_row(t) for t in (
        "bills/电费单.pdf", "bills/passwd.pdf", "bills/zero.pdf", "bills/fifo.pdf")]
    wb = workbooks.build(d / "企业A.xlsx", activities=rows,
                         pictures=[["图2-1 企业概貌", "厂区", "图片/厂区.png"], ["图2-2 产品概貌", "外部", "图片/外部.png"]])
    return d, {"workbook": wb, "outside_png": outside / "secret.png"}


def test_ship_inputs_packs_only_the_named_regular_files_inside_the_folder(tmp_path: Path) -> None:
    from carbon_report.app.batch.ship import Cargo, references

    d, made = shipped_folder(tmp_path)
    named = references(str(made["workbook"]))
    assert set(named) == {"图片/厂区.png", "图片/外部.png", "bills/电费单.pdf", "bills/passwd.pdf", "bills/zero.pdf",
                          "bills/fifo.pdf"}
    cargo, refused = Cargo.pack([made["workbook"]], {made["workbook"]: named}, d)
    assert refused == {}
    # the workbook, the real picture and the real bill; nothing a symlink leads to, no FIFO, no device, no
    # file the workbook does not name
    assert sorted(cargo.files) == ["bills/电费单.pdf", "企业A.xlsx", "图片/厂区.png"] and cargo.sizes == {}
    assert made["outside_png"].read_bytes() not in cargo.files.values()


@pytest.mark.parametrize("command", ["local", "ship"])
def test_a_batch_over_the_red_team_folder_ends_and_embeds_nothing_from_outside(tmp_path: Path, command: str) -> None:
    import hashlib

    d, made = shipped_folder(tmp_path)
    out = tmp_path / "out"
    extra = ["--dask", "local", "--jobs", "1", "--ship-inputs"] if command == "ship" else ["--jobs", "1"]
    p = subprocess.run([sys.executable, "-m", "carbon_report", "batch", str(d), "--out", str(out), "--json", *extra],
                       capture_output=True, text=True, encoding="utf-8", timeout=600,
                       env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert "Traceback" not in p.stderr and "E-INTERNAL" not in p.stdout + p.stderr, p.stderr
    (f,) = json.loads(p.stdout)["files"]
    assert f["status"] == "ok", f["issues"]
    assert f["outputs"]["report"] and (out / "汇总.xlsx").is_file()
    secret = made["outside_png"].read_bytes()
    with zipfile.ZipFile(f["outputs"]["report"]) as z:  # the outside PNG is not in the report
        assert all(z.read(n) != secret for n in z.namelist() if n.startswith("word/media/"))
        assert any(n.startswith("word/media/") for n in z.namelist())  # the real picture is
    passwd = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    bill = hashlib.sha256(b"%PDF-1.4 bill").hexdigest()
    with zipfile.ZipFile(f["outputs"]["workbook"]) as z:
        text = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml")).decode("utf-8")
    assert passwd not in text and passwd[:16] not in text  # no hash of /etc/passwd
    assert bill in text  # the real bill's is
    cells = {i["message"] for i in f["issues"] if i["sheet"] == "活动数据"}
    assert len([m for m in cells if "passwd.pdf" in m or "zero.pdf" in m or "fifo.pdf" in m]) >= 3
