"""Issue 11, property-based: random (amount, unit spelling, factor unit) triples drawn from the alias table,
converted by the product and by an independent table written here, agree to 1e-12 or are refused with
E-UNIT-MISMATCH. The table is typed from the units' definitions (SI, GB/T 2589's 29 307.6 kJ/kgce), not
read from the product."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon_report.core import units

ALIASES = Path(__file__).resolve().parents[1] / "src" / "carbon_report" / "core" / "units" / "aliases.csv"

KG, J, M3, KGM, M, M2 = "kg", "J", "m3", "kg·m", "m", "m2"
KWH = 3.6e6  # J
TCE = 29.3076e9  # J: 1 kgce = 29 307.6 kJ
TKM = 1000 * 1000  # kg·m

# spelling: (magnitude in SI base units, dimension, family)
INDEPENDENT: dict[str, tuple[float, str, str]] = {
    **{s: (1000.0, KG, "") for s in ("t", "T", "吨", "公吨", "Mg")},
    **{s: (1.0, KG, "") for s in ("kg", "千克", "公斤")},
    **{s: (1e-3, KG, "") for s in ("g", "克")},
    **{s: (1e-6, KG, "") for s in ("mg", "毫克")},
    **{s: (1e7, KG, "") for s in ("万t", "万吨")},
    **{s: (1e6, KG, "") for s in ("kt", "千吨", "Gg")},
    **{s: (KWH, J, "electric") for s in ("kWh", "kW·h", "kW.h", "kW*h", "千瓦时", "千瓦·时", "千瓦小时", "度")},
    **{s: (1e3 * KWH, J, "electric") for s in ("MWh", "MW·h", "兆瓦时", "千度")},
    **{s: (1e6 * KWH, J, "electric") for s in ("GWh", "百万千瓦时")},
    **{s: (1e4 * KWH, J, "electric") for s in ("万kWh", "万千瓦时", "万度")},
    **{s: (1e3, J, "heat") for s in ("kJ", "千焦")},
    **{s: (1e6, J, "heat") for s in ("MJ", "兆焦")},
    **{s: (1e9, J, "heat") for s in ("GJ", "吉焦", "百万千焦")},
    "TJ": (1e12, J, "heat"),
    **{s: (TCE, J, "heat") for s in ("tce", "吨标煤", "吨标准煤")},
    "万吨标准煤": (1e4 * TCE, J, "heat"),
    **{s: (TCE / 1000, J, "heat") for s in ("kgce", "千克标准煤", "千克标煤")},
    **{s: (1.0, M3, "") for s in ("m3", "m³", "立方米", "立方", "方")},
    "千立方米": (1e3, M3, ""),
    **{s: (1e4, M3, "") for s in ("万m3", "万m³", "万立方米", "万方")},
    **{s: (1.0, M3, "gas") for s in ("Nm3", "Nm³", "标立方米", "标准立方米", "标方")},
    **{s: (1e4, M3, "gas") for s in ("万Nm3", "万Nm³", "万标立方米", "万标方")},
    **{s: (1e-3, M3, "liquid") for s in ("L", "l", "升", "公升")},
    **{s: (1.0, M3, "liquid") for s in ("kL", "千升")},
    **{s: (TKM, KGM, "") for s in ("t·km", "t.km", "t*km", "t-km", "tkm", "吨公里", "吨·公里", "吨.公里", "吨*公里",
                                    "吨-公里", "吨km", "吨千米", "吨·千米")},
    **{s: (1e4 * TKM, KGM, "") for s in ("万t·km", "万tkm", "万t.km", "万吨公里", "万吨·公里")},
    "kg·km": (1000.0, KGM, ""),
    **{s: (1000.0, M, "") for s in ("km", "公里", "千米")},
    **{s: (1.0, M2, "") for s in ("m2", "m²", "㎡", "平方米", "平米")},
    **{s: (1e4, M2, "") for s in ("万m2", "万平方米")},
    **{s: (1.0, f"count:{s}", "") for s in ("根", "个", "件", "套", "台", "张", "只")},
}
CROSSINGS = ({"electric", "heat"}, {"gas", "liquid"})
MASSES = [s for s, (_, dim, _) in INDEPENDENT.items() if dim == KG]


def table_rows() -> list[dict[str, str]]:
    with ALIASES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_independent_table_covers_every_accepted_spelling() -> None:
    accepted = {r["alias"] for r in table_rows() if r["kind"] != "refused"}
    assert accepted == set(INDEPENDENT)


def expected(amount: float, spelling: str, per: str, mass: str) -> float | None:
    """Tonnes of gas for `amount` of activity at 1 <mass>/<per>, or None when the pair must be refused."""
    ma, da, fa = INDEPENDENT[spelling]
    mb, db, fb = INDEPENDENT[per]
    if da != db or (fa and fb and fa != fb and {fa, fb} in CROSSINGS):
        return None
    return amount * ma / mb * INDEPENDENT[mass][0] / 1000


@settings(max_examples=600, deadline=None)
@given(amount=st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False),
       spelling=st.sampled_from(sorted(INDEPENDENT)), per=st.sampled_from(sorted(INDEPENDENT)),
       mass=st.sampled_from(MASSES), gas=st.sampled_from(["CO2", "CO2e", "CH4", ""]))
def test_product_and_independent_table_agree_or_refuse(amount: float, spelling: str, per: str, mass: str,
                                                       gas: str) -> None:
    fu = units.parse_factor_unit(f"{mass}{gas}/{per}")
    assert (fu.gas, units.lookup(fu.per_unit), units.lookup(fu.mass_unit)) == (gas, units.lookup(per),
                                                                            units.lookup(mass))
    want = expected(amount, spelling, per, mass)
    try:
        conv = units.conversion(spelling, fu.per_unit)
    except units.UnitError as e:
        assert want is None, (spelling, per)
        assert e.code == "E-UNIT-MISMATCH"
        return
    assert want is not None, (spelling, per)
    got = amount * conv.multiplier * units.mass_to_tonnes(fu.mass_unit)
    assert got == pytest.approx(want, rel=1e-12)
