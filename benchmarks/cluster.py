"""Workbooks per second: `carbon-report batch --jobs 2` and `--dask` on a 2-worker LocalCluster, in one run.

    pip install -e ".[dask]"
    python benchmarks/cluster.py                 # 24 small workbooks (what a client sends), Word report on
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
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="carbon_report_cluster_bench_"))
    cluster = subprocess.Popen([sys.executable, "-c", CLUSTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    try:
        folder = workdir / "in"
        run.corpus(folder, args.copies, args.rows, 5 if args.rows <= 12 else 40)
        assert cluster.stdout is not None
        address = cluster.stdout.readline().strip()
        walls: dict[str, list[float]] = {"jobs2": [], "dask2": []}
        for _ in range(args.rounds):
            walls["jobs2"].append(timed_batch(folder, workdir / "j2", ["--jobs", "2"]))
            walls["dask2"].append(timed_batch(folder, workdir / "d2", ["--dask", address]))
        fig: dict[str, Any] = {"machine": run.machine(), "workbooks": args.copies, "rows": args.rows,
                               "loadavg_after": os.getloadavg()[0], "walls_s": walls}
        for key, w in walls.items():
            fig[f"{key}_wall_s"] = statistics.median(w)
            fig[f"{key}_wb_per_s"] = args.copies / statistics.median(w)
        fig["dask2_wb_per_s_per_worker_core"] = fig["dask2_wb_per_s"] / 2
        m = fig["machine"]
        print(f"{m['cpu']}, {m['affinity']} cores, Python {m['python']}, {m['date']}")
        print(f"{args.copies} workbooks of {args.rows} activity rows, Word report on, median of {args.rounds}:")
        print(f"  batch --jobs 2                   {fig['jobs2_wall_s']:6.2f} s  {fig['jobs2_wb_per_s']:5.2f} workbooks/s")
        print(f"  batch --dask (2-worker cluster)  {fig['dask2_wall_s']:6.2f} s  {fig['dask2_wb_per_s']:5.2f} workbooks/s"
              f"  ({fig['dask2_wb_per_s_per_worker_core']:.2f} per worker core)")
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
