"""证明材料: what a path typed in 活动数据 leads to, for validation to record (issue 16).

Only inside the workbook's folder (io/paths.locate); the file is read to hash it, never copied or embedded.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from carbon_report.core.model import EvidenceFile
from carbon_report.io.paths import locate

_CHUNK = 1 << 20


def probe_evidence(folder: Path | None, text: str) -> EvidenceFile:
    """Outside the folder, missing (sha256 None), or the file's SHA-256 and size in bytes."""
    if folder is None:
        return EvidenceFile()
    found = locate(folder, text)
    if found.outside:
        return EvidenceFile(outside=True)
    if found.path is None:
        return EvidenceFile()
    try:
        sha256 = file_sha256(found.path)
        size = found.path.stat().st_size
    except OSError:  # unreadable (permissions, a file locked on Windows): reported as missing
        return EvidenceFile()
    return EvidenceFile(sha256=sha256, size=size)


def file_sha256(path: Path) -> str:
    """The file's SHA-256 in hex, read in chunks (OSError when it cannot be read)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
