"""The report context is a documented type: docs/report.md lists every view and every field, the code has
exactly those, each of them can be read from a template, and none can be changed."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path
from types import MappingProxyType

import pytest

from carbon_report.core.report.charts import ChartSpec
from carbon_report.core.report.text import Text
from carbon_report.core.report.views import ReportView
from carbon_report.outputs.report.context import CONTEXT_VIEWS, Picture, ReportContext, build_context
from carbon_report.outputs.report.render import render_bytes
from report_fixtures import calc, seed_intake

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "report.md"


def documented() -> dict[str, set[str]]:
    """View name → field names, as docs/report.md lists them: a `#### \\`View\\`` section's table (first
    column), or a row of the tables of rows and other views (the back-quoted names of the second column that
    are not inside （…））."""
    text = DOC.read_text("utf-8")
    section = text[text.index("### 模板可用的数据"):]
    section = section[:section.index("\n### ", 10)]
    out: dict[str, set[str]] = {}
    current = None
    for line in section.splitlines():
        if line.startswith("#### "):
            m = re.match(r"#### `(\w+)`", line)
            current = m.group(1) if m else None
            if current:
                out[current] = set()
            continue
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        first = re.match(r"`(\w+)`", cells[0]).group(1)
        if current in ("ReportContext", "CompanyView", "CoverView", "TextsView", "StageView") and \
                not re.match(r"`\w+`（", cells[0]):
            out[current].add(first)
        else:  # a row naming a view: its fields in the second column
            outside = re.sub(r"（[^（）]*）", "", re.sub(r"（[^（）]*）", "", cells[1]))
            out[first] = set(re.findall(r"`(\w+)`", outside))
    return out


def test_docs_list_every_view_and_exactly_its_fields() -> None:
    docs = documented()
    code = {cls.__name__: {f.name for f in dataclasses.fields(cls)} for cls in CONTEXT_VIEWS
            if cls is not ReportView}  # documented as part of ReportContext, which extends it
    code["ReportContext"].add("ref")  # the template's ref() is seq.ref (ReportContext.names)
    assert set(docs) == set(code)
    for name in code:
        assert docs[name] == code[name], name


def test_the_company_view_has_every_label_of_the_intake_contract() -> None:
    """A label added to 企业信息 (contract.LABELS) must be added to CompanyView (and so to docs/report.md); so
    must a company field only the consultancy profile fills (core/profile.py: website)."""
    from carbon_report.core.contract import LABELS
    from carbon_report.core.profile import PROFILE_KEYS
    from carbon_report.core.report.views import CompanyView

    profile_only = {k.company_key for k in PROFILE_KEYS if k.company_key} - {lab.key for lab in LABELS}
    assert profile_only == {"website"}
    assert {lab.key for lab in LABELS} | profile_only == {f.name for f in dataclasses.fields(CompanyView)}


# ---- every field readable from a template ----------------------------------------------------------------


def leaves(obj: object, path: str, seen: set[type]) -> list[tuple[str, object]]:
    """One Jinja expression per field of every view class reachable from `obj` (the first instance of each
    class met), with its value."""
    out = []
    if dataclasses.is_dataclass(obj) and type(obj) in CONTEXT_VIEWS:
        if type(obj) in seen:
            return []
        seen.add(type(obj))
        for f in dataclasses.fields(obj):
            if f.name == "seq":
                continue
            out += leaves(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name, seen)
        return out
    if isinstance(obj, tuple) and obj:
        return [(path, obj)] + leaves(obj[0], f"{path}[0]", seen)
    if isinstance(obj, MappingProxyType):
        return [(path, obj)] + [x for k, v in obj.items() for x in leaves(v, f"{path}[{k!r}]", seen)]
    return [(path, obj)]


def template_with(tmp_path: Path, paragraphs: list[str]) -> Path:
    out = tmp_path / "all_fields.docx"
    src = ROOT / "workbook_templates" / "report_template.docx"
    with zipfile.ZipFile(src) as z_in, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z_out:
        for info in z_in.infolist():
            data = z_in.read(info.filename)
            if info.filename == "word/document.xml":
                paras = "".join(p for p in paragraphs).encode()
                data = data.replace(b"</w:body>", paras + b"</w:body>")
            z_out.writestr(info, data)
    return out


def test_every_field_of_every_view_prints_from_a_template(tmp_path: Path) -> None:
    from PIL import Image

    from carbon_report.core.model import HistoryRow
    from carbon_report.core.model import Picture as PictureRow

    Image.new("RGB", (200, 100), "green").save(tmp_path / "厂区.png")
    intake = seed_intake(base_year=2022, history=(HistoryRow(2022, None, 3000.0, 2),),
                         pictures=(PictureRow("图2-1 企业概貌", "厂区", "厂区.png", 2),
                                   PictureRow("图5-1 其他", "", "厂区.png", 3)))
    ctx = build_context(intake, calc(intake), [], workbook_dir=tmp_path)
    found = leaves(ctx, "", set())
    classes = {type(v) for _, v in found}
    assert {Text, Picture, ChartSpec, MappingProxyType, tuple} <= classes
    paras = []
    for path, value in found:
        tag = f"{{{{r {path} }}}}" if isinstance(value, Text | Picture | ChartSpec) else f"{{{{ {path} }}}}"
        wrap = (f"<w:p><w:r><w:t>[{path}]</w:t></w:r><w:r><w:t xml:space=\"preserve\">{tag}</w:t></w:r></w:p>"
                .replace("'", "&apos;"))
        paras.append(wrap)
    tpl = template_with(tmp_path, paras)
    data, rendered = render_bytes(intake, calc(intake), [], workbook_dir=tmp_path, template=tpl)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        body = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode())
    assert len(found) > 150
    for path, value in found:
        if isinstance(value, str) and value and not set(value) & set("&<\n\t\r"):
            assert f"[{path}]{value}" in body, path
    assert isinstance(rendered, ReportContext)


# ---- frozen ----------------------------------------------------------------------------------------------


def test_views_cannot_be_changed(tmp_path: Path) -> None:
    intake = seed_intake()
    ctx = build_context(intake, calc(intake), [], workbook_dir=tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.company.name = "别的公司"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.stages[0].value_text = "0"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ctx.stage["production"] = ctx.stages[0]  # type: ignore[index]
    with pytest.raises(TypeError):
        ctx.fig["2_1"] = ()  # type: ignore[index]
    for cls in CONTEXT_VIEWS:
        assert cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
