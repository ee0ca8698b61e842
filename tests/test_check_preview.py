"""`check` as a clerk's preview of the report (issue 26): every blank field that becomes a 【待填写】 placeholder is
one warning on its cell; `check --history` accepts what `process --history` accepts."""

from __future__ import annotations

import json
from pathlib import Path

from tests.workbooks import build, company_with


def test_every_blank_text_field_is_one_placeholder_warning_on_its_cell(tmp_path: Path, cli) -> None:  # noqa: ANN001
    # the test workbook fills none of the report's paragraphs: each is a warning naming its section
    ran = cli("check", build(tmp_path / "a.xlsx"), "--json")
    found = [i for i in json.loads(ran.stdout)["issues"] if i["code"] == "W-REPORT-PLACEHOLDER"]
    fields = {i["message"].split("”")[0].lstrip("“") for i in found}
    assert fields == {"组织边界", "企业简介", "主要产品", "绿色环保改造升级情况", "制度及体系建设情况", "绿色低碳建设情况",
                      "数智化建设情况", "管理机构设置", "主要职责", "披露方式", "披露时间", "披露负责机构", "建议"}
    assert all(i["sheet"] == "企业信息" for i in found)
    assert any("2.1.1 企业简介" in i["message"] for i in found)


def test_a_filled_field_is_not_a_placeholder(tmp_path: Path, cli) -> None:  # noqa: ANN001
    path = build(tmp_path / "a.xlsx", company=company_with(企业简介="某某公司成立于 2010 年。", 建议="逐步提高绿电比例。"))
    found = [i["message"] for i in json.loads(cli("check", path, "--json").stdout)["issues"]
             if i["code"] == "W-REPORT-PLACEHOLDER"]
    assert not [m for m in found if m.startswith(("“企业简介”", "“建议”"))]
    assert [m for m in found if m.startswith("“主要产品”")]


def test_check_history_accepts_a_base_year_before_the_reporting_year(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """A 2024 workbook whose 基准年 is 2023: without history `check` says E-BASE-YEAR-HISTORY and names
    --history as the way out; with the 2023 workbook it is accepted, as `process --history` accepts it."""
    h = tmp_path / "h"
    h.mkdir()
    build(h / "企业_2023.xlsx", company=company_with(核算年度=2023, 报告日期=None))
    current = build(tmp_path / "企业_2024.xlsx", company=company_with(核算年度=2024, 基准年=2023))
    alone = json.loads(cli("check", current, "--json").stdout)
    errors = [i for i in alone["issues"] if i["code"] == "E-BASE-YEAR-HISTORY"]
    assert errors and all("--history" in i["message"] for i in errors)
    ran = cli("check", current, "--json", "--history", h / "企业_2023.xlsx")
    with_history = json.loads(ran.stdout)
    assert with_history["status"] == "ok", [i for i in with_history["issues"] if i["severity"] == "error"]
    assert not [i for i in with_history["issues"] if i["code"] == "E-BASE-YEAR-HISTORY"]
    assert ran.returncode == 0
