"""The core is pure: importing any module under carbon_report.core loads no file-format or plotting library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "src" / "carbon_report" / "core"
HEAVY = ["openpyxl", "docx", "docxtpl", "lxml", "matplotlib", "zipfile", "PIL", "xlwings", "jinja2"]


def core_modules() -> list[str]:
    mods = []
    for p in sorted(CORE.rglob("*.py")):
        parts = p.relative_to(CORE.parents[1]).with_suffix("").parts
        mods.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return mods


def test_importing_core_loads_no_file_format_library() -> None:
    mods = core_modules()
    assert "carbon_report.core.validate" in mods and "carbon_report.core.calculate" in mods
    # What the interpreter itself loads before our code (a .pth may pull in zipfile) is not ours, nor what
    # the standard library's resource readers import (importlib.resources.readers imports zipfile in a venv
    # whose loader reads package data files from the folder).
    code = ("import sys\nimport importlib.resources.readers\nbefore = set(sys.modules)\n" + "".join(f"import {m}\n" for m in mods)
            + f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules and m not in before)))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ""
