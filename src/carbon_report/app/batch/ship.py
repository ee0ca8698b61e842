"""`batch --dask … --ship-inputs`: what travels with a shard when the workers cannot read the client's disk.

Only what the workbooks name, after the checks a local run makes (issue 23): each workbook itself (as the
pipeline's file check reads it: a regular file, its size, its zip directory), the pictures of its 图片与附件 and
the evidence of its 证明材料 cells (io/paths.open_named: inside the workbook's folder, opened with
O_NOFOLLOW | O_NONBLOCK, then fstat on the open descriptor: a regular file, never a FIFO, a device, a folder or
a symlink leading out), and the history workbooks of `--history` and of the company's earlier years. Never a
whole folder.

    references(path)                  -> the texts of the cells naming files (runs in a capped subprocess)
    Cargo.pack(workbooks, refs, root) -> the bytes to send, below root
    cargo.unpack(dest)                -> the same tree in the worker's scratch folder
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# The columns whose cells name another file (contract keys): pictures (图片与附件 文件) and evidence (证明材料).
REFERENCE_COLUMNS = ("file", "evidence")


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


@dataclass
class Cargo:
    """Files below the batch's folder, by posix path: their bytes, or for a file above the size cap its size
    alone (recreated as an empty sparse file of that size: above the cap only the size is read)."""

    files: dict[str, bytes] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

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
                typed = PurePosixPath(text.replace("\\", "/"))
                rel = (PurePosixPath(path.parent.relative_to(root).as_posix()) / typed).as_posix()
                if rel in cargo.files or rel in cargo.sizes:
                    continue
                try:
                    with open_named(path.parent, text) as opened:
                        if opened.size > EVIDENCE_MAX_BYTES:
                            cargo.sizes[rel] = opened.size
                        else:
                            cargo.files[rel] = opened.file.read(EVIDENCE_MAX_BYTES + 1)
                except (PathRefused, OSError):
                    continue  # the same checks refuse it on the worker: it is not there
        for name, path in (extra or {}).items():
            try:
                cargo.files[name] = check_workbook_file(path).data
            except UnreadableWorkbook:
                continue  # a history workbook that cannot be read is a warning on the worker, as locally
        return cargo, refused

    def unpack(self, dest: Path) -> None:
        """The cargo's files below `dest` (a fresh scratch folder): names checked to stay below it."""
        base = dest.resolve()
        for rel, data in self.files.items():
            target = self._target(base, rel)
            target.write_bytes(data)
        for rel, size in self.sizes.items():
            target = self._target(base, rel)
            with target.open("wb") as f:
                f.truncate(size)

    @staticmethod
    def _target(base: Path, rel: str) -> Path:
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
            raise ValueError(f"not a path below the batch folder: {rel}")
        target = base.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target


def history_name(i: int, path: Path) -> str:
    """Where the i-th `--history` workbook travels (below the shard's folder, apart from the inputs)."""
    return f".history/{i}/{path.name}"
