"""Rounding for display, in one place: 排放汇总, the report, 汇总.xlsx and the JSON's display fields all
round shares here, so a reader holding two of them never sees two numbers for one figure.

Calculations stay unrounded (the JSON's numbers too); only what a reader sees goes through this module.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def largest_remainder(fractions: Mapping[K, float], decimals: int = 2) -> dict[K, Decimal]:
    """Percentages (of fractions that add up to 1) rounded to `decimals` so that they add up to exactly
    100: each is floored, and the units left over go to the largest remainders (ties: first key first).

    >>> largest_remainder({"a": 1/3, "b": 1/3, "c": 1/3})
    {'a': Decimal('33.34'), 'b': Decimal('33.33'), 'c': Decimal('33.33')}
    """
    if not fractions:
        return {}
    total = sum(fractions.values())
    if total <= 0:
        raise ValueError("largest_remainder needs a positive total")
    if any(v < 0 for v in fractions.values()):
        raise ValueError("largest_remainder needs non-negative parts")
    units = 100 * 10**decimals
    exact = {k: v / total * units for k, v in fractions.items()}
    floors = {k: math.floor(x) for k, x in exact.items()}
    left = units - sum(floors.values())
    order = sorted(exact, key=lambda k: (-(exact[k] - floors[k]), list(exact).index(k)))
    for k in order[:left]:
        floors[k] += 1
    q = Decimal(1).scaleb(-decimals)
    return {k: (Decimal(floors[k]) * q).quantize(q) for k in fractions}


def share_percentages(parts: Mapping[K, float], decimals: int = 2) -> dict[K, Decimal]:
    """Display shares of `parts` (tCO2e per stage, gas …) in percent, adding up to exactly 100.

    A negative part counts as 0 (a share of a total cannot be negative); nothing to share gives {}."""
    positive = {k: max(v, 0.0) for k, v in parts.items()}
    if sum(positive.values()) <= 0:
        return {}
    return largest_remainder(positive, decimals)


def plain_number(value: float, significant: int = 6) -> str:
    """A number for running text, never in scientific notation: `significant` digits at most, thousands
    separators, no trailing zeros. 3865000.0 → '3,865,000'; 12850 → '12,850'; 0.000123456789 → '0.000123457'.
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    d = Decimal(repr(float(value)))
    exponent = math.floor(math.log10(abs(value)))
    with localcontext() as ctx:  # room for every digit of 1e28 and beyond (the default keeps 28)
        ctx.prec = max(ctx.prec, exponent + significant + 2)
        d = d.quantize(Decimal(1).scaleb(-max(0, significant - 1 - exponent)), rounding=ROUND_HALF_UP)
        d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    text = f"{d:,f}"
    return "0" if text in ("-0", "0") else text


def significant_decimals(value: float, digits: int, least: int = 0, most: int = 10) -> int:
    """Decimals that keep `digits` significant digits, so a small but real amount never reads 0.0000;
    between `least` and `most`. The sheets and the report both ask this one function."""
    if value == 0 or not math.isfinite(value):
        return least
    return min(most, max(least, digits - 1 - math.floor(math.log10(abs(value)))))
