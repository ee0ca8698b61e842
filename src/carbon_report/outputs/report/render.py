"""docxtpl rendering: template + context → a stamped .docx written atomically."""

from __future__ import annotations

import hashlib
import io
from functools import cache
from pathlib import Path
from typing import Any

from carbon_report.core.errors import TemplateError
from carbon_report.core.model import Finding, Intake, Result
from carbon_report.outputs.report.charts import ChartRun, ChartSpec, add_chart
from carbon_report.outputs.report.context import Sequence, build_context
from carbon_report.outputs.report.fingerprint import stamp, write_atomic
from carbon_report.outputs.report.scopes import scope_context

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# CT_Settings children that must follow <w:updateFields> (schema order)
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                        "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                        "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                        "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                        "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


class ImageRun:
    """An InlineImage as a whole run, for `{{r … }}` tags, so a picture and a highlighted placeholder can sit
    in the same template paragraph."""

    _OPEN = "</w:t></w:r>"
    _CLOSE = '<w:r><w:t xml:space="preserve">'

    def __init__(self, inline: Any):
        self.inline = inline

    def __html__(self) -> str:
        xml = self.inline._insert_image()
        if xml.startswith(self._OPEN):
            xml = xml[len(self._OPEN):]
        if xml.endswith(self._CLOSE):
            xml = xml[: -len(self._CLOSE)]
        return xml

    __str__ = __html__


def default_template() -> Path:
    """workbook_templates/report_template.docx of the source tree (or a copy packaged beside this module)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[4] / "workbook_templates" / "report_template.docx",
                      here.with_name("report_template.docx")):
        if candidate.is_file():
            return candidate
    raise TemplateError("未找到报告模板 workbook_templates/report_template.docx，"
                        "请用 --report-template 指定模板文件。")


def _strict_template_class():
    from docxtpl import DocxTemplate
    from lxml import etree

    class StrictTemplate(DocxTemplate):
        """docxtpl parses the rendered body with recover=True, which silently drops everything after an XML
        error; parse strictly first so a broken render fails loudly instead."""

        def fix_tables(self, xml):
            try:
                etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
            except etree.XMLSyntaxError as exc:
                raise TemplateError(f"报告模板渲染后的 XML 无效（{exc}），请检查模板中的标签。") from exc
            return super().fix_tables(xml)

    return StrictTemplate


@cache
def _environment() -> Any:
    """One Jinja environment per process that compiles each template part once: a batch renders the same
    template for every workbook, and compiling it was about a fifth of a report's time."""
    import jinja2

    class CachingEnvironment(jinja2.Environment):
        def from_string(self, source, globals=None, template_class=None):  # noqa: A002, ANN001
            key = hashlib.sha256(source.encode("utf-8")).digest()
            if globals is None and template_class is None:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compiled[key] = super().from_string(source)
                return compiled
            return super().from_string(source, globals, template_class)

    env = CachingEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    env._compiled = {}  # noqa: SLF001
    return env


def ensure_update_fields(settings) -> None:
    """<w:updateFields w:val="true"/> in settings.xml (schema order), so Word refreshes the contents."""
    q = f"{{{W_NS}}}updateFields"
    el = settings.find(q)
    if el is None:
        from lxml import etree

        el = etree.Element(q)
        anchor = next((child for child in settings
                       if isinstance(child.tag, str) and etree.QName(child).localname in _AFTER_UPDATE_FIELDS),
                      None)
        if anchor is not None:
            anchor.addprevious(el)
        else:
            settings.append(el)
    el.set(f"{{{W_NS}}}val", "true")


def render_bytes(intake: Intake, result: Result, findings: list[Finding], *, workbook_dir: Path,
                 template: Path | None = None, library_version: str = "") -> tuple[bytes, dict[str, Any]]:
    """The stamped report as bytes and the context it was rendered from (tests look at both)."""
    import jinja2
    from docx.shared import Mm
    from docxtpl import InlineImage

    path = Path(template) if template else default_template()
    if not path.is_file():
        raise TemplateError(f"报告模板不存在：{path}")
    try:
        tpl = _strict_template_class()(str(path))
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds for a bad package
        raise TemplateError(f"无法打开报告模板 {path.name}：{exc}") from exc

    def image(data: Any, width_mm: float, height_mm: float) -> ImageRun:
        src = io.BytesIO(data) if isinstance(data, bytes | bytearray) else str(data)
        return ImageRun(InlineImage(tpl, src, width=Mm(width_mm), height=Mm(height_mm) if height_mm else None))

    def chart(spec: ChartSpec) -> ChartRun:
        return add_chart(tpl.docx.part, spec)

    context = build_context(intake, result, findings, workbook_dir=workbook_dir, image=image, chart=chart,
                            library_version=library_version)
    context.update(scope_context(intake, result))
    seq = Sequence()
    context["seq"], context["ref"] = seq, seq.ref
    env = _environment()
    try:
        tpl.render(context, env, autoescape=True)
    except jinja2.TemplateError as exc:
        where = ""
        if getattr(exc, "docx_context", None):
            where = "；附近文字：" + " ".join(t.strip() for t in exc.docx_context if t.strip())[:200]
        raise TemplateError(f"报告模板中的标签有误（{exc}）{where}") from exc

    doc = tpl.docx
    ensure_update_fields(doc.settings.element)
    props = doc.core_properties
    props.title = f"{context['company']['name']} {intake.company.year} 年度绿色低碳现代数智企业评价报告"
    props.subject = "绿色低碳现代数智企业评价报告"
    props.author = context["company"].get("agency_name") or props.author
    props.comments = f"carbon-report；因子库版本 {context['library_version']}"
    buf = io.BytesIO()
    tpl.save(buf)
    data, _ = stamp(buf.getvalue())
    return data, context


def render_report(intake: Intake, result: Result, findings: list[Finding], out_path: Path, *,
                  workbook_dir: Path, template: Path | None = None, library_version: str = "",
                  fill_toc: bool = True) -> None:
    data, _ = render_bytes(intake, result, findings, workbook_dir=workbook_dir, template=template,
                           library_version=library_version)
    if fill_toc:  # the contents page filled by LibreOffice's layout, when it is installed (toc.py)
        from carbon_report.outputs.report.toc import with_filled_toc

        filled = with_filled_toc(data)
        if filled is not data:
            data, _ = stamp(filled)
    write_atomic(out_path, data)
