"""The Word report (绿色低碳现代数智企业评价报告) from workbook_templates/report_template.docx.

    render_report(intake, result, findings, out_path, workbook_dir=..., template=None, library_version="")
    report_output_path(desired, force) -> (path, notice)      # never overwrite an edited report
    ReportLocked                                              # the report is open in Word
    to_pdf(docx, out_pdf) -> Path                             # LibreOffice, indexes updated through UNO

docxtpl, matplotlib and LibreOffice are imported only when a report is made, so `carbon-report --help`
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carbon_report.model import Finding, Intake, Result

__all__ = ["render_report", "report_output_path", "ReportLocked", "to_pdf", "default_template",
           "TemplateError"]


def render_report(intake: Intake, result: Result, findings: list[Finding], out_path: Path, *,
                  workbook_dir: Path, template: Path | None = None, library_version: str = "") -> None:
    """Render the report into `out_path` (written atomically; ReportLocked if it is open in Word)."""
    from carbon_report.report.render import render_report as _render

    _render(intake, result, findings, Path(out_path), workbook_dir=Path(workbook_dir),
            template=Path(template) if template else None, library_version=library_version)


def __getattr__(name: str) -> Any:
    if name in ("report_output_path", "ReportLocked"):
        from carbon_report.report import fingerprint

        return getattr(fingerprint, name)
    if name == "to_pdf":
        from carbon_report.report.pdf import to_pdf

        return to_pdf
    if name in ("default_template", "TemplateError"):
        from carbon_report.report import render

        return getattr(render, name)
    raise AttributeError(name)
