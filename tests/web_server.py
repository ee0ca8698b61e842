"""`carbon-report web` as a user starts it, for tests: a real process, its first stdout line read for the URL,
stopped with Ctrl-C (SIGINT). Its temp folder, config and log folders are the test's own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    proc: subprocess.Popen[str]
    url: str
    tmp: Path  # the server's TMPDIR
    env: dict[str, str]

    @property
    def base(self) -> str:
        return self.url.split("?", 1)[0].rstrip("/")

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1]

    def get(self, path: str, **kw: object) -> requests.Response:
        return requests.get(f"{self.base}{path}", params={"token": self.token}, timeout=60, **kw)  # type: ignore[arg-type]

    def upload(self, *paths: Path) -> dict:
        files = [("files", (p.name, p.open("rb"))) for p in paths]
        try:
            r = requests.post(f"{self.base}/api/upload", params={"token": self.token}, files=files, timeout=600)
        finally:
            for _, (_, f) in files:
                f.close()
        assert r.status_code == 200, r.text
        return r.json()

    def wait(self, job: dict, timeout: float = 900) -> dict:
        deadline = time.monotonic() + timeout
        while not job["done"]:
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
            job = self.get(f"/api/jobs/{job['id']}").json()
        return job

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return self.proc.returncode, out, err


def start(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Server:
    tmp = tmp_path / "server_tmp"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(tmp), **(env or {})}
    env.pop("CARBON_REPORT_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "carbon_report", "web", "--no-browser", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    if not first.startswith("http://"):
        proc.kill()
        raise AssertionError(f"first line {first!r}; stderr {proc.communicate()[1]}")
    return Server(proc, first, tmp, env)
