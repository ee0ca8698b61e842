"""One cell's value, read the way a clerk means it: numbers, percentages, years, dates, "no data".

Pure functions over plain Python values (what openpyxl returns), no workbook objects.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from carbon_report.core.contract import NO_DATA_MARKERS, NOT_APPLICABLE

_BRACKETS = "（(【[［〔"


def header_key(text: object) -> str:
    """A header's leading name: cut at the first bracket, drop a trailing * or colon, ignore spaces."""
    if text is None:
        return ""
    t = str(text)
    cut = min((i for i in (t.find(b) for b in _BRACKETS) if i >= 0), default=len(t))
    t = re.sub(r"\s+", "", t[:cut])
    return t.rstrip("*＊:：")


def fold_text(value: object) -> str:
    """Full-width forms to ASCII (NFKC), the minus sign to a hyphen, and surrounding spaces removed."""
    return unicodedata.normalize("NFKC", str(value)).replace("\u2212", "-").strip()


NumberKind = Literal["number", "blank", "no_data", "not_applicable", "with_unit", "invalid"]


@dataclass(frozen=True)
class ParsedNumber:
    kind: NumberKind
    value: float = 0.0
    unit: str = ""  # the unit written after the number, for kind "with_unit"
    text: str = ""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Thousands separators (comma, or a space as ISO 31 writes them) must sit in groups of three, else "1,5"
# or "1 5" would silently become 15.
_GROUPED = re.compile(r"^[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?$")
# A number followed by its unit ("1,250 t", "3.5e3kWh"). No two quantifiers here can take the same
# character in more than one way: the number part must end on a digit or point, so the spaces after it
# belong to the one `\s*`, and the whole match is linear in the length of the text (the old pattern,
# `[\d, ]*` next to `\s*`, took 27 s on "1" + 32,000 spaces + "%"). What follows is checked in Python.
_NUMBER_UNIT = re.compile(r"([+-]?[\d., ]*[\d.])([eE][+-]?\d+)?\s*(.*)", re.DOTALL)
_NOT_A_UNIT_START = frozenset(",.;:!?，。、%")
# Longer text in a cell that should hold a number is refused before any pattern sees it.
MAX_NUMBER_TEXT = 1_000


def _plain_number(text: str) -> float | None:
    t = text.strip()
    if ("," in t or " " in t) and not _GROUPED.match(t):
        return None
    t = t.replace(",", "").replace(" ", "")
    if not _NUMBER.match(t):
        return None
    n = float(t)
    if not math.isfinite(n):  # "1e400": no number, as before (E-AMOUNT-NOT-NUMBER)
        return None
    if n == 0 and any(ch in "123456789" for ch in _mantissa(t)):
        # "1e-400": a number too small for a float rounds to 0, where the number 1e-320 in a cell is
        # refused as out of range; kept as the smallest float there is, so out_of_range() refuses both.
        return math.copysign(_TINIEST, -1.0 if t.startswith("-") else 1.0)
    return n


def _mantissa(t: str) -> str:
    return re.split(r"[eE]", t, maxsplit=1)[0]


# Sane magnitudes (issue 12). No activity, output or value of one company and year reaches 10^15 of any unit
# (10^15 kWh is 30 times the world's yearly electricity); beyond it a product of amount × factor × GWP can
# overflow to inf. A divisor (产量, 工业总产值) below 10^-9 is a typing accident that would blow an intensity
# up; numbers below the smallest normal float (1e-320 …) lose their precision in any arithmetic.
MAX_MAGNITUDE = 1e15
MIN_DIVISOR = 1e-9
_SMALLEST_NORMAL = 2.2250738585072014e-308
_TINIEST = 5e-324  # the smallest positive float (subnormal): out of range like any subnormal


def out_of_range(x: float, *, divisor: bool = False) -> bool:
    """True for a number no workbook means: non-finite, |x| ≥ 10^15, subnormal, or (a divisor) tiny."""
    if not math.isfinite(x) or abs(x) >= MAX_MAGNITUDE:
        return True
    if x == 0:
        return False
    return abs(x) < (MIN_DIVISOR if divisor else _SMALLEST_NORMAL)


def footnote_digit(text: str) -> str | None:
    """The first character that NFKC would turn into a digit although it is none (①, ¹, ⒈, ₂ …): a footnote
    mark, never part of the number ("1250①" must not become 12501). ASCII and full-width digits are fine."""
    for ch in text:
        if ch.isascii() or "\uff10" <= ch <= "\uff19":
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch and any(c.isdigit() for c in folded):
            return ch
    return None


def parse_number(value: object) -> ParsedNumber:
    if value is None:
        return ParsedNumber("blank")
    if isinstance(value, bool):
        return ParsedNumber("invalid", text=str(value))
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return ParsedNumber("invalid", text=str(value))
        return ParsedNumber("number", float(value))
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return ParsedNumber("invalid", text=text_of(value))
    raw = str(value)
    if footnote_digit(raw):
        return ParsedNumber("invalid", text=raw.strip())
    text = fold_text(raw)
    if not text:
        return ParsedNumber("blank")
    if raw.strip() in NO_DATA_MARKERS or text in NO_DATA_MARKERS or text in ("--",):
        return ParsedNumber("no_data", text=raw.strip())
    if text == NOT_APPLICABLE:
        return ParsedNumber("not_applicable", text=text)
    if len(text) > MAX_NUMBER_TEXT:
        return ParsedNumber("invalid", text=_preview(raw))
    n = _plain_number(text)
    if n is not None:
        return ParsedNumber("number", n, text=text)
    m = _NUMBER_UNIT.fullmatch(text)
    if m:
        number, exponent, unit = m.group(1), m.group(2) or "", m.group(3)
        if unit and not unit[0].isdigit() and not unit[0].isspace() and unit[0] not in _NOT_A_UNIT_START:
            n = _plain_number(number + exponent)
            if n is not None and not re.match(r"[eE][+-]?\d", unit):
                return ParsedNumber("with_unit", n, unit.strip(), text=text)
    return ParsedNumber("invalid", text=raw.strip())


def _preview(raw: str) -> str:
    """A cell too long to be a number, shown short in its finding (the line stays one line)."""
    head = " ".join(raw.split())[:20]
    return f"{head}…（共 {len(raw):,} 个字符，超过 {MAX_NUMBER_TEXT:,} 个字符）"


@dataclass(frozen=True)
class ParsedPercent:
    ok: bool
    pct: float = 0.0  # 8 means 8 %
    fraction_warning: bool = False  # a bare 0..1 number: maybe meant as a fraction


def parse_percent(value: object, number_format: str = "General") -> ParsedPercent:
    """8, "8", "8%" and 0.08 in a cell formatted as a percentage all mean 8 %."""
    if isinstance(value, str):
        if len(value) > MAX_NUMBER_TEXT or footnote_digit(value):
            return ParsedPercent(False)
        t = fold_text(value)
        if t.endswith("%"):
            n = _plain_number(t[:-1].strip())
            return ParsedPercent(n is not None, n or 0.0)
    p = parse_number(value)
    if p.kind != "number":
        return ParsedPercent(False)
    # The percentage format scales only a number Excel stores (0.08 shown as 8%), never text in such a cell.
    if isinstance(value, int | float) and _is_percent_format(number_format):
        return ParsedPercent(True, p.value * 100)
    return ParsedPercent(True, p.value, fraction_warning=0 < p.value < 1)


def _is_percent_format(number_format: str | None) -> bool:
    """True for 0%, 0.00% …; a % inside quotes or after a backslash is a literal character."""
    fmt = re.sub(r'"[^"]*"|\\.', "", number_format or "")
    return "%" in fmt


def parse_year(value: object) -> int | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.year
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else None
    if value is None:
        return None
    t = fold_text(value)
    m = re.fullmatch(r"(\d{4})\s*(年|年度)?", t)
    if m:
        return int(m.group(1))
    d = parse_date(t)  # a year written as a whole date, 2023-12-31
    return d.year if d else None


def parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        return None
    t = fold_text(value).replace(" ", "")
    for pattern in (r"(\d{4})年(\d{1,2})月(\d{1,2})日?", r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"):
        m = re.fullmatch(pattern, t)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def text_of(value: object) -> str:
    """A cell as display text: whole floats without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # 1e28 as "1e+28", not as the 29 digits of its binary value
        return str(int(value)) if abs(value) < MAX_MAGNITUDE else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# GB 32100-2015: 18 characters from this alphabet, the last a check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str | None:
    try:
        total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    except ValueError:
        return None
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None when valid, else a short Chinese reason."""
    c = fold_text(code).upper()
    if len(c) != 18:
        return f"应为 18 位，实际 {len(c)} 位"
    bad = [ch for ch in c if ch not in _USCC_ALPHABET]
    if bad:
        return f"含有不允许的字符“{bad[0]}”（不使用 I、O、Z、S、V）"
    expected = uscc_check_char(c[:17])
    if expected != c[17]:
        return f"校验码应为“{expected}”，实际为“{c[17]}”"
    return None
