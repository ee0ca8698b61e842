"""A real Dask LocalCluster for the tests that run `batch --dask` (tests/test_cluster.py,
tests/test_untrusted_batch.py), in a process of its own (the test process then has no Dask threads, which would
make the process pools of later tests fork a threaded process).

    python tests/dask_cluster.py [ALLOWED_FAILURES]   -> prints the scheduler's address, runs until stdin closes
    local_cluster(*extra)                             -> (address, the helper process), while the block runs
    dask_events(address, topic)                       -> the scheduler's event log for `topic` (Client.get_events)

Dask's defaults, as a user's cluster has them: daemonic worker processes (which may not start children with
multiprocessing), a nanny that restarts a killed worker, allowed-failures 3. Only the size is chosen: two
worker processes of one thread each, as `--dask local --jobs 2` starts them. ALLOWED_FAILURES (the scheduler's
retries of a task whose worker died) is lowered by the one test that kills workers over and over, so that it
needs 4 kills rather than 8 on a loaded machine; the workers are the same.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


@contextlib.contextmanager
def local_cluster(*extra: str) -> Iterator[tuple[str, Any]]:
    import psutil

    proc = subprocess.Popen([sys.executable, str(HERE / "dask_cluster.py"), *extra], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    address = proc.stdout.readline().strip()
    assert address.startswith("tcp://"), address
    try:
        yield address, psutil.Process(proc.pid)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


_EVENTS = ("import json, sys\nfrom distributed import Client\n"
           "with Client(sys.argv[1], set_as_default=False) as c:\n"
           "    print(json.dumps([m for _, m in c.get_events(sys.argv[2])], ensure_ascii=False))")


def dask_events(address: str, topic: str) -> list[Any]:
    """The messages the cluster's workers logged under `topic`, read by a client in a process of its own."""
    p = subprocess.run([sys.executable, "-c", _EVENTS, address, topic], capture_output=True, text=True,
                       encoding="utf-8", timeout=120, check=True)
    return json.loads(p.stdout)  # type: ignore[no-any-return]


if __name__ == "__main__":
    import dask
    from distributed import LocalCluster

    settings = {"distributed.scheduler.allowed-failures": int(sys.argv[1])} if len(sys.argv) > 1 else {}
    with dask.config.set(settings):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()
        cluster.close()
