"""docxtpl rendering: template + context → a stamped .docx written atomically."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from carbon_report.core.errors import OutputLocked, TemplateError
from carbon_report.core.model import Finding, Intake, Result
from carbon_report.core.report.text import Text
from carbon_report.io.package import NS
from carbon_report.outputs.report.charts import ChartSpec, add_chart
from carbon_report.outputs.report.context import (
    CONTEXT_VIEWS,
    Picture,
    ReportContext,
    Sequence,
    build_context,
)
from carbon_report.outputs.report.fields import CaptionFields
from carbon_report.outputs.report.fingerprint import report_locked, stamp, stamp_document, write_atomic
from carbon_report.outputs.report.rich import rich
from carbon_report.outputs.report.template_file import read_template, warn_external

W_NS = NS.W
# CT_Settings children that must follow <w:updateFields> (schema order)
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                        "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                        "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                        "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                        "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _drop_declarations_of(nsmap: dict[str | None, str], xml: str) -> str:
    """The picture's XML without the namespace declarations the document element already makes: lxml drops
    them anyway when docxtpl moves the rendered body into the document, and a body parsed inside the
    document element must come out the same."""
    def keep(m: re.Match[str]) -> str:
        return "" if nsmap.get(m.group(1)) == m.group(2) else m.group(0)

    return re.sub(r' xmlns:([A-Za-z_][\w.-]*)="([^"]*)"', keep, xml)


def default_template() -> Path:
    """The built-in report template, packaged beside this module (scripts/build_report_template.py writes it
    and its copy in workbook_templates/). Only there: an installed package has no source tree around it."""
    path = Path(__file__).resolve().with_name("report_template.docx")
    if path.is_file():
        return path
    raise TemplateError("未找到内置报告模板 report_template.docx（安装不完整？请重新安装 carbon-report），"
                        "或用 --report-template 指定模板文件。")


# characters docxtpl's resolve_listing turns into tabs, paragraphs, line and page breaks
_LISTING_CHARS = re.compile("[\t\a\f\n]")


@dataclass(frozen=True)
class _Part:
    """One template part, patched for Jinja and compiled: what docxtpl's patch_xml and from_string would
    produce again for every report."""

    source: str  # the patched XML with docxtpl's newline before each <w:p>, as Jinja compiled it
    compiled: Any  # jinja2.Template
    encoding: str = "utf-8"


@dataclass(frozen=True)
class _Prepared:
    blob: bytes  # the template file, read once
    body: _Part
    headers: dict[str, _Part]  # relationship id → part
    footers: dict[str, _Part]
    # The document element around the body, serialised: the rendered body is parsed inside it, so that it
    # needs no move into the template's tree. body_open is the body's start tag as docxtpl serialises it
    # (namespace declarations the document element already makes). None: parse and move as docxtpl does.
    around_body: tuple[str, str, str] | None = None  # (before the body, body_open, after the body)
    external: tuple[str, ...] = ()  # the external relationships removed from the template (template_file.py)


_BODY_OPEN = re.compile(r'<w:body(?: xmlns:[A-Za-z_][\w.-]*="[^"]*")*>')
_DECL = re.compile(r'xmlns:([A-Za-z_][\w.-]*)="([^"]*)"')
_WP_DOCPR = f"{{{NS.WP}}}docPr"


@cache
def _table_checks() -> tuple[Any, Any, Any]:
    """XPath tests telling whether docxtpl's fix_tables would change a table (it changes tables whose rows
    have more cells than grid columns, or fewer spanned columns than the grid has)."""
    from lxml import etree

    ns = {"w": W_NS}
    too_many_cells = etree.XPath("boolean(.//w:tr[count(w:tc) > $cols])", namespaces=ns)
    fills_grid = etree.XPath("boolean(.//w:tr[count(w:tc[not(w:tcPr/w:gridSpan)])"
                             " + sum(w:tc/w:tcPr/w:gridSpan/@w:val) >= $cols])", namespaces=ns)
    irregular = etree.XPath("boolean(.//w:tc[count(w:tcPr) > 1] | .//w:tcPr[count(w:gridSpan) > 1]"
                            " | .//w:gridSpan[not(@w:val)])", namespaces=ns)
    return too_many_cells, fills_grid, irregular


def _document_parser() -> Any:
    """docxtpl's parser settings (blank text kept) with python-docx's element classes, so that the document
    element parsed here behaves as the one python-docx loaded. One per call: lxml parsers are not shared
    between threads."""
    from docx.oxml.parser import element_class_lookup
    from lxml import etree

    parser = etree.XMLParser()
    parser.set_element_class_lookup(element_class_lookup)
    return parser


def _tables_need_fixing(body: Any) -> bool:
    too_many_cells, fills_grid, irregular = _table_checks()
    for tbl in body.iter(f"{{{W_NS}}}tbl"):
        grid = tbl.find(f"{{{W_NS}}}tblGrid")
        if grid is None:
            return True
        cols = len(grid.findall(f"{{{W_NS}}}gridCol"))
        if too_many_cells(tbl, cols=cols) or not fills_grid(tbl, cols=cols):
            return True
    return bool(irregular(body))


@cache
def _strict_template_class():
    from docxtpl import DocxTemplate
    from lxml import etree

    class StrictTemplate(DocxTemplate):
        """docxtpl parses the rendered body with recover=True, which silently drops everything after an XML
        error; parse strictly first so a broken render fails loudly instead.

        With `prepared` (from _prepare), the parts are filled from their patched and compiled form instead of
        being serialised, patched and compiled again for every report; the output is the same (tested
        byte for byte against plain docxtpl)."""

        prepared: _Prepared | None = None

        def fix_tables(self, xml):
            around = self.prepared.around_body if self.prepared is not None else None
            text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
            inside = around is not None and text.startswith(around[1])
            try:
                if inside:  # the whole document in one strict parse: the body then needs no move
                    before, body_open, after = around
                    root = etree.fromstring(f"{before}<w:body>{text[len(body_open):]}{after}".encode(),
                                            _document_parser())
                else:
                    etree.fromstring(text.encode("utf-8"))
            except etree.XMLSyntaxError as exc:
                raise TemplateError(f"渲染后的 XML 无效（{exc}），请检查模板中的标签") from exc
            if inside:
                body = root.find(f"{{{W_NS}}}body")
                if not _tables_need_fixing(body):
                    return body
            return super().fix_tables(xml)

        def fix_docpr_ids(self, tree):
            if tree.getparent() is None:
                return super().fix_docpr_ids(tree)
            for elt in tree.iter(_WP_DOCPR):  # the body's docPr in document order, as docxtpl's //wp:docPr
                self.docx_ids_index += 1
                elt.attrib["id"] = str(self.docx_ids_index)
            return None

        def map_tree(self, tree):
            if tree.getparent() is None:
                return super().map_tree(tree)
            root = tree.getparent()  # the body was parsed inside its own document element: use that one
            self.docx._part._element = root  # noqa: SLF001
            self.docx._element = root  # noqa: SLF001
            self.docx._Document__body = None  # noqa: SLF001 - python-docx's cached body proxy
            return None

        def resolve_listing(self, xml):
            # Only a paragraph holding one of these characters changes: skip the others' per-run regexes.
            if not _LISTING_CHARS.search(xml):
                return xml
            resolve = super().resolve_listing
            return re.sub(r"<w:p(?: [^>]*)?>.*?</w:p>",
                          lambda m: resolve(m.group(0)) if _LISTING_CHARS.search(m.group(0)) else m.group(0),
                          xml, flags=re.DOTALL)

        def build_xml(self, context, jinja_env=None):
            if self.prepared is None:
                return super().build_xml(context, jinja_env)
            return self._fill(self.prepared.body, self.docx._part, context)  # noqa: SLF001

        def build_headers_footers_xml(self, context, uri, jinja_env=None):
            if self.prepared is None:
                yield from super().build_headers_footers_xml(context, uri, jinja_env)
                return
            parts = self.prepared.headers if uri == self.HEADER_URI else self.prepared.footers
            for rel_key, part in self.get_headers_footers(uri):
                prepared = parts[rel_key]
                yield rel_key, self._fill(prepared, part, context).encode(prepared.encoding)

        def _fill(self, prepared: _Part, part, context) -> str:
            """docxtpl's render_xml_part (0.20.2) from the compiled template."""
            import jinja2

            self.current_rendering_part = part
            try:
                dst_xml = prepared.compiled.render(context)
            except Exception as exc:
                exc.docx_tag = _tag_of(exc, prepared.source)  # type: ignore[attr-defined]
                if isinstance(exc, jinja2.TemplateError) and getattr(exc, "lineno", None) is not None:
                    line = max(exc.lineno - 4, 0)
                    exc.docx_context = [re.sub(r"<[^>]+>", "", x)
                                        for x in prepared.source.splitlines()[line:line + 7]]
                raise
            dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
            dst_xml = (dst_xml.replace("{_{", "{{").replace("}_}", "}}")
                       .replace("{_%", "{%").replace("%_}", "%}"))
            return self.resolve_listing(dst_xml)

    return StrictTemplate


def _compile(tpl: Any, xml: str, encoding: str = "utf-8", *, known: tuple[str, Any] | None = None,
             fresh: dict[str, tuple[str, Any]] | None = None, part_id: str = "") -> _Part:
    """One part patched and compiled; `known`: its patched source and code from the cache folder (then neither
    is done again); a part compiled here is added to `fresh` under `part_id` for the cache."""
    import jinja2

    env = _environment()
    if known is not None:
        source, code = known
        return _Part(source, env.template_class.from_code(env, code, env.make_globals(None), None), encoding)
    source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
    try:
        code = env.compile(source)
    except jinja2.TemplateError as exc:  # where docxtpl's render_xml_part would say it is
        if getattr(exc, "lineno", None) is not None:
            line = max(exc.lineno - 4, 0)
            exc.docx_context = [re.sub(r"<[^>]+>", "", x) for x in source.splitlines()[line:line + 7]]
        raise
    if fresh is not None:
        fresh[part_id] = (source, code)
    return _Part(source, env.template_class.from_code(env, code, env.make_globals(None), None), encoding)


@lru_cache(maxsize=8)
def _prepared(path: Path, mtime_ns: int, size: int) -> _Prepared:
    """The template read, patched and compiled once per process (per version of the file: an edited
    template is prepared again), and once per machine: the patched and compiled parts are kept in the user's
    cache folder under the template's SHA-256 (template_cache.py)."""
    from carbon_report.outputs.report import template_cache

    blob, external = read_template(path)  # a regular file, its external relationships removed
    key = template_cache.cache_key(blob)
    known = template_cache.load(key) or {}
    fresh: dict[str, tuple[str, Any]] = {}
    tpl = _strict_template_class()(io.BytesIO(blob))
    tpl.init_docx()

    def parts(uri: str, kind: str) -> dict[str, _Part]:
        out = {}
        for rel_key, part in tpl.get_headers_footers(uri):
            xml = tpl.get_part_xml(part)
            part_id = f"{kind}:{rel_key}"
            out[rel_key] = _compile(tpl, xml, tpl.get_headers_footers_encoding(xml), known=known.get(part_id),
                                    fresh=fresh, part_id=part_id)
        return out

    body_xml = tpl.get_xml()
    prepared = _Prepared(blob, _compile(tpl, body_xml, known=known.get("body"), fresh=fresh, part_id="body"),
                         parts(tpl.HEADER_URI, "header"), parts(tpl.FOOTER_URI, "footer"),
                         _around_body(tpl, body_xml), external)
    if fresh:
        template_cache.store(key, {**known, **fresh})
    return prepared


def _around_body(tpl: Any, body_xml: str) -> tuple[str, str, str] | None:
    """The document element's serialisation before and after its body, when the body's start tag only
    repeats declarations the document element makes (then the body parses the same inside it)."""
    m = _BODY_OPEN.match(body_xml)
    root = tpl.docx._element  # noqa: SLF001
    if m is None or any(root.nsmap.get(prefix) != uri for prefix, uri in _DECL.findall(m.group(0))):
        return None
    whole = tpl.xml_to_string(root)
    start = whole.find("<w:body")
    end = whole.rfind("</w:body>")
    if start < 0 or end < 0 or whole.count("<w:body") != 1:
        return None
    return whole[:start], m.group(0), whole[end + len("</w:body>"):]


def _template(path: Path) -> Any:
    """A template object ready to render, over a fresh copy of the document."""
    st = path.stat()
    prepared = _prepared(path.resolve(), st.st_mtime_ns, st.st_size)
    tpl = _strict_template_class()(io.BytesIO(prepared.blob))
    tpl.prepared = prepared
    tpl.init_docx()
    return tpl


def warm(template: Path | None = None) -> None:
    """What every report needs before its first one (a batch worker's initializer calls this): docxtpl and
    python-docx imported, the template prepared, the native chart writer loaded."""
    import carbon_report.outputs.report.charts  # noqa: F401 - imported for its import cost

    _template(Path(template) if template else default_template())


# ---- the sandbox ------------------------------------------------------------------------------------------

# str methods a tag may call: each returns a new string or a plain answer, and none pads to a size the tag
# chooses (center, ljust … could ask for a gigabyte) or formats (format, format_map reach attributes)
SAFE_STR_METHODS = frozenset({
    "capitalize", "count", "endswith", "find", "isalnum", "isalpha", "isdigit", "isnumeric", "isspace",
    "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rpartition", "rsplit",
    "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper",
})
# Jinja's loop variable (`loop.index`, `loop.last` …)
SAFE_LOOP_ATTRIBUTES = frozenset({"changed", "cycle", "depth", "depth0", "first", "index", "index0", "last",
                                  "length", "nextitem", "previtem", "revindex", "revindex0"})


@cache
def view_attributes() -> dict[type, frozenset[str]]:
    """Every attribute a tag may read: the fields of the context's views, and a Text's plain string."""
    allowed = {cls: frozenset(f.name for f in fields(cls)) for cls in CONTEXT_VIEWS}
    allowed[Text] = frozenset({"plain"})
    return allowed


_RENDERING: ContextVar[_Renderer | None] = ContextVar("carbon_report_rendering", default=None)


class _Renderer:
    """Puts the handles of one report into its document as the template prints them: a picture as an
    inline image, a chart as a native chart part. The template never holds this, only the handles."""

    _OPEN = "</w:t></w:r>"
    _CLOSE = '<w:r><w:t xml:space="preserve">'

    def __init__(self, tpl: Any):
        self._tpl = tpl
        self._charts: dict[int, tuple[ChartSpec, str]] = {}

    def picture(self, p: Picture) -> str:
        """An InlineImage as a whole run, for `{{r … }}` tags, so a picture and a highlighted placeholder can
        sit in the same template paragraph."""
        from docx.shared import Mm
        from docxtpl import InlineImage

        data, width, height = p._data, p._width_mm, p._height_mm  # noqa: SLF001 - the handle's own renderer
        xml = InlineImage(self._tpl, io.BytesIO(data), width=Mm(width),
                          height=Mm(height) if height else None)._insert_image()  # noqa: SLF001
        if xml.startswith(self._OPEN):
            xml = xml[len(self._OPEN):]
        if xml.endswith(self._CLOSE):
            xml = xml[: -len(self._CLOSE)]
        return _drop_declarations_of(self._tpl.docx.element.nsmap, xml)

    def chart(self, spec: ChartSpec) -> str:
        """The chart's run; one chart part per chart, however often the template prints it."""
        known = self._charts.get(id(spec))
        if known is None:
            run = add_chart(self._tpl.docx.part, spec)
            known = self._charts[id(spec)] = (spec, _drop_declarations_of(self._tpl.docx.element.nsmap, run.xml))
        return known[1]


@contextmanager
def rendering(tpl: Any, context: ReportContext) -> Iterator[None]:
    """While the template renders: its handles go into `tpl`'s document. The chart parts are added first, in
    a fixed order, so their part names and ids do not depend on where the template prints them."""
    renderer = _Renderer(tpl)
    for spec in (context.charts.share, context.charts.target, context.years.chart if context.years else None,
                 context.extras.monthly_chart):
        if spec is not None:
            renderer.chart(spec)
    token = _RENDERING.set(renderer)
    try:
        yield
    finally:
        _RENDERING.reset(token)


def finalize(value: Any) -> Any:
    """What a printed value becomes: a Text its runs, a picture or chart handle its drawing; the rest as is."""
    if isinstance(value, Text):
        return rich(value)
    if isinstance(value, Picture | ChartSpec):
        renderer = _RENDERING.get()
        if renderer is None:
            return ""
        from markupsafe import Markup

        return Markup(renderer.picture(value) if isinstance(value, Picture) else renderer.chart(value))
    return value


@cache
def _environment() -> Any:
    """One Jinja environment per process that compiles each template part once: a batch renders the same
    template for every workbook, and compiling it was about a fifth of a report's time.

    Sandboxed, and stricter than Jinja's sandbox: a report template passes between consultancies and is
    untrusted, so a tag may read the fields of the context's views (docs/report.md), the plain string of a
    Text, Jinja's `loop`, and call seq/ref/seq_field, range, dict, namespace, a template's own macros and a few str
    methods. Every other attribute and call is refused (E-REPORT-TEMPLATE naming the tag)."""
    import jinja2
    from jinja2.runtime import LoopContext, Macro, Undefined
    from jinja2.sandbox import SandboxedEnvironment
    from jinja2.utils import Namespace

    allowed = view_attributes()

    class ViewSandbox(SandboxedEnvironment):
        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            names = allowed.get(type(obj))
            if names is not None:
                return attr in names
            if isinstance(obj, str):
                return attr in SAFE_STR_METHODS
            if isinstance(obj, LoopContext):
                return attr in SAFE_LOOP_ATTRIBUTES
            if isinstance(obj, Namespace):  # the template's own {% set ns = namespace(…) %}
                return not attr.startswith("_")
            return False

        def getattr(self, obj: Any, attribute: str) -> Any:
            # A view's missing field is a typo (undefined, as Jinja says it); anything else a tag asks of a
            # handle, a string or a number is refused unless allowed, whether or not Python has it.
            if type(obj) in allowed or isinstance(obj, Mapping | Undefined) or \
                    self.is_safe_attribute(obj, attribute, None):
                return super().getattr(obj, attribute)
            return self.unsafe_undefined(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            if isinstance(argument, str) and not (type(obj) in allowed or isinstance(obj, Mapping | Undefined)):
                return self.getattr(obj, argument)  # obj['name'] on a handle or a string means obj.name
            return super().getitem(obj, argument)

        def is_safe_callable(self, obj: Any) -> bool:
            owner = getattr(obj, "__self__", None)
            name = getattr(obj, "__name__", "")
            ok = (isinstance(obj, Sequence | CaptionFields | Macro | LoopContext)
                  or (isinstance(owner, Sequence) and name == "ref")
                  or (isinstance(owner, str) and name in SAFE_STR_METHODS)
                  or (isinstance(owner, LoopContext) and name in ("cycle", "changed"))
                  or any(obj is g for g in self.safe_globals))
            return ok and super().is_safe_callable(obj)

        def from_string(self, source, globals=None, template_class=None):  # noqa: A002, ANN001
            key = hashlib.sha256(source.encode("utf-8")).digest()
            if globals is None and template_class is None:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compiled[key] = super().from_string(source)
                return compiled
            return super().from_string(source, globals, template_class)

    env = ViewSandbox(autoescape=True, undefined=jinja2.StrictUndefined, finalize=finalize)
    # Jinja's lipsum, cycler and joiner stay defined, but neither callable nor readable: a tag reaching for
    # them (`lipsum.__globals__` …) is refused as unsafe rather than told the name is unknown
    env.safe_globals = tuple(v for k, v in env.globals.items() if k in ("range", "dict", "namespace"))

    @jinja2.pass_environment
    def attr(environment: Any, obj: Any, name: Any) -> Any:
        """`x|attr('name')` is `x.name`: the same allowlist, the same refusal."""
        return environment.getattr(obj, str(name))

    env.filters["attr"] = attr
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


_TAG = re.compile(r"\{[{%].*?[%}]\}", re.DOTALL)
_NAMED = re.compile(r"attribute '([^']*)'")


def _template_line(exc: BaseException) -> int | None:
    """The template line an error was raised on (Jinja rewrites the traceback onto the template's lines)."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _tag_of(exc: BaseException, source: str) -> str:
    """The tag an error of rendering `source` comes from, as the consultant typed it (XML removed)."""
    line = _template_line(exc)
    lines = source.splitlines()
    if line is None or not 0 < line <= len(lines):
        return ""
    tags = _TAG.findall(re.sub(r"<[^>]+>", "", lines[line - 1]))
    named = _NAMED.search(str(exc))
    hits = [t for t in tags if named and named.group(1) in t] or tags
    return " ".join(hits[0].split())[:200] if len(hits) == 1 or named else ""


def _tag_message(exc: Exception, path: Path) -> str:
    from jinja2.exceptions import SecurityError

    where = ""
    if getattr(exc, "docx_context", None):
        where = "；附近文字：" + " ".join(t.strip() for t in exc.docx_context if t.strip())[:200]
    tag = getattr(exc, "docx_tag", "")
    detail = " ".join(str(exc).split())[:200]  # one line, whatever the exception says
    if isinstance(exc, SecurityError) or "unsafe" in detail:
        named = _NAMED.search(detail)
        what = f"“{named.group(1)}”" if named else ""
        said = f"标签“{tag}”" if tag else "标签"
        return (f"“{path.name}”中的{said}试图访问报告数据以外的内容{what}，出于安全原因已拒绝"
                f"（模板只能使用 docs/report.md 所列的数据；{detail}）{where}")
    said = f"标签“{tag}”" if tag else "标签"
    return f"“{path.name}”中的{said}有误（{type(exc).__name__}: {detail}）{where}"


def render_bytes(intake: Intake, result: Result, findings: list[Finding], *, workbook_dir: Path,
                 template: Path | None = None, library_version: str = "",
                 logo: bytes | None = None) -> tuple[bytes, ReportContext]:
    """The stamped report as bytes and the context it was rendered from (tests look at both)."""
    import jinja2

    path = Path(template) if template else default_template()
    if not path.is_file():
        raise TemplateError(f"“{path}”不存在")
    try:
        tpl = _template(path)
    except jinja2.TemplateError as exc:  # a broken tag found while compiling the template
        raise TemplateError(_tag_message(exc, path)) from exc
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds for a bad package
        raise TemplateError(f"无法打开“{path.name}”：{exc}") from exc
    warn_external(path, tpl.prepared.external)  # W-TEMPLATE-EXTERNAL, once for each report

    context = build_context(intake, result, findings, workbook_dir=workbook_dir, library_version=library_version,
                            logo=logo)
    env = _environment()
    try:
        with rendering(tpl, context):
            tpl.render(context.names(), env, autoescape=True)
    except jinja2.TemplateError as exc:  # SecurityError and UndefinedError among them
        raise TemplateError(_tag_message(exc, path)) from exc
    except (TypeError, ValueError, LookupError, ArithmeticError, AttributeError) as exc:
        if template is None:  # the built-in template: a bug of ours, let it be one
            raise
        raise TemplateError(_tag_message(exc, path)) from exc

    doc = tpl.docx
    ensure_update_fields(doc.settings.element)
    props = doc.core_properties
    # python-docx refuses core properties over 255 characters; the report body keeps the whole name.
    props.title = _cut(f"{context.company.name} {intake.company.year} 年度绿色低碳现代数智企业评价报告")
    props.subject = "绿色低碳现代数智企业评价报告"
    props.author = _cut(context.company.agency_name or props.author or "")
    props.comments = _cut(f"carbon-report；因子库版本 {context.library_version}")
    stamp_document(doc)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue(), context


_CORE_PROPERTY_MAX = 255  # python-docx's limit for a core property string


def _cut(text: str) -> str:
    return text if len(text) <= _CORE_PROPERTY_MAX else text[:_CORE_PROPERTY_MAX - 1] + "…"


def render_report(intake: Intake, result: Result, findings: list[Finding], out_path: Path, *,
                  workbook_dir: Path, template: Path | None = None, library_version: str = "",
                  fill_toc: bool = True, pdf: Path | None = None, logo: bytes | None = None) -> Path | None:
    """Render the report into `out_path`. With `fill_toc` (and CARBON_REPORT_TOC not 0) the process's
    converter lays it out once to fill the 目录; with `pdf`, that same load also exports the PDF there.
    Returns the PDF's path when it was made so, else None (the caller converts the file, pdf.to_pdf)."""
    data, _ = render_bytes(intake, result, findings, workbook_dir=workbook_dir, template=template,
                           library_version=library_version, logo=logo)
    made_pdf = None
    if fill_toc:
        data, made_pdf = _laid_out(data, pdf)
    write_atomic(out_path, data)
    return made_pdf


def _laid_out(data: bytes, pdf: Path | None) -> tuple[bytes, Path | None]:
    """The contents page filled by the office program's layout, when one is installed (toc.py), and the PDF
    of the same layout when asked."""
    from carbon_report.outputs.convert import default_converter, say_once
    from carbon_report.outputs.report import toc

    if not toc.wanted():
        return data, None
    converter = default_converter()
    if converter is None:
        say_once("未找到 LibreOffice（带 UNO），报告的目录未预先填充：Word 打开时会更新目录；"
                 "WPS 或 LibreOffice 中请右键单击目录并选择“更新域/更新目录”。")
        return data, None
    try:
        filled = converter.fill_toc(data, pdf=pdf)
    except OutputLocked as exc:
        raise report_locked(exc.path) from exc
    if filled.docx is not None:
        data, _ = stamp(filled.docx)
    return data, filled.pdf
