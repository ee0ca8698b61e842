"""Red-team cases of issue 23 against the batch (failures 2 and 4), as the project's own tests: every input file
is checked before anything opens it, in the batch's parent too; one finding per bad file, the batch goes on,
汇总.xlsx is always written; `--ship-inputs` ships only what a workbook names, after the same checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
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


def test_a_large_company_sheet_below_the_bomb_limits_is_not_read_in_the_parent(tmp_path: Path) -> None:
    """Below the package limits (so the parent's file check passes it on to a worker, which reads it under its
    own memory cap), a 企业信息 part of 300 MB is still not parsed by the batch's parent to link a company's
    years: the parent reads a bounded prefix of it and stays as small as with good files alone (it reached
    661 MB before)."""
    from carbon_report.io.reader import peek_company

    d = tmp_path / "in"
    two_good(d)
    big = inflating(d / "大.xlsx", 300 * 1024**2, ratio_below_limit=True)
    with zipfile.ZipFile(big) as z:  # within every package limit: a file the parent's check lets through
        infos = z.infolist()
        assert max(i.file_size for i in infos) >= 300 * 1024**2
        assert sum(i.file_size for i in infos) < 512 * 1024**2 and big.stat().st_size < 50 * 1024**2
        assert all(i.file_size / max(i.compress_size, 1) < 200 for i in infos)
    # the labels are in the sheet's first rows: the prefix still names the company and year (seed workbook)
    assert peek_company(big) == ("91410326MA3X43L73Y", 2023)
    p, parent_mb = batch(d, tmp_path / "out")
    got = files(p)
    assert got["a.xlsx"]["status"] == got["b.xlsx"]["status"] == "ok"
    assert 0 < parent_mb < 200, parent_mb
    # its worker reads it and refuses it: one finding, no internal error; the batch went on, 汇总.xlsx written
    assert got["大.xlsx"]["status"] == "unreadable" and codes(got["大.xlsx"]) == ["E-FILE-CORRUPT"]
    assert "Traceback" not in p.stderr and "E-INTERNAL" not in p.stderr and p.returncode == 2
    assert summary_rows(tmp_path / "out")["大.xlsx"] == "无法读取"


def test_a_peek_reads_a_bounded_prefix_of_the_company_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound itself: with the byte cap lowered below where the labels end, the peek finds nothing rather
    than reading on; with the rows capped before the 核算年度 row likewise."""
    from carbon_report.io import reader

    wb = workbooks.build(tmp_path / "a.xlsx")
    assert reader.peek_company(wb) == ("91410326MA3X43L73Y", 2023)
    monkeypatch.setattr(reader, "PEEK_MAX_BYTES", 200)
    assert reader.peek_company(wb) is None
    monkeypatch.setattr(reader, "PEEK_MAX_BYTES", 4 * 1024**2)
    monkeypatch.setattr(reader, "PEEK_MAX_ROWS", 1)
    assert reader.peek_company(wb) is None


# ---- --ship-inputs: only what the workbook names, only regular files inside its folder --------------------------
# A real Dask LocalCluster with Dask's defaults (tests/dask_cluster.py), the real CLI in a process of its own, and
# the same folder through a local batch beside it: the cluster must say what the local run says, cell for cell.


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    pytest.importorskip("distributed")
    from dask_cluster import local_cluster

    with local_cluster() as (address, _):
        yield address


USCC_B = "91350100M000100Y7C"
BIG_UNNAMED = 64 * 1024**2  # a file the workbooks do not name, larger than both workbooks together


def keyed(spec: object, **cells: object) -> list:
    return [cells.get(c.key) for c in spec.columns]  # type: ignore[attr-defined]


def evidence_row(path_text: str) -> list:
    from carbon_report.core import contract

    return keyed(contract.ACTIVITIES, stage="生产", type="能源", name="电力", amount=72584, unit="kWh",
                 factor_code="EF-ELEC-CN-ENTERPRISE-2022", evidence=path_text)


def factors_with_evidence(path_text: str) -> list[list]:
    """The seed workbook's own factor (SEED-TRUCK), with a 证明材料 in 排放因子."""
    from carbon_report.core import contract

    seed = dict(zip([c.key for c in contract.FACTORS.columns], workbooks.SEED_FACTORS[0], strict=False))
    return [keyed(contract.FACTORS, **{**seed, "evidence": path_text})]


def red_team_folder(tmp_path: Path) -> tuple[Path, Path]:
    """The client's folder as the red team left it. 企业A names a picture that is a symlink to a PNG outside the
    folder, evidence that is a symlink to /etc/passwd, one to /dev/zero and a FIFO, and in 排放因子 evidence that is
    a symlink to the outside PNG; it also names a real picture and a real bill. 企业B (another company) names only
    real files. Beside them: files no workbook names, one of them 64 MB. Returns (folder, outside folder)."""
    from PIL import Image

    d = tmp_path / "收集"
    for sub in ("图片", "bills", "供应商"):
        (d / sub).mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    Image.new("RGB", (64, 48), (201, 13, 77)).save(outside / "secret.png")
    Image.new("RGB", (64, 48), (20, 120, 90)).save(d / "图片" / "厂区.png")
    (d / "图片" / "外部.png").symlink_to(outside / "secret.png")
    (d / "bills" / "电费单.pdf").write_bytes(b"%PDF-1.4 bill")
    (d / "bills" / "passwd.pdf").symlink_to("/etc/passwd")
    (d / "bills" / "zero.pdf").symlink_to("/dev/zero")
    os.mkfifo(d / "bills" / "fifo.pdf")
    (d / "供应商" / "声明.pdf").write_bytes(b"%PDF-1.4 supplier declaration")
    (d / "供应商" / "外部声明.pdf").symlink_to(outside / "secret.png")
    (d / "未引用.txt").write_text("not named by any cell", encoding="utf-8")
    (d / "图片" / "未引用.png").write_bytes((d / "图片" / "厂区.png").read_bytes())
    with (d / "扫描件合集.bin").open("wb") as f:
        f.write(os.urandom(1024))
        f.truncate(BIG_UNNAMED)
    rows = workbooks.SEED_ACTIVITIES[:4] + [evidence_row(t) for t in (
        "bills/电费单.pdf", "bills/passwd.pdf", "bills/zero.pdf", "bills/fifo.pdf")]
    workbooks.build(d / "企业A.xlsx", activities=rows, factors=factors_with_evidence("供应商/外部声明.pdf"),
                    pictures=[["图2-1 企业概貌", "厂区", "图片/厂区.png"], ["图2-2 产品概貌", "外部", "图片/外部.png"]])
    workbooks.build(d / "企业B.xlsx", company={**workbooks.SEED_COMPANY, "统一社会信用代码": USCC_B},
                    activities=[*workbooks.SEED_ACTIVITIES, evidence_row("bills/电费单.pdf")],
                    factors=factors_with_evidence("供应商/声明.pdf"), pictures=[["图2-1 企业概貌", "厂区", "图片/厂区.png"]])
    return d, outside


# What may travel, worked out from the folder above by hand: the two workbooks, the real picture, the real bill and
# the supplier's declaration; of every refused file its name and why, never a byte.
SHIPPED = {"企业A.xlsx", "企业B.xlsx", "图片/厂区.png", "bills/电费单.pdf", "供应商/声明.pdf"}
REFUSED = {"图片/外部.png": "outside", "bills/passwd.pdf": "outside", "bills/zero.pdf": "outside",
           "bills/fifo.pdf": "special", "供应商/外部声明.pdf": "outside"}
# A local run's finding for each bad file, on its cell (活动数据 rows 2-5 are the seed's, then the four bills).
BAD_FILE_FINDINGS = {("E-PICTURE-OUTSIDE", "图片与附件", "C3"), ("E-EVIDENCE-OUTSIDE", "活动数据", "X7"),
                     ("E-EVIDENCE-OUTSIDE", "活动数据", "X8"), ("W-EVIDENCE-NOT-REGULAR", "活动数据", "X9")}


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry below `folder` as lstat sees it: links by their target, regular files by their bytes' hash;
    nothing is opened but a regular file (not the FIFO, not what a link leads to)."""
    import hashlib
    import stat

    out: dict[str, object] = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        rel = p.relative_to(folder).as_posix()
        if stat.S_ISLNK(st.st_mode):
            out[rel] = ("link", os.readlink(p))
        elif stat.S_ISREG(st.st_mode):
            out[rel] = ("file", st.st_size, st.st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        else:
            out[rel] = (stat.S_IFMT(st.st_mode), st.st_mtime_ns)
    return out


def holds(folder: Path, needle: bytes) -> list[str]:
    """The output files (and members of the zip packages among them) whose bytes contain `needle`."""
    found = []
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if needle in data:
            found.append(p.name)
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                found += [f"{p.name}!{n}" for n in z.namelist() if needle in z.read(n)]
    return found


def orphans(since: float) -> list[str]:
    """Processes of this tool left behind by a batch that has ended (their parent gone), started after `since`;
    given a few seconds to end, as a worker dies with its parent."""
    import psutil

    left: list[str] = []
    for _ in range(20):
        left = []
        for proc in psutil.process_iter(["ppid", "cmdline", "create_time"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if proc.info["ppid"] == 1 and proc.info["create_time"] >= since and "carbon_report" in cmd:
                left.append(cmd)
        if not left:
            break
        time.sleep(0.5)
    return left


def test_ship_inputs_packs_only_the_named_regular_files_inside_the_folder(tmp_path: Path) -> None:
    """The client's side alone: what each workbook names, and what of it may travel."""
    from carbon_report.app.batch.ship import Cargo, references

    d, outside = red_team_folder(tmp_path)
    a, b = d / "企业A.xlsx", d / "企业B.xlsx"
    named = {a: references(str(a)), b: references(str(b))}
    assert set(named[a]) == {"图片/厂区.png", "图片/外部.png", "bills/电费单.pdf", "bills/passwd.pdf",
                             "bills/zero.pdf", "bills/fifo.pdf", "供应商/外部声明.pdf"}
    assert set(named[b]) == {"图片/厂区.png", "bills/电费单.pdf", "供应商/声明.pdf"}
    before = snapshot(d)
    cargo, refused = Cargo.pack([a, b], named, d)
    assert refused == {}
    assert set(cargo.files) == SHIPPED and cargo.sizes == {} and cargo.refused == REFUSED
    secret = (outside / "secret.png").read_bytes()
    assert all(secret not in data and b"root:" not in data for data in cargo.files.values())
    assert cargo.files["bills/电费单.pdf"] == b"%PDF-1.4 bill"
    assert snapshot(d) == before
    # on the worker: the named files, and for each refused one an empty stand-in its checks refuse alike
    dest = tmp_path / "scratch" / "in"
    dest.mkdir(parents=True)
    cargo.unpack(dest)
    got = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if not p.is_dir()}
    assert got == SHIPPED | set(REFUSED)
    assert (dest / "bills" / "fifo.pdf").is_fifo()
    assert not (dest / "bills" / "passwd.pdf").resolve().is_relative_to(dest)
    assert not (dest / "bills" / "passwd.pdf").exists()  # a link to nothing: no byte of /etc/passwd


def test_evidence_above_the_size_cap_travels_as_its_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from carbon_report.app.batch.ship import Cargo
    from carbon_report.io import evidence

    monkeypatch.setattr(evidence, "EVIDENCE_MAX_BYTES", 1000)  # the cap lowered rather than a 200 MB file
    d = tmp_path / "收集"
    d.mkdir()
    (d / "大.pdf").write_bytes(b"x" * 5000)
    wb = workbooks.build(d / "企业.xlsx", activities=workbooks.SEED_ACTIVITIES[:4] + [evidence_row("大.pdf")])
    cargo, _ = Cargo.pack([wb], {wb: ("大.pdf",)}, d)
    assert cargo.sizes == {"大.pdf": 5000} and set(cargo.files) == {"企业.xlsx"}


def test_ship_inputs_on_a_cluster_says_what_a_local_run_says_and_ships_only_what_is_named(
        cluster: str, tmp_path: Path) -> None:
    import hashlib

    from carbon_report.app.batch.ship import SHIP_EVENT
    from dask_cluster import dask_events

    d, outside = red_team_folder(tmp_path)
    before, outside_before = snapshot(d), snapshot(outside)
    since = time.time()
    runs = {}
    for how, extra in (("local", ["--jobs", "1"]), ("ship", ["--dask", cluster, "--ship-inputs"])):
        out = tmp_path / f"out-{how}"
        p = subprocess.run([sys.executable, "-m", "carbon_report", "batch", str(d), "--out", str(out), "--json",
                            *extra], capture_output=True, text=True, encoding="utf-8", timeout=600,
                           env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        for bad in ("Traceback", "E-INTERNAL", "MemoryError"):
            assert bad not in p.stdout + p.stderr, p.stderr
        assert p.returncode == 1, p.stderr  # 企业A has errors, 企业B none: the batch went on
        runs[how] = (out, {Path(f["input"]).name: f for f in json.loads(p.stdout)["files"]})
    (local_out, local), (ship_out, ship) = runs["local"], runs["ship"]

    # each bad named file is one finding on its cell, in 企业A's record, exactly as the local run has it
    def cells(f: dict) -> list[tuple[str, str, str, str]]:
        return sorted((i["code"], i["sheet"], i["cell"], i["message"]) for i in f["issues"])

    got = {(c, s, cell) for c, s, cell, _ in cells(ship["企业A.xlsx"])}
    assert got >= BAD_FILE_FINDINGS
    factor_evidence = [i for i in ship["企业A.xlsx"]["issues"] if i["sheet"] == "排放因子" and "外部声明" in i["message"]]
    assert [i["code"] for i in factor_evidence] == ["E-EVIDENCE-OUTSIDE"]
    for name in ("外部.png", "passwd.pdf", "zero.pdf", "fifo.pdf", "外部声明.pdf"):
        assert len([i for i in ship["企业A.xlsx"]["issues"] if name in i["message"]]) == 1, name
    assert cells(ship["企业A.xlsx"]) == cells(local["企业A.xlsx"])
    assert cells(ship["企业B.xlsx"]) == cells(local["企业B.xlsx"])
    assert ship["企业A.xlsx"]["status"] == "invalid" and ship["企业B.xlsx"]["status"] == "ok"
    assert sorted(p.relative_to(ship_out).as_posix() for p in ship_out.rglob("*")) == \
        sorted(p.relative_to(local_out).as_posix() for p in local_out.rglob("*"))
    assert summary_rows(ship_out) == summary_rows(local_out)

    # what travelled (the workers' own log in the scheduler): only what the workbooks name, no refused byte,
    # not the 64 MB file beside them
    events = [m for m in dask_events(cluster, SHIP_EVENT) if m["root"] == str(d)]
    assert events
    assert set().union(*(m["files"] for m in events)) == SHIPPED
    assert {k: v for m in events for k, v in m["refused"].items()} == REFUSED
    assert all(m["sizes"] == {} for m in events)
    assert sum(n for m in events for n in m["files"].values()) < BIG_UNNAMED / 16

    # nothing of the outside files in any output; the real picture and the real bill's hash are there
    secret = (outside / "secret.png").read_bytes()
    passwd = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest().encode()
    for out in (local_out, ship_out):
        assert holds(out, secret) == [] and holds(out, passwd) == [] and holds(out, passwd[:16]) == []
    computed_b = Path(ship["企业B.xlsx"]["outputs"]["workbook"])
    assert holds(computed_b.parent, hashlib.sha256(b"%PDF-1.4 bill").hexdigest().encode())
    report_b = Path(ship["企业B.xlsx"]["outputs"]["report"])
    with zipfile.ZipFile(report_b) as z:
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert (d / "图片" / "厂区.png").read_bytes() in media  # the real picture is embedded
    # no side effect: the folder and the outside files as they were, no process left behind
    assert snapshot(d) == before and snapshot(outside) == outside_before
    assert orphans(since) == []
