"""`carbon-report batch`: real worker processes, the real pipeline; only the failures are staged, by worker
functions below that crash, raise or hang for files with a marker in their name (run_batch's `worker`)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

import workbooks
from carbon_report.app.batch import SUMMARY_NAME, FileRecord, find_workbooks, pool, process_one, run_batch
from carbon_report.app.pipeline import Options

OPTS = Options(report=False)  # the batch is what is tested here; the Word report has its own tests
CLI = [sys.executable, "-m", "carbon_report.app.cli"]
USCC_2 = "91350100M000100Y7C"  # a second valid code (GB 32100 check character)


# ---- staged failures: top-level, so the process pool can pickle them -----------------------------------------


def staged_worker(path: str, out_subdir: str, options: Options) -> FileRecord:
    name = Path(path).name
    if "crash" in name:
        os._exit(3)  # the worker dies: the pool breaks
    if "raise" in name:
        raise RuntimeError("staged failure")
    if "hang" in name:
        time.sleep(600)  # ended by the per-file alarm
    if "stuck" in name:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # deaf to the alarm: must be killed
        time.sleep(600)
    return process_one(path, out_subdir, options)


# ---- helpers -----------------------------------------------------------------------------------------------


def good(path: Path, uscc: str = workbooks.SEED_COMPANY["统一社会信用代码"], year: int = 2023) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return workbooks.build(path, company={**workbooks.SEED_COMPANY, "统一社会信用代码": uscc, "核算年度": year})


def invalid(path: Path) -> Path:
    rows = [["原材料获取", "原材料", "钢筋", "很多", "t", "EF-STEEL-REBAR", None, None]]
    return workbooks.build(path, company={**workbooks.SEED_COMPANY, "统一社会信用代码": USCC_2}, activities=rows)


def run_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*CLI, "batch", *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=timeout)


def by_name(files: list[dict]) -> dict[str, dict]:
    return {Path(f["input"]).name: f for f in files}


def codes(f: dict) -> list[str]:
    return [i["code"] for i in f["issues"]]


def seed_total(tmp_path: Path) -> float:
    from carbon_report.app.pipeline import check_file

    outcome = check_file(good(tmp_path / "reference" / "seed.xlsx"))
    assert outcome.result is not None
    return outcome.result.total


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    d = tmp_path / "收集"
    good(d / "企业A.xlsx")
    good(d / "子目录" / "企业B.xlsx", uscc=USCC_2, year=2024)
    invalid(d / "企业C.xlsx")
    (d / "损坏.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (d / "空.xlsx").write_bytes(b"")
    (d / "~$企业A.xlsx").write_bytes(b"\x00lock")
    (d / ".隐藏.xlsx").write_bytes(b"x")
    (d / "说明.txt").write_text("不是工作簿", encoding="utf-8")
    return d


# ---- the command over a mixed folder ----------------------------------------------------------------------


def test_mixed_folder_json_summary_workbook_and_exit_code(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "输出"
    p = run_cli(mixed, "--out", out, "--recursive", "--json", "--no-report", "--jobs", "2")
    doc = json.loads(p.stdout)
    files = by_name(doc["files"])
    assert set(files) == {"企业A.xlsx", "企业B.xlsx", "企业C.xlsx", "损坏.xlsx", "空.xlsx"}  # lock, hidden skipped
    assert {n: f["status"] for n, f in files.items()} == {
        "企业A.xlsx": "ok", "企业B.xlsx": "ok", "企业C.xlsx": "invalid", "损坏.xlsx": "unreadable",
        "空.xlsx": "unreadable"}
    total = seed_total(tmp_path)
    assert files["企业A.xlsx"]["total_tco2e"] == pytest.approx(total)
    assert files["企业B.xlsx"]["total_tco2e"] == pytest.approx(total)
    assert files["企业C.xlsx"]["total_tco2e"] is None and "E-AMOUNT-NOT-NUMBER" in codes(files["企业C.xlsx"])
    # outputs mirror the input folders
    assert Path(files["企业B.xlsx"]["outputs"]["workbook"]) == out / "子目录" / "企业B_计算结果.xlsx"
    assert (out / "子目录" / "企业B_计算结果.xlsx").is_file() and (out / "企业C_计算结果.xlsx").is_file()
    assert doc["summary"]["workbooks"] == 5 and doc["summary"]["ok"] == 2 and doc["summary"]["unreadable"] == 2
    assert p.returncode == 2  # the highest status of its files: two could not be read (contract)
    assert "Traceback" not in p.stderr
    assert "[E-AMOUNT-NOT-NUMBER]" in p.stderr and "损坏.xlsx" in p.stderr and "空.xlsx" in p.stderr

    wb = openpyxl.load_workbook(out / SUMMARY_NAME)
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"企业A.xlsx", "子目录/企业B.xlsx", "企业C.xlsx", "损坏.xlsx", "空.xlsx"}
    assert rows["企业A.xlsx"]["状态"] == "通过" and rows["企业A.xlsx"]["合计（tCO2e）"] == pytest.approx(total)
    assert rows["企业A.xlsx"]["统一社会信用代码"] == workbooks.SEED_COMPANY["统一社会信用代码"]
    assert rows["企业A.xlsx"]["原材料获取（tCO2e）"] is not None and rows["企业A.xlsx"]["排放强度"] > 0
    assert rows["企业C.xlsx"]["状态"] == "有错误" and rows["企业C.xlsx"]["错误数"] == 1
    assert rows["企业C.xlsx"]["合计（tCO2e）"] is None
    assert rows["损坏.xlsx"]["状态"] == "无法读取"
    found = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert ("企业C.xlsx", "错误", "活动数据", "D2", "E-AMOUNT-NOT-NUMBER") in [r[:5] for r in found]
    assert {r[0] for r in found} >= {"企业C.xlsx", "损坏.xlsx", "空.xlsx"}
    chart_sheet = wb["排放对比"]
    assert len(chart_sheet._charts) == 1
    assert [r[0] for r in chart_sheet.iter_rows(min_row=2, max_col=1, values_only=True)] == [
        f"{workbooks.SEED_COMPANY['企业名称']}（2023）", f"{workbooks.SEED_COMPANY['企业名称']}（2024）"]


def test_without_recursive_the_subfolder_is_left_out_and_errors_exit_1(tmp_path: Path) -> None:
    d = tmp_path / "in"
    good(d / "a.xlsx")
    invalid(d / "b.xlsx")
    good(d / "sub" / "c.xlsx", uscc=USCC_2)
    p = run_cli(d, "--out", tmp_path / "out", "--json", "--no-report")
    assert p.returncode == 1
    assert sorted(by_name(json.loads(p.stdout)["files"])) == ["a.xlsx", "b.xlsx"]


def test_plain_output_and_progress_lines(tmp_path: Path) -> None:
    d = tmp_path / "in"
    good(d / "a.xlsx")
    p = run_cli(d, "--out", tmp_path / "out", "--no-report")
    assert p.returncode == 0
    assert "[1/1] a.xlsx: 错误 0 个" in p.stderr  # stderr is not a terminal: plain lines, no bar
    assert "\x1b[" not in p.stderr
    assert p.stdout.startswith("共 1 个工作簿：通过 1 个") and SUMMARY_NAME in p.stdout


def test_empty_folder_exits_0_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "~$x.xlsx").write_bytes(b"lock")
    p = run_cli(tmp_path / "in", "--out", tmp_path / "out", "--json")
    assert p.returncode == 0
    assert "W-BATCH-EMPTY" in p.stderr
    assert json.loads(p.stdout)["files"] == []


def test_input_not_a_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    f = good(tmp_path / "a.xlsx")
    for target in (f, tmp_path / "nowhere"):
        p = run_cli(target, "--out", tmp_path / "out")
        assert p.returncode == 2
        assert len(p.stderr.strip().splitlines()) == 1 and "E-BATCH-NOT-A-FOLDER" in p.stderr


def test_running_twice_replaces_outputs_cleanly(tmp_path: Path) -> None:
    d = tmp_path / "in"
    good(d / "a.xlsx")
    invalid(d / "b.xlsx")
    out = d  # the outputs go beside the inputs: the second run must not read them as inputs
    first = run_cli(d, "--out", out, "--json", "--no-report")
    before = sorted(p.name for p in out.iterdir())
    (out / "a_计算结果.xlsx").write_bytes(b"stale")
    second = run_cli(d, "--out", out, "--json", "--no-report")
    assert first.returncode == second.returncode == 1
    assert sorted(by_name(json.loads(second.stdout)["files"])) == ["a.xlsx", "b.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == before == sorted(
        ["a.xlsx", "b.xlsx", "a_计算结果.xlsx", "b_计算结果.xlsx", SUMMARY_NAME])
    assert zipfile.is_zipfile(out / "a_计算结果.xlsx")  # replaced, not left stale
    assert openpyxl.load_workbook(out / SUMMARY_NAME)["汇总"].max_row == 3


def test_running_twice_with_reports_overwrites_them_in_place(tmp_path: Path) -> None:
    from carbon_report.core.errors import TemplateError
    from carbon_report.outputs.report import default_template

    try:
        default_template()
    except TemplateError:
        pytest.skip("the report template is not there yet")
    d = tmp_path / "in"
    good(d / "a.xlsx")
    out = tmp_path / "out"
    for _ in range(2):
        p = run_cli(d, "--out", out, "--json")
        assert p.returncode == 0, p.stderr
        assert by_name(json.loads(p.stdout)["files"])["a.xlsx"]["outputs"]["report"] == str(out / "a_评价报告.docx")
    assert sorted(x.name for x in out.iterdir()) == ["a_计算结果.xlsx", "a_评价报告.docx", SUMMARY_NAME]


def test_duplicate_company_and_year_is_flagged_on_the_second(tmp_path: Path) -> None:
    d = tmp_path / "in"
    good(d / "1.xlsx")
    good(d / "2.xlsx")
    good(d / "3.xlsx", year=2024)  # same company, another year: fine
    p = run_cli(d, "--out", tmp_path / "out", "--json", "--no-report")
    files = by_name(json.loads(p.stdout)["files"])
    assert "W-BATCH-DUPLICATE-COMPANY" not in codes(files["1.xlsx"])
    assert "W-BATCH-DUPLICATE-COMPANY" in codes(files["2.xlsx"])
    assert "W-BATCH-DUPLICATE-COMPANY" not in codes(files["3.xlsx"])
    assert p.returncode == 0  # a warning
    assert "2.xlsx" in p.stderr and "[W-BATCH-DUPLICATE-COMPANY]" in p.stderr


def test_two_inputs_with_the_same_output_name_error_on_the_second(tmp_path: Path) -> None:
    d = tmp_path / "in"
    good(d / "a.xlsx")
    shutil.copy(d / "a.xlsx", d / "a.xlsm")  # both would write a_评价报告.docx
    result = run_batch(sorted(d.iterdir()), tmp_path / "out", OPTS, jobs=2)
    files = by_name(result.files)
    assert files["a.xlsm"]["status"] == "ok"  # sorted: a.xlsm comes first
    assert files["a.xlsx"]["status"] == "invalid" and codes(files["a.xlsx"]) == ["E-BATCH-OUTPUT-CONFLICT"]
    assert result.exit_code == 1


def test_find_workbooks_skips_lock_hidden_and_own_outputs(mixed: Path, tmp_path: Path) -> None:
    (mixed / ".git").mkdir()
    good(mixed / ".git" / "x.xlsx")
    (mixed / "企业A_计算结果.xlsx").write_bytes(b"")  # an output of an earlier run into this folder
    (mixed / SUMMARY_NAME).write_bytes(b"")
    found, skipped = find_workbooks(mixed, True, out_dir=mixed)
    assert [p.relative_to(mixed).as_posix() for p in found] == [
        "企业A.xlsx", "企业C.xlsx", "损坏.xlsx", "空.xlsx", "子目录/企业B.xlsx"]
    assert {p.name for p in skipped} == {"~$企业A.xlsx", ".隐藏.xlsx", "企业A_计算结果.xlsx", SUMMARY_NAME}
    found_elsewhere, _ = find_workbooks(mixed, False, out_dir=tmp_path / "out")
    assert "企业A_计算结果.xlsx" in [p.name for p in found_elsewhere]  # only our own outputs are skipped


# ---- failures inside workers --------------------------------------------------------------------------------


def test_a_worker_that_dies_or_raises_does_not_stop_the_batch(tmp_path: Path) -> None:
    d = tmp_path / "in"
    names = ["a.xlsx", "b-crash.xlsx", "c.xlsx", "d-raise.xlsx", "e.xlsx", "f.xlsx"]
    for i, n in enumerate(names):
        good(d / n, uscc=USCC_2, year=2000 + i)
    seen: list[str] = []
    result = run_batch(sorted(d.iterdir()), tmp_path / "out", OPTS, jobs=2, worker=staged_worker,
                       on_result=lambda r: seen.append(r.name))
    files = by_name(result.files)
    assert [Path(f["input"]).name for f in result.files] == names  # input order
    assert sorted(seen) == sorted(names)  # each file reported once
    assert files["b-crash.xlsx"]["status"] == "unreadable"
    assert codes(files["b-crash.xlsx"]) == ["E-BATCH-WORKER-CRASH"]
    assert files["d-raise.xlsx"]["status"] == "unreadable"
    assert codes(files["d-raise.xlsx"]) == ["E-BATCH-WORKER-CRASH"]
    assert "staged failure" in files["d-raise.xlsx"]["issues"][0]["message"]
    for n in ("a.xlsx", "c.xlsx", "e.xlsx", "f.xlsx"):  # innocent neighbours of the crash were retried
        assert files[n]["status"] == "ok", files[n]
        assert (tmp_path / "out" / n.replace(".xlsx", "_计算结果.xlsx")).is_file()
    assert result.exit_code == 2


def test_a_slow_worker_times_out_and_a_deaf_one_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "KILL_GRACE", 1.0)
    d = tmp_path / "in"
    names = ["a-hang.xlsx", "b-stuck.xlsx", "c.xlsx", "d.xlsx"]
    for i, n in enumerate(names):
        good(d / n, uscc=USCC_2, year=2000 + i)
    result = run_batch(sorted(d.iterdir()), tmp_path / "out", OPTS, jobs=2, timeout=8, worker=staged_worker)
    files = by_name(result.files)
    assert codes(files["a-hang.xlsx"]) == ["E-BATCH-TIMEOUT"] and files["a-hang.xlsx"]["status"] == "unreadable"
    assert codes(files["b-stuck.xlsx"]) == ["E-BATCH-TIMEOUT"]
    assert files["c.xlsx"]["status"] == files["d.xlsx"]["status"] == "ok"


def test_another_executor_can_be_passed_in(tmp_path: Path) -> None:
    d = tmp_path / "in"
    good(d / "a.xlsx")
    invalid(d / "b.xlsx")
    result = run_batch(sorted(d.iterdir()), tmp_path / "out", OPTS, jobs=2,
                       executor_factory=lambda n: ThreadPoolExecutor(n))
    assert [f["status"] for f in result.files] == ["ok", "invalid"]
    assert result.exit_code == 1


def _batch_under_way(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """A batch of 120 workbooks in its own session, returned once its first file is done."""
    d = tmp_path / "in"
    good(d / "0.xlsx")
    for i in range(1, 120):
        shutil.copy(d / "0.xlsx", d / f"{i}.xlsx")
    out = tmp_path / "out"
    proc = subprocess.Popen([*CLI, "batch", str(d), "--out", str(out), "--jobs", "2", "--no-report"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until the batch is under way
        if line.startswith(b"[1/"):
            break
    return proc, out


def test_ctrl_c_stops_promptly_and_leaves_no_half_written_file(tmp_path: Path) -> None:
    proc, out = _batch_under_way(tmp_path)
    assert proc.stderr is not None
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    # read the pipes while waiting: a batch still printing its files' lines must not block on a full pipe
    _, err = proc.communicate(timeout=60)
    rc, rest = proc.returncode, err.decode("utf-8")
    assert rc == 130, rest
    assert "Traceback" not in rest
    assert not (out / SUMMARY_NAME).exists()
    written = list(out.iterdir())
    assert len(written) < 120
    assert all(zipfile.is_zipfile(p) and not p.name.startswith(".") for p in written), written


def test_sigint_to_the_parent_alone_stops_the_batch_and_its_workers(tmp_path: Path) -> None:
    """Ctrl-C from a program (`kill -INT PID`, a service manager) reaches the batch's parent only, not its
    workers: the batch still stops at once, its workers with it, and leaves no half-written file."""
    import psutil

    proc, out = _batch_under_way(tmp_path)
    assert proc.stderr is not None
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers
    os.kill(proc.pid, signal.SIGINT)  # the parent alone
    # read the pipes while waiting: a batch still printing its files' lines must not block on a full pipe
    _, err = proc.communicate(timeout=60)
    rc, rest = proc.returncode, err.decode("utf-8")
    assert rc == 130, rest
    assert "Traceback" not in rest and "已中断" in rest
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, alive
    assert not (out / SUMMARY_NAME).exists()
    written = list(out.iterdir())
    assert len(written) < 120
    assert all(zipfile.is_zipfile(p) and not p.name.startswith(".") for p in written), written


def test_the_subprocess_pool_of_a_dask_worker_isolates_crashes_and_time_limits_as_the_process_pool(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """children.ChildPool (subprocess workers fed over a pipe, what a daemonic Dask worker uses) under the same
    batch loop: a file that kills its worker or raises fails alone, one past its limit is stopped, one deaf to
    its alarm is killed, the others come through."""
    from carbon_report.app.batch.children import ChildPool

    monkeypatch.setattr(pool, "KILL_GRACE", 1.0)
    d = tmp_path / "in"
    names = ["a.xlsx", "b-crash.xlsx", "c-raise.xlsx", "d-hang.xlsx", "e-stuck.xlsx", "f.xlsx"]
    for i, n in enumerate(names):
        good(d / n, uscc=USCC_2, year=2000 + i)
    pools: list[ChildPool] = []

    def factory(n: int) -> ChildPool:
        pools.append(ChildPool(n))
        return pools[-1]

    result = run_batch(sorted(d.iterdir()), tmp_path / "out", OPTS, jobs=2, timeout=8, worker=staged_worker,
                       executor_factory=factory)
    files = by_name(result.files)
    assert codes(files["b-crash.xlsx"]) == codes(files["c-raise.xlsx"]) == ["E-BATCH-WORKER-CRASH"]
    assert "staged failure" in files["c-raise.xlsx"]["issues"][0]["message"]
    assert codes(files["d-hang.xlsx"]) == codes(files["e-stuck.xlsx"]) == ["E-BATCH-TIMEOUT"]
    assert files["a.xlsx"]["status"] == files["f.xlsx"]["status"] == "ok"
    import psutil

    pids = [pid for p in pools for pid in p.pids]
    assert pids and not [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
