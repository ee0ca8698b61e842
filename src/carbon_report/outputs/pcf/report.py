"""One 产品碳足迹报告 (.docx) per product, in GB/T 24067-2024's report order: purpose, declared unit, system
boundary, cut-off, data sources and quality, allocation, results by stage and by gas, biogenic carbon,
uncertainty, limitations, conclusion. The same client-text rules as the evaluation report: numbers rounded
for reading, CO₂/CH₄/N₂O with Word subscripts, no factor codes, cell addresses or file names."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from carbon_report.core.model import Intake, Result
from carbon_report.core.pcf import (
    ALLOCATION_ZH,
    BOUNDARY_STAGES,
    BOUNDARY_ZH,
    PcfResult,
    PcfStage,
    ProductFootprint,
)
from carbon_report.core.report.citations import factor_citation
from carbon_report.core.report.numbers import (
    fmt_date,
    fmt_factor,
    fmt_intensity,
    fmt_number,
    fmt_share,
    fmt_tco2e,
)
from carbon_report.core.report.text import clean
from carbon_report.core.rounding import share_percentages
from carbon_report.io.atomic import write_bytes
from carbon_report.outputs.report.fingerprint import report_output_path, stamp_document, write_atomic

REPORT_SUFFIX = "产品碳足迹报告"
_FORMULA = re.compile(r"(CO|CH|N)([0-9])")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

_GAS_ZH = {"CO2": "二氧化碳（CO2）", "CO2e": "CO2 当量", "N2O": "氧化亚氮（N2O）"}


def safe_name(product: str) -> str:
    """A product name made safe for a file name on Windows and POSIX (no separators, reserved characters,
    control characters, trailing dots or spaces); never empty."""
    text = _UNSAFE.sub("_", product).strip(" .")
    return text[:80] or "产品"


def report_path(workbook: Path, out_dir: Path, product: str) -> Path:
    return out_dir / f"{workbook.stem}_{safe_name(product)}_{REPORT_SUFFIX}.docx"


def pact_path(workbook: Path, out_dir: Path, product: str) -> Path:
    return out_dir / f"{workbook.stem}_{safe_name(product)}.pact.json"


def _gas_label(gas: str) -> str:
    if gas in _GAS_ZH:
        return _GAS_ZH[gas]
    if gas.startswith("CH4"):
        return "甲烷（CH4）"
    return gas


def _text(paragraph, text: str, *, bold: bool = False) -> None:  # noqa: ANN001 - a python-docx paragraph
    """Text with the digit of CO2, CH4, N2O as a Word subscript."""
    pos = 0
    for m in _FORMULA.finditer(text):
        run = paragraph.add_run(text[pos:m.start()] + m.group(1))
        run.bold = bold
        sub = paragraph.add_run(m.group(2))
        sub.font.subscript = True
        sub.bold = bold
        pos = m.end()
    if pos < len(text):
        run = paragraph.add_run(text[pos:])
        run.bold = bold


def _fonts(doc) -> None:  # noqa: ANN001
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name, east, size in (("Normal", "宋体", 10.5), ("Heading 1", "黑体", 14), ("Heading 2", "黑体", 12),
                             ("Title", "黑体", 22)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
            fonts.set(qn(attr), east if attr == "w:eastAsia" else "Times New Roman")
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
        if name != "Normal":
            style.font.color.rgb = None


def _page(doc) -> None:  # noqa: ANN001
    """A4 with the seed report's margins, not python-docx's US Letter."""
    from docx.shared import Cm

    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)


def _table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float]) -> None:  # noqa: ANN001
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # the widths below, not Word's or LibreOffice's guess from the text
    for i, h in enumerate(header):
        _text(table.rows[0].cells[i].paragraphs[0], h, bold=True)
    for r in rows:
        cells = table.add_row().cells
        for i, v in enumerate(r):
            _text(cells[i].paragraphs[0], v)
    for i, w in enumerate(widths_cm):
        table.columns[i].width = Cm(w)
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")  # a row never breaks across pages
        trpr.append(cant)
        for i, w in enumerate(widths_cm):
            row.cells[i].width = Cm(w)
    header_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_pr.append(repeat)
    del qn


class _Captions:
    """表 N and its title, numbered in order of appearance (a table left out never leaves a gap)."""

    def __init__(self, doc) -> None:  # noqa: ANN001
        self.doc = doc
        self.n = 0

    def __call__(self, text: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        self.n += 1
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt(10)  # a caption right under the table before stays apart from it
        _text(p, f"表 {self.n} {text}", bold=True)


def _para(doc, text: str) -> None:  # noqa: ANN001
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(21)
    _text(p, text)


def _per_unit(value_kg: float) -> str:
    return fmt_intensity(value_kg)


def render_pcf_report(intake: Intake, result: Result, pcf: PcfResult, fp: ProductFootprint, *,
                      library_version: str) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    c = intake.company
    doc = docx.Document()
    _page(doc)
    _fonts(doc)
    caption = _Captions(doc)
    doc.core_properties.title = f"{fp.name}产品碳足迹报告"
    doc.core_properties.author = c.text("agency_name") or c.name
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text(title, f"{fp.name}产品碳足迹报告")
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text(sub, f"{c.name}　核算期：{c.year} 年 1 月 1 日至 {c.year} 年 12 月 31 日")
    cover = [f"编制单位：{c.text('agency_name')}" if c.text("agency_name") else "",
             f"报告编号：{c.text('report_no')}" if c.text("report_no") else "",
             f"报告日期：{fmt_date(c.report_date)}" if c.report_date else ""]
    if any(cover):
        by = doc.add_paragraph()
        by.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _text(by, "　".join(x for x in cover if x))
    unit = fp.declared_unit
    boundary_zh = BOUNDARY_ZH[fp.boundary]
    stages_in = BOUNDARY_STAGES[fp.boundary]

    doc.add_heading("1 目的与范围", level=1)
    # GB/T 24067-2024 (发布 2024-08-23, 实施 2025-03-01) "主要借鉴 ISO 14067" and adds to it, as the release of
    # 生态环境部 says (read as reprinted at hbsb.xwboo.com/news/151213.html): not an identical adoption (IDT).
    _para(doc, f"本报告依据 GB/T 24067-2024《温室气体 产品碳足迹 量化要求和指南》（参照 ISO 14067 制定），"
               f"量化{c.name}生产的{fp.name}在{c.year}年度的产品碳足迹，供企业内部碳管理、客户供应链信息披露使用。"
               f"产品碳足迹以企业{c.year}年度组织层面的温室气体清单为基础，按产品归属和分配规则计算。")

    doc.add_heading("2 声明单位", level=1)
    mass = f"，每{unit}质量 {fmt_number(fp.unit_mass_kg, 2) if fp.unit_mass_kg else '/'} kg" if fp.unit_mass_kg else ""
    _para(doc, f"声明单位为 1 {unit}{fp.name}{mass}。核算期内产量为 {fmt_number(fp.output, 2 if fp.output % 1 else 0)} {unit}。")
    caption("产品信息")
    _table(doc, ["项目", "内容"], [
        ["产品名称", fp.name], ["声明单位", f"1 {unit}"],
        ["单位质量（kg）", fmt_number(fp.unit_mass_kg, 2) if fp.unit_mass_kg else "/"],
        ["核算期产量", f"{fmt_number(fp.output, 2 if fp.output % 1 else 0)} {unit}"],
        ["系统边界", boundary_zh], ["生产企业", c.name]], [5, 10])

    doc.add_heading("3 系统边界", level=1)
    _para(doc, f"本次核算的系统边界为“{boundary_zh}”，包括下表所列的生命周期阶段。企业排放清单中的运输活动，"
               f"类型为“产品运输”“销售运输”的视为产品出厂后的运输（分销阶段），其余视为原材料和物料运往企业的运输"
               f"（原材料获取阶段）；企业自身采购活动和生产过程废弃物处理的排放计入生产阶段。")
    caption("生命周期阶段与系统边界")
    _table(doc, ["生命周期阶段", "是否纳入", "包括的活动"], [
        [s.zh, "纳入" if s in stages_in else "不纳入",
         "、".join(sorted({x.line.activity.name for x in fp.lines if x.pcf_stage == s})) or "无相关活动"]
        for s in PcfStage], [4, 3, 9])

    doc.add_heading("4 取舍准则", level=1)
    excluded = [x for x in fp.lines if not x.included and not x.line.factor.biogenic]
    counted = sorted({x.line.activity.name for x in excluded if x.line.activity.amount_kind != "no_data"})
    unknown = sorted({x.line.activity.name for x in excluded if x.line.activity.amount_kind == "no_data"})
    if counted:
        _para(doc, f"未对系统边界内的任何排放源作取舍。系统边界外的排放（{'、'.join(counted)}）合计 "
                   f"{fmt_tco2e(fp.excluded_tco2e)} tCO2e，未计入本产品碳足迹。")
    else:
        _para(doc, "未对系统边界内的任何排放源作取舍，企业清单中与本产品有关的已量化排放均在系统边界内。")
    if unknown:
        _para(doc, f"系统边界外的{'、'.join(unknown)}，企业未提供活动数据，未量化，也不计入本产品碳足迹。")

    doc.add_heading("5 数据来源与数据质量", level=1)
    _para(doc, f"活动数据取自企业{c.year}年度的台账、票据和计量记录；排放因子取自企业提供的供应商数据、企业填报的因子"
               f"和本工具内置排放因子库（{library_version} 版）。初级数据（供应商提供的产品碳足迹数据）占本产品碳足迹的 "
               + (f"{fmt_number(fp.primary_data_share * 100, 2)}%。" if fp.primary_data_share is not None else "0%。"))
    rows = []
    gaps: list[str] = []  # this product's lines inside the boundary that have no activity data
    for x in fp.lines:
        if not x.included or x.line.factor.biogenic:
            continue
        a = x.line.activity
        f = x.line.factor
        source = "供应商数据" if f.supplier_data else ("企业填报因子" if f.origin == "workbook" else "内置因子库")
        share = ("本产品" if len(pcf.products) == 1 else "本产品专属" if a.product
                 else f"共用 {fmt_number(x.fraction * 100, 2)}%")
        no_data = a.amount_kind == "no_data"
        if no_data:
            gaps.append(a.name)
        rows.append([x.pcf_stage.zh, a.name, _gas_label(f.gas), "未提供数据" if no_data else a.quality or "未填",
                     source, share, "/" if no_data else fmt_tco2e(x.tco2e)])
    if gaps:
        _para(doc, f"系统边界内的{'、'.join(gaps)}，企业未提供活动数据，按 0 计入，下表以“/”表示；"
                   "这些排放源的排放未能量化，本产品碳足迹可能因此偏低。")
    caption("排放源、数据质量与来源")
    _table(doc, ["阶段", "排放源", "温室气体", "数据质量", "因子来源", "归属", "计入本产品（tCO2e）"], rows,
           [2.4, 3.0, 2.4, 1.6, 2.0, 2.2, 2.4])

    factors: dict[tuple[str, str, str], list[str]] = {}
    for x in fp.lines:
        f = x.line.factor
        if x.included and not f.biogenic:
            # as the evaluation report cites them: the client's own source as typed, a short Chinese citation
            # of the library's (the full source and any 未核实 note stay in the computed workbook)
            typed = clean(f.source)
            if f.supplier_data:
                source = f"供应商数据：{typed}" if typed else "供应商数据"
            elif f.origin == "workbook":
                source = f"企业提供的排放因子：{typed}" if typed else "企业提供的排放因子"
            else:
                source = factor_citation(f) or "/"
            factors.setdefault((f.name, f.gas, f.unit), [f.name, _gas_label(f.gas), fmt_factor(f.value), f.unit, source])
    if factors:
        caption("排放因子及其来源")
        _table(doc, ["因子", "温室气体", "因子值", "单位", "来源"], list(factors.values()), [3.0, 2.4, 1.8, 2.6, 6.0])

    doc.add_heading("6 分配", level=1)
    method = ALLOCATION_ZH[pcf.allocation]
    if len(pcf.products) == 1:
        _para(doc, "核算期内企业只生产这一种产品，企业清单中系统边界内的全部排放计入本产品，无需分配。")
    else:
        basis = {"mass": "产量 × 单位质量", "economic": "产值", "share": "企业填写的分配比例",
                 "none": "每项排放都注明了所属产品"}[pcf.allocation]
        _para(doc, f"企业同时生产多种产品。专属于某一产品的排放全部计入该产品，各产品共用的排放按{method}分配"
                   f"（依据：{basis}；{pcf.allocation_basis}）。")
        caption("各产品的分配份额")
        _table(doc, ["产品", "产量", "分配份额"], [
            [p.name, f"{fmt_number(p.output, 2 if p.output % 1 else 0)} {p.declared_unit}",
             f"{fmt_number(p.share * 100, 2)}%"] for p in pcf.products], [6, 5, 4])

    doc.add_heading("7 产品碳足迹结果", level=1)
    _para(doc, f"{fp.name}的产品碳足迹（{boundary_zh}）为 {_per_unit(fp.per_unit_kgco2e)} kgCO2e/{unit}，"
               f"核算期内合计 {fmt_tco2e(fp.total_tco2e)} tCO2e。")
    shares = share_percentages({s: v for s, v in fp.stages.items()})
    caption("各生命周期阶段的碳足迹")
    _table(doc, ["生命周期阶段", "排放量（tCO2e）", f"单位产品（kgCO2e/{unit}）", "占比"],
           [[s.zh, fmt_tco2e(v), _per_unit(v * 1000 / fp.output), fmt_share(shares.get(s), positive=v > 0)]
            for s, v in fp.stages.items()]
           + [["合计", fmt_tco2e(fp.total_tco2e), _per_unit(fp.per_unit_kgco2e), "100.00%" if shares else "/"]],
           [4, 4, 4.5, 3])
    gas_shares = share_percentages(fp.gases)
    caption("各温室气体的碳足迹")
    _table(doc, ["温室气体", "排放量（tCO2e）", f"单位产品（kgCO2e/{unit}）", "占比"],
           [[_gas_label(g), fmt_tco2e(v), _per_unit(v * 1000 / fp.output), fmt_share(gas_shares.get(g), positive=v > 0)]
            for g, v in fp.gases.items()], [5, 4, 4.5, 3])

    doc.add_heading("8 生物源碳", level=1)
    if fp.biogenic_co2_t:
        _para(doc, f"生物质燃料燃烧产生的生物源 CO2 为 {fmt_tco2e(fp.biogenic_co2_t)} t（每{unit} "
                   f"{_per_unit(fp.biogenic_co2_t * 1000 / fp.output)} kg），按 GB/T 24067 单独报告，不计入上述产品碳足迹。")
    else:
        _para(doc, "本产品系统边界内没有生物源 CO2 排放。产品自身所含的碳（化石碳和生物碳含量）不在本次数据收集范围内。")

    doc.add_heading("9 不确定性", level=1)
    u = result.uncertainty
    if u is not None and u.total_pct is not None:
        _para(doc, f"按 IPCC 2006 年国家温室气体清单指南第 1 卷第 3 章误差传递法，企业{c.year}年度排放总量的不确定度为 "
                   f"±{fmt_number(u.total_pct, 1)}%（95% 置信区间）。本产品碳足迹由同一清单分配得到，其不确定度与之相当。")
    else:
        _para(doc, "企业未填写活动数据的数据质量和不确定度，本报告未作定量不确定性评价。")

    doc.add_heading("10 局限性", level=1)
    limits = ["产品碳足迹由企业年度组织清单分配得到，未逐工序计量。",
              "运输活动按“类型”区分运入与出厂：类型为“产品运输”“销售运输”的视为出厂运输，其余视为运入。",
              "产品自身所含的化石碳和生物碳未纳入数据收集。"]
    if gaps:
        limits.append(f"{'、'.join(gaps)}缺少活动数据，按 0 计入，相应排放未能量化。")
    if len(pcf.products) > 1 and pcf.allocation != "none":
        limits.append(f"共用排放按{method}分配，分配方法的选择会影响各产品的结果。")
    for i, text in enumerate(limits, 1):
        _para(doc, f"{i}. {text}")

    doc.add_heading("11 结论", level=1)
    _para(doc, f"{c.name}{c.year}年度生产的{fp.name}，在“{boundary_zh}”系统边界下的产品碳足迹为 "
               f"{_per_unit(fp.per_unit_kgco2e)} kgCO2e/{unit}。")
    stamp_document(doc)  # an edited report is never overwritten (fingerprint.py), as the evaluation report
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_pcf_report(desired: Path, data: bytes, *, force: bool) -> tuple[Path, str | None]:
    """Write the report where report_output_path says (an edited one is kept; `_v2` …); (path, notice)."""
    target, notice = report_output_path(desired, force)
    write_atomic(target, data)
    return target, notice


def _same_pact(path: Path, doc: dict[str, Any]) -> bool:
    """An existing PACT file this tool wrote with the same content but its creation time."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(old, dict):
        return False
    return {k: v for k, v in old.items() if k != "created"} == {k: v for k, v in doc.items() if k != "created"}


def write_pact(desired: Path, doc: dict[str, Any], *, force: bool) -> tuple[Path, str | None]:
    """The PACT file, never replacing one that differs from what this run writes (edited, or another run's
    data) without --force: the first free `_v2`, `_v3` … instead, with a notice."""
    data = (json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
    target, notice = desired, None
    if desired.exists() and not force and not _same_pact(desired, doc):
        n = 2
        while True:
            target = desired.with_name(desired.name.replace(".pact.json", f"_v{n}.pact.json"))
            if not target.exists() or _same_pact(target, doc):
                break
            n += 1
        notice = f"{desired.name} 与本次结果不同（可能已被修改），为保留原文件，新文件另存为 {target.name}（如需覆盖，请使用 --force）。"
    write_bytes(target, data)
    return target, notice
