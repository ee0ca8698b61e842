"""The Word report rendered from hand-built model objects (tests/report_fixtures.py), read back with
python-docx."""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from PIL import Image

from carbon_report.core.errors import TemplateError
from carbon_report.core.model import Picture, Stage
from carbon_report.outputs.report import fingerprint, render_report
from carbon_report.outputs.report.render import default_template, render_bytes
from report_fixtures import SEED_NAME, act, calc, seed_activities, seed_intake


def render(tmp_path: Path, intake=None, result=None, **kw) -> tuple[Path, dict]:
    intake = intake or seed_intake()
    result = result or calc(intake)
    data, ctx = render_bytes(intake, result, [], workbook_dir=kw.pop("workbook_dir", tmp_path), **kw)
    out = tmp_path / "report.docx"
    out.write_bytes(data)
    return out, ctx


def blocks(doc):
    """Paragraphs and tables of the body, in order."""
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)
        elif child.tag == qn("w:tbl"):
            yield Table(child, doc)


def table_after(doc, caption_start: str) -> Table:
    found = False
    for b in blocks(doc):
        if isinstance(b, Paragraph) and b.text.startswith(caption_start):
            found = True
        elif found and isinstance(b, Table):
            return b
    raise AssertionError(f"no table after {caption_start!r}")


def rows(table: Table) -> list[list[str]]:
    return [[c.text.strip() for c in r.cells] for r in table.rows]


def all_text(path: Path) -> str:
    """Every w:t of every part (body, headers, footers), joined per part."""
    texts = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                found = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", z.read(name).decode("utf-8"))
                texts.append(html.unescape("".join(found)))
    return "\n".join(texts)


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seed")
    path, ctx = render(tmp)
    return path, Document(str(path)), ctx


HEADINGS = [
    "1 概论", "1.1 研究背景", "1.2 研究目标", "1.3 研究方法", "1.4 核算边界", "1.5 编制依据及参考资料",
    "2 绿色低碳现代数智企业开展情况及成效", "2.1 企业概况", "2.1.1 企业简介", "2.1.2 主要产品及工艺流程",
    "2.1.3 企业绿色低碳建设情况", "2.1.4 企业数智化建设情况", "2.1.5 生产工艺流程", "2.1.6 生产设备清单",
    "2.2 碳排放数据覆盖范围", "2.2.1 原材料获取阶段", "2.2.2 数智化生产及采购阶段",
    "2.2.3 绿色运输、绿色包装及绿色回收", "2.2.4 总量", "2.3 温室气体排放量计算", "2.3.1 计算公式",
    "2.3.2 活动数据", "2.3.3 计算结果", "2.3.4 温室气体种类及全球增温潜势", "2.3.5 排除的排放源及数据缺口",
    "2.3.6 数据来源", "2.4 本章小结", "3 绿色低碳数智化工作计划", "3.1 绿色低碳数智化工作目标",
    "3.1.1 2025 年碳减排目标", "3.1.2 2030 年碳减排目标", "3.1.3 2050 年碳减排目标", "3.2 绿色低碳数智化管理",
    "3.2.1 机构设置", "3.2.2 主要职责", "4 绿色低碳数智化重点工作", "4.1 绿色低碳数智化战略", "4.8 本章小结",
    "5 绿色低碳数智化信息披露", "5.1 披露方式", "5.2 披露时间", "5.3 负责机构", "6 评价结论和建议",
    "6.1 评价结论", "6.2 建议", "参考文献", "附件 1：企业营业执照", "附件 2：企业碳减排技术清单",
    "附件 3：产品碳足迹、绿色证书",
]


def numbered_headings(doc, levels: str = "123") -> list[str]:
    """Headings as Word shows them: the number comes from the heading list (counted here level by level),
    none for a heading that opts out of the list (w:numId 0 on the paragraph)."""
    counters = [0, 0, 0, 0]
    shown = []
    for p in doc.paragraphs:
        name = p.style.name
        if not name.startswith("Heading") or not name[-1].isdigit():
            continue
        level = int(name[-1])
        own = p._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if own is None:
            counters[level - 1] += 1
            counters[level:] = [0] * (4 - level)
            text = ".".join(str(c) for c in counters[:level]) + " " + p.text
        else:
            text = p.text
        if name[-1] in levels:
            shown.append(text)
    return shown


def test_every_part_in_the_seed_order(seed):
    _, doc, _ = seed
    headings = numbered_headings(doc)
    positions = [headings.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    text = "\n".join(p.text for p in doc.paragraphs)
    for part in ("绿色低碳现代数智企业评价报告", "报告编号：WD-HC-202407200223", f"申请组织：{SEED_NAME}",
                 "编制单位：万鼎认证（河南）有限公司", "日　　期：2024年7月20日", "报告结论：", "目　　录",
                 "时间边界：2023年1月1日至2023年12月31日"):
        assert part in text
    info = rows(doc.tables[0])
    assert info[0][:2] == ["企业名称", SEED_NAME] and info[1][1] == "91410326MA3X43L73Y"
    assert info[3] == ["联系人", "陈婧", "联系方式", "0371-63295832"]


def test_no_template_tags_left(seed):
    path, _, _ = seed
    text = all_text(path)
    for tag in ("{{", "}}", "{%", "%}", "{#"):
        assert tag not in text


def test_table_a1_numbers(seed):
    _, doc, _ = seed
    a1 = rows(table_after(doc, "表 A.1"))
    assert a1[0] == ["序号", "清单", "单位", "数量", "占比", "备注"]
    body = {r[1]: r for r in a1[1:]}
    assert body["低碳原材料获取阶段碳排放量"][2:5] == ["tCO2e", "2,461.14", "98.35%"]
    assert body["数智化生产阶段碳排放量"][3:5] == ["41.39", "1.65%"]
    assert body["数智化采购阶段碳排放量"][3:6] == ["/", "/", "数据缺失"]  # a stage with no rows: a data gap
    assert body["绿色运输阶段碳排放量"][3:6] == ["/", "/", "数据缺失"]
    assert body["绿色回收阶段碳排放量"][5] == "无相关活动"  # its only source is 不适用
    total = body["企业碳排放量合计（1+2+3+4+5+6）"]
    assert total[3:5] == ["2,502.53", "100.00%"]
    intensity = body["单位产品碳排放强度（非预应力电杆）"]
    assert intensity[2:5] == ["tCO2e/根", "0.5359", "—"]
    shares = [Decimal(r[4].rstrip("%")) for r in a1[1:7] if r[4] != "/"]
    assert sum(shares) == Decimal("100.00")


def test_tables_agree_with_each_other(seed):
    _, doc, _ = seed
    a1 = rows(table_after(doc, "表 A.1"))
    summary = rows(table_after(doc, next(p.text for p in doc.paragraphs
                                         if p.text.startswith("表 2-") and p.text.endswith("企业评价主要指标"))))
    assert summary == a1
    raw = rows(table_after(doc, next(p.text for p in doc.paragraphs if p.text.endswith("低碳原材料获取碳排放量表"))))
    assert raw[-1][1:] == ["合计", "", "", "2,461.14"]
    assert [r[1] for r in raw[1:-1]] == ["钢筋", "水泥", "河沙", "石子"]
    assert raw[1][4] == "1,794.22"  # 766.76 t × 2340 kgCO2e/t
    prod = rows(table_after(doc, next(p.text for p in doc.paragraphs if p.text.endswith("数智化生产碳排放量表"))))
    assert prod[1][1:] == ["电力", "72,584", "kWh", "41.39"]  # 72584 kWh × 0.5703 tCO2/MWh


def test_captions_numbered_in_order_never_repeated(seed):
    _, doc, ctx = seed
    captions = [p.text for p in doc.paragraphs if p.style.name in ("表题", "图题")]
    numbers = [m.group(1, 2, 3) for c in captions if (m := re.match(r"^(附表|表|图) (\w+)[-.](\d+) ", c))]
    assert len(numbers) == len(ctx.seq.issued) >= 30
    seen: dict[tuple[str, str], int] = {}
    for kind, chapter, n in numbers:
        assert int(n) == seen.get((kind, chapter), 0) + 1, (kind, chapter, n)
        seen[(kind, chapter)] = int(n)
    assert "表 2-1 主要耗能设备一览表" in captions
    assert "图 2-1 企业概貌" in captions


def test_factors_gwp_gases_sources(seed):
    path, doc, _ = seed
    factors = rows(table_after(doc, next(p.text for p in doc.paragraphs if p.text.endswith("排放因子数据清单"))))
    assert factors[0][1] == "名称" and not any("EF-" in c for r in factors for c in r)  # no library codes
    elec = next(r for r in factors if r[1] == "全国电网平均排放因子")
    assert elec[2:5] == ["CO2", "0.5703", "tCO2/MWh"]
    assert "生态环境部办公厅" in elec[5] and elec[6].startswith("2023年2月7日")
    assert len(factors) == 1 + 5  # used factors only: not the freight factor of the no-data rows
    gases = rows(table_after(doc, next(p.text for p in doc.paragraphs if p.text.endswith("分气体温室气体排放量"))))
    assert [g[4] for g in gases[1:]] == ["2,461.14", "41.39"]
    text = "\n".join(p.text for p in doc.paragraphs)
    # the GWP source as a short Chinese citation (the English one stays in the library's gwp_sources.csv)
    assert "IPCC 第六次评估报告（AR6）" in text and "第 7 章 表 7.15" in text and "Table" not in text
    assert "排放因子库 2026.1 版" in text  # the edition the intake was computed with
    sources = rows(table_after(doc, next(p.text for p in doc.paragraphs if p.text.endswith("活动数据来源"))))
    assert sources[1][1:] == ["实际数据", "钢筋、水泥、河沙、石子"] and sources[2][1:] == ["市政供电", "电力"]


def test_gaps_and_exclusions_listed(seed):
    _, doc, _ = seed
    gaps = rows(table_after(doc, next(p.text for p in doc.paragraphs if p.text.endswith("数据缺口清单"))))
    # 数智化采购 has no rows at all (a stage without data), then the five "/" rows in stage order
    assert [g[2] for g in gaps[1:]] == ["—", "原材料运输", "产品运输", "工业废弃物运输", "包装材料运输", "包装废弃物回收"]
    assert gaps[0] == ["序号", "阶段", "名称", "缺口类型", "说明"]  # no cell addresses in a client document
    assert gaps[1][1] == "数智化采购" and gaps[1][3] == "阶段无活动数据"
    assert gaps[2][3:] == ["缺少活动数据", "未提供活动数据，按 0 计入，报告中以“/”表示"]
    excluded = rows(table_after(doc, next(p.text for p in doc.paragraphs if p.text.endswith("排除的排放源"))))
    assert excluded[0] == ["序号", "阶段", "名称", "排除原因"]
    assert excluded[1][2] == "废旧电杆回收" and "使用寿命" in excluded[1][3]


def test_targets(seed):
    _, doc, _ = seed
    t2030 = rows(table_after(doc, next(p.text for p in doc.paragraphs if "2030 年绿色低碳数智化碳减排目标" in p.text)))
    total = next(r for r in t2030 if r[0].startswith("企业碳排放量合计"))
    assert total[2:] == ["2,502.53", "50%", "1,251.27"]
    assert next(r for r in t2030 if r[0] == "数智化采购阶段碳排放量")[2:] == ["/", "50%", "/"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "基准年：设定为 2023 年" in text and "重新计算" in text


def test_conclusion_is_the_consultants_and_highlighted_when_blank(seed, tmp_path):
    _, doc, _ = seed
    runs = [r for p in doc.paragraphs for r in p.runs if "【评价结论待填写】" in r.text]
    assert runs and runs[0]._r.find(qn("w:rPr")).find(qn("w:highlight")).get(qn("w:val")) == "yellow"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "经评价" not in text and "满足企业绿色低碳数智化相关" not in text  # the tool asserts nothing
    assert "不包含核查意见或符合性声明" in text
    path, _ = render(tmp_path, seed_intake(texts={"conclusion": "企业碳排放数据基本完整。\n建议补充运输数据。"}))
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "【评价结论待填写】" not in text
    assert "企业碳排放数据基本完整。" in text and "建议补充运输数据。" in text


def test_proofread_template_text(seed):
    _, doc, _ = seed
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "本项目运输过程" not in text
    assert "lca.cityghg.com" in text and "1ca.cityghg" not in text
    assert "二二氧化碳" not in text


def test_typography_toc_and_page_setup(seed):
    path, doc, _ = seed
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode()
        settings = z.read("word/settings.xml").decode()
        document = z.read("word/document.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
        headers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
    assert "eastAsiaTheme" not in styles
    assert re.search(r'<w:updateFields w:val="(true|1)"/>', settings)
    assert 'TOC \\o "1-4" \\h \\z \\u' in document  # level 4: the sections added in 2.3.3 and 2.3.6
    assert "PAGE" in footers
    assert SEED_NAME in headers
    normal, h1 = doc.styles["Normal"], doc.styles["Heading 1"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert h1.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    for section in doc.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_names_with_markup_characters_render_intact(tmp_path):
    name = 'A&B <河南> "引号" \'单\' 公司'
    path, _ = render(tmp_path, seed_intake(name=name, texts={"profile": "R&D <核心> 部门 & more"}))
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.count(name) >= 5
    assert "R&D <核心> 部门 & more" in text
    assert len(doc.paragraphs) > 200 and len(doc.tables) > 20  # nothing collapsed
    assert name in all_text(path)  # header too


def test_pictures_sized_and_placeholders(tmp_path):
    Image.new("RGB", (1600, 900), "white").save(tmp_path / "factory.png")
    Image.new("RGB", (900, 1600), "white").save(tmp_path / "license.jpg")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot an image")  # a PNG's signature, then junk
    pics = (Picture("图2-1 企业概貌", "", "factory.png", 5), Picture("图2-3", "", "broken.png", 6),
            Picture("图2-4 设备照片", "", "missing.png", 7), Picture("附件1 营业执照", "", "license.jpg", 8))
    path, _ = render(tmp_path, seed_intake(pictures=pics))
    doc = Document(str(path))
    shapes = doc.inline_shapes
    assert len(shapes) == 2 + 2  # two pictures, two charts
    text_width = doc.sections[-1].page_width - doc.sections[-1].left_margin - doc.sections[-1].right_margin
    assert all(s.width <= text_width for s in shapes)
    assert max(s.width for s in shapes) > text_width * 0.95  # the landscape photo takes the text width
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "【图片缺失：broken.png，文件不是可识别的图片或已损坏" in text
    assert "【图片缺失：missing.png，文件不存在" in text
    assert "【待补充图片：请在“图片与附件”表中填写“图2-2 产品概貌”】" in text
    assert "【待补充：请在“图片与附件”表中填写“附件3 产品碳足迹、绿色证书”】" in text


def test_zero_total_and_multi_gas(tmp_path):
    none = [act(Stage.PRODUCTION, "能源", "电力", 0, "kWh", "EF-ELEC-CN-2022NOTICE", kind="no_data", row=5)]
    path, ctx = render(tmp_path, seed_intake(activities=none))
    assert ctx.charts.share is None
    a1 = rows(table_after(Document(str(path)), "表 A.1"))
    assert all(r[4] == "/" for r in a1[1:8])

    acts = seed_activities() + [act(Stage.TRANSPORT, "能源", "柴油", 12.5, "t", "EF-DIESEL", row=20)]
    path, ctx = render(tmp_path, seed_intake(activities=acts))
    gases = rows(table_after(Document(str(path)), next(
        p.text for p in Document(str(path)).paragraphs if p.text.endswith("分气体温室气体排放量"))))
    by_gas = {r[1]: r for r in gases[1:]}
    assert by_gas["甲烷（CH4）"][2] == "27.9" and by_gas["氧化亚氮（N2O）"][2] == "273"
    assert by_gas["甲烷（CH4）"][3] == "0.001250"  # 12.5 t × 0.1 kg/t, four significant digits
    # N2O 12.5 t × 0.03 kg/t × 273 = 0.102 t and CH4 12.5 × 0.1 × 27.9 = 0.0349 t of some 2,500 t: about
    # 0.004 % and 0.001 %. Largest remainder gives N2O (0.41 of a 0.01 % unit) a leftover unit; CH4 (0.14)
    # stays at zero units and prints "<0.01%", never a 0.00 % for a gas that is there
    assert by_gas["氧化亚氮（N2O）"][5] == "0.01%" and by_gas["甲烷（CH4）"][5] == "<0.01%"
    assert sum(Decimal(r[5].rstrip("%")) for r in gases[1:] if not r[5].startswith("<")) == Decimal("100.00")


def test_render_report_writes_a_stamped_file(tmp_path):
    intake = seed_intake()
    out = tmp_path / "out" / "报告.docx"
    render_report(intake, calc(intake), [], out, workbook_dir=tmp_path, library_version="2099.9")
    assert fingerprint.is_unedited(out)
    assert "因子库版本 2099.9" in Document(str(out)).core_properties.comments
    assert [p.name for p in out.parent.iterdir()] == ["报告.docx"]


def test_another_template_is_used(tmp_path):
    custom = tmp_path / "custom.docx"
    shutil.copy(default_template(), custom)
    doc = Document(str(custom))
    heading = next(p for p in doc.paragraphs if p.text == "研究背景")  # its number 1.1 is the heading list's
    heading.runs[0].text = "项目背景（{{ company.name }}）"
    doc.save(str(custom))
    path, _ = render(tmp_path, template=custom)
    assert f"1.1 项目背景（{SEED_NAME}）" in numbered_headings(Document(str(path)))


def test_broken_template_is_a_clear_error(tmp_path):
    custom = tmp_path / "broken.docx"
    shutil.copy(default_template(), custom)
    doc = Document(str(custom))
    next(p for p in doc.paragraphs if p.text == "研究目标").add_run("{{ no_such_field }}")
    doc.save(str(custom))
    with pytest.raises(TemplateError, match=r"报告模板有误，无法生成报告：“broken.docx”中的标签“\{\{ no_such_field \}\}”有误"):
        render(tmp_path, template=custom)
    with pytest.raises(TemplateError, match="报告模板有误，无法生成报告：“.*”不存在"):
        render(tmp_path, template=tmp_path / "nope.docx")


def test_biogenic_co2_reported_apart(tmp_path):
    from report_fixtures import wood_factor

    acts = seed_activities() + [act(Stage.PRODUCTION, "能源", "木材", 5, "t", "EF-FUEL-BIOMASS-WOOD", row=30)]
    intake = seed_intake(activities=acts, factors={"EF-FUEL-BIOMASS-WOOD": wood_factor()})
    result = calc(intake)
    assert result.biogenic_co2_t == pytest.approx(8.736)
    path, _ = render(tmp_path, intake, result)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "生物源二氧化碳排放 8.736 t" in text and "不计入" in text
    prod = rows(table_after(doc, next(p.text for p in doc.paragraphs if p.text.endswith("数智化生产碳排放量表"))))
    wood = next(r for r in prod if r[1] == "木材")
    assert wood[4] == "0.15"  # CH4 and N2O only: 5 t × (0.468 kg × 27.9 + 0.0624 kg × 273) / 1000
