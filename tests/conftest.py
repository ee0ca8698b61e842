"""Shared test helpers: the command line run in-process or as a real process, and LibreOffice detection.

Most command-line tests call `main(argv)` in-process (fast, same code path); a few keep a real process for
what only a process shows: the console's encoding, exit statuses, tracebacks that must never appear.

Filling the report's 目录 starts LibreOffice once per report (several seconds each on this machine), so the
suite turns it off (CARBON_REPORT_TOC=0) and tests/test_report_samples.py turns it on for the tests that
check it. The product's default is on.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("CARBON_REPORT_TOC", "0")

# The consultancy profile and the support log live in the user's folders (platformdirs, XDG on Linux): each
# test process gets its own empty ones, so a developer's real profile never changes a report under test and
# no test writes into the user's log. Child processes inherit them.
_USER_DIRS = tempfile.mkdtemp(prefix="carbon_report_test_user_")
for _var, _sub in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
    os.environ[_var] = os.path.join(_USER_DIRS, _sub)
atexit.register(shutil.rmtree, _USER_DIRS, True)


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


needs_soffice = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")


def run_process(*args: str | Path, encoding: str = "gbk", timeout: float = 300,
                patch: str = "") -> subprocess.CompletedProcess[str]:
    """`carbon-report ARGS` in a fresh process on a console of `encoding` (GBK: a Chinese Windows console).
    Output is decoded as UTF-8, strictly: the product writes UTF-8 whatever the console. `patch` is Python
    run first in that process (to lower a limit)."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("CARBON_REPORT_DEBUG", None)
    code = f"import sys\n{patch}\nfrom carbon_report.app.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", errors="strict", env=env, timeout=timeout)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """`cli("check", path)` runs `main(argv)` in this process and returns its exit code and output."""
    from carbon_report.app.cli import main

    def run(*args: str | Path) -> Ran:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run
