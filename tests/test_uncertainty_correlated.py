"""Issue 25: correlated terms combined as correlated (IPCC 2006 Vol.1 ch.3 Approach 1: aggregate until the
parts can be treated as uncorrelated), family defaults for factors and GWPs, and where each comes from.

One workbook, factors of its own with their 不确定度(%) so every figure is worked out here by hand:
  A 生产 燃料 10 t, U_A 2 %, T-FUEL: CO2 3 tCO2/t (±5 %), N2O 0.001 tN2O/t (±100 %)
      → CO2 30 t; N2O 0.01 t × 273 (AR6) = 2.73 tCO2e; the N2O GWP ±35 % (uncertainty_families.csv, cited)
  B 原材料获取 钢材 100 t at 一厂, U_A 10 %, T-STEEL 2 tCO2e/t (±20 %) → 200 t
  C 原材料获取 钢材 50 t at 二厂, U_A 10 %, T-STEEL → 100 t
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from carbon_report.core import contract
from workbooks import build

KEYS = [c.key for c in contract.ACTIVITIES.columns]
FACTORS = [
    ["T-FUEL", "燃料（测试）", "CO2", 3, "tCO2/t", "测试", None, None, None, None, 5],
    ["T-FUEL", "燃料（测试）", "N2O", 0.001, "tN2O/t", "测试", None, None, None, None, 100],
    ["T-STEEL", "钢材（测试）", "CO2e", 2, "tCO2e/t", "测试", None, None, None, None, 20],
]


def row(**cells: Any) -> list[Any]:
    return [cells.get(k) for k in KEYS]


def test_shared_activity_factor_and_gwp_are_combined_as_correlated(cli, tmp_path: Path) -> None:
    rows = [row(stage="生产", name="燃料", amount=10, unit="t", factor_code="T-FUEL", quality="实测", uncertainty=2),
            row(stage="原材料获取", name="钢材", amount=100, unit="t", factor_code="T-STEEL", site="一厂",
                quality="计算", uncertainty=10),
            row(stage="原材料获取", name="钢材", amount=50, unit="t", factor_code="T-STEEL", site="二厂",
                quality="计算", uncertainty=10)]
    wb = build(tmp_path / "u.xlsx", activities=rows, factors=FACTORS)
    ran = cli("process", wb, "--out", tmp_path / "out", "--json", "--no-report")
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)
    co2, n2o, b, c = 30.0, 0.01 * 273, 200.0, 100.0
    assert d["total_tco2e"] == pytest.approx(co2 + n2o + b + c)  # 332.73
    # production: the fuel's two lines share its amount (2 % of their sum), each its own factor term, and the
    # N2O line its GWP term: (2 × 32.73)² + (5 × 30)² + (100 × 2.73)² + (35 × 2.73)²
    production = math.sqrt((2 * (co2 + n2o)) ** 2 + (5 * co2) ** 2 + (100 * n2o) ** 2 + (35 * n2o) ** 2) / (co2 + n2o)
    # = sqrt(4,284.9316 + 22,500 + 74,529 + 9,129.8025) = sqrt(110,443.7341) = 332.3307 → ÷ 32.73 = 10.1537 %
    assert production == pytest.approx(10.1537, abs=1e-4)
    assert d["uncertainty_pct"]["stages"]["production"] == pytest.approx(production)
    # raw materials: two rows, independent amounts, one factor used on both (20 % of their sum)
    raw = math.sqrt((10 * b) ** 2 + (10 * c) ** 2 + (20 * (b + c)) ** 2) / (b + c)
    # = sqrt(4,000,000 + 1,000,000 + 36,000,000) = 6,403.1242 → ÷ 300 = 21.3437 %
    assert raw == pytest.approx(21.3437, abs=1e-4)
    assert d["uncertainty_pct"]["stages"]["raw_materials"] == pytest.approx(raw)
    # taken as independent lines (the old rule) the factor's error would shrink: sqrt(2 × 22.36² …)/… ≈ 16.6 %
    independent = math.sqrt((math.hypot(10, 20) * b) ** 2 + (math.hypot(10, 20) * c) ** 2) / (b + c)
    assert independent == pytest.approx(16.6667, abs=1e-4) and raw > independent + 4
    total = math.sqrt((2 * (co2 + n2o)) ** 2 + (10 * b) ** 2 + (10 * c) ** 2 + (5 * co2) ** 2 + (100 * n2o) ** 2
                      + (20 * (b + c)) ** 2 + (35 * n2o) ** 2) / (co2 + n2o + b + c)
    assert d["uncertainty_pct"]["total"] == pytest.approx(total)

    # 计算明细 says where each part comes from: given, or a default cited / assumed
    ws = openpyxl.load_workbook(tmp_path / "out" / "u_计算结果.xlsx")[contract.SHEET_DETAILS]
    rows_out = [r for r in ws.iter_rows(values_only=True)]
    header = next(r for r in rows_out if r and "不确定度依据" in r)
    col = header.index("不确定度依据")
    nature = header.index("数据性质")
    basis = [r[col] for r in rows_out if r[col] and r[col] != "不确定度依据"]
    assert "活动数据：企业填写；因子：来源所给；GWP：其他非 CO2 气体的 GWP ±35%（引用）" in basis
    assert "活动数据：企业填写；因子：来源所给" in basis
    # 数据性质 is each row's 数据质量
    assert {r[nature] for r in rows_out if r[nature] in ("实测", "计算")} == {"实测", "计算"}


def test_tier_default_and_blank_quality_are_named_in_the_details(cli, tmp_path: Path) -> None:
    # 钢筋 with 数据质量 估算 and no 不确定度: the tier default ±30 % (this tool's assumption); 电力 with no
    # 数据质量 reads 未填 in 数据性质
    rows = [row(stage="原材料获取", name="钢筋", amount=10, unit="t", factor_code="EF-STEEL-REBAR", quality="估算"),
            row(stage="生产", name="电力", amount=1000, unit="kWh", factor_code="EF-ELEC-CN-ENTERPRISE-2022")]
    wb = build(tmp_path / "t.xlsx", activities=rows, factors=[])
    ran = cli("process", wb, "--out", tmp_path / "out", "--json", "--no-report")
    assert ran.returncode == 0, ran.stderr
    ws = openpyxl.load_workbook(tmp_path / "out" / "t_计算结果.xlsx")[contract.SHEET_DETAILS]
    rows_out = [r for r in ws.iter_rows(values_only=True)]
    header = next(r for r in rows_out if r and "不确定度依据" in r)
    by_name = {r[header.index("名称")]: r for r in rows_out if r[header.index("名称")] in ("钢筋", "电力")}
    steel, power = by_name["钢筋"], by_name["电力"]
    assert steel[header.index("数据性质")] == "估算" and power[header.index("数据性质")] == "未填"
    assert steel[header.index("不确定度依据")] == ("活动数据：“估算”等级缺省 ±30%（假设值）；"
                                                "因子：外购原材料和水的“摇篮到大门”因子（GB/T 51366 等）缺省 ±30%（假设值）")
