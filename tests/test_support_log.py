"""The support log and `--version` (issue 29): what a run leaves for support, and what it must not."""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import workbooks
from carbon_report.app import log

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home / "carbon-report" / "log"


def _log_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("carbon-report-*.log")))


def test_version_first_line_then_python_platform_and_log(state_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    p = subprocess.run([sys.executable, "-m", "carbon_report", "--version"], capture_output=True, text=True,
                       encoding="utf-8", env=env, timeout=120)
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    from carbon_report import __version__

    assert lines[0] == f"carbon-report {__version__}"
    assert lines[1].startswith(f"Python {sys.version.split()[0]} ")
    assert lines[2].startswith("平台 platform: ") and "Linux" in lines[2]
    assert lines[3] == f"日志 log: {log.log_path()}"
    assert Path(lines[3].split(": ", 1)[1]).parent == state_home


def test_a_run_is_logged_by_code_and_cell_never_by_value(cli, tmp_path: Path, state_home: Path) -> None:
    secret = "机密燃料名称ZQX"
    src = workbooks.build(tmp_path / "企业A.xlsx", activities=workbooks.activities_with(0, 4, "吨吨ZQX"))
    src2 = workbooks.build(tmp_path / "企业B.xlsx", activities=workbooks.activities_with(0, 2, secret))
    r = cli("process", src, "--out", tmp_path / "out")
    assert r.returncode == 1 and "吨吨ZQX" in r.stderr  # the console says the value …
    assert cli("process", src2, "--out", tmp_path / "out").returncode == 0
    text = _log_text(state_home)
    assert "ZQX" not in text and secret not in text  # … the log never does
    assert re.search(r"file name=企业A.xlsx status=invalid errors=1 warnings=\d+ codes=\S*E-UNIT-UNKNOWN@活动数据!E2", text)
    assert re.search(r"end command=process exit=1 seconds=[\d.]+", text)
    assert re.search(r"start command=process version=\S+", text)


def test_internal_error_traceback_goes_to_the_log_and_the_line_names_it(
        cli, tmp_path: Path, state_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from carbon_report.app import pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"单元格的值 {4700 + 11.5}")  # computed: the source line in the traceback lacks it

    monkeypatch.setattr(pipeline, "process_file", broken)
    monkeypatch.delenv("CARBON_REPORT_DEBUG", raising=False)
    src = workbooks.build(tmp_path / "企业A.xlsx")
    r = cli("process", src, "--out", tmp_path / "out")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "[E-INTERNAL]" in lines[0] and "RuntimeError: 单元格的值 4711.5" in lines[0]
    path = Path(re.search(r"details in the log: (\S+\.log)", lines[0]).group(1))
    assert path.parent == state_home and path.is_file()
    text = path.read_text(encoding="utf-8")
    assert "internal-error builtins.RuntimeError" in text and "Traceback (most recent call last):" in text
    assert 'in broken' in text and "cli.py" in text  # the frames, down to the failing function
    assert "4711.5" not in text  # not the message: it may quote a cell


def test_an_unwritable_log_folder_never_fails_a_run(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the log folder would be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    src = workbooks.build(tmp_path / "企业A.xlsx")
    r = cli("process", src, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "企业A_评价报告.docx").is_file()
    assert log.internal_error(RuntimeError("x")) is None
    assert "日志无法写入" in log.path_note(None)


def _writer(folder: str, n: int, max_bytes: int) -> None:
    log.MAX_BYTES = max_bytes
    for i in range(200):
        log.event("line", Path(folder), writer=n, i=i, pad="x" * 200)


def test_several_processes_append_whole_lines_and_rotation_keeps_a_bound(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    ctx = multiprocessing.get_context("spawn")  # not fork: this test process has threads (xdist's)
    writers = [ctx.Process(target=_writer, args=(str(folder), n, 20_000)) for n in range(3)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=300)
        assert w.exitcode == 0
    files = sorted(folder.glob("carbon-report-*.log"))
    assert 1 < len(files) <= log.KEEP
    lines = _log_text(folder).splitlines()
    # every line whole (one write each): never two records run together or cut
    assert all(re.fullmatch(r"\S+ pid=\d+ line writer=\d i=\d+ pad=x{200}", line) for line in lines)
    # 3 × 200 lines of ~270 bytes are ~160 kB: more than KEEP files of 20 kB hold, so the oldest went
    kept = {(m.group(1), m.group(2)) for line in lines if (m := re.search(r"writer=(\d) i=(\d+)", line))}
    assert len(kept) == len(lines)  # no line twice
    assert ("0", "199") in kept or ("1", "199") in kept or ("2", "199") in kept  # the newest are kept


def test_batch_workers_do_not_write_the_log(cli, tmp_path: Path, state_home: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("企业A.xlsx", "企业B.xlsx"):
        workbooks.build(folder / name)
    from conftest import run_process

    r = run_process("batch", folder, "--out", tmp_path / "out", "--jobs", "2", encoding="utf-8")
    assert r.returncode == 0, r.stderr
    text = _log_text(state_home)
    pids = set(re.findall(r"pid=(\d+)", text))
    assert len(pids) == 1 and str(os.getpid()) not in pids  # the batch's own process, none of its workers
    assert "start command=batch" in text and "end command=batch exit=0" in text


def test_default_template_is_the_packaged_one_not_a_folder_above_site_packages(tmp_path: Path) -> None:
    """Installed, render.py's parents[4] is <Python>/Lib: a workbook_templates folder there must not win."""
    import shutil

    lib = tmp_path / "Lib"
    shutil.copytree(ROOT / "src" / "carbon_report", lib / "site-packages" / "carbon_report")
    (lib / "workbook_templates").mkdir()
    (lib / "workbook_templates" / "report_template.docx").write_bytes(b"decoy")
    code = "from carbon_report.outputs.report.render import default_template; print(default_template())"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(lib / "site-packages")}, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    got = Path(p.stdout.strip())
    assert got == lib / "site-packages" / "carbon_report" / "outputs" / "report" / "report_template.docx"
