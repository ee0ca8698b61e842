"""`carbon-report batch`: every workbook of a folder through the one pipeline, in parallel, here or on a Dask
cluster. The modules, in the order a batch uses them (each imports only those above it):

    records.py   FileRecord (core/record.py) per workbook, BatchResult of them all: what 汇总.xlsx, --json
                 and a program read
    plan.py      which files, their output folders, each company's earlier years, a cluster's shards
    worker.py    a worker process's life: start (dies with its parent, quiet, capped, warm), one file under
                 its time limit
    pool.py      the batch loop over a pool of worker processes: time limits, crashes, Ctrl-C
    children.py  subprocess workers fed over a pipe, for daemonic hosts (a Dask worker)
    cluster.py   --dask: shards of the batch loop on Dask workers, outputs written here (docs/cluster.md)
    command.py   the command line: progress, 汇总.xlsx, the summary line or JSON

The names a caller needs are here; importing this package loads no pipeline, openpyxl or Dask (the batch's
parent stays light, its workers load what files need).
"""

from carbon_report.app.batch.command import run_batch_cli
from carbon_report.app.batch.plan import SUMMARY_NAME, find_workbooks, link_years
from carbon_report.app.batch.pool import default_executor, run_batch
from carbon_report.app.batch.records import BatchResult, FileRecord, record_of
from carbon_report.app.batch.worker import process_one

__all__ = ["SUMMARY_NAME", "BatchResult", "FileRecord", "default_executor", "find_workbooks", "link_years",
           "process_one", "record_of", "run_batch", "run_batch_cli"]
