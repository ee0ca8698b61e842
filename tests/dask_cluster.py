"""A real Dask LocalCluster for tests/test_cluster.py, in a process of its own (the test process then has no
Dask threads, which would make the process pools of later tests fork a threaded process).

    python tests/dask_cluster.py   -> prints the scheduler's address, runs until stdin closes

Two worker processes of one thread, non-daemonic (a shard runs its own process pool), and the scheduler
gives up on a task after one lost worker (allowed-failures 1), so that a test reaches E-DASK-WORKER in few kills.
"""

from __future__ import annotations

import sys

import dask
from distributed import LocalCluster

if __name__ == "__main__":
    with dask.config.set({"distributed.worker.daemon": False, "distributed.scheduler.allowed-failures": 1,
                          "logging.distributed": "error"}):
        # inside the config for the whole run: a worker that the nanny restarts reads it again
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()
        cluster.close()
