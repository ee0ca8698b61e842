"""The catalogue of finding codes: complete, used, tested, and printed by `carbon-report codes`."""

from __future__ import annotations

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
