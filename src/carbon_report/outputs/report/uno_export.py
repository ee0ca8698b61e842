"""Run by a Python that has LibreOffice's `uno` module (often not the project's own Python):

    python3 uno_export.py SOFFICE IN.docx OUT.pdf PROFILE_URL

Starts a headless soffice with its own profile, opens the document hidden, refreshes fields and updates every
index (the table of contents) twice, so page numbers settle after the contents grow, then exports the PDF.
Prints "indexes=N" on success. Must not import carbon_report: it runs outside the project's environment.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException

    soffice, src, dst, profile = argv[1:5]

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
            doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(dst)),
                           (prop("FilterName", "writer_pdf_Export"),))
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


if __name__ == "__main__":
    sys.exit(main(sys.argv))
