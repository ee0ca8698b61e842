"""The core is pure: importing any module under carbon_report.core loads no file-format or plotting library."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
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


# ---- contracts that forbid what they claim --------------------------------------------------------------------

ROOT = CORE.parents[2]
APP = CORE.parent / "app"
IMPURE = {"os", "subprocess", "shutil", "zipfile", "xml", "socket", "tempfile", "io", "sys", "signal", "threading",
          "multiprocessing", "ctypes", "sqlite3", "urllib", "http", "rich", "olefile", "openpyxl", "lxml"}


def allowed_in_core() -> set[str]:
    """The allow-list as pyproject.toml's `allowed_only` contract states it (one list for lint-imports and here)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "allowed_only"]
    assert contract["source_modules"] == ["carbon_report.core"]
    return set(contract["allowed_modules"])


def imports_of(source: str) -> list[tuple[int, str]]:
    """(line, dotted module) of every absolute import in `source`, wherever it sits (a function body, an `if
    TYPE_CHECKING:`), and of every `__import__`/`import_module` call (named "<dynamic>")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{a.name}") if node.module == "importlib" else
                      (node.lineno, node.module) for a in node.names]
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in ("__import__", "import_module"):
                found.append((node.lineno, "<dynamic>"))
    return sorted(found)


def outside_allow_list(source: str, allowed: set[str]) -> list[str]:
    bad = []
    for line, module in imports_of(source):
        top = module.split(".")[0]
        if top == "carbon_report":
            continue
        if top == "importlib" and module not in ("importlib.resources",):
            bad.append(f"{line}: {module} (only importlib.resources: the package's own data files)")
        elif top not in allowed:
            bad.append(f"{line}: {module}")
    return bad


def test_core_imports_only_the_pure_standard_library_modules_of_its_allow_list() -> None:
    allowed = allowed_in_core()
    bad = {str(p.relative_to(CORE)): b for p in sorted(CORE.rglob("*.py"))
           if (b := outside_allow_list(p.read_text(encoding="utf-8"), allowed))}
    assert bad == {}


def test_the_allow_list_holds_no_impure_module() -> None:
    assert allowed_in_core() & IMPURE == set()


def test_the_core_check_fails_on_what_it_forbids() -> None:
    """The walk sees imports anywhere, so a contract breach cannot hide in a function or a TYPE_CHECKING block."""
    allowed = allowed_in_core()
    source = ("import re\nfrom decimal import Decimal\nfrom importlib import resources\n"
              "def f():\n    import subprocess\n    from xml.etree import ElementTree\n"
              "    import importlib\n    return importlib.import_module('shutil')\n"
              "if False:\n    from rich.console import Console\n")
    assert outside_allow_list(source, allowed) == [
        "5: subprocess", "6: xml.etree", "7: importlib (only importlib.resources: the package's own data files)",
        "8: <dynamic>", "10: rich.console"]


# The ways in: each a module or package of app/. The page and the API are checked here as soon as they exist.
WAYS_IN = ("cli", "excel", "web", "page", "api")
# `carbon-report addin` (the CLI) builds and installs the Excel add-in file: that installer, not the button.
INSTALLER = {"carbon_report.app.excel.addin", "carbon_report.app.excel.ovba", "carbon_report.app.excel.cfb",
             "carbon_report.app.excel.shortcut"}
# `carbon-report web` (the CLI) starts the page's server: its `serve`, in the package itself, and nothing else of it.
LAUNCHER = {"carbon_report.app.web"}
ENGINE = ("pipeline", "batch", "cluster", "warm", "messages", "codes", "factors")


def app_files(name: str) -> list[Path]:
    return [APP / f"{name}.py"] if (APP / f"{name}.py").is_file() else sorted((APP / name).rglob("*.py"))


def way_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[:2] == ["carbon_report", "app"] and len(parts) > 2 and parts[2] in WAYS_IN else None


def test_the_ways_in_never_import_one_another() -> None:
    present = [w for w in WAYS_IN if app_files(w)]
    assert {"cli", "excel"} <= set(present)
    bad = []
    for way in present:
        for p in app_files(way):
            for line, module in imports_of(p.read_text(encoding="utf-8")):
                other = way_of(module)
                if other and other != way and not (way == "cli" and module in INSTALLER | LAUNCHER):
                    bad.append(f"{p.relative_to(APP)}:{line} imports {module}")
    assert bad == []


def test_the_add_in_installer_imports_nothing_of_the_button_or_the_cli() -> None:
    bad = []
    for module in INSTALLER:
        p = APP / "excel" / f"{module.rsplit('.', 1)[1]}.py"
        for line, imported in imports_of(p.read_text(encoding="utf-8")):
            if way_of(imported) and imported not in INSTALLER:
                bad.append(f"{p.name}:{line} imports {imported}")
    assert bad == []


def test_the_shared_engine_imports_no_way_in_and_the_pipeline_is_its_bottom() -> None:
    bad = []
    for name in ENGINE:
        for p in app_files(name):
            for line, module in imports_of(p.read_text(encoding="utf-8")):
                below = name == "pipeline" and module.startswith(("carbon_report.app.batch", "carbon_report.app.cluster",
                                                                  "carbon_report.app.warm"))
                if way_of(module) or below:
                    bad.append(f"{p.name}:{line} imports {module}")
    assert bad == []


def test_lint_imports_keeps_every_contract() -> None:
    """The same rules as import-linter states them in pyproject.toml, run the way scripts/test.sh runs them."""
    p = subprocess.run(["lint-imports"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "core is pure: it imports only these standard-library modules KEPT" in p.stdout
