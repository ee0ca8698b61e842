"""`batch --dask … --ship-inputs`: what travels with a shard when the workers cannot read the client's disk.

Only what the workbooks name, after the checks a local run makes (issue 23): each workbook itself (as the
pipeline's file check reads it: a regular file, its size, its zip directory), the pictures of its 图片与附件 and
the evidence of its 证明材料 cells, in 活动数据 and in 排放因子 (io/paths.open_named: inside the workbook's
folder, opened with O_NOFOLLOW | O_NONBLOCK, then fstat on the open descriptor: a regular file, never a FIFO, a
device, a folder or a symlink leading out), and the history workbooks of `--history` and of the company's
earlier years. Never a whole folder.

A named file the checks refuse never travels; what travels is its name and what was wrong with it, and the
worker puts an empty thing of that kind in its place (a FIFO for a FIFO or a device, a link leading out of the
scratch folder for a link leading out, a folder for a folder …), so the worker's own checks give the finding a
local run gives, on the same cell, and nothing of the refused file is ever read.

    references(path)                  -> the texts of the cells naming files (runs in a capped subprocess)
    Cargo.pack(workbooks, refs, root) -> the bytes to send, below root
    cargo.unpack(dest)                -> the same tree in the worker's scratch folder
    cargo.manifest()                  -> what travelled: names and sizes (the worker logs it as a Dask event)
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# The columns whose cells name another file (contract keys): pictures (图片与附件 文件) and evidence (证明材料, in
# 活动数据 and in 排放因子).
REFERENCE_COLUMNS = ("file", "evidence")
# The Dask event topic under which a worker logs what a shard received (Client.get_events(SHIP_EVENT)).
SHIP_EVENT = "carbon-report-ship"
_TEXT_LEADS_OUT = re.compile(r"^(?:[A-Za-z]:|[\\/])")  # as io/paths.locate: refused by its text alone


def references(path: str, out_subdir: str = "", options: object = None) -> tuple[str, ...]:
    """The texts of the cells of `path` that name another file, in sheet order, each once. Reads the workbook
    as the pipeline does (its checks first); a workbook it cannot read names nothing (its worker reports why).
    Runs in a subprocess worker with the batch's memory cap and time limit (worker.call: hence the worker's
    three arguments), never in the client itself."""
    from carbon_report.core.errors import CarbonReportError
    from carbon_report.io.reader import read_workbook

    try:
        raw = read_workbook(Path(path))
    except (CarbonReportError, OSError, ValueError):
        return ()
    found: dict[str, None] = {}
    for table in raw.tables.values():
        for row in table.rows:
            for key in REFERENCE_COLUMNS:
                value = row.value(key)
                if isinstance(value, str) and value.strip():
                    found[value.strip()] = None
    return tuple(found)


def _below(root: Path, folder: Path, text: str) -> str | None:
    """Where the file a cell of a workbook in `folder` names lies below `root` (posix), as typed; None when the
    text alone leads out (absolute, a drive, `..`): the worker's own check refuses that text as it stands."""
    typed = text.strip().replace("\\", "/")
    if not typed or _TEXT_LEADS_OUT.match(typed) or ".." in PurePosixPath(typed).parts:
        return None
    return (PurePosixPath(folder.relative_to(root).as_posix()) / typed).as_posix()


@dataclass
class Cargo:
    """Files below the batch's folder, by posix path: their bytes; for a file above the size cap its size alone
    (recreated as an empty sparse file of that size: above the cap only the size is read); for a named file
    the checks refused, what was wrong with it (io/paths' problem, or "outside")."""

    files: dict[str, bytes] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)

    @classmethod
    def pack(cls, workbooks: list[Path], refs: Mapping[Path, tuple[str, ...]], root: Path,
             extra: Mapping[str, Path] | None = None) -> tuple[Cargo, dict[Path, Exception]]:
        """The cargo of `workbooks` (below `root`) and of the files each names (`refs`), and the workbooks that
        failed the file check (with the error a local run reports). `extra`: more workbooks (history) to send
        under the names given."""
        from carbon_report.core.errors import PathRefused, UnreadableWorkbook
        from carbon_report.io.evidence import EVIDENCE_MAX_BYTES
        from carbon_report.io.filecheck import check_workbook_file
        from carbon_report.io.paths import open_named

        cargo = cls()
        refused: dict[Path, Exception] = {}
        for path in workbooks:
            try:
                package = check_workbook_file(path)
            except UnreadableWorkbook as e:
                refused[path] = e
                continue
            cargo.files[path.relative_to(root).as_posix()] = package.data
            for text in refs.get(path, ()):
                rel = _below(root, path.parent, text)
                if rel is None or rel in cargo.files or rel in cargo.sizes or rel in cargo.refused:
                    continue
                try:
                    with open_named(path.parent, text) as opened:
                        if opened.size > EVIDENCE_MAX_BYTES:
                            cargo.sizes[rel] = opened.size
                        else:
                            cargo.files[rel] = opened.file.read(EVIDENCE_MAX_BYTES + 1)
                except PathRefused as e:
                    cargo.refused[rel] = e.problem
                except OSError:  # a read error mid-file
                    cargo.refused[rel] = "unreadable"
        for name, path in (extra or {}).items():
            try:
                cargo.files[name] = check_workbook_file(path).data
            except UnreadableWorkbook:
                continue  # a history workbook that cannot be read is a warning on the worker, as locally
        return cargo, refused

    def unpack(self, dest: Path) -> None:
        """The cargo's files below `dest` (a fresh scratch folder): names checked to stay below it; for each
        refused file a stand-in of its kind (see the module's docstring)."""
        base = dest.resolve()
        for rel, data in self.files.items():
            self._target(base, rel).write_bytes(data)
        for rel, size in self.sizes.items():
            with self._target(base, rel).open("wb") as f:
                f.truncate(size)
        for rel, problem in self.refused.items():
            # A platform without FIFOs or symlinks (Windows) leaves no stand-in: the worker reports it missing.
            with contextlib.suppress(OSError, NotImplementedError, AttributeError):
                _stand_in(self._target(base, rel), problem, base)

    def manifest(self) -> dict[str, dict[str, int | str]]:
        """What travels: {"files": {name: bytes}, "sizes": {name: size}, "refused": {name: problem}}."""
        return {"files": {k: len(v) for k, v in sorted(self.files.items())}, "sizes": dict(sorted(self.sizes.items())),
                "refused": dict(sorted(self.refused.items()))}

    @staticmethod
    def _target(base: Path, rel: str) -> Path:
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
            raise ValueError(f"not a path below the batch folder: {rel}")
        target = base.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target


def _stand_in(target: Path, problem: str, base: Path) -> None:
    """An empty thing at `target` that io/paths refuses for the same `problem` (nothing of the original)."""
    if problem == "outside":
        target.symlink_to(base.parent / "outside")  # out of the scratch's input folder; never created
    elif problem == "special":
        os.mkfifo(target)
    elif problem == "directory":
        target.mkdir()
    elif problem == "loop":
        target.symlink_to(target.name)
    elif problem == "denied":
        target.touch(mode=0)
    # "missing", "too_long" (the same name is too long on the worker too), "unreadable": nothing to put there


def history_name(i: int, path: Path) -> str:
    """Where the i-th `--history` workbook travels (below the shard's folder, apart from the inputs)."""
    return f".history/{i}/{path.name}"
