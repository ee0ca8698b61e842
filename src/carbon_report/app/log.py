"""The support log: what each run did, for a consultant to send to support.

    log_dir() -> Path          # the user log folder (platformdirs)
    log_path() -> Path         # the file this process appends to now
    event(what, **fields)      # one line: time, process id, what, key=value …
    internal_error(exc) -> Path | None   # the traceback, for the one-line message to name

Rules (issue 29):
- written by the process that starts a run (CLI, Excel button, web page), never by batch workers;
- safe with several processes at once: each line (or traceback) is one write() on a file opened for append,
  and files are never renamed: a new file is started by name (month, then -2, -3 … past MAX_BYTES), and only
  files beyond KEEP are deleted, oldest first;
- an unwritable log folder never fails a run: every error here is swallowed;
- no cell values: findings are logged by code and cell address, never their messages; a traceback keeps its
  frames and the exception's type, not its message (which may quote a cell).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sys
import traceback
from pathlib import Path

APP_NAME = "carbon-report"
MAX_BYTES = 2 * 1024 * 1024  # start a new file past this size
KEEP = 12  # log files kept; older ones are deleted
_NAME = re.compile(r"carbon-report-(\d{4}-\d{2})(?:-(\d+))?\.log$")


def log_dir() -> Path:
    """%LOCALAPPDATA%\\carbon-report\\Logs on Windows, ~/Library/Logs/carbon-report on macOS,
    $XDG_STATE_HOME/carbon-report/log (~/.local/state) on Linux."""
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path(folder: Path | None = None, today: dt.date | None = None) -> Path:
    """This month's file, or its next part once a part has passed MAX_BYTES."""
    folder = folder or log_dir()
    month = (today or dt.date.today()).strftime("%Y-%m")
    part = 1
    while True:
        path = folder / (f"carbon-report-{month}.log" if part == 1 else f"carbon-report-{month}-{part}.log")
        try:
            if path.stat().st_size < MAX_BYTES:
                return path
        except OSError:
            return path
        part += 1


def _append(text: str, folder: Path | None = None) -> Path | None:
    """Append `text` with one write(); None when the folder cannot be written (never raises)."""
    try:
        folder = folder or log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = log_path(folder)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        try:
            os.write(fd, text.encode("utf-8", errors="replace"))
        finally:
            os.close(fd)
        if path.stat().st_size < 4096:
            _prune(folder)  # when a file is new, not on every line
        return path
    except Exception:  # noqa: BLE001 - the log must never fail a run
        return None


def _prune(folder: Path) -> None:
    files = sorted((p for p in folder.iterdir() if _NAME.match(p.name)), key=_order)
    for old in files[:-KEEP]:
        with contextlib.suppress(OSError):  # another process removed it first, or Windows holds it: next time
            old.unlink()


def _order(p: Path) -> tuple[str, int]:
    m = _NAME.match(p.name)
    assert m is not None
    return m.group(1), int(m.group(2) or 1)


def _stamp() -> str:
    return f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')} pid={os.getpid()}"


def _clean(value: object) -> str:
    text = str(value).replace("\r", " ").replace("\n", " ")
    return f'"{text}"' if " " in text or not text else text


def event(what: str, folder: Path | None = None, **fields: object) -> Path | None:
    """One line: `2026-12-07T21:40:00+00:00 pid=123 process exit=0 seconds=1.2`."""
    extra = "".join(f" {k}={_clean(v)}" for k, v in fields.items())
    return _append(f"{_stamp()} {what}{extra}\n", folder)


def outcome_event(outcome: object, folder: Path | None = None) -> Path | None:
    """A file's result without its values: status, counts, and each finding as CODE@sheet!cell."""
    o = outcome  # pipeline.Outcome (not imported: the log is below every way in)
    findings = getattr(o, "findings", [])
    codes = ",".join(f"{f.code}@{f.sheet}!{f.cell}" if f.sheet else str(f.code) for f in findings[:200])
    return event("file", folder, name=Path(str(getattr(o, "input", ""))).name, status=getattr(o, "status", ""),
                 errors=sum(1 for f in findings if f.is_error),
                 warnings=sum(1 for f in findings if not f.is_error), codes=codes or "-")


def internal_error(exc: BaseException, folder: Path | None = None) -> Path | None:
    """The traceback of a bug (frames and exception type; not the message, which may quote a cell value).
    Returns the log's path, or None when it could not be written."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    chain = ""
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause.__traceback__ is not None:
        chain = f"  caused by {type(cause).__name__}\n" + "".join(traceback.format_tb(cause.__traceback__))
    text = (f"{_stamp()} internal-error {type(exc).__module__}.{type(exc).__name__} "
            f"python={sys.version.split()[0]}\nTraceback (most recent call last):\n{frames}{chain}")
    return _append(text, folder)


def path_note(path: Path | None) -> str:
    """The words a one-line error message ends with: where the traceback is (or that it could not be kept)."""
    if path is None:
        return f"日志无法写入 {log_dir()}（log not written）"
    return f"详情已记入日志 details in the log: {path}"
