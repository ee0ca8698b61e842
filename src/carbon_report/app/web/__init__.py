"""`carbon-report web`: the product as a page in the browser, for consultants without the Excel button
(WPS, Mac, a locked-down Office). docs/web.md is the user's guide.

    serve(port=0, open_browser=True, out_dir=None) -> exit status

Served on 127.0.0.1 only, on a free port unless one is given, behind a token made for this launch; the first
line on stdout is the page's full address. Uploads run through the batch (app/batch.py) in its worker pool;
the server's threads only save files and answer the page. Everything the session keeps (uploads, outputs
without --out) is in one private temporary folder, removed when the server stops; a folder left by a server
that was killed is removed by the next one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

SESSION_PREFIX = "carbon_report_web_"
THREADS = 4  # waitress threads: requests are short (no pipeline runs in them)


def serve(port: int = 0, open_browser: bool = True, out_dir: Path | None = None, *,
          stdout: IO[str] | None = None, pdf: bool | None = None) -> int:
    from waitress.server import create_server

    from carbon_report.app import log
    from carbon_report.app.web.jobs import Jobs
    from carbon_report.app.web.server import create_app

    out = stdout or sys.stdout
    remove_stale_sessions()
    root = Path(tempfile.mkdtemp(prefix=f"{SESSION_PREFIX}{os.getpid()}_"))
    spool = root / "spool"
    spool.mkdir()
    token = secrets.token_urlsafe(24)
    jobs = Jobs(root, Path(out_dir).resolve() if out_dir else None, pdf=pdf_available() if pdf is None else pdf)
    try:
        # 127.0.0.1 only (never 0.0.0.0 or ::): nobody else on the network reaches the page
        deferred = _Deferred()
        server = create_server(deferred, host="127.0.0.1", port=port, threads=THREADS, ident="carbon-report",
                               expose_tracebacks=False, clear_untrusted_proxy_headers=True)
    except OSError as e:
        shutil.rmtree(root, ignore_errors=True)
        from carbon_report.app.messages import code_line
        from carbon_report.core.findings import Code

        print(code_line(Code.E_USAGE, "carbon-report web",
                        detail=f"端口 {port} 无法使用（{e.strerror or e}），请换一个 --port 或不指定"), file=sys.stderr)
        return 2
    actual = int(server.effective_port)  # type: ignore[union-attr]
    deferred.app = create_app(token, jobs, actual, spool)
    url = f"http://127.0.0.1:{actual}/?token={token}"
    print(url, file=out, flush=True)
    print("请在浏览器中打开上面的地址（已自动打开）；关闭此窗口或按 Ctrl-C 即停止。" if open_browser else
          "请在浏览器中打开上面的地址；关闭此窗口或按 Ctrl-C 即停止。", file=out, flush=True)
    print("Open the address above in a browser; close this window or press Ctrl-C to stop.", file=out, flush=True)
    log.event("web-start", port=actual, out=bool(out_dir))
    if open_browser:
        threading.Thread(target=_open, args=(url,), daemon=True).start()
    _stop_on_signals()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        _stop_children()
        shutil.rmtree(root, ignore_errors=True)
        log.event("web-stop", port=actual)
    print("已停止 stopped", file=out, flush=True)
    return 0


class _Deferred:
    """The WSGI application, set once the port is known (the Host check needs it)."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


def _open(url: str) -> None:
    import webbrowser

    with contextlib.suppress(Exception):  # no browser (a server without a desktop): the address is printed
        webbrowser.open(url)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Closing the console stops the server as Ctrl-C does: SIGHUP (a closed terminal) and SIGTERM on POSIX;
    on Windows, CTRL_BREAK (SIGBREAK) and the console's close event, caught through SetConsoleCtrlHandler."""
    for name in ("SIGTERM", "SIGHUP", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread (a test)
                signal.signal(sig, _raise_interrupt)
    if sys.platform == "win32":
        _windows_close_handler()


_HANDLERS: list[object] = []  # the ctypes callback must outlive this function


def _windows_close_handler() -> None:  # pragma: no cover - Windows only
    """CTRL_CLOSE_EVENT (2), CTRL_LOGOFF_EVENT (5), CTRL_SHUTDOWN_EVENT (6): Windows ends the process a few
    seconds after the handler returns, without any Python signal; the workers and the session folder are
    removed here first."""
    import ctypes
    from ctypes import wintypes

    handler_type = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)

    def on_event(event: int) -> bool:
        if event in (2, 5, 6):
            _stop_children()
            for folder in Path(tempfile.gettempdir()).glob(f"{SESSION_PREFIX}{os.getpid()}_*"):
                shutil.rmtree(folder, ignore_errors=True)
        return False  # let the default handler end the process

    callback = handler_type(on_event)
    _HANDLERS.append(callback)
    ctypes.windll.kernel32.SetConsoleCtrlHandler(callback, True)  # type: ignore[attr-defined]


def _stop_children() -> None:
    """The batch's workers still running for an unfinished upload end with the server."""
    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.kill()
    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.join(timeout=5)


def remove_stale_sessions(folder: Path | None = None) -> list[Path]:
    """Session folders of servers that were killed: their process (id in the name) is gone, or, where that
    cannot be asked safely (Windows: os.kill would end it), the folder is a day old."""
    import time

    removed = []
    for p in Path(folder or tempfile.gettempdir()).glob(f"{SESSION_PREFIX}*"):
        pid = p.name[len(SESSION_PREFIX):].split("_", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        if sys.platform == "win32":
            try:
                stale = time.time() - p.stat().st_mtime > 86400
            except OSError:
                continue
        else:
            stale = not _alive(int(pid))
        if stale:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # POSIX only (see remove_stale_sessions)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, somebody else's
        return True
    return True


def pdf_available() -> bool:
    """A PDF for every report when a converter is installed (Word on Windows, else LibreOffice)."""
    try:
        from carbon_report.outputs.convert import default_converter

        return default_converter() is not None
    except Exception:  # noqa: BLE001 - without a converter the page offers the .docx only
        return False
