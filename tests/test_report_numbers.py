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
