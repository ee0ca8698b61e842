"""The report template is prepared once per process (read, patched and compiled): the reports made from the
prepared template are the ones plain docxtpl makes, byte for byte, and an edited template is picked up."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import jinja2
import pytest
from docx import Document
from docxtpl import DocxTemplate
from PIL import Image

from carbon_report.core.model import Picture
from carbon_report.outputs.report.context import build_context
from carbon_report.outputs.report.render import default_template, finalize, render_bytes, rendering
from report_fixtures import calc, seed_intake


def plain_docxtpl(intake, workbook_dir: Path, template: Path) -> bytes:
    """The same report through docxtpl as documented: a fresh DocxTemplate from the file, a fresh Jinja
    environment, nothing prepared or cached."""
    tpl = DocxTemplate(str(template))
    tpl.init_docx()  # charts are parts of the document, added before rendering

    context = build_context(intake, calc(intake), [], workbook_dir=workbook_dir,
                            library_version=intake.library_version)
    # plain Jinja, unsandboxed, with only the product's printing of texts, pictures and charts
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, finalize=finalize)
    with rendering(tpl, context):  # pictures and charts go into this document
        tpl.render(context.names(), env, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def xml_parts(data: bytes) -> dict[str, bytes]:
    """The body, headers, footers and their relationships: what the template fills."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()
                if n == "word/document.xml" or n.startswith(("word/header", "word/footer", "word/_rels/"))}


@pytest.fixture()
def intakes(tmp_path):
    Image.new("RGB", (1600, 900), (30, 120, 60)).save(tmp_path / "factory.png")
    pics = (Picture("图2-1 企业概貌", "厂区全景", "factory.png", 5), Picture("图2-4 设备照片", "", "missing.png", 6))
    return [
        seed_intake(),
        # markup characters, and tabs and line breaks that docxtpl turns into <w:tab/> and <w:br/>
        seed_intake(name='A&B <河南> "引号" 公司', pictures=pics,
                    texts={"address": "第一行\n第二行\t制表 R&D <核心>", "conclusion": "结论一\n结论二"}),
    ]


def test_prepared_template_gives_plain_docxtpl_bytes(tmp_path, intakes):
    template = default_template()
    for intake in intakes:
        expected = xml_parts(plain_docxtpl(intake, tmp_path, template))
        for _ in range(2):  # the first report prepares the template, the second uses it as prepared
            data, _ = render_bytes(intake, calc(intake), [], workbook_dir=tmp_path, template=template,
                                   library_version=intake.library_version)
            got = xml_parts(data)
            assert got.keys() == expected.keys()
            for name in expected:
                assert got[name] == expected[name], name


def test_line_breaks_and_tabs_still_become_word_breaks(tmp_path, intakes):
    data, _ = render_bytes(intakes[1], calc(intakes[1]), [], workbook_dir=tmp_path, library_version="2026.1")
    body = xml_parts(data)["word/document.xml"].decode("utf-8")
    assert "第一行</w:t><w:br/>" in body
    assert "<w:tab/>" in body
    assert "制表 R&amp;D &lt;核心&gt;</w:t>" in body  # the text after the tab, escaped once


def edit_template(src: Path, dest: Path, old: str, new: str) -> None:
    """A copy of the template with one piece of its text changed, as a consultant would edit it."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert old in text
                data = text.replace(old, new, 1).encode("utf-8")
            zout.writestr(item, data)


def test_an_edited_template_is_used_for_the_next_report(tmp_path):
    intake = seed_intake()
    own = tmp_path / "own.docx"
    shutil.copyfile(default_template(), own)
    first, _ = render_bytes(intake, calc(intake), [], workbook_dir=tmp_path, template=own)
    assert "修改后的报告标题文字" not in "\n".join(p.text for p in Document(io.BytesIO(first)).paragraphs)

    edited = tmp_path / "edited.docx"
    edit_template(own, edited, "评价报告", "修改后的报告标题文字")
    edited.replace(own)  # same path, new content
    second, _ = render_bytes(intake, calc(intake), [], workbook_dir=tmp_path, template=own)
    assert "修改后的报告标题文字" in "\n".join(p.text for p in Document(io.BytesIO(second)).paragraphs)


def test_a_template_whose_table_docxtpl_must_fix_gives_plain_docxtpl_bytes(tmp_path):
    # a consultant's template with one grid column missing from a table: docxtpl's fix_tables adds it back
    own = tmp_path / "own.docx"
    with zipfile.ZipFile(default_template()) as z:
        body = z.read("word/document.xml").decode("utf-8")
    first_col = body[body.index("<w:gridCol "):body.index("/>", body.index("<w:gridCol ")) + 2]
    edit_template(default_template(), own, first_col, "")
    intake = seed_intake()
    expected = xml_parts(plain_docxtpl(intake, tmp_path, own))
    data, _ = render_bytes(intake, calc(intake), [], workbook_dir=tmp_path, template=own)
    assert xml_parts(data) == expected
    rendered = expected["word/document.xml"].decode("utf-8")

    def first_grid(xml: str) -> int:
        return xml[xml.index("<w:tblGrid>"):xml.index("</w:tblGrid>")].count("<w:gridCol ")

    assert first_grid(rendered) == first_grid(body)  # the missing column was added back
