"""Write docs/codes.md from the finding-code catalogue (carbon_report.core.findings.Code)."""

from __future__ import annotations

from pathlib import Path

from carbon_report.app.codes import markdown

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    (ROOT / "docs" / "codes.md").write_text(markdown(), encoding="utf-8")
    print("docs/codes.md written")
