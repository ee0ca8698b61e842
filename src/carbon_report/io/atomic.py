"""Every output is written to a temporary name in its target folder, then renamed into place.

So a crash, a full disk or Ctrl-C leaves either the old file or the complete new one, never half a file.
A process killed outright (SIGKILL, power loss) cannot remove its temporary file: the name says whose it is
(`.~tmp_carbon-report_<host>_<pid>_…`), and the next run writing into that folder removes it once its
owner is gone (remove_stale). The operating system's refusals become core.errors.OutputError subclasses,
one code each, so that the user's own environment is never reported as an internal error.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from carbon_report.core.errors import (
    OutputDiskFull,
    OutputError,
    OutputLocked,
    OutputNameTooLong,
    OutputNotAFolder,
    OutputNotWritable,
)

__all__ = ["TEMP_PREFIX", "OutputError", "OutputLocked", "remove_stale", "write_bytes"]

TEMP_PREFIX = ".~tmp_carbon-report_"
# A temporary file whose owner cannot be asked (another machine sharing the folder, or Windows, where no
# process is probed) is stale after this long: one write takes seconds, never half an hour.
STALE_AFTER_S = 30 * 60
_LEGACY_PREFIX = ".~tmp_"  # what versions before issue 12 wrote: no owner in the name, so by age only


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_error(exc: OSError, dest: Path) -> OutputError:
    """The OutputError for an OSError met while writing `dest` (its folder made, a temporary file written,
    renamed over `dest`)."""
    n = exc.errno
    if isinstance(exc, FileExistsError | NotADirectoryError) or n in (errno.ENOTDIR, errno.EEXIST):
        return OutputNotAFolder(dest)
    if n == errno.ENAMETOOLONG:
        return OutputNameTooLong(dest)
    if n in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
        return OutputDiskFull(dest)
    if isinstance(exc, PermissionError) or n in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputNotWritable(dest)
    return OutputError(dest, path=dest, reason=exc.strerror or type(exc).__name__)


def _make_folder(folder: Path, dest: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as e:  # the path, or a folder on the way, is a file
        raise OutputNotAFolder(dest) from e
    except OSError as e:
        raise output_error(e, dest) from e


def write_bytes(dest: Path, data: bytes) -> None:
    """Write `data` to `dest` atomically. Raises an OutputError subclass when the environment refuses."""
    dest = Path(dest)
    _make_folder(dest.parent, dest)
    if not dest.parent.is_dir():
        raise OutputNotAFolder(dest)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{_host_tag()}_{os.getpid()}_", suffix=dest.suffix,
                                   dir=dest.parent)
    except OSError as e:
        raise output_error(e, dest) from e
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
        except OSError as e:
            raise output_error(e, dest) from e
        try:
            os.replace(tmp, dest)
        except PermissionError as e:
            # Windows refuses to replace a file another program holds open (elsewhere: an existing file made
            # immutable). The temporary file could be made, so the folder itself is writable.
            raise OutputLocked(dest) from e
        except OSError as e:
            raise output_error(e, dest) from e
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # POSIX only: on Windows os.kill would terminate the process
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, somebody else's
        return True
    return True


def stale(name: str, mtime: float, *, now: float | None = None) -> bool:
    """Whether a file of this name and modification time in an output folder is a temporary file that no
    process will finish: its owner (this machine, pid in the name) has died, or it is older than
    STALE_AFTER_S whoever wrote it."""
    if not name.startswith(_LEGACY_PREFIX):
        return False
    age = (time.time() if now is None else now) - mtime
    if age > STALE_AFTER_S:
        return True
    if not name.startswith(TEMP_PREFIX) or sys.platform == "win32":
        return False
    host, _, rest = name[len(TEMP_PREFIX):].partition("_")
    pid_text = rest.partition("_")[0]
    if host != _host_tag() or not pid_text.isdigit():
        return False
    return not _alive(int(pid_text))


def remove_stale(folder: Path) -> list[Path]:
    """Remove the stale temporary files (see `stale`) directly in `folder`; returns those removed.
    A folder that cannot be listed is left for the write to report."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(_LEGACY_PREFIX):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and stale(entry.name, entry.stat(follow_symlinks=False).st_mtime):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed
