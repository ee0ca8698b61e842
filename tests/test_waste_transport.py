"""Issue 25: a freight service in the 回收 stage carries waste: GHG Protocol Scope 3 category 5 (waste
generated in operations, which may include the transportation of waste), ISO 14064-1 category 3 (freight
paid for by the organization); the same freight elsewhere stays Scope 3 category 4."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon_report.app.pipeline import check_file
from carbon_report.core.factors import load_library
from workbooks import build


def test_waste_transport_is_scope3_category_5(tmp_path: Path) -> None:
    rows = [["运输", "原材料运输", "钢材运输", 10000, "t·km", "EF-ROAD-DIESEL-30T", "台账", None],
            ["回收", "废弃物运输", "废料运输", 2000, "t·km", "EF-ROAD-DIESEL-30T", "台账", None]]
    out = check_file(build(tmp_path / "w.xlsx", activities=rows, factors=[]))
    assert out.status == "ok", out.findings
    s = out.result.scopes
    # 0.078 kgCO2e/t·km (library.csv): 10,000 t·km → 0.78 t (category 4), 2,000 t·km → 0.156 t (category 5)
    assert s.scope3_categories == {4: pytest.approx(0.78), 5: pytest.approx(0.156)}
    assert s.iso[3] == pytest.approx(0.78 + 0.156)  # both stay ISO category 3 (transportation)
    assert load_library().version == "2026.5"  # the change moves a total: the edition was raised
