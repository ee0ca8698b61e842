"""app/batch is a package whose modules import one another in one direction only (issue 24: batch.py and
cluster.py used to import each other), and the batch→summary seam is a typed, frozen record."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import carbon_report.app.batch as batch_pkg
from carbon_report.core.record import FileRecord

PACKAGE = "carbon_report.app.batch"
FOLDER = Path(batch_pkg.__file__).parent


def imports_of(path: Path) -> set[str]:
    """The package's own modules that `path` imports, at its top or inside a function."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == PACKAGE:  # `from carbon_report.app.batch import plan`: a module, else the face
                out |= {a.name if (FOLDER / f"{a.name}.py").is_file() else "__init__" for a in node.names}
            elif node.module.startswith(PACKAGE + "."):
                out.add(node.module.removeprefix(PACKAGE + "."))
        elif isinstance(node, ast.Import):
            out |= {a.name.removeprefix(PACKAGE + ".") for a in node.names if a.name.startswith(PACKAGE + ".")}
    return out


def test_the_batch_modules_import_each_other_without_a_circle() -> None:
    graph = {p.stem: imports_of(p) for p in FOLDER.glob("*.py") if p.stem != "__init__"}
    assert set(graph) >= {"plan", "worker", "records", "pool", "children", "cluster", "command"}
    assert all("__init__" not in deps for deps in graph.values()), graph  # nobody imports the package's face
    done: list[str] = []
    visiting: list[str] = []

    def visit(m: str) -> None:
        assert m not in visiting, f"import circle: {' → '.join([*visiting, m])}"
        if m in done:
            return
        visiting.append(m)
        for dep in sorted(graph.get(m, ())):
            visit(dep)
        visiting.pop()
        done.append(m)

    for m in sorted(graph):
        visit(m)
    assert not (FOLDER.parent / "cluster.py").exists()  # one home for the cluster: the batch package


def test_the_record_at_the_summary_seam_is_frozen_typed_data() -> None:
    assert dataclasses.is_dataclass(FileRecord) and FileRecord.__dataclass_params__.frozen  # type: ignore[attr-defined]
    doc = {"input": "/收集/甲.xlsx", "status": "ok", "company": {"name": "甲", "uscc": "X", "year": 2024},
           "stages": {"raw_materials": 1.5, "production": 2.5, "procurement": 0.0, "transport": 0.0,
                      "packaging": 0.0, "recycling": 0.0},
           "total_tco2e": 4.0, "issues": [{"severity": "warning", "sheet": "活动数据", "cell": "D2",
                                           "code": "W-BATCH-DUPLICATE-COMPANY", "message": "m"}],
           "outputs": {"workbook": "/o/甲_计算结果.xlsx", "report": None}}
    rec = FileRecord.from_json(doc, lines=["l"], summary_line="s")
    assert rec.name == "甲.xlsx" and rec.company is not None and rec.company.year == 2024
    assert [s.tco2e for s in rec.stages][:2] == [1.5, 2.5] and rec.exit_code == 0
    assert rec.to_json() == doc  # the contract's JSON, verbatim
    moved = rec.with_outputs(report="/o/甲_评价报告.docx")
    assert moved.outputs.report == moved.to_json()["outputs"]["report"] == "/o/甲_评价报告.docx"
    assert "pdf" not in moved.to_json()["outputs"]  # no key the contract's JSON did not have
    assert rec.outputs.report is None  # frozen: the original is unchanged
