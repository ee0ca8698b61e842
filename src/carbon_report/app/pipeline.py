"""The one pipeline behind every entry point: read → validate → calculate → write.

`carbon-report process` and `carbon-report batch` call process_file() or check_file(); the Excel button
calls process_copy() on Excel's copy of the open workbook. Only this module decides what is written where.
"""

from __future__ import annotations

import _thread
import contextlib
import dataclasses
import datetime as dt
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from carbon_report.core import contract
from carbon_report.core.calculate import calculate
from carbon_report.core.completeness import completeness_findings
from carbon_report.core.errors import (
    OutputError,
    SameAsInput,
    TemplateError,
    TimeLimitExceeded,
    UnreadableWorkbook,
)
from carbon_report.core.factors import load_library
from carbon_report.core.findings import Code
from carbon_report.core.model import Finding, Intake, Result, Stage
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate import validate
from carbon_report.io.reader import read_workbook
from carbon_report.outputs.computed import SheetTable, computed_tables, stage_display

# "failed": the user's environment refused an output (folder read-only or a file, disk full, name too long,
# file open in another program) or the run passed --time-limit; exit status 2 like "unreadable".
Status = Literal["ok", "invalid", "unreadable", "failed"]
# A progress callback gets each phase's name as the phase starts (the CLI prints them for slow runs).
Progress = Callable[[str], None]
PHASES = ("read", "validate", "calculate", "workbook", "report")


def _no_progress(phase: str) -> None:
    pass


@dataclass
class Options:
    force: bool = False
    report: bool = True
    pdf: bool = False
    report_template: Path | None = None
    today: dt.date | None = None
    time_limit: float | None = None  # seconds for the whole of process_file (None: no limit)


@dataclass
class Outcome:
    input: Path
    status: Status
    findings: list[Finding]
    intake: Intake | None = None
    result: Result | None = None
    outputs: dict[str, str | None] = field(default_factory=lambda: {"workbook": None, "report": None})
    notices: list[str] = field(default_factory=list)
    library_version: str = ""
    run_date: dt.date = field(default_factory=dt.date.today)  # the day defaults follow when 报告日期 is blank

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def exit_code(self) -> int:
        if self.status in ("unreadable", "failed"):
            return 2
        return 1 if self.errors else 0

    def fail(self, code: str, message: str) -> None:
        """The run could not finish for a reason outside the workbook: one error, status "failed"."""
        self.findings.append(Finding("error", "", "", code, message))
        self.status = "failed"

    def to_json(self) -> dict[str, Any]:
        r = self.result if self.status == "ok" else None
        c = self.intake.company if self.intake else None
        return {
            "input": str(self.input),
            "status": self.status,
            "company": {"name": c.name, "uscc": c.uscc, "year": c.year} if c else None,
            "stages": {s.value: r.stage_totals[s] for s in Stage} if r else None,
            "total_tco2e": r.total if r else None,
            "shares": ({s.value: r.shares[s] for s in Stage} if r.shares is not None else None) if r else None,
            "intensity": [{"product": i.product, "unit": i.unit, "tco2e_per_unit": i.tco2e_per_unit}
                          for i in r.intensities] if r else None,
            "targets": [_target_json(t) for t in r.targets] if r else None,
            "issues": [f.as_dict() for f in self.findings],
            "outputs": dict(self.outputs),
            "biogenic_co2_t": r.biogenic_co2_t if r else None,
            "library_version": self.library_version or None,
            "gwp_version": c.gwp_version if c else None,
            "display": _display(self.intake, r) if r and self.intake else None,
            **_scopes_json(r),
            "factor_date": ((self.intake.factor_date if self.intake else None) or self.run_date).isoformat(),
        }


def _display(intake: Intake, r: Result) -> dict[str, Any]:
    """Shares and notes as 排放汇总 and the report print them (largest remainder, "/" for a gap), for
    programs that show the figures; the numbers above stay unrounded."""
    shown = stage_display(intake, r)
    return {"shares": {s.value: shown[s].share_text for s in Stage},
            "stage_notes": {s.value: shown[s].note for s in Stage}}


def _scopes_json(r: Result | None) -> dict[str, Any]:
    """Scopes (GHG Protocol, Scope 2 both ways) and ISO 14064-1 categories, tCO2e unrounded; null unless ok."""
    s = r.scopes if r else None
    return {
        "scopes": dict(s.totals) if s else None,
        "iso14064_categories": {str(k): v for k, v in s.iso.items()} if s else None,
    }


def _target_json(t: Any) -> dict[str, Any]:
    out = {"year": t.year, "stage": t.stage.value if t.stage else None, "reduction_pct": t.reduction_pct,
           "target_tco2e": t.target_value if t.kind == "total" else None, "base_year": t.base_year,
           "base_tco2e": t.base_value if t.kind == "total" else None, "kind": t.kind}
    if t.kind == "intensity":
        out.update(product=t.product, unit=t.unit, target_tco2e_per_unit=t.target_value)
    return out


def analyse(raw: RawWorkbook, *, today: dt.date | None = None,
            progress: Progress = _no_progress) -> tuple[Intake | None, Result | None, list[Finding]]:
    """The pure core: validated intake, result (None when there are errors) and every finding."""
    library = load_library()
    folder = raw.folder

    def picture_exists(rel: str) -> bool:  # the one question validation asks of the disk
        return folder is not None and (folder / rel).is_file()

    progress("validate")
    intake, findings = validate(raw, library, today=today, picture_exists=picture_exists)
    if intake is not None:
        findings = findings + completeness_findings(intake, sheet_names=raw.sheet_names)
    if intake is None or any(f.is_error for f in findings):
        return intake, None, findings
    progress("calculate")
    result, more = calculate(intake, library)
    return intake, result, findings + more


def check_file(path: Path, *, today: dt.date | None = None, progress: Progress = _no_progress) -> Outcome:
    """Validate (and calculate) without writing anything."""
    path = Path(path)
    progress("read")
    try:
        raw = read_workbook(path)
    except UnreadableWorkbook as e:
        return Outcome(path, "unreadable", [Finding("error", "", "", e.code, e.message)])
    intake, result, findings = analyse(raw, today=today, progress=progress)
    status: Status = "ok" if result is not None else "invalid"
    return Outcome(path, status, findings, intake, result, library_version=load_library().version,
                   run_date=today or dt.date.today())


def output_paths(path: Path, out_dir: Path) -> tuple[Path, Path]:
    return (out_dir / f"{path.stem}{contract.WORKBOOK_OUTPUT_SUFFIX}{path.suffix.lower()}",
            out_dir / f"{path.stem}{contract.REPORT_OUTPUT_SUFFIX}.docx")


def process_file(path: Path, out_dir: Path, options: Options | None = None,
                 progress: Progress = _no_progress) -> Outcome:
    """Validate, calculate and write the computed workbook, and the report when there are no errors.
    The input file is only ever read. With options.time_limit the whole run stops after that many seconds
    (E-TIME-LIMIT, status "failed"); what was already written stays complete, nothing is left half-written."""
    options = options or Options()
    path, out_dir = Path(path), Path(out_dir)
    holder: list[Outcome] = []
    try:
        with time_limit(options.time_limit):
            return _process(path, out_dir, options, progress, holder)
    except TimeLimitExceeded:
        outcome = holder[0] if holder else Outcome(path, "failed", [])
        outcome.fail(Code.E_TIME_LIMIT, f"处理时间超过 --time-limit 给出的 {options.time_limit:g} 秒，已停止"
                     + ("；已写出的计算结果工作簿完整可用，未生成报告" if outcome.outputs.get("workbook") else "；未写出任何文件"))
        return outcome


def _process(path: Path, out_dir: Path, options: Options, progress: Progress, holder: list[Outcome]) -> Outcome:
    from carbon_report.io.atomic import remove_stale
    from carbon_report.outputs.workbook import write_workbook

    outcome = check_file(path, today=options.today, progress=progress)
    holder.append(outcome)
    if outcome.status == "unreadable":
        return outcome
    wb_out, report_out = output_paths(path, out_dir)
    if _same_file(wb_out, path) or _same_file(report_out, path):
        raise SameAsInput(str(path))
    remove_stale(out_dir)  # temporary files of runs killed outright (SIGKILL, power loss) in this folder
    tables = computed_tables(outcome.findings, outcome.intake, outcome.result, outcome.library_version)
    progress("workbook")
    try:
        write_workbook(path, tables, wb_out)
        outcome.outputs["workbook"] = str(wb_out)
    except OutputError as e:
        outcome.fail(e.code, _output_message(e, wb_out))
        return outcome
    if outcome.status == "ok" and options.report:
        progress("report")
        write_report(outcome, report_out, options)
    return outcome


def _output_message(e: OutputError, path: Path) -> str:
    if e.code == Code.E_OUTPUT_LOCKED:
        return f"输出文件“{path.name}”正被其他程序（如 Excel）打开，无法写入；请关闭后重试"
    return e.message


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitExceeded in this thread after `seconds` (None or 0: no limit). SIGALRM where there is
    one and this is the main thread; elsewhere (Windows) a timer interrupts the main thread, which takes
    effect at the next Python instruction."""
    if not seconds:
        yield
        return
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        def on_alarm(signum: int, frame: Any) -> None:
            raise TimeLimitExceeded(seconds)

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        _thread.interrupt_main()

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except KeyboardInterrupt:
        if fired.is_set():
            raise TimeLimitExceeded(seconds) from None
        raise
    finally:
        timer.cancel()


def process_copy(copy: Path, shown_as: Path, *, folder: Path | None, write_tables: Callable[[list[SheetTable]], None],
                 report_to: Path | None, options: Options | None = None,
                 progress: Progress = _no_progress) -> Outcome:
    """The Excel button's way in. `copy` is what Excel saved of the open workbook `shown_as`, which names
    every message; pictures are looked up in `folder` (beside the open workbook; None: nowhere). The
    computed tables go to `write_tables` (into the open workbook), then the report to `report_to` when there
    are no errors (None: no report)."""
    options = options or Options()
    progress("read")
    try:
        raw = read_workbook(copy)
    except UnreadableWorkbook as e:
        return Outcome(shown_as, "unreadable", [Finding("error", "", "", e.code, e.message)])
    raw = dataclasses.replace(raw, name=shown_as.name, folder=folder)
    intake, result, findings = analyse(raw, today=options.today, progress=progress)
    outcome = Outcome(shown_as, "ok" if result is not None else "invalid", findings, intake, result,
                      library_version=load_library().version)
    progress("workbook")
    write_tables(computed_tables(outcome.findings, outcome.intake, outcome.result, outcome.library_version))
    if outcome.status == "ok" and options.report and report_to is not None:
        progress("report")
        write_report(outcome, report_to, options)
    return outcome


def write_report(outcome: Outcome, desired: Path, options: Options) -> None:
    from carbon_report.outputs.report import render_report
    from carbon_report.outputs.report.fingerprint import report_output_path

    assert outcome.intake is not None and outcome.result is not None
    try:
        target, notice = report_output_path(desired, options.force)
        if notice:
            outcome.notices.append(notice)
        from carbon_report.outputs.report.toc import TocNotFilledWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TocNotFilledWarning)
            render_report(outcome.intake, outcome.result, outcome.findings, target,
                          workbook_dir=outcome.input.parent, template=options.report_template,
                          library_version=outcome.library_version)
        outcome.notices += [str(w.message) for w in caught if issubclass(w.category, TocNotFilledWarning)]
    except OutputError as e:  # the report open in Word, the folder read-only, the disk full …
        outcome.fail(e.code, e.message)
        return
    except TemplateError as e:  # a consultant's own template with a broken tag: one line, not a traceback
        outcome.findings.append(Finding("error", "", "", Code.E_REPORT_TEMPLATE, str(e)))
        return
    outcome.outputs["report"] = str(target)
    if options.pdf:
        from carbon_report.outputs.report.pdf import PdfFallbackWarning, PdfUnavailable, to_pdf

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", PdfFallbackWarning)
                outcome.outputs["pdf"] = str(to_pdf(target, target.with_suffix(".pdf")))
            outcome.notices += [str(w.message) for w in caught if issubclass(w.category, PdfFallbackWarning)]
        except PdfUnavailable as e:
            outcome.notices.append(f"未生成 PDF：{e}")
        except OutputError as e:
            outcome.fail(e.code, e.message)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False
