"""One exception tree for the whole product.

Every expected failure is a `CarbonReportError`: the entry points turn it into one line for the user, in
Chinese with its code. Anything else that escapes is a bug and becomes E-INTERNAL. The classes live in core
because they are plain data; the edges raise them.
"""

from __future__ import annotations

from pathlib import Path

from carbon_report.core.findings import Code


class CarbonReportError(Exception):
    """An expected failure with a message a user can act on. `code` is a finding code (E-…)."""

    code = Code.E_INTERNAL

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @classmethod
    def of(cls, code: Code, /, **fields: object) -> CarbonReportError:
        """The error of a catalogue code, its message the code's template filled with `fields`."""
        return cls(code.text(**fields), code)


class UsageError(CarbonReportError, ValueError):
    """The Python API called wrongly (a path that is not one, no output folder, a time limit of -1 …): the
    caller's mistake, not the workbook's. A workbook's own problems are never raised: they are findings."""

    code = Code.E_USAGE

    def __init__(self, detail: str) -> None:
        super().__init__(Code.E_USAGE.text(detail=detail), Code.E_USAGE)
        self.detail = detail

    def __reduce__(self) -> tuple[object, ...]:
        return (UsageError, (self.detail,))


class PandasMissing(CarbonReportError):
    """to_frame() without pandas installed: the optional extra carbon-report[pandas] brings it."""

    code = Code.E_PANDAS_MISSING

    def __init__(self) -> None:
        super().__init__(Code.E_PANDAS_MISSING.text(), Code.E_PANDAS_MISSING)

    def __reduce__(self) -> tuple[object, ...]:
        return (PandasMissing, ())


class UnreadableWorkbook(CarbonReportError):
    """A file that cannot be read as an intake workbook at all (exit status 2). The message is the code's
    catalogue template filled with `fields`."""

    def __init__(self, code: Code, /, **fields: object) -> None:
        super().__init__(code.text(**fields), code)
        self.fields = fields

    def __reduce__(self) -> tuple[object, ...]:  # a worker's exception crosses to the batch parent
        return (_unreadable, (self.code, self.fields))


class PathRefused(CarbonReportError):
    """A path that leads to no regular file this run may read (io/paths.py): `problem` says why, one of
    core.model.PathProblem, or "outside" (the path leaves its folder)."""

    def __init__(self, problem: str, path: Path | str) -> None:
        super().__init__(f"{path}: {problem}")
        self.problem = problem
        self.path = str(path)


class UnitError(CarbonReportError, ValueError):
    """kind is 'unknown' (no such spelling) or 'mismatch' (no conversion between the two)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message, Code.E_UNIT_UNKNOWN if kind == "unknown" else Code.E_UNIT_MISMATCH)
        self.kind = kind


class UnitFamilyMismatch(UnitError):
    """Units that convert arithmetically but mean different things: electricity against heat (kWh ↔ GJ),
    a liquid against a gas at standard conditions (L ↔ Nm³). The message names both families in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__("mismatch", message)


class OutputError(CarbonReportError):
    """An output cannot be written because of the user's environment, not the workbook (exit status 2,
    status "failed"): the folder is read-only or a file, the disk is full, the name too long, the file open in
    another program. `io.atomic` maps the operating system's error to one of the classes below; this base
    is the one for any other OSError. The message names the path."""

    code = Code.E_OUTPUT_WRITE_FAILED

    def __init__(self, path: Path | str, /, **fields: object) -> None:
        self.path = Path(path)
        super().__init__(self.code.text(**(fields or self.fields())))

    def fields(self) -> dict[str, object]:
        """The template's fields when the raiser names only the path."""
        return {k: v for k, v in {"path": self.path, "reason": type(self).__name__}.items() if k in self.code.fields}


class OutputNotWritable(OutputError):
    """The folder is read-only, immutable or not ours (EACCES, EPERM, EROFS)."""

    code = Code.E_OUTPUT_NOT_WRITABLE

    def fields(self) -> dict[str, object]:
        return {"path": self.path.parent}


class OutputNotAFolder(OutputError):
    """--out (or a folder on the way to it) is a file."""

    code = Code.E_OUTPUT_NOT_A_FOLDER

    def fields(self) -> dict[str, object]:
        return {"path": self.path.parent}


class OutputDiskFull(OutputError):
    """No space left on the device, or the user's quota is used up (ENOSPC, EDQUOT)."""

    code = Code.E_OUTPUT_DISK_FULL


class OutputNameTooLong(OutputError):
    """The output's file name is longer than the file system allows (255 bytes on most)."""

    code = Code.E_OUTPUT_NAME_TOO_LONG

    def fields(self) -> dict[str, object]:
        return {"size": len(self.path.name.encode("utf-8")), "name": self.path.name}


class OutputLocked(OutputError):
    """An output file is open in another program (Windows refuses to replace it): the workbook in Excel,
    the report in Word, the add-in loaded in Excel. One class for all three; the message names the file."""

    code = Code.E_OUTPUT_LOCKED


# The codes of OutputError and its subclasses: the user's environment, never the workbook.
ENVIRONMENT_CODES = frozenset({Code.E_OUTPUT_WRITE_FAILED, Code.E_OUTPUT_NOT_WRITABLE, Code.E_OUTPUT_NOT_A_FOLDER,
                               Code.E_OUTPUT_DISK_FULL, Code.E_OUTPUT_NAME_TOO_LONG, Code.E_OUTPUT_LOCKED})


class TimeLimitExceeded(BaseException):
    """Raised inside a run that passed its --time-limit. A BaseException, like KeyboardInterrupt, so that no
    `except Exception` on the way (a template error turned into E-REPORT-TEMPLATE, say) can swallow it;
    the pipeline turns it into E-TIME-LIMIT."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"time limit of {seconds:g} s")
        self.seconds = seconds


class OutputExists(CarbonReportError):
    """An output would replace a file that is already there, and --force was not given."""

    code = Code.E_OUTPUT_EXISTS

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(self.code.text(path=self.path))


class SameAsInput(CarbonReportError):
    """The output would overwrite the input."""

    code = Code.E_OUTPUT_IS_INPUT


class TemplateError(CarbonReportError):
    """The report template is missing or cannot be rendered; `detail` says where, in Chinese, inside the
    catalogue's E-REPORT-TEMPLATE text."""

    code = Code.E_REPORT_TEMPLATE

    def __init__(self, detail: str) -> None:
        super().__init__(self.code.text(detail=detail))
        self.detail = detail

    def __reduce__(self) -> tuple[object, ...]:
        return (TemplateError, (self.detail,))


class PdfUnavailable(CarbonReportError):
    """No PDF could be made (the pipeline reports this as a notice, the .docx is still there)."""


class NeedsSave(CarbonReportError):
    """Excel: no copy of the open workbook can be had (unsaved, or macOS without SaveCopyAs)."""


class ClusterError(CarbonReportError):
    """The Dask cluster cannot run the batch (dask not installed, scheduler unreachable, inputs not visible to
    a worker): one line, exit 2. Raised on a worker too, so it must survive pickling with its code."""

    def __init__(self, code: Code, /, **fields: object) -> None:
        super().__init__(code.text(**fields), code)
        self.fields = fields

    def __reduce__(self) -> tuple[object, ...]:
        return (_cluster_error, (self.code, self.fields))


def _unreadable(code: Code, fields: dict[str, object]) -> UnreadableWorkbook:
    return UnreadableWorkbook(code, **fields)


def _cluster_error(code: Code, fields: dict[str, object]) -> ClusterError:
    return ClusterError(code, **fields)


class ProfileError(CarbonReportError):
    """The consultancy profile: a value that cannot be used (unknown key, bad pattern, a logo or template
    that fails its checks) or a profile file that cannot be read or written. The message is E-PROFILE's
    template with `detail`."""

    code = Code.E_PROFILE

    def __init__(self, detail: str) -> None:
        super().__init__(Code.E_PROFILE.text(detail=detail), Code.E_PROFILE)
