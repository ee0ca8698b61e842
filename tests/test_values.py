"""Issue 3: one cell's value read the way a clerk means it (values.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon_report.core.values import (
    header_key,
    parse_date,
    parse_number,
    parse_percent,
    parse_year,
    text_of,
    uscc_check_char,
    uscc_problem,
)


@pytest.mark.parametrize(("value", "number"), [
    (1850, 1850), (1850.5, 1850.5), ("1850", 1850), ("1,850", 1850), ("1,850,000.25", 1850000.25),
    ("１８５０", 1850), ("１，８５０．５", 1850.5), (" 72584 ", 72584), ("\u300072584\u3000", 72584),
    ("72 584", 72584), ("1e3", 1000), ("-5", -5), ("−5", -5), ("+5", 5), (".5", 0.5),
])
def test_plain_numbers(value: object, number: float) -> None:
    p = parse_number(value)
    assert p.kind == "number" and p.value == pytest.approx(number)


@pytest.mark.parametrize("value", ["1,85", "12,34,5", "12 34", "abc", "约100", "1e999", "nan", "inf", True,
                                  float("nan"), float("inf"), dt.date(2023, 1, 1), "8%", "1.2.3"])
def test_not_numbers(value: object) -> None:
    assert parse_number(value).kind == "invalid"


@pytest.mark.parametrize("value", ["/", "／", "—", "——", "-", "－", "无", " / "])
def test_no_data_markers(value: str) -> None:
    assert parse_number(value).kind == "no_data"


def test_blank_and_not_applicable() -> None:
    assert parse_number(None).kind == "blank"
    assert parse_number("   ").kind == "blank"
    assert parse_number("不适用").kind == "not_applicable"


@pytest.mark.parametrize(("value", "number", "unit"), [
    ("72584 kWh", 72584, "kWh"), ("72584kWh", 72584, "kWh"), ("1,850 t", 1850, "t"), ("１８５０吨", 1850, "吨"),
    ("4670 根", 4670, "根"), ("1e3 t", 1000, "t"), ("2.5 万kWh", 2.5, "万kWh"),
])
def test_numbers_with_units(value: str, number: float, unit: str) -> None:
    p = parse_number(value)
    assert (p.kind, p.value, p.unit) == ("with_unit", pytest.approx(number), unit)


@pytest.mark.parametrize(("value", "fmt", "pct", "warn"), [
    (8, "General", 8, False), ("8", "General", 8, False), ("8%", "General", 8, False), ("8 %", "General", 8, False),
    ("８％", "General", 8, False), (0.08, "0%", 8, False), (0.08, "0.00%", 8, False), (1, "0%", 100, False),
    (0.5, "General", 0.5, True), ("0.5", "General", 0.5, True), (100, "General", 100, False),
    ("8", "0%", 8, False),  # text in a percent-formatted cell is shown as typed
    (0.08, '0.00"%"', 0.08, True),  # a quoted % is a literal character, not a percentage format
])
def test_percentages(value: object, fmt: str, pct: float, warn: bool) -> None:
    p = parse_percent(value, fmt)
    assert p.ok and p.pct == pytest.approx(pct) and p.fraction_warning is warn


@pytest.mark.parametrize("value", ["abc%", "八", None, "/"])
def test_not_percentages(value: object) -> None:
    assert not parse_percent(value).ok


@pytest.mark.parametrize(("value", "year"), [
    (2023, 2023), (2023.0, 2023), ("2023", 2023), ("2023年", 2023), ("2023年度", 2023), ("２０２３", 2023),
    (dt.date(2023, 5, 1), 2023), (dt.datetime(2023, 5, 1, 8), 2023), ("2023-12-31", 2023), ("2023年12月31日", 2023),
])
def test_years(value: object, year: int) -> None:
    assert parse_year(value) == year


@pytest.mark.parametrize("value", [None, True, 2023.5, "二〇二三", "23", "abc", float("nan"), float("inf")])
def test_not_years(value: object) -> None:
    assert parse_year(value) is None


@pytest.mark.parametrize("value", [dt.date(2024, 7, 20), dt.datetime(2024, 7, 20, 15, 30), "2024年7月20日",
                                   "2024年07月20日", "2024-07-20", "2024/7/20", "2024.7.20", " 2024 年 7 月 20 日 ",
                                   "２０２４－０７－２０"])
def test_dates(value: object) -> None:
    assert parse_date(value) == dt.date(2024, 7, 20)


@pytest.mark.parametrize("value", [None, "2024-02-30", "七月二十日", "20240720", 45493, "2024年13月1日"])
def test_not_dates(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(("text", "key"), [
    ("活动数据（2023年）*", "活动数据"), ("减排比例(%)", "减排比例"), ("阶段*", "阶段"), ("单位＊", "单位"),
    ("企业名称：", "企业名称"), ("企业名称:", "企业名称"), ("排放因子 编码", "排放因子编码"), ("活动数据*（t）", "活动数据"),
    (None, ""), (2023, "2023"),
])
def test_header_key(text: object, key: str) -> None:
    assert header_key(text) == key


def test_text_of() -> None:
    assert text_of(None) == ""
    assert text_of(2023.0) == "2023"
    assert text_of(0.5) == "0.5"
    assert text_of(dt.datetime(2024, 7, 20)) == "2024-07-20"
    assert text_of(dt.date(2024, 7, 20)) == "2024-07-20"
    assert text_of("  x ") == "x"


def test_uscc_seed_code_is_valid() -> None:
    assert uscc_problem("91410326MA3X43L73Y") is None
    assert uscc_problem("91410326ma3x43l73y") is None  # typed in lower case
    assert uscc_problem("９１４１０３２６ＭＡ３Ｘ４３Ｌ７３Ｙ") is None  # full-width


@pytest.mark.parametrize(("code", "words"), [
    ("91410326MA3X43L73X", "校验码应为“Y”"), ("91410326MA3X43L7", "18 位"), ("91410326MA3X43LI3Y", "“I”"),
    ("", "18 位"),
])
def test_uscc_problems(code: str, words: str) -> None:
    problem = uscc_problem(code)
    assert problem is not None and words in problem


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=_ALPHABET, min_size=17, max_size=17))
def test_uscc_check_character_catches_every_single_change(first17: str) -> None:
    code = first17 + (uscc_check_char(first17) or "")
    assert uscc_problem(code) is None
    # GB 32100 uses a prime modulus with weights prime to it: changing any one character changes the check.
    for i in range(17):
        for c in _ALPHABET[:5]:
            if c != code[i]:
                assert uscc_problem(code[:i] + c + code[i + 1:]) is not None


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.dates(), st.datetimes()))
def test_value_parsers_never_raise(value: object) -> None:
    parse_number(value)
    parse_percent(value, "0%")
    parse_percent(value)
    parse_year(value)
    parse_date(value)
    text_of(value)
    header_key(value)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_a_number_written_as_text_reads_back(x: float) -> None:
    assert parse_number(repr(x)).value == pytest.approx(x)
    assert parse_number(f"{x:,.2f}").value == pytest.approx(round(x, 2))
