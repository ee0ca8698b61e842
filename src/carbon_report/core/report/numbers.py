"""Display rounding for the report. Calculations stay unrounded; only what a reader sees is rounded here.

Every function returns text, so a table cell never shows Python's float spelling (1e-05, 0.30000000000000004).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from carbon_report.core.rounding import largest_remainder as largest_remainder  # shared with the sheets
from carbon_report.core.rounding import significant_decimals

NO_VALUE = "/"


def _round_half_up(value: float, decimals: int) -> Decimal:
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(value)).quantize(q, rounding=ROUND_HALF_UP)


_UNCAPPED = 10**6  # the report shows a tiny figure in full rather than rounding it to zero


def _significant_decimals(value: float, digits: int) -> int:
    """Decimals that keep `digits` significant digits of `value` (0 for large values), uncapped."""
    return significant_decimals(value, digits, least=0, most=_UNCAPPED)


def fmt_number(value: float, decimals: int) -> str:
    """Fixed decimals, half-up rounding, thousands separators: 2502.531 → '2,502.53'."""
    d = _round_half_up(value, decimals)
    if d == 0:
        d = abs(d)  # no "-0.00"
    return f"{d:,.{decimals}f}"


def fmt_tco2e(value: float | None) -> str:
    """An emission in tCO2e: two decimals from 0.01 t up; smaller amounts keep three significant digits
    (0.00604), so a small but real source is never shown as 0.00."""
    if value is None:
        return NO_VALUE
    if value == 0:
        return "0"
    if abs(value) >= 0.01:
        return fmt_number(value, 2)
    return fmt_number(value, _significant_decimals(value, 3))


def fmt_intensity(value: float | None) -> str:
    """An intensity (tCO2e per product unit): four significant digits, at least two decimals."""
    if value is None:
        return NO_VALUE
    if value == 0:
        return "0"
    return fmt_number(value, max(2, _significant_decimals(value, 4)))


def fmt_gas_tonnes(value: float | None) -> str:
    """Tonnes of one gas (CH4, N2O …): four significant digits, at least two decimals, as an intensity."""
    return fmt_intensity(value)


def fmt_amount(value: float) -> str:
    """An activity amount as the workbook gave it, with thousands separators: 72584 → '72,584',
    766.76 → '766.76' (no float noise, no scientific notation)."""
    d = Decimal(repr(float(value)))
    d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    text = f"{d:,f}"
    return "0" if text in ("-0", "0") else text


FACTOR_DIGITS = 4


def fmt_factor(value: float) -> str:
    """A factor value in the report: as published when it has at most four significant digits (0.5703,
    2,340, 0.078); a longer one, such as a factor computed from its parameters, rounded to four
    (3.095909637333333 → 3.096, 1.9002988488 → 1.900). The computed workbook's 计算明细 keeps the value the
    calculation used."""
    digits = Decimal(repr(float(value))).normalize().as_tuple().digits
    if len(digits) <= FACTOR_DIGITS:
        return fmt_amount(value)
    return fmt_number(value, _significant_decimals(value, FACTOR_DIGITS))


def fmt_gwp(value: float) -> str:
    """A GWP as the IPCC table gives it, with thousands separators: 273, 2,255.5, 25,200."""
    return fmt_amount(value)


def fmt_plain(value: float) -> str:
    """A number without grouping or trailing zeros: 8 → '8', 12.5 → '12.5'."""
    d = Decimal(repr(float(value)))
    d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    return f"{d:f}"


def fmt_pct(value_pct: float) -> str:
    """A percentage given in percent units (8 → '8%')."""
    return f"{fmt_plain(round(value_pct, 4))}%"


def fmt_share(pct: Decimal | None, decimals: int = 2, *, positive: bool = False) -> str:
    """A share in percent; a part that is not zero but rounds to 0.00 % is shown as <0.01 % (`positive`)."""
    if pct is None:
        return NO_VALUE
    if positive and pct == 0:
        return f"<{Decimal(1).scaleb(-decimals)}%"
    return f"{pct:.{decimals}f}%"


def fmt_date(value: dt.date | str | None) -> str:
    """2024-07-20 → '2024年7月20日'; text that is not an ISO date is shown as written."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text[:10])
        except ValueError:
            return text
    return f"{value.year}年{value.month}月{value.day}日"
