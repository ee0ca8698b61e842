"""Every unit spelling the contract lists converts the way a clerk means it."""

from __future__ import annotations

import pytest

from carbon_report.core import units

SPELLINGS = {
    # spelling: (amount in the canonical unit for 1 of the spelling, canonical)
    "t": (1, "t"), "kg": (0.001, "t"), "g": (1e-6, "t"), "吨": (1, "t"), "千克": (0.001, "t"), "公斤": (0.001, "t"),
    "万吨": (1e4, "t"), "万t": (1e4, "t"),
    "kWh": (1, "kWh"), "kwh": (1, "kWh"), "MWh": (1000, "kWh"), "GWh": (1e6, "kWh"), "千瓦时": (1, "kWh"),
    "度": (1, "kWh"), "万kWh": (1e4, "kWh"), "万千瓦时": (1e4, "kWh"), "兆瓦时": (1000, "kWh"),
    "m3": (1, "m3"), "m³": (1, "m3"), "立方米": (1, "m3"), "Nm3": (1, "m3"), "万m3": (1e4, "m3"),
    "万立方米": (1e4, "m3"), "万Nm3": (1e4, "m3"), "L": (0.001, "m3"), "升": (0.001, "m3"),
    "GJ": (1, "GJ"), "MJ": (0.001, "GJ"), "TJ": (1000, "GJ"),
    "t·km": (1, "t·km"), "tkm": (1, "t·km"), "t.km": (1, "t·km"), "t.KM": (1, "t·km"), "吨公里": (1, "t·km"),
    "吨·公里": (1, "t·km"), "万t·km": (1e4, "t·km"),
    "m2": (1, "m2"), "m²": (1, "m2"), "平方米": (1, "m2"),
}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_each_contract_spelling_converts(spelling: str) -> None:
    k, canonical = SPELLINGS[spelling]
    value, note = units.convert(1, spelling, canonical)
    assert value == pytest.approx(k)
    assert note == ""


@pytest.mark.parametrize("spelling", ["k W h", " MWH ", "万 kWh", "T·KM"])
def test_case_and_spaces_are_ignored(spelling: str) -> None:
    assert units.is_known(spelling)


def test_energy_units_convert_into_each_other() -> None:
    assert units.convert(1, "kWh", "MJ")[0] == pytest.approx(3.6)
    assert units.convert(1, "GJ", "kWh")[0] == pytest.approx(277.7777778)


@pytest.mark.parametrize("count", ["根", "个", "件", "套", "台", "张", "只"])
def test_counts_convert_to_nothing_else(count: str) -> None:
    assert units.convert(3, count, count)[0] == 3
    other = "个" if count != "个" else "根"
    with pytest.raises(units.UnitError) as e:
        units.convert(1, count, other)
    assert e.value.kind == "mismatch"


def test_volume_and_mass_meet_only_through_a_density() -> None:
    with pytest.raises(units.UnitError):
        units.convert(1000, "L", "t")
    value, note = units.convert(1000, "L", "t", density_t_per_m3=0.84)
    assert value == pytest.approx(0.84)
    assert "0.84" in note


def test_unknown_and_mismatched_units_say_which() -> None:
    with pytest.raises(units.UnitError) as e:
        units.convert(1, "桶", "t")
    assert e.value.kind == "unknown"
    with pytest.raises(units.UnitError) as e:
        units.convert(1, "kWh", "t")
    assert e.value.kind == "mismatch"


@pytest.mark.parametrize(("text", "mass", "gas", "per"), [
    ("tCO2/MWh", "t", "CO2", "MWh"),
    ("kgCO2e/t", "kg", "CO2e", "t"),
    ("kgCO2/t·km", "kg", "CO2", "t·km"),
    ("kgCH4/t", "kg", "CH4", "t"),
    ("kg/kg", "kg", "", "kg"),
    ("kgCO₂e/t.km", "kg", "CO2e", "t.km"),
    ("tCO2／万Nm3", "t", "CO2", "万Nm3"),
])
def test_factor_units_split_into_mass_gas_and_activity_unit(text: str, mass: str, gas: str, per: str) -> None:
    fu = units.parse_factor_unit(text)
    assert (fu.mass_unit, fu.gas, fu.per_unit) == (mass, gas, per)


def test_factor_unit_numerator_converts_to_tonnes() -> None:
    assert units.mass_to_tonnes("kg") == pytest.approx(0.001)
    assert units.mass_to_tonnes("g") == pytest.approx(1e-6)
    assert units.mass_to_tonnes("t") == 1
