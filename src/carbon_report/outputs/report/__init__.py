"""The Word report (绿色低碳现代数智企业评价报告) from workbook_templates/report_template.docx.

    render_report(intake, result, findings, out_path, workbook_dir=..., template=None, library_version="")
    report_output_path(desired, force) -> (path, notice)      # never overwrite an edited report
    to_pdf(docx, out_pdf) -> Path                             # LibreOffice, indexes updated through UNO

docxtpl and LibreOffice are imported only when a report is made, so `carbon-report --help` stays fast.
Charts are native Word charts (charts.py), not pictures.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carbon_report.core.model import Finding, Intake, Result

__all__ = ["render_report", "report_output_path", "to_pdf", "default_template"]


def render_report(intake: Intake, result: Result, findings: list[Finding], out_path: Path, *,
                  workbook_dir: Path, template: Path | None = None, library_version: str = "",
                  fill_toc: bool = True, pdf: Path | None = None, logo: bytes | None = None) -> Path | None:
    """Render the report into `out_path` (written atomically; core.errors.OutputLocked if it is open in Word).
    With `fill_toc` and an office program installed (outputs/convert), the contents page is filled (toc.py);
    otherwise a toc.TocNotFilledWarning says once that Word fills it on opening. With `pdf`, the PDF is
    exported there from the same layout; returns its path when made so, else None."""
    from carbon_report.outputs.report.render import render_report as _render

    return _render(intake, result, findings, Path(out_path), workbook_dir=Path(workbook_dir),
                   template=Path(template) if template else None, library_version=library_version,
                   fill_toc=fill_toc, pdf=Path(pdf) if pdf else None, logo=logo)


def __getattr__(name: str) -> Any:
    if name == "report_output_path":
        from carbon_report.outputs.report import fingerprint

        return getattr(fingerprint, name)
    if name == "to_pdf":
        from carbon_report.outputs.report.pdf import to_pdf

        return to_pdf
    if name == "default_template":
        from carbon_report.outputs.report import render

        return getattr(render, name)
    raise AttributeError(name)
