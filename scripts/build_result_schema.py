"""Write docs/result.schema.json: the JSON Schema of `--json` (carbon_report.outputs.results.json_schema)."""

from __future__ import annotations

import json
from pathlib import Path

from carbon_report.outputs.results import json_schema

ROOT = Path(__file__).resolve().parents[1]


def text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    (ROOT / "docs" / "result.schema.json").write_text(text(), encoding="utf-8")
    print("docs/result.schema.json written")
