"""The committed conversion table is pint's own answer for every unit the alias table accepts."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "src" / "carbon_report" / "core" / "units" / "conversions.csv"


def test_the_committed_table_is_what_pint_answers_now():
    pytest.importorskip("pint")
    spec = importlib.util.spec_from_file_location("build_unit_table", ROOT / "scripts" / "build_unit_table.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    with TABLE.open(encoding="utf-8") as f:
        committed = [tuple(r) for r in csv.reader(f)][1:]
    assert committed == build.rows(), "run: python scripts/build_unit_table.py"


def test_the_table_holds_the_everyday_multipliers():
    with TABLE.open(encoding="utf-8") as f:
        got = {(r["from"], r["to"]): float(r["multiplier"]) for r in csv.DictReader(f)}
    assert got[("megawatt_hour", "kilowatt_hour")] == 1000.0
    assert got[("kilogram", "tonne")] == pytest.approx(0.001, rel=1e-15)
    # 1 tce = 29.3076 GJ (GB/T 2589: 1 kgce = 29 307.6 kJ)
    assert got[("tonne_coal_equivalent", "gigajoule")] == pytest.approx(29.3076, rel=1e-15)
    # a litre of a liquid of 1 t/m³ weighs a kilogram
    assert got[("liter", "kilogram")] == pytest.approx(1.0, rel=1e-15)
