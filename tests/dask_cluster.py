"""A real Dask LocalCluster for tests/test_cluster.py, in a process of its own (the test process then has no
Dask threads, which would make the process pools of later tests fork a threaded process).

    python tests/dask_cluster.py   -> prints the scheduler's address, runs until stdin closes

Dask's defaults, as a user's cluster has them: daemonic worker processes (which may not start children with
multiprocessing), a nanny that restarts a killed worker, allowed-failures 3. Only the size is chosen: two
worker processes of one thread each, as `--dask local --jobs 2` starts them.
"""

from __future__ import annotations

import sys

from distributed import LocalCluster

if __name__ == "__main__":
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()
    cluster.close()
