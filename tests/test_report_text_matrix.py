"""Issue 26: one rule set for client text (tests/client_text.py), over a matrix of workbooks.

Each addition of this year alone on a seed-like workbook, then all of them together: library fuels without
a code, workbook factors, a refrigerant blend, biomass, green power, monthly data with a gap, two sites and
a blank 场所, evidence present and missing, a 不适用 stage, `--history` with and without recalculation,
blank optional fields, blank consultant fields (and a few more that change the report's tables: stage
targets only, intensity targets, a tiny N2O share, AR5). Each workbook is processed as a user runs it
(`carbon-report process`, default settings; the 目录 step off as docs/report.md documents, since no rule
reads the 目录) and every report must have no violation. The test builds each workbook, so it knows which
strings the client typed: those are exempt from the rules.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from carbon_report.core import contract
from client_text import violations
from conftest import needs_soffice
from workbooks import REPORT_PARAGRAPHS, SEED_COMPANY, build, company_with

ACT_KEYS = [c.key for c in contract.ACTIVITIES.columns]
FACTOR_KEYS = [c.key for c in contract.FACTORS.columns]
PRODUCT_KEYS = [c.key for c in contract.PRODUCTS.columns]
CLIENT_ACT_KEYS = ("type", "name", "source", "note", "site", "evidence")
CLIENT_FACTOR_KEYS = ("name", "source", "note")

COMPANY: dict[str, Any] = {
    **SEED_COMPANY, **REPORT_PARAGRAPHS,
    "注册地址": "河南省洛阳市汝阳县小店镇小寺村", "所属行业": "水泥制品制造", "技术服务机构地址": "郑州市经开区第八大街 1 号",
    "联系人": "陈婧", "联系方式": "0371-63295832", "组长": "王娟", "组员": "张珍 陈婧", "技术复核人": "高俊",
    "复核日期": dt.date(2024, 7, 18), "批准人": "高俊", "批准日期": dt.date(2024, 7, 20),
}
CONSULTANT_FIELDS = ("报告编号", "技术服务机构名称", "技术服务机构地址", "联系人", "联系方式", "组长", "组员", "技术复核人",
                     "复核日期", "批准人", "批准日期", "评价结论")
OPTIONAL_FIELDS = ("注册地址", "所属行业", *REPORT_PARAGRAPHS)


def act(stage: str, name: str, amount: Any, unit: str, code: str | None = None, **cells: Any) -> list[Any]:
    """An 活动数据 row by key (months as m1=…)."""
    values = {"stage": stage, "type": cells.pop("type", "能源" if unit in ("kWh", "MWh") else "原材料"),
              "name": name, "amount": amount, "unit": unit, "factor_code": code, "source": "台账", **cells}
    return [values.get(k) for k in ACT_KEYS]


def factor(code: str, name: str, gas: str, value: float, unit: str, source: str, year: int | None = None,
           **cells: Any) -> list[Any]:
    values = {"code": code, "name": name, "gas": gas, "value": value, "unit": unit, "source": source, "year": year,
              **cells}
    return [values.get(k) for k in FACTOR_KEYS]


def product(name: str, output: float, unit: str, **cells: Any) -> list[Any]:
    values = {"name": name, "output": output, "unit": unit, "for_intensity": "是", **cells}
    return [values.get(k) for k in PRODUCT_KEYS]


BASE_ACTS = [
    act("原材料获取", "钢筋", 766.76, "t", "EF-STEEL-REBAR"),
    act("原材料获取", "水泥", 891.13, "t", "EF-CEMENT-PO"),
    act("生产", "电力", 72584, "kWh", "EF-ELEC-CN-ENTERPRISE-2022", source="市政供电"),
    act("运输", "原材料运输", 125000, "t·km", "EF-ROAD-DIESEL-30T", type="原材料运输"),
    act("包装", "包装材料运输", "/", "t·km", "EF-ROAD-DIESEL-30T", type="包装材料运输"),
]
MEASURES = [["原材料获取", "采购碳足迹小的原材料", 4, "2-3", None], ["生产", "优先采用绿电", 4, "0.5-1", "屋顶光伏"]]
EQUIPMENT = [["电焊机", "BX1-500", "台", 3, "电能"], ["离心机", "DL2-6", "台", 1, "电能"]]
TARGETS = [[2025, 8, None, None], [2030, 50, None, None]]

LIBRARY_FUELS = [act("生产", "柴油", 12.5, "t", type="燃料"), act("生产", "天然气", 3.2, "万Nm3", type="燃料"),
                 act("采购", "汽油", 1800, "L", type="燃料"), act("生产", "原煤", 85, "t", type="燃料")]
OWN_FACTORS = [
    factor("QY-STEEL", "热轧钢筋（供应商声明）", "CO2e", 1.95, "tCO2e/t", "供应商产品碳足迹声明（2023 年版）", 2023),
    factor("QY-GAS", "工艺尾气", "CH4", 0.42, "kgCH4/t", "企业实测报告", 2023),
    factor("QY-GAS", "工艺尾气", "N2O", 0.012, "kgN2O/t", "企业实测报告", 2023),
]
OWN_FACTOR_ACTS = [act("原材料获取", "钢筋（供应商）", 300, "t", "QY-STEEL"),
                   act("生产", "工艺尾气处理", 5200, "t", "QY-GAS", type="工艺")]
BLEND = [factor("QY-R410A", "R-410A 泄漏", "R-410A", 1, "kg/kg", "质量平衡法：年度补充加注量视为泄漏量", 2024)]
BLEND_ACTS = [act("生产", "R-410A 补充量", 15.5, "kg", "QY-R410A", type="制冷剂")]
BIOMASS_ACTS = [act("生产", "木质废料", 40, "t", "EF-FUEL-BIOMASS-WOOD", type="燃料")]
GREEN_ACTS = [act("生产", "绿电", 30000, "kWh", "EF-ELEC-GREEN", source="绿证")]
MONTH_ACTS = [act("生产", "电力（按月）", None, "kWh", "EF-ELEC-CN-ENTERPRISE-2022", source="电费单", quality="实测",
                  **{f"m{i}": 6000 + 100 * i for i in range(1, 13) if i != 3})]
SITE_ACTS = [act("生产", "电力", 40000, "kWh", "EF-ELEC-CN-ENTERPRISE-2022", site="二号厂区"),
             act("原材料获取", "水泥", 200, "t", "EF-CEMENT-PO", site="二号厂区")]
EVIDENCE_ACTS = [act("生产", "电力（有票据）", 20000, "kWh", "EF-ELEC-CN-ENTERPRISE-2022", evidence="票据/电费单.pdf"),
                 act("原材料获取", "钢筋（缺票据）", 50, "t", "EF-STEEL-REBAR", evidence="票据/缺失的发票.pdf")]
NA_ACTS = [act("回收", "废旧电杆回收", "不适用", "t", "EF-STEEL-REBAR", type="产品回收",
               note="电杆使用寿命约 40 年，核算年度内无报废产品回收")]
QUALITY_ACTS = [act("原材料获取", "石子", 3095.1, "t", "EF-CRUSHED-STONE", quality="估算", uncertainty=15)]


@dataclass
class Case:
    name: str
    activities: list[list[Any]] = field(default_factory=lambda: list(BASE_ACTS))
    factors: list[list[Any]] = field(default_factory=list)
    company: dict[str, Any] = field(default_factory=lambda: dict(COMPANY))
    products: list[list[Any]] = field(default_factory=lambda: [product("非预应力电杆", 4670, "根")])
    targets: list[list[Any]] = field(default_factory=lambda: list(TARGETS))
    history: str = ""  # "", "same" (no recalculation) or "recalc"
    files: dict[str, bytes] = field(default_factory=dict)
    history_rows: list[list[Any]] = field(default_factory=list)


def _company(**changes: Any) -> dict[str, Any]:
    return company_with(COMPANY, **changes)


EVIDENCE_FILES = {"票据/电费单.pdf": b"%PDF-1.4 electricity bill\n"}

CASES = [
    Case("seed"),
    Case("library_fuels", activities=BASE_ACTS + LIBRARY_FUELS),
    Case("workbook_factors", activities=BASE_ACTS + OWN_FACTOR_ACTS, factors=OWN_FACTORS),
    Case("blend", activities=BASE_ACTS + BLEND_ACTS, factors=BLEND),
    Case("biomass", activities=BASE_ACTS + BIOMASS_ACTS),
    Case("green_power", activities=BASE_ACTS + GREEN_ACTS),
    Case("monthly_gap", activities=BASE_ACTS + MONTH_ACTS),
    Case("two_sites", activities=BASE_ACTS + SITE_ACTS),
    Case("evidence", activities=BASE_ACTS + EVIDENCE_ACTS, files=EVIDENCE_FILES),
    Case("not_applicable", activities=BASE_ACTS + NA_ACTS),
    Case("history_same", company=_company(核算年度=2024, 基准年=2023, 报告日期=dt.date(2025, 6, 30)), history="same"),
    Case("history_recalc", company=_company(核算年度=2024, 基准年=2023, 报告日期=dt.date(2025, 6, 30)),
         history="recalc"),
    Case("history_sheet", company=_company(核算年度=2024, 基准年=2022, 报告日期=dt.date(2025, 6, 30)),
         history_rows=[[2022, "原材料获取", 2200], [2022, "生产", 45.5], [2022, "采购", 0], [2022, "运输", 12.3],
                       [2022, "包装", 0], [2022, "回收", 0], [2022, None, 2257.8], [2023, None, 2580]]),
    Case("blank_optional", company=_company(**{k: ... for k in OPTIONAL_FIELDS})),
    Case("blank_consultant", company=_company(**{k: ... for k in CONSULTANT_FIELDS})),
    Case("quality", activities=BASE_ACTS + QUALITY_ACTS),
    Case("stage_targets", targets=[[2030, 20, "原材料获取", None], [2030, 30, "生产", None]]),
    Case("intensity", company=_company(工业总产值=12850), targets=TARGETS + [[2030, 35, None, "强度"]],
         products=[product("非预应力电杆", 4670, "根", allocation=70), product("水泥制品", 1200, "t", allocation=30)]),
    Case("ar5", company=_company(GWP版本="AR5"), activities=BASE_ACTS + LIBRARY_FUELS[:1]),
]
ALL = Case("all_together",
           activities=(BASE_ACTS + LIBRARY_FUELS + OWN_FACTOR_ACTS + BLEND_ACTS + BIOMASS_ACTS + GREEN_ACTS
                       + MONTH_ACTS + SITE_ACTS + EVIDENCE_ACTS + NA_ACTS + QUALITY_ACTS),
           factors=OWN_FACTORS + BLEND,
           company=_company(核算年度=2024, 基准年=2023, 报告日期=dt.date(2025, 6, 30), 工业总产值=12850,
                            **{k: ... for k in ("组员", "技术复核人", "所属行业")}),
           targets=TARGETS + [[2030, 35, None, "强度"]], history="recalc", files=EVIDENCE_FILES)
CASES.append(ALL)


def client_strings(c: Case) -> list[str]:
    """Every string the client typed in this case's workbook (codes, stages, units and gases aside)."""
    out = [v for k, v in c.company.items() if isinstance(v, str) and k != "GWP版本"]
    for row in c.activities:
        out += [row[ACT_KEYS.index(k)] for k in CLIENT_ACT_KEYS]
    for row in c.factors:
        out += [row[FACTOR_KEYS.index(k)] for k in CLIENT_FACTOR_KEYS]
    out += [r[0] for r in c.products] + [r[2] for r in c.products]
    out += [s for m in MEASURES for s in m if isinstance(s, str)]
    out += [s for e in EQUIPMENT for s in e if isinstance(s, str)]
    return [s for s in out if isinstance(s, str)]


def write(c: Case, folder: Path) -> tuple[Path, list[Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    for rel, data in c.files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    year = c.company["核算年度"]
    wb = build(folder / f"{c.name}_{year}.xlsx", company=c.company, products=c.products, activities=c.activities,
               factors=c.factors, targets=c.targets, measures=MEASURES, equipment=EQUIPMENT,
               history=c.history_rows)
    histories = []
    if c.history:
        base_year = c.company["基准年"]
        # the base year: the same sources, other amounts; "recalc" changes the steel factor since then (a
        # methodology change above the 5 % threshold, so the base year is recalculated)
        steel_code = "EF-STEEL-AVG" if c.history == "recalc" else "EF-STEEL-REBAR"
        base_acts = [act("原材料获取", "钢筋", 700, "t", steel_code), act("原材料获取", "水泥", 900, "t", "EF-CEMENT-PO"),
                     act("生产", "电力", 80000, "kWh", "EF-ELEC-CN-ENTERPRISE-2022", source="市政供电"),
                     act("运输", "原材料运输", 120000, "t·km", "EF-ROAD-DIESEL-30T", type="原材料运输")]
        hist_company = {**c.company, "核算年度": base_year, "报告日期": dt.date(base_year + 1, 4, 30)}
        (folder / "往年").mkdir()
        histories.append(build(folder / "往年" / f"{c.name}_{base_year}.xlsx", company=hist_company,
                               products=c.products, activities=base_acts, targets=c.targets, measures=MEASURES,
                               equipment=EQUIPMENT))
    return wb, histories


def process(c: Case, folder: Path) -> Path:
    from carbon_report.app.cli import main

    wb, histories = write(c, folder)
    args = ["process", str(wb), "--out", str(folder / "out")]
    for h in histories:
        args += ["--history", str(h)]
    code = main(args)
    assert code == 0, f"{c.name}: exit {code}"
    reports = sorted((folder / "out").glob("*_评价报告.docx"))
    assert len(reports) == 1, reports
    return reports[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_report_text_follows_the_rules(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = process(case, tmp_path)
    capsys.readouterr()
    found = violations(report, client_strings(case))
    assert found == [], f"{case.name}: {len(found)} 处\n" + "\n".join(found)


def test_the_helper_finds_what_it_should(tmp_path: Path) -> None:
    """The rules themselves, on a document written by hand: each planted breach is found, the client's
    text is exempt, and a clean paragraph passes."""
    from docx import Document

    doc = Document()
    p = doc.add_paragraph()
    p.add_run("排放量 3.095909637333333 tCO2e，1e-05，因子 EF-ELEC-CN-AVG-2021，见“活动数据”表 C5，")
    p.add_run("文件 企业_2022.xlsx，日期 2025-03-31，default factor。")
    q = doc.add_paragraph()
    q.add_run("合计 2,502.53 tCO")
    q.add_run("2").font.subscript = True
    q.add_run("e，强度 0.4920 tCO")
    q.add_run("2").font.subscript = True
    q.add_run("e/根。")
    doc.add_paragraph("CH4 未下标；范围三中，类别1 外购商品；客户写的 Hello World。")
    t = doc.add_table(rows=3, cols=3)
    for i, h in enumerate(("温室气体", "排放量（tCO2e）", "占比")):
        t.cell(0, i).text = h
    for i, v in enumerate(("N2O", "0.07", "0.00%")):
        t.cell(1, i).text = v
    for i, v in enumerate(("CO2", "2255.5", "100.00%")):
        t.cell(2, i).text = v
    path = tmp_path / "rules.docx"
    doc.save(path)
    found = "\n".join(violations(path, ["Hello World"]))
    for expected in ("'3.095909637333333'", "科学计数法 '1e-05'", "编码 'EF-ELEC-CN-AVG-2021'", "工作表名 '“活动数据”表'",
                     "单元格地址 'C5'", "文件名 '企业_2022.xlsx'", "ISO 日期 '2025-03-31'", "英文单词 'default'",
                     "CH4 的数字不是下标", "范围三的类别", "占比 0.00%", "缺少千位分隔符 '2255.5'",
                     "排放量 '2255.5' 不是两位小数"):
        assert expected in found, expected
    assert "Hello" not in found and "'2,502.53'" not in found and "'0.4920'" not in found
    assert "tCO2e 的数字不是下标" not in found.replace("CH4", "")


def test_a_case_per_addition_and_all_together() -> None:
    assert len(CASES) >= 20 and CASES[-1] is ALL


def _tables(docx: Path) -> list[Any]:
    from lxml import etree

    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return root.iter(f"{W}tbl")


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cell_texts(tr: Any) -> list[str]:
    return ["".join(t.text or "" for t in tc.iter(f"{W}t")).strip() for tc in tr.findall(f"{W}tc")]


def test_no_total_row_starts_a_page_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every row just above a 合计 row keeps with the next (w:keepNext in each of its paragraphs), so Word
    and LibreOffice move it onto the 合计's page rather than leave 合计 alone at the top of one."""
    report = process(ALL, tmp_path)
    capsys.readouterr()
    totals = 0
    for tbl in _tables(report):
        trs = tbl.findall(f"{W}tr")
        for i, tr in enumerate(trs):
            if not any(c.endswith("合计") for c in _cell_texts(tr)[:2]) or i < 2:
                continue
            totals += 1
            above = trs[i - 1]
            paras = list(above.iter(f"{W}p"))
            kept = [p.find(f"{W}pPr/{W}keepNext") is not None for p in paras]
            assert paras and all(kept), f"表格中“合计”上一行未设与下段同页：{_cell_texts(above)}"
    # the six stage tables, the scope and ISO tables, sites, uncertainty and the measures' 合计
    assert totals >= 6 + 2 + 1 + 1 + 1


@needs_soffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_numbers_do_not_break_inside_a_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The workbook with every addition, laid out by LibreOffice as users get it (目录 filled, --pdf): every
    number in every table, and R-410A, stands on one line of the PDF (a number broken inside a cell reads
    as two pieces on two lines)."""
    from carbon_report.app.cli import main

    monkeypatch.setenv("CARBON_REPORT_TOC", "1")  # the product's default
    wb, histories = write(ALL, tmp_path)
    args = ["process", str(wb), "--out", str(tmp_path / "out"), "--pdf"]
    for h in histories:
        args += ["--history", str(h)]
    assert main(args) == 0
    capsys.readouterr()
    report = next((tmp_path / "out").glob("*_评价报告.docx"))
    pdf = report.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = {line.replace(" ", "") for line in text.splitlines()}
    numbers = {c for tbl in _tables(report) for tr in tbl.findall(f"{W}tr") for c in _cell_texts(tr)
               if re.fullmatch(r"[<±+-]?\d[\d,]*(?:\.\d+)?%?", c) and len(c) >= 4}
    assert len(numbers) > 50
    broken = sorted(n for n in numbers if not any(n in line for line in lines))
    assert broken == [], f"表格中断行的数字：{broken}"
    assert any("R-410A" in line for line in lines)


def test_a_stage_whose_only_source_is_not_applicable_is_not_covered(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """1.4 覆盖范围 lists the stages with sources inside the boundary: 绿色回收's only row is 不适用, so it is
    named as outside the boundary (its reason in 2.3.5), and 数智化采购 (no row at all) as a data gap (issue 26, item 2)."""
    from docx import Document

    case = next(c for c in CASES if c.name == "not_applicable")
    report = process(case, tmp_path)
    capsys.readouterr()
    line = next(p.text for p in Document(str(report)).paragraphs if p.text.startswith("覆盖范围："))
    covered, _, notes = line.removeprefix("覆盖范围：").partition("（")
    assert covered == "低碳原材料获取阶段+数智化生产阶段+绿色运输阶段+绿色包装阶段"
    assert "数智化采购阶段未填报活动数据，列为数据缺口" in notes and "绿色回收阶段的排放源经确认不在核算边界内" in notes


def test_the_main_site_is_called_main_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rows with a blank 场所 belong to the main site, which the data names by the 生产经营地址; the report's
    site table calls it 主厂区 and its paragraph gives the address once."""
    from docx import Document

    case = next(c for c in CASES if c.name == "two_sites")
    report = process(case, tmp_path)
    capsys.readouterr()
    doc = Document(str(report))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "场所")
    assert [r.cells[0].text for r in table.rows[1:]] == ["主厂区", "二号厂区", "合计"]
    address = COMPANY["生产经营地址"]
    assert any(p.text.endswith(f"计入主厂区（{address}）。") for p in doc.paragraphs)
