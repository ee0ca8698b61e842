"""Benchmark of the workbooks clients send: `python benchmarks/run.py` (see benchmarks/README.md).

Two sizes, each a set of distinct workbooks (the formatted demo sample refilled: a company of its own, every
sheet filled, library factor codes, two pictures): "small" (12 activity rows, 5 equipment rows: what a client
really sends) and "300" (300 activity rows, 40 equipment rows). Settings are the ones users get: the 目录 is
filled by LibreOffice when it is installed with UNO (CARBON_REPORT_TOC is not touched; set it to 0 yourself to
see a run without layout). For each size, in one run, report on:

  floors    per workbook: the Python floor = openpyxl load + save of that input plus python-docx load + save
            of the report generated for it (the unavoidable I/O); the bare floor = a zip re-pack of both
            files (read every part, write a new package); and, when layout is on, the layout floor = one warm
            LibreOffice (started once, outside the figure) loading the report, updating its index and saving
            it, in one process (uno_export.py driven directly)
  warm      pipeline.process_file per workbook in one warmed process      → warm ÷ (Python + layout floor)
  cold      `carbon-report process` as a fresh command, per workbook      → cold ÷ floor, and ÷ the time of
            `python -c "import openpyxl, docx"` (what any Python tool reading both formats pays to start)
  batch     `carbon-report batch --jobs 2` and `--jobs 1` over the set, wall time of the command
                                          → wall ÷ (Σ (Python + layout floors) ÷ 2), and ÷ Σ Python floors ÷ 2
  memory    per batch worker: the largest sum, sampled every 0.5 s, of the RSS and of the PSS (shared pages
            split between their users) of the worker and every process under it (its watchdog, UNO helper and
            soffice); also ru_maxrss of the reaped processes (the largest single one)
  目录       how many of the batch's reports have their 目录 filled (the figures are only what users get if
            the layout really ran)
  phases    where the warm time goes (timers around the pipeline's stages), printed where a target is missed

Options add `--long M` (M workbooks through one pool, each worker's RSS after every file: flat or not) and
`--huge ROWS` (one workbook of ROWS activity rows through `batch --jobs 1`: processed within the cap, or refused
with one line). Every run works in a private temporary folder (tempfile.mkdtemp), removed at the end.
Nothing here is a test: the figures depend on the machine and on its load, so ratios are taken within one run.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

from carbon_report.core.record import FileRecord

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "samples" / "示例_华东精密机械有限公司_2024.xlsx"

# (rows, equipment rows) per size
SIZES: dict[str, tuple[int, int]] = {"small": (12, 5), "300": (300, 40)}
# issue 19's targets (None: reported, no target)
TARGETS: dict[str, dict[str, float | None]] = {
    "small": {"warm": None, "cold_s": 1.5, "batch": 2.0},
    "300": {"warm": 1.5, "cold_s": None, "batch": None},
}
JOBS_SPEEDUP = 1.8
WORKER_PEAK_MB = 300.0
MEMORY_CAP_MB = 300.0

# ---- generating workbooks ------------------------------------------------------------------------------------

# (stage, type, name stem, amount range, unit, code): codes from the built-in library, units it converts
ROW_KINDS: list[tuple[str, str, str, tuple[float, float], str, str]] = [
    ("原材料获取", "原材料", "热轧钢筋", (5, 800), "t", "EF-STEEL-REBAR"),
    ("原材料获取", "原材料", "碳钢型材", (5, 500), "t", "EF-STEEL-AVG"),
    ("原材料获取", "原材料", "普通硅酸盐水泥", (10, 900), "t", "EF-CEMENT-PO"),
    ("原材料获取", "原材料", "河沙", (50, 2000), "吨", "EF-SAND"),
    ("原材料获取", "原材料", "碎石", (50, 3000), "t", "EF-CRUSHED-STONE"),
    ("原材料获取", "原材料", "铝板带", (1, 80), "t", "EF-ALUMINIUM-SHEET"),
    ("原材料获取", "原材料", "C30混凝土", (10, 500), "m3", "EF-CONCRETE-C30"),
    ("生产", "能源", "车间用电", (1000, 90000), "kWh", "EF-ELEC-CN-AVG-2022"),
    ("生产", "燃料", "叉车柴油", (0.5, 20), "t", "EF-FUEL-DIESEL"),
    ("生产", "燃料", "热处理天然气", (0.2, 8), "万Nm3", "EF-FUEL-NG"),
    ("生产", "能源", "外购蒸汽热力", (100, 5000), "GJ", "EF-HEAT-DEFAULT"),
    ("生产", "原材料", "生产用水", (100, 8000), "t", "EF-WATER-TAP"),
    ("采购", "原材料", "PVC-U管件", (100, 5000), "kg", "EF-PIPE-PVCU"),
    ("采购", "原材料", "PE管材", (100, 5000), "kg", "EF-PIPE-PE"),
    ("采购", "原材料", "PPR管件", (100, 3000), "kg", "EF-PIPE-PPR"),
    ("运输", "原材料运输", "原材料公路运输", (1000, 90000), "t·km", "EF-ROAD-DIESEL-30T"),
    ("运输", "产品运输", "产品公路运输", (1000, 60000), "t·km", "EF-ROAD-DIESEL-18T"),
    ("运输", "原材料运输", "铁路运输", (5000, 200000), "t·km", "EF-RAIL-AVG"),
    ("包装", "包装材料", "LDPE包装膜", (0.1, 20), "t", "EF-PE-LD"),
    ("包装", "包装材料", "LLDPE缠绕膜", (0.1, 10), "t", "EF-PE-LLD"),
    ("包装", "包装材料运输", "包装材料运输", (100, 5000), "t·km", "EF-ROAD-DIESEL-8T"),
    ("回收", "废弃物运输", "废钢回收运输", (100, 8000), "t·km", "EF-ROAD-DIESEL-10T"),
]


def uscc(i: int) -> str:
    from carbon_report.core.values import uscc_check_char

    body = f"91320506MA{i % 10_000_000:07d}"
    return body + uscc_check_char(body)


def make_workbook(i: int, dest: Path, rows: int = 300, equipment: int = 40) -> Path:
    """One realistic intake workbook: the formatted demo sample with company i and `rows` activities."""
    import random

    import openpyxl

    from carbon_report.core import contract
    from carbon_report.core.values import header_key

    rnd = random.Random(i)
    wb = openpyxl.load_workbook(DEMO)
    info = wb[contract.COMPANY_SHEET]
    labels = {header_key(info.cell(r, 1).value): r for r in range(1, info.max_row + 1) if info.cell(r, 1).value}
    company = {"企业名称": f"基准测试企业{i:04d}有限公司", "统一社会信用代码": uscc(i), "核算年度": 2024,
               "基准年": 2023, "报告编号": f"BENCH-{i:04d}", "工业总产值": 5000 + 37 * i}
    for label, value in company.items():
        info.cell(labels[label], 2).value = value

    def fill(spec: contract.TableSheet, data: list[list[Any]]) -> None:
        ws = wb[spec.name]
        keys = {header_key(c.header): j for j, c in enumerate(spec.columns)}
        cols = {keys[header_key(c.value)]: c.column for c in ws[1] if header_key(c.value) in keys}
        for r in range(2, max(ws.max_row, len(data) + 1) + 1):
            for j, col in cols.items():
                ws.cell(r, col).value = data[r - 2][j] if r - 2 < len(data) and j < len(data[r - 2]) else None

    acts = []
    for k in range(rows):
        # fewer rows than kinds: spread them so that every stage still has activities
        kind_index = round(k * (len(ROW_KINDS) - 1) / max(rows - 1, 1)) if rows < len(ROW_KINDS) else k % len(ROW_KINDS)
        stage, kind, stem, (lo, hi), unit, code = ROW_KINDS[kind_index]
        acts.append([stage, kind, f"{stem}（批次{k // len(ROW_KINDS) + 1}）", round(rnd.uniform(lo, hi), 3), unit, code,
                     rnd.choice(["台账", "发票", "计量表", "电费单"]), None])
    fill(contract.ACTIVITIES, acts)
    fill(contract.EQUIPMENT, [[f"设备{k + 1}", f"M-{k:03d}", "台", rnd.randint(1, 20),
                               rnd.choice(["电能", "柴油", "天然气"])] for k in range(equipment)])
    fill(contract.HISTORY, [[2023, None, round(rnd.uniform(5e3, 9e4), 2)]]
         + [[2023, s, round(rnd.uniform(1e2, 2e4), 2)] for s in ("原材料获取", "生产", "采购", "运输", "包装", "回收")])
    fill(contract.PICTURES, [["图2-1 企业概貌", "厂区全景", "图片/厂区.png"], ["图2-4 设备照片", "主要设备", "图片/设备.png"]])
    wb.save(dest)
    return dest


def pictures(folder: Path) -> None:
    from PIL import Image

    (folder / "图片").mkdir(parents=True, exist_ok=True)
    for name, color in (("厂区.png", (40, 120, 90)), ("设备.png", (90, 90, 160))):
        Image.new("RGB", (640, 400), color).save(folder / "图片" / name)


def corpus(folder: Path, n: int, rows: int, equipment: int, first: int = 0) -> list[Path]:
    """n distinct workbooks of `rows` activity rows in `folder`, with the pictures they name."""
    from concurrent.futures import ProcessPoolExecutor

    folder.mkdir(parents=True)
    pictures(folder)
    paths = [folder / f"企业{i:04d}.xlsx" for i in range(first, first + n)]
    with ProcessPoolExecutor(2) as ex:
        list(ex.map(make_workbook, range(first, first + n), paths, [rows] * n, [equipment] * n, chunksize=4))
    return paths


# ---- measuring ---------------------------------------------------------------------------------------------------


def timed(fn: Any, *args: Any) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def cpu_timed(fn: Any, *args: Any) -> tuple[float, float]:
    """(wall, CPU) seconds of one call: CPU time is what other people's load on a shared machine changes least."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0


def repack(p: Path) -> None:
    """The bare physical floor of one file: every part read and written into a new package."""
    out = io.BytesIO()
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)


def floors(inputs: list[Path], reports: list[Path]) -> list[dict[str, float]]:
    """Per workbook: openpyxl load + save of the input, python-docx load + save of its report; the zip
    re-pack of both."""
    import docx
    import openpyxl

    def xlsx(p: Path) -> None:
        openpyxl.load_workbook(p).save(io.BytesIO())

    def word(p: Path) -> None:
        docx.Document(str(p)).save(io.BytesIO())

    xlsx(inputs[0])  # warm-up
    word(reports[0])
    out = []
    for src, rep in zip(inputs, reports, strict=True):
        (x, xc), (w, wc) = cpu_timed(xlsx, src), cpu_timed(word, rep)
        repack_s = timed(repack, src) + timed(repack, rep)
        out.append({"openpyxl_s": x, "docx_s": w, "floor_s": x + w, "floor_cpu_s": xc + wc, "repack_s": repack_s})
    return out


HELPER = ROOT / "src" / "carbon_report" / "outputs" / "report" / "uno_export.py"


def layout_available() -> tuple[str, str] | None:
    """(soffice, a Python with uno) when the product fills the 目录 by default here, else None."""
    if os.environ.get("CARBON_REPORT_TOC", "1").strip() == "0":
        return None
    try:
        from carbon_report.outputs.convert.libreoffice import find_soffice, find_uno_python
    except ImportError:  # a version before outputs/convert (to measure "before")
        from carbon_report.outputs.report.pdf import find_soffice, find_uno_python  # type: ignore[no-redef]

    soffice = find_soffice()
    python = find_uno_python(soffice) if soffice else None
    return (soffice, python) if soffice and python else None


def layout_floor(reports: list[Path], workdir: Path, tools: tuple[str, str]) -> dict[str, Any]:
    """One LibreOffice started once (not counted), then per report: load, update the index once, save as
    .docx: what laying out a report costs at least with LibreOffice. Timed from this process per request."""
    soffice, python = tools
    folder = Path(tempfile.mkdtemp(prefix="layout-floor-", dir=workdir))
    t0 = time.perf_counter()
    proc = subprocess.Popen([python, str(HELPER), soffice, (folder / "profile").as_uri()], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        ready = json.loads(proc.stdout.readline() or "{}")
        start_s = time.perf_counter() - t0
        if not ready.get("ready"):
            raise SystemExit(f"layout floor: LibreOffice did not start: {ready}")

        def one(report: Path, k: int) -> float:
            t = time.perf_counter()
            proc.stdin.write(json.dumps({"src": str(report), "updates": 1, "save": str(folder / f"{k}.docx")}) + "\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline() or "{}")
            if not answer.get("ok"):
                raise SystemExit(f"layout floor: {report.name}: {answer}")
            return time.perf_counter() - t

        one(reports[0], 0)  # warm-up
        c0 = cpu_s(proc.pid) + tree_cpu_s(proc.pid)
        times = [one(r, k) for k, r in enumerate(reports, 1)]
        cpu_sum = cpu_s(proc.pid) + tree_cpu_s(proc.pid) - c0
    finally:
        proc.stdin.close()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
    return {"start_s": start_s, "per_report_s": times, "median_s": statistics.median(times), "sum_s": sum(times),
            "cpu_sum_s": cpu_sum}


def toc_filled(report: Path) -> bool:
    """Whether the report's 目录 holds entries with page numbers (filled), not the field's one line."""
    with zipfile.ZipFile(report) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return xml.count('w:val="TOC2"') + xml.count('w:val="TOC1"') >= 5


def warm(inputs: list[Path], out: Path) -> tuple[list[float], list[float], list[Path]]:
    """process_file per workbook in this process after one warm-up; the reports it wrote."""
    from carbon_report.app.pipeline import Options, process_file

    options = Options(report=True)
    process_file(inputs[0], out / "warm-up", options)  # imports, factor library, unit registry, template
    times, cpu, reports = [], [], []
    me = os.getpid()
    for p in inputs:
        t0, c0, l0 = time.perf_counter(), time.process_time(), tree_cpu_s(me)
        outcome = process_file(p, out, options)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0 + tree_cpu_s(me) - l0)  # LibreOffice's CPU included
        if outcome.status != "ok" or not outcome.outputs.get("report"):
            raise SystemExit(f"{p.name}: {outcome.status}, no report: {[f.message for f in outcome.errors]}")
        reports.append(Path(outcome.outputs["report"]))
    return times, cpu, reports


# where the warm time goes: ("module[:Class]", attribute, label) wrapped with a timer; times are inclusive
# (indented rows are parts of the row above). Missing names (e.g. once the charts are native) are skipped.
STAGES = [
    ("carbon_report.app.pipeline", "read_workbook", "read: reader.read_workbook"),
    ("carbon_report.io.reader", "scan_package", "  scan_package (package pre-scan)"),
    ("openpyxl", "load_workbook", "  openpyxl load_workbook"),
    ("carbon_report.app.pipeline", "analyse", "validate + calculate: pipeline.analyse"),
    ("carbon_report.app.pipeline", "computed_tables", "computed_tables"),
    ("carbon_report.outputs.workbook", "write_workbook", "write: workbook.write_workbook"),
    ("carbon_report.outputs.workbook", "graft", "  graft into the input package"),
    ("carbon_report.outputs.report.render", "render_report", "report: render.render_report"),
    ("carbon_report.outputs.report.render", "build_context", "  build_context (charts included)"),
    ("carbon_report.outputs.report.charts", "add_chart", "    native Word charts (add_chart)"),
    ("docxtpl:DocxTemplate", "render", "  docxtpl render"),
    ("docxtpl:DocxTemplate", "build_xml", "    build_xml (patch + Jinja + listing)"),
    ("carbon_report.outputs.report.render:_strict_template_class()", "_fill", "    fill the prepared parts (Jinja + listing)"),
    ("docxtpl:DocxTemplate", "fix_tables", "    fix_tables (parse the rendered body)"),
    ("docxtpl:DocxTemplate", "save", "  docxtpl save"),
    ("carbon_report.outputs.report.render", "stamp", "  fingerprint stamp (re-zip)"),
]


def breakdown(inputs: list[Path], out: Path) -> dict[str, float]:
    """Mean ms per workbook of each stage of process_file (warm), in a pass of its own."""
    import importlib

    from carbon_report.app.pipeline import Options, process_file

    options = Options(report=True)
    process_file(inputs[0], out / "warm-up", options)
    totals: dict[str, float] = {label: 0.0 for *_, label in STAGES}
    undo = []
    for where, attr, label in STAGES:
        module, _, cls = where.partition(":")
        try:
            owner: Any = importlib.import_module(module)
        except ImportError:
            continue
        if cls.endswith("()"):  # a class made by a factory function
            owner = getattr(owner, cls[:-2], None)
            owner = owner() if callable(owner) else None
        elif cls:
            owner = getattr(owner, cls, None)
        if owner is None:
            continue
        original = owner.__dict__.get(attr) if isinstance(owner, type) else getattr(owner, attr, None)
        if original is None:
            continue

        def timer(*a: Any, _f: Any = original, _label: str = label, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                totals[_label] += time.perf_counter() - t0

        setattr(owner, attr, timer)
        undo.append((owner, attr, original))
    t0 = time.perf_counter()
    try:
        for p in inputs:
            process_file(p, out, options)
    finally:
        total = time.perf_counter() - t0
        for owner, attr, original in reversed(undo):
            setattr(owner, attr, original)
    totals["process_file total"] = total
    return {k: v / len(inputs) * 1000 for k, v in totals.items() if v}


def command(name: str) -> str:
    """The console script installed beside this interpreter (the venv's), else the one on PATH."""
    here = Path(sys.executable).with_name(name)
    return str(here) if here.exists() else (shutil.which(name) or name)


def cold(inputs: list[Path], out: Path, k: int) -> dict[str, Any]:
    """`carbon-report process` as a fresh command per workbook, and the bare start of Python with openpyxl
    and python-docx imported, alternating so that both see the same load."""
    cmd_times, import_times = [], []
    for i, p in enumerate(inputs[:k]):
        t0 = time.perf_counter()
        r = subprocess.run([command("carbon-report"), "process", str(p), "--out", str(out / f"c{i}")],
                           capture_output=True, check=False)
        cmd_times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise SystemExit(f"carbon-report process {p.name}: exit {r.returncode}\n{r.stderr.decode()[-2000:]}")
        import_times.append(timed(subprocess.run, [sys.executable, "-c", "import openpyxl, docx"]))
    return {"cold_s": statistics.median(cmd_times), "runs_s": cmd_times,
            "import_openpyxl_docx_s": statistics.median(import_times)}


def batch(folder: Path, out: Path, jobs: int, workdir: Path, accept: tuple[int, ...] = (0, 1)) -> dict[str, Any]:
    """`carbon-report batch` from the command line: wall time of the whole command measured from outside;
    the command runs in this script's --probe mode, which records the peak RSS of its reaped workers."""
    probe_file = Path(tempfile.mkstemp(suffix=".json", dir=workdir)[1])
    load = os.getloadavg()[0]
    cmd = [sys.executable, __file__, "--probe", str(probe_file), "batch", str(folder), "--out", str(out),
           "--jobs", str(jobs)]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    if r.returncode not in accept:
        raise SystemExit(f"batch --jobs {jobs}: exit {r.returncode}\n{r.stderr.decode()[-2000:]}")
    return {**json.loads(probe_file.read_text()), "wall_s": wall, "loadavg_before": load}


def probe(result_path: str, argv: list[str]) -> int:
    """Run the command line in this process; record the peak RSS of its reaped workers."""
    from carbon_report.app.cli import main

    stderr = io.StringIO()
    sampler = TreeMemory(os.getpid())
    sampler.start()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
            code = main(argv)
    finally:
        sampler.stop()
        sampler.sample()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    Path(result_path).write_text(json.dumps({
        "exit_code": code,
        # KiB on Linux; RSS, pages shared with the parent included. Only an upper bound of the largest child:
        # Linux carries ru_maxrss across exec, so a process a worker started (soffice, the UNO helper) reports
        # at least the worker's peak at the time. The target is read on the sampled PSS (TreeMemory) instead.
        "worker_peak_mb": kids.ru_maxrss / 1024,
        # sampled: soffice is killed, not waited for, so getrusage would miss it; the last ≤ 0.5 s of each
        # process is missed instead (idle at the end). ru_* of the reaped children kept as a lower bound
        "workers_cpu_s": max(sampler.cpu_total_s, kids.ru_utime + kids.ru_stime),
        "parent_cpu_s": me.ru_utime + me.ru_stime,
        "parent_peak_mb": _status_kb("VmHWM") / 1024,
        "worker_tree_rss_mb": sampler.rss_mb, "worker_tree_pss_mb": sampler.pss_mb,
        "stderr_tail": stderr.getvalue().splitlines()[-6:]}, ensure_ascii=False))
    return code


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int, kids: dict[int, list[int]] | None = None) -> list[int]:
    kids = TreeMemory._children() if kids is None else kids
    out, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def tree_cpu_s(pid: int) -> float:
    """CPU seconds so far of every live process under `pid` (LibreOffice is not this process's child's
    child that anyone waits for: getrusage does not see it)."""
    return sum(cpu_s(p) for p in descendants(pid))


class TreeMemory(threading.Thread):
    """Samples, every 0.5 s, each worker (a child of `parent`) with every process under it; keeps the
    largest sums of RSS and of PSS (from /proc/PID/smaps_rollup) seen for one worker."""

    def __init__(self, parent: int) -> None:
        super().__init__(daemon=True)
        self.parent = parent
        self.rss_mb = self.pss_mb = 0.0
        self.cpu: dict[int, float] = {}  # CPU seconds last seen of every process under `parent`
        self._stop_event = threading.Event()

    @staticmethod
    def _children() -> dict[int, list[int]]:
        kids: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    kids.setdefault(ppid, []).append(int(entry.name))
        return kids

    @staticmethod
    def _memory_kb(pid: int) -> tuple[float, float]:
        rss = pss = 0.0
        with contextlib.suppress(OSError), open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = float(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = float(line.split()[1])
        return rss, pss

    def run(self) -> None:
        while not self._stop_event.wait(0.5):
            self.sample()

    def sample(self) -> None:
        kids = self._children()
        for worker in kids.get(self.parent, []):
            rss, pss = self.tree_mb(worker, kids)
            self.rss_mb = max(self.rss_mb, rss)
            self.pss_mb = max(self.pss_mb, pss)
        for pid in descendants(self.parent, kids):
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu_s(pid))

    @classmethod
    def tree_mb(cls, pid: int, kids: dict[int, list[int]] | None = None) -> tuple[float, float]:
        """(RSS, PSS) in MB of `pid` and every process under it."""
        kids = cls._children() if kids is None else kids
        tree, todo = [], [pid]
        while todo:
            p = todo.pop()
            tree.append(p)
            todo.extend(kids.get(p, []))
        sums = [cls._memory_kb(p) for p in tree]
        return sum(r for r, _ in sums) / 1024, sum(p for _, p in sums) / 1024

    def stop(self) -> None:
        self._stop_event.set()
        self.join(2)

    @property
    def cpu_total_s(self) -> float:
        return sum(self.cpu.values())


def _status_kb(field: str) -> float:
    with open("/proc/self/status") as f:
        return next(float(line.split()[1]) for line in f if line.startswith(field + ":"))


@dataclasses.dataclass(frozen=True)
class RssRecord(FileRecord):
    rss: tuple[int, float] = (0, 0.0)  # the worker's pid and memory (PSS of it and its LibreOffice) after the file


def rss_worker(path: str, out_subdir: str, options: Any) -> RssRecord:
    """process_one, plus this worker's pid and memory after the file (for the --long run): the PSS of the
    worker and every process under it (its watchdog, UNO helper and soffice)."""
    from carbon_report.app.batch import process_one

    record = process_one(path, out_subdir, options)
    return RssRecord(**{f.name: getattr(record, f.name) for f in dataclasses.fields(record)},
                     rss=(os.getpid(), TreeMemory.tree_mb(os.getpid())[1]))


def long_run(folder: Path, files: list[Path], out: Path, jobs: int) -> dict[str, Any]:
    from carbon_report.app.batch import run_batch
    from carbon_report.app.pipeline import Options

    samples: list[tuple[int, float]] = []
    t0 = time.perf_counter()
    result = run_batch(files, out, Options(report=True), jobs=jobs, root=folder, worker=rss_worker,
                       on_result=lambda r: samples.append(r.rss) if isinstance(r, RssRecord) else None)
    elapsed = time.perf_counter() - t0
    per_worker: dict[int, list[float]] = {}
    for pid, rss in samples:
        per_worker.setdefault(pid, []).append(rss)
    # each worker's RSS at every tenth of its files: a leak climbs steadily, a plateau does not
    deciles = [[round(v[min(len(v) - 1, len(v) * k // 10)], 1) for k in range(11)] for v in per_worker.values()]
    return {"files": len(files), "elapsed_s": elapsed, "workers": len(per_worker), "worker_rss_deciles_mb": deciles,
            "worker_rss_max_mb": max(r for _, r in samples),
            "statuses": {s: sum(1 for f in result.files if f["status"] == s) for s in ("ok", "invalid", "unreadable")}}


def bytecode() -> str:
    """Whether a fresh process finds carbon_report compiled: an editable install under PYTHONDONTWRITEBYTECODE=1
    recompiles every module in every process (≈ 0.3 s); `python -m compileall -q src` or a regular install
    writes the bytecode once."""
    import importlib.util

    import carbon_report

    missing = [p for p in Path(carbon_report.__file__).parent.rglob("*.py")
               if not Path(importlib.util.cache_from_source(str(p))).is_file()]
    if not missing:
        return "cached"
    return f"missing for {len(missing)} modules (each process compiles them: python -m compileall -q src)"


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    mem = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/meminfo") as f:
        mem = f"{int(next(line for line in f if line.startswith('MemTotal')).split()[1]) / 1024**2:.0f} GB"
    return {"bytecode": bytecode(), "nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)), "cpu": cpu or platform.processor(),
            "memory": mem, "python": platform.python_version(), "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d %H:%M %Z")}


# ---- one size, all figures ---------------------------------------------------------------------------------------


def measure_size(name: str, copies: int, workdir: Path, cold_k: int, phases: bool = True) -> dict[str, Any]:
    rows, equipment = SIZES[name]
    base = workdir / name
    inputs = corpus(base / "in", copies, rows, equipment)
    fig: dict[str, Any] = {"rows": rows, "copies": copies,
                           "input_kb": statistics.median(p.stat().st_size for p in inputs) / 1024}
    warm_times, warm_cpu, reports = warm(inputs, base / "warm")
    fig["report_kb"] = statistics.median(p.stat().st_size for p in reports) / 1024
    fl = floors(inputs, reports)
    fig["floor"] = {k: statistics.median(f[k] for f in fl)
                    for k in ("openpyxl_s", "docx_s", "floor_s", "floor_cpu_s", "repack_s")}
    fig["floor_sum_s"] = sum(f["floor_s"] for f in fl)
    fig["repack_sum_s"] = sum(f["repack_s"] for f in fl)
    tools = layout_available()
    fig["layout"] = layout_floor(reports, workdir, tools) if tools else None
    layout_sum = fig["layout"]["sum_s"] if fig["layout"] else 0.0
    layout_median = fig["layout"]["median_s"] if fig["layout"] else 0.0
    layout_cpu_sum = fig["layout"]["cpu_sum_s"] if fig["layout"] else 0.0
    fig["warm_toc_filled"] = sum(map(toc_filled, reports))
    fig["floor_cpu_sum_s"] = sum(f["floor_cpu_s"] for f in fl)
    fig["warm_s"] = statistics.median(warm_times)
    fig["warm_cpu_s"] = statistics.median(warm_cpu)
    fig["cold"] = cold(inputs, base / "cold", cold_k)
    fig["jobs2"] = batch(base / "in", base / "j2", 2, workdir)
    fig["jobs1"] = batch(base / "in", base / "j1", 1, workdir)
    fig["batch_toc_filled"] = sum(map(toc_filled, (base / "j2").rglob("*评价报告.docx")))
    f = fig["floor"]["floor_s"]
    fig["ratios"] = {
        "warm": fig["warm_s"] / (f + layout_median),
        "cold": fig["cold"]["cold_s"] / f,
        "cold_over_import": fig["cold"]["cold_s"] / fig["cold"]["import_openpyxl_docx_s"],
        "batch": fig["jobs2"]["wall_s"] / ((fig["floor_sum_s"] + layout_sum) / 2),
        "batch_python_floor": fig["jobs2"]["wall_s"] / (fig["floor_sum_s"] / 2),
        "batch_repack": fig["jobs2"]["wall_s"] / (fig["repack_sum_s"] / 2),
        "jobs2_speedup": fig["jobs1"]["wall_s"] / fig["jobs2"]["wall_s"],
        "worker_peak_mb": max(fig["jobs1"]["worker_tree_pss_mb"], fig["jobs2"]["worker_tree_pss_mb"]),
        # the same ratios in CPU seconds (workers' and the batch parent's), which the machine's load moves least
        "warm_cpu": fig["warm_cpu_s"] / (fig["floor"]["floor_cpu_s"] + layout_cpu_sum / copies),
        "batch_cpu": (fig["jobs2"]["workers_cpu_s"] + fig["jobs2"]["parent_cpu_s"]) / (fig["floor_cpu_sum_s"]
                                                                                       + layout_cpu_sum),
    }
    fig["missed"] = missed(name, fig)
    if fig["missed"] and phases:
        fig["breakdown_ms"] = breakdown(inputs, base / "phases")
    return fig


def missed(name: str, fig: dict[str, Any]) -> list[str]:
    t, r = TARGETS[name], fig["ratios"]
    out = []
    if t["warm"] is not None and r["warm"] > t["warm"]:
        out.append(f"warm {r['warm']:.2f}× > {t['warm']}×")
    if t["batch"] is not None and r["batch"] > t["batch"]:
        out.append(f"batch {r['batch']:.2f}× > {t['batch']}×")
    if t["cold_s"] is not None and fig["cold"]["cold_s"] > t["cold_s"]:
        out.append(f"cold {fig['cold']['cold_s']:.2f} s > {t['cold_s']} s")
    if r["jobs2_speedup"] < JOBS_SPEEDUP:
        out.append(f"--jobs 2 ÷ --jobs 1 {r['jobs2_speedup']:.2f} < {JOBS_SPEEDUP}")
    if r["worker_peak_mb"] > WORKER_PEAK_MB:
        out.append(f"worker peak {r['worker_peak_mb']:.0f} MB > {WORKER_PEAK_MB:.0f} MB")
    return out


def target(value: float | None) -> str:
    return f"(target ≤ {value})" if value is not None else "(no target)"


def print_size(name: str, fig: dict[str, Any]) -> None:
    f, r, t, c = fig["floor"], fig["ratios"], TARGETS[name], fig["cold"]
    print(f"\n== {name}: {fig['rows']} activity rows, {fig['copies']} distinct workbooks; input {fig['input_kb']:.0f} KB, "
          f"report {fig['report_kb']:.0f} KB")
    lay = fig["layout"]
    print(f"  floor        openpyxl load+save {f['openpyxl_s'] * 1000:.0f} ms + python-docx load+save of its report "
          f"{f['docx_s'] * 1000:.0f} ms = {f['floor_s'] * 1000:.0f} ms per workbook (median); Σ {fig['floor_sum_s']:.2f} s")
    print(f"  bare floor   zip re-pack of input and report {f['repack_s'] * 1000:.1f} ms per workbook (median); "
          f"Σ {fig['repack_sum_s']:.2f} s")
    if lay:
        print(f"  layout floor one warm LibreOffice: load + index update + save {lay['median_s'] * 1000:.0f} ms per report "
              f"(median); Σ {lay['sum_s']:.2f} s (its start, {lay['start_s']:.2f} s, not counted)")
    else:
        print("  layout floor none: the 目录 is not filled here (no LibreOffice with UNO, or CARBON_REPORT_TOC=0)")
    floor_name = "(Python + layout floor)" if lay else "Python floor"
    print(f"  warm         process_file {fig['warm_s'] * 1000:.0f} ms = {r['warm']:.2f}× {floor_name} {target(t['warm'])}; "
          f"目录 filled in {fig['warm_toc_filled']} of {fig['copies']} reports")
    print(f"  cold         carbon-report process {c['cold_s']:.2f} s = {r['cold']:.1f}× floor; "
          f"python -c \"import openpyxl, docx\" {c['import_openpyxl_docx_s']:.2f} s → {r['cold_over_import']:.1f}× "
          f"{'(target ≤ ' + str(t['cold_s']) + ' s)' if t['cold_s'] else ''}")
    for jobs in (2, 1):
        b = fig[f"jobs{jobs}"]
        print(f"  batch -j {jobs}   wall {b['wall_s']:.2f} s, CPU of workers and what they started {b['workers_cpu_s']:.1f} s; "
              f"per worker with its children: RSS {b['worker_tree_rss_mb']:.0f} MB, PSS {b['worker_tree_pss_mb']:.0f} MB; "
              f"largest process {b['worker_peak_mb']:.0f} MB; parent {b['parent_peak_mb']:.0f} MB; "
              f"load before {b['loadavg_before']:.1f}")
    layout_sum = lay["sum_s"] if lay else 0.0
    print(f"  batch ratio  wall ÷ (Σ {floor_name} {fig['floor_sum_s'] + layout_sum:.2f} s ÷ 2) = {r['batch']:.2f}× "
          f"{target(t['batch'])}; ÷ (Σ Python floors ÷ 2) = {r['batch_python_floor']:.2f}×; ÷ (Σ bare floors ÷ 2) = "
          f"{r['batch_repack']:.0f}×; --jobs 2 ÷ --jobs 1 = {r['jobs2_speedup']:.2f}× (target ≥ {JOBS_SPEEDUP}); "
          f"worker PSS {r['worker_peak_mb']:.0f} MB (target ≤ {WORKER_PEAK_MB:.0f}); "
          f"目录 filled in {fig['batch_toc_filled']} of {fig['copies']} reports")
    lay_cpu = f"; layout floor {lay['cpu_sum_s'] / fig['copies'] * 1000:.0f} ms CPU per report" if lay else ""
    print(f"  CPU view     Python floor {f['floor_cpu_s'] * 1000:.0f} ms CPU per workbook{lay_cpu}; warm "
          f"{fig['warm_cpu_s'] * 1000:.0f} ms CPU (LibreOffice's included) = {r['warm_cpu']:.2f}× {floor_name}; "
          f"batch -j 2 CPU (workers, what they started, parent) ÷ Σ {floor_name} CPU = {r['batch_cpu']:.2f}× "
          f"(other people's load changes these least)")
    if fig["missed"]:
        print(f"  missed: {'; '.join(fig['missed'])}." + (" Where the warm time goes (ms per workbook, inclusive):"
                                                          if "breakdown_ms" in fig else ""))
        for label, ms in fig.get("breakdown_ms", {}).items():
            print(f"    {label:<46} {ms:7.1f}")
    sys.stdout.flush()


def huge(rows: int, workdir: Path) -> dict[str, Any]:
    """One workbook of `rows` activity rows through `batch --jobs 1`: its status, its one line, the worker's peak."""
    folder = workdir / f"huge{rows}"
    corpus(folder / "in", 1, rows, 40)
    b = batch(folder / "in", folder / "out", 1, workdir, accept=(0, 1, 2))  # 2: refused, which is an answer
    print(f"\n== one workbook of {rows} activity rows, batch --jobs 1: exit {b['exit_code']}, wall {b['wall_s']:.1f} s, "
          f"worker peak {b['worker_peak_mb']:.0f} MB (cap {MEMORY_CAP_MB:.0f})")
    for line in b["stderr_tail"]:
        print(f"    {line}")
    return b


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        return probe(sys.argv[2], sys.argv[3:])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=24, help="distinct small workbooks (default 24)")
    ap.add_argument("--copies-300", type=int, default=8, help="distinct 300-row workbooks (default 8)")
    ap.add_argument("--sizes", default="small,300", help="which sizes to run (default small,300)")
    ap.add_argument("--cold", type=int, default=5, help="fresh `carbon-report process` runs per size (default 5)")
    ap.add_argument("--long", type=int, default=0, metavar="M", help="also M small workbooks through one pool: memory")
    ap.add_argument("--huge", type=int, default=0, metavar="ROWS", help="also one workbook of ROWS activity rows")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the private work folder (its path is printed)")
    ap.add_argument("--no-phases", action="store_true", help="skip the per-stage pass printed where a target is missed")
    args = ap.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="carbon-report-bench-"))
    fig: dict[str, Any] = {"machine": machine(), "command": " ".join(["python3", *sys.argv])}
    m = fig["machine"]
    print(f"machine: nproc {m['nproc']} ({m['affinity']} usable), {m['cpu']}, {m['memory']}, Python {m['python']}, "
          f"{m['platform']}; {m['date']}; load average {os.getloadavg()}")
    print(f"carbon_report bytecode: {m['bytecode']}; work folder {workdir} (private to this run); Word report on",
          flush=True)
    try:
        for name in [s for s in args.sizes.split(",") if s]:
            copies = args.copies if name == "small" else args.copies_300
            fig[name] = measure_size(name, copies, workdir, args.cold, phases=not args.no_phases)
            print_size(name, fig[name])
        if args.long:
            files = corpus(workdir / "long" / "in", args.long, *SIZES["small"])
            lg = fig["long"] = long_run(workdir / "long" / "in", files, workdir / "long" / "out", 2)
            print(f"\n== long: {lg['files']} small workbooks, --jobs 2, {lg['elapsed_s']:.0f} s, {lg['statuses']}; "
                  f"worker PSS max (with its LibreOffice) {lg['worker_rss_max_mb']:.0f} MB")
            for row in lg["worker_rss_deciles_mb"]:
                print(f"    one worker's PSS (with its LibreOffice) at each tenth of its files: {row} MB")
        if args.huge:
            fig["huge"] = huge(args.huge, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(fig, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
