"""The report as PDF, through the process's converter (outputs/convert: LibreOffice, kept running).

The table of contents is a field that Word fills when the document opens; LibreOffice ignores
<w:updateFields>, so the converter updates the indexes before export (through UNO). When the report is made
with its 目录 filled, the PDF comes from that same load (render.render_report(pdf=…)); this module converts a
report already on disk. Without UNO the converter falls back to plain `soffice --convert-to pdf` and a
PdfFallbackWarning says the contents page may lack page numbers.
"""

from __future__ import annotations

from pathlib import Path

from carbon_report.core.errors import OutputLocked, PdfUnavailable
from carbon_report.outputs.convert import PdfFallbackWarning, default_converter
from carbon_report.outputs.convert.libreoffice import (
    FONT_ALIASES,
    LibreOfficeNotFound,
    PdfConversionError,
    find_soffice,
    find_uno_python,
)

__all__ = ["FONT_ALIASES", "LibreOfficeNotFound", "PdfConversionError", "PdfFallbackWarning", "PdfUnavailable",
           "find_soffice", "find_uno_python", "to_pdf"]


def to_pdf(docx: Path, out_pdf: Path) -> Path:
    """Convert `docx` to `out_pdf` (replaced atomically) and return `out_pdf`."""
    docx, out_pdf = Path(docx).resolve(), Path(out_pdf).resolve()
    converter = default_converter()
    if converter is None:
        raise LibreOfficeNotFound()
    try:
        converter.to_pdf(docx, out_pdf)
    except OutputLocked as exc:
        from carbon_report.outputs.report.fingerprint import report_locked

        raise report_locked(out_pdf) from exc
    return out_pdf
