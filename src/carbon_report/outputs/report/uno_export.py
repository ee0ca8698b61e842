"""Run by a Python that has LibreOffice's `uno` module (often not the project's own Python):

    python3 uno_export.py SOFFICE IN.docx OUT.pdf PROFILE_URL [TOC.json]

Starts a headless soffice with its own profile, opens the document hidden, refreshes fields and updates every
index (the table of contents) twice, so page numbers settle after the contents grow, then exports the PDF
(skipped when OUT.pdf is "-"). With TOC.json it also writes the first table of contents as LibreOffice laid it
out: [{"level": 1, "text": "1 概论", "page": "1"}, …], which toc.py writes back into the .docx.
Prints "indexes=N" on success. Must not import carbon_report: it runs outside the project's environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException

    soffice, src, dst, profile = argv[1:5]
    toc_out = argv[5] if len(argv) > 5 else ""

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    pipe = f"carbon_report_{os.getpid()}_{int(time.time() * 1000)}"
    proc = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation={profile}", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        deadline = time.monotonic() + 120
        while ctx is None:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            except NoConnectException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    print("soffice did not start", file=sys.stderr)
                    return 3
                time.sleep(0.3)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0,
                                           (prop("Hidden", True), prop("ReadOnly", False)))
        if doc is None:
            print("could not open the document", file=sys.stderr)
            return 4
        try:
            indexes = doc.getDocumentIndexes()
            for _ in range(2):
                doc.getTextFields().refresh()
                for i in range(indexes.getCount()):
                    indexes.getByIndex(i).update()
            if dst != "-":
                doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(dst)),
                               (prop("FilterName", "writer_pdf_Export"),))
            if toc_out:
                with open(toc_out, "w", encoding="utf-8") as fh:
                    json.dump(toc_entries(doc, indexes), fh, ensure_ascii=False)
            print(f"indexes={indexes.getCount()}")
        finally:
            doc.close(True)
        with contextlib.suppress(Exception):  # the bridge closes as soffice exits
            desktop.terminate()
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return 0


def toc_entries(doc, indexes) -> list[dict]:
    """The first content index's lines ("1.1 研究背景\t1"), each with its outline level, read from the
    paragraph styles LibreOffice gives index lines (Contents 1 …); from the heading's number otherwise."""
    toc = None
    for i in range(indexes.getCount()):
        index = indexes.getByIndex(i)
        if index.supportsService("com.sun.star.text.ContentIndex"):
            toc = index
            break
    if toc is None:
        return []
    lines = [x for x in toc.getAnchor().getString().splitlines() if x.strip()]
    levels = []
    paras = doc.getText().createEnumeration()
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
