"""Issue 3, property-based: whatever a clerk does to a good workbook, the pipeline answers with findings or
results, never an exception, and every finding points at a cell that exists."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string

import workbooks
from carbon_report.app.pipeline import analyse, check_file
from carbon_report.core import contract
from carbon_report.core.model import Finding
from carbon_report.io.reader import read_loaded

TODAY = dt.date(2024, 8, 1)
SHEETS = [contract.COMPANY_SHEET, *(t.name for t in contract.TABLE_SHEETS)]
A1 = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")

SPECIAL = ["/", "／", "—", "-", "无", "不适用", "合计", "小计", "注：见附件", "72584 kWh", "1,850", "１８５０", " 72584 ",
           "8%", "0.08", "2024年7月20日", "2024-07-20", "2023年", "#DIV/0!", "#N/A", "=1+1", "=1/0", "=A1",
           '=HYPERLINK("x")', "+1", "@x", "是", "否", "强度", "总量", "生产", "原材料获取", "火星", "t", "kWh", "桶",
           "kgCO2/t·km", "tCO2/kWh", "kgNF3/t", "CO2", "NF3", "CH4", "EF-STEEL-REBAR", "SEED-TRUCK", "EF-NO-SUCH",
           "91410326MA3X43L73Y", "91410326MA3X43L73X", "SAR", "AR7", "阶段", "名称", "活动数据", "单位", "企业名称",
           "核算年度", "基准年", "1e999", "−5", "不适用 "]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
junk = st.one_of(
    st.none(), st.just(""), text, st.sampled_from(SPECIAL),
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.booleans(),
)
sheet = st.sampled_from(SHEETS)
row = st.integers(min_value=1, max_value=12)
col = st.integers(min_value=1, max_value=9)
mutation = st.one_of(
    st.tuples(st.just("cell"), sheet, row, col, junk),
    st.tuples(st.just("cell"), sheet, row, col, junk),  # the commonest fault, drawn twice as often
    st.tuples(st.just("delete_row"), sheet, row),
    st.tuples(st.just("delete_col"), sheet, col),
    st.tuples(st.just("delete_sheet"), sheet),
    st.tuples(st.just("insert_rows"), sheet, row, st.integers(min_value=1, max_value=4)),
    st.tuples(st.just("merge"), sheet, row, col, st.integers(min_value=0, max_value=3), st.integers(0, 2)),
    st.tuples(st.just("hide"), sheet, row),
    st.tuples(st.just("far_cell"), sheet, junk),
)


def apply(wb: openpyxl.Workbook, mutations: list[tuple[Any, ...]]) -> None:
    # Far cells last: openpyxl's own row and column moves walk every cell up to the sheet's last one.
    for m in sorted(mutations, key=lambda m: m[0] == "far_cell"):
        kind, name = m[0], m[1]
        if name not in wb.sheetnames:
            continue
        ws = wb[name]
        if kind == "cell":
            _, _, r, c, value = m
            if any(rng.min_row <= r <= rng.max_row and rng.min_col <= c <= rng.max_col for rng in ws.merged_cells.ranges):
                continue  # a merged cell's value lives in its top-left cell
            ws.cell(r, c).value = value
        elif kind == "delete_row":
            ws.delete_rows(m[2])
        elif kind == "delete_col":
            ws.delete_cols(m[2])
        elif kind == "delete_sheet":
            del wb[name]
        elif kind == "insert_rows":
            ws.insert_rows(m[2], m[3])
        elif kind == "merge":
            _, _, r, c, down, right = m
            with contextlib.suppress(ValueError):
                ws.merge_cells(start_row=r, start_column=c, end_row=r + down, end_column=c + right)
        elif kind == "hide":
            ws.row_dimensions[m[2]].hidden = True
        elif kind == "far_cell":
            ws["XFD1048576"] = m[2]


def assert_points_at_existing_cells(findings: list[Finding], sheetnames: list[str]) -> None:
    for f in findings:
        assert f.severity in ("error", "warning")
        assert re.fullmatch(r"[EW]-[A-Z0-9]+(-[A-Z0-9]+)*", f.code), f.code
        assert f.code[0] == ("E" if f.is_error else "W"), f
        assert f.message.strip(), f
        if f.sheet == "":
            assert f.cell == "", f  # a file-level finding
            continue
        m = A1.match(f.cell)
        assert m, f
        assert column_index_from_string(m[1]) <= 16384 and int(m[2]) <= 1048576, f
        if f.code == "E-SHEET-MISSING":
            assert f.sheet not in sheetnames and f.cell == "A1", f  # by the contract: the sheet it names
        else:
            assert f.sheet in sheetnames, f


def assert_consistent(status: str, findings: list[Finding], result: object) -> None:
    errors = [f for f in findings if f.is_error]
    if status == "ok":
        assert result is not None and not errors
    else:
        assert status == "invalid" and result is None and errors


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=8))
def test_check_file_never_raises_and_points_at_real_cells(mutations: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = workbooks.build(Path(tmp) / "junk.xlsx", tweak=lambda wb: apply(wb, mutations))
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        o = check_file(path, today=TODAY)
    assert o.status in ("ok", "invalid"), o.findings
    assert_consistent(o.status, o.findings, o.result)
    assert_points_at_existing_cells(o.findings, names)
    o.to_json()  # the contract's JSON can always be produced


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=10))
def test_analyse_never_raises_on_workbooks_in_memory(mutations: list[tuple[Any, ...]]) -> None:
    holder: dict[str, openpyxl.Workbook] = {}

    def keep(wb: openpyxl.Workbook) -> None:
        apply(wb, mutations)
        holder["wb"] = wb

    with tempfile.TemporaryDirectory() as tmp:
        workbooks.build(Path(tmp) / "unused.xlsx", tweak=keep)
    wb = holder["wb"]
    raw = read_loaded(wb, "mem.xlsx", None)
    intake, result, findings = analyse(raw, today=TODAY)
    assert_consistent("ok" if result is not None else "invalid", findings, result)
    assert_points_at_existing_cells(findings, wb.sheetnames)
    if result is not None:
        assert intake is not None
        assert result.total >= 0
        assert abs(sum(result.stage_totals.values()) - result.total) <= 1e-9 * max(1.0, result.total)


junk_rows = st.lists(st.lists(junk, min_size=8, max_size=8), max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk_rows, junk_rows, st.lists(st.lists(junk, min_size=5, max_size=5), max_size=4),
       st.lists(st.lists(junk, min_size=4, max_size=4), max_size=4),
       st.dictionaries(st.sampled_from([lab.text for lab in contract.LABELS]), junk, max_size=8))
def test_junk_rows_in_every_table(activities: list[list[Any]], factors: list[list[Any]], products: list[list[Any]],
                                  targets: list[list[Any]], labels: dict[str, Any]) -> None:
    company = {**workbooks.SEED_COMPANY, **labels}
    with tempfile.TemporaryDirectory() as tmp:
        path = workbooks.build(Path(tmp) / "rows.xlsx", company=company,
                               activities=[*workbooks.SEED_ACTIVITIES, *activities],
                               factors=[*workbooks.SEED_FACTORS, *factors], products=products or None,
                               targets=targets or None, measures=[r[:5] for r in activities[:3]],
                               equipment=[r[:5] for r in factors[:3]], history=[r[:3] for r in targets])
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        o = check_file(path, today=TODAY)
    assert_consistent(o.status, o.findings, o.result)
    assert_points_at_existing_cells(o.findings, names)
