"""The batch's fixed cost: what `carbon-report batch` pays once, whatever the number of files (issue 24: ≤ 0.4 s).

    python benchmarks/fixed_cost.py [--small 2] [--large 16] [--repeat 3]

`carbon-report batch --jobs 2` over `small` and over `large` copies of a small client workbook (12 activity
rows, reports on, every other setting as users get it: `python -m carbon_report`, so PYTHONPATH picks the
tree measured), alternated, each command timed whole from outside.
The per-file cost is the slope between the two; the fixed cost is what is left at zero files: start of the
command, warming the workers, planning, 汇总.xlsx, ending. Medians of `repeat` runs; the load average is
printed beside them, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import run  # noqa: E402 - benchmarks/run.py: the same small workbook and machine description


def timed_batch(folder: Path, out: Path) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "carbon_report", "batch", str(folder), "--out", str(out), "--jobs", "2",
                        "--force"], capture_output=True, check=False)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        raise SystemExit(f"batch: exit {r.returncode}\n{r.stderr.decode()[-2000:]}")
    return wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=2)
    ap.add_argument("--large", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows, equipment = run.SIZES["small"]
    with tempfile.TemporaryDirectory(prefix="fixed-cost-") as tmp:
        work = Path(tmp)
        folders = {}
        for n in (args.small, args.large):
            folders[n] = work / f"in{n}"
            run.corpus(folders[n], n, rows, equipment)
        walls: dict[int, list[float]] = {args.small: [], args.large: []}
        loads = []
        timed_batch(folders[args.small], work / "warm-up")  # the bytecode and the template cache, as after install
        for _ in range(args.repeat):
            for n in (args.small, args.large):
                loads.append(os.getloadavg()[0])
                walls[n].append(timed_batch(folders[n], work / f"out{n}"))
    small, large = statistics.median(walls[args.small]), statistics.median(walls[args.large])
    per_file = (large - small) / (args.large - args.small)
    fixed = small - args.small * per_file
    print(f"machine: {run.machine()}")
    print(f"load average during the runs: {min(loads):.1f}–{max(loads):.1f}")
    print(f"batch --jobs 2, {args.small} files: {small:.2f} s; {args.large} files: {large:.2f} s (medians of {args.repeat})")
    print(f"per file (slope, 2 workers): {per_file * 1000:.0f} ms; fixed cost (at zero files): {fixed:.2f} s "
          f"(target ≤ 0.4 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
