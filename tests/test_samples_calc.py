"""The two bundled samples, with their answers worked out by hand from the numbers typed in them."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon_report.app.pipeline import check_file
from carbon_report.core.model import Stage

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
AR6 = {"CH4": 27.9, "CH4-fossil": 29.8, "N2O": 273, "HFC-32": 771, "HFC-125": 3740}


def test_seed_company_2023() -> None:
    o = check_file(SAMPLES / "河南云乔电力通讯设施有限公司_2023.xlsx")
    assert o.status == "ok", [f for f in o.findings if f.is_error]
    r = o.result
    # 表 2-6 quantities × GB/T 51366-2019 appendix D (kgCO2e/t → t)
    raw = 766.76 * 2.340 + 891.13 * 0.735 + 2068.24 * 0.00251 + 3095.1 * 0.00218
    production = 72.584 * 0.5703  # 72,584 kWh × 0.5703 tCO2/MWh
    assert production == pytest.approx(41.3946552, rel=1e-12)
    assert r.stage_totals[Stage.RAW_MATERIALS] == pytest.approx(raw, rel=1e-12)
    assert r.stage_totals[Stage.PRODUCTION] == pytest.approx(41.3946552, rel=1e-12)
    for s in (Stage.PROCUREMENT, Stage.TRANSPORT, Stage.PACKAGING, Stage.RECYCLING):
        assert r.stage_totals[s] == 0
    assert r.total == pytest.approx(raw + production, rel=1e-12)
    # Not the seed's 0.797 or 0.00907: per pole, separately labelled.
    assert r.intensities[0].tco2e_per_unit == pytest.approx((raw + production) / 4670, rel=1e-12)
    gaps = [a.name for a in o.intake.activities if a.amount_kind == "no_data"]
    assert gaps == ["原材料运输", "产品运输", "工业废弃物运输", "包装材料运输", "包装废弃物回收"]
    stone = next(a for a in o.intake.activities if a.name == "石子")
    assert stone.unit == "t" and "单位" in stone.note


def test_second_company_with_fuels_refrigerant_and_freight() -> None:
    o = check_file(SAMPLES / "示例_华东精密机械有限公司_2024.xlsx")
    assert o.status == "ok", [f for f in o.findings if f.is_error]
    r = o.result
    raw = 1250 * 2.340 + 320 * 2.530
    electricity = 3865 * 0.5366  # 386.5 万kWh = 3,865 MWh × 0.5366 kgCO2/kWh
    gas = 18.6 * 21.622  # 万m3 × tCO2/万Nm3: read as normal m³, and the run says so on the unit cell
    assert any(f.code == "W-UNIT-NM3-ASSUMED" and f.cell == "E5" for f in o.findings)
    # Issue 11: the sample's diesel methane is declared CH4-fossil (a fossil fuel), so it takes AR6's fossil
    # 29.8 instead of the unstated-origin 27.9 this computation used before: +12400 × 0.1062e-6 × 1.9 t.
    diesel = 12400 * 2.5696e-3 + 12400 * 0.1062e-6 * AR6["CH4-fossil"] + 12400 * 0.021241e-6 * AR6["N2O"]
    r410a = 15.5e-3 * (0.5 * AR6["HFC-32"] + 0.5 * AR6["HFC-125"])
    gasoline = 3.6 * 2.9251
    freight = (187500 + 96400) * 0.078e-3
    film = 4.2 * 2.810  # LDPE, GB/T 51366-2019
    assert r.stage_totals[Stage.RAW_MATERIALS] == pytest.approx(raw, rel=1e-9)
    assert r.stage_totals[Stage.PRODUCTION] == pytest.approx(electricity + gas + diesel + r410a, rel=1e-9)
    assert r.stage_totals[Stage.PROCUREMENT] == pytest.approx(gasoline, rel=1e-9)
    assert r.stage_totals[Stage.TRANSPORT] == pytest.approx(freight, rel=1e-9)
    assert r.stage_totals[Stage.PACKAGING] == pytest.approx(film, rel=1e-9)
    assert r.stage_totals[Stage.RECYCLING] == 0
    total = raw + electricity + gas + diesel + r410a + gasoline + freight + film
    assert r.total == pytest.approx(total, rel=1e-9)
    per = {i.product: i.tco2e_per_unit for i in r.intensities}
    assert per == {"数控机床主轴": pytest.approx(total * 0.70 / 3200), "工业总产值": pytest.approx(total / 12850)}
    assert r.gas_totals["R-410A"] == pytest.approx(r410a)
