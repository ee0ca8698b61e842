"""Regenerate the committed intake template: python scripts/build_template.py [OUT.xlsx]

Run it after changing contract.py, template.py or the factor library (the template lists the library in
its 因子库 sheet); tests/test_template.py fails while the committed copy is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from carbon_report.outputs.template import write_template  # noqa: E402

COMMITTED = ROOT / "workbook_templates" / "intake_template.xlsx"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else COMMITTED
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out, force=True)  # regenerating the committed copy replaces it
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
