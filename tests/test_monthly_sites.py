"""Issue 16: monthly columns, sites, evidence files, data quality and Approach 1 uncertainty.

Every expected number is worked out by hand below; SHA-256 values come from hashlib over the bytes the test
writes (not from the product).
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from carbon_report.core import contract
from workbooks import build

ELEC = "EF-ELEC-CN-ENTERPRISE-2022"  # 0.5703 tCO2/MWh
STEEL = "EF-STEEL-REBAR"  # 2340 kgCO2e/t
MAIN_SITE = "汝阳县小店镇小寺村"  # SEED_COMPANY's 生产经营地址: the site of a blank 场所
KEYS = [c.key for c in contract.ACTIVITIES.columns]
NG_FACTOR = ["T-NG", "天然气", "CO2", 2.0, "kgCO2/m3", "测试用因子", 2023, None, None, None, 4]  # 不确定度 4 %


def row(**cells: Any) -> list[Any]:
    """An 活动数据 row in the contract's column order; months as m1=…, m12=…."""
    return [cells.get(k) for k in KEYS]


def months(value: float, skip: tuple[int, ...] = ()) -> dict[str, float]:
    return {f"m{i}": value for i in range(1, 13) if i not in skip}


def good_rows() -> list[list[Any]]:
    return [
        # 一厂 electricity: 12 × 1,000 kWh = 12,000 kWh = 12 MWh; 12 × 0.5703 = 6.8436 t; U_A given 2 %
        row(stage="生产", name="电力", unit="kWh", factor_code=ELEC, site="一厂", evidence="bills/elec_a.pdf",
            quality="实测", uncertainty=2, **months(1000)),
        # 二厂 electricity, March blank: 11 × 500 = 5,500 kWh = 5.5 MWh; 5.5 × 0.5703 = 3.13665 t;
        # 计算 with no 不确定度 → the tier default 10 %
        row(stage="生产", name="电力", unit="kWh", factor_code=ELEC, site="二厂", evidence="bills/missing.pdf",
            quality="计算", **months(500, skip=(3,))),
        # main site gas: 12 × 100 = 1,200 m3 (annual 1,203 typed: 3/1,203 = 0.25 % ≤ 0.5 %, months win);
        # 1,200 × 2.0 kg = 2.4 t; U_A 5 %, U_EF 4 % → sqrt(25 + 16) = sqrt(41) %
        row(stage="生产", name="天然气", amount=1203, unit="m3", factor_code="T-NG", evidence="bills/gas.pdf",
            quality="实测", uncertainty=5, **months(100)),
        # steel at the main site: 10 t × 2,340 kg = 23.4 t; 缺省 → 50 %
        row(stage="原材料获取", name="钢筋", amount=10, unit="t", factor_code=STEEL, quality="缺省"),
    ]


def write_bills(folder: Path) -> dict[str, bytes]:
    (folder / "bills").mkdir()
    content = {"bills/elec_a.pdf": b"%PDF-1.4 electricity bill of plant one\n", "bills/gas.pdf": b"gas bill\n"}
    for name, data in content.items():
        (folder / name).write_bytes(data)
    return content


def issues(d: dict[str, Any], code: str) -> list[dict[str, str]]:
    return [i for i in d["issues"] if i["code"] == code]


def test_monthly_sites_evidence_and_uncertainty(cli, tmp_path: Path) -> None:
    content = write_bills(tmp_path)
    wb = build(tmp_path / "月度.xlsx", activities=good_rows(), factors=[NG_FACTOR])
    ran = cli("process", wb, "--out", tmp_path / "out", "--json", "--no-report")
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)

    elec_a, elec_b, gas, steel = 12 * 0.5703, 5.5 * 0.5703, 1.2 * 2.0, 10 * 2.34
    assert d["stages"]["production"] == pytest.approx(6.8436 + 3.13665 + 2.4)
    assert d["stages"]["raw_materials"] == pytest.approx(23.4)
    assert d["total_tco2e"] == pytest.approx(6.8436 + 3.13665 + 2.4 + 23.4)  # 35.78025
    assert d["sites"] == pytest.approx({"一厂": 6.8436, "二厂": 3.13665, MAIN_SITE: 2.4 + 23.4})

    # Approach 1 with correlated terms aggregated first (issue 25): per stage
    # U = sqrt(Σ_activity (U_A·E_a)² + Σ_factor (U_EF·E_f)²) / |Σ E|. Both electricity rows use one grid
    # factor (family default ±10 %, this tool's assumption), so its error applies to their sum; T-NG gives
    # ±4 %; steel's material factor takes the family default ±30 %; all CO2/CO2e: no GWP uncertainty.
    production = math.sqrt((2 * elec_a) ** 2 + (10 * elec_b) ** 2 + (5 * gas) ** 2
                           + (10 * (elec_a + elec_b)) ** 2 + (4 * gas) ** 2) / (elec_a + elec_b + gas)
    total = math.sqrt((2 * elec_a) ** 2 + (10 * elec_b) ** 2 + (5 * gas) ** 2 + (10 * (elec_a + elec_b)) ** 2
                      + (4 * gas) ** 2 + (50 * steel) ** 2 + (30 * steel) ** 2) / (elec_a + elec_b + gas + steel)
    # (2 × 6.8436)² = 187.3394, (10 × 3.13665)² = 983.8572, (5 × 2.4)² = 144, (10 × 9.98025)² = 9,960.5390,
    # (4 × 2.4)² = 92.16: sum 11,367.8958, sqrt 106.6203, ÷ 12.38025 t = 8.6121 %; with the steel
    # (50 × 23.4)² = 1,368,900 and (30 × 23.4)² = 492,804: sqrt(1,873,071.8958) = 1,368.6022, ÷ 35.78025 t
    # = 38.2502 %
    assert d["uncertainty_pct"]["stages"]["production"] == pytest.approx(production)
    # steel alone: sqrt(50² + 30²) = sqrt(3,400) = 58.31 % (U_A of 缺省 and the material family default)
    assert d["uncertainty_pct"]["stages"]["raw_materials"] == pytest.approx(math.sqrt(50 ** 2 + 30 ** 2))
    assert d["uncertainty_pct"]["stages"]["transport"] is None  # no emissions: no relative uncertainty
    assert d["uncertainty_pct"]["total"] == pytest.approx(total)
    assert production == pytest.approx(8.6121, abs=1e-4) and total == pytest.approx(38.2502, abs=1e-4)

    # the gap, the defaults and the missing bill are warnings on their cells
    gap = issues(d, "W-MONTH-GAP")
    assert len(gap) == 1 and "3月" in gap[0]["message"] and gap[0]["cell"] == "N3"  # 3月 is column N
    defaults = issues(d, "W-UNCERTAINTY-DEFAULT")
    assert {i["cell"] for i in defaults} == {"Z3", "Z5"} and any("±10%" in i["message"] for i in defaults)
    missing = issues(d, "W-EVIDENCE-MISSING")
    assert [i["cell"] for i in missing] == ["X3"] and "bills/missing.pdf" in missing[0]["message"]

    # 计算明细 records each bill's SHA-256 and size; nothing is embedded in the output
    out = openpyxl.load_workbook(tmp_path / "out" / "月度_计算结果.xlsx")
    ws = out[contract.SHEET_DETAILS]
    header = [c.value for c in ws[1]] if ws[1][0].value else [c.value for c in ws[2]]
    text = "\n".join(" ".join(str(v) for v in r if v is not None) for r in ws.iter_rows(values_only=True))
    for data in content.values():
        assert hashlib.sha256(data).hexdigest() in text
        assert f"{len(data)}" in text
    assert "SHA-256" in " ".join(str(h) for h in header if h) or "SHA-256" in text
    # the monthly table and the site × stage sheet
    monthly = out[contract.SHEET_MONTHLY]
    cells = [[c for c in r] for r in monthly.iter_rows(values_only=True)]
    flat = [v for r in cells for v in r]
    assert 1000 in flat and 500 in flat and 12000 in flat and 5500 in flat
    sites = out[contract.SHEET_SITES]
    site_rows = {r[1]: r for r in sites.iter_rows(values_only=True) if r[1] in ("一厂", "二厂", MAIN_SITE)}
    assert site_rows["一厂"][3] == pytest.approx(6.8436)  # 生产 column
    assert site_rows[MAIN_SITE][2] == pytest.approx(23.4) and site_rows[MAIN_SITE][8] == pytest.approx(25.8)
    with zipfile.ZipFile(tmp_path / "out" / "月度_计算结果.xlsx") as z:  # never embedded
        assert not [n for n in z.namelist() if n.endswith(".pdf")]
        assert all(content["bills/gas.pdf"] not in z.read(n) for n in z.namelist())


def test_monthly_gas_disagreeing_with_its_annual_figure_is_an_error(cli, tmp_path: Path) -> None:
    rows = [row(stage="生产", name="天然气", amount=1300, unit="m3", factor_code="T-NG", **months(100))]
    wb = build(tmp_path / "差异.xlsx", activities=rows, factors=[NG_FACTOR])
    ran = cli("check", wb, "--json")
    assert ran.returncode == 1
    d = json.loads(ran.stdout)
    err = issues(d, "E-MONTHLY-MISMATCH")
    # 12 × 100 = 1,200 against 1,300: 100 / 1,300 = 7.7 % > 0.5 %
    assert len(err) == 1 and err[0]["cell"] == "D2"
    assert "1,300" in err[0]["message"] and "1,200" in err[0]["message"] and "7.7%" in err[0]["message"]
    assert d["total_tco2e"] is None
    assert "活动数据!D2" in ran.stderr and "[E-MONTHLY-MISMATCH]" in ran.stderr


def test_half_a_percent_is_the_limit(cli, tmp_path: Path) -> None:
    # 12 × 100 = 1,200; 1,206 differs by 6 / 1,206 = 0.4975 % (accepted), 1,207 by 7 / 1,207 = 0.58 % (error)
    for annual, code in ((1206, 0), (1207, 1)):
        rows = [row(stage="生产", name="天然气", amount=annual, unit="m3", factor_code="T-NG", **months(100))]
        ran = cli("check", build(tmp_path / f"g{annual}.xlsx", activities=rows, factors=[NG_FACTOR]), "--json")
        assert ran.returncode == code, ran.stdout
        if code == 0:
            assert json.loads(ran.stdout)["stages"]["production"] == pytest.approx(2.4)  # the months' 1,200 m3


@pytest.mark.parametrize("path", ["../x.pdf", "bills/../../x.pdf", "/etc/passwd", "C:\\Windows\\x.pdf"])
def test_evidence_outside_the_workbook_folder_is_an_error_on_its_cell(cli, tmp_path: Path, path: str) -> None:
    (tmp_path / "x.pdf").write_bytes(b"outside")
    inner = tmp_path / "客户"
    inner.mkdir()
    rows = [row(stage="生产", name="电力", amount=1000, unit="kWh", factor_code=ELEC, evidence=path)]
    ran = cli("check", build(inner / "越界.xlsx", activities=rows), "--json")
    assert ran.returncode == 1
    d = json.loads(ran.stdout)
    err = issues(d, "E-EVIDENCE-OUTSIDE")
    assert [(e["sheet"], e["cell"]) for e in err] == [("活动数据", "X2")]
    assert "越界.xlsx: 活动数据!X2:" in ran.stderr


def test_unknown_quality_and_invalid_uncertainty(cli, tmp_path: Path) -> None:
    rows = [row(stage="生产", name="电力", amount=1000, unit="kWh", factor_code=ELEC, quality="很准"),
            row(stage="生产", name="电力", amount=2000, unit="kWh", factor_code=ELEC, uncertainty=-3),
            row(stage="生产", name="电力", amount=3000, unit="kWh", factor_code=ELEC, uncertainty="约五")]
    d = json.loads(cli("check", build(tmp_path / "质量.xlsx", activities=rows), "--json").stdout)
    assert [i["cell"] for i in issues(d, "E-QUALITY-UNKNOWN")] == ["Y2"]
    assert [i["cell"] for i in issues(d, "E-UNCERTAINTY-INVALID")] == ["Z3", "Z4"]


def test_month_headers_in_other_spellings(cli, tmp_path: Path) -> None:
    """01月 … and 一月 … read as 1月 …: 6 × 10 + 6 × 20 = 180 kWh = 0.18 MWh × 0.5703 = 0.102654 t."""
    rows = [row(stage="生产", name="电力", unit="kWh", factor_code=ELEC, **{f"m{i}": 10 if i <= 6 else 20
                                                                            for i in range(1, 13)})]

    def respell(wb: openpyxl.Workbook) -> None:
        ws = wb[contract.ACTIVITIES.name]
        zh = "一二三四五六七八九十"
        for cell in ws[1]:
            if cell.value and str(cell.value).endswith("月"):
                n = int(str(cell.value)[:-1])
                cell.value = f"{n:02d}月" if n <= 6 else (zh[n - 1] if n <= 10 else "十" + zh[n - 11]) + "月"

    ran = cli("check", build(tmp_path / "写法.xlsx", activities=rows, tweak=respell), "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["stages"]["production"] == pytest.approx(0.102654)


def test_workbook_without_the_new_columns_has_no_uncertainty_and_one_site(cli, tmp_path: Path) -> None:
    d = json.loads(cli("check", build(tmp_path / "旧.xlsx"), "--json").stdout)
    assert d["uncertainty_pct"] is None
    assert list(d["sites"]) == [MAIN_SITE] and d["sites"][MAIN_SITE] == pytest.approx(d["total_tco2e"])
    assert not [i for i in d["issues"] if i["code"] in ("W-UNCERTAINTY-DEFAULT", "W-MONTH-GAP")]


def test_batch_summary_lists_each_site(cli, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    write_bills(src)
    build(src / "月度.xlsx", activities=good_rows(), factors=[NG_FACTOR])
    ran = cli("batch", src, "--out", tmp_path / "out", "--jobs", "1")
    assert ran.returncode == 0, ran.stderr
    ws = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["场所汇总"]
    rows = {r[3]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["一厂"][4] == pytest.approx(6.8436) and rows["二厂"][4] == pytest.approx(3.13665)
    assert rows[MAIN_SITE][4] == pytest.approx(25.8)  # 2.4 t gas + 23.4 t steel
    assert rows["一厂"][5] == pytest.approx(6.8436 / 35.78025)


def _docx_paragraphs(path: Path) -> list[str]:
    from docx.oxml.ns import qn
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in root.iter(qn("w:p"))]


def test_report_shows_sites_evidence_and_uncertainty(cli, tmp_path: Path) -> None:
    content = write_bills(tmp_path)
    wb = build(tmp_path / "月度.xlsx", activities=good_rows(), factors=[NG_FACTOR])
    ran = cli("process", wb, "--out", tmp_path / "out")
    assert ran.returncode == 0, ran.stderr
    paras = _docx_paragraphs(tmp_path / "out" / "月度_评价报告.docx")
    text = "\n".join(paras)
    assert "按场所汇总" in text and "一厂" in paras and "二厂" in paras
    # site shares: 6.8436 / 35.78025 = 19.1267 %, 3.13665 / 35.78025 = 8.7664 %, 25.8 / 35.78025 = 72.1068 %;
    # largest remainder to 2 decimals: floors 19.12 + 8.76 + 72.10 = 99.98, the two hundredths left go to the
    # largest remainders (72.1068 → .68, 19.1267 → .67; 8.7664 → .64 keeps its floor): 19.13 + 8.76 + 72.11
    assert {"19.13%", "8.76%", "72.11%", "100.00%"} <= set(paras)
    # evidence per stage with the first 16 digits of each file's SHA-256; the missing bill is said so
    assert hashlib.sha256(content["bills/elec_a.pdf"]).hexdigest()[:16] + "…" in paras
    assert "未找到文件" in paras
    # the uncertainty table: production 8.6121 % → ±8.6%, total 38.2502 % → ±38.3%, 实测 share of production
    # (6.8436 + 2.4) / 12.38025 = 74.7 %
    assert "±8.6%" in paras and "±38.3%" in paras and "74.7%" in paras
    # every factor has an uncertainty: T-NG its own, the grid and steel factors their family's default
    assert "U_EF 按 0 计" not in text
    # the report says which defaults are cited and which are this tool's assumptions (issue 25):
    # uncertainty_defaults.csv marks 实测 verified (EU tier 2 ceiling ±5 %); the grid (±10 %) and material
    # (±30 %) family defaults of uncertainty_families.csv are assumptions
    assert "引用公开资料的缺省值：“实测”等级 ±5%。" in text
    assert "本报告采用的假设值（未找到给出该数值的资料，待核实）：“计算”等级 ±10%、“估算”等级 ±30%、“缺省”等级 ±50%" in text
    assert "电网电力排放因子 ±10%" in text and "GB/T 51366" in text
