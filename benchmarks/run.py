"""Benchmark of `process` and `batch`: python benchmarks/run.py --n 40 [--long 1000]

Generates N realistic intake workbooks (the formatted demo sample from samples/, refilled with ~300 activity
rows and every sheet filled, valid library factor codes, a distinct company each), then measures in one run:

  (a) the floor per workbook: openpyxl load + save, plus python-docx opening and saving the report template
      (when workbook_templates/report_template.docx exists);
  (b) pipeline.process_file per workbook inside one warm process, and the command line cold
      (a `carbon-report process` subprocess per workbook);
  (c) `carbon-report batch` with --jobs 1 and --jobs 2 over the same N files, each in a fresh process;
      peak memory per worker = ru_maxrss of the reaped children of that process;
  (--long M) M workbooks through run_batch with a worker that also reports its own RSS after each file:
      worker RSS over the first and the last files, and the parent's RSS at start and end.

Prints the figures and the ratios against the targets; --json FILE writes them too. Nothing here is a test:
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
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
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "samples" / "示例_华东精密机械有限公司_2024.xlsx"
REPORT_TEMPLATE = ROOT / "workbook_templates" / "report_template.docx"
GENERATOR_VERSION = "1"  # bump when the generated workbooks change, to refresh the cache

TARGETS = {"warm_over_floor": 2.0, "jobs2_speedup": 1.7, "worker_peak_mb": 300.0}


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


def make_workbook(i: int, dest: Path, rows: int = 300) -> Path:
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
        stage, kind, stem, (lo, hi), unit, code = ROW_KINDS[k % len(ROW_KINDS)]
        acts.append([stage, kind, f"{stem}（批次{k // len(ROW_KINDS) + 1}）", round(rnd.uniform(lo, hi), 3), unit, code,
                     rnd.choice(["台账", "发票", "计量表", "电费单"]), None])
    fill(contract.ACTIVITIES, acts)
    fill(contract.EQUIPMENT, [[f"设备{k + 1}", f"M-{k:03d}", "台", rnd.randint(1, 20),
                               rnd.choice(["电能", "柴油", "天然气"])] for k in range(40)])
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


def corpus(workdir: Path, n: int) -> list[Path]:
    """N generated workbooks in workdir/wb<N>/ (cached between runs)."""
    folder = workdir / f"wb{n}"
    stamp = folder / ".generated"
    if stamp.is_file() and stamp.read_text() == f"{GENERATOR_VERSION} {n}":
        return sorted(folder.glob("*.xlsx"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pictures(folder)
    from concurrent.futures import ProcessPoolExecutor

    paths = [folder / f"企业{i:04d}.xlsx" for i in range(n)]
    with ProcessPoolExecutor() as ex:
        list(ex.map(make_workbook, range(n), paths, chunksize=8))
    stamp.write_text(f"{GENERATOR_VERSION} {n}")
    return paths


# ---- measuring ---------------------------------------------------------------------------------------------------


def median_time(fn: Any, items: list[Any]) -> float:
    times = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def floor(paths: list[Path]) -> dict[str, float | None]:
    import docx
    import openpyxl

    def xlsx(p: Path) -> None:
        openpyxl.load_workbook(p).save(io.BytesIO())

    def word(_: Path) -> None:
        docx.Document(str(REPORT_TEMPLATE)).save(io.BytesIO())

    xlsx(paths[0])  # warm-up
    out: dict[str, float | None] = {"openpyxl_load_save_s": median_time(xlsx, paths), "docx_open_save_s": None}
    if REPORT_TEMPLATE.is_file():
        word(paths[0])
        out["docx_open_save_s"] = median_time(word, paths)
    out["floor_s"] = out["openpyxl_load_save_s"] + (out["docx_open_save_s"] or 0.0)
    return out


def warm(paths: list[Path], out: Path, options: Any) -> float:
    from carbon_report.app.pipeline import process_file

    process_file(paths[0], out, options)  # warm-up: imports, factor library, template
    return median_time(lambda p: process_file(p, out, options), paths)


# where the warm time goes: ("module[:Class]", attribute) wrapped with a timer; times are inclusive (nested rows are parts)
STAGES = [
    ("carbon_report.app.pipeline", "read_workbook", "read: reader.read_workbook"),
    ("openpyxl", "load_workbook", "  openpyxl load_workbook"),
    ("carbon_report.app.pipeline", "analyse", "validate + calculate: pipeline.analyse"),
    ("carbon_report.app.pipeline", "computed_tables", "computed_tables"),
    ("carbon_report.outputs.workbook", "write_workbook", "write: workbook_writer.write_workbook"),
    ("carbon_report.outputs.workbook", "draw_tables", "  draw_tables (openpyxl cells and styles)"),
    ("openpyxl.workbook.workbook:Workbook", "save", "  openpyxl Workbook.save (computed sheets)"),
    ("carbon_report.outputs.workbook", "graft", "  graft into the input package"),
    ("carbon_report.outputs.report", "render_report", "report: render_report"),
    ("carbon_report.outputs.report.render", "build_context", "  build_context"),
    ("carbon_report.outputs.report.charts", "stage_share_chart", "    chart: stage shares (matplotlib)"),
    ("carbon_report.outputs.report.charts", "target_path_chart", "    chart: target path (matplotlib)"),
    ("docxtpl:DocxTemplate", "render", "  docxtpl render"),
    ("docxtpl:DocxTemplate", "save", "  docxtpl save"),
]


def breakdown(paths: list[Path], out: Path, options: Any) -> dict[str, float]:
    """Mean ms per workbook of each stage of process_file (warm)."""
    import importlib

    from carbon_report.app.pipeline import process_file

    process_file(paths[0], out, options)
    totals: dict[str, float] = {label: 0.0 for *_, label in STAGES}
    undo = []
    for where, attr, label in STAGES:
        module, _, cls = where.partition(":")
        try:
            owner = importlib.import_module(module)
        except ImportError:  # e.g. no report part yet
            continue
        owner = getattr(owner, cls) if cls else owner
        original = getattr(owner, attr, None)
        if original is None:
            continue

        def timed(*a: Any, _f: Any = original, _label: str = label, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                totals[_label] += time.perf_counter() - t0

        setattr(owner, attr, timed)
        undo.append((owner, attr, original))
    t0 = time.perf_counter()
    for p in paths:
        process_file(p, out, options)
    totals["process_file total"] = time.perf_counter() - t0
    for owner, attr, original in reversed(undo):
        setattr(owner, attr, original)
    return {k: v / len(paths) * 1000 for k, v in totals.items() if v}


def cold(paths: list[Path], out: Path, report: bool, k: int = 5) -> float:
    extra = [] if report else ["--no-report"]
    return median_time(lambda p: subprocess.run(["carbon-report", "process", str(p), "--out", str(out), *extra],
                                                 capture_output=True, check=False), paths[:k])


def batch_run(folder: Path, out: Path, jobs: int, report: bool, repeat: int) -> dict[str, Any]:
    """`carbon-report batch` in a fresh process (this script's --probe mode); the fastest of `repeat` runs."""
    runs = [_batch_once(folder, out, jobs, report) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["elapsed_s"])
    return {**best, "runs_s": [r["elapsed_s"] for r in runs], "worker_peak_mb": max(r["worker_peak_mb"] for r in runs)}


def _batch_once(folder: Path, out: Path, jobs: int, report: bool) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    load = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as f:
        probe = Path(f.name)
    cmd = [sys.executable, __file__, "--probe", str(probe), "batch", str(folder), "--out", str(out),
           "--jobs", str(jobs)] + ([] if report else ["--no-report"])
    subprocess.run(cmd, capture_output=True, check=False)
    result = json.loads(probe.read_text())
    probe.unlink()
    return {**result, "loadavg_before": load}


def probe(result_path: str, argv: list[str]) -> int:
    """Run the command line in this process; record its time and the peak RSS of its reaped workers."""
    from carbon_report.app.cli import main

    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    elapsed = time.perf_counter() - t0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    Path(result_path).write_text(json.dumps({
        "elapsed_s": elapsed, "exit_code": code,
        "worker_peak_mb": kids.ru_maxrss / 1024,  # KiB on Linux; RSS, pages shared with the parent included
        "workers_cpu_s": kids.ru_utime + kids.ru_stime,
        # VmHWM, not ru_maxrss: ru_maxrss keeps the high-water mark of the process that forked this one
        "parent_peak_mb": _status_kb("VmHWM") / 1024}))
    return 0


def _status_kb(field: str) -> float:
    with open("/proc/self/status") as f:
        return next(float(line.split()[1]) for line in f if line.startswith(field + ":"))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


def rss_worker(path: str, out_subdir: str, options: Any) -> dict[str, Any]:
    """process_one, plus this worker's pid and RSS after the file (for the --long run)."""
    from carbon_report.app.batch import process_one

    record = process_one(path, out_subdir, options)
    record["rss"] = (os.getpid(), rss_mb())
    return record


def long_run(folder: Path, files: list[Path], out: Path, jobs: int, options: Any) -> dict[str, Any]:
    from carbon_report.app.batch import run_batch
    from carbon_report.outputs.summary import write_summary

    shutil.rmtree(out, ignore_errors=True)
    parent_start = rss_mb()
    samples: list[tuple[int, float]] = []
    t0 = time.perf_counter()
    result = run_batch(files, out, options, jobs=jobs, root=folder, worker=rss_worker,
                       on_result=lambda r: samples.append(tuple(r["rss"])) if "rss" in r else None)
    write_summary(result.files, out / "汇总.xlsx", root=folder)
    elapsed = time.perf_counter() - t0
    parent_end = rss_mb()
    per_worker: dict[int, list[float]] = {}
    for pid, rss in samples:
        per_worker.setdefault(pid, []).append(rss)
    head = [statistics.median(v[5:25]) for v in per_worker.values() if len(v) >= 50]
    tail = [statistics.median(v[-20:]) for v in per_worker.values() if len(v) >= 50]
    # each worker's RSS at every tenth of its files: a leak climbs steadily, a plateau does not
    deciles = [[round(v[min(len(v) - 1, len(v) * k // 10)], 1) for k in range(11)]
               for v in per_worker.values() if len(v) >= 50]
    return {"files": len(files), "elapsed_s": elapsed, "files_per_s": len(files) / elapsed,
            "workers": len(per_worker), "worker_rss_start_mb": head, "worker_rss_end_mb": tail,
            "worker_rss_deciles_mb": deciles,
            "worker_rss_max_mb": max(r for _, r in samples),
            "parent_rss_start_mb": parent_start, "parent_rss_end_mb": parent_end,
            "statuses": {s: sum(1 for f in result.files if f["status"] == s) for s in ("ok", "invalid", "unreadable")}}


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    return {"nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)), "cpu": cpu or platform.processor(),
            "python": platform.python_version(), "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def report_available() -> bool:
    try:
        from carbon_report.outputs.report import render_report  # noqa: F401
    except ImportError:
        return False
    return REPORT_TEMPLATE.is_file()


def print_ab(fig: dict[str, Any]) -> None:
    f = fig["floor"]
    fig.setdefault("ratios", {}).update(warm_over_floor=fig["warm_s"] / f["floor_s"],
                                        cold_over_warm=fig["cold_s"] / fig["warm_s"])
    print(f"(a) floor: openpyxl load+save {f['openpyxl_load_save_s'] * 1000:.0f} ms"
          + (f", docx open+save {f['docx_open_save_s'] * 1000:.0f} ms" if f["docx_open_save_s"] is not None else
             ", docx: no template yet") + f" = {f['floor_s'] * 1000:.0f} ms")
    print(f"(b) process_file warm {fig['warm_s'] * 1000:.0f} ms/workbook; command line cold {fig['cold_s'] * 1000:.0f} ms")
    print("    where the warm time goes (ms per workbook, inclusive):")
    for label, ms in fig["breakdown_ms"].items():
        print(f"      {label:<48} {ms:7.0f}")
    print(f"    warm/floor {fig['ratios']['warm_over_floor']:.2f} (target ≤ {TARGETS['warm_over_floor']}); "
          f"cold/warm {fig['ratios']['cold_over_warm']:.1f}", flush=True)


def print_c(fig: dict[str, Any]) -> None:
    j1, j2 = fig["jobs1"], fig["jobs2"]
    fig.setdefault("ratios", {}).update(jobs2_speedup=j2["files_per_s"] / j1["files_per_s"],
                                        worker_peak_mb=max(j1["worker_peak_mb"], j2["worker_peak_mb"]))
    for k in ("jobs1", "jobs2"):
        b = fig[k]
        print(f"(c) batch --jobs {k[-1]}: {b['elapsed_s']:.2f} s, {b['files_per_s']:.2f} workbooks/s, "
              f"worker peak {b['worker_peak_mb']:.0f} MB, parent peak {b['parent_peak_mb']:.0f} MB, workers' CPU "
              f"{b['workers_cpu_s']:.1f} s, load before {b['loadavg_before']:.2f}, runs {[round(x, 1) for x in b['runs_s']]} s, "
              f"exit {b['exit_code']}")
    r = fig["ratios"]
    print(f"    jobs2/jobs1 {r['jobs2_speedup']:.2f} (target ≥ {TARGETS['jobs2_speedup']}); "
          f"worker peak {r['worker_peak_mb']:.0f} MB (target < {TARGETS['worker_peak_mb']:.0f})", flush=True)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        return probe(sys.argv[2], sys.argv[3:])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40, help="workbooks for (a)-(c)")
    ap.add_argument("--long", type=int, default=0, metavar="M", help="also run M workbooks and watch memory")
    ap.add_argument("--jobs-long", type=int, default=2, help="workers for the --long run")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "carbon-report-bench")
    ap.add_argument("--no-report", action="store_true", help="leave the Word report out")
    ap.add_argument("--parts", default="abc", help="which of (a)(b)(c) to run, e.g. c")
    ap.add_argument("--repeat", type=int, default=2, help="batch runs per --jobs setting (the fastest counts)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = ap.parse_args()

    from carbon_report.app.pipeline import Options

    report = report_available() and not args.no_report
    options = Options(report=report)
    files = corpus(args.workdir, args.n)
    folder = files[0].parent
    out = args.workdir / "out"
    fig: dict[str, Any] = {"machine": machine(), "n": len(files), "report": report,
                           "report_template": REPORT_TEMPLATE.is_file()}
    print(f"machine: {fig['machine']}; load average {os.getloadavg()}")
    print(f"{len(files)} workbooks in {folder}; Word report {'on' if report else 'OFF'}", flush=True)

    if "a" in args.parts or "b" in args.parts:
        fig["floor"] = floor(files)
        fig["warm_s"] = warm(files, out / "warm", options)
        fig["breakdown_ms"] = breakdown(files, out / "warm", options)
        fig["cold_s"] = cold(files, out / "cold", report)
        print_ab(fig)
    if "c" in args.parts:
        fig["jobs1"] = batch_run(folder, out / "j1", 1, report, args.repeat)
        fig["jobs2"] = batch_run(folder, out / "j2", 2, report, args.repeat)
        for k in ("jobs1", "jobs2"):
            fig[k]["files_per_s"] = len(files) / fig[k]["elapsed_s"]
        print_c(fig)
    if args.long:
        long_files = corpus(args.workdir, args.long)
        fig["long"] = long_run(long_files[0].parent, long_files, out / "long", args.jobs_long, options)

    if "long" in fig:
        lg = fig["long"]
        print(f"long: {lg['files']} workbooks, {lg['elapsed_s']:.0f} s, {lg['files_per_s']:.2f}/s, {lg['workers']} workers; "
              f"worker RSS start {[round(x) for x in lg['worker_rss_start_mb']]} MB → end "
              f"{[round(x) for x in lg['worker_rss_end_mb']]} MB (max {lg['worker_rss_max_mb']:.0f}); parent "
              f"{lg['parent_rss_start_mb']:.0f} → {lg['parent_rss_end_mb']:.0f} MB; {lg['statuses']}")
        for row in lg["worker_rss_deciles_mb"]:
            print(f"      worker RSS at each tenth of its files: {row} MB")
    if args.json:
        args.json.write_text(json.dumps(fig, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
