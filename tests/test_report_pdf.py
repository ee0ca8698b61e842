"""The report through LibreOffice headless (skipped where LibreOffice is not installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings

import pytest

from carbon_report.outputs.report import render_report
from carbon_report.outputs.report.pdf import LibreOfficeNotFound, PdfFallbackWarning, find_soffice, to_pdf
from report_fixtures import SEED_NAME, calc, seed_intake

needs_lo = pytest.mark.skipif(find_soffice() is None or shutil.which("pdftotext") is None,
                              reason="LibreOffice or poppler-utils not installed")


def _pages(pdf) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


@needs_lo
def test_pdf_has_the_numbers_and_a_contents_page_with_page_numbers(tmp_path):
    intake = seed_intake()
    docx = tmp_path / "报告.docx"
    render_report(intake, calc(intake), [], docx, workbook_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PdfFallbackWarning)  # UNO must work here: python3-uno is installed
        pdf = to_pdf(docx, tmp_path / "pdf" / "报告.pdf")
    assert pdf.is_file()
    assert 20 <= _pages(pdf) <= 60
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    compact = text.replace(" ", "")
    assert SEED_NAME in compact
    assert "2,502.53" in text and "98.35%" in text
    # the contents were updated before export: chapter lines end in page numbers
    assert re.search(r"1概论\.{3,}\d+", compact)
    assert re.search(r"6评价结论和建议\.{3,}\d+", compact)
    assert "打开文档时更新" not in compact


def test_missing_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr("carbon_report.outputs.convert.libreoffice.find_soffice", lambda: None)
    with pytest.raises(LibreOfficeNotFound, match="未找到 LibreOffice"):
        to_pdf(tmp_path / "x.docx", tmp_path / "x.pdf")


@needs_lo
def test_fallback_without_uno_says_so(tmp_path, monkeypatch):
    intake = seed_intake()
    docx = tmp_path / "r.docx"
    render_report(intake, calc(intake), [], docx, workbook_dir=tmp_path)
    monkeypatch.setattr("carbon_report.outputs.convert.libreoffice.find_uno_python", lambda soffice: None)
    with pytest.warns(PdfFallbackWarning, match="目录页可能没有页码"):
        pdf = to_pdf(docx, tmp_path / "r.pdf")
    assert _pages(pdf) >= 20
