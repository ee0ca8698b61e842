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
from carbon_report.core.factors import Library, load_library
from carbon_report.core.findings import Code
from carbon_report.core.history import (
    HistoryWorkbook,
    PickedWorkbook,
    Threshold,
    build_history,
    default_threshold,
    pick_history,
    run_history,
)
from carbon_report.core.model import Finding, Intake, Result
from carbon_report.core.pcf import excluded_findings, pact_findings, product_footprints
from carbon_report.core.profile import ProfileRun, apply_profile
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate import validate
from carbon_report.core.validate.pcf import check_pcf, footprint_columns_used
from carbon_report.core.validate.pictures import PictureStatus
from carbon_report.io.evidence import EvidenceProbe
from carbon_report.io.pictures import picture_status
from carbon_report.io.reader import read_workbook
from carbon_report.outputs.computed import SheetTable, computed_tables
from carbon_report.outputs.results import WorkbookResult, workbook_result

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
    # Earlier years' workbooks (files or folders: --history); each is computed as reported and recalculated.
    history: tuple[Path, ...] = ()
    recalc_threshold_pct: float | None = None  # None: core/factors/base_year.toml
    library: Library | None = None  # this run's factor library (None: the bundled edition)
    history_library: Library | None = None  # the edition history workbooks were reported with (None: this run's)
    time_limit: float | None = None  # seconds for the whole of process_file (None: no limit)
    # the consultancy profile as plain data (core/profile.py): fills the company fields 企业信息 left blank
    profile: ProfileRun | None = None
    pcf: bool = False  # --pcf: product footprints, one report and one PACT file per product (issue 28)


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

    def fail(self, finding: Finding) -> None:
        """The run could not finish for a reason outside the workbook: one error, status "failed"."""
        self.findings.append(finding)
        self.status = "failed"

    def to_result(self, sha256: str = "") -> WorkbookResult:
        """The run as the API's frozen result (outputs/results.py): what the JSON and the tables are made from."""
        return workbook_result(self.input, self.status, self.findings, self.intake, self.result,
                               outputs=self.outputs, notices=self.notices, library_version=self.library_version,
                               run_date=self.run_date, sha256=sha256)

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON, made from the frozen result."""
        return self.to_result().to_json()


def analyse(raw: RawWorkbook, *, today: dt.date | None = None, progress: Progress = _no_progress,
            options: Options | None = None) -> tuple[Intake | None, Result | None, list[Finding]]:
    """The pure core: validated intake, result (None when there are errors) and every finding. With
    `options.history`, the earlier years' workbooks are read and computed here too (history.py)."""
    options = options or Options()
    library = options.library or load_library()
    folder = raw.folder

    def status(text: str) -> PictureStatus:  # the one question validation asks of the disk
        return picture_status(folder, text)

    evidence = EvidenceProbe(folder)  # 证明材料: only inside the folder, each file hashed once, in io

    early: list[Finding] = []
    picked: list[PickedWorkbook] = []
    day = today or dt.date.today()
    if options.history:
        found, early = _read_history(raw, options)
        picked, more = pick_history(raw, found, day)
        early += more
    progress("validate")
    intake, findings = validate(raw, library, today=today, picture_status=status, evidence=evidence,
                                covered_years=frozenset(p.year for p in picked))
    findings = findings + early
    if intake is not None:
        intake = apply_profile(intake, options.profile)  # before completeness: a field it fills is not blank
        findings = findings + completeness_findings(intake, sheet_names=raw.sheet_names)
    if intake is None or any(f.is_error for f in findings):
        return intake, None, findings
    history = None
    if picked or intake.history:
        runs, more = run_history(picked, options.history_library or library, today=today)
        threshold = default_threshold()
        if options.recalc_threshold_pct is not None:
            threshold = Threshold(options.recalc_threshold_pct, "本次运行以 --recalc-threshold 指定")
        history, more2 = build_history(intake, runs, threshold, library)
        findings = findings + more + more2
    progress("calculate")
    result, more = calculate(intake, library, history)
    findings = findings + more
    if options.pcf or footprint_columns_used(intake):
        plan, more = check_pcf(intake)
        findings = findings + more
        if plan is None:
            return intake, None, findings
        pcf = product_footprints(intake, result, plan.allocation, plan.basis_zh)
        findings = findings + excluded_findings(pcf) + (pact_findings(intake, pcf) if options.pcf else [])
        result = dataclasses.replace(result, pcf=pcf)
    return intake, result, findings


def history_files(paths: tuple[Path, ...], current: Path | None = None) -> list[Path]:
    """The history workbooks named: files as given, folders by their .xlsx/.xlsm (not Excel's ~$ lock
    files, hidden files, or the current input itself)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        found = sorted(x for x in p.iterdir() if x.suffix.lower() in contract.WORKBOOK_EXTENSIONS
                       and not x.name.startswith(("~$", "."))) if p.is_dir() else [p]
        for x in found:
            if current is not None and _same_file(x, current):
                continue
            if all(not _same_file(x, y) for y in out):
                out.append(x)
    return out


def _read_history(raw: RawWorkbook, options: Options) -> tuple[list[HistoryWorkbook], list[Finding]]:
    """Read every history workbook named (io); which of them count is core's rule (core/history.py)."""
    findings: list[Finding] = []
    out: list[HistoryWorkbook] = []
    current = raw.folder / raw.name if raw.folder is not None else None

    def warn(code: Code, /, **fields: object) -> None:
        findings.append(Finding.of(code, **fields))

    for path in history_files(options.history, current):
        try:
            out.append(HistoryWorkbook(path.name, read_workbook(path)))
        except UnreadableWorkbook as e:
            warn(Code.W_HISTORY_UNREADABLE, file=path.name, why=e.message)
        except OSError as e:
            warn(Code.W_HISTORY_UNREADABLE, file=path.name, why=e.strerror or e)
    return out, findings


def check_file(path: Path, *, today: dt.date | None = None, progress: Progress = _no_progress,
               options: Options | None = None) -> Outcome:
    """Validate (and calculate) without writing anything."""
    path = Path(path)
    progress("read")
    try:
        raw = read_workbook(path)
    except UnreadableWorkbook as e:
        return Outcome(path, "unreadable", [Finding.raised(e)])
    intake, result, findings = analyse(raw, today=today, progress=progress, options=options)
    status: Status = "ok" if result is not None else "invalid"
    library = (options.library if options else None) or load_library()
    return Outcome(path, status, findings, intake, result, library_version=library.version,
                   run_date=today or dt.date.today(), notices=profile_notices(intake))


def profile_notices(intake: Intake | None) -> list[str]:
    """The fields the consultancy profile filled, said once (no default goes unsaid)."""
    if intake is None or not intake.company.from_profile:
        return []
    labels = {lab.key: lab.text for lab in contract.LABELS} | {"website": "查询网址"}
    names = "、".join(labels.get(k, k) for k in intake.company.from_profile)
    return [f"工作簿“企业信息”中为空的{names}取自咨询机构配置（carbon-report profile） taken from the consultancy profile"]


def output_paths(path: Path, out_dir: Path) -> tuple[Path, Path]:
    workbook, report = contract.output_names(path.name)
    return out_dir / workbook, out_dir / report


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
        outcome.fail(Finding.of(Code.E_TIME_LIMIT, seconds=f"{options.time_limit:g}",
                                written=outcome.outputs.get("workbook") or "—"))
        return outcome


def _process(path: Path, out_dir: Path, options: Options, progress: Progress, holder: list[Outcome]) -> Outcome:
    from carbon_report.io.atomic import remove_stale
    from carbon_report.outputs.workbook import write_workbook

    outcome = check_file(path, today=options.today, progress=progress, options=options)
    holder.append(outcome)
    if outcome.status == "unreadable":
        return outcome
    wb_out, report_out = output_paths(path, out_dir)
    if _same_file(wb_out, path) or _same_file(report_out, path):
        raise SameAsInput(str(path))
    remove_stale(out_dir)  # temporary files of runs killed outright (SIGKILL, power loss) in this folder
    if outcome.status == "ok" and options.report:  # LibreOffice starts while the workbook is written
        from carbon_report.outputs.convert import prestart

        prestart()
    tables = computed_tables(outcome.findings, outcome.intake, outcome.result, outcome.library_version)
    progress("workbook")
    try:
        write_workbook(path, tables, wb_out)
        outcome.outputs["workbook"] = str(wb_out)
    except OutputError as e:
        outcome.fail(Finding.of(Code.E_OUTPUT_LOCKED, path=wb_out) if e.code == Code.E_OUTPUT_LOCKED
                     else Finding.raised(e))
        return outcome
    del tables  # a 20,000-row workbook's tables are tens of MB the report does not need (≤ 300 MB a worker)
    if outcome.status == "ok" and options.report:
        progress("report")
        write_report(outcome, report_out, options)
    if outcome.status == "ok" and options.pcf:
        progress("report")
        write_footprint_files(outcome, out_dir, options)
    return outcome


def write_footprint_files(outcome: Outcome, out_dir: Path, options: Options) -> None:
    """--pcf: one 产品碳足迹报告 and one PACT file per product, beside the evaluation report."""
    from carbon_report.outputs.pcf import write_footprints

    assert outcome.intake is not None and outcome.result is not None
    try:
        done = write_footprints(outcome.intake, outcome.result, outcome.input, out_dir, force=options.force,
                                library_version=outcome.library_version)
    except OutputError as e:
        outcome.fail(e.code, e.message)
        return
    outcome.findings += done.findings
    outcome.notices += done.notices
    outcome.outputs["pcf_reports"] = dict(done.reports)  # type: ignore[assignment]
    outcome.outputs["pact"] = dict(done.pact)  # type: ignore[assignment]


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
        return Outcome(shown_as, "unreadable", [Finding.raised(e)])
    raw = dataclasses.replace(raw, name=shown_as.name, folder=folder)
    intake, result, findings = analyse(raw, today=options.today, progress=progress, options=options)
    outcome = Outcome(shown_as, "ok" if result is not None else "invalid", findings, intake, result,
                      library_version=(options.library or load_library()).version, notices=profile_notices(intake))
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
        from carbon_report.outputs.report.template_file import TemplateExternalWarning
        from carbon_report.outputs.report.toc import TocNotFilledWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TocNotFilledWarning)
            warnings.simplefilter("always", TemplateExternalWarning)
            made_pdf = render_report(outcome.intake, outcome.result, outcome.findings, target,
                                     workbook_dir=outcome.input.parent, template=options.report_template,
                                     library_version=outcome.library_version,
                                     pdf=target.with_suffix(".pdf") if options.pdf else None,
                                     logo=options.profile.logo if options.profile else None)
        outcome.notices += [str(w.message) for w in caught if issubclass(w.category, TocNotFilledWarning)]
        outcome.findings += [Finding.of(Code.W_TEMPLATE_EXTERNAL, file=w.message.file, links=w.message.links)
                             for w in caught if isinstance(w.message, TemplateExternalWarning)][:1]
    except OutputError as e:  # the report open in Word, the folder read-only, the disk full …
        outcome.fail(Finding.raised(e))
        return
    except TemplateError as e:  # a consultant's own template with a broken tag: one line, not a traceback,
        outcome.fail(Finding.raised(e))  # and the run failed (exit 2), as for a missing template
        return
    outcome.outputs["report"] = str(target)
    if made_pdf is not None:  # exported from the same layout that filled the 目录
        outcome.outputs["pdf"] = str(made_pdf)
        outcome.notices.append(_pdf_notice())
    elif options.pdf:
        from carbon_report.outputs.report.pdf import PdfFallbackWarning, PdfUnavailable, to_pdf

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", PdfFallbackWarning)
                outcome.outputs["pdf"] = str(to_pdf(target, target.with_suffix(".pdf")))
            outcome.notices.append(_pdf_notice())
            outcome.notices += [str(w.message) for w in caught if issubclass(w.category, PdfFallbackWarning)]
        except PdfUnavailable as e:
            outcome.notices.append(f"未生成 PDF：{e}")
        except OutputError as e:
            outcome.fail(Finding.raised(e))


def _pdf_notice() -> str:
    """`--pdf` says which office program made the PDF (Word on Windows, else LibreOffice)."""
    from carbon_report.outputs.convert import default_converter

    converter = default_converter()
    name = converter.name if converter is not None else "?"
    return f"PDF 由 {name} 生成 made with {name}"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, RuntimeError):  # RuntimeError: pathlib's "Symlink loop from …"
        return False
