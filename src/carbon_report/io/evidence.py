"""证明材料: what a path typed in 活动数据 leads to, for validation to record (issue 16).

Only inside the workbook's folder, only a regular file (io/paths.open_named); the file is read to hash it,
never copied or embedded. Hashing is streamed, done once per file however many rows name it, and skipped
above a size cap (limits.toml) where only the size is recorded (issue 23).
"""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources
from pathlib import Path

from carbon_report.core.errors import PathRefused
from carbon_report.core.model import EvidenceFile
from carbon_report.io.paths import open_named

_CHUNK = 1 << 20


def _max_bytes() -> int:
    text = resources.files("carbon_report.io").joinpath("limits.toml").read_text(encoding="utf-8")
    return int(tomllib.loads(text)["evidence"]["max_bytes"])


# Read once at import; tests lower it (monkeypatch) rather than write gigabyte files.
EVIDENCE_MAX_BYTES = _max_bytes()


class EvidenceProbe:
    """probe(text) → EvidenceFile for one workbook's folder; a file named by several rows (or by two
    spellings of one path) is hashed once."""

    def __init__(self, folder: Path | None, max_bytes: int | None = None) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._seen: dict[tuple[int, int], EvidenceFile] = {}

    def __call__(self, text: str) -> EvidenceFile:
        if self.folder is None:
            return EvidenceFile(problem="missing")
        limit = EVIDENCE_MAX_BYTES if self.max_bytes is None else self.max_bytes
        try:
            with open_named(self.folder, text) as opened:
                known = self._seen.get(opened.identity)
                if known is not None:
                    return known
                if opened.size > limit:
                    found = EvidenceFile(size=opened.size, too_large=True, limit=limit)
                else:
                    digest = hashlib.sha256()
                    size = 0
                    while size <= limit and (chunk := opened.file.read(_CHUNK)):
                        digest.update(chunk)
                        size += len(chunk)
                    # A file growing while it is read stops at the cap too.
                    found = EvidenceFile(sha256=digest.hexdigest(), size=size) if size <= limit else \
                        EvidenceFile(size=size, too_large=True, limit=limit)
                self._seen[opened.identity] = found
                return found
        except PathRefused as e:
            if e.problem == "outside":
                return EvidenceFile(outside=True)
            return EvidenceFile(problem=e.problem)  # type: ignore[arg-type]
        except OSError:  # a read error mid-file (a file locked on Windows, a disk gone)
            return EvidenceFile(problem="unreadable")


def probe_evidence(folder: Path | None, text: str) -> EvidenceFile:
    """One path, without a shared cache (a caller with many rows makes one EvidenceProbe)."""
    return EvidenceProbe(folder)(text)


def file_sha256(path: Path) -> str:
    """The file's SHA-256 in hex, read in chunks (OSError when it cannot be read)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
