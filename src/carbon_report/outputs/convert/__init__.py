"""Laying the report out with an office program: the 目录 filled with page numbers, the PDF.

One small interface, `Converter`, so that each office program is one class behind it: LibreOffice today
(libreoffice.py: one long-lived soffice per process, driven by one long-lived UNO helper); Microsoft Word on
Windows can follow. `default_converter()` gives the process-wide instance of the one installed, started on
first need and closed when the process ends (`close_default`, also registered to run at exit). Every helper
program a converter starts dies with the run (io/children.py: own session, watched by a watchdog).
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["Converter", "Filled", "PdfFallbackWarning", "TocNotFilledWarning", "close_default",
           "default_converter", "prestart", "say_once", "toc_wanted"]


class TocNotFilledWarning(UserWarning):
    """The 目录 was left for Word to fill on opening (no office program, or it failed): said once."""


class PdfFallbackWarning(UserWarning):
    """The PDF was made without updating the document's indexes: its contents page may lack page numbers."""


@dataclass(frozen=True)
class Filled:
    """What one layout of a report gave: the package with its 目录 filled (None: left as it was) and the
    PDF written in the same load (None: not asked for, or not made)."""

    docx: bytes | None = None
    pdf: Path | None = None


class Converter(Protocol):
    """An office program that lays a .docx out. A converter may also have `start()`: begin starting the
    program in the background so that it is ready when the first report comes (prestart; a speed-up only,
    fill_toc and to_pdf start it themselves when needed)."""

    name: str

    def fill_toc(self, docx: bytes, *, pdf: Path | None = None) -> Filled:
        """`docx` with its table of contents filled as the program lays it out (page numbers included);
        with `pdf`, the same layout is also exported there (written atomically: an OutputError subclass
        when the folder refuses). Never raises for the layout itself: a failure is said once
        (TocNotFilledWarning) and gives Filled(None, None)."""
        ...

    def to_pdf(self, docx: Path, pdf: Path) -> None:
        """`docx` as PDF at `pdf` (written atomically), its indexes updated first. Raises
        core.errors.PdfUnavailable when no PDF can be made."""
        ...

    def close(self) -> None:
        """End the program and its helpers and remove their temporary files (safe to call twice)."""
        ...


_said = False
_lock = threading.Lock()
_default: Converter | None = None


def say_once(message: str) -> None:
    """The 目录 is not filled: said once per process, not once per report."""
    global _said
    if not _said:
        _said = True
        warnings.warn(message, TocNotFilledWarning, stacklevel=3)


def toc_wanted() -> bool:
    """Whether the 目录 is to be filled: the default; CARBON_REPORT_TOC=0 turns it off."""
    return os.environ.get("CARBON_REPORT_TOC", "1").strip() != "0"


def prestart() -> None:
    """A report with its 目录 is coming in this process: start the office program now, in the background, so
    that its start overlaps the work before the report (the computed workbook, the rendering)."""
    if toc_wanted():
        start = getattr(default_converter(), "start", None)  # a converter without a background start: none
        if start is not None:
            start()


def _platform() -> str:
    return sys.platform


def default_converter() -> Converter | None:
    """The process-wide converter of the office program installed here, or None: Microsoft Word on Windows
    when it is installed (word.py; a consultant's laptop has Word, rarely LibreOffice), else LibreOffice.
    Looked up on each call (a cheap PATH or registry lookup), so that a program installed or removed is seen;
    started lazily."""
    global _default
    from carbon_report.outputs.convert.libreoffice import LibreOffice, find_soffice

    if _platform() == "win32":
        from carbon_report.outputs.convert.word import Word, word_installed

        if word_installed():
            with _lock:
                current = _default
                if isinstance(current, Word):
                    return current
                _default = Word()
            if current is not None:
                current.close()
            _register_close()
            return _default

    soffice = find_soffice()
    with _lock:
        current = _default
        if current is not None and isinstance(current, LibreOffice) and current.soffice == soffice:
            return current
        _default = LibreOffice(soffice) if soffice else None
    if current is not None:
        current.close()
    if _default is not None:
        _register_close()
    return _default


def close_default() -> None:
    """End the process-wide converter (a batch worker calls this as it exits; so does the exit of a run)."""
    global _default
    with _lock:
        current, _default = _default, None
    if current is not None:
        current.close()


_registered = False


def _register_close() -> None:
    """close_default at the end of the process: atexit for a command, and multiprocessing's finalizers for a
    pool's worker (which ends with os._exit, past atexit). Registered once per process."""
    global _registered
    if _registered:
        return
    _registered = True
    import atexit
    from multiprocessing import util

    atexit.register(close_default)
    util.Finalize(None, close_default, exitpriority=100)


def _forget_after_fork() -> None:
    """A forked child (a pool's worker) does not share its parent's office program: it starts its own."""
    global _default, _lock, _registered
    _lock = threading.Lock()
    current, _default = _default, None
    _registered = False
    forget = getattr(current, "forget", None)
    if forget is not None:
        forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
