"""Word-native numbering and fields (issue 26, item 4): what a consultant checks by opening the .docx in
Word or WPS — captions that renumber, headings numbered by the heading list, a clean Chinese base package.
Read back from the XML, the expected numbers counted here by hand."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from carbon_report.outputs.report.render import default_template, render_bytes
from carbon_report.outputs.report.toc import TocEntry, fill_toc
from report_fixtures import calc, seed_intake

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = [default_template(), ROOT / "workbook_templates" / "report_template.docx"]


def _xml(data: bytes, name: str):
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> bytes:
    intake = seed_intake()
    data, _ = render_bytes(intake, calc(intake), [], workbook_dir=tmp_path_factory.mktemp("seed"))
    return data


def _style(p) -> str:
    st = p.find(f"{W}pPr/{W}pStyle")
    return st.get(f"{W}val") if st is not None else ""


def _shown(p) -> str:
    """The paragraph as an office program shows it without updating fields: text plus cached results."""
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def _instructions(p) -> list[str]:
    return [" ".join("".join(t.text or "" for t in r.iter(f"{W}instrText")).split())
            for r in p.iter(f"{W}r") if r.find(f"{W}instrText") is not None]


@pytest.mark.parametrize("template", TEMPLATES, ids=["package", "workbook_templates"])
def test_clean_chinese_base_package(template: Path):
    with zipfile.ZipFile(template) as z:
        names = z.namelist()
        assert "word/stylesWithEffects.xml" not in names
        for part in ("word/theme/theme1.xml", "word/fontTable.xml", "word/styles.xml", "[Content_Types].xml",
                     "word/_rels/document.xml.rels"):
            text = z.read(part).decode("utf-8")
            assert "明朝" not in text and "ゴシック" not in text and "stylesWithEffects" not in text, part
        fonts = etree.fromstring(z.read("word/fontTable.xml"))
        declared = {f.get(f"{W}name") for f in fonts.iter(f"{W}font")}
        assert {"宋体", "黑体"} <= declared
        app = z.read("docProps/app.xml").decode("utf-8")
        assert "Microsoft" not in app and "Macintosh" not in app
        settings = z.read("word/settings.xml").decode("utf-8")
        assert re.search(r'w:name="compatibilityMode"[^>]*w:val="15"', settings)
    with zipfile.ZipFile(template) as z:
        doc = etree.fromstring(z.read("word/document.xml"))
    toc = [i for p in doc.iter(f"{W}p") for i in _instructions(p) if i.startswith("TOC")]
    assert len(toc) == 1 and "\\h" in toc[0].split()


def test_headings_numbered_by_a_list_linked_to_heading_styles():
    with zipfile.ZipFile(default_template()) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
        numbering = etree.fromstring(z.read("word/numbering.xml"))
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    abstract_of = {n.get(f"{W}numId"): n.find(f"{W}abstractNumId").get(f"{W}val")
                   for n in numbering.iter(f"{W}num")}
    abstracts = {a.get(f"{W}abstractNumId"): a for a in numbering.iter(f"{W}abstractNum")}
    num_ids = set()
    for level in (1, 2, 3, 4):
        num_pr = by_id[f"Heading{level}"].find(f"{W}pPr/{W}numPr")
        assert num_pr is not None, f"Heading{level} has no list"
        assert num_pr.find(f"{W}ilvl").get(f"{W}val") == str(level - 1)
        num_ids.add(num_pr.find(f"{W}numId").get(f"{W}val"))
    assert len(num_ids) == 1  # one list for all levels: 2.3.5 continues 2.3
    abstract = abstracts[abstract_of[num_ids.pop()]]
    levels = {lv.get(f"{W}ilvl"): lv for lv in abstract.iter(f"{W}lvl")}
    expected_text = {0: "%1", 1: "%1.%2", 2: "%1.%2.%3", 3: "%1.%2.%3.%4"}
    for ilvl, text in expected_text.items():
        lvl = levels[str(ilvl)]
        assert lvl.find(f"{W}pStyle").get(f"{W}val") == f"Heading{ilvl + 1}"  # linked both ways
        assert lvl.find(f"{W}lvlText").get(f"{W}val") == text
        assert lvl.find(f"{W}numFmt").get(f"{W}val") == "decimal"


def test_heading_text_carries_no_literal_number_and_added_sections_are_headings(rendered):
    doc = _xml(rendered, "word/document.xml")
    headings = [(_style(p), _shown(p)) for p in doc.iter(f"{W}p") if _style(p).startswith("Heading")]
    texts = [t for _, t in headings]
    assert ("Heading1", "概论") in headings
    assert ("Heading3", "排除的排放源及数据缺口") in headings
    assert not [t for t in texts if re.match(r"^\d{1,2}(\.\d{1,2})* ", t)]
    # the sections added since the seed are numbered headings (so in the 目录), not bold paragraphs
    assert ("Heading4", "按核算范围和 ISO 14064-1 类别汇总") in headings
    # unnumbered headings opt out of the list
    refs = [p for p in doc.iter(f"{W}p") if _shown(p) == "参考文献"]
    assert refs and refs[0].find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") == "0"
    # 2.3.5 is the 5th Heading3 after the 3rd Heading2 of the 2nd chapter: count as Word does
    counters = [0, 0, 0, 0]
    numbered = {}
    for p in doc.iter(f"{W}p"):
        st = _style(p)
        if not st.startswith("Heading") or p.find(f"{W}pPr/{W}numPr") is not None:
            continue
        level = int(st[-1])
        counters[level - 1] += 1
        counters[level:] = [0] * (4 - level)
        numbered[_shown(p)] = ".".join(str(c) for c in counters[:level])
    assert numbered["概论"] == "1"
    assert numbered["排除的排放源及数据缺口"] == "2.3.5"
    assert numbered["本章小结"] in {"2.4", "4.8"}


def test_captions_are_seq_fields_with_cached_numbers(rendered):
    doc = _xml(rendered, "word/document.xml")
    captions = [p for p in doc.iter(f"{W}p") if _style(p) in {"TableCaption", "FigureCaption"}
                and _instructions(p)]
    assert len(captions) > 20
    seen: dict[str, int] = {}
    for p in captions:
        shown = _shown(p)
        instr = [i for i in _instructions(p) if i.startswith("SEQ")]
        assert len(instr) == 1, shown
        m = re.match(r"^(表|图|附表) (A|\d+)([.-])(\d+) ", shown)
        assert m, shown
        kind, chapter, _, count = m.groups()
        assert instr[0].split()[1] == f"{kind}{chapter}"  # one sequence per chapter, as numbered
        if chapter.isdigit() and kind != "附表":
            assert "STYLEREF 1 \\s" in _instructions(p)  # the chapter from the heading list
        key = f"{kind}{chapter}"
        seen[key] = seen.get(key, 0) + 1
        assert int(count) == seen[key], shown  # 1, 2, 3 … in document order, cached
    assert seen["表A"] == 1
    assert seen["表2"] >= 10


def test_update_fields_only_while_the_contents_are_not_filled(rendered):
    settings = _xml(rendered, "word/settings.xml")
    assert settings.find(f"{W}updateFields").get(f"{W}val") == "true"
    filled = fill_toc(rendered, [TocEntry(1, "1 概论", "1"), TocEntry(2, "1.1 研究背景", "1"),
                                 TocEntry(3, "2.3.5 排除的排放源及数据缺口", "14")])
    assert filled is not None
    assert _xml(filled, "word/settings.xml").find(f"{W}updateFields") is None
    doc = _xml(filled, "word/document.xml")
    links = list(doc.iter(f"{W}hyperlink"))
    assert len(links) == 3
    marks = {b.get(f"{W}name"): b.getparent() for b in doc.iter(f"{W}bookmarkStart")}
    targets = [_shown(marks[a.get(f"{W}anchor")]) for a in links]
    assert targets == ["概论", "研究背景", "排除的排放源及数据缺口"]
    assert [_shown(a) for a in links][0] == "1 概论1"
