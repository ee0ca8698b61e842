"""The command line as a user runs it: real processes, JSON per the contract, exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import workbooks

STAGE_KEYS = ["raw_materials", "production", "procurement", "transport", "packaging", "recycling"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}  # a Chinese Windows console
    return subprocess.run([sys.executable, "-m", "carbon_report.app.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=cwd, timeout=300)


def test_process_json_follows_the_contract(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业A.xlsx")
    p = run("process", str(src), "--out", str(tmp_path / "out"), "--json", "--no-report")
    assert p.returncode == 0, p.stderr
    js = json.loads(p.stdout)
    assert js["status"] == "ok"
    assert js["company"] == {"name": "河南云乔电力通讯设施有限公司", "uscc": "91410326MA3X43L73Y", "year": 2023}
    assert list(js["stages"]) == STAGE_KEYS
    assert js["stages"]["production"] == pytest.approx(41.3946552)
    assert js["total_tco2e"] == pytest.approx(sum(js["stages"].values()))
    assert sum(js["shares"].values()) == pytest.approx(1)
    assert js["intensity"] == [{"product": "非预应力电杆", "unit": "根",
                                "tco2e_per_unit": pytest.approx(js["total_tco2e"] / 4670)}]
    totals = [t for t in js["targets"] if t["stage"] is None]
    assert [(t["year"], t["reduction_pct"]) for t in totals] == [(2025, 8), (2030, 50), (2050, 100)]
    assert totals[1]["target_tco2e"] == pytest.approx(js["total_tco2e"] * 0.5)
    assert {t["stage"] for t in js["targets"]} == {None, *STAGE_KEYS}
    assert all(set(i) == {"severity", "sheet", "cell", "code", "message"} for i in js["issues"])
    assert js["outputs"]["workbook"].endswith("企业A_计算结果.xlsx")
    assert Path(js["outputs"]["workbook"]).is_file()
    assert js["outputs"]["report"] is None


def test_invalid_workbook_gets_its_findings_and_exit_1(tmp_path: Path) -> None:
    acts = [row[:] for row in workbooks.SEED_ACTIVITIES]
    acts[0][4] = "桶"
    src = workbooks.build(tmp_path / "bad.xlsx", activities=acts)
    p = run("process", str(src), "--out", str(tmp_path / "out"), "--json")
    assert p.returncode == 1
    js = json.loads(p.stdout)
    assert js["status"] == "invalid"
    assert js["stages"] is None and js["total_tco2e"] is None and js["targets"] is None
    assert js["outputs"]["report"] is None and Path(js["outputs"]["workbook"]).is_file()
    assert "bad.xlsx: 活动数据!E2: " in p.stderr and "[E-UNIT-UNKNOWN]" in p.stderr
    assert "Traceback" not in p.stderr


def test_check_writes_nothing(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "a.xlsx")
    before = sorted(tmp_path.iterdir())
    p = run("check", str(src), "--json")
    assert p.returncode == 0
    assert json.loads(p.stdout)["outputs"] == {"workbook": None, "report": None}
    assert sorted(tmp_path.iterdir()) == before


def test_unreadable_file_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    p = run("process", str(bad), "--out", str(tmp_path / "out"))
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("x.xlsx: ") and "[E-FILE-NOT-XLSX]" in lines[0]
    assert not (tmp_path / "out").exists()


def test_wrong_usage_exits_2() -> None:
    assert run("process").returncode == 2
    assert run("frobnicate").returncode == 2


def test_help_is_bilingual() -> None:
    p = run("--help")
    assert p.returncode == 0 and "process" in p.stdout and "计算" in p.stdout and "Exit status" in p.stdout


def test_template_command_writes_a_workbook_the_reader_accepts(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    p = run("template", str(out))
    assert p.returncode == 0 and out.is_file()
    c = run("check", str(out), "--json")
    js = json.loads(c.stdout)
    # An empty template is not yet valid, and says exactly what is missing, never crashes.
    assert c.returncode == 1 and js["status"] == "invalid"
    assert {"E-REQUIRED-MISSING"} & {i["code"] for i in js["issues"]}


def test_a_closed_pipe_is_not_an_internal_error() -> None:
    p = subprocess.run(f'"{sys.executable}" -m carbon_report.app.cli factors --json | head -1', shell=True,
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert p.stdout.strip() == "["
    assert "E-INTERNAL" not in p.stderr and "Traceback" not in p.stderr


SUBCOMMANDS = ["template", "addin", "check", "process", "batch", "factors"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_each_subcommand_help_has_a_description_and_examples(command: str) -> None:
    p = run(command, "--help")
    assert p.returncode == 0, p.stderr
    head, _, examples = p.stdout.partition("示例 Examples:")
    assert examples, "examples section"
    assert f"carbon-report {command}" in examples
    usage, _, description = head.partition("\n\n")
    assert usage.startswith("用法 usage: carbon-report " + command)
    first = description.strip().splitlines()
    # a Chinese line and an English one
    assert any(re.search(r"[\u4e00-\u9fff]", line) for line in first)
    assert any(re.match(r"[A-Z][a-z]+[ ,]", line) for line in first)


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["process", "a.xlsx"], "缺少必需的参数：--out", "the following arguments are required: --out"),
    (["batch", "d", "--out", "o", "--jobs", "abc"], "参数 --jobs 需要整数", "invalid int value: 'abc'"),
    (["frobnicate"], "的取值 'frobnicate' 无效", "invalid choice: 'frobnicate'"),
    (["check", "a.xlsx", "--bogus"], "无法识别的参数：--bogus", "unrecognized arguments: --bogus"),
])
def test_usage_errors_in_chinese_with_the_english_and_exit_2(args: list[str], zh: str, en: str) -> None:
    p = run(*args)
    assert p.returncode == 2
    last = p.stderr.strip().splitlines()[-1]
    assert "用法错误：" in last and zh in last and en in last and last.endswith("[E-USAGE]")
    assert p.stderr.startswith("用法 usage: carbon-report")
    assert "Traceback" not in p.stderr


def test_json_carries_display_shares_beside_the_unrounded_numbers(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业A.xlsx")
    js = json.loads(run("check", str(src), "--json").stdout)
    # seed: 2461.1375504 and 41.3946552 of 2502.5322056 t → 98.346 % and 1.654 %; floors 98.34 + 1.65 = 99.99,
    # the unit left goes to the larger remainder (.59 over .41): 98.35 % and 1.65 %
    assert js["display"]["shares"] == {"raw_materials": "98.35%", "production": "1.65%", "procurement": "/",
                                       "transport": "/", "packaging": "/", "recycling": "/"}
    assert js["display"]["stage_notes"]["transport"] == "数据缺失"
    assert js["display"]["stage_notes"]["procurement"] == "数据缺失"  # no rows: a data gap (issue 26)
    assert js["shares"]["raw_materials"] == pytest.approx(2461.1375504 / 2502.5322056)


def test_process_reports_each_phase_once_the_run_is_slow(tmp_path: Path) -> None:
    """The progress callback prints a line per phase; after=0 stands in for a run past the threshold."""
    from carbon_report.app.cli import PhasePrinter
    from carbon_report.app.pipeline import Options, process_file

    src = workbooks.build(tmp_path / "企业A.xlsx")
    stream = io.StringIO()
    progress = PhasePrinter("企业A.xlsx", after=0, stream=stream)
    process_file(src, tmp_path / "out", Options(), progress=progress)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert [line.split(": ", 1)[1].split("…")[0] for line in lines] == [
        "读取 reading", "校验 validating", "计算 calculating", "写出工作簿 writing the workbook",
        "生成报告 writing the report"]
    assert all(line.startswith("企业A.xlsx: ") for line in lines)


def test_a_quick_run_prints_no_progress_and_a_failed_one_stops_at_its_phase(tmp_path: Path) -> None:
    from carbon_report.app.cli import PhasePrinter
    from carbon_report.app.pipeline import Options, process_file

    quiet = io.StringIO()
    progress = PhasePrinter("a.xlsx", after=3600, stream=quiet)
    process_file(workbooks.build(tmp_path / "a.xlsx"), tmp_path / "o1", Options(report=False), progress=progress)
    progress.close()
    assert quiet.getvalue() == ""

    acts = [row[:] for row in workbooks.SEED_ACTIVITIES]
    acts[0][4] = "桶"
    shown = io.StringIO()
    progress = PhasePrinter("bad.xlsx", after=0, stream=shown)
    process_file(workbooks.build(tmp_path / "bad.xlsx", activities=acts), tmp_path / "o2", Options(), progress=progress)
    # errors: nothing is calculated and no report is made, so those phases are not announced
    assert [line.split(": ", 1)[1].split(" ")[0] for line in shown.getvalue().splitlines()] == [
        "读取", "校验", "写出工作簿"]
