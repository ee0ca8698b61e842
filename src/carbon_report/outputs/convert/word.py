"""Microsoft Word as the converter (Windows): the 目录 filled and the PDF exported by Word itself, through COM
(pywin32, which xlwings brings on Windows). A consultant's laptop has Word, rarely LibreOffice.

One Word per process, started invisibly on first need (DispatchEx: never the user's own open Word), with
DisplayAlerts off (no dialog can block a batch), one document at a time (a lock), and a time limit: Word
stuck on a document is killed (its process found by the unique caption given to it) and started again for
the next one. Word is quit in close().

Only Windows can run this; tests/test_convert_word.py checks the exact COM calls on a fake Word.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

from carbon_report.core.errors import PdfUnavailable
from carbon_report.outputs.convert import Filled, say_once

PROG_ID = "Word.Application"
TIMEOUT_S = 240  # one document, opened, laid out, saved and exported
WD_ALERTS_NONE = 0  # WdAlertLevel.wdAlertsNone
WD_DO_NOT_SAVE = 0  # WdSaveOptions.wdDoNotSaveChanges
WD_EXPORT_PDF = 17  # WdExportFormat.wdExportFormatPDF
WD_EXPORT_PRINT = 0  # WdExportOptimizeFor.wdExportOptimizeForPrint
WD_HEADING_BOOKMARKS = 1  # WdExportCreateBookmarks.wdExportCreateHeadingBookmarks
WD_FORMAT_DOCX = 16  # WdSaveFormat.wdFormatDocumentDefault


class WordFailed(PdfUnavailable):
    pass


def word_installed() -> bool:
    """Word registered for COM on this machine (HKEY_CLASSES_ROOT\\Word.Application\\CLSID)."""
    try:
        import winreg
    except ImportError:
        return False
    try:
        with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, rf"{PROG_ID}\CLSID"):
            return True
    except OSError:
        return False


def _dispatch() -> Any:  # pragma: no cover - Windows only
    import pythoncom
    import win32com.client

    pythoncom.CoInitialize()
    return win32com.client.DispatchEx(PROG_ID)


def _pid_of(caption: str) -> int | None:  # pragma: no cover - Windows only
    """Word's process id, by its main window (class OpusApp, hidden too) carrying our caption."""
    try:
        import win32gui
        import win32process

        hwnd = win32gui.FindWindow("OpusApp", caption)
        return win32process.GetWindowThreadProcessId(hwnd)[1] if hwnd else None
    except Exception:  # noqa: BLE001 - without a pid, a stuck Word is left to the run's end
        return None


def _kill(pid: int) -> None:  # pragma: no cover - Windows only
    import signal

    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)  # TerminateProcess on Windows


class Word:
    """The Converter of outputs/convert for Microsoft Word."""

    name = "Microsoft Word"

    def __init__(self, dispatch: Any = None, pid_of: Any = None, kill: Any = None,
                 timeout: float = TIMEOUT_S) -> None:
        self._dispatch = dispatch or _dispatch
        self._pid_of = pid_of or _pid_of
        self._kill = kill or _kill
        self.timeout = timeout
        self._app: Any = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _word(self) -> Any:
        if self._app is None:
            app = self._dispatch()
            app.Visible = False
            app.DisplayAlerts = WD_ALERTS_NONE
            app.ScreenUpdating = False
            caption = f"carbon-report-{uuid.uuid4().hex}"
            app.Caption = caption
            self._pid = self._pid_of(caption)
            self._app = app
        return self._app

    def _run(self, docx: Path, pdf: Path | None, save: bool) -> None:
        """Open `docx`, update its tables of contents, save it (when `save`) and export the PDF (when
        `pdf`), then close it without further changes. A Word past the time limit is killed."""
        app = self._word()
        expired = threading.Event()
        timer = threading.Timer(self.timeout, self._expire, args=(expired,))
        timer.daemon = True
        timer.start()
        doc = None
        try:
            doc = app.Documents.Open(FileName=str(docx), ConfirmConversions=False, ReadOnly=not save,
                                     AddToRecentFiles=False, Visible=False, NoEncodingDialog=True)
            for toc in doc.TablesOfContents:
                toc.Update()
            if save:
                doc.Save()
            if pdf is not None:
                doc.ExportAsFixedFormat(OutputFileName=str(pdf), ExportFormat=WD_EXPORT_PDF,
                                        OpenAfterExport=False, OptimizeFor=WD_EXPORT_PRINT,
                                        CreateBookmarks=WD_HEADING_BOOKMARKS, DocStructureTags=True)
        except Exception as e:
            self._forget()
            why = f"超过 {self.timeout:g} 秒，已结束 Word" if expired.is_set() else f"{type(e).__name__}: {e}"
            raise WordFailed(f"Word 无法处理“{docx.name}”（{why}）") from None
        finally:
            timer.cancel()
            if doc is not None and self._app is not None:
                with contextlib.suppress(Exception):
                    doc.Close(SaveChanges=WD_DO_NOT_SAVE)

    def _expire(self, expired: threading.Event) -> None:
        """The time limit passed: kill this Word (the COM call waiting on it then fails)."""
        expired.set()
        pid, self._pid = self._pid, None
        self._app = None
        if pid is not None:
            self._kill(pid)

    def _forget(self) -> None:
        """After a failure, the next document gets a fresh Word (this one may be stuck or gone)."""
        app, pid = self._app, self._pid
        self._app, self._pid = None, None
        if app is not None:
            with contextlib.suppress(Exception):
                app.Quit(SaveChanges=WD_DO_NOT_SAVE)
        if pid is not None:
            self._kill(pid)

    def fill_toc(self, docx: bytes, *, pdf: Path | None = None) -> Filled:
        from carbon_report.io.atomic import write_bytes

        with self._lock, tempfile.TemporaryDirectory(prefix="carbon_report_word_") as tmp:
            path = Path(tmp) / "report.docx"
            path.write_bytes(docx)
            out_pdf = Path(tmp) / "report.pdf" if pdf is not None else None
            try:
                self._run(path, out_pdf, save=True)
            except WordFailed as e:
                say_once(f"目录未能由 Word 填写，将在 Word 中打开报告时更新（{e}）")
                return Filled(None, None)
            made = None
            if pdf is not None and out_pdf is not None and out_pdf.is_file():
                write_bytes(pdf, out_pdf.read_bytes())
                made = pdf
            return Filled(path.read_bytes(), made)

    def to_pdf(self, docx: Path, pdf: Path) -> None:
        from carbon_report.io.atomic import write_bytes

        with self._lock, tempfile.TemporaryDirectory(prefix="carbon_report_word_") as tmp:
            out = Path(tmp) / "report.pdf"
            self._run(Path(docx), out, save=False)
            if not out.is_file():
                raise WordFailed(f"Word 没有写出“{Path(docx).name}”的 PDF")
            write_bytes(pdf, out.read_bytes())

    def close(self) -> None:
        with self._lock:
            self._forget()
