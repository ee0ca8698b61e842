"""Build the first version of workbook_templates/report_template.docx with python-docx.

The template is data that consultants edit in Word (wording, fonts, logo); this script only makes its first
version reproducibly. Run it again only to start over: it overwrites the file, losing edits made in Word.

    python scripts/build_report_template.py [OUT.docx]

Tags are docxtpl/Jinja: {{ x }} a value, {{r x }} formatted runs (subscripts, highlighted placeholders,
pictures), {%p … %} a paragraph-level block, {%tr … %} a table-row loop, {{r seq_field('表', 2) }} the next caption
number of a chapter. docs/report.md lists them.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "workbook_templates" / "report_template.docx"
# A copy inside the package, so an installed (non-editable) carbon-report finds its default template too.
PACKAGE_COPY = ROOT / "src" / "carbon_report" / "outputs" / "report" / "report_template.docx"

SONG, HEI, LATIN = "宋体", "黑体", "Times New Roman"
TEXT_WIDTH_TWIPS = 8312  # A4 (210 mm) less 31.7 mm margins on each side
TEXT_WIDTH_MM = TEXT_WIDTH_TWIPS * 25.4 / 1440
CELL_MARGIN_MM = 1.9  # Word's default left and right cell margins (108 twips each)
CJK_CHAR_MM = 10.5 * 25.4 / 72  # one full-width character at the table's 10.5 pt
# w:pPr children that follow w:tabs (ECMA-376 order), for inserting in place
_PPR_AFTER_TABS = ("w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
                   "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing",
                   "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                   "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                   "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
W = qn


# ---- styles ----------------------------------------------------------------------------------------------


def _rfonts(rpr, east_asia: str, latin: str = LATIN) -> None:
    """Explicit fonts for every script; theme fonts (w:eastAsiaTheme …) would override w:eastAsia."""
    rf = rpr.find(W("w:rFonts"))
    if rf is None:
        rf = OxmlElement("w:rFonts")
        rpr.insert(0, rf)
    for attr in list(rf.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del rf.attrib[attr]
    rf.set(W("w:ascii"), latin)
    rf.set(W("w:hAnsi"), latin)
    rf.set(W("w:cs"), latin)
    rf.set(W("w:eastAsia"), east_asia)
    rf.set(W("w:hint"), "eastAsia")


def _strip_theme_fonts(styles_el) -> None:
    for rf in styles_el.iter(W("w:rFonts")):
        for attr in list(rf.attrib):
            if attr.endswith("Theme") or attr.endswith("theme"):
                del rf.attrib[attr]


def _style(doc, name: str, *, base: str | None = "Normal", kind=WD_STYLE_TYPE.PARAGRAPH, style_id: str | None = None):
    try:
        st = doc.styles[name]
    except KeyError:
        st = doc.styles.add_style(name, kind)
        if style_id:
            st.element.set(W("w:styleId"), style_id)
    if base and kind == WD_STYLE_TYPE.PARAGRAPH:
        st.base_style = doc.styles[base]
    st.hidden = False
    st.quick_style = True
    st.unhide_when_used = False
    return st


def _para_style(st, *, font: str = SONG, size: float = 12, bold: bool | None = False, align=None,
                first_line_chars: int | None = 0, line: float | None = 1.0, before: float = 0, after: float = 0,
                keep_next: bool = False, outline: int | None = None, page_break_before: bool = False) -> None:
    f = st.font
    f.size = Pt(size)
    f.bold = bold
    f.italic = False
    f.color.rgb = RGBColor(0, 0, 0)
    rpr = st.element.get_or_add_rPr()
    _rfonts(rpr, font)
    for tag in ("w:color",):
        el = rpr.find(W(tag))
        if el is not None:
            for attr in list(el.attrib):
                if "theme" in attr.lower():
                    del el.attrib[attr]
    pf = st.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line is not None:
        pf.line_spacing = line
    pf.keep_with_next = keep_next
    pf.page_break_before = page_break_before
    ppr = st.element.get_or_add_pPr()
    if first_line_chars is not None:
        ind = ppr.get_or_add_ind()
        chars = first_line_chars * 100
        ind.set(W("w:firstLineChars"), str(chars))
        ind.set(W("w:firstLine"), str(int(size * 20 * first_line_chars)))
    ol = ppr.find(W("w:outlineLvl"))
    if outline is None and ol is not None and not st.name.lower().startswith("heading"):
        ppr.remove(ol)


def _tabs(st, *stops: tuple[str, int, str | None]) -> None:
    ppr = st.element.get_or_add_pPr()
    old = ppr.find(W("w:tabs"))
    if old is not None:
        ppr.remove(old)
    tabs = OxmlElement("w:tabs")
    for val, pos, leader in stops:
        t = OxmlElement("w:tab")
        t.set(W("w:val"), val)
        t.set(W("w:pos"), str(pos))
        if leader:
            t.set(W("w:leader"), leader)
        tabs.append(t)
    ppr.insert_element_before(tabs, *_PPR_AFTER_TABS)


def setup_styles(doc) -> None:
    styles_el = doc.styles.element
    _strip_theme_fonts(styles_el)
    # document defaults: explicit fonts, Chinese language
    rpr_default = styles_el.find(W("w:docDefaults")).find(W("w:rPrDefault")).find(W("w:rPr"))
    _rfonts(rpr_default, SONG)
    lang = rpr_default.find(W("w:lang"))
    lang.set(W("w:val"), "en-US")
    lang.set(W("w:eastAsia"), "zh-CN")
    ppr_default = styles_el.find(W("w:docDefaults")).find(W("w:pPrDefault")).find(W("w:pPr"))
    spacing = ppr_default.find(W("w:spacing"))
    spacing.set(W("w:after"), "0")
    spacing.set(W("w:line"), "240")

    normal = doc.styles["Normal"]
    _para_style(normal, size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars=2, line=1.5)

    sizes = {1: 16, 2: 14, 3: 12, 4: 12}
    for level, size in sizes.items():
        st = doc.styles[f"Heading {level}"]
        _para_style(st, font=HEI, size=size, bold=False, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0,
                    line=1.5, before=12 if level == 1 else 6, after=6 if level == 1 else 3, keep_next=True,
                    page_break_before=level == 1)
        st.font.bold = False
        char = doc.styles[f"Heading {level} Char"] if f"Heading {level} Char" in [s.name for s in doc.styles] else None
        if char is not None:
            _rfonts(char.element.get_or_add_rPr(), HEI)
            char.font.color.rgb = RGBColor(0, 0, 0)
            char.font.bold = False
    for name in ("Heading 1 Char", "Heading 2 Char", "Heading 3 Char", "Heading 4 Char", "Title Char"):
        if name in [s.name for s in doc.styles]:
            c = doc.styles[name]
            for el in c.element.iter(W("w:color")):
                for attr in list(el.attrib):
                    if "theme" in attr.lower():
                        del el.attrib[attr]

    cover_name = _style(doc, "封面企业名称", style_id="CoverCompany")
    _para_style(cover_name, font=HEI, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0,
                line=1.5, before=0, after=12)
    cover_title = _style(doc, "封面标题", style_id="CoverTitle")
    _para_style(cover_title, font=HEI, size=26, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0,
                line=1.5, before=24, after=48)
    cover_info = _style(doc, "封面信息", style_id="CoverInfo")
    _para_style(cover_info, font=SONG, size=15, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0, line=2.0)
    cover_info.paragraph_format.left_indent = Mm(25)
    cover_agency = _style(doc, "封面机构", style_id="CoverAgency")
    _para_style(cover_agency, font=HEI, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0, line=1.5)
    toc_title = _style(doc, "目录标题", style_id="TocTitle")
    _para_style(toc_title, font=HEI, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0, line=1.5,
                after=12)
    part_title = _style(doc, "小标题", style_id="SubTitle")
    _para_style(part_title, font=HEI, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0, line=1.5,
                before=6, keep_next=True)

    cap = _style(doc, "表题", base="Caption", style_id="TableCaption")
    _para_style(cap, font=HEI, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0, line=1.25,
                before=6, after=3, keep_next=True)
    fcap = _style(doc, "图题", base="Caption", style_id="FigureCaption")
    _para_style(fcap, font=HEI, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0, line=1.25,
                before=3, after=9)
    fig = _style(doc, "图片", style_id="Figure")
    _para_style(fig, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0, line=1.0, before=6,
                keep_next=True)
    cell = _style(doc, "表格文字", style_id="TableText")
    _para_style(cell, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0, line=1.0)
    cell_left = _style(doc, "表格文字左", base="表格文字", style_id="TableTextLeft")
    _para_style(cell_left, size=10.5, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0, line=1.0)
    cell_small = _style(doc, "表格文字小", base="表格文字", style_id="TableTextSmall")
    _para_style(cell_small, size=9, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0, line=1.0)
    head = _style(doc, "表头", base="表格文字", style_id="TableHead")
    _para_style(head, font=HEI, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0, line=1.0,
                keep_next=True)  # a header row stays with the first data row
    note = _style(doc, "表注", style_id="TableNote")
    _para_style(note, size=9, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0, line=1.25, before=3, after=6)
    after_table = _style(doc, "表后", style_id="AfterTable")
    _para_style(after_table, size=6, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0, line=1.0)
    formula = _style(doc, "公式", style_id="Formula")
    _para_style(formula, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0, line=1.5)
    _tabs(formula, ("center", TEXT_WIDTH_TWIPS // 2, None), ("right", TEXT_WIDTH_TWIPS, None))
    ref = _style(doc, "参考文献", style_id="Reference")
    _para_style(ref, size=10.5, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars=0, line=1.5)

    for level in (1, 2, 3, 4):
        toc = _style(doc, f"toc {level}", style_id=f"TOC{level}")
        # 1.25 lines, 10.5 pt below level 1: the ~50 entries of a report fit two pages
        _para_style(toc, font=HEI if level == 1 else SONG, size=12 if level == 1 else 10.5,
                    align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0, line=1.25)
        toc.paragraph_format.left_indent = Pt(12 * 2 * (level - 1))
        _tabs(toc, ("right", TEXT_WIDTH_TWIPS, "dot"))
    for name in ("Header", "Footer"):
        st = doc.styles[name]
        _para_style(st, size=9, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0, line=1.0)
    hdr_ppr = doc.styles["Header"].element.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(W(k), v)
    bdr.append(bottom)
    hdr_ppr.insert_element_before(bdr, "w:shd", "w:tabs", *_PPR_AFTER_TABS)

    # the Japanese theme default of python-docx's template → Chinese
    settings = doc.settings.element
    tfl = settings.find(W("w:themeFontLang"))
    if tfl is not None:
        tfl.set(W("w:eastAsia"), "zh-CN")


# ---- building blocks -------------------------------------------------------------------------------------


def para(doc_or_cell, text: str = "", style: str | None = None, *, bold: bool = False):
    p = doc_or_cell.add_paragraph(style=style)
    if text:
        add_text(p, text, bold=bold)
    return p


_TAG = re.compile(r"({{.*?}}|{%.*?%})")
_SUB = re.compile(r"_\{([^}]*)\}")


def add_text(p, text: str, *, bold: bool = False) -> None:
    """Runs for `text`. Outside Jinja tags, `_{…}` marks a subscript (CO_{2}e, E_{ij}); each Jinja tag stays
    inside one run so docxtpl sees it whole."""
    def run(t: str, sub: bool = False) -> None:
        if t:
            r = p.add_run(t)
            r.bold = bold or None
            r.font.subscript = sub or None

    for segment in _TAG.split(text):
        if _TAG.fullmatch(segment):
            run(segment)
            continue
        pos = 0
        for m in _SUB.finditer(segment):
            run(segment[pos:m.start()])
            run(m.group(1), sub=True)
            pos = m.end()
        run(segment[pos:])


HEADING_NUM_ID = 90  # the multilevel list linked to Heading 1–4 (numbering.xml)
_HEADING_NUMBER = re.compile(r"^(?:\d+\.)*(?:\d+|{{ loop\.index }}) ")


def heading(doc, text: str, level: int):
    """A heading; its number ("2.3.5") is Word's multilevel list on the heading style, not text, so a section
    inserted in Word or WPS renumbers the rest. Headings written without a number (参考文献, 附件 1：…) keep none."""
    m = _HEADING_NUMBER.match(text)
    p = doc.add_paragraph(text[m.end():] if m else text, style=f"Heading {level}")
    if m is None:
        ppr = p._p.get_or_add_pPr()
        num_pr = OxmlElement("w:numPr")
        for tag_, val in (("w:ilvl", "0"), ("w:numId", "0")):
            el = OxmlElement(tag_)
            el.set(W("w:val"), val)
            num_pr.append(el)
        ppr.insert_element_before(num_pr, "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", *_PPR_AFTER_TABS)
    return p


def heading_numbering(doc) -> None:
    """One multilevel list (1 / 1.1 / 1.1.1 / 1.1.1.1, a space after the number) linked both ways to
    Heading 1–4: each level names its style (w:pStyle) and each style names the list (w:numPr)."""
    numbering = doc.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(W("w:abstractNumId"), str(HEADING_NUM_ID))
    mlt = OxmlElement("w:multiLevelType")
    mlt.set(W("w:val"), "multilevel")
    abstract.append(mlt)
    for ilvl in range(9):
        lvl = OxmlElement("w:lvl")
        lvl.set(W("w:ilvl"), str(ilvl))
        items = [("w:start", "1"), ("w:numFmt", "decimal")]
        if ilvl < 4:
            items.append(("w:pStyle", f"Heading{ilvl + 1}"))
        items += [("w:suff", "space"), ("w:lvlText", ".".join(f"%{k + 1}" for k in range(ilvl + 1))),
                  ("w:lvlJc", "left")]
        for tag_, val in items:
            el = OxmlElement(tag_)
            el.set(W("w:val"), val)
            lvl.append(el)
        ppr = OxmlElement("w:pPr")
        ind = OxmlElement("w:ind")
        ind.set(W("w:left"), "0")
        ind.set(W("w:firstLine"), "0")
        ppr.append(ind)
        lvl.append(ppr)
        abstract.append(lvl)
    first_num = numbering.find(W("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(W("w:numId"), str(HEADING_NUM_ID))
    ref = OxmlElement("w:abstractNumId")
    ref.set(W("w:val"), str(HEADING_NUM_ID))
    num.append(ref)
    numbering.append(num)
    for level in (1, 2, 3, 4):
        ppr = doc.styles[f"Heading {level}"].element.get_or_add_pPr()
        old = ppr.find(W("w:numPr"))
        if old is not None:
            ppr.remove(old)
        num_pr = OxmlElement("w:numPr")
        for tag_, val in (("w:ilvl", str(level - 1)), ("w:numId", str(HEADING_NUM_ID))):
            el = OxmlElement(tag_)
            el.set(W("w:val"), val)
            num_pr.append(el)
        ppr.insert_element_before(num_pr, "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", *_PPR_AFTER_TABS)


def tag(doc, text: str) -> None:
    """A paragraph holding only a {%p … %} tag (removed when rendered)."""
    doc.add_paragraph(text)


def page_break(doc) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = 0
    p.add_run().add_break(WD_BREAK.PAGE)


def paras_loop(doc, var: str) -> None:
    """The consultant's or company's multi-paragraph text: one paragraph each."""
    tag(doc, f"{{%p for t in {var} %}}")
    doc.add_paragraph("{{r t }}")
    tag(doc, "{%p endfor %}")


def figure(doc, var: str, chapter: int) -> None:
    tag(doc, f"{{%p for p in {var} %}}")
    doc.add_paragraph("{{r p.image }}", style="图片")
    doc.add_paragraph(f"图 {{{{r seq_field('图', {chapter}) }}}} {{{{ p.title }}}}", style="图题")
    tag(doc, "{%p endfor %}")


def attachment_pictures(doc, var: str) -> None:
    tag(doc, f"{{%p for p in {var} %}}")
    doc.add_paragraph("{{r p.image }}", style="图片")
    doc.add_paragraph("{{ p.title }}", style="图题")
    tag(doc, "{%p endfor %}")


def caption(doc, text: str) -> None:
    add_text(doc.add_paragraph(style="表题"), text)


def _cell_shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(W("w:val"), "clear")
    shd.set(W("w:color"), "auto")
    shd.set(W("w:fill"), fill)
    tcpr.append(shd)


def _row_props(row, *, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)
    if header:
        h = OxmlElement("w:tblHeader")
        trpr.append(h)


def text_width_mm(text: str) -> float:
    """Estimated printed width at 10.5 pt: full-width characters one em, others half; a Jinja tag counts as
    the four digits of a year."""
    text = _SUB.sub(r"\1", _TAG.sub("0000", text))
    return sum(CJK_CHAR_MM if ord(ch) > 0x2E7F else CJK_CHAR_MM / 2 for ch in text)


def header_lines(text: str, width_mm: float) -> list[str]:
    """A header that does not fit its column breaks before its bracket (年碳排放量 / （tCO2e）), never
    inside it."""
    inner = width_mm - 2 * CELL_MARGIN_MM
    at = text.find("（")
    if at > 0 and text_width_mm(text) > inner:
        # the bracket must fit on its line, or the table's widths need changing (checked at build time)
        assert text_width_mm(text[at:]) <= inner, f"表头“{text}”的括号部分放不进 {width_mm} mm 宽的列"
        return [text[:at], text[at:]]
    return [text]


def fit_widths(widths_mm: list[float], first_is_number: bool) -> list[float]:
    """Column widths that fill the text block exactly (WPS lays tables out by w:gridCol), keeping a 序号
    column wide enough for two characters."""
    widths = list(widths_mm)
    fixed = 13.0 if first_is_number else 0.0
    if first_is_number:
        widths[0] = fixed
    rest = sum(widths[1:]) if first_is_number else sum(widths)
    scale = (TEXT_WIDTH_MM - fixed) / rest
    start = 1 if first_is_number else 0
    widths[start:] = [round(w * scale, 2) for w in widths[start:]]
    widths[-1] = round(TEXT_WIDTH_MM - sum(widths[:-1]), 2)
    return widths


def table(doc, headers: list[str], cells: list[str], widths_mm: list[float], *, loop: str | None,
          else_cells: list[str] | None = None, left: set[int] = frozenset(), after_rows: list[list[str]] = (),
          spacer: bool = True, small: set[int] = frozenset(), keep_together: bool = False, keep_tail: int = 0):
    """A grid table: a repeated header row, then one template row repeated by `loop` (a Jinja for
    expression) with an optional `else` row for an empty list, then fixed rows. `keep_together` keeps the
    whole table on one page with what follows it. `keep_tail` (n ≥ 1): the last n rows of the list keep
    with the next row, so a 合计 row (the list's last item, or the first fixed row after it) never starts
    a page alone: the list is printed as two loops, `LIST[:-n]` and `LIST[-n:]`, the second kept."""
    n = len(headers)
    widths_mm = fit_widths(list(widths_mm), headers[0] == "序号")
    t = doc.add_table(rows=0, cols=n)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False

    def add_row(texts: list[str], *, header: bool = False, tag_row: bool = False, keep: bool = False):
        row = t.add_row()
        _row_props(row, header=header)
        for i, (c, text) in enumerate(zip(row.cells, texts, strict=True)):
            if header:
                style = "表头"
            elif tag_row:
                style = "表格文字"
            elif i in small:
                style = "表格文字小"
            else:
                style = "表格文字左" if i in left else "表格文字"
            if header:
                p = c.paragraphs[0]
                p.style = style
                for k, line in enumerate(header_lines(text, widths_mm[i])):
                    if k:
                        p.add_run().add_break()
                    add_text(p, line)
                _cell_shade(c, "E7EFE9")
                continue
            # a newline in a cell's text starts another paragraph in that cell (in the small style)
            for k, line in enumerate(text.split("\n")):
                p = c.paragraphs[0] if k == 0 else c.add_paragraph()
                p.style = style if k == 0 else "表格文字小"
                if keep_together or keep:
                    p.paragraph_format.keep_with_next = True
                if line:
                    add_text(p, line)
        return row

    add_row(headers, header=True)
    if loop and keep_tail:
        var, _, items = loop.partition(" in ")
        add_row([f"{{%tr for {var} in {items}[:-{keep_tail}] %}}"] + [""] * (n - 1), tag_row=True)
        add_row(cells)
        add_row(["{%tr endfor %}"] + [""] * (n - 1), tag_row=True)
        add_row([f"{{%tr for {var} in {items}[-{keep_tail}:] %}}"] + [""] * (n - 1), tag_row=True)
        add_row(cells, keep=True)
        if else_cells is not None:
            add_row(["{%tr else %}"] + [""] * (n - 1), tag_row=True)
            add_row(else_cells, keep=True)
        add_row(["{%tr endfor %}"] + [""] * (n - 1), tag_row=True)
    elif loop:
        add_row([f"{{%tr for {loop} %}}"] + [""] * (n - 1), tag_row=True)
        add_row(cells)
        if else_cells is not None:
            add_row(["{%tr else %}"] + [""] * (n - 1), tag_row=True)
            add_row(else_cells)
        add_row(["{%tr endfor %}"] + [""] * (n - 1), tag_row=True)
    else:
        add_row(cells)
    for extra in after_rows:
        add_row(extra)
    _finish_table(doc, t, widths_mm, spacer)
    return t


def _finish_table(doc, t, widths_mm: list[float], spacer: bool = True) -> None:
    """Explicit widths everywhere a reader looks for them: w:tblW, every w:gridCol and every w:tcW, in
    twips, adding up to the text block; WPS collapses a table that gives only w:tblW."""
    twips = [round(w * 1440 / 25.4) for w in widths_mm]
    assert sum(twips) <= TEXT_WIDTH_TWIPS + 2, (widths_mm, sum(twips))
    tblpr = t._tbl.tblPr
    tblw = tblpr.find(W("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(W("w:type"), "dxa")
    tblw.set(W("w:w"), str(sum(twips)))
    grid = t._tbl.tblGrid
    for gc, tw in zip(grid.findall(W("w:gridCol")), twips, strict=True):
        gc.set(W("w:w"), str(tw))
    from docx.table import _Cell

    for tr in t._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            c = _Cell(tc, t)
            c.width = Twips(sum(twips[col:col + span]))
            c.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            col += span
    if spacer:
        doc.add_paragraph(style="表后")  # a little air between a table and what follows


def kv_table(doc, rows: list[list[tuple[str, int, bool]]], widths_mm: list[float], *, spacer: bool = True):
    """A label/value table; each cell is (text, span, is_label). Its rows keep together, the last one not
    with what follows (which may start a page)."""
    n = len(widths_mm)
    t = doc.add_table(rows=0, cols=n)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for k, spec in enumerate(rows):
        last = k == len(rows) - 1
        row = t.add_row()
        _row_props(row)
        col = 0
        for text, span, is_label in spec:
            c = row.cells[col]
            if span > 1:
                c = c.merge(row.cells[col + span - 1])
            c.paragraphs[0].style = "表头" if is_label else "表格文字左"
            c.paragraphs[0].paragraph_format.keep_with_next = not last  # a small form stays on one page
            add_text(c.paragraphs[0], text)
            if is_label:
                _cell_shade(c, "E7EFE9")
            col += span
    _finish_table(doc, t, fit_widths(widths_mm, False), spacer)
    return t


def field(p, instruction: str, cached: str) -> None:
    """A complex field (fldChar begin/instrText/separate/cached result/end)."""
    def fld(kind: str):
        r = OxmlElement("w:r")
        fc = OxmlElement("w:fldChar")
        fc.set(W("w:fldCharType"), kind)
        if kind == "begin":
            fc.set(W("w:dirty"), "true")
        r.append(fc)
        return r

    p._p.append(fld("begin"))
    r = OxmlElement("w:r")
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instruction} "
    r.append(it)
    p._p.append(r)
    p._p.append(fld("separate"))
    run = p.add_run(cached)
    p._p.append(run._r)
    p._p.append(fld("end"))


def page_numbers(sectPr, fmt: str, start: int = 1) -> None:
    pg = sectPr.find(W("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        anchor = sectPr.find(W("w:cols"))
        if anchor is not None:
            anchor.addprevious(pg)
        else:
            sectPr.append(pg)
    pg.set(W("w:fmt"), fmt)
    pg.set(W("w:start"), str(start))


def a4(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(31.7)
    section.top_margin = section.bottom_margin = Mm(25.4)
    section.header_distance = section.footer_distance = Mm(15)


# ---- the report ------------------------------------------------------------------------------------------

STAGE_COLS = [12, 62, 22, 34, 28]


def scope_section(doc) -> None:
    """After 2.3.3: the same emissions by GHG Protocol scope (Scope 2 both ways) and by ISO 14064-1 category
    (context: core/report/scopes.py). A table only: no native chart function exists in this tree yet."""
    tag(doc, "{%p if scopes %}")
    heading(doc, "2.3.3.1 按核算范围和 ISO 14064-1 类别汇总", 4)
    para(doc, "以上排放量按排放因子的类型同时归入 GHG Protocol《企业核算与报告标准》的范围和 ISO 14064-1:2018 的类别，"
              "与六个阶段是同一次计算的不同汇总口径：燃料燃烧（含自有车辆）和制冷剂等直接逸散为范围一（ISO 类别 1），外购电力"
              "和热力为范围二（ISO 类别 2），委外运输为范围三（ISO 类别 3），外购原材料等为范围三（ISO 类别 4）。范围二按两种方法列示：位置法按"
              "电网平均排放因子计全部外购电力（含绿电），市场法将绿电计为 0、其余电量按相应因子计；合计采用市场法。"
              "{{r scopes.summary }}")
    caption(doc, "表 {{r seq_field('表', 2) }} 各阶段按核算范围的碳排放量（tCO_{2}e）")
    table(doc, ["阶段", "范围一", "范围二（位置法）", "范围二（市场法）", "范围三", "合计"],
          ["{{ r.stage }}", "{{ r.scope1 }}", "{{ r.scope2_location }}", "{{ r.scope2_market }}", "{{ r.scope3 }}",
           "{{ r.total }}"], [30, 22, 24, 24, 22, 24.6], loop="r in scopes.scope_rows", left={0}, spacer=False,
          keep_tail=2)
    para(doc, "注：合计 = 范围一 + 范围二（市场法）+ 范围三；范围二位置法仅供对照，不计入合计。生物源 CO_{2} 不计入各范围。",
         "表注")
    caption(doc, "表 {{r seq_field('表', 2) }} 各阶段按 ISO 14064-1 类别的碳排放量（tCO_{2}e）")
    table(doc, ["阶段", "类别1", "类别2", "类别3", "类别4", "类别5", "类别6", "合计"],
          ["{{ r.stage }}", *[f"{{{{ r.cats[{i}] }}}}" for i in range(6)], "{{ r.total }}"],
          [31, 16, 16, 16, 16, 16, 16, 19.6], loop="r in scopes.iso_rows", left={0},
          small={1, 2, 3, 4, 5, 6, 7}, spacer=False, keep_tail=2)
    para(doc, "注：{% for c in scopes.iso_names %}{{ c.name }}{% if not loop.last %}；{% endif %}{% endfor %}。"
              "类别2 取市场法，各类别之和即企业碳排放总量。{{r scopes.scope3_detail }}", "表注")
    tag(doc, "{%p endif %}")


def years_section(doc) -> None:
    """After the scope section: earlier years against this one (context: outputs/report/years.py), the same
    rows as the computed sheet 历年对比, and a native chart of the trend with the total targets."""
    tag(doc, "{%p if years %}")
    heading(doc, "2.3.3.2 历年碳排放对比", 4)
    para(doc, "往年数据取自企业往年的核算资料（按本年度的方法和边界重新计算，使各年可比）或企业提供的往年排放数据。"
              "{{r years.summary }}")
    caption(doc, "表 {{r seq_field('表', 2) }} 历年各阶段碳排放量（tCO_{2}e，{{ years.basis }}）")
    table(doc, ["年份", "原材料获取", "生产", "采购", "运输", "包装", "回收", "合计"],
          ["{{ r.year }}", *[f"{{{{ r.stages[{i}] }}}}" for i in range(6)], "{{ r.recalculated }}"],
          [31, 16, 16, 16, 16, 16, 16, 19.6], loop="r in years.rows", left={0},
          small={1, 2, 3, 4, 5, 6, 7}, spacer=False)
    para(doc, "注：“/”表示该年该阶段没有数据，或该年只提供了合计。", "表注")
    caption(doc, "表 {{r seq_field('表', 2) }} 历年碳排放总量与变化")
    table(doc, ["年份", "来源", "原报告排放量（tCO_{2}e）", "重算后排放量（tCO_{2}e）", "较上年变化",
                "{{r years.intensity_label }}"],
          ["{{ r.year }}", "{{ r.source }}", "{{ r.reported }}", "{{ r.recalculated }}", "{{ r.change }}",
           "{{ r.intensity }}"], [24, 34, 22, 22, 18, 26.6], loop="r in years.rows", left={0, 1}, spacer=False)
    para(doc, "注：较上年变化按重算后的口径计算；企业提供的往年数据（未附往年核算资料）无法重算，按所填数值。", "表注")
    tag(doc, "{%p if years.chart %}")
    doc.add_paragraph("{{r years.chart }}", style="图片")
    para(doc, "图 {{r seq_field('图', 2) }} 历年碳排放总量与减排目标", "图题")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def sites_and_months_section(doc) -> None:
    """After the scope tables (issue 16): totals per site when there is more than one, and the monthly chart
    of electricity and fuel when rows were given by month (context: core/report/extras.py)."""
    tag(doc, "{%p if extras.sites %}")
    heading(doc, "2.3.3.3 按场所汇总", 4)
    para(doc, "企业的活动数据按场所（厂区、工厂）填报，各场所的碳排放量如下；“场所”未填写的活动计入主厂区"
              "{% if company.address %}（{{ company.address }}）{% endif %}。")
    caption(doc, "表 {{r seq_field('表', 2) }} 各场所碳排放量（tCO_{2}e）")
    table(doc, ["场所", "原材料获取", "生产", "采购", "运输", "包装", "回收", "合计", "占比"],
          ["{{ r.site }}", *[f"{{{{ r.stages[{i}] }}}}" for i in range(6)], "{{ r.total }}", "{{ r.share }}"],
          [33, 15, 15, 12, 12, 12, 12, 18, 17.6], loop="r in extras.sites", left={0},
          small={1, 2, 3, 4, 5, 6, 7, 8}, spacer=False, keep_tail=2)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if extras.monthly_chart %}")
    para(doc, "按月填报的电力和燃料消耗（电费单、燃料发票等）对应的月度碳排放如下图，各月的消耗量记录在核算底稿中：")
    doc.add_paragraph("{{r extras.monthly_chart }}", style="图片")
    para(doc, "图 {{r seq_field('图', 2) }} {{ year }} 年月度用电和燃料碳排放", "图题")
    tag(doc, "{%p endif %}")


def quality_section(doc) -> None:
    """In 2.3.6 (issue 16): evidence per stage, then data quality and the Approach 1 uncertainty."""
    tag(doc, "{%p if extras.evidence %}")
    para(doc, "各阶段活动数据的证明材料如下（文件随填报工作簿提供；校验值为文件 SHA-256 的前 16 位，完整值记录在"
              "核算底稿中）：")
    caption(doc, "表 {{r seq_field('表', 2) }} 活动数据证明材料")
    table(doc, ["序号", "阶段", "活动", "证明材料", "SHA-256"],
          ["{{ e.no }}", "{{ e.stage }}", "{{ e.name }}", "{{ e.file }}", "{{ e.sha }}"],
          [12, 26, 28, 48, 32.6], loop="e in extras.evidence", left={2, 3}, small={4}, spacer=False)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if extras.uncertainty %}")
    heading(doc, "2.3.6.1 数据质量与不确定性", 4)
    para(doc, "{{r extras.uncertainty.text }}")
    caption(doc, "表 {{r seq_field('表', 2) }} 各阶段排放量的不确定度和数据质量")
    table(doc, ["阶段", "排放量（tCO_{2}e）", "不确定度（95%）", "实测数据占比"],
          ["{{ u.stage }}", "{{ u.tco2e }}", "{{ u.u }}", "{{ u.measured }}"],
          [40, 38, 34, 34.6], loop="u in extras.uncertainty.rows", left={0}, spacer=False, keep_tail=2)
    para(doc, "注：实测数据占比为“数据质量”填写为“实测”的活动所对应的排放量占该阶段排放量的比例。", "表注")
    tag(doc, "{%p endif %}")


def build(out: Path) -> Path:
    doc = Document()
    setup_styles(doc)
    heading_numbering(doc)
    # python-docx's blank document starts with no paragraphs; remove nothing
    sec = doc.sections[0]
    a4(sec)
    sec.different_first_page_header_footer = True
    page_numbers(sec._sectPr, "upperRoman")

    # header and footer (shared by both sections); the cover page has none
    hp = sec.header.paragraphs[0]
    hp.style = "Header"
    hp.add_run("{{ company.name }}　{{ year }} 年度绿色低碳现代数智企业评价报告")
    fp = sec.footer.paragraphs[0]
    fp.style = "Footer"
    field(fp, "PAGE", "1")

    # ---- cover
    for _ in range(3):
        doc.add_paragraph(style="封面信息")
    para(doc, "{{ company.name }}", "封面企业名称")
    para(doc, "绿色低碳现代数智企业评价报告", "封面标题")
    doc.add_paragraph(style="封面信息")
    para(doc, "报告编号：{{r cover.report_no }}", "封面信息")
    para(doc, "申请组织：{{ company.name }}", "封面信息")
    para(doc, "编制单位：{{r cover.agency_name }}", "封面信息")
    para(doc, "日　　期：{{r cover.report_date }}", "封面信息")
    for _ in range(3):
        doc.add_paragraph(style="封面信息")
    # the consultancy profile's logo above the agency's name (no line at all without one)
    tag(doc, "{%p if logo %}")
    para(doc, "{{r logo }}", "封面机构")
    tag(doc, "{%p endif %}")
    para(doc, "{{r cover.agency_name }}", "封面机构")
    # the seed's 查询网址 under the agency: from the consultancy profile's website (or 企业信息), else no line
    tag(doc, "{%p if company.website %}")
    para(doc, "查询网址：{{ company.website }}", "封面机构")
    tag(doc, "{%p endif %}")
    page_break(doc)

    # ---- information table, conclusion, table A.1, sign-off
    info = kv_table(doc, [
        [("企业名称", 1, True), ("{{ company.name }}", 1, False), ("生产经营地址", 1, True),
         ("{{ company.address }}", 1, False)],
        [("统一社会信用代码", 1, True), ("{{ company.uscc }}", 1, False), ("所属行业", 1, True),
         ("{{ company.industry }}", 1, False)],
        [("技术服务机构名称（被委托方）", 1, True), ("{{r cover.agency_name }}", 1, False), ("地址", 1, True),
         ("{{ company.agency_address }}", 1, False)],
        [("联系人", 1, True), ("{{ company.contact }}", 1, False), ("联系方式", 1, True),
         ("{{ company.phone }}", 1, False)],
        [("标准及方法学", 1, True),
         ("包括但不限于：《温室气体核算体系（GHG Protocol）：企业核算与报告标准（修订版）》；ISO 14064-1:2018"
          "《温室气体 第一部分 组织层次上对温室气体排放和清除的量化和报告的规范及指南》；《绿色物流指标构成与核算方法》"
          "（GB/T 37099）；《绿色制造 制造企业绿色供应链管理 导则》（GB/T 33635）；《绿色工厂评价通则》"
          "（GB/T 36132）等", 3, False)],
    ], [34, 43.5, 26.5, 42.6])  # the credit code on one line, addresses on two
    info.rows[4].cells[1].paragraphs[0].style = "表格文字小"  # the boilerplate list of standards in 9 pt
    # the conclusion at 1.25 lines (not the body's 1.5): with 表 A.1 and the sign-off it fills one page, as
    # in the seed, instead of leaving page II half empty
    conclusion = [
        para(doc, "报告结论：", "小标题"),
        para(doc, "{{ company.name }}委托第三方技术服务机构{{r cover.agency_name }}编制其 {{ year }} "
                  "年度绿色低碳现代数智企业评价报告，相关信息确认如下："),
        para(doc, "1）本报告已覆盖下列内容：{{ year }} 年绿色低碳现代数智企业开展情况及成效、下一步工作计划、"
                  "主要措施、信息披露等；"),
        para(doc, "2）主要指标见下表。"),
    ]
    for p in conclusion:
        p.paragraph_format.line_spacing = 1.25
    conclusion[0].paragraph_format.space_before = Pt(3)
    caption(doc, "表 {{r seq_field('表', 'A', '.') }} {{ year }} 年度绿色低碳现代数智企业评价主要指标")
    table(doc, ["序号", "清单", "单位", "数量", "占比", "备注"],
          ["{{ r.no }}", "{{ r.label }}", "{{r r.unit }}", "{{ r.value }}", "{{ r.share }}", "{{ r.note }}"],
          [13, 52, 22, 20, 18, 21.6], loop="r in summary_rows", left={1, 5}, small={5}, spacer=False,
          keep_together=True)  # 100.00% and tCO2e/万元 on one line; 备注 in 9 pt
    note = para(doc, "注：数量为企业（全厂）{{ year }} 年度排放量，单位 tCO_{2}e；单位产品碳排放强度单独列示，不计入合计。"
                     "数值经四舍五入显示；占比按最大余数法修约，合计为 100.00%。“/”表示该阶段无相关活动或数据缺失（见 2.3.5 节）。",
                "表注")
    note.paragraph_format.keep_with_next = True  # 表 A.1, its note and the sign-off block share a page
    kv_table(doc, [
        [("组长", 1, True), ("{{r cover.team_leader }}", 1, False), ("日期", 1, True),
         ("{{r cover.report_date }}", 1, False)],
        [("组员", 1, True), ("{{ company.team_members }}", 3, False)],
        [("技术复核人", 1, True), ("{{r cover.reviewer }}", 1, False), ("日期", 1, True),
         ("{{r cover.review_date }}", 1, False)],
        [("批准人", 1, True), ("{{r cover.approver }}", 1, False), ("日期", 1, True),
         ("{{r cover.approval_date }}", 1, False)],
    ], [30, 46, 24, 46.6], spacer=False)

    # ---- contents: its title starts the page (a page-break paragraph after a full page made a blank one)
    para(doc, "目　　录", "目录标题").paragraph_format.page_break_before = True
    toc = doc.add_paragraph(style="toc 1")
    field(toc, 'TOC \\o "1-4" \\h \\z \\u', "（目录将在打开文档时更新；如未更新，请右键单击此处并选择“更新域”。）")

    # ---- body: a new section whose pages count from 1
    body = doc.add_section(WD_SECTION.NEW_PAGE)
    body.different_first_page_header_footer = False
    page_numbers(body._sectPr, "decimal", 1)

    # 1 概论
    heading(doc, "1 概论", 1)
    heading(doc, "1.1 研究背景", 2)
    para(doc, "党的二十大报告提出，推动经济社会发展绿色化、低碳化是实现高质量发展的关键环节。数智化是“数字化发展+"
              "智能化升级”，是数字技术发展到人工智能技术更高阶段的产物，是数字化发展中大数据分析和处理与智能化过程中的"
              "机器学习、人工智能等智能技术的融合与应用。通过数智化补齐产业链短板，突出抓好强链延链，推动产业链高端化、"
              "智能化、绿色化发展，打造具有战略性和全局性的产业链，提升产业链完整性和综合竞争力。")
    para(doc, "实现碳达峰、碳中和，是以习近平同志为核心的党中央统筹国内国际两个大局作出的重大战略决策，是着力解决资源"
              "环境约束突出问题、实现中华民族永续发展的必然选择，是构建人类命运共同体的庄严承诺。企业践行绿色低碳数智化"
              "有助于利益相关方碳中和目标的实现。{{ company.name }}积极响应政府和采购商等利益相关方碳中和、可持续发展"
              "倡议和理念，结合企业实际践行绿色发展、绿色低碳数智化理念，现提出本项研究并编制本报告。")
    para(doc, "{{ company.name }}围绕国家碳达峰、碳中和重大战略部署，采取技术可行、经济合理的绿色低碳数智化措施；"
              "围绕碳中和、绿色发展目标，研究企业绿色低碳数智化现状及下一步工作计划，提出绿色低碳数智化目标和措施，"
              "助力政府、企业及利益相关方实现碳中和、可持续发展目标。")
    heading(doc, "1.2 研究目标", 2)
    for text in ("1、分析企业绿色低碳数智化现状及成效；",
                 "2、计算企业各主要阶段温室气体排放量，基本厘清企业碳排放家底；",
                 "3、提出企业下一步绿色低碳数智化工作计划和目标，完善绿色低碳数智化管理制度，提出绿色低碳数智化措施、"
                 "路径和建议；",
                 "4、为{{ company.name }}与采购商等利益相关方的有效沟通提供良好的途径。"):
        para(doc, text)
    heading(doc, "1.3 研究方法", 2)
    para(doc, "报告采用《绿色物流指标构成与核算方法》、《绿色制造 制造企业绿色供应链管理 导则》、《温室气体核算体系"
              "（GHG Protocol）：企业核算与报告标准（修订版）》、ISO 14064-1:2018、《工业其他行业企业温室气体排放核算"
              "方法与报告指南（试行）》规定的核算方法，计算企业原材料获取、生产、采购、运输、包装及回收各阶段的温室"
              "气体排放量。计算使用排放因子库 {{ library_edition }}，其中的排放因子取自生态环境部发布的电网排放因子、"
              "《建筑碳排放计算标准》（GB/T 51366-2019）、中国产品全生命周期温室气体排放系数库（http://lca.cityghg.com）"
              "等公开来源；企业提供的排放因子按企业注明的来源使用。每个因子的取值、来源和发布日期见 2.3.2 节的排放因子"
              "数据清单。")
    para(doc, "报告编制过程中，数据质量被认为是最重要的考虑因素之一。本次数据收集和选择的指导原则是：数据尽可能具有"
              "代表性，主要体现在生产商、技术、地域、时间等方面，主要活动数据来源于企业现场调研的初级数据。")
    para(doc, "本报告为绿色低碳现代数智企业评价报告，不是温室气体排放核查报告，不包含核查意见或符合性声明。")
    heading(doc, "1.4 核算边界", 2)
    para(doc, "组织边界：{{r org_boundary }}")
    para(doc, "覆盖范围：{{r coverage }}")
    para(doc, "时间边界：{{ year }}年1月1日至{{ year }}年12月31日")
    heading(doc, "1.5 编制依据及参考资料", 2)
    for text in (
        "1、《中共中央 国务院关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的意见》（中共中央、国务院，2021 年）；",
        "2、《2030年前碳达峰行动方案》（国务院，国发〔2021〕23号）；",
        "3、《工业领域碳达峰实施方案》（工业和信息化部、国家发展改革委、生态环境部，2022 年）；",
        "4、《关于积极推进供应链创新与应用的指导意见》（国务院办公厅）；",
        "5、《绿色物流指标构成与核算方法》（GB/T 37099）；",
        "6、《绿色制造 制造企业绿色供应链管理 导则》（GB/T 33635）；",
        "7、《绿色包装评价方法与准则》（GB/T 37422）；",
        "8、《绿色工厂评价通则》（GB/T 36132）；",
        "9、《绿色产品评价通则》（GB/T 33761）；",
        "10、《温室气体核算体系（GHG Protocol）：企业核算与报告标准（修订版）》（世界资源研究所与世界可持续发展"
        "工商理事会）；",
        "11、ISO 14064-1:2018《温室气体 第一部分 组织层次上对温室气体排放和清除的量化和报告的规范及指南》；",
        "12、ISO 14067:2018《温室气体 产品碳足迹 量化要求和指南》；",
        "13、PAS 2050:2011《商品和服务在生命周期内的温室气体排放评价规范》；",
        "14、《工业其他行业企业温室气体排放核算方法与报告指南（试行）》；",
        "15、《建筑碳排放计算标准》（GB/T 51366-2019）；",
        "16、《企事业单位碳中和实施指南》（DB11/T 1861）；",
        "17、《零碳工厂评价规范》（T/CECA-G 0171—2022）；",
        "18、《碳管理体系要求及使用指南》（T/CIECCPA 002—2022）；",
        "19、张玉. 数智化助推“三能”目标落地[J]. 企业管理，2021；",
        "20、元坤. 企业数智化，驱动商业创新[J]. 公司理财，2020；",
        "21、张良友，王鹏. 数智化转型，企业升级之路[M]. 北京：中国工信出版集团，2023；",
        "22、刘震. 数智化革命[M]. 北京：机械工业出版社，2022；",
        "23、姜宏锋，等. 数智化采购[M]. 北京：机械工业出版社，2021；",
        "24、企业绿色制造、绿色供应链、绿色包装、绿色运输等相关活动数据。",
    ):
        para(doc, text)

    # 2 开展情况及成效
    heading(doc, "2 绿色低碳现代数智企业开展情况及成效", 1)
    heading(doc, "2.1 企业概况", 2)
    heading(doc, "2.1.1 企业简介", 3)
    paras_loop(doc, "texts.profile")
    figure(doc, "fig['2_1']", 2)
    heading(doc, "2.1.2 主要产品及工艺流程", 3)
    para(doc, "1）主要产品", "小标题")
    paras_loop(doc, "texts.main_products")
    figure(doc, "fig['2_2']", 2)
    heading(doc, "2.1.2.1 企业绿色环保改造升级情况", 4)
    paras_loop(doc, "texts.env_upgrade")
    heading(doc, "2.1.2.2 企业制度及体系建设情况", 4)
    paras_loop(doc, "texts.systems")
    heading(doc, "2.1.3 企业绿色低碳建设情况", 3)
    paras_loop(doc, "texts.low_carbon")
    heading(doc, "2.1.4 企业数智化建设情况", 3)
    paras_loop(doc, "texts.digital")
    heading(doc, "2.1.5 生产工艺流程", 3)
    para(doc, "企业主要产品生产工艺流程如下图所示：")
    figure(doc, "fig['2_3']", 2)
    heading(doc, "2.1.6 生产设备清单", 3)
    caption(doc, "表 {{r seq_field('表', 2) }} 主要耗能设备一览表")
    table(doc, ["序号", "设备名称", "设备型号", "单位", "数量", "能源类型"],
          ["{{ e.no }}", "{{ e.name }}", "{{ e.model }}", "{{ e.unit }}", "{{ e.quantity }}", "{{ e.energy }}"],
          [12, 44, 32, 16, 18, 24.6], loop="e in equipment", else_cells=["/", "/", "/", "/", "/", "/"],
          left={1})
    figure(doc, "fig['2_4']", 2)

    heading(doc, "2.2 碳排放数据覆盖范围", 2)
    groups = [("2.2.1 原材料获取阶段", 0), ("2.2.2 数智化生产及采购阶段", 1),
              ("2.2.3 绿色运输、绿色包装及绿色回收", 2)]
    for title, gi in groups:
        heading(doc, title, 3)
        tag(doc, f"{{%p for s in coverage_groups[{gi}] %}}")
        tag(doc, "{%p if s.has_rows %}")
        para(doc, "本企业{{ s.long }}阶段碳排放类别及排放源见下表：")
        caption(doc, "表 {{r seq_field('表', 2) }} {{ s.long }}数据清单")
        table(doc, ["阶段", "类别", "活动/设备种类（排放源）"],
              ["{{ c.stage }}", "{{ c.type }}", "{{ c.sources }}"], [40, 36, 70.6], loop="c in s.coverage_rows",
              left={2})
        tag(doc, "{%p else %}")
        para(doc, "企业未填报{{ s.long }}阶段 {{ year }} 年度的活动数据，该阶段列为数据缺口（见 2.3.5 节），报告中以“/”表示。")
        tag(doc, "{%p endif %}")
        tag(doc, "{%p endfor %}")
    heading(doc, "2.2.4 总量", 3)
    para(doc, "企业碳排放量 = 低碳原材料获取 + 数智化生产 + 数智化采购 + 绿色运输 + 绿色包装 + 绿色回收")

    heading(doc, "2.3 温室气体排放量计算", 2)
    heading(doc, "2.3.1 计算公式", 3)
    para(doc, "1. 温室气体排放量是活动数据与排放因子的乘积：")
    p = doc.add_paragraph(style="公式")
    for text, sub in (("\tE", False), ("i", True), (" = A", False), ("i", True), (" × EF", False), ("i", True),
                      ("\t（1）", False)):
        r = p.add_run(text)
        r.font.subscript = sub or None
        r.italic = None
    para(doc, "式中：E_{i} 为第 i 种活动的二氧化碳排放量（t）；A_{i} 为第 i 种活动的活动数据（如耗电量、原材料用量），"
              "先换算为排放因子的计量单位（如 kWh 换算为 MWh）；EF_{i} 为第 i 种活动的排放因子。")
    para(doc, "2. 二氧化碳排放总量：")
    p = doc.add_paragraph(style="公式")
    for text, sub in (("\tE = ∑", False), ("i", True), (" A", False), ("i", True), (" × EF", False), ("i", True),
                      ("\t（2）", False)):
        p.add_run(text).font.subscript = sub or None
    para(doc, "3. 甲烷、氧化亚氮等其他温室气体的排放量折算为二氧化碳当量，为活动数据、排放因子与全球增温潜势的乘积：")
    p = doc.add_paragraph(style="公式")
    for text, sub in (("\tE", False), ("ij", True), (" = A", False), ("i", True), (" × EF", False), ("ij", True),
                      (" × GWP", False), ("j", True), ("\t（3）", False)):
        p.add_run(text).font.subscript = sub or None
    para(doc, "式中：E_{ij} 为第 i 种活动第 j 种温室气体的排放量（tCO_{2}e）；EF_{ij} 为第 i 种活动第 j 种温室气体的排放因子；"
              "GWP_{j} 为第 j 种温室气体的全球增温潜势。以二氧化碳当量（CO_{2}e）给出的排放因子，GWP 取 1。")
    para(doc, "4. 温室气体排放总量（二氧化碳当量）：")
    p = doc.add_paragraph(style="公式")
    for text, sub in (("\tE = ∑", False), ("i", True), (" ∑", False), ("j", True), (" A", False), ("i", True),
                      (" × EF", False), ("ij", True), (" × GWP", False), ("j", True), ("\t（4）", False)):
        p.add_run(text).font.subscript = sub or None

    heading(doc, "2.3.2 活动数据", 3)
    para(doc, "企业 {{ year }} 年度的产品产量及各阶段活动数据如下。活动数据为“/”表示数据缺失（计为 0），"
              "为“不适用”表示该排放源在核算边界之外（原因见备注）。")
    caption(doc, "表 {{r seq_field('表', 2) }} 产品产量")
    table(doc, ["序号", "产品名称", "产量（{{ year }}年）", "单位", "用于强度计算", "分配比例"],
          ["{{ p.no }}", "{{ p.name }}", "{{ p.output }}", "{{ p.unit }}", "{{ p.for_intensity }}",
           "{{ p.allocation }}"], [12, 44, 28, 18, 24, 20.6], loop="p in products",
          else_cells=["/", "/", "/", "/", "/", "/"], left={1})
    tag(doc, "{%p for s in stages_with_rows %}")
    caption(doc, "表 {{r seq_field('表', 2) }} {{ s.long }}活动数据清单")
    table(doc, ["序号", "类型", "名称", "活动数据（{{ year }}年）", "单位", "数据来源", "备注"],
          ["{{ a.no }}", "{{ a.type }}", "{{ a.name }}", "{{ a.amount }}", "{{r a.unit }}", "{{ a.source }}",
           "{{ a.note }}"], [13, 16, 21, 25, 16, 19, 36.6], loop="a in s.activity_rows", left={2, 5, 6},
          small={6})  # the 备注 column wide and small, so a long note stays a few lines
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if stages_without_rows %}")
    para(doc, "{{ stages_without_rows }}阶段未填报活动数据，列为数据缺口（见 2.3.5 节），报告中以“/”表示。")
    tag(doc, "{%p endif %}")
    para(doc, "本报告使用的排放因子见下表（均为计算中实际使用的因子）：")
    caption(doc, "表 {{r seq_field('表', 2, key='factors') }} 排放因子数据清单")
    # no library codes: they are the tool's, and the computed workbook keeps the trace
    table(doc, ["序号", "名称", "气体", "因子值", "单位", "来源", "发布日期"],
          ["{{ f.no }}", "{{ f.name }}", "{{r f.gas }}", "{{ f.value }}", "{{r f.unit }}",
           "{{ f.source }}", "{{ f.published }}"], [13, 21, 17, 16, 25, 38, 20],
          loop="f in factor_rows", else_cells=["/", "/", "/", "/", "/", "/", "/"], left={1, 5},
          small={1, 2, 3, 4, 5, 6})  # 9 pt: a value, a unit (kgCO2e/t·km) and a gas fit their columns

    heading(doc, "2.3.3 计算结果", 3)
    tag(doc, "{%p for s in stages %}")
    caption(doc, "表 {{r seq_field('表', 2) }} {{ s.long }}碳排放量表")
    table(doc, ["序号", "清单", "活动数据", "单位", "排放量（tCO_{2}e）"],
          ["{{ r.no }}", "{{ r.name }}", "{{ r.amount }}", "{{r r.unit }}", "{{ r.tco2e }}"], STAGE_COLS,
          loop="r in s.result_rows", else_cells=["1", "{{ s.long }}阶段", "/", "/", "/"], left={1},
          after_rows=[["", "合计", "", "", "{{ s.value_text }}"]], keep_tail=1)
    tag(doc, "{%p endfor %}")
    caption(doc, "表 {{r seq_field('表', 2) }} 绿色低碳现代数智企业评价主要指标")
    table(doc, ["序号", "清单", "单位", "数量", "占比", "备注"],
          ["{{ r.no }}", "{{ r.label }}", "{{r r.unit }}", "{{ r.value }}", "{{ r.share }}", "{{ r.note }}"],
          [13, 52, 22, 20, 18, 21.6], loop="r in summary_rows", left={1, 5}, small={5}, keep_together=True)
    tag(doc, "{%p if intensity_rows %}")
    para(doc, "单位产品碳排放强度按企业碳排放总量乘以该产品的分配比例、再除以该产品的产量计算，与企业（全厂）排放总量"
              "分别列示：")
    caption(doc, "表 {{r seq_field('表', 2) }} 单位产品碳排放强度")
    table(doc, ["指标", "产量", "产量单位", "分配比例", "排放强度", "单位"],
          ["{{ r.label }}", "{{ r.output }}", "{{ r.product_unit }}", "{{ r.allocation }}", "{{ r.value }}",
           "{{r r.unit }}"], [44, 20, 19, 19, 20, 24.6], loop="r in intensity_rows", left={0})
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if charts.share %}")
    doc.add_paragraph("{{r charts.share }}", style="图片")
    para(doc, "图 {{r seq_field('图', 2) }} {{ year }} 年各阶段碳排放占比", "图题")
    tag(doc, "{%p endif %}")

    scope_section(doc)
    years_section(doc)
    sites_and_months_section(doc)

    heading(doc, "2.3.4 温室气体种类及全球增温潜势", 3)
    para(doc, "本报告采用{{ gwp.name }}的 100 年全球增温潜势（GWP100），来源：{{ gwp.source }}。"
              "各温室气体的排放量及所用 GWP 取值见下表。")
    caption(doc, "表 {{r seq_field('表', 2) }} 分气体温室气体排放量")
    table(doc, ["序号", "温室气体", "GWP100", "气体排放量（t）", "排放量（tCO_{2}e）", "占比"],
          ["{{ g.no }}", "{{r g.gas }}", "{{ g.gwp }}", "{{ g.tonnes }}", "{{ g.tco2e }}", "{{ g.share }}"],
          [13, 52, 18, 23, 23, 17.6], loop="g in gas_rows", else_cells=["/", "/", "/", "/", "/", "/"], left={1},
          small={1}, spacer=False, keep_together=True)  # short: its rows and its note on one page; a blend's
    # name in 9 pt keeps 氢氟碳化物混合制冷剂 on the line of R-410A, its components on the next
    tag(doc, "{%p if has_co2e %}")
    para(doc, "注：CO_{2}e 行为以二氧化碳当量直接给出的排放因子（如原材料“摇篮到大门”排放因子）计算的排放量，已包含其涵盖"
              "的各种温室气体，不再乘以 GWP。", "表注")
    tag(doc, "{%p endif %}")
    para(doc, "{{r biogenic }}本报告未核算温室气体清除量。")

    heading(doc, "2.3.5 排除的排放源及数据缺口", 3)
    para(doc, "1）排除的排放源", "小标题")
    tag(doc, "{%p if excluded %}")
    para(doc, "以下排放源经企业确认不适用（在核算边界之外），不计入本报告排放量，原因如下：")
    caption(doc, "表 {{r seq_field('表', 2) }} 排除的排放源")
    table(doc, ["序号", "阶段", "名称", "排除原因"],
          ["{{ x.no }}", "{{ x.stage }}", "{{ x.name }}", "{{ x.reason }}"],
          [13, 30, 36, 67.6], loop="x in excluded", left={2, 3})
    tag(doc, "{%p else %}")
    para(doc, "无。核算边界内的排放源均已核算。")
    tag(doc, "{%p endif %}")
    para(doc, "2）数据缺口", "小标题")
    tag(doc, "{%p if gaps %}")
    para(doc, "以下为本报告的数据缺口：企业未能提供的活动数据（报告中以“/”表示）、按月填报时未填写的月份、未找到的证明材料"
              "和未填报活动的阶段。缺少的数据按 0 计入，补充后相应阶段的排放量可能增加：")
    caption(doc, "表 {{r seq_field('表', 2) }} 数据缺口清单")
    table(doc, ["序号", "阶段", "名称", "缺口类型", "说明"],
          ["{{ x.no }}", "{{ x.stage }}", "{{ x.name }}", "{{ x.kind }}", "{{ x.note }}"],
          [13, 26, 30, 30, 47.6], loop="x in gaps", left={2, 4})
    tag(doc, "{%p else %}")
    para(doc, "无。各项活动均有活动数据，各阶段均已填报。")
    tag(doc, "{%p endif %}")

    heading(doc, "2.3.6 数据来源", 3)
    para(doc, "活动数据来源如下：")
    caption(doc, "表 {{r seq_field('表', 2) }} 活动数据来源")
    table(doc, ["序号", "数据来源", "涉及的活动"], ["{{ d.no }}", "{{ d.source }}", "{{ d.activities }}"],
          [12, 50, 84.6], loop="d in sources", else_cells=["/", "/", "/"], left={1, 2}, keep_together=True)
    para(doc, "排放因子的取值、来源和发布日期见{{ ref('factors') }}：企业提供的排放因子按企业注明的来源使用，其余取自"
              "本次核算所安装的排放因子库 {{ library_edition }}；同一排放源有多个发布版本的（如电网平均排放因子），选用"
              "报告日期（{{r cover.report_date }}）当日或之前发布的最新版本。每项活动、每种温室气体的单位换算、所用因子与 GWP 的逐项计算过程保存在"
              "核算底稿中，可向编制单位索取。")
    quality_section(doc)

    heading(doc, "2.4 本章小结", 2)
    tag(doc, "{%p for t in summary_points %}")
    para(doc, "{{ loop.index }}、{{r t }}")
    tag(doc, "{%p endfor %}")

    # 3 工作计划
    heading(doc, "3 绿色低碳数智化工作计划", 1)
    heading(doc, "3.1 绿色低碳数智化工作目标", 2)
    para(doc, "基准年：设定为 {{ base_year }} 年。{{r base_year_source }}")
    para(doc, "基准年重新计算：当组织边界发生重大变化（如合并、收购、剥离、外包或内包），核算方法或排放因子有重大改进，"
              "或发现重大计算错误，且对基准年排放量的累计影响达到 {{ base_year_threshold }}% 及以上时，对基准年排放量进行重新计算，并在当年报告"
              "中说明原因。")
    tag(doc, "{%p if base_year_statement %}")
    para(doc, "{{r base_year_statement }}")
    tag(doc, "{%p endif %}")
    para(doc, "企业“双碳”总体目标：{{ company.name }}力争在国家碳达峰、碳中和时间表内实现自身碳达峰、碳中和，"
              "逐步实现范围 1+范围 2 碳中和，进而实现范围 1+范围 2+范围 3 碳中和；分阶段的减排目标见下文。")
    para(doc, "企业绿色低碳数智化战略管理总体目标：到 2030 年达到企业绿色低碳数智化国内先进水平；到 2050 年达到企业绿色"
              "低碳数智化国际先进水平。")
    para(doc, "减排情景：为助力政府、采购商等利益相关方碳达峰、碳中和及可持续发展目标，助力全球气候碳减排目标，"
              "{{ company.name }}参照全球 1.5 °C 温控目标情景设定减排目标。")
    para(doc, "减排目标：{{r target_summary }}")
    tag(doc, "{%p if charts.target %}")
    doc.add_paragraph("{{r charts.target }}", style="图片")
    para(doc, "图 {{r seq_field('图', 3) }} 企业碳排放总量目标路径（基准年 → 目标年）", "图题")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for t in targets %}")
    heading(doc, "3.1.{{ loop.index }} {{ t.year }} 年碳减排目标", 3)
    caption(doc, "表 {{r seq_field('表', 3) }} {{ t.year }} 年绿色低碳数智化碳减排目标")
    table(doc, ["指标", "单位", "基准年（{{ base_year }}年）", "与基准年相比减排比例", "{{ t.year }} 年目标值"],
          ["{{ r.label }}", "{{r r.unit }}", "{{ r.base }}", "{{ r.pct }}", "{{ r.target }}"],
          [54, 22, 24, 24, 22.6], loop="r in t.rows", left={0}, spacer=False, keep_together=True)
    tag(doc, "{%p if t.implied_note %}")
    para(doc, "注：{{ t.implied_note }}", "表注")
    tag(doc, "{%p else %}")
    doc.add_paragraph(style="表后")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    heading(doc, "3.2 绿色低碳数智化管理", 2)
    heading(doc, "3.2.1 机构设置", 3)
    paras_loop(doc, "texts.organisation")
    heading(doc, "3.2.2 主要职责", 3)
    paras_loop(doc, "texts.duties")

    # 4 重点工作 (template text)
    heading(doc, "4 绿色低碳数智化重点工作", 1)
    heading(doc, "4.1 绿色低碳数智化战略", 2)
    para(doc, "{{ company.name }}绿色低碳数智化战略管理的总体目标为：到 2030 年，达到企业绿色低碳数智化的国内先进水平；"
              "到 2050 年，达到企业绿色低碳数智化的国际先进水平。")
    para(doc, "{{ company.name }}将新一代信息技术与制造业的融合发展作为主线，把智能制造作为主攻方向，结合“双碳”工作规划的"
              "实施，加快推进质量变革、效率变革、动力变革，提升产业链供应链现代化水平，为实现碳达峰碳中和提供有力支撑。")
    para(doc, "企业把握数字技术、数字经济发展的战略机遇，推进智能工厂的整体架构设计，对核心装备及产线进行智能化升级，"
              "实施并集成相关信息化工具，打造数字化、智能化、网络化的制造工厂。")
    para(doc, "企业依据产业现状和碳排放驱动因素，通过统筹法、图表分析、情景分析等手段研究碳达峰和碳中和的路径，"
              "制定路线图与施工图；通过构建碳管理体系、优化能源结构、实施节能减排、提升能源利用效率等方式深入推进“双碳”"
              "工作。")
    heading(doc, "4.2 绿色供应商管理", 2)
    para(doc, "{{ company.name }}选择绿色供应商参考以下原则：")
    for text in ("1、匹配性原则：供应商的素质、规模和地位应与企业相匹配，绿色理念在企业和供应商之间应有较好的平衡，"
                 "这样建立的合作伙伴关系对绿色制造具有实际意义；",
                 "2、可比性原则：供应商之间应具有可比性，便于对多个候选供应商进行比较、选择；",
                 "3、动态性原则：供应商管理是动态的管理过程，应反映供应商潜在竞争力的变化，尤其是绿色产品创新、持续竞争力"
                 "提升、合作关系健全等方面；",
                 "4、科学实用性原则：绿色供应商的评价应科学实用，为企业所用；",
                 "5、灵活可操作性原则：企业所处的环境、供应商拥有的资源和能力在不同时期会有所不同，应兼顾灵活性和可操作性。"):
        para(doc, text)
    heading(doc, "4.3 低碳原材料获取", 2)
    para(doc, "在确保使用性能的前提下，减少不可再生自然原材料的使用，推广与研发新材料；优先选择低能耗、低污染、使用寿命长、"
              "使用过程中不产生有害物质并可回收再生产的材料。低碳原材料在生产、使用全过程实现节能减排，是可持续和面向"
              "未来的材料。")
    heading(doc, "4.4 数智化生产", 2)
    para(doc, "电能消耗是生产中的主要能源消耗之一。在今后的生产中，应优先使用绿电，对耗能设备进行更换和低碳改造，整合生产"
              "工艺，淘汰低效的工艺与设备。")
    heading(doc, "4.5 数智化采购", 2)
    para(doc, "数字化采购利用数字技术和互联网等工具简化采购流程、提高采购效率、降低采购成本。实施数字化采购可采取以下"
              "八个步骤：")
    for text in ("1、明确需求：明确所需采购的物品或服务及采购预算，同时确定供应商选择标准和合作要求；",
                 "2、设立采购平台：建立可重复使用的采购平台，实现购买请求提交、批准、订单追踪、发票管理等功能；",
                 "3、选择适当的软件：根据企业需求和规模，选用采购管理软件（如 ERP 系统）、电子招投标平台等；",
                 "4、引入智能仓储：采用智能存取系统降低库存成本，提高工作效率，使采购过程自动化；",
                 "5、确认供应商：确定参与在线招标的供应商名单，并对其进行评分，选择符合采购标准且价格合理的供应商；",
                 "6、培训员工：培训采购平台使用人员，提高其信息技术和数据分析技能；",
                 "7、设计采购流程：将各环节的流程规范录入数字化采购系统，并制定流程说明文件，方便日常参考和操作；",
                 "8、实施数字化采购：以平台为核心统一管理采购流程，通过监控和数据分析持续优化采购策略。"):
        para(doc, text)
    heading(doc, "4.6 绿色运输、绿色包装、绿色回收", 2)
    para(doc, "1、绿色运输：以节约能源、减少废气排放为特征的运输。实施途径包括：合理选择运输工具和运输路线，避免迂回运输和"
              "重复运输；改进内燃机技术和使用清洁能源；防止运输过程中的泄漏；推广绿色低碳运输工具，发展多式联运和共同"
              "配送，建立信息网络。")
    para(doc, "2、绿色包装：包装从原料选择、制造到使用和废弃的整个生命周期均应符合生态环境保护的要求，应从绿色包装材料、"
              "包装设计和绿色包装产业三方面入手。绿色包装材料应选择可重复使用和可再生的材料、可降解材料、纸材料等。")
    para(doc, "3、绿色回收：产品报废后，对产品和零部件进行回收处理，使其得到循环使用或再生利用，以减少环境污染、提高资源"
              "利用率；回收过程应优先采用碳足迹较小的回收设备。")
    heading(doc, "4.7 绿色低碳信息平台建设", 2)
    para(doc, "搭建绿色低碳信息平台，融合碳盘查、碳减排、碳交易、碳金融等功能模块，应用物联网、大数据、区块链等数字技术，"
              "满足企业多样化的碳管理需求，助力企业制定低碳路线、开展降碳减排、管理碳资产。")
    heading(doc, "4.8 本章小结", 2)
    para(doc, "为实现绿色低碳数智化，本章从绿色供应商、低碳原材料获取、数智化生产、数智化采购、绿色运输、绿色包装、"
              "绿色回收和绿色低碳信息平台建设等方面进行了分析。{{ company.name }}将在今后的生产中坚持环保理念，在生产"
              "全过程中减少碳排放，为实现碳达峰、碳中和目标贡献力量。")

    # 5 信息披露
    heading(doc, "5 绿色低碳数智化信息披露", 1)
    heading(doc, "5.1 披露方式", 2)
    paras_loop(doc, "texts.disclosure_method")
    heading(doc, "5.2 披露时间", 2)
    paras_loop(doc, "texts.disclosure_time")
    heading(doc, "5.3 负责机构", 2)
    paras_loop(doc, "texts.disclosure_body")

    # 6 评价结论和建议 (the consultant's own words only)
    heading(doc, "6 评价结论和建议", 1)
    heading(doc, "6.1 评价结论", 2)
    paras_loop(doc, "texts.conclusion")
    heading(doc, "6.2 建议", 2)
    paras_loop(doc, "texts.advice")

    # 参考文献 (template text)
    heading(doc, "参考文献", 1)
    for text in (
        "[1] BSI. The Guide to PAS 2050: How to carbon footprint your products, identify hotspots and reduce "
        "emissions in your supply chain[S]. London: BSI, 2008.",
        "[2] Product Carbon Footprint Memorandum: Position statement on measurement and communication of the "
        "product carbon footprint for international standardization and harmonization purposes[R]. Berlin, 2009.",
        "[3] ISO 14067:2018 Greenhouse gases — Carbon footprint of products — Requirements and guidelines for "
        "quantification[S]. Geneva: International Organization for Standardization, 2018.",
        "[4] ISO 14064-1:2018 Greenhouse gases — Part 1: Specification with guidance at the organization level for "
        "quantification and reporting of greenhouse gas emissions and removals[S]. Geneva: International "
        "Organization for Standardization, 2018.",
        "[5] 张玉. 数智化助推“三能”目标落地[J]. 企业管理，2021.",
        "[6] 元坤. 企业数智化，驱动商业创新[J]. 公司理财，2020.",
        "[7] 张良友，王鹏. 数智化转型，企业升级之路[M]. 北京：中国工信出版集团，2023.",
        "[8] 刘震. 数智化革命[M]. 北京：机械工业出版社，2022.",
        "[9] 姜宏锋，等. 数智化采购[M]. 北京：机械工业出版社，2021.",
        "[10] 《绿色物流指标构成与核算方法》（GB/T 37099）.",
        "[11] 《绿色制造 制造企业绿色供应链管理 导则》（GB/T 33635）.",
        "[12] 《绿色包装评价方法与准则》（GB/T 37422）.",
        "[13] 《绿色工厂评价通则》（GB/T 36132）.",
        "[14] 《绿色产品评价通则》（GB/T 33761）.",
        "[15] 世界资源研究所，世界可持续发展工商理事会. 温室气体核算体系：企业核算与报告标准（修订版）.",
        "[16] 《企事业单位碳中和实施指南》（DB11/T 1861）.",
        "[17] IPCC. Global Warming of 1.5 °C: An IPCC Special Report[R]. Geneva: IPCC, 2018.",
        "[18] IPCC. Climate Change 2021: The Physical Science Basis. Contribution of Working Group I to the Sixth "
        "Assessment Report[R]. Cambridge University Press, 2021.",
    ):
        para(doc, text, "参考文献")

    # attachments
    heading(doc, "附件 1：企业营业执照", 1)
    attachment_pictures(doc, "att['1']")
    heading(doc, "附件 2：企业碳减排技术清单", 1)
    caption(doc, "附表 {{r seq_field('附表', 2) }} 企业碳减排技术清单")
    table(doc, ["序号", "清单", "{{ year }} 年碳排放量（tCO_{2}e）", "碳减排技术措施", "年均减排比例", "投资估算（万元）",
                "备注"],
          ["{{ m.no }}", "{{ m.stage }}", "{{ m.emissions }}", "{{ m.measure }}", "{{ m.rate }}",
           "{{ m.investment }}", "{{ m.note }}"], [13, 23, 22, 37, 15, 19, 17.6], loop="m in measures",
          else_cells=["/", "/", "/", "/", "/", "/", "/"], left={1, 3, 6}, small={3, 6}, keep_tail=1,
          after_rows=[["{%tr if measures_total %}", "", "", "", "", "", ""],
                      ["{{ measures_total.no }}", "{{ measures_total.stage }}", "{{ measures_total.emissions }}", "",
                       "", "{{ measures_total.investment }}", ""],
                      ["{%tr endif %}", "", "", "", "", "", ""]])
    heading(doc, "附件 3：产品碳足迹、绿色证书", 1)
    attachment_pictures(doc, "att['3']")
    tag(doc, "{%p for a in extra %}")
    heading(doc, "{{ a.heading }}", 1)
    attachment_pictures(doc, "a['items']")
    tag(doc, "{%p endfor %}")

    keep_intros_with_tables(doc)

    # the body section shares the header/footer; its last sectPr is the body's
    a4(doc.sections[-1])
    doc.sections[-1].different_first_page_header_footer = False
    page_numbers(doc.sections[-1]._sectPr, "decimal", 1)

    settings = doc.settings.element
    if settings.find(W("w:updateFields")) is None:
        uf = OxmlElement("w:updateFields")
        uf.set(W("w:val"), "true")
        anchor = None
        for name in ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat"):
            anchor = settings.find(W(name))
            if anchor is not None:
                break
        if anchor is not None:
            anchor.addprevious(uf)
        else:
            settings.append(uf)

    props = doc.core_properties
    props.title = "绿色低碳现代数智企业评价报告（模板）"
    props.author = "carbon-report"
    props.comments = "报告模板：可在 Word 中修改文字、字体、徽标；标签说明见 docs/report.md"
    props.language = "zh-CN"
    props.revision = 1
    import datetime as dt

    fixed = dt.datetime(2024, 1, 1)
    props.created = props.modified = fixed
    props.last_modified_by = "carbon-report"

    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    doc.save(buf)
    out.write_bytes(_fixed_zip_times(buf.getvalue()))
    return out


def keep_intros_with_tables(doc) -> None:
    """A sentence that announces a table or figure (ends in "：", or is a {%p …%} tag line before a caption)
    keeps with it, so "活动数据来源如下：" never ends a page whose table starts the next."""
    body = doc.element.body
    paras = [el for el in body.iterchildren() if el.tag == W("w:p")]
    styles = {"TableCaption", "FigureCaption", "Figure"}

    def style_of(p) -> str:
        ppr = p.find(W("w:pPr"))
        st = ppr.find(W("w:pStyle")) if ppr is not None else None
        return st.get(W("w:val")) if st is not None else ""

    def text_of(p) -> str:
        return "".join(t.text or "" for t in p.iter(W("w:t"))).strip()

    for p, nxt in zip(paras, paras[1:], strict=False):
        if p.getnext() is nxt and text_of(p).endswith("：") and style_of(nxt) in styles:
            from docx.text.paragraph import Paragraph

            Paragraph(p, None).paragraph_format.keep_with_next = True


def _fixed_zip_times(data: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01, so two builds are byte-identical, and no theme
    font left anywhere."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "word/stylesWithEffects.xml":
                continue  # Word 2010's stale 430 KB copy of the styles: Word rebuilds it, nobody reads it
            data = _clean_part(info.filename, src.read(info.filename))
            dst.writestr(fixed, data)
    return out.getvalue()


# fontTable entries for the two Chinese fonts the styles use (panose and charset 86 = GB2312, as Word writes)
_CJK_FONTS = {
    "ＭＳ 明朝": (SONG, "02010600030101010101", "roman"),
    "ＭＳ ゴシック": (HEI, "02010609060101010101", "modern"),
}


def _clean_part(name: str, data: bytes) -> bytes:
    """python-docx's default template is a Japanese Mac Word 2010 document: its theme and font table name
    MS 明朝/ゴシック (WPS asks for them), its app.xml claims "Microsoft Macintosh Word", its settings say Word
    2010 (compatibilityMode 14, [兼容模式] in Word's title bar). This leaves a Chinese, honest base."""
    if name == "word/theme/theme1.xml":
        data = re.sub(rb'<a:font script="Jpan" typeface="[^"]*"/>', b"", data)
        major, _, minor = data.partition(b"</a:majorFont>")
        major = major.replace('<a:font script="Hans" typeface="宋体"/>'.encode(),
                              f'<a:font script="Hans" typeface="{HEI}"/>'.encode())
        data = major + b"</a:majorFont>" + minor
    elif name == "word/fontTable.xml":
        for old, (new, panose, family) in _CJK_FONTS.items():
            block = re.compile(f'<w:font w:name="{old}">.*?</w:font>'.encode(), re.S)
            data = block.sub(
                f'<w:font w:name="{new}"><w:altName w:val="{"SimSun" if new == SONG else "SimHei"}"/>'
                f'<w:panose1 w:val="{panose}"/><w:charset w:val="86"/><w:family w:val="{family}"/>'
                '<w:pitch w:val="variable"/><w:sig w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" '
                'w:usb3="00000000" w:csb0="00040001" w:csb1="00000000"/></w:font>'.encode(), data)
    elif name == "docProps/app.xml":
        data = data.replace(b"<Application>Microsoft Macintosh Word</Application>",
                            b"<Application>carbon-report</Application>")
        data = re.sub(rb"\s*<AppVersion>[^<]*</AppVersion>", b"", data)
    elif name == "word/settings.xml":
        data = data.replace(b'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="14"',
                            b'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"')
    elif name == "[Content_Types].xml":
        data = re.sub(rb'<Override PartName="/word/stylesWithEffects.xml"[^>]*/>', b"", data)
    elif name == "word/_rels/document.xml.rels":
        data = re.sub(rb'<Relationship [^>]*Target="stylesWithEffects.xml"/>', b"", data)
    return data


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    build(out)
    print(f"已生成报告模板：{out}")
    if out == DEFAULT_OUT:
        PACKAGE_COPY.write_bytes(out.read_bytes())
        print(f"已复制到：{PACKAGE_COPY}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
