"""The report template's compiled parts, kept in the user's cache folder between runs.

Preparing a template (docxtpl's patch of each part's XML, then Jinja's compile to Python) was most of a worker's
start-up. What comes out depends only on the template's bytes and on the code that patches and compiles it, so
it is kept on disk under a key made of both: the template's SHA-256, this package's version and the source of
the report modules, and the versions of Python, Jinja, docxtpl, python-docx and lxml. A changed template, an
upgrade or an edited report module gives another key, never a stale part.

    key = cache_key(template_bytes)
    parts = load(key)              # {part id: (patched source, code object)} or None
    store(key, parts)              # best effort: a read-only or full cache folder only costs the next start

Where: `CARBON_REPORT_CACHE_DIR` if set, else the user's cache folder (platformdirs: ~/.cache/carbon-report on
Linux, %LOCALAPPDATA%\\carbon-report\\Cache on Windows, ~/Library/Caches/carbon-report on macOS); never
site-packages, which may be read-only. The folder is the user's own (created 0700), as trusted as their
installed packages: only files this module wrote there are loaded (`marshal`, a format of Python's own).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from types import CodeType

SUBFOLDER = "templates"
_MAGIC = b"carbon-report template parts 1\n"

Parts = dict[str, tuple[str, CodeType]]


def cache_folder() -> Path:
    configured = os.environ.get("CARBON_REPORT_CACHE_DIR")
    if configured:
        return Path(configured) / SUBFOLDER
    import platformdirs

    return Path(platformdirs.user_cache_dir("carbon-report", appauthor=False)) / SUBFOLDER


@cache
def _code_fingerprint() -> str:
    """What besides the template decides the compiled parts: versions and the report modules' own source."""
    h = hashlib.sha256()
    h.update(f"{sys.version}|".encode())
    for dist in ("carbon-report", "jinja2", "docxtpl", "python-docx", "lxml"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            h.update(f"{dist}={metadata.version(dist)}|".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):  # render.py patches and compiles; the sandbox …
        with contextlib.suppress(OSError):
            h.update(module.read_bytes())
    return h.hexdigest()


def cache_key(template: bytes) -> str:
    return hashlib.sha256(hashlib.sha256(template).digest() + _code_fingerprint().encode()).hexdigest()


def load(key: str) -> Parts | None:
    """The parts stored under `key`, or None (none stored, unreadable, or not written by this module)."""
    try:
        data = (cache_folder() / f"{key}.bin").read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    try:
        parts = marshal.loads(data[len(_MAGIC):])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(parts, dict) or not all(
            isinstance(k, str) and isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str)
            and isinstance(v[1], CodeType) for k, v in parts.items()):
        return None
    return parts


def store(key: str, parts: Parts) -> None:
    """Keep `parts` under `key`, written to a temporary name and renamed (two processes starting at once
    both write the same bytes). Any failure is ignored: the cache only saves the next start its compile."""
    folder = cache_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~tmp_", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + marshal.dumps(parts))
            os.replace(tmp, folder / f"{key}.bin")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, ValueError):
        pass
