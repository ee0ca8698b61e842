"""Issue 23, failure 7: a run killed while LibreOffice fills the 目录 left soffice running (≈ 190 MB each)
and a /tmp/carbon_report_toc_* folder holding a copy of the client's report; a killed batch parent's workers
died but their soffice processes stayed.

Each test runs the real command in a process of its own with a private temporary folder (TMPDIR) and a marker
in its environment that every child inherits, waits until LibreOffice is running for the 目录, sends the
signal a user or a scheduler would send, and then looks, as an administrator would, for any process still
carrying the marker (/proc/*/environ) and for anything left in the temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from carbon_report.outputs.convert.libreoffice import find_soffice, find_uno_python

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
    pytest.mark.skipif(not (find_soffice() and find_uno_python(find_soffice())),
                       reason="LibreOffice with UNO is not installed"),
]


def marked(marker: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose environment carries `marker`."""
    found = []
    needle = f"CARBON_REPORT_TEST_RUN={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if state != "Z":  # a zombie holds no memory and no files: only its parent's wait is missing
            found.append((int(entry.name), cmdline))
    return found


def start(args: list[str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    marker = uuid.uuid4().hex
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "CARBON_REPORT_TOC": "1", "CARBON_REPORT_TEST_RUN": marker, "TMPDIR": str(private_tmp)}
    env.pop("CARBON_REPORT_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "carbon_report", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # as a terminal's job
    return proc, marker, private_tmp


def wait_for_soffice(marker: str, proc: subprocess.Popen[bytes], count: int = 1) -> None:
    """Until `count` soffice.bin processes of this run are up: the run is in its 目录 step."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len([c for _, c in marked(marker) if c.split(" ", 1)[0].endswith("soffice.bin")]) >= count:
            return
        assert proc.poll() is None, "the run ended before LibreOffice started"
        time.sleep(0.05)
    pytest.fail("LibreOffice was not started for the 目录")


def ours(private_tmp: Path) -> list[str]:
    """What the run's converter left in the temporary folder (its folders are carbon_report_lo_*; before,
    carbon_report_toc_*). A Python worker killed outright may leave a library's own temporary file (openpyxl's)
    beside them: not the converter's, and not asserted here."""
    return sorted(p.name for p in private_tmp.iterdir() if p.name.startswith("carbon_report"))


def assert_nothing_left(marker: str, private_tmp: Path, proc: subprocess.Popen[bytes]) -> None:
    proc.wait(60)
    deadline = time.monotonic() + 10  # "after a few seconds"
    while time.monotonic() < deadline and (marked(marker) or ours(private_tmp)):
        time.sleep(0.2)
    assert marked(marker) == []
    assert ours(private_tmp) == []  # no copy of the client's report left


def kill(proc: subprocess.Popen[bytes], sig: int) -> None:
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C: the terminal signals its whole foreground job
    else:
        os.kill(proc.pid, sig)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["TERM", "INT", "KILL"])
def test_process_killed_during_the_contents_step_leaves_nothing(tmp_path: Path, sig: int) -> None:
    proc, marker, private_tmp = start(["process", str(SAMPLE), "--out", str(tmp_path / "out"), "--pdf"], tmp_path)
    try:
        wait_for_soffice(marker, proc)
        kill(proc, sig)
        assert_nothing_left(marker, private_tmp, proc)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["TERM", "INT", "KILL"])
def test_batch_parent_killed_during_the_contents_step_leaves_nothing(tmp_path: Path, sig: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"企业{i}.xlsx").write_bytes(SAMPLE.read_bytes())
    proc, marker, private_tmp = start(["batch", str(folder), "--out", str(tmp_path / "out"), "--jobs", "2"],
                                      tmp_path)
    try:
        wait_for_soffice(marker, proc, count=2)  # both workers in their 目录 step
        kill(proc, sig)
        assert_nothing_left(marker, private_tmp, proc)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_finished_run_leaves_nothing_and_fills_the_contents(tmp_path: Path) -> None:
    proc, marker, private_tmp = start(["process", str(SAMPLE), "--out", str(tmp_path / "out")], tmp_path)
    assert proc.wait(300) == 0
    assert_nothing_left(marker, private_tmp, proc)
    from docx import Document

    report = next((tmp_path / "out").glob("*评价报告.docx"))
    lines = [p.text for p in Document(str(report)).paragraphs if p.style.name.startswith("toc")]
    assert lines[0] == "1 概论\t1"


FORKED_RUN = """
import os, sys, time
from pathlib import Path
from carbon_report.outputs.convert import default_converter
from carbon_report.outputs.report import render_report
sys.path.insert(0, {tests!r})
from report_fixtures import calc, seed_intake

out = Path({out!r})
intake = seed_intake()
render_report(intake, calc(intake), [], out, workbook_dir=out.parent)  # LibreOffice running from here on
if os.fork() == 0:  # a child forked afterwards (a pool's worker) lives on, holding copies of every descriptor
    time.sleep(60)
    os._exit(0)
print("ready", flush=True)
time.sleep(60)
"""


def test_a_forked_child_does_not_keep_the_parents_libreoffice_alive(tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "CARBON_REPORT_TOC": "1", "CARBON_REPORT_TEST_RUN": marker, "TMPDIR": str(private_tmp)}
    code = FORKED_RUN.format(tests=str(Path(__file__).parent), out=str(tmp_path / "r.docx"))
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        assert [c for _, c in marked(marker) if c.split(" ", 1)[0].endswith("soffice.bin")]
        proc.kill()  # SIGKILL: the forked child stays, sleeping
        proc.wait(10)
        deadline = time.monotonic() + 10
        left = marked(marker)
        while time.monotonic() < deadline and (any("soffice" in c or "watchdog" in c for _, c in left)
                                               or ours(private_tmp)):
            time.sleep(0.2)
            left = marked(marker)
        assert [c for _, c in left if "soffice" in c or "watchdog" in c] == []
        assert ours(private_tmp) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the forked child
