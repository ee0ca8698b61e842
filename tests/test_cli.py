"""The command line as a user runs it: real processes, JSON per the contract, exit codes."""

from __future__ import annotations

import json
import os
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
