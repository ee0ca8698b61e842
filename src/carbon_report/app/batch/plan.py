"""What a batch will do, decided before any file is processed: which files, where their outputs go, which
earlier years each company's workbook gets, and how a cluster cuts them into shards.

    find_workbooks(in_dir, recursive, out_dir=...) -> (workbooks, skipped)
    company_years(files)                          -> {file: (统一社会信用代码, 核算年度)}
    link_years(files, seen)                       -> {file: earlier years' files}
    plan_tasks(files, out_dir, root, finish, links=..., options=...) -> [Task]
    shards(tasks, size, seen)                     -> [[Task]]
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carbon_report.app.batch.records import FileRecord, failed
from carbon_report.core import contract  # plain data: keeps the batch parent's start-up light
from carbon_report.core.findings import Code

SUMMARY_NAME = "汇总.xlsx"


# ---- finding the workbooks ---------------------------------------------------------------------------------


def find_workbooks(in_dir: Path, recursive: bool = False, *,
                   out_dir: Path | None = None) -> tuple[list[Path], list[Path]]:
    """The .xlsx/.xlsm files of `in_dir` (sorted, subfolders with `recursive`) and the files skipped:
    Excel's `~$` lock files, hidden files and folders, and this tool's own outputs inside `out_dir`.
    Symbolic links to folders are not followed (os.walk's default): a link loop cannot make the walk endless."""
    in_dir = Path(in_dir)
    out_root = Path(out_dir).resolve() if out_dir is not None else None
    found: list[Path] = []
    skipped: list[Path] = []
    for folder, dirs, files in os.walk(in_dir):
        dirs[:] = sorted(d for d in dirs if recursive and not _hidden(Path(folder) / d))
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix.lower() not in contract.WORKBOOK_EXTENSIONS:
                continue
            if name.startswith("~$") or _hidden(path) or _our_output(path, out_root):
                skipped.append(path)
            else:
                found.append(path)
    return found, skipped


def _hidden(path: Path) -> bool:
    if path.name.startswith("."):
        return True
    attrs = getattr(_lstat(path), "st_file_attributes", 0)  # Windows only
    return bool(attrs & 2)  # FILE_ATTRIBUTE_HIDDEN


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except OSError:
        return None


def _our_output(path: Path, out_root: Path | None) -> bool:
    """A computed workbook or 汇总.xlsx written by an earlier batch into the folder being read."""
    if out_root is None or not (path.stem.endswith(contract.WORKBOOK_OUTPUT_SUFFIX) or path.name == SUMMARY_NAME):
        return False
    try:
        return path.resolve(strict=False).is_relative_to(out_root)
    except (OSError, RuntimeError):  # a symbolic link loop: not ours, and the file check will say what it is
        return False


# ---- one company's years ------------------------------------------------------------------------------------


def company_years(files: list[Path]) -> dict[Path, tuple[str, int]]:
    """统一社会信用代码 and 核算年度 of each file that gives both (read from 企业信息 alone, after the file
    passed the checks every input gets first: see peek)."""
    return {f: got for f in files if (got := peek(f)) is not None}


def peek(path: Path) -> tuple[str, int] | None:
    """统一社会信用代码 and 核算年度 of one workbook, read in the batch's parent, only after the file passed
    the checks the pipeline makes before parsing (a regular file, its size, its zip directory and compression
    ratios); None for a file that fails them (its worker reports why, one finding) or gives neither."""
    from carbon_report.core.errors import UnreadableWorkbook
    from carbon_report.io.filecheck import check_workbook_file
    from carbon_report.io.reader import peek_company

    try:
        package = check_workbook_file(path)
    except (UnreadableWorkbook, OSError, RuntimeError, ValueError):
        return None
    return peek_company(path, package)  # the bytes checked, not the file read again; a bounded prefix of 企业信息


def link_years(files: list[Path], seen: dict[Path, tuple[str, int]] | None = None) -> dict[Path, tuple[Path, ...]]:
    """Workbooks of one 统一社会信用代码 and different years: each gets the earlier years as history. The
    same code and year twice is left alone here (W-BATCH-DUPLICATE-COMPANY says so after the run).
    `seen`: company_years(files), when the caller has it already."""
    if seen is None:
        seen = company_years(files)
    out: dict[Path, tuple[Path, ...]] = {}
    for f, (uscc, year) in seen.items():
        earlier: dict[int, Path] = {}
        for g, (u, y) in seen.items():
            if u == uscc and y < year:
                earlier.setdefault(y, g)  # the first file of a year; a second one is a duplicate
        if earlier:
            out[f] = tuple(earlier[y] for y in sorted(earlier))
    return out


# ---- tasks --------------------------------------------------------------------------------------------------


@dataclass
class Task:
    index: int
    path: Path
    out_subdir: Path
    strikes: int = 0  # times the pool broke while this file was running
    options: Any = None  # this file's own options (its earlier years as history), else the batch's


def plan_tasks(files: list[Path], out_dir: Path, root: Path | None, finish: Callable[[Task, FileRecord], None], *,
               links: dict[Path, tuple[Path, ...]] | None = None, options: Any = None) -> list[Task]:
    """One task per file, its output folder mirroring its folder below `root`; a file whose outputs would
    replace another's is finished at once (E-BATCH-OUTPUT-CONFLICT) and not returned. A file in `links`
    gets its company's earlier years as history (link_years)."""
    tasks: list[Task] = []
    claimed: dict[str, Path] = {}
    links = links or {}
    for i, path in enumerate(files):
        sub = out_dir / path.parent.relative_to(root) if root is not None else out_dir
        own = dataclasses.replace(options, history=links[path]) if path in links else None
        task = Task(i, path, sub, options=own)
        first = _claim(claimed, path, sub)
        if first is None:
            tasks.append(task)
        else:
            finish(task, failed(path, "invalid", Code.E_BATCH_OUTPUT_CONFLICT, other=first.name, path=first))
    return tasks


def _claim(claimed: dict[str, Path], path: Path, out_subdir: Path) -> Path | None:
    """Reserve the output names of `path`; the input that already holds one of them, if any."""
    keys = [os.path.normcase(str(out_subdir / name)).casefold() for name in contract.output_names(path.name)]
    for key in keys:
        if key in claimed:
            return claimed[key]
    for key in keys:
        claimed[key] = path
    return None


def shards(tasks: list[Task], size: int, seen: dict[Path, tuple[str, int]] | None) -> list[list[Task]]:
    """Shards of about `size` files for a cluster. With `seen` (company_years), one company's workbooks (one
    统一社会信用代码) stay in one shard, so that the shard's batch links each year to its earlier ones as a
    local batch does."""
    if seen is None:
        return [tasks[i:i + size] for i in range(0, len(tasks), size)]
    groups: dict[object, list[Task]] = {}
    for t in tasks:
        got = seen.get(t.path)
        groups.setdefault(got[0] if got else t.index, []).append(t)
    chunks: list[list[Task]] = [[]]
    for group in groups.values():
        if chunks[-1] and len(chunks[-1]) + len(group) > size:
            chunks.append([])
        chunks[-1].extend(group)
    return [c for c in chunks if c]
