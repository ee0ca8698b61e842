"""Files a workbook names (pictures in 图片与附件, evidence in 活动数据, files a batch ships), looked for only
inside its folder and opened only when they are regular files.

The workbook comes from the client and the report goes back to the client, so a path in a cell is untrusted:
`..`, an absolute path, a drive letter or a symlink that leads out of the workbook's folder must never make
another file of this machine readable (issue 12). Neither may a FIFO (reading it blocks forever), a device
(/dev/zero never ends) or a folder (issue 23). `open_regular` is the one way to open such a file: it opens
first (`O_NOFOLLOW | O_NONBLOCK`: no symlink as the last name, no blocking on a FIFO) and then asks the open
descriptor (`fstat`) what it is and how large, so nothing can be swapped between a check and the open.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from carbon_report.core.errors import PathRefused
from carbon_report.core.model import PathProblem

_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:|[\\/])")  # C:\…, C:…, \\server\…, /…
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_PROC_FD = Path("/proc/self/fd")


@dataclass(frozen=True)
class Located:
    """Where a path typed in a cell leads: `path` is set when a regular file exists there inside the folder;
    otherwise `outside` (the text leads out of the folder) or `problem` (missing, a folder, a FIFO …)."""

    path: Path | None
    outside: bool
    problem: PathProblem | None = None


def locate(folder: Path, text: str) -> Located:
    """Resolve `text` (either slash, as Windows users type it) against `folder`, following symlinks. Never
    raises for what the name or the disk holds (a name over 255 bytes, a loop, a folder without permission)."""
    typed = text.strip().replace("\\", "/")
    if not typed or _ABSOLUTE.match(typed) or ".." in PurePosixPath(typed).parts:
        return Located(None, bool(typed), None if typed else "missing")
    try:
        root = folder.resolve()
        target = (root / typed).resolve()
    except (OSError, RuntimeError) as e:  # a symlink loop, or a name the system refuses
        return Located(None, False, problem_of(e))
    if not target.is_relative_to(root):
        return Located(None, True)
    try:
        st = os.stat(target)
    except OSError as e:
        return Located(None, False, problem_of(e))
    kind = _kind(st.st_mode)
    return Located(target if kind is None else None, False, kind)


def problem_of(e: BaseException) -> PathProblem:
    """What an error from the operating system means for a path a user typed."""
    if isinstance(e, RuntimeError):  # pathlib's "Symlink loop from …"
        return "loop"
    code = getattr(e, "errno", None)
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "missing"
    if code == errno.ENAMETOOLONG or getattr(e, "winerror", None) == 206:  # ERROR_FILENAME_EXCED_RANGE
        return "too_long"
    if code == errno.ELOOP:
        return "loop"
    if code in (errno.EACCES, errno.EPERM):
        return "denied"
    if code == errno.EISDIR:
        return "directory"
    return "unreadable"


def _kind(mode: int) -> PathProblem | None:
    if stat.S_ISREG(mode):
        return None
    return "directory" if stat.S_ISDIR(mode) else "special"


@dataclass(frozen=True)
class RegularFile:
    """An open regular file: `file` reads it from the start; `size` is fstat's, of this very file."""

    file: BinaryIO
    size: int
    identity: tuple[int, int]  # (st_dev, st_ino): the same file reached by two names is one file


@contextmanager
def open_regular(path: Path, *, inside: Path | None = None, follow_links: bool = False) -> Iterator[RegularFile]:
    """Open `path` for reading only if it is a regular file, and (with `inside`) only if the file opened
    lies inside that folder. Raises PathRefused with the problem ("special" for a FIFO or a device,
    "directory", "loop" for a symlink as the last name or a loop, "outside", "too_long", "denied",
    "missing" …). Opening a FIFO with O_NONBLOCK returns at once; it is refused before any read.
    `follow_links`: a path the user typed on the command line may be a symlink to the workbook; it is
    resolved first, and what it resolves to is opened as above."""
    try:
        if follow_links:
            path = Path(path).resolve()
        fd = os.open(path, _FLAGS)
    except RuntimeError:  # pathlib's "Symlink loop from …" (Python 3.11)
        raise PathRefused("loop", path) from None
    except OSError as e:
        raise PathRefused(problem_of(e), path) from None
    try:
        st = os.fstat(fd)
        problem = _kind(st.st_mode)
        if problem is not None:
            raise PathRefused(problem, path)
        if inside is not None and not _opened_inside(fd, inside):
            raise PathRefused("outside", path)
        _blocking(fd)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield RegularFile(f, st.st_size, (st.st_dev, st.st_ino))


def _opened_inside(fd: int, folder: Path) -> bool:
    """Where the descriptor really leads (Linux: /proc/self/fd), so a folder on the way swapped for a symlink
    after locate() resolved the name cannot lead out. Without /proc, the resolved name was checked."""
    link = _PROC_FD / str(fd)
    try:
        real = Path(os.readlink(link))
    except OSError:
        return True
    try:
        return real.is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _blocking(fd: int) -> None:
    """A regular file never blocks; reading it in ordinary (blocking) mode keeps `read` simple."""
    if hasattr(os, "set_blocking"):
        with suppress(OSError):
            os.set_blocking(fd, True)


@contextmanager
def open_named(folder: Path, text: str) -> Iterator[RegularFile]:
    """The file a cell names, found inside `folder` (locate) and opened with open_regular."""
    found = locate(folder, text)
    if found.outside:
        raise PathRefused("outside", text)
    if found.path is None:
        raise PathRefused(found.problem or "missing", text)
    with open_regular(found.path, inside=folder) as opened:
        yield opened
