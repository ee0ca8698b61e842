"""Issue 23, the red team's path attacks: every path a workbook or the command line names is checked before it
is opened, and every path error has its code on its cell (failures 5, 6 and 9 of the issue).

Each test rebuilds one attack as the red team described it and asserts the line a user sees, that no
E-INTERNAL and no traceback appear, and that nothing hangs (a FIFO is read in a child process with a timeout).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from carbon_report.core import contract
from conftest import run_process
from workbooks import build

ELEC = "EF-ELEC-CN-ENTERPRISE-2022"  # 0.5703 tCO2/MWh
KEYS = [c.key for c in contract.ACTIVITIES.columns]
LONG = "长" * 90 + ".pdf"  # 90 × 3 bytes of UTF-8 + 4 = 274 bytes: one name over the 255 bytes Linux allows


def row(**cells: Any) -> list[Any]:
    """An 活动数据 row in the contract's column order; months as m1=…, m12=…."""
    return [cells.get(k) for k in KEYS]


def elec(name: str = "电力", **cells: Any) -> list[Any]:
    return row(stage="生产", name=name, unit="kWh", factor_code=ELEC, **({"amount": 1000} | cells))


def issues(d: dict[str, Any], code: str) -> list[dict[str, str]]:
    return [i for i in d["issues"] if i["code"] == code]


def checked(cli, wb: Path, *more: str) -> dict[str, Any]:
    ran = cli("check", wb, "--json", *more)
    assert "E-INTERNAL" not in ran.stderr and "Traceback" not in ran.stderr, ran.stderr
    return json.loads(ran.stdout)


# ---- failure 5: path errors on their cells, never E-INTERNAL ----------------------------------------------


def test_a_path_component_over_255_bytes_is_a_warning_on_its_cell(cli, tmp_path: Path) -> None:
    assert len(LONG.encode()) > 255
    (tmp_path / "bills").mkdir()
    (tmp_path / "图片").mkdir()
    wb = build(tmp_path / "长路径.xlsx", activities=[elec(evidence=f"bills/{LONG}")],
               pictures=[["图1-1 厂区", "厂区", "图片/" + LONG.replace(".pdf", ".png")]])
    d = checked(cli, wb)
    ev = issues(d, "W-EVIDENCE-UNREADABLE")
    assert [i["cell"] for i in ev] == ["X2"] and "过长" in ev[0]["message"]
    pic = issues(d, "W-PICTURE-UNREADABLE")
    assert [(i["sheet"], i["cell"]) for i in pic] == [("图片与附件", "C2")] and "过长" in pic[0]["message"]
    assert d["total_tco2e"] == pytest.approx(0.5703)  # 1,000 kWh = 1 MWh × 0.5703 t/MWh
    # the report still renders, with a placeholder for the picture
    ran = cli("process", wb, "--out", tmp_path / "out")
    assert ran.returncode == 0, ran.stderr
    assert "E-INTERNAL" not in ran.stderr


def test_history_on_a_symlink_loop_is_a_warning_not_an_internal_error(cli, tmp_path: Path) -> None:
    wb = build(tmp_path / "本年.xlsx", activities=[elec()])
    os.symlink(tmp_path / "环B.xlsx", tmp_path / "环A.xlsx")
    os.symlink(tmp_path / "环A.xlsx", tmp_path / "环B.xlsx")
    ran = cli("process", wb, "--out", tmp_path / "out", "--history", tmp_path / "环A.xlsx", "--json", "--no-report")
    assert ran.returncode == 0, ran.stderr
    assert "E-INTERNAL" not in ran.stderr
    found = issues(json.loads(ran.stdout), "W-HISTORY-UNREADABLE")
    assert len(found) == 1 and "环A.xlsx" in found[0]["message"] and "符号链接循环" in found[0]["message"]


def test_evidence_on_a_symlink_loop_and_a_folder_have_their_codes(cli, tmp_path: Path) -> None:
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    (tmp_path / "bills").mkdir()
    wb = build(tmp_path / "a.xlsx", activities=[elec("电力1", evidence="loop1"), elec("电力2", evidence="bills")])
    d = checked(cli, wb)
    loop = issues(d, "W-EVIDENCE-UNREADABLE")
    assert [i["cell"] for i in loop] == ["X2"] and "符号链接循环" in loop[0]["message"]
    folder = issues(d, "W-EVIDENCE-NOT-REGULAR")
    assert [i["cell"] for i in folder] == ["X3"] and "文件夹" in folder[0]["message"]


@pytest.mark.parametrize("month_value", [1e20, 1e27, 1e28, 1e300])
def test_a_huge_month_is_out_of_range_on_the_month_cell(cli, tmp_path: Path, month_value: float) -> None:
    months = {f"m{i}": (month_value if i == 3 else 10) for i in range(1, 13)}
    wb = build(tmp_path / "月.xlsx", activities=[row(stage="生产", name="电力", unit="kWh", factor_code=ELEC, **months)])
    d = checked(cli, wb)
    errors = [i for i in d["issues"] if i["severity"] == "error"]
    # one error, on 3月 (column N), none on the annual figure (column D)
    assert [(i["code"], i["cell"]) for i in errors] == [("E-AMOUNT-OUT-OF-RANGE", "N2")], errors
    assert "3月" in errors[0]["message"]


def test_a_huge_annual_beside_ordinary_months_is_out_of_range_on_the_annual_cell(cli, tmp_path: Path) -> None:
    months = {f"m{i}": 10 for i in range(1, 13)}
    wb = build(tmp_path / "年.xlsx", activities=[elec(amount=1e28, **months)])
    d = checked(cli, wb)
    codes = {(i["code"], i["cell"]) for i in d["issues"] if i["severity"] == "error"}
    assert ("E-AMOUNT-OUT-OF-RANGE", "D2") in codes or ("E-MONTHLY-MISMATCH", "D2") in codes, codes
    assert all(cell == "D2" for _code, cell in codes)


# ---- failure 9: text and numbers agree ------------------------------------------------------------------


def test_text_1e_minus_400_and_the_number_1e_minus_320_are_both_out_of_range(cli, tmp_path: Path) -> None:
    wb = build(tmp_path / "小.xlsx", activities=[elec("电力1", amount="1e-400"), elec("电力2", amount=1e-320),
                                                elec("电力3", amount="0")])
    d = checked(cli, wb)
    out = issues(d, "E-AMOUNT-OUT-OF-RANGE")
    assert sorted(i["cell"] for i in out) == ["D2", "D3"]  # the zero in D4 is a real zero


# ---- failure 6 / item 4: evidence hashed once, streamed, capped; no special file opened ----------------


def test_ten_rows_naming_one_file_hash_it_once(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import carbon_report.io.evidence as evidence

    data = b"%PDF-1.4 one bill for ten rows\n"
    (tmp_path / "bill.pdf").write_bytes(data)
    hashed: list[int] = []
    real = hashlib.sha256

    def counting(*args: Any) -> Any:
        hashed.append(1)
        return real(*args)

    monkeypatch.setattr(evidence.hashlib, "sha256", counting)
    rows = [elec(f"电力{i}", evidence="bill.pdf" if i % 2 else "./bill.pdf") for i in range(10)]
    wb = build(tmp_path / "十行.xlsx", activities=rows)
    ran = cli("process", wb, "--out", tmp_path / "out", "--no-report", "--json")
    assert ran.returncode == 0, ran.stderr
    assert len(hashed) == 1  # two spellings of one file, ten rows: one pass over its bytes
    import openpyxl

    details = openpyxl.load_workbook(tmp_path / "out" / "十行_计算结果.xlsx")[contract.SHEET_DETAILS]
    text = "\n".join(" ".join(str(v) for v in r if v is not None) for r in details.iter_rows(values_only=True))
    assert text.count(real(data).hexdigest()) == 10  # every row still records it


def test_evidence_over_the_size_cap_records_its_size_not_its_hash(cli, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import carbon_report.io.evidence as evidence

    monkeypatch.setattr(evidence, "EVIDENCE_MAX_BYTES", 4096)  # the test lowers the cap, writes no GB file
    big = os.urandom(5000)
    (tmp_path / "video.mp4").write_bytes(big)
    (tmp_path / "small.pdf").write_bytes(big[:4096])  # at the cap: hashed
    wb = build(tmp_path / "大.xlsx", activities=[elec("电力1", evidence="video.mp4"), elec("电力2", evidence="small.pdf")])
    ran = cli("process", wb, "--out", tmp_path / "out", "--no-report", "--json")
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)
    large = issues(d, "W-EVIDENCE-TOO-LARGE")
    assert [i["cell"] for i in large] == ["X2"] and "video.mp4" in large[0]["message"]
    import openpyxl

    details = openpyxl.load_workbook(tmp_path / "out" / "大_计算结果.xlsx")[contract.SHEET_DETAILS]
    text = "\n".join(" ".join(str(v) for v in r if v is not None) for r in details.iter_rows(values_only=True))
    assert hashlib.sha256(big).hexdigest() not in text and "5000" in text  # size recorded, no hash
    assert hashlib.sha256(big[:4096]).hexdigest() in text


def test_the_cap_is_a_parameter_in_a_data_file_with_its_reason() -> None:
    import tomllib

    import carbon_report.io as io_pkg

    limits = Path(io_pkg.__file__).parent / "limits.toml"
    text = limits.read_text(encoding="utf-8")
    assert tomllib.loads(text)["evidence"]["max_bytes"] == 200 * 1024 * 1024
    assert "Why" in text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_as_evidence_or_picture_never_hangs(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "bill.pdf")
    os.mkfifo(tmp_path / "厂区.png")
    wb = build(tmp_path / "管道.xlsx", activities=[elec(evidence="bill.pdf")], pictures=[["图1-1 厂区", "厂区", "厂区.png"]])
    ran = run_process("process", wb, "--out", tmp_path / "out", "--json", timeout=120)  # a hang fails here
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)
    assert [i["cell"] for i in issues(d, "W-EVIDENCE-NOT-REGULAR")] == ["X2"]
    assert [i["cell"] for i in issues(d, "W-PICTURE-NOT-REGULAR")] == ["C2"]
    assert "Traceback" not in ran.stderr
    # the report's placeholder says why, as the warning does: the picture is opened once, as a regular file
    # or not at all (never checked by name first and opened after)
    from docx import Document

    text = "\n".join(p.text for p in Document(d["outputs"]["report"]).paragraphs)
    assert "【图片缺失：厂区.png，不是普通文件（管道、设备或套接字），不予读取。" in text


def test_a_symlink_to_a_device_is_outside_and_never_read(cli, tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "zero.pdf")
    wb = build(tmp_path / "设备.xlsx", activities=[elec(evidence="zero.pdf")])
    d = checked(cli, wb)
    assert [i["cell"] for i in issues(d, "E-EVIDENCE-OUTSIDE")] == ["X2"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_check_time_limit_and_a_fifo_workbook(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "管道.xlsx")
    ran = run_process("check", tmp_path / "管道.xlsx", timeout=60)  # opened with O_NONBLOCK: no hang
    assert ran.returncode == 2
    assert "[E-FILE-NOT-REGULAR]" in ran.stderr and "Traceback" not in ran.stderr


def test_check_has_a_time_limit_like_process(cli, tmp_path: Path) -> None:
    wb = build(tmp_path / "a.xlsx", activities=[elec()])
    ran = cli("check", wb, "--time-limit", "0.001")  # no workbook is read and checked in a millisecond
    assert ran.returncode == 2
    lines = [ln for ln in ran.stderr.splitlines() if "[E-TIME-LIMIT]" in ln]
    assert len(lines) == 1 and "0.001" in lines[0]
    ran = cli("check", wb, "--time-limit", "600")
    assert ran.returncode == 0, ran.stderr


# ---- the open-and-check primitive (io/paths.py) -----------------------------------------------------------


def test_open_regular_refuses_special_files_links_and_folders(tmp_path: Path) -> None:
    from carbon_report.core.errors import PathRefused
    from carbon_report.io.paths import open_regular

    (tmp_path / "ok.txt").write_bytes(b"hello")
    os.symlink(tmp_path / "ok.txt", tmp_path / "link.txt")
    with open_regular(tmp_path / "ok.txt") as f:
        assert f.size == 5 and f.file.read() == b"hello"
    cases = {tmp_path / "link.txt": "loop", tmp_path: "directory", Path("/dev/zero"): "special",
             tmp_path / "absent": "missing", tmp_path / LONG: "too_long"}
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        cases[tmp_path / "fifo"] = "special"
    for path, problem in cases.items():
        with pytest.raises(PathRefused) as e, open_regular(path):
            pass
        assert e.value.problem == problem, path
    with open_regular(tmp_path / "link.txt", follow_links=True) as f:  # a workbook typed as a symlink
        assert f.file.read() == b"hello"


def test_open_regular_checks_where_the_descriptor_leads(tmp_path: Path) -> None:
    """A folder on the way swapped for a symlink after the name was checked: the open file is outside."""
    from carbon_report.core.errors import PathRefused
    from carbon_report.io.paths import open_named, open_regular

    book, secret = tmp_path / "book", tmp_path / "secret"
    book.mkdir()
    secret.mkdir()
    (secret / "a.pdf").write_bytes(b"secret")
    os.symlink(secret, book / "sub")  # what a swap between locate() and open() would leave
    with pytest.raises(PathRefused) as e, open_regular(book / "sub" / "a.pdf", inside=book):
        pass
    assert e.value.problem == "outside"
    with pytest.raises(PathRefused) as e, open_named(book, "sub/a.pdf"):
        pass
    assert e.value.problem == "outside"


def test_a_fifo_opened_by_open_regular_returns_at_once() -> None:
    """O_NONBLOCK: opening a FIFO with no writer does not wait for one (run in a child with a timeout)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    code = ("import os, sys, tempfile\nfrom pathlib import Path\n"
            "from carbon_report.io.paths import open_regular\nfrom carbon_report.core.errors import PathRefused\n"
            "d = Path(tempfile.mkdtemp()); os.mkfifo(d / 'f')\n"
            "try:\n    open_regular(d / 'f').__enter__()\nexcept PathRefused as e:\n    print(e.problem)\n")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")})
    assert ran.stdout.strip() == "special", ran.stderr
