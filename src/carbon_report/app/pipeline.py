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
from carbon_report.core.model import EvidenceFile, Finding, Intake, Result, Stage
from carbon_report.core.pcf import excluded_findings, product_footprints
from carbon_report.core.profile import ProfileRun, apply_profile
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate import validate
from carbon_report.core.validate.pcf import check_pcf, footprint_columns_used
from carbon_report.core.validate.pictures import PictureStatus
from carbon_report.io.evidence import probe_evidence
from carbon_report.io.pictures import picture_status
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
            "sites": r.site_totals if r else None,
            "uncertainty_pct": _uncertainty_json(r),
            "factor_date": ((self.intake.factor_date if self.intake else None) or self.run_date).isoformat(),
            **_history_json(r),
            "products": _products_json(r),
        }


def _history_json(r: Result | None) -> dict[str, Any]:
    """Earlier years oldest first (tCO2e unrounded): `as_reported` and `recalculated` ({total_tco2e,
    stages}; recalculated null for a 历史排放 year), `reasons` ({kind, description, effect_tco2e}; they add up
    to recalculated − as reported), and whether the targets use a recalculated base year. Deprecated, kept
    for one release (intake contract): `total_tco2e`, `recalculated_tco2e`, `stages` (as reported) of each
    year and `base_year.reasons` (texts)."""
    h = r.history if r else None

    def figures(total: float | None, stages: dict[Stage, float] | None) -> dict[str, Any] | None:
        if total is None:
            return None
        return {"total_tco2e": total, "stages": {s.value: stages[s] for s in Stage} if stages is not None else None}

    years = [{"year": y.year, "source": y.source,
              "as_reported": figures(y.reported_total, y.reported_stages),
              "recalculated": figures(y.recalculated_total, y.recalculated_stages),
              "reasons": [{"kind": x.kind, "description": x.description, "effect_tco2e": x.effect_tco2e}
                          for x in y.reasons],
              # deprecated (one more release): as_reported.total_tco2e, recalculated.total_tco2e, as_reported.stages
              "total_tco2e": y.reported_total, "recalculated_tco2e": y.recalculated_total,
              "stages": ({s.value: y.reported_stages[s] for s in Stage} if y.reported_stages is not None else None)}
             for y in h.years] if h else []
    b = h.base if h else None
    return {
        "history": years if r else None,
        "base_year_recalculated": bool(b and b.recalculated) if r else None,
        "base_year": {"year": b.year, "source": b.source, "reported_tco2e": b.reported_total,
                      "recalculated_tco2e": b.recalculated_total, "difference_pct": b.difference_pct,
                      "cumulative_pct": b.cumulative_pct, "threshold_pct": b.threshold_pct,
                      "reasons": list(b.reasons)} if b else None,
    }


def _products_json(r: Result | None) -> list[dict[str, Any]] | None:
    """Product footprints (issue 28): tCO2e and kgCO2e per declared unit unrounded; null unless computed."""
    if r is None or r.pcf is None:
        return None
    return [{"name": fp.name, "declared_unit": fp.declared_unit, "output": fp.output,
             "unit_mass_kg": fp.unit_mass_kg, "boundary": fp.boundary,
             "allocation": fp.allocation, "allocation_share": fp.share, "total_tco2e": fp.total_tco2e,
             "per_unit_kgco2e": fp.per_unit_kgco2e, "stages": {s.value: v for s, v in fp.stages.items()},
             "gases": dict(fp.gases), "biogenic_co2_t": fp.biogenic_co2_t,
             "primary_data_share": fp.primary_data_share, "excluded_tco2e": fp.excluded_tco2e}
            for fp in r.pcf.products]


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


def _uncertainty_json(r: Result | None) -> dict[str, Any] | None:
    """IPCC Approach 1 in percent, unrounded; null unless ok and the workbook gives 数据质量 or 不确定度.
    A stage with no emissions has no relative uncertainty: null."""
    u = r.uncertainty if r else None
    if u is None:
        return None
    return {"total": u.total_pct, "stages": {s.value: u.stages[s] for s in Stage}}


def _target_json(t: Any) -> dict[str, Any]:
    out = {"year": t.year, "stage": t.stage.value if t.stage else None, "reduction_pct": t.reduction_pct,
           "target_tco2e": t.target_value if t.kind == "total" else None, "base_year": t.base_year,
           "base_tco2e": t.base_value if t.kind == "total" else None, "kind": t.kind}
    if t.kind == "intensity":
        out.update(product=t.product, unit=t.unit, target_tco2e_per_unit=t.target_value)
    return out


def analyse(raw: RawWorkbook, *, today: dt.date | None = None, progress: Progress = _no_progress,
            options: Options | None = None) -> tuple[Intake | None, Result | None, list[Finding]]:
    """The pure core: validated intake, result (None when there are errors) and every finding. With
    `options.history`, the earlier years' workbooks are read and computed here too (history.py)."""
    options = options or Options()
    library = options.library or load_library()
    folder = raw.folder

    def status(text: str) -> PictureStatus:  # the one question validation asks of the disk
        return picture_status(folder, text)

    def evidence(text: str) -> EvidenceFile:  # 证明材料: only inside the folder, hashed in io
        return probe_evidence(folder, text)

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
        findings = findings + excluded_findings(pcf)
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
        from carbon_report.outputs.report.toc import TocNotFilledWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TocNotFilledWarning)
            made_pdf = render_report(outcome.intake, outcome.result, outcome.findings, target,
                                     workbook_dir=outcome.input.parent, template=options.report_template,
                                     library_version=outcome.library_version,
                                     pdf=target.with_suffix(".pdf") if options.pdf else None)
        outcome.notices += [str(w.message) for w in caught if issubclass(w.category, TocNotFilledWarning)]
    except OutputError as e:  # the report open in Word, the folder read-only, the disk full …
        outcome.fail(Finding.raised(e))
        return
    except TemplateError as e:  # a consultant's own template with a broken tag: one line, not a traceback
        outcome.findings.append(Finding.raised(e))
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
    except OSError:
        return False
