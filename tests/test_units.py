"""Every unit spelling the contract lists converts the way a clerk means it."""

from __future__ import annotations

import csv
from pathlib import Path

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


# ---- issue 11: case is exact where SI prefixes differ by case; every listed spelling is data ---------------

ROWS = list(csv.DictReader((Path(__file__).resolve().parents[1] / "src" / "carbon_report" / "core" / "units"
                            / "aliases.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["alias"])
def test_every_alias_finds_itself_and_its_case_variants_never_find_another_unit(row: dict[str, str]) -> None:
    spelled = row["alias"]
    if row["kind"] == "refused":
        assert units.lookup(spelled) is None and units.why_unknown(spelled)
        return
    assert units.lookup(spelled).expression == row["expression"]
    exact = {r["alias"]: r for r in ROWS}
    for variant in {spelled.upper(), spelled.lower(), spelled.swapcase(), spelled.title()}:
        found = units.lookup(variant)
        if variant in exact:
            if exact[variant]["kind"] != "refused":
                assert found.expression == exact[variant]["expression"], variant  # an alias is itself
        elif found is not None:
            assert found.expression == row["expression"], (spelled, variant)  # same unit, or refused
        else:
            assert units.why_unknown(variant), variant  # refused, with a reason


def _prefix_pairs() -> list[tuple[str, str]]:
    by_fold: dict[str, list[dict[str, str]]] = {}
    for r in ROWS:
        by_fold.setdefault(r["alias"].casefold(), []).append(r)
    return [(a["alias"], b["alias"]) for rs in by_fold.values() for a in rs for b in rs
            if a["alias"] < b["alias"] and a["expression"] != b["expression"]]


def test_the_table_holds_the_prefix_pairs_that_differ_by_case() -> None:
    assert ("Mg", "mg") in _prefix_pairs()


@pytest.mark.parametrize(("a", "b"), _prefix_pairs())
def test_each_prefix_pair_keeps_its_case(a: str, b: str) -> None:
    assert units.lookup(a).expression != units.lookup(b).expression
    for mixed in {a.upper(), a.lower(), b.upper(), b.lower()} - {a, b}:
        assert units.lookup(mixed) is None and a in units.why_unknown(mixed) and b in units.why_unknown(mixed)


@pytest.mark.parametrize(("spelling", "meant"), [("mwh", "MWh"), ("mWh", "MWh"), ("mj", "MJ"), ("Mj", None)])
def test_a_folded_match_never_turns_milli_into_mega(spelling: str, meant: str | None) -> None:
    if meant is None:  # M kept: Mj folds to MJ, M is M
        assert units.lookup(spelling).alias == "MJ"
        return
    assert units.lookup(spelling) is None and "10⁹" in units.why_unknown(spelling)


@pytest.mark.parametrize("spelling", ["M3", "M²", "T", "KG", "Kwh", "GJ", "gj", "tj"])
def test_case_folding_still_helps_where_it_is_unambiguous(spelling: str) -> None:
    assert units.lookup(spelling) is not None


ISSUE_SPELLINGS = {
    # spelling: (amount of the canonical unit in 1 of the spelling, worked by hand, canonical)
    "kW·h": (1, "kWh"), "kW.h": (1, "kWh"), "千瓦·时": (1, "kWh"), "千瓦小时": (1, "kWh"), "千度": (1000, "kWh"),
    "百万千瓦时": (1e6, "kWh"), "kJ": (1e-6, "GJ"), "千焦": (1e-6, "GJ"), "百万千焦": (1, "GJ"),
    "tce": (29.3076, "GJ"), "吨标煤": (29.3076, "GJ"), "吨标准煤": (29.3076, "GJ"), "kgce": (0.0293076, "GJ"),
    "千克标准煤": (0.0293076, "GJ"), "公吨": (1, "t"), "ｔ": (1, "t"), "ｋｇ": (0.001, "t"), "立方": (1, "m3"),
    "标准立方米": (1, "Nm3"), "万标方": (1e4, "Nm3"), "千立方米": (1000, "m3"), "公升": (0.001, "m3"),
    "吨km": (1, "t·km"), "吨千米": (1, "t·km"), "吨*公里": (1, "t·km"), "吨-公里": (1, "t·km"), "平米": (1, "m2"),
    "㎡": (1, "m2"), "mg": (1e-9, "t"), "Mg": (1, "t"),
}


@pytest.mark.parametrize("spelling", sorted(ISSUE_SPELLINGS))
def test_each_spelling_a_clerk_types_converts(spelling: str) -> None:
    k, canonical = ISSUE_SPELLINGS[spelling]
    value, note = units.convert(1, spelling, canonical)
    assert value == pytest.approx(k, rel=1e-12)
    assert note == ""


def test_tce_is_cited_to_gb_t_2589_in_the_table() -> None:
    row = next(r for r in ROWS if r["alias"] == "tce")
    assert "GB/T 2589" in row["note"] and "29 307.6 kJ" in row["note"]


@pytest.mark.parametrize(("a", "b", "ok"), [
    ("GJ", "kWh", False), ("kWh", "GJ", False), ("tce", "MWh", False), ("L", "Nm3", False), ("万Nm3", "L", False),
    ("tce", "GJ", True), ("MWh", "kWh", True), ("m3", "L", True), ("L", "m3", True), ("Nm3", "万Nm3", True),
])
def test_families_and_phases(a: str, b: str, ok: bool) -> None:
    if ok:
        assert units.conversion(a, b).multiplier > 0
    else:
        with pytest.raises(units.UnitError) as e:
            units.conversion(a, b)
        assert e.value.code == "E-UNIT-MISMATCH"
        assert units.conversion(a, b, declares=frozenset({units.family_of(a)})).declared == units.family_of(a)


def test_plain_cubic_metres_against_normal_cubic_metres_is_an_assumption() -> None:
    assert units.conversion("万方", "万Nm3").assumption == "normal-volume"
    assert units.conversion("万标方", "万Nm3").assumption == ""
    assert units.conversion("m3", "m3").assumption == ""
