"""Adversarial workbooks (issue 12): `python benchmarks/adversarial.py` (see benchmarks/README.md).

Three workbooks a hostile or careless sender can make, each generated into a private temporary folder, and
the time of one fresh `carbon-report` command on each, from outside, against issue 12's targets:

  guide     `check` on a workbook whose 填写说明 has 300,000 rows (about 8 MB): under 5 s
  spaces    `check` on a workbook with one amount cell "1" + 32,000 spaces + "%": under 0.1 s for the cell
            (the command's start-up is measured apart and subtracted: `check` on the same workbook without
            the long cell)
  rows      `process` on 20,000 activity rows, with the Word report: under 30 s

Peak memory of each command is its own `ru_maxrss` (os.wait4). Nothing here is a test:
the figures depend on the machine and on what else runs on it; the load average is printed with each line.
"""

from __future__ import annotations

import os

os.environ.setdefault("CARBON_REPORT_TOC", "0")  # as benchmarks/run.py: the 目录 costs a LibreOffice start

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import make_workbook, pictures  # noqa: E402 - the benchmark's realistic workbook, refilled

TARGETS_S = {"guide": 5.0, "spaces": 0.1, "rows": 30.0}
GUIDE_ROWS = 300_000
SPACES = 32_000
ACTIVITY_ROWS = 20_000


def guide_workbook(base: Path, dest: Path, rows: int = GUIDE_ROWS) -> Path:
    """`base` with its 填写说明 replaced by `rows` rows of text, each a string of its own in a shared-string
    table as Excel writes it (the base, saved by openpyxl here, has inline strings and no such table). The
    XML is written directly (openpyxl would need minutes and gigabytes to save it); the rest is copied."""
    from carbon_report.io.reader import _sheet_parts

    with zipfile.ZipFile(base) as z:
        part = _sheet_parts(z)["填写说明"]
        members = [(info, z.read(info)) for info in z.infolist()]
    names = {info.filename for info, _ in members}
    assert "xl/sharedStrings.xml" not in names, "the base workbook already has a shared-string table"
    texts = (f"第{r}条：请按台账、发票或计量表填写本行所述的活动数据，并注明单位、数据来源与统计口径（编号{r * 7919 % 100003}，附原始凭证与台账页码）"
             for r in range(1, rows + 1))
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<sst xmlns="{_MAIN}" count="{rows}" uniqueCount="{rows}">'
           + "".join(f"<si><t>{t}</t></si>" for t in texts) + "</sst>")
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == part:
                data = _guide_xml(rows)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdGuideStrings" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            out.writestr(info, data)
        out.writestr("xl/sharedStrings.xml", sst.encode())
    return dest


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _guide_xml(rows: int) -> bytes:
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="s"><v>{r - 1}</v></c></row>'
                   for r in range(1, rows + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}"><sheetData>{body}</sheetData></worksheet>').encode()


def spaces_workbook(base: Path, dest: Path, long: bool = True) -> Path:
    import openpyxl

    from carbon_report.core import contract

    wb = openpyxl.load_workbook(base)
    ws = wb[contract.ACTIVITIES.name]
    col = next(c.column for c in ws[1] if c.value and str(c.value).startswith("活动数据"))
    ws.cell(2, col).value = "1" + " " * SPACES + "%" if long else "1 %"
    wb.save(dest)
    return dest


def command(argv: list[str]) -> dict[str, Any]:
    """One fresh `carbon-report ARGV`: wall time, exit status, last stderr lines, peak RSS of that child
    (os.wait4 gives the rusage of the one process, not the maximum over all children so far)."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "carbon_report", *argv], stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    return {"wall_s": wall, "exit": p.returncode, "stderr": lines[-3:], "peak_mb": usage.ru_maxrss / 1024,
            "load": load, "errors": [line for line in lines if "[E-" in line]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="guide,spaces,rows", help="which cases (default guide,spaces,rows)")
    ap.add_argument("--rows", type=int, default=ACTIVITY_ROWS, help=f"activity rows (default {ACTIVITY_ROWS:,})")
    ap.add_argument("--keep", action="store_true", help="keep the private work folder")
    args = ap.parse_args()
    only = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="carbon-report-adversarial-"))
    print(f"work folder: {work}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    try:
        pictures(work)
        base = make_workbook(1, work / "base.xlsx", rows=12, equipment=5)
        results: dict[str, dict[str, Any]] = {}
        if "guide" in only:
            g = guide_workbook(base, work / "guide300k.xlsx")
            r = results["guide"] = command(["check", str(g)])
            print(f"check, 填写说明 of {GUIDE_ROWS:,} rows ({g.stat().st_size / 1e6:.1f} MB): {r['wall_s']:.2f} s "
                  f"(target < {TARGETS_S['guide']:g} s), exit {r['exit']}, peak {r['peak_mb']:.0f} MB, "
                  f"load {r['load']:.1f}")
        if "spaces" in only:
            s = spaces_workbook(base, work / "spaces.xlsx")
            plain = spaces_workbook(base, work / "plain.xlsx", long=False)
            walls = []
            for _ in range(3):  # alternate, take the medians: start-up varies more than the cell costs
                walls.append((command(["check", str(s)]), command(["check", str(plain)])))
            long_s = sorted(w[0]["wall_s"] for w in walls)[1]
            base_s = sorted(w[1]["wall_s"] for w in walls)[1]
            r = results["spaces"] = {**walls[-1][0], "wall_s": long_s, "extra_s": long_s - base_s}
            print(f"check, one cell \"1\" + {SPACES:,} spaces + \"%\": {long_s:.2f} s, the same workbook without it "
                  f"{base_s:.2f} s: the cell costs {max(r['extra_s'], 0):.3f} s (target < {TARGETS_S['spaces']:g} s), "
                  f"exit {r['exit']}: {r['errors'][0][:90] if r['errors'] else 'no error line'}…")
        if "rows" in only:
            big = make_workbook(2, work / f"rows{args.rows}.xlsx", rows=args.rows, equipment=40)
            r = results["rows"] = command(["process", str(big), "--out", str(work / "out")])
            print(f"process, {args.rows:,} activity rows with the Word report: {r['wall_s']:.1f} s "
                  f"(target < {TARGETS_S['rows']:g} s), exit {r['exit']}, peak {r['peak_mb']:.0f} MB, "
                  f"load {r['load']:.1f}")
            for line in r["errors"]:
                print(f"    {line}")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
