"""Imported for its effect by the forkserver of a Dask worker's shard pools (app/cluster.py): the pipeline's
imports, factor library, unit registry and report template are loaded once, in the forkserver, and every
pool process forked from it starts warm, instead of each shard's pool paying about a second for them."""

from carbon_report.app.batch import _warm_worker

_warm_worker()
