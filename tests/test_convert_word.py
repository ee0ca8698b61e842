"""Word as the converter (issue 29): only Windows has Word, so a fake Word records the exact COM calls
outputs/convert/word.py makes (Word's object model: Application, Documents.Open, TablesOfContents, Save,
ExportAsFixedFormat, Close, Quit), with the argument values Word's enumerations define."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from carbon_report.outputs.convert.word import Word, WordFailed


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []


class FakeToc:
    def __init__(self, rec: Recorder, n: int) -> None:
        self.rec, self.n = rec, n

    def Update(self) -> None:  # noqa: N802 - COM names
        self.rec.calls.append(("TablesOfContents.Update", self.n))


class FakeDoc:
    def __init__(self, rec: Recorder, path: str) -> None:
        self.rec, self.path = rec, path
        self.TablesOfContents = [FakeToc(rec, 1)]

    def Save(self) -> None:  # noqa: N802
        self.rec.calls.append(("Save",))
        Path(self.path).write_bytes(Path(self.path).read_bytes() + b"|toc filled by Word")

    def ExportAsFixedFormat(self, **kw: Any) -> None:  # noqa: N802
        self.rec.calls.append(("ExportAsFixedFormat", kw))
        Path(kw["OutputFileName"]).write_bytes(b"%PDF-1.7 fake")

    def Close(self, **kw: Any) -> None:  # noqa: N802
        self.rec.calls.append(("Close", kw))


class FakeDocuments:
    def __init__(self, rec: Recorder, delay: float = 0.0) -> None:
        self.rec, self.delay = rec, delay

    def Open(self, **kw: Any) -> FakeDoc:  # noqa: N802
        self.rec.calls.append(("Documents.Open", kw))
        if self.delay:
            time.sleep(self.delay)
            raise OSError("(-2147023170, 'The remote procedure call failed.')")  # what COM says when Word dies
        return FakeDoc(self.rec, kw["FileName"])


class FakeWord:
    def __init__(self, rec: Recorder, delay: float = 0.0) -> None:
        object.__setattr__(self, "rec", rec)
        object.__setattr__(self, "Documents", FakeDocuments(rec, delay))

    def __setattr__(self, name: str, value: Any) -> None:
        self.rec.calls.append(("set", name, value if name != "Caption" else "carbon-report-…"))
        object.__setattr__(self, name, value)

    def Quit(self, **kw: Any) -> None:  # noqa: N802
        self.rec.calls.append(("Quit", kw))


def word(rec: Recorder, delay: float = 0.0, timeout: float = 60) -> tuple[Word, list[int]]:
    killed: list[int] = []

    def dispatch() -> FakeWord:
        rec.calls.append(("DispatchEx", "Word.Application"))
        return FakeWord(rec, delay)

    return Word(dispatch=dispatch, pid_of=lambda caption: 4242 if caption.startswith("carbon-report-") else None,
                kill=killed.append, timeout=timeout), killed


START = [("DispatchEx", "Word.Application"), ("set", "Visible", False), ("set", "DisplayAlerts", 0),
         ("set", "ScreenUpdating", False), ("set", "Caption", "carbon-report-…")]


def test_fill_toc_and_pdf_in_one_load(tmp_path: Path) -> None:
    rec = Recorder()
    w, killed = word(rec)
    filled = w.fill_toc(b"PK docx bytes", pdf=tmp_path / "报告.pdf")
    assert filled.docx == b"PK docx bytes|toc filled by Word"
    assert filled.pdf == tmp_path / "报告.pdf" and filled.pdf.read_bytes() == b"%PDF-1.7 fake"
    opened = rec.calls[len(START)][1]
    assert rec.calls[:len(START)] == START
    assert opened == {"FileName": opened["FileName"], "ConfirmConversions": False, "ReadOnly": False,
                      "AddToRecentFiles": False, "Visible": False, "NoEncodingDialog": True}
    assert opened["FileName"].endswith("report.docx")
    export = rec.calls[len(START) + 3][1]
    assert rec.calls[len(START) + 1:] == [
        ("TablesOfContents.Update", 1),
        ("Save",),
        ("ExportAsFixedFormat", {"OutputFileName": export["OutputFileName"], "ExportFormat": 17,  # wdExportFormatPDF
                                 "OpenAfterExport": False, "OptimizeFor": 0,  # wdExportOptimizeForPrint
                                 "CreateBookmarks": 1, "DocStructureTags": True}),  # heading bookmarks
        ("Close", {"SaveChanges": 0}),  # wdDoNotSaveChanges
    ]
    assert killed == []
    # a second document: the same Word, no new DispatchEx
    rec.calls.clear()
    w.fill_toc(b"PK another")
    assert not [c for c in rec.calls if c[0] in ("DispatchEx", "ExportAsFixedFormat")]
    w.close()
    assert rec.calls[-1] == ("Quit", {"SaveChanges": 0})
    w.close()  # twice is safe
    assert rec.calls.count(("Quit", {"SaveChanges": 0})) == 1


def test_to_pdf_reads_only_and_updates_the_contents_first(tmp_path: Path) -> None:
    rec = Recorder()
    w, _ = word(rec)
    docx = tmp_path / "企业A_评价报告.docx"
    docx.write_bytes(b"PK original")
    w.to_pdf(docx, tmp_path / "企业A_评价报告.pdf")
    assert (tmp_path / "企业A_评价报告.pdf").read_bytes() == b"%PDF-1.7 fake"
    assert docx.read_bytes() == b"PK original"  # never saved
    names = [c[0] for c in rec.calls[len(START):]]
    assert names == ["Documents.Open", "TablesOfContents.Update", "ExportAsFixedFormat", "Close"]
    assert rec.calls[len(START)][1]["ReadOnly"] is True and rec.calls[len(START)][1]["FileName"] == str(docx)


def test_a_word_past_the_time_limit_is_killed_and_the_next_document_gets_a_new_one(tmp_path: Path) -> None:
    rec = Recorder()
    w, killed = word(rec, delay=1.0, timeout=0.2)
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(WordFailed, match="超过 0.2 秒，已结束 Word"):
        w.to_pdf(docx, tmp_path / "a.pdf")
    assert killed == [4242]
    assert not (tmp_path / "a.pdf").exists()
    rec.calls.clear()
    with pytest.raises(WordFailed):
        w.to_pdf(docx, tmp_path / "a.pdf")
    assert rec.calls[0] == ("DispatchEx", "Word.Application")  # a fresh Word


def test_fill_toc_failure_is_said_once_and_leaves_the_document(tmp_path: Path) -> None:
    from carbon_report.outputs import convert

    rec = Recorder()
    w, _ = word(rec, delay=0.01)
    convert._said = False
    with pytest.warns(convert.TocNotFilledWarning, match="目录未能由 Word 填写"):
        filled = w.fill_toc(b"PK")
    assert filled.docx is None and filled.pdf is None


def test_one_document_at_a_time(tmp_path: Path) -> None:
    rec = Recorder()
    w, _ = word(rec)
    inside = []
    original = FakeDocuments.Open

    def slow_open(self: FakeDocuments, **kw: Any) -> FakeDoc:
        inside.append(1)
        assert len(inside) == 1, "two documents open in Word at once"
        time.sleep(0.1)
        doc = original(self, **kw)
        inside.pop()
        return doc

    FakeDocuments.Open = slow_open  # type: ignore[method-assign]
    try:
        threads = [threading.Thread(target=w.fill_toc, args=(b"PK",)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        FakeDocuments.Open = original  # type: ignore[method-assign]
    assert [c[0] for c in rec.calls].count("Documents.Open") == 3


def test_pdf_on_windows_with_word_says_so(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`process --pdf` where Word is installed (Windows): the converter is Word, and the run says so."""
    import workbooks
    from carbon_report.outputs import convert
    from carbon_report.outputs.convert import word as word_mod

    rec = Recorder()
    monkeypatch.setattr(convert, "_platform", lambda: "win32")
    monkeypatch.setattr(word_mod, "word_installed", lambda: True)
    monkeypatch.setattr(word_mod, "_dispatch", lambda: FakeWord(rec))
    monkeypatch.setattr(word_mod, "_pid_of", lambda caption: None)
    convert.close_default()
    try:
        src = workbooks.build(tmp_path / "企业A.xlsx")
        r = cli("process", src, "--out", tmp_path / "out", "--pdf")
        assert r.returncode == 0, r.stderr
        assert "企业A.xlsx: PDF 由 Microsoft Word 生成 made with Microsoft Word" in r.stderr.splitlines()
        assert (tmp_path / "out" / "企业A_评价报告.pdf").read_bytes() == b"%PDF-1.7 fake"
        assert [c for c in rec.calls if c[0] == "ExportAsFixedFormat"]
    finally:
        convert.close_default()
    assert ("Quit", {"SaveChanges": 0}) in rec.calls


def test_no_converter_is_one_line_on_what_to_install(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbooks
    from carbon_report.outputs import convert

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CARBON_REPORT_SOFFICE", raising=False)
    monkeypatch.setattr("carbon_report.outputs.convert.libreoffice._WINDOWS_PATHS", ())
    monkeypatch.setattr("carbon_report.outputs.convert.libreoffice._MAC_PATH", str(tmp_path / "none"))
    convert.close_default()
    src = workbooks.build(tmp_path / "企业A.xlsx")
    r = cli("process", src, "--out", tmp_path / "out", "--pdf")
    assert r.returncode == 0
    lines = [x for x in r.stderr.splitlines() if "PDF" in x]
    assert len(lines) == 1
    assert "未生成 PDF：未找到 LibreOffice" in lines[0] and "Microsoft Word" in lines[0]


def test_pdf_with_libreoffice_says_so(cli, tmp_path: Path) -> None:
    import workbooks
    from carbon_report.outputs.convert.libreoffice import find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    src = workbooks.build(tmp_path / "企业A.xlsx")
    r = cli("process", src, "--out", tmp_path / "out", "--pdf")
    assert r.returncode == 0, r.stderr
    assert "企业A.xlsx: PDF 由 LibreOffice 生成 made with LibreOffice" in r.stderr.splitlines()
    assert (tmp_path / "out" / "企业A_评价报告.pdf").read_bytes()[:5] == b"%PDF-"
