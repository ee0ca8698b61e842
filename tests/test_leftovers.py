"""Nothing outlives a killed run (issue 12, item 6): batch workers die with their parent and the caller's
pipe reaches its end; temporary files of a `process` killed outright are removed by the next run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import workbooks

TMP_PREFIX = ".~tmp_carbon-report_"
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(d))
    return out


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_the_batch_kills_its_workers_and_closes_the_pipe(tmp_path: Path, sig: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        workbooks.build(folder / f"企业{i}.xlsx")
    p = subprocess.Popen([sys.executable, "-m", "carbon_report", "batch", str(folder), "--out", str(tmp_path / "out"),
                          "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_children(p.pid)) < 2:
            time.sleep(0.05)
        workers = _children(p.pid)
        assert len(workers) >= 2, "the pool never started"
        os.kill(p.pid, sig)
        p.wait(timeout=30)
        # a worker still holding the pipe would make these reads wait forever: a thread gives up after 20 s
        import threading

        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.extend([p.stdout.read(), p.stderr.read()]), daemon=True)
        reader.start()
        reader.join(20)
        assert not reader.is_alive(), "the caller's pipe never reached its end"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(w) for w in workers):
            time.sleep(0.05)
        assert [w for w in workers if _running(w)] == []
    finally:
        for w in _children(p.pid):  # only if the test failed: never leave them behind
            os.kill(w, signal.SIGKILL)
        if p.poll() is None:
            p.kill()


def test_temporary_file_of_a_killed_process_is_removed_by_the_next_run(cli, tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业A.xlsx")
    before = src.read_bytes()
    out = tmp_path / "out"
    # the process stops just before renaming its temporary file into place, and is killed there
    stall = ("import os, time\n_r = os.replace\n"
             "def replace(a, b):\n    time.sleep(120)\n    return _r(a, b)\nos.replace = replace")
    code = f"import sys\n{stall}\nfrom carbon_report.app.cli import main\nsys.exit(main(sys.argv[1:]))"
    p = subprocess.Popen([sys.executable, "-c", code, "process", str(src), "--out", str(out), "--no-report"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(out.glob(TMP_PREFIX + "*")):
            time.sleep(0.05)
        leftovers = list(out.glob(TMP_PREFIX + "*"))
        assert len(leftovers) == 1
        assert f"_{p.pid}_" in leftovers[0].name  # the owner's pid is in the name
    finally:
        p.kill()
        p.wait()
    assert leftovers[0].exists()  # SIGKILL: nobody could remove it
    # someone else's fresh temporary file (this process, alive) and a stranger's file are kept
    alive = out / leftovers[0].name.replace(f"_{p.pid}_", f"_{os.getpid()}_")
    alive.write_bytes(b"in progress")
    other = out / "笔记.txt"
    other.write_text("mine")
    # a temporary file of an earlier version (no owner in its name) an hour old is stale too
    legacy = out / ".~tmp_abc123.xlsx"
    legacy.write_bytes(b"old")
    hour_ago = time.time() - 3600
    os.utime(legacy, (hour_ago, hour_ago))

    r = cli("process", src, "--out", out, "--no-report")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["企业A_计算结果.xlsx", alive.name, "笔记.txt"])
    assert src.read_bytes() == before
    shutil.rmtree(out)
