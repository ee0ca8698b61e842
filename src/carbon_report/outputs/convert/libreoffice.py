"""LibreOffice as the converter: one soffice per process, kept running, driven by one UNO helper.

Starting soffice costs one to two seconds; a document laid out by a running one about half a second. So a
process (a command, a batch worker) starts one UNO helper on its first report (outputs/report/uno_export.py,
run by a Python that has `uno`: /usr/bin/python3 with python3-uno on Debian, LibreOffice's own on Windows),
which starts one soffice with a private profile and then serves documents over a pipe: load once, update the
indexes, read the 目录's lines and, when asked, export the PDF from the same load. The helper is started
again when it has died (a crash, a time limit) and every RECYCLE_AFTER documents (soffice's memory stays
flat), and ends with the process: orderly through close(), otherwise by the run's watchdog
(io/children.py), which kills the helper's process group and removes its folder.

Without a `uno` Python, the 目录 is left for Word (said once) and a PDF is made by a one-off
`soffice --convert-to pdf` (PdfFallbackWarning: its contents page may lack page numbers).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import IO, Any

from carbon_report.core.errors import PdfUnavailable
from carbon_report.io import children
from carbon_report.outputs.convert import Filled, PdfFallbackWarning, say_once

TIMEOUT_S = 240  # one document, loaded and laid out (a large report on a loaded machine takes seconds)
START_TIMEOUT_S = 120  # soffice's first start makes its profile
RECYCLE_AFTER = 300  # documents per soffice, then a fresh one: its caches do not grow without bound
FOLDER_PREFIX = "carbon_report_lo_"
HELPER = Path(__file__).resolve().parents[1] / "report" / "uno_export.py"
_WINDOWS_PATHS = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                  r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")
_MAC_PATH = "/Applications/LibreOffice.app/Contents/MacOS/soffice"

# Word's Chinese font names → installed open fonts, for rendering on machines without Windows fonts
FONT_ALIASES = {
    "宋体": ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "SimSun": ("宋体", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "黑体": ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "SimHei": ("黑体", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "楷体": ("KaiTi", "AR PL UKai CN", "Noto Serif CJK SC"),
    "仿宋": ("FangSong", "Noto Serif CJK SC"),
    "微软雅黑": ("Microsoft YaHei", "Noto Sans CJK SC"),
    "Times New Roman": ("Liberation Serif", "DejaVu Serif"),
}


class LibreOfficeNotFound(PdfUnavailable):
    def __init__(self) -> None:
        super().__init__("未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice（Windows 上装有 Microsoft Word "
                         "即可，无需 LibreOffice），或设置环境变量 CARBON_REPORT_SOFFICE 指向 soffice 程序。"
                         "no converter: install LibreOffice, or Microsoft Word on Windows")


class PdfConversionError(PdfUnavailable):
    pass


class LayoutFailed(Exception):
    """The helper could not lay this document out (the text says why)."""


class LayoutTimeout(LayoutFailed):
    """The helper did not answer within TIMEOUT_S."""


def find_soffice() -> str | None:
    env = os.environ.get("CARBON_REPORT_SOFFICE")
    if env and Path(env).is_file():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for p in (*_WINDOWS_PATHS, _MAC_PATH):
        if Path(p).is_file():
            return p
    return None


def _has_uno(python: str) -> bool:
    try:
        r = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


@functools.cache
def find_uno_python(soffice: str) -> str | None:
    """A Python interpreter that can `import uno`."""
    program = Path(soffice).resolve().parent
    candidates = [os.environ.get("CARBON_REPORT_UNO_PYTHON", ""), str(program / "python.exe"),
                  str(program / "python"), "/usr/bin/python3", "/usr/lib/libreoffice/program/python",
                  sys.executable]
    for c in candidates:
        if c and Path(c).is_file() and _has_uno(c):
            return c
    return None


def fontconfig_file(folder: Path) -> Path | None:
    """A fontconfig file that includes the system's and maps Word's Chinese font names to installed ones."""
    system = Path("/etc/fonts/fonts.conf")
    if sys.platform.startswith("win") or not system.is_file():
        return None
    from xml.sax.saxutils import escape

    aliases = "".join(
        f"<alias binding=\"same\"><family>{escape(name)}</family><prefer>"
        + "".join(f"<family>{escape(p)}</family>" for p in prefer) + "</prefer></alias>"
        for name, prefer in FONT_ALIASES.items())
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                    f"<include ignore_missing=\"yes\">{system}</include>{aliases}</fontconfig>\n",
                    encoding="utf-8")
    return conf


def _environment(folder: Path) -> dict[str, str]:
    """The helper's and soffice's environment: their temporary files inside `folder` (so they go with it
    when the run ends, whatever ends it), the fonts the PDF uses, and one malloc arena: a kept-running
    soffice then levels off at about 245 MB RSS instead of 285 MB (measured over 40 reports)."""
    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", "1")
    tmp = folder / "tmp"
    tmp.mkdir(exist_ok=True)
    for name in ("TMPDIR", "TMP", "TEMP"):
        env[name] = str(tmp)
    conf = fontconfig_file(folder)  # the PDF's fonts, so the 目录's page numbers are the PDF's
    if conf is not None:
        env["FONTCONFIG_FILE"] = str(conf)
    return env


class _Helper:
    """One running uno_export.py (and its soffice), answering one request at a time."""

    def __init__(self, python: str, soffice: str, folder: Path) -> None:
        debug = bool(os.environ.get("CARBON_REPORT_DEBUG"))
        self.proc = children.start(
            [python, str(HELPER), soffice, (folder / "profile").as_uri()], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=None if debug else subprocess.DEVNULL, env=_environment(folder),
            cwd=folder)
        self.served = 0
        self.ready = False
        self._answers: queue.Queue[bytes | None] = queue.Queue()
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), name="carbon-report-uno-answers",
                         daemon=True).start()

    def wait_ready(self) -> None:
        """Until soffice answers (the helper's first line); started in the background before."""
        if self.ready:
            return
        ready = self._next(START_TIMEOUT_S)
        if not ready.get("ready"):
            raise LayoutFailed(str(ready.get("error") or "LibreOffice did not start"))
        self.ready = True

    def _read(self, stream: IO[bytes]) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in stream:
                self._answers.put(line)
        self._answers.put(None)

    def _next(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            raise LayoutTimeout("超时") from None
        if line is None:
            raise LayoutFailed("LibreOffice 意外退出")
        return dict(json.loads(line))

    def ask(self, request: dict[str, Any], timeout: float = TIMEOUT_S) -> dict[str, Any]:
        self.wait_ready()
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):
            raise LayoutFailed("LibreOffice 意外退出") from None
        self.served += 1
        return self._next(timeout)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """End the helper and its soffice at once (SIGKILL to the group): soffice has nothing to save (its
        profile and temporary files are thrown away with the folder), and a batch's end waits for this."""
        children.end(self.proc)

    def forget(self) -> None:
        """In a forked child: let go of the inherited pipe ends without touching the parent's helper, nor the
        Python streams (io.children.detach: the parent's reader thread held the stdout stream's lock at the
        fork, so closing or finalizing it would wait for ever)."""
        children.detach(self.proc.stdin)
        children.detach(self.proc.stdout)
        self.proc.returncode = 0  # not this process's child


class LibreOffice:
    """The Converter for LibreOffice (see the module's docstring)."""

    name = "LibreOffice"

    def __init__(self, soffice: str, *, recycle_after: int = RECYCLE_AFTER) -> None:
        self.soffice = soffice
        self.recycle_after = recycle_after
        self._lock = threading.Lock()
        self._helper: _Helper | None = None
        self._folder: Path | None = None
        self._jobs = itertools.count(1)

    @property
    def python(self) -> str | None:
        return find_uno_python(self.soffice)

    # ---- the interface ----------------------------------------------------------------------------------

    def fill_toc(self, docx: bytes, *, pdf: Path | None = None) -> Filled:
        if self.python is None:
            say_once("未找到带 UNO 的 LibreOffice，报告的目录未预先填充：Word 打开时会更新目录；"
                     "WPS 或 LibreOffice 中请右键单击目录并选择“更新域/更新目录”。")
            return Filled()
        try:
            answer, pdf_bytes = self._layout(docx, toc=True, pdf=pdf is not None)
        except LayoutFailed as exc:
            say_once(f"LibreOffice 未能更新目录（{exc}），报告的目录将在 Word 中打开时更新。")
            return Filled()
        from carbon_report.outputs.report.toc import TocEntry, fill_toc

        entries = [TocEntry(int(e.get("level") or 1), str(e.get("text", "")), str(e.get("page", "")))
                   for e in answer.get("entries") or []]
        written = None
        if pdf is not None and pdf_bytes is not None:
            from carbon_report.io.atomic import write_bytes

            write_bytes(pdf, pdf_bytes)
            written = pdf
        return Filled(fill_toc(docx, entries), written)

    def to_pdf(self, docx: Path, pdf: Path) -> None:
        from carbon_report.io.atomic import write_bytes

        data = Path(docx).read_bytes()
        detail = "未找到带 uno 模块的 Python"
        if self.python is not None:
            try:
                _, produced = self._layout(data, toc=False, pdf=True)
            except LayoutFailed as exc:
                detail = f"UNO 转换失败（{exc}）"
            else:
                assert produced is not None
                write_bytes(pdf, produced)
                return
        warnings.warn(f"{detail}，改用 soffice --convert-to pdf 直接转换：PDF 目录页可能没有页码。",
                      PdfFallbackWarning, stacklevel=2)
        write_bytes(pdf, self._convert_once(Path(docx)))

    def start(self) -> None:
        """Start soffice in the background now (it takes a second or two), so that it is ready, or nearly,
        when the first report comes. Nothing happens without a `uno` Python, or when it runs already."""
        if self.python is None:
            return
        with self._lock, contextlib.suppress(LayoutFailed, OSError):
            self._running()

    def close(self) -> None:
        with self._lock:
            helper, self._helper = self._helper, None
            folder, self._folder = self._folder, None
        if helper is not None:
            helper.kill()
        if folder is not None:
            children.remove(folder)

    # ---- the helper ---------------------------------------------------------------------------------------

    def _running(self) -> _Helper:
        """The helper, started on first need, again after it died and after `recycle_after` documents."""
        helper = self._helper
        if helper is not None and (not helper.alive() or helper.served >= self.recycle_after):
            self._helper = None
            helper.kill()
            helper = None
        if helper is None:
            if self._folder is None or not self._folder.is_dir():
                self._folder = children.private_folder(FOLDER_PREFIX)
            python = self.python
            assert python is not None
            helper = self._helper = _Helper(python, self.soffice, self._folder)
        return helper

    def _layout(self, docx: bytes, *, toc: bool, pdf: bool) -> tuple[dict[str, Any], bytes | None]:
        """One load of `docx` by the helper: its answer, and the PDF's bytes when asked. A helper that died
        is started again and the document tried once more; one that does not answer in time is killed (and
        the document not tried again); a document LibreOffice refuses leaves the helper as it is."""
        with self._lock:
            for attempt in (1, 2):
                helper = self._running()
                assert self._folder is not None
                job = next(self._jobs)
                src, out = self._folder / f"{job}.docx", self._folder / f"{job}.pdf"
                try:
                    src.write_bytes(docx)
                    answer = helper.ask({"src": str(src), "toc": toc, "pdf": str(out) if pdf else None})
                    if answer.get("ok"):
                        return answer, out.read_bytes() if pdf else None
                except LayoutTimeout:
                    self._helper = None
                    helper.kill()
                    raise
                except LayoutFailed:  # no answer: the helper died (soffice crashed, was killed)
                    self._helper = None
                    helper.kill()
                    if attempt == 2:
                        raise
                    continue
                except BaseException:  # a time limit or Ctrl-C mid-document: that helper's state is unknown
                    self._helper = None
                    helper.kill()
                    raise
                finally:
                    for f in (src, out):
                        with contextlib.suppress(OSError):
                            f.unlink()
                error = LayoutFailed(str(answer.get("error", ""))[-300:])
                if not answer.get("soffice_dead") and helper.alive():
                    raise error  # the document's own failure: the same LibreOffice serves the next one
                self._helper = None  # soffice died under this document: a fresh one tries it once more
                helper.kill()
                if attempt == 2:
                    raise error
        raise AssertionError("unreachable")

    def _convert_once(self, docx: Path) -> bytes:
        """The PDF of `docx` by a one-off `soffice --convert-to pdf` (no UNO: indexes not updated)."""
        folder = children.private_folder(FOLDER_PREFIX)
        try:
            outdir = folder / "convert"
            src = folder / "report.docx"
            shutil.copyfile(docx, src)
            proc = children.start(
                [self.soffice, "--headless", "--norestore", "--nolockcheck",
                 f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--convert-to", "pdf",
                 "--outdir", str(outdir), str(src)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                env=_environment(folder))
            try:
                out, _ = proc.communicate(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired as exc:
                raise PdfConversionError(f"LibreOffice 转换 PDF 超时：{docx.name}") from exc
            finally:
                children.end(proc)
            converted = outdir / "report.pdf"
            if not converted.is_file():
                text = out.decode("utf-8", "replace").strip()[-300:]
                raise PdfConversionError(f"LibreOffice 未能将 {docx.name} 转换为 PDF：{text}")
            return converted.read_bytes()
        finally:
            children.remove(folder)

    def forget(self) -> None:
        """In a forked child (see convert._forget_after_fork): drop the parent's helper without ending it."""
        helper, self._helper, self._folder = self._helper, None, None
        self._lock = threading.Lock()
        if helper is not None:
            helper.forget()
