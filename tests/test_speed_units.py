"""Unit conversions are kept once computed: the same questions keep the same answers, and a bad unit is
refused every time it is asked about (answers worked out by hand)."""

from __future__ import annotations

import pytest

from carbon_report.core import units
from carbon_report.core.errors import UnitError


def test_repeated_conversions_give_the_same_answers():
    for _ in range(3):
        assert units.factor("t", "kg") == (pytest.approx(1000.0), "")
        assert units.factor("kg", "t") == (pytest.approx(0.001), "")
        assert units.factor("MWh", "kWh")[0] == pytest.approx(1000.0)
        assert units.mass_to_tonnes("kg") == pytest.approx(0.001)
        assert units.mass_to_tonnes("t") == pytest.approx(1.0)
        assert units.convert(2.5, "t", "kg")[0] == pytest.approx(2500.0)


def test_density_conversion_and_its_note_are_kept_per_density():
    # 2 m³ at 0.85 t/m³ is 1.7 t; at 0.5 t/m³ it is 1 t
    assert units.convert(2, "m3", "t", 0.85) == (pytest.approx(1.7), "密度 0.85 t/m³")
    assert units.convert(2, "m3", "t", 0.5) == (pytest.approx(1.0), "密度 0.5 t/m³")
    assert units.convert(2, "m3", "t", 0.85) == (pytest.approx(1.7), "密度 0.85 t/m³")


def test_a_bad_unit_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(UnitError):
            units.factor("斤斤", "kg")
        with pytest.raises(UnitError):
            units.factor("t", "kWh")  # mass to energy: no conversion
        with pytest.raises(UnitError):
            units.mass_to_tonnes("kWh")
        with pytest.raises(UnitError):
            units.parse_factor_unit("kgCO2e")  # no "/<activity unit>"


def test_factor_units_split_the_same_way_each_time():
    for _ in range(2):
        fu = units.parse_factor_unit("kgCO₂e/t·km")
        assert (fu.mass_unit, fu.gas, fu.per_unit) == ("kg", "CO2e", "t·km")
