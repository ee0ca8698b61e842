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


class UnreadableWorkbook(CarbonReportError):
    """A file that cannot be read as an intake workbook at all (exit status 2)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code)


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


class OutputLocked(CarbonReportError):
    """An output file is open in another program (Windows refuses to replace it): the workbook in Excel,
    the report in Word, the add-in loaded in Excel. One class for all three; the message names the file."""

    code = Code.E_OUTPUT_LOCKED

    def __init__(self, path: Path | str, message: str | None = None) -> None:
        self.path = Path(path)
        super().__init__(message or f"文件正被其他程序打开，无法写入：{self.path}。请关闭该文件后重试。")


class OutputExists(CarbonReportError):
    """An output would replace a file that is already there, and --force was not given."""

    code = Code.E_OUTPUT_EXISTS

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(f"文件已存在，未覆盖：{self.path}。如需覆盖请加 --force")


class SameAsInput(CarbonReportError):
    """The output would overwrite the input."""

    code = Code.E_OUTPUT_IS_INPUT


class TemplateError(CarbonReportError):
    """The report template is missing or cannot be rendered; the message says where, in Chinese."""

    code = Code.E_REPORT_TEMPLATE


class PdfUnavailable(CarbonReportError):
    """No PDF could be made (the pipeline reports this as a notice, the .docx is still there)."""


class NeedsSave(CarbonReportError):
    """Excel: no copy of the open workbook can be had (unsaved, or macOS without SaveCopyAs)."""


class ClusterError(CarbonReportError):
    """The Dask cluster cannot run the batch (dask not installed, scheduler unreachable, inputs not visible to
    a worker): one line, exit 2. Raised on a worker too, so it must survive pickling with its code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code)

    def __reduce__(self) -> tuple[type[ClusterError], tuple[str, str]]:
        return (ClusterError, (self.code, self.message))
