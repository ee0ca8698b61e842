"""Files a workbook names (pictures in 图片与附件, evidence in 活动数据), looked for only inside its folder.

The workbook comes from the client and the report goes back to the client, so a path in a cell is untrusted:
`..`, an absolute path, a drive letter or a symlink that leads out of the workbook's folder must never make
another file of this machine readable (issue 12).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:|[\\/])")  # C:\…, C:…, \\server\…, /…


@dataclass(frozen=True)
class Located:
    """Where a path typed in a cell leads: `path` is set when the file exists inside the folder."""

    path: Path | None
    outside: bool  # the text leads out of the folder (then `path` is None)


def locate(folder: Path, text: str) -> Located:
    """Resolve `text` (either slash, as Windows users type it) against `folder`, following symlinks."""
    typed = text.strip().replace("\\", "/")
    if not typed or _ABSOLUTE.match(typed) or ".." in PurePosixPath(typed).parts:
        return Located(None, bool(typed))
    root = folder.resolve()
    try:
        target = (root / typed).resolve()
    except (OSError, RuntimeError):  # a symlink loop, or a name the system refuses
        return Located(None, False)
    if not target.is_relative_to(root):
        return Located(None, True)
    return Located(target if target.is_file() else None, False)
