"""Batch workers are warmed by the pool's initializer before their first file: the pipeline's imports, the
unit table, the factor library and the report template are loaded there, not in the batch's parent."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys

    def state():
        from carbon_report.core import factors, units
        from carbon_report.outputs.report import render
        return {"docxtpl": "docxtpl" in sys.modules, "openpyxl": "openpyxl" in sys.modules,
                "units": units.conversions.cache_info().currsize, "library": factors.load_library.cache_info().currsize,
                "template": render._prepared.cache_info().currsize}

    from carbon_report.app.batch import default_executor

    with default_executor(1) as ex:
        worker = ex.submit(state).result(timeout=300)
    print(json.dumps({"worker": worker, "parent_docxtpl": "docxtpl" in sys.modules}))
""")


def test_a_worker_is_warm_before_its_first_file_and_the_parent_stays_light():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["worker"] == {"docxtpl": True, "openpyxl": True, "units": 1, "library": 1, "template": 1}
    assert got["parent_docxtpl"] is False
