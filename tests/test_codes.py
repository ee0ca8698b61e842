"""The catalogue of finding codes: complete, used, tested, and printed by `carbon-report codes`."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import workbooks
from conftest import run_process

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "carbon_report"
CATALOGUE = SRC / "core" / "findings.py"
# A code as the catalogue spells it: in quotes (source) or in a finding line's brackets.
QUOTED = re.compile(r"[\"'\[]([EW]-[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)[\"'\]]")


def catalogue_codes() -> set[str]:
    return set(re.findall(r'^    [EW]_[A-Z0-9_]+ = \("([EW]-[A-Z0-9-]+)"', CATALOGUE.read_text(encoding="utf-8"), re.M))


def test_source_takes_codes_from_the_catalogue_never_literals() -> None:
    literals = []
    for p in SRC.rglob("*.py"):
        if p == CATALOGUE:
            continue
        for m in QUOTED.finditer(p.read_text(encoding="utf-8")):
            literals.append(f"{p.relative_to(SRC)}: {m.group(1)}")
    assert literals == []


def test_every_code_is_produced_by_the_source_and_asserted_by_a_test() -> None:
    names = {c: "Code." + c.replace("-", "_") for c in catalogue_codes()}
    source = "".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if p != CATALOGUE)
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("*.py"))
    assert sorted(c for c, n in names.items() if not re.search(re.escape(n) + r"\b", source)) == []
    assert sorted(c for c in names if c not in tests) == []


def test_tests_assert_only_codes_that_exist() -> None:
    known = catalogue_codes()
    used = set()
    for p in Path(__file__).parent.glob("*.py"):
        if p.name == Path(__file__).name:  # names an unknown code on purpose
            continue
        used |= set(QUOTED.findall(p.read_text(encoding="utf-8")))
    assert sorted(used - known) == []


def test_codes_json_lists_every_code_with_severity_and_messages(cli) -> None:
    p = cli("codes", "--json")
    assert p.returncode == 0, p.stderr
    entries = json.loads(p.stdout)
    assert {e["code"] for e in entries} == catalogue_codes()
    for e in entries:
        assert set(e) == {"code", "severity", "message", "en"}
        assert e["severity"] == ("error" if e["code"].startswith("E-") else "warning")
        assert re.search(r"[\u4e00-\u9fff]", e["message"]), e  # Chinese for the user
        assert re.search(r"[a-z]{3,} [a-zA-Z]", e["en"]), e  # an English gloss


def test_codes_explains_one_code(cli) -> None:
    p = cli("codes", "E-UNIT-MISMATCH")
    assert p.returncode == 0
    assert p.stdout.splitlines()[0] == "E-UNIT-MISMATCH（错误 error）"
    assert "无法换算" in p.stdout and "cannot convert" in p.stdout
    assert cli("codes", "w-total-zero").stdout.startswith("W-TOTAL-ZERO（警告 warning）")


def test_unknown_code_is_one_line_and_exit_2() -> None:
    p = run_process("codes", "E-NO-SUCH-THING")
    assert p.returncode == 2
    lines = (p.stdout + p.stderr).splitlines()
    assert len(lines) == 1 and "E-NO-SUCH-THING" in lines[0] and "[E-USAGE]" in lines[0]


def test_docs_list_is_generated_from_the_catalogue() -> None:
    doc = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^\| `([EW]-[A-Z0-9-]+)` \|", doc, re.M)) == catalogue_codes()
    from carbon_report.app.codes import markdown

    assert doc == markdown(), "run python scripts/build_codes_doc.py"


def test_a_fifo_is_not_a_workbook(tmp_path: Path) -> None:
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    p = run_process("check", str(fifo))
    assert p.returncode == 2
    assert "[E-FILE-NOT-REGULAR]" in p.stderr and "Traceback" not in p.stderr


def test_output_that_is_the_input_is_refused(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业A.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    (out / "企业A_计算结果.xlsx").symlink_to(src)  # the output name leads back to the input
    before = src.read_bytes()
    p = run_process("process", str(src), "--out", str(out), "--no-report")
    assert p.returncode == 2
    assert "[E-OUTPUT-IS-INPUT]" in p.stderr
    assert src.read_bytes() == before


def test_batch_jobs_zero_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    workbooks.build(tmp_path / "in" / "企业A.xlsx")
    p = run_process("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "0")
    assert p.returncode == 2
    assert "[E-USAGE]" in p.stderr


def test_a_binary_workbook_is_asked_to_be_saved_as_xlsx(tmp_path: Path) -> None:
    xlsb = tmp_path / "企业A.xlsb"
    xlsb.write_bytes(workbooks.build(tmp_path / "企业A.xlsx").read_bytes())  # a zip, as .xlsb files are
    p = run_process("check", str(xlsb))
    assert p.returncode == 2
    assert "[E-FILE-XLSB]" in p.stderr and "另存为" in p.stderr and len(p.stderr.splitlines()) == 1


# ---- one catalogue: the message a user reads is the code's template, never text at the call site -------------

# The calls that make a finding (or an error that becomes one) from a code: the code, then named fields.
_MAKERS = {"error", "warn", "of", "UnreadableWorkbook", "ClusterError", "_failed", "Finding", "code_line", "text"}


def _is_code(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Code"


def _callee(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _finding_calls() -> list[tuple[str, ast.Call]]:
    out = []
    for p in sorted(SRC.rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (any(_is_code(a) for a in node.args) or _callee(node) in _MAKERS
                                               or _is_code(getattr(node.func, "value", None))):
                out.append((f"{p.relative_to(SRC)}:{node.lineno}", node))
    return out


def test_no_call_site_writes_a_message_beside_a_code() -> None:
    """Every call that passes a `Code` passes it with keyword fields only: no positional text, no message=
    (Finding.of takes the cell it is about after the code)."""
    bad = []
    for where, node in _finding_calls():
        if not any(_is_code(a) for a in node.args):
            continue
        rest = node.args[[_is_code(a) for a in node.args].index(True) + 1:]
        if _callee(node) == "of" and len(rest) == 1 and not isinstance(rest[0], ast.Constant | ast.JoinedStr):
            rest = []  # the cell
        if _callee(node) == "code_line" and len(rest) == 1 and not isinstance(rest[0], ast.JoinedStr):
            rest = []  # the file, folder or program the line is about
        if rest or any(k.arg in ("message", "text", "msg") for k in node.keywords):
            bad.append(where)
    assert bad == []


def test_findings_are_made_only_from_the_catalogue() -> None:
    """`Finding(...)` itself is called only by Finding.of / Finding.raised (core/model.py); elsewhere a finding
    is `Finding.of(Code.X, where, **fields)`."""
    direct = [where for where, node in _finding_calls()
              if _callee(node) == "Finding" and not where.startswith("core/model.py")]
    assert direct == []


def test_every_call_names_exactly_the_fields_of_its_template() -> None:
    """A field missing from a call would fail at run time (a loud TypeError, never a literal brace shown to a
    user); this finds it before anyone runs that path. Calls spreading a dict (**fields) are checked at run time."""
    from carbon_report.core.findings import Code

    wrong = []
    for where, node in _finding_calls():
        codes = [a for a in node.args if _is_code(a)] or (
            [node.func.value] if _callee(node) == "text" and _is_code(node.func.value) else [])  # Code.X.text(…)
        if not codes or _callee(node) not in _MAKERS or any(k.arg is None for k in node.keywords):
            continue
        code = getattr(Code, codes[0].attr)
        given = {k.arg for k in node.keywords}
        if given != code.fields:
            wrong.append(f"{where} {code}: {sorted(given)} ≠ {sorted(code.fields)}")
    assert wrong == []


def test_errors_and_warnings_are_made_by_codes_of_their_severity() -> None:
    wrong = [where for where, node in _finding_calls()
             if _callee(node) in ("error", "warn") and node.args[1:2] and _is_code(node.args[1])
             and node.args[1].attr[0] != ("E" if _callee(node) == "error" else "W")]
    assert wrong == []


def test_a_missing_or_unknown_field_is_a_loud_error() -> None:
    import pytest

    from carbon_report.core.findings import Code
    from carbon_report.core.model import CellRef, Finding

    assert Code.W_HIDDEN_ROW.text(row=7) == "第 7 行被隐藏或筛选，仍已读取"
    f = Finding.of(Code.E_UNIT_MISSING, CellRef("活动数据", "E3"), name="柴油")
    assert (f.severity, f.sheet, f.cell, f.code, f.message) == (
        "error", "活动数据", "E3", "E-UNIT-MISSING", "“柴油”缺少单位（如 t、kWh、m3）")
    with pytest.raises(TypeError, match="W-HIDDEN-ROW"):
        Code.W_HIDDEN_ROW.text()
    with pytest.raises(TypeError, match="E-UNIT-MISSING"):
        Finding.of(Code.E_UNIT_MISSING, None, name="柴油", unit="t")


def test_every_template_parses_and_names_its_fields() -> None:
    from string import Formatter

    from carbon_report.core.findings import Code

    for c in Code:
        names = [n for _, n, spec, conv in Formatter().parse(c.message) if n is not None]
        assert all(n.isidentifier() for n in names), c  # {0} or {} would be positional: not allowed
        assert c.text(**{n: "X" for n in c.fields}).count("{") == 0, c


def test_a_user_sees_the_template_filled_in(tmp_path: Path) -> None:
    """What `codes` prints is what a finding shows: the hidden-row warning of a real workbook, end to end."""
    def hide(wb: object) -> None:
        wb["活动数据"].row_dimensions[3].hidden = True  # type: ignore[index]

    src = workbooks.build(tmp_path / "企业A.xlsx", tweak=hide)
    p = run_process("check", str(src), "--json")
    issues = json.loads(p.stdout)["issues"]
    hidden = [i for i in issues if i["code"] == "W-HIDDEN-ROW"]
    assert [i["message"] for i in hidden] == ["第 3 行被隐藏或筛选，仍已读取"]
    assert run_process("codes", "W-HIDDEN-ROW").stdout.splitlines()[1].strip() == "第 {row} 行被隐藏或筛选，仍已读取"
