"""A real Dask LocalCluster for tests/test_cluster.py, in a process of its own (the test process then has no
Dask threads, which would make the process pools of later tests fork a threaded process).

    python tests/dask_cluster.py [ALLOWED_FAILURES]   -> prints the scheduler's address, runs until stdin closes

Dask's defaults, as a user's cluster has them: daemonic worker processes (which may not start children with
multiprocessing), a nanny that restarts a killed worker, allowed-failures 3. Only the size is chosen: two
worker processes of one thread each, as `--dask local --jobs 2` starts them. ALLOWED_FAILURES (the scheduler's
retries of a task whose worker died) is lowered by the one test that kills workers over and over, so that it
needs 4 kills rather than 8 on a loaded machine; the workers are the same.
"""

from __future__ import annotations

import sys

import dask
from distributed import LocalCluster

if __name__ == "__main__":
    settings = {"distributed.scheduler.allowed-failures": int(sys.argv[1])} if len(sys.argv) > 1 else {}
    with dask.config.set(settings):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()
        cluster.close()
