"""core/rounding.py: the one display rounding (shares) and numbers in running text without exponents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carbon_report.core.report import numbers
from carbon_report.core.rounding import largest_remainder, plain_number, share_percentages


def test_the_report_uses_the_core_function() -> None:
    assert numbers.largest_remainder is largest_remainder


def test_share_percentages_add_up_where_rounding_each_would_give_100_01() -> None:
    # 33.336 / 33.336 / 33.328 %: each rounded gives 33.34 + 33.34 + 33.33 = 100.01
    shares = share_percentages({"a": 33.336, "b": 33.336, "c": 33.328})
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}


def test_share_percentages_count_a_negative_part_as_zero_and_nothing_as_no_shares() -> None:
    assert share_percentages({"a": 3.0, "b": -1.0}) == {"a": Decimal("100.00"), "b": Decimal("0.00")}
    assert share_percentages({"a": 0.0}) == {}
    assert share_percentages({}) == {}


@pytest.mark.parametrize(("value", "digits", "text"), [
    (3865000.0, 6, "3,865,000"), (12850.0, 12, "12,850"), (72.584, 6, "72.584"), (0.000123456789, 6, "0.000123457"),
    (1234567.891, 6, "1,234,568"), (386.5, 12, "386.5"), (0.0, 6, "0"), (1e-7, 6, "0.0000001"), (2.5e10, 6, "25,000,000,000"),
])
def test_plain_number_never_uses_an_exponent(value: float, digits: int, text: str) -> None:
    assert plain_number(value, digits) == text
