"""The converter behind the 目录 and the PDF (outputs/convert): one LibreOffice per process, kept running,
started again when it died and after a number of documents, and gone with everything it wrote when closed.

A real LibreOffice lays out a real report; the test reads back what a user would see (the 目录's lines with
page numbers, the PDF's contents page) and looks at the processes and folders as an administrator would.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from docx import Document

from carbon_report.outputs import convert
from carbon_report.outputs.convert import Filled, TocNotFilledWarning, default_converter
from carbon_report.outputs.convert.libreoffice import LibreOffice, find_soffice, find_uno_python
from carbon_report.outputs.report import render_report
from report_fixtures import calc, seed_intake

pytestmark = pytest.mark.skipif(not (find_soffice() and find_uno_python(find_soffice())),
                                reason="LibreOffice with UNO is not installed")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> bytes:
    """The seed company's report as rendered, its 目录 still the field's one line."""
    out = tmp_path_factory.mktemp("r") / "r.docx"
    intake = seed_intake()
    render_report(intake, calc(intake), [], out, workbook_dir=out.parent, fill_toc=False)
    return out.read_bytes()


def contents(docx: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(docx)).paragraphs if p.style.name.startswith("toc")]


def soffice_pids(converter: LibreOffice) -> set[int]:
    """The soffice.bin processes whose profile is in this converter's folder."""
    folder = converter._folder
    assert folder is not None
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if "soffice.bin" in cmd and folder.as_uri() in cmd:
                found.add(int(entry.name))
    return found


def running(pids: set[int], wait_s: float = 5.0) -> set[int]:
    """Those of `pids` still running after up to `wait_s` seconds (a zombie, killed and not yet reaped by
    its new parent, counts as ended)."""
    deadline = time.monotonic() + wait_s
    while True:
        alive = set()
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.add(pid)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def assert_filled(docx: bytes | None) -> None:
    assert docx is not None
    lines = contents(docx)
    assert lines[0] == "1 概论\t1"
    assert len(lines) >= 40 and all(re.search(r"\t\d+$", line) for line in lines)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_one_soffice_serves_many_reports_then_a_fresh_one(report: bytes) -> None:
    converter = LibreOffice(find_soffice(), recycle_after=2)
    try:
        assert_filled(converter.fill_toc(report).docx)
        first = soffice_pids(converter)
        assert len(first) == 1
        assert_filled(converter.fill_toc(report).docx)
        assert soffice_pids(converter) == first  # the same LibreOffice laid out the second report
        assert_filled(converter.fill_toc(report).docx)
        third = soffice_pids(converter)
        assert len(third) == 1 and third != first  # after two documents, a fresh one
        assert running(first) == set()  # the old one ended
    finally:
        folder = converter._folder
        converter.close()
    assert folder is not None and not folder.exists()  # the profile and the client's report copies are gone
    assert running(third) == set()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_libreoffice_that_died_is_started_again(report: bytes) -> None:
    converter = LibreOffice(find_soffice())
    try:
        assert_filled(converter.fill_toc(report).docx)
        (pid,) = soffice_pids(converter)
        os.kill(pid, signal.SIGKILL)  # a crash, the OOM killer
        assert running({pid}) == set()
        assert_filled(converter.fill_toc(report).docx)
        assert pid not in soffice_pids(converter)
    finally:
        converter.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_contents_and_pdf_come_from_one_load(report: bytes, tmp_path: Path) -> None:
    converter = LibreOffice(find_soffice())
    try:
        filled = converter.fill_toc(report, pdf=tmp_path / "报告.pdf")
        assert converter._helper is not None and converter._helper.served == 1  # one document loaded, once
    finally:
        converter.close()
    assert isinstance(filled, Filled) and filled.pdf == tmp_path / "报告.pdf"
    assert_filled(filled.docx)
    text = subprocess.run(["pdftotext", "-layout", str(filled.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")
    assert re.search(r"1概论\.{3,}1\n", text)
    assert "打开文档时更新" not in text


def test_the_process_has_one_converter(monkeypatch) -> None:
    first = default_converter()
    assert first is not None and first.name == "LibreOffice"
    assert default_converter() is first  # process-wide: one LibreOffice however many reports
    empty = Path("/nonexistent-bin")
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CARBON_REPORT_SOFFICE", raising=False)
    assert default_converter() is None  # LibreOffice gone from the PATH: no converter, the old one closed


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_document_libreoffice_cannot_lay_out_leaves_it_serving(report: bytes, monkeypatch) -> None:
    converter = LibreOffice(find_soffice())
    monkeypatch.setattr(convert, "_said", False)
    try:
        assert_filled(converter.fill_toc(report).docx)
        before = soffice_pids(converter)
        with pytest.warns(TocNotFilledWarning, match="LibreOffice 未能更新目录"):  # said once; Word fills it
            assert converter.fill_toc(b"PK\x03\x04 not a package").docx is None
        assert_filled(converter.fill_toc(report).docx)
        assert soffice_pids(converter) == before  # no restart for one bad document
    finally:
        converter.close()
