"""The UNO helper: run by a Python that has LibreOffice's `uno` module (often not the project's own Python):

    python3 uno_export.py SOFFICE PROFILE_URL

Starts one headless soffice with its own profile and serves documents until its input ends: one request per
line on standard input, one answer per line on standard output (JSON):

    {"src": "IN.docx", "toc": true, "pdf": "OUT.pdf" | null, "save": "OUT.docx" | null, "updates": 2}
    → {"ok": true, "indexes": N, "entries": [{"level": 1, "text": "1 概论", "page": "1"}, …]}
    → {"ok": false, "error": "…", "soffice_dead": false}   (true: soffice is gone and the helper exits)

Each request loads the document once, hidden, with macros and link updates off; refreshes the fields and
updates every index (the table of contents) `updates` times, so page numbers settle after the contents grow;
then, as asked, reads the first table of contents as LibreOffice laid it out (toc.py writes it back into the
.docx), exports the PDF and saves the document (the benchmark's layout floor). The first line out is
{"ready": true, "soffice": PID} once soffice answers. The helper ends at the end of its input, or when
soffice has died (the run starts a new one); soffice ends with it. Started by the run in a session of its
own, watched by the run's watchdog (io/watchdog.py), so both die with the run whatever ends it.
Must not import carbon_report: it runs outside the project's environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time

START_TIMEOUT_S = 120


def main(argv: list[str]) -> int:
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException

    soffice, profile = argv[1:3]
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # whatever else prints goes to standard error, never into the answers

    def answer(obj: dict) -> None:
        answers.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    pipe = f"carbon_report_{os.getpid()}_{int(time.time() * 1000)}"
    proc = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation={profile}", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        deadline = time.monotonic() + START_TIMEOUT_S
        while ctx is None:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            except NoConnectException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    answer({"ok": False, "error": "soffice did not start"})
                    return 3
                time.sleep(0.1)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        answer({"ready": True, "soffice": proc.pid})
        load_props = (prop("Hidden", True), prop("ReadOnly", False),
                      prop("MacroExecutionMode", 0),  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
                      prop("UpdateDocMode", 0))  # com.sun.star.document.UpdateDocMode.NO_UPDATE: no links
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            if request.get("quit"):
                break
            try:
                answer(serve(request, desktop, load_props, prop, uno))
            except Exception as exc:  # noqa: BLE001 - one document's failure is told to the run
                dead = not alive(desktop)
                answer({"ok": False, "error": f"{type(exc).__name__}: {exc}"[-500:], "soffice_dead": dead})
                if dead:
                    return 5  # soffice is gone (crashed, killed): the run starts a new helper
    finally:
        if desktop is not None:
            with contextlib.suppress(Exception):  # the bridge closes as soffice exits
                desktop.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return 0


def alive(desktop) -> bool:
    """Whether soffice still answers over the bridge (after a document failed: its fault, or soffice's end)."""
    try:
        desktop.getCurrentComponent()
    except Exception:  # noqa: BLE001 - DisposedException, RuntimeException: the bridge is gone
        return False
    return True


def serve(request: dict, desktop, load_props, prop, uno) -> dict:
    src = request["src"]
    seconds: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        seconds[name] = round(now - t, 4)
        t = now

    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, load_props)
    if doc is None:
        return {"ok": False, "error": "could not open the document"}
    lap("load")
    try:
        indexes = doc.getDocumentIndexes()
        for k in range(int(request.get("updates", 2))):
            doc.getTextFields().refresh()
            lap(f"fields{k + 1}")
            for i in range(indexes.getCount()):
                indexes.getByIndex(i).update()
            lap(f"index{k + 1}")
        result: dict = {"ok": True, "indexes": indexes.getCount(), "seconds": seconds}
        if request.get("toc"):
            result["entries"] = toc_entries(indexes)
            lap("entries")
        if request.get("pdf"):
            doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(request["pdf"])),
                           (prop("FilterName", "writer_pdf_Export"),))
            lap("pdf")
        if request.get("save"):
            doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(request["save"])),
                           (prop("FilterName", "MS Word 2007 XML"),))
            lap("save")
        return result
    finally:
        doc.close(True)
        lap("close")


def toc_entries(indexes) -> list[dict]:
    """The first content index's lines ("1.1 研究背景\t1"), each with its outline level, read from the
    paragraph styles LibreOffice gives index lines (Contents 1 …); from the heading's number otherwise.
    Only the index's own paragraphs are visited (a cursor over its anchor), not the whole document."""
    toc = None
    for i in range(indexes.getCount()):
        index = indexes.getByIndex(i)
        if index.supportsService("com.sun.star.text.ContentIndex"):
            toc = index
            break
    if toc is None:
        return []
    anchor = toc.getAnchor()
    lines = [x for x in anchor.getString().splitlines() if x.strip()]
    levels = []
    paras = anchor.getText().createTextCursorByRange(anchor).createEnumeration()
    while paras.hasMoreElements():
        p = paras.nextElement()
        if p.supportsService("com.sun.star.text.Paragraph"):
            m = re.match(r"(?:Contents|TOC|toc)\s*(\d)$", p.ParaStyleName or "")
            if m:
                levels.append(int(m.group(1)))
    entries = []
    for k, line in enumerate(lines):
        text, _, page = line.rpartition("\t")
        if not text:
            text, page = line, ""
        if len(levels) == len(lines):
            level = levels[k]
        else:
            number = re.match(r"^(\d+(?:\.\d+)*)\s", text)
            level = number.group(1).count(".") + 1 if number else 1
        entries.append({"level": level, "text": text.strip(), "page": page.strip()})
    return entries


if __name__ == "__main__":
    sys.exit(main(sys.argv))
