"""Product carbon footprints (issue 28), worked by hand.

Two products of one plant: 主轴 (100 件 × 50 kg = 5,000 kg; 产值 300 万元) and 齿轮箱 (30 台 × 500 kg = 15,000 kg;
产值 100 万元). Factors are the workbook's own round numbers so every figure below is arithmetic:

  row  stage  what                        product   tCO2e            footprint stage
  1    原材料  钢材 10 t × 2,000 kg/t      shared    20               raw material acquisition
  2    原材料  铝锭 2 t × 1,500 kg/t       主轴      3 (supplier)     raw material acquisition
  3    生产    电力 100 MWh × 0.5 t/MWh    shared    50               production
  4    生产    生物质颗粒 4 t × 1.5 t/t     shared    6 biogenic CO2   (apart, never in a total)
  5    运输    钢材运输 10,000 t·km × 0.1   shared    1                raw material acquisition (inbound)
  6    运输    产品运输 20,000 t·km × 0.1   齿轮箱    2                distribution: outside cradle-to-gate

Shared lines inside the boundary: 20 + 50 + 1 = 71 t.
Mass: 主轴 5,000 / 20,000 = 0.25 → 71 × 0.25 + 3 = 20.75 t = 207.5 kgCO2e/件; raw 5 + 0.25 + 3 = 8.25, production 12.5;
      齿轮箱 0.75 → 53.25 t = 1,775 kgCO2e/台; raw 15 + 0.75 = 15.75, production 37.5; excluded 2 t.
Economic: 主轴 300 / 400 = 0.75 → 71 × 0.75 + 3 = 56.25 t = 562.5 kg/件; 齿轮箱 0.25 → 17.75 t = 591.666… kg/台.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import docx
import openpyxl
import pytest
from tests.workbooks import SEED_COMPANY, build, company_with

FACTORS = [
    # 编码, 名称, 温室气体, 因子值, 单位, 来源, 年份, 备注, 范围, ISO类别, 不确定度, 供应商数据, 证明材料
    ["T-STEEL", "钢材", "CO2e", 2000, "kgCO2e/t", "测试因子", 2023, None, None, None, None, None, None],
    ["T-ALU", "铝锭（供应商）", "CO2e", 1500, "kgCO2e/t", "供应商碳足迹声明", 2023, None, None, None, None, "是", None],
    ["T-ELEC", "电力", "CO2", 0.5, "tCO2/MWh", "测试因子", 2023, None, None, None, None, None, None],
    ["T-BIO", "生物质颗粒", "CO2-biogenic", 1.5, "tCO2/t", "测试因子", 2023, None, None, None, None, None, None],
    ["T-TRUCK", "货车", "CO2", 0.1, "kgCO2/t·km", "测试因子", 2023, None, None, None, None, None, None],
]

PRODUCT_COL = 26  # 活动数据's 产品, after 不确定度


def _activity(stage: str, type_: str, name: str, amount: float, unit: str, code: str, product: str | None):
    row: list[object] = [stage, type_, name, amount, unit, code, "台账", None] + [None] * (PRODUCT_COL - 8)
    row.append(product)
    return row


ACTIVITIES = [
    _activity("原材料获取", "原材料", "钢材", 10, "t", "T-STEEL", None),
    _activity("原材料获取", "原材料", "铝锭", 2, "t", "T-ALU", "主轴"),
    _activity("生产", "能源", "电力", 100, "MWh", "T-ELEC", None),
    _activity("生产", "燃料", "生物质颗粒", 4, "t", "T-BIO", None),
    _activity("运输", "原材料运输", "钢材运输", 10000, "t·km", "T-TRUCK", None),
    _activity("运输", "产品运输", "产品运输", 20000, "t·km", "T-TRUCK", "齿轮箱"),
]

# 产品名称, 产量, 单位, 用于强度计算, 分配比例, 单位质量(kg), 产值(万元), 系统边界, CPC编码, 产品标识
PRODUCTS = [
    ["主轴", 100, "件", "是", None, 50, 300, None, "43912", None],
    ["齿轮箱", 30, "台", "否", None, 500, 100, None, "43912", None],
]


def _workbook(tmp_path: Path, method: str | None = "质量", products=PRODUCTS, activities=ACTIVITIES,
              gwp: str = "AR6") -> Path:
    company = company_with(**({"分配方法": method} if method else {}), GWP版本=gwp)
    return build(tmp_path / "两产品.xlsx", company=company, products=products, activities=activities,
                 factors=FACTORS, targets=[])


def _products(ran) -> dict[str, dict]:  # noqa: ANN001
    data = json.loads(ran.stdout)
    assert data["status"] == "ok", data["issues"]
    return {p["name"]: p for p in data["products"]}


def test_mass_allocation_by_hand(tmp_path: Path, cli) -> None:  # noqa: ANN001
    ran = cli("process", _workbook(tmp_path), "--out", tmp_path / "out", "--pcf", "--json", "--no-report")
    assert ran.returncode == 0, ran.stderr
    p = _products(ran)
    a, b = p["主轴"], p["齿轮箱"]
    assert a["allocation"] == "mass" and a["allocation_share"] == pytest.approx(0.25)
    assert a["total_tco2e"] == pytest.approx(20.75)
    assert a["per_unit_kgco2e"] == pytest.approx(207.5)
    assert a["stages"] == pytest.approx({"raw_material_acquisition": 8.25, "production": 12.5})
    assert a["biogenic_co2_t"] == pytest.approx(1.5)
    assert a["primary_data_share"] == pytest.approx(3 / 20.75)
    assert b["total_tco2e"] == pytest.approx(53.25)
    assert b["per_unit_kgco2e"] == pytest.approx(1775.0)
    assert b["stages"] == pytest.approx({"raw_material_acquisition": 15.75, "production": 37.5})
    assert b["excluded_tco2e"] == pytest.approx(2.0)
    assert b["biogenic_co2_t"] == pytest.approx(4.5)
    assert b["primary_data_share"] == pytest.approx(0.0)
    # the products' shares of the shared lines add up to the shared lines (71 t), to 1e-9 relative
    assert (a["total_tco2e"] - 3) + b["total_tco2e"] == pytest.approx(71.0, rel=1e-9)
    # the organisation's inventory is unchanged: 20 + 3 + 50 + 1 + 2 = 76 t, biogenic 6 t apart
    data = json.loads(ran.stdout)
    assert data["total_tco2e"] == pytest.approx(76.0)
    assert data["biogenic_co2_t"] == pytest.approx(6.0)
    # the excluded product transport is said, on its amount cell
    excluded = [i for i in data["issues"] if i["code"] == "W-PCF-EXCLUDED"]
    assert [(i["sheet"], i["cell"]) for i in excluded] == [("活动数据", "D7")]
    assert "分销" in excluded[0]["message"] and "齿轮箱" in excluded[0]["message"]


def test_economic_allocation_by_hand(tmp_path: Path, cli) -> None:  # noqa: ANN001
    ran = cli("process", _workbook(tmp_path, "经济"), "--out", tmp_path / "out", "--pcf", "--json", "--no-report")
    p = _products(ran)
    assert p["主轴"]["allocation_share"] == pytest.approx(0.75)
    assert p["主轴"]["total_tco2e"] == pytest.approx(56.25)
    assert p["主轴"]["per_unit_kgco2e"] == pytest.approx(562.5)
    assert p["齿轮箱"]["total_tco2e"] == pytest.approx(17.75)
    assert p["齿轮箱"]["per_unit_kgco2e"] == pytest.approx(17750 / 30)


def test_blank_method_without_shares_is_mass_with_a_warning(tmp_path: Path, cli) -> None:  # noqa: ANN001
    ran = cli("process", _workbook(tmp_path, None), "--out", tmp_path / "out", "--pcf", "--json", "--no-report")
    p = _products(ran)
    assert p["主轴"]["allocation"] == "mass"
    issues = json.loads(ran.stdout)["issues"]
    assert any(i["code"] == "W-PCF-ALLOCATION-DEFAULT" and "质量" in i["message"] for i in issues)


def test_mass_allocation_of_pieces_needs_unit_mass_on_its_cell(tmp_path: Path, cli) -> None:  # noqa: ANN001
    products = [PRODUCTS[0][:5] + [None] + PRODUCTS[0][6:], PRODUCTS[1]]
    ran = cli("check", _workbook(tmp_path, "质量", products=products), "--json")
    data = json.loads(ran.stdout)
    assert ran.returncode == 1
    bad = [i for i in data["issues"] if i["code"] == "E-PCF-UNIT-MASS-MISSING"]
    assert [(i["sheet"], i["cell"]) for i in bad] == [("产品产量", "F2")]


def test_unknown_product_is_an_error_on_its_cell(tmp_path: Path, cli) -> None:  # noqa: ANN001
    acts = [*ACTIVITIES[:1], _activity("原材料获取", "原材料", "铝锭", 2, "t", "T-ALU", "主轴X"), *ACTIVITIES[2:]]
    ran = cli("check", _workbook(tmp_path, activities=acts), "--json")
    bad = [i for i in json.loads(ran.stdout)["issues"] if i["code"] == "E-PCF-PRODUCT-UNKNOWN"]
    assert [(i["sheet"], i["cell"]) for i in bad] == [("活动数据", "AA3")]


def test_a_v1_workbook_without_footprint_columns_is_unchanged(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """The seed workbook (products in 根 without 单位质量) has no footprint and no new finding."""
    path = build(tmp_path / "seed.xlsx")
    ran = cli("check", path, "--json")
    data = json.loads(ran.stdout)
    assert data["status"] == "ok"
    assert data["products"] is None
    assert not [i for i in data["issues"] if "PCF" in i["code"]]


def test_pcf_files_pact_fields_and_report(tmp_path: Path, cli) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    ran = cli("process", _workbook(tmp_path), "--out", out, "--pcf", "--json")
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    pact_file = Path(data["outputs"]["pact"]["主轴"])
    assert pact_file.name == "两产品_主轴.pact.json"
    doc = json.loads(pact_file.read_text(encoding="utf-8"))
    check_pact_2_3(doc)
    # declared per kilogram through 单位质量: 207.5 kgCO2e per 50 kg piece = 4.15 kgCO2e/kg
    assert doc["pcf"]["declaredUnit"] == "kilogram"
    assert doc["pcf"]["unitaryProductAmount"] == "50"
    assert float(doc["pcf"]["pCfExcludingBiogenic"]) == pytest.approx(4.15)
    assert float(doc["pcf"]["pCfIncludingBiogenic"]) == pytest.approx((20.75 + 1.5) * 1000 / 100 / 50)
    assert doc["pcf"]["primaryDataShare"] == pytest.approx(3 / 20.75 * 100)
    # stable ids: uuid5 of credit code, product and year, the same on every run
    again = cli("process", _workbook(tmp_path), "--out", out, "--pcf", "--json")
    doc2 = json.loads(Path(json.loads(again.stdout)["outputs"]["pact"]["主轴"]).read_text(encoding="utf-8"))
    assert doc2["id"] == doc["id"] and uuid.UUID(doc["id"]).version == 5
    assert doc["companyIds"] == [f"urn:pact:company:customcode:vendor-assigned:{SEED_COMPANY['统一社会信用代码']}"]
    # the report of each product, in Chinese, with the figures rounded for reading
    report = Path(data["outputs"]["pcf_reports"]["主轴"])
    assert report.name == "两产品_主轴_产品碳足迹报告.docx"
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "207.5" in text and "从摇篮到大门" in text and "质量" in text
    # the computed workbook has the 产品碳足迹 sheet
    wb = openpyxl.load_workbook(data["outputs"]["workbook"], read_only=True)
    assert "产品碳足迹" in wb.sheetnames


def test_sar_workbook_gets_no_pact_file_and_one_line_why(tmp_path: Path, cli) -> None:  # noqa: ANN001
    ran = cli("process", _workbook(tmp_path, gwp="AR4"), "--out", tmp_path / "out", "--pcf", "--json", "--no-report")
    data = json.loads(ran.stdout)
    assert data["outputs"]["pact"] == {"主轴": None, "齿轮箱": None}
    why = [i for i in data["issues"] if i["code"] == "W-PCF-PACT"]
    assert len(why) == 2 and all("AR5 或 AR6" in i["message"] for i in why)


# ---- PACT Technical Specifications 2.3.3, checked field by field against the spec's text --------------------

_DECLARED_UNITS = {"liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer", "square meter"}
_PF_MANDATORY = ["id", "specVersion", "version", "created", "status", "comment", "companyName", "companyIds",
                 "productDescription", "productIds", "productCategoryCpc", "productNameCompany", "pcf"]
_CF_MANDATORY = ["declaredUnit", "unitaryProductAmount", "referencePeriodStart", "referencePeriodEnd",
                 "pCfExcludingBiogenic", "fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent",
                 "characterizationFactors", "ipccCharacterizationFactorsSources", "crossSectoralStandardsUsed",
                 "boundaryProcessesDescription", "exemptedEmissionsPercent", "exemptedEmissionsDescription",
                 "packagingEmissionsIncluded"]


def _decimal(text: object, *, positive: bool = False) -> None:
    assert isinstance(text, str) and "e" not in text.lower()
    value = float(text)
    assert value > 0 if positive else value >= 0


def check_pact_2_3(doc: dict) -> None:
    import re

    for k in _PF_MANDATORY:
        assert k in doc, k
    for k in _CF_MANDATORY:
        assert k in doc["pcf"], k
    uuid.UUID(doc["id"])
    assert re.fullmatch(r"\d+\.\d+\.\d+(-\d{8})?", doc["specVersion"])
    assert isinstance(doc["version"], int) and 0 <= doc["version"] < 2**31
    assert doc["status"] in ("Active", "Deprecated")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", doc["created"])
    assert doc["companyName"] and doc["productNameCompany"] and doc["productCategoryCpc"]
    for urn in doc["companyIds"] + doc["productIds"]:
        assert re.fullmatch(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+", urn), urn
    cf = doc["pcf"]
    assert cf["declaredUnit"] in _DECLARED_UNITS
    _decimal(cf["unitaryProductAmount"], positive=True)
    for k in ("pCfExcludingBiogenic", "fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent"):
        _decimal(cf[k])
    assert cf["characterizationFactors"] in ("AR5", "AR6")
    assert cf["ipccCharacterizationFactorsSources"] and all(
        re.fullmatch(r"AR\d+", x) for x in cf["ipccCharacterizationFactorsSources"])
    assert set(cf["crossSectoralStandardsUsed"]) <= {"GHG Protocol Product standard", "ISO Standard 14067",
                                                     "ISO Standard 14044"}
    assert isinstance(cf["packagingEmissionsIncluded"], bool)
    assert 0 <= cf["exemptedEmissionsPercent"] <= 5
    assert 0 <= cf["primaryDataShare"] <= 100
    assert cf["referencePeriodStart"] < cf["referencePeriodEnd"]
    assert "geographyRegionOrSubregion" not in cf and re.fullmatch(r"[A-Z]{2}", cf["geographyCountry"])


# ---- every rule that binds only for footprints: one error on its cell ------------------------------------

def _issues(cli, path: Path, *args: str) -> list[dict]:  # noqa: ANN001
    ran = cli("check", path, "--json", *args)
    return json.loads(ran.stdout)["issues"]


def _cells(issues: list[dict], code: str) -> list[tuple[str, str]]:
    return [(i["sheet"], i["cell"]) for i in issues if i["code"] == code]


def test_allocation_word_unknown(tmp_path: Path, cli) -> None:  # noqa: ANN001
    issues = _issues(cli, _workbook(tmp_path, "按重量"))
    assert [i for i in issues if i["code"] == "E-PCF-ALLOCATION-INVALID" and "按重量" in i["message"]]


def test_economic_needs_every_output_value(tmp_path: Path, cli) -> None:  # noqa: ANN001
    products = [PRODUCTS[0], PRODUCTS[1][:6] + [None] + PRODUCTS[1][7:]]
    assert _cells(_issues(cli, _workbook(tmp_path, "经济", products=products)),
                  "E-PCF-OUTPUT-VALUE-MISSING") == [("产品产量", "G3")]


def test_share_needs_every_share_and_a_sum_of_100(tmp_path: Path, cli) -> None:  # noqa: ANN001
    one = [PRODUCTS[0][:4] + [60] + PRODUCTS[0][5:], PRODUCTS[1]]
    assert _cells(_issues(cli, _workbook(tmp_path, "比例", products=one)), "E-PCF-SHARE-MISSING") == [("产品产量", "E3")]
    both = [PRODUCTS[0][:4] + [60] + PRODUCTS[0][5:], PRODUCTS[1][:4] + [30] + PRODUCTS[1][5:]]
    issues = _issues(cli, _workbook(tmp_path, "比例", products=both))
    assert [i for i in issues if i["code"] == "E-PCF-SHARE-SUM" and "90%" in i["message"]]


def test_no_allocation_needs_every_row_to_name_its_product(tmp_path: Path, cli) -> None:  # noqa: ANN001
    assert _cells(_issues(cli, _workbook(tmp_path, "不分配")), "E-PCF-NOT-ALLOCATED") == [
        ("活动数据", "D2"), ("活动数据", "D4"), ("活动数据", "D5"), ("活动数据", "D6")]


def test_boundary_word_and_cradle_to_grave_data(tmp_path: Path, cli) -> None:  # noqa: ANN001
    bad = [PRODUCTS[0][:7] + ["摇篮到门"] + PRODUCTS[0][8:], PRODUCTS[1]]
    assert _cells(_issues(cli, _workbook(tmp_path, products=bad)), "E-PCF-BOUNDARY-INVALID") == [("产品产量", "H2")]
    grave = [PRODUCTS[0][:7] + ["从摇篮到坟墓"] + PRODUCTS[0][8:], PRODUCTS[1]]
    assert _cells(_issues(cli, _workbook(tmp_path, products=grave)), "E-PCF-BOUNDARY-DATA") == [("产品产量", "H2")]


def test_cradle_to_grave_counts_use_and_end_of_life(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """With use (10 MWh × 0.5 t/MWh = 5 t) and end-of-life rows of 主轴, its cradle-to-grave total
    is the mass case's 20.75 t + 5 t + 1 t (废弃处置 10,000 t·km × 0.1 kg), and 齿轮箱 is unchanged."""
    grave = [PRODUCTS[0][:7] + ["从摇篮到坟墓"] + PRODUCTS[0][8:], PRODUCTS[1]]
    acts = [*ACTIVITIES, _activity("生产", "产品使用", "用户用电", 10, "MWh", "T-ELEC", "主轴"),
            _activity("回收", "废弃处置", "报废运输", 10000, "t·km", "T-TRUCK", "主轴")]
    ran = cli("process", _workbook(tmp_path, products=grave, activities=acts), "--out", tmp_path / "o", "--pcf",
              "--json", "--no-report")
    p = _products(ran)
    assert p["主轴"]["total_tco2e"] == pytest.approx(26.75)
    assert p["主轴"]["stages"]["use"] == pytest.approx(5.0)
    assert p["主轴"]["stages"]["end_of_life"] == pytest.approx(1.0)
    assert p["齿轮箱"]["total_tco2e"] == pytest.approx(53.25)


def test_a_product_without_output(tmp_path: Path, cli) -> None:  # noqa: ANN001
    products = [PRODUCTS[0], ["齿轮箱", 0, "台", "否", None, 500, 100, None, "43912", None]]
    assert _cells(_issues(cli, _workbook(tmp_path, products=products), ), "E-PCF-NO-OUTPUT") == [("产品产量", "B3")]


def test_two_products_that_would_write_one_file(tmp_path: Path, cli) -> None:  # noqa: ANN001
    products = [["主轴/A", 100, "件", "是", None, 50, 300, None, "43912", None],
                ["主轴:A", 30, "台", "否", None, 500, 100, None, "43912", None]]
    acts = [a[:PRODUCT_COL] + [None] for a in ACTIVITIES]
    ran = cli("process", _workbook(tmp_path, products=products, activities=acts), "--out", tmp_path / "o", "--pcf",
              "--json", "--no-report")
    issues = json.loads(ran.stdout)["issues"]
    assert ran.returncode == 1
    assert [i for i in issues if i["code"] == "E-PCF-FILE-CLASH" and "主轴:A" in i["message"]]


def test_batch_summary_has_one_row_per_product(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """`batch --pcf`: 汇总.xlsx's 产品碳足迹 sheet, one row per workbook × product, the figures worked above (mass)."""
    folder = tmp_path / "in"
    folder.mkdir()
    _workbook(folder)
    out = tmp_path / "out"
    ran = cli("batch", folder, "--out", out, "--pcf", "--jobs", "1")
    assert ran.returncode == 0, ran.stderr
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["产品碳足迹"]
    rows = [dict(zip([c.value for c in ws[1]], r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["产品"] for r in rows] == ["主轴", "齿轮箱"]
    a, b = rows
    assert (a["文件"], a["声明单位"], a["产量"], a["系统边界"], a["分配方法"]) == ("两产品.xlsx", "件", 100, "从摇篮到大门",
                                                                       "质量")
    assert a["共用排放分配份额"] == pytest.approx(0.25) and b["共用排放分配份额"] == pytest.approx(0.75)
    assert (a["原材料获取（tCO2e）"], a["生产（tCO2e）"]) == (pytest.approx(8.25), pytest.approx(12.5))
    assert (b["原材料获取（tCO2e）"], b["生产（tCO2e）"]) == (pytest.approx(15.75), pytest.approx(37.5))
    assert {a[k] for k in ("分销（tCO2e）", "使用（tCO2e）", "寿命终止（tCO2e）")} == {"/"}  # outside cradle-to-gate
    assert a["合计（tCO2e）"] == pytest.approx(20.75) and b["合计（tCO2e）"] == pytest.approx(53.25)
    assert a["单位产品碳足迹（kgCO2e/声明单位）"] == pytest.approx(207.5)
    assert b["单位产品碳足迹（kgCO2e/声明单位）"] == pytest.approx(1775.0)
    assert a["生物源 CO2（t，单独报告）"] == pytest.approx(1.5) and b["生物源 CO2（t，单独报告）"] == pytest.approx(4.5)
    assert a["初级数据占比"] == pytest.approx(3 / 20.75) and b["初级数据占比"] == pytest.approx(0.0)
    for r in rows:  # the links open the files the batch wrote, next to 汇总.xlsx
        assert r["碳足迹报告"] == f"两产品_{r['产品']}_产品碳足迹报告.docx" and (out / r["碳足迹报告"]).is_file()
        assert r["PACT 数据文件"] == f"两产品_{r['产品']}.pact.json" and (out / r["PACT 数据文件"]).is_file()
    # a batch of workbooks without footprints (no --pcf, no footprint column) keeps 汇总.xlsx as it was
    (tmp_path / "v1").mkdir()
    build(tmp_path / "v1" / "种子.xlsx")
    cli("batch", tmp_path / "v1", "--out", tmp_path / "plain", "--jobs", "1", "--no-report")
    assert "产品碳足迹" not in openpyxl.load_workbook(tmp_path / "plain" / "汇总.xlsx").sheetnames


def test_the_bundled_samples_pact_files_validate(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """README's demo sample with --pcf: a PACT file per product, field by field as PACT 2.3 says; each product
    counted in pieces is declared per kilogram through its 单位质量 (85 kg per 主轴, 420 kg per 齿轮箱)."""
    sample = Path(__file__).resolve().parents[1] / "samples" / "示例_华东精密机械有限公司_2024.xlsx"
    ran = cli("process", sample, "--out", tmp_path, "--pcf", "--json", "--no-report")
    assert ran.returncode == 0, ran.stderr
    products = _products(ran)
    for name, cpc, mass in (("数控机床主轴", "44251", 85), ("精密齿轮箱", "43320", 420)):
        doc = json.loads((tmp_path / f"示例_华东精密机械有限公司_2024_{name}.pact.json").read_text(encoding="utf-8"))
        check_pact_2_3(doc)
        assert doc["productNameCompany"] == name and doc["productCategoryCpc"] == cpc
        cf = doc["pcf"]
        assert (cf["declaredUnit"], cf["unitaryProductAmount"]) == ("kilogram", str(mass))
        assert float(cf["pCfExcludingBiogenic"]) == pytest.approx(products[name]["per_unit_kgco2e"] / mass)
    assert "W-PCF-PACT" not in ran.stderr


def test_a_row_without_data_is_a_gap_in_the_footprint_report(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """A 辅料运输 row typed "/" inside the boundary and a 成品运输 "/" outside it: the report says each was not
    quantified (never "0 tCO2e"), shows "/" in the table, and the footprint stays the one worked above (20.75 t)."""
    activities = [*ACTIVITIES, _activity("运输", "原材料运输", "辅料运输", "/", "t·km", "T-TRUCK", None),
                  _activity("运输", "产品运输", "成品配送", "/", "t·km", "T-TRUCK", "主轴")]
    ran = cli("process", _workbook(tmp_path, activities=activities), "--out", tmp_path / "out", "--pcf", "--json")
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert _products(ran)["主轴"]["total_tco2e"] == pytest.approx(20.75)
    d = docx.Document(data["outputs"]["pcf_reports"]["主轴"])
    text = "\n".join(p.text for p in d.paragraphs)
    assert "系统边界内的辅料运输，企业未提供活动数据，按 0 计入，下表以“/”表示" in text
    assert "系统边界外的成品配送，企业未提供活动数据，未量化，也不计入本产品碳足迹。" in text
    assert "辅料运输缺少活动数据，按 0 计入，相应排放未能量化。" in text  # among the limitations
    sources = next(t for t in d.tables if t.rows[0].cells[1].text == "排放源")
    row = next(r for r in sources.rows if r.cells[1].text == "辅料运输")
    assert (row.cells[3].text, row.cells[6].text) == ("未提供数据", "/")
    assert "等同采用" not in text  # GB/T 24067-2024 draws on ISO 14067; it is not an identical adoption


def test_check_pcf_says_before_processing_why_no_pact_file(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """A clerk's preview: `check --pcf` names the cell to fill for the PACT file (here the blank CPC编码 of 齿轮箱,
    产品产量 row 3, column I), as `process --pcf` will; plain `check` does not (no PACT file is asked for)."""
    products = [PRODUCTS[0], [*PRODUCTS[1][:8], None, None]]
    book = _workbook(tmp_path, products=products)
    got = [(i["sheet"], i["cell"], i["code"]) for i in _issues(cli, book, "--pcf") if i["code"] == "W-PCF-PACT"]
    assert got == [("产品产量", "I3", "W-PCF-PACT")]
    assert "W-PCF-PACT" not in [i["code"] for i in _issues(cli, book)]
    ran = cli("process", book, "--out", tmp_path / "out", "--pcf", "--json", "--no-report")
    issues = json.loads(ran.stdout)["issues"]
    assert [(i["sheet"], i["cell"]) for i in issues if i["code"] == "W-PCF-PACT"] == [("产品产量", "I3")]
    assert not (tmp_path / "out" / "两产品_齿轮箱.pact.json").exists()
    assert (tmp_path / "out" / "两产品_主轴.pact.json").is_file()


def test_a_small_gas_never_reads_zero_percent(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """柴油 1 t × 0.01 kgN2O/t × 273 (AR6) = 2.73 kgCO2e, shared: 主轴 gets a quarter, 0.68 kg of about 20.75 t
    (0.003 %): its row in the gases table says <0.01%, not 0.00%."""
    factors = [*FACTORS, ["T-N2O", "柴油", "N2O", 0.01, "kgN2O/t", "测试因子", 2023, None, None, None, None, None, None]]
    activities = [*ACTIVITIES, _activity("生产", "燃料", "柴油", 1, "t", "T-N2O", None)]
    book = build(tmp_path / "两产品.xlsx", company=company_with(分配方法="质量"), products=PRODUCTS,
                 activities=activities, factors=factors, targets=[])
    ran = cli("process", book, "--out", tmp_path / "out", "--pcf", "--json")
    assert ran.returncode == 0, ran.stderr
    d = docx.Document(json.loads(ran.stdout)["outputs"]["pcf_reports"]["主轴"])
    gases = next(t for t in d.tables if t.rows[0].cells[0].text == "温室气体")
    n2o = next(r for r in gases.rows if "N" in r.cells[0].text and "O" in r.cells[0].text)
    assert n2o.cells[3].text == "<0.01%"


def _typed(book: Path, columns: dict[str, tuple[str, ...]]) -> list[str]:
    """The text the client typed in these columns (by header) of these sheets."""
    wb = openpyxl.load_workbook(book, read_only=True)
    out: list[str] = []
    for sheet, headers in columns.items():
        rows = wb[sheet].iter_rows(values_only=True)
        head = [str(h or "") for h in next(rows)]
        for row in rows:
            out += [str(row[head.index(h)]) for h in headers if isinstance(row[head.index(h)], str)]
    wb.close()
    return sorted({t for t in out if t.strip()}, key=len, reverse=True)


def test_the_samples_footprint_reports_follow_the_client_text_rules(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """Every footprint report of both bundled samples, read as a client reads it (tests/client_text.py: the
    rules of the evaluation report); what the client typed (names, the sources of its own factors) is exempt."""
    from client_text import violations

    root = Path(__file__).resolve().parents[1] / "samples"
    for sample in sorted(root.glob("*.xlsx")):
        ran = cli("process", sample, "--out", tmp_path, "--pcf", "--json", "--no-report")
        assert ran.returncode == 0, ran.stderr
        data = json.loads(ran.stdout)
        client = _typed(sample, {"企业信息": ("填写内容",), "产品产量": ("产品名称*",), "活动数据": ("类型", "名称*"),
                                 "排放因子": ("名称", "来源")})
        for product, report in data["outputs"]["pcf_reports"].items():
            assert violations(Path(report), client_strings=client) == [], (sample.name, product)
