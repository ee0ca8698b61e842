"""Issue 16: workbooks without the new columns (monthly, 场所, 证明材料, 数据质量, 不确定度) keep their numbers.

tests/data/v1/ holds both samples exactly as they were committed before issue 16 (commit bc6da58). The
figures below were recorded from `carbon-report check --json` on that commit, before any change, and are
compared exactly (repr of the floats), so no rounding can hide a change. The current samples (which use the
new columns on a few rows, monthly sums equal to the annual figures) must give the same numbers too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "tests" / "data" / "v1"
SEED = "河南云乔电力通讯设施有限公司_2023.xlsx"
DEMO = "示例_华东精密机械有限公司_2024.xlsx"

RECORDED = {
    SEED: {"total": 2502.5322056000005,
           "stages": {"raw_materials": 2461.1375504000002, "production": 41.3946552, "procurement": 0.0,
                      "transport": 0.0, "packaging": 0.0, "recycling": 0.0},
           "scopes": {"scope1": 0.0, "scope2_location": 41.3946552, "scope2_market": 41.3946552,
                      "scope3": 2461.1375504000002}},
    DEMO: {"total": 6322.139198057199,
           "stages": {"raw_materials": 3734.6, "production": 2543.0626380572003, "procurement": 10.53036,
                      "transport": 22.144199999999998, "packaging": 11.802, "recycling": 0.0},
           "scopes": {"scope1": 479.63399805719996, "scope2_location": 2073.959, "scope2_market": 2073.959,
                      "scope3": 3768.5462}},
}


@pytest.mark.parametrize("folder", [V1, ROOT / "samples"], ids=["v1-before-issue-16", "samples-now"])
@pytest.mark.parametrize("name", [SEED, DEMO])
def test_same_numbers_as_before_issue_16(cli, folder: Path, name: str) -> None:
    ran = cli("check", folder / name, "--json")
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)
    want = RECORDED[name]
    assert d["total_tco2e"] == want["total"]
    assert d["stages"] == want["stages"]
    assert d["scopes"] == want["scopes"]
