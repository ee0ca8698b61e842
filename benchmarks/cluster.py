"""Workbooks per second: `carbon-report batch --jobs 1`, `--jobs 2`, `--dask ADDRESS` on a pre-started
2-worker LocalCluster and `--dask local` (which starts its own), on the same files, in one run (issue 24).

    pip install -e ".[dask]"
    python benchmarks/cluster.py                 # 24 small workbooks (what a client sends), Word report on
    python benchmarks/cluster.py --copies 100 --rounds 2          # --jobs 2 ÷ --jobs 1 over 100 files, repeated
    python benchmarks/cluster.py --copies 200 --commands jobs2,local   # --dask local against --jobs 2, 200 files
    python benchmarks/cluster.py --copies 48 --rows 300 --json figures.json

The workbooks are those of benchmarks/run.py (the demo sample refilled, distinct companies, two pictures).
The cluster is started before the timed command, as a platform's cluster is already running: a scheduler and
two worker processes of one thread each (Dask's defaults: daemonic), on this machine. Both commands are timed from
outside, whole (start-up, every file, 汇总.xlsx); they alternate (`--rounds`) so that both see the same load,
and the median is kept. Workbooks per second per worker core = the --dask figure ÷ 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import run  # noqa: E402 - benchmarks/run.py: the same corpus and machine description

CLUSTER = """
import sys, dask
from distributed import LocalCluster
with dask.config.set({"logging.distributed": "error"}):
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()
    cluster.close()
"""


def timed_batch(folder: Path, out: Path, extra: list[str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    r = subprocess.run([run.command("carbon-report"), "batch", str(folder), "--out", str(out), *extra],
                       capture_output=True, check=False)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        raise SystemExit(f"batch {' '.join(extra)}: exit {r.returncode}\n{r.stderr.decode()[-2000:]}")
    return wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=24, help="workbooks in the set")
    ap.add_argument("--rows", type=int, default=12, help="activity rows per workbook (12: small, 300: large)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating runs of each command")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    ap.add_argument("--commands", default="jobs1,jobs2,dask,local",
                    help="which to time, alternating: jobs1, jobs2, dask (the pre-started cluster), local "
                         "(`--dask local`, its cluster's start-up included); default all four")
    args = ap.parse_args()
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    unknown = set(commands) - {"jobs1", "jobs2", "dask", "local"}
    if unknown or "jobs2" not in commands:
        ap.error(f"--commands: jobs2 is the reference and must be there; unknown: {sorted(unknown)}")
    workdir = Path(tempfile.mkdtemp(prefix="carbon_report_cluster_bench_"))
    cluster = subprocess.Popen([sys.executable, "-c", CLUSTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    try:
        folder = workdir / "in"
        run.corpus(folder, args.copies, args.rows, 5 if args.rows <= 12 else 40)
        assert cluster.stdout is not None
        address = cluster.stdout.readline().strip()
        extra = {"jobs1": ["--jobs", "1"], "jobs2": ["--jobs", "2"], "dask": ["--dask", address],
                 "local": ["--dask", "local"]}
        walls: dict[str, list[float]] = {c: [] for c in commands}
        loads: list[float] = []
        for _ in range(args.rounds):
            for c in commands:
                loads.append(os.getloadavg()[0])
                walls[c].append(timed_batch(folder, workdir / c, extra[c]))
        fig: dict[str, Any] = {"machine": run.machine(), "workbooks": args.copies, "rows": args.rows,
                               "loadavg_before_each": loads, "loadavg_after": os.getloadavg()[0], "walls_s": walls}
        for key, w in walls.items():
            fig[f"{key}_wall_s"] = statistics.median(w)
            fig[f"{key}_wb_per_s"] = args.copies / statistics.median(w)
        m = fig["machine"]
        print(f"{m['cpu']}, {m['affinity']} cores, Python {m['python']}, {m['date']}; load average before the "
              f"commands {min(loads):.2f}–{max(loads):.2f}")
        print(f"{args.copies} workbooks of {args.rows} activity rows, Word report on, median of {args.rounds}:")
        label = {"jobs1": "batch --jobs 1", "jobs2": "batch --jobs 2", "dask": "batch --dask (pre-started cluster)",
                 "local": "batch --dask local (starts it)"}
        for c in commands:
            ratio = "" if c == "jobs2" else f"  {fig[f'{c}_wb_per_s'] / fig['jobs2_wb_per_s']:.2f}× --jobs 2"
            print(f"  {label[c]:36s} {fig[f'{c}_wall_s']:7.2f} s  {fig[f'{c}_wb_per_s']:5.2f} workbooks/s{ratio}"
                  f"  (each: {', '.join(f'{x:.1f}' for x in walls[c])} s)")
        if "jobs1" in commands:
            fig["jobs2_speedup"] = fig["jobs1_wall_s"] / fig["jobs2_wall_s"]
            print(f"  --jobs 2 ÷ --jobs 1: {fig['jobs2_speedup']:.2f}× (target ≥ 1.8×)")
        if "dask" in commands:
            fig["dask_per_core_vs_jobs2"] = fig["dask_wb_per_s"] / fig["jobs2_wb_per_s"]
            print(f"  pre-started cluster per worker core ÷ --jobs 2 per core: {fig['dask_per_core_vs_jobs2']:.2f} "
                  f"(target within 10 %)")
        if "local" in commands:
            fig["local_vs_jobs2"] = fig["local_wb_per_s"] / fig["jobs2_wb_per_s"]
            print(f"  --dask local ÷ --jobs 2: {fig['local_vs_jobs2']:.2f}× (target ≥ 0.8× on 200 workbooks)")
        if args.json:
            args.json.write_text(json.dumps(fig, ensure_ascii=False, indent=2), encoding="utf-8")
    finally:
        if cluster.stdin:
            cluster.stdin.close()
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            cluster.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
