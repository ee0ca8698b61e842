import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbon_report.core.report import numbers as n


def test_largest_remainder_adds_up_exactly():
    shares = n.largest_remainder({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    assert sum(shares.values()) == Decimal("100.00")


def test_largest_remainder_seed_split():
    shares = n.largest_remainder({"raw": 2461.1375504, "prod": 41.3946552})
    assert shares == {"raw": Decimal("98.35"), "prod": Decimal("1.65")}


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=8)
       .filter(lambda xs: sum(xs) > 1e-9))
def test_largest_remainder_always_100(parts):
    shares = n.largest_remainder(dict(enumerate(parts)))
    assert sum(shares.values()) == Decimal("100.00")
    assert all(v >= 0 for v in shares.values())


def test_largest_remainder_rejects_negative_and_zero():
    with pytest.raises(ValueError):
        n.largest_remainder({"a": 0.0})
    with pytest.raises(ValueError):
        n.largest_remainder({"a": 1.0, "b": -0.5})


@pytest.mark.parametrize(("value", "text"), [
    (2502.5322056, "2,502.53"), (41.3946552, "41.39"), (0.00604, "0.00604"), (0.0, "0"), (None, "/"),
    (1794.2184, "1,794.22"), (0.125, "0.13"), (1234567.891, "1,234,567.89"),
])
def test_fmt_tco2e(value, text):
    assert n.fmt_tco2e(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (72584, "72,584"), (766.76, "766.76"), (3095.1, "3,095.1"), (1e-7, "0.0000001"), (0, "0"),
    (1850.0, "1,850"),
])
def test_fmt_amount(value, text):
    assert n.fmt_amount(value) == text


def test_fmt_amount_never_scientific():
    assert "e" not in n.fmt_amount(1e-12).lower()
    assert "e" not in n.fmt_amount(1e20).lower()


def test_fmt_intensity_and_pct_and_date():
    assert n.fmt_intensity(2502.5322056 / 4670) == "0.5359"
    assert n.fmt_intensity(41.3946552 / 4670) == "0.008864"
    assert n.fmt_pct(8) == "8%"
    assert n.fmt_pct(12.5) == "12.5%"
    assert n.fmt_share(Decimal("98.35")) == "98.35%"
    assert n.fmt_date(dt.date(2024, 7, 20)) == "2024年7月20日"
    assert n.fmt_date("2024-07-20") == "2024年7月20日"
    assert n.fmt_date("2024年7月") == "2024年7月"


@pytest.mark.parametrize(("value", "text"), [
    (0.5703, "0.5703"), (2340, "2,340"), (0.078, "0.078"), (20300, "20,300"),  # as published (≤ 4 digits)
    (3.095909637333333, "3.096"), (0.12795600000000001, "0.1280"),  # computed: four significant digits
    (1.9002988488, "1.900"), (21.622, "21.62"), (0.021241, "0.02124"),
])
def test_fmt_factor_at_most_four_significant_digits(value, text):
    assert n.fmt_factor(value) == text


def test_fmt_gwp_and_a_tiny_share():
    assert n.fmt_gwp(2255.5) == "2,255.5" and n.fmt_gwp(273) == "273" and n.fmt_gwp(25200) == "25,200"
    # a gas that is there but rounds to 0.00 % reads <0.01 %; a zero part keeps 0.00 %
    assert n.fmt_share(Decimal("0.00"), positive=True) == "<0.01%"
    assert n.fmt_share(Decimal("0.00")) == "0.00%" and n.fmt_share(Decimal("0.49"), positive=True) == "0.49%"


def test_library_factors_cite_short_chinese_sources():
    """A fuel factor computed from its parameters cites the documents its verified parameters were read in
    (fuel_parameters.csv), in Chinese; a parameter without a verified source sends the reader to the working
    papers; nothing of the English source, the code or 未核实 reaches the report."""
    from carbon_report.core.factors import load_library
    from carbon_report.core.report.citations import ELSEWHERE, factor_citation, gwp_citation

    lib = load_library()
    diesel = {f.gas: factor_citation(f) for f in lib.factors["EF-FUEL-DIESEL"]}
    assert set(diesel) == {"CO2", "CH4-fossil", "N2O"}
    # diesel's NCV (42.652) is unverified (the table read says 42.653): the CO2 and the CH4/N2O rows say so
    assert diesel["CO2"].startswith("由低位发热量、单位热值含碳量和碳氧化率计算：") and ELSEWHERE in diesel["CO2"]
    assert "IPCC 1996 年修订版国家温室气体清单指南 第 3 卷 表 1-1" in diesel["CO2"]
    assert "美国联邦法规第 40 编第 98 部分 C 分部 表 C-2" in diesel["N2O"]
    gasoline = factor_citation(next(f for f in lib.factors["EF-FUEL-GASOLINE"] if f.gas == "CO2"))
    assert ELSEWHERE not in gasoline and "Heliyon 第 9 卷第 11 期（2023）表 2" in gasoline
    for text in [*diesel.values(), gasoline]:
        assert "未核实" not in text and "Table" not in text and "EF-" not in text
    assert gwp_citation("AR6", "IPCC Sixth Assessment Report") == "IPCC 第六次评估报告（2021）第一工作组报告 第 7 章 表 7.15"
