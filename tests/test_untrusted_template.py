"""A report template is untrusted (issue 23, failure 1): it sees frozen views, strings, numbers and opaque
picture/chart handles, never a live object.

Before this, every picture in the context (`fig[...][i].image`) was an ImageRun whose `.inline.tpl` was the
live DocxTemplate: with one ordinary picture in 图片与附件 a template could save the document anywhere, pull an
outside file into the report, add an outside picture, write a .pth file through lxml, or crash the run with
`new_subdoc`. Each of those is reproduced here exactly; each must now be one E-REPORT-TEMPLATE line naming the
template and the tag, exit 2, no report, no file written anywhere, no outside byte in any output. A walk over
everything reachable from the context through the sandbox finds nothing callable with effects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import openpyxl
import pytest
from PIL import Image, PngImagePlugin

import workbooks

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook_templates" / "report_template.docx"
SECRET = b"OUTSIDE-SECRET-7f3a9c"


def lines_with(stderr: str, code: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"[{code}]" in line]


def template_with(folder: Path, name: str, tag: str) -> Path:
    """The built-in report template with one more paragraph, at the end of the body, holding `tag`."""
    out = folder / name
    with zipfile.ZipFile(TEMPLATE) as z_in, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z_out:
        for info in z_in.infolist():
            data = z_in.read(info.filename)
            if info.filename == "word/document.xml":
                para = f"<w:p><w:r><w:t>{tag}</w:t></w:r></w:p>".encode()
                data = data.replace(b"</w:body>", para + b"</w:body>")
                assert para in data
            z_out.writestr(info, data)
    return out


def secret_png(path: Path) -> Path:
    """A real PNG carrying a marker, so that the marker in an output means this file was copied in."""
    info = PngImagePlugin.PngInfo()
    info.add_text("secret", SECRET.decode())
    Image.new("RGB", (40, 30), "red").save(path, pnginfo=info)
    return path


def tree(folder: Path, skip: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` (outside `skip`) with its size and modification time."""
    out = {}
    for dirpath, _, names in os.walk(folder):
        if Path(dirpath).is_relative_to(skip):
            continue
        for n in names:
            p = Path(dirpath) / n
            st = p.lstat()
            out[str(p)] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture()
def attack(tmp_path: Path) -> dict[str, Path]:
    """A client folder with a workbook and one ordinary picture in 图片与附件; beside it, the attacker's
    folder with an outside picture and the places the exploits write to."""
    client = tmp_path / "客户"
    client.mkdir()
    Image.new("RGB", (400, 300), (30, 120, 60)).save(client / "厂区.png")
    src = workbooks.build(client / "a.xlsx", pictures=[["图2-1 企业概貌", "厂区全景", "厂区.png"]])
    outside = tmp_path / "outside"
    outside.mkdir()
    secret_png(outside / "secret.png")
    site = tmp_path / "site-packages"  # stands for the interpreter's site-packages (never the real one)
    site.mkdir()
    return {"src": src, "out": tmp_path / "报告输出", "outside": outside, "site": site, "root": tmp_path}


PIC = "fig['2_1'][0].image"
EXPLOITS = {
    # failure 1 as the red team ran it
    "save": "{{ PIC.inline.tpl.save('{marker}') }}",
    "replace_zipname": "{{ PIC.inline.tpl.replace_zipname('word/media/image1.png', '{secret}') }}",
    "add_picture": "{{ PIC.inline.tpl.docx.add_picture('{secret}') }}",
    "pth": "{{ PIC.inline.tpl.docx.element.getroottree().write('{pth}') }}",
    "new_subdoc": "{{ PIC.inline.tpl.new_subdoc('{secret}') }}",
    # the same reach by other spellings
    "attr_filter": "{{ (PIC|attr('inline')|attr('tpl')).save('{marker}') }}",
    "item_syntax": "{{ PIC['inline']['tpl'].save('{marker}') }}",
    "loop": "{% for p in fig['2_1'] %}{{ p.image.inline.tpl.save('{marker}') }}{% endfor %}",
    "class_walk": "{{ PIC.__class__.__init__.__globals__ }}",
    "chart": "{{ charts.share.spec.__init__ }}",
    "chart_data": "{{ charts.share.categories }}",
    "text_runs": "{{ texts.profile[0].runs }}",
    "mapping_method": "{{ fig.items() }}",
    "seq_state": "{{ seq.refs.update({'x': 'y'}) }}",
    "str_format": "{{ company.name.format(company) }}",
    "namespace_item": "{{ stage['production'].__dict__ }}",
}
EXPLOITS = {k: v.replace("PIC", PIC) for k, v in EXPLOITS.items()}


@pytest.mark.parametrize("kind", sorted(EXPLOITS))
def test_an_exploit_of_a_live_object_is_one_line_and_no_effect(attack: dict[str, Path], cli, kind: str) -> None:
    root, out = attack["root"], attack["out"]
    marker = root / "pwned.docx"
    pth = attack["site"] / "evil.pth"
    secret = attack["outside"] / "secret.png"
    tag = EXPLOITS[kind].replace("{marker}", str(marker)).replace("{secret}", str(secret)).replace("{pth}", str(pth))
    tpl = template_with(attack["outside"], "恶意模板.docx", tag)
    input_bytes = attack["src"].read_bytes()
    before = tree(root, out)

    r = cli("process", attack["src"], "--out", out, "--report-template", tpl)

    assert r.returncode == 2, r.stderr
    found = lines_with(r.stderr, "E-REPORT-TEMPLATE")
    assert len(found) == 1, r.stderr
    assert "恶意模板.docx" in found[0] and "安全" in found[0] and "Traceback" not in r.stderr
    # the line names the tag as it stands in the template
    named = found[0].split("中的标签“", 1)[1].split("”", 1)[0]
    assert named.startswith(("{{", "{%")) and named in " ".join(tag.split()), found[0]
    assert not lines_with(r.stderr, "E-INTERNAL")
    assert not marker.exists() and not pth.exists()
    assert not list(out.glob("*.docx"))  # no report
    assert tree(root, out) == before  # nothing written or touched outside the output folder
    for f in out.iterdir():  # the computed workbook carries no outside byte
        with zipfile.ZipFile(f) as z:
            assert not any(SECRET in z.read(n) for n in z.namelist())
    assert attack["src"].read_bytes() == input_bytes


def test_the_tag_named_is_the_one_that_reached_out(attack: dict[str, Path], cli, monkeypatch) -> None:
    monkeypatch.chdir(attack["root"])  # where a relative x.docx would land, were the sandbox to let it through
    tpl = template_with(attack["outside"], "模板.docx", "{{ " + PIC + ".inline.tpl.save('x.docx') }}")
    r = cli("process", attack["src"], "--out", attack["out"], "--report-template", tpl)
    (line,) = lines_with(r.stderr, "E-REPORT-TEMPLATE")
    assert line == (
        "a.xlsx: 报告模板有误，无法生成报告：“模板.docx”中的标签“{{ fig['2_1'][0].image.inline.tpl.save('x.docx') }}”试图访问报告数据以外的"
        "内容“inline”，出于安全原因已拒绝（模板只能使用 docs/report.md 所列的数据；access to attribute 'inline' of "
        "'Picture' object is unsafe.） [E-REPORT-TEMPLATE]")
    assert not (attack["root"] / "x.docx").exists()


def test_the_picture_itself_still_prints(attack: dict[str, Path], cli) -> None:
    """The handle that no longer leads anywhere still renders as the picture, also from a consultant's
    own paragraph."""
    tpl = template_with(attack["outside"], "模板.docx", "再放一次：{{r fig['2_1'][0].image }}{{ fig['2_1'][0].title }}")
    r = cli("process", attack["src"], "--out", attack["out"], "--report-template", tpl)
    assert r.returncode == 0, r.stderr
    (report,) = attack["out"].glob("*.docx")
    with zipfile.ZipFile(report) as z:
        body = z.read("word/document.xml").decode()
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert body.count("<pic:pic") == 2 and "再放一次：" in body and "厂区全景" in body
    assert len(media) == 1  # the same picture twice is one part


# ---- everything reachable ----------------------------------------------------------------------------------


def _context(folder: Path):
    """The context of a workbook that fills every section: sample 2 (sites, months, evidence, uncertainty)
    with a picture, an attachment and an extra picture, and earlier years in 历史排放."""
    from carbon_report.app.pipeline import check_file
    from carbon_report.outputs.report.context import build_context

    shutil.copytree(ROOT / "samples", folder, dirs_exist_ok=True)
    src = next(folder.glob("示例_*.xlsx"))
    Image.new("RGB", (300, 200), "green").save(folder / "厂区.png")
    wb = openpyxl.load_workbook(src)

    def put(sheet: str, rows: list[list[object]]) -> None:  # into the first blank rows (the sheets are formatted)
        ws = wb[sheet]
        first = next(r for r in range(2, ws.max_row + 2) if ws.cell(r, 1).value is None)
        for i, row in enumerate(rows):
            for j, v in enumerate(row, start=1):
                ws.cell(first + i, j, v)

    put("图片与附件", [["图2-1 企业概貌", "厂区", "厂区.png"], ["附件1 企业营业执照", "", "厂区.png"],
                  ["图5-1 其他", "", "厂区.png"], ["图2-2 产品概貌", "", "无此文件.png"]])
    year = int(next(r[1] for r in wb["企业信息"].iter_rows(values_only=True) if str(r[0]).startswith("核算年度")))
    put("历史排放", [[year - 1, None, 5000.0]])
    wb.save(src)
    o = check_file(src, today=dt.date(2026, 12, 7))
    assert o.result is not None, [f.message for f in o.findings if f.is_error]
    return build_context(o.intake, o.result, o.findings, workbook_dir=folder, library_version=o.library_version)


def reachable(env, roots: dict[str, object], depth: int) -> Iterator[tuple[str, object]]:
    """Every (chain, value) a template can reach from `roots` through the sandbox's own attribute and item
    lookups (what `a.b`, `a['b']`, `a[0]` and `|attr` compile to), breadth first, `depth` steps deep. Every
    name of dir() is tried as an attribute and as an item, and every key and index as an item."""
    from jinja2.runtime import Undefined

    frontier = list(roots.items())
    seen: set[int] = set()
    for _ in range(depth):
        following = []
        for chain, obj in frontier:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            yield chain, obj
            names = set(dir(obj))
            if dataclasses.is_dataclass(obj):
                names |= {f.name for f in dataclasses.fields(obj)}
            steps: list[tuple[str, object]] = [(".", n) for n in sorted(names)]
            steps += [("[]", n) for n in sorted(names)]
            if isinstance(obj, tuple):
                steps += [("[]", i) for i in range(len(obj))]
            if isinstance(obj, MappingProxyType):
                steps += [("[]", k) for k in obj]
            for how, key in steps:
                try:
                    value = env.getattr(obj, key) if how == "." else env.getitem(obj, key)
                except Exception:  # noqa: BLE001, S112 - a refusal or an error is not a reach
                    continue
                if not isinstance(value, Undefined):
                    following.append((f"{chain}.{key}" if how == "." else f"{chain}[{key!r}]", value))
        frontier = following


def test_nothing_reachable_from_the_context_has_effects(tmp_path: Path) -> None:
    from markupsafe import Markup

    from carbon_report.core.report.charts import ChartSpec
    from carbon_report.core.report.text import Text
    from carbon_report.outputs.report.context import CONTEXT_VIEWS, Picture, Sequence
    from carbon_report.outputs.report.fields import CaptionFields
    from carbon_report.outputs.report.render import SAFE_STR_METHODS, _environment

    ctx = _context(tmp_path / "客户")
    assert ctx.years is not None and ctx.extras.uncertainty is not None and ctx.extras.sites
    assert ctx.fig["2_1"][0].ok and ctx.att["1"][0].ok and ctx.extra and not ctx.fig["2_2"][0].ok
    env = _environment()
    plain = (str, int, float, bool, type(None))
    containers = (tuple, MappingProxyType)
    handles = (Picture, ChartSpec, Text, Sequence)
    kinds: set[type] = set()
    count = 0
    for chain, value in reachable(env, ctx.names(), depth=9):
        count += 1
        kinds.add(type(value))
        if callable(value):
            # the only callables: the caption counter, its ref and its Word-field form (seq_field, which only
            # counts as seq does), and str methods that return new strings
            owner = getattr(value, "__self__", None)
            assert isinstance(value, Sequence | CaptionFields) or (isinstance(owner, Sequence) and value.__name__ == "ref") or \
                (isinstance(owner, str) and value.__name__ in SAFE_STR_METHODS), chain
            assert env.is_safe_callable(value), chain
        else:
            assert isinstance(value, plain + containers + handles + CONTEXT_VIEWS) and \
                not isinstance(value, Markup), (chain, type(value))
    assert count > 1000  # the walk went through the whole context
    assert Picture in kinds and ChartSpec in kinds and Text in kinds
    # and what the red team reached is gone: no document, package, XML element, path or file object
    assert not [k for k in kinds if k.__module__.split(".")[0] in ("docx", "docxtpl", "lxml", "pathlib", "io")]


def test_old_chains_are_refused_by_the_sandbox(tmp_path: Path) -> None:
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import Undefined

    from carbon_report.outputs.report.render import _environment

    ctx = _context(tmp_path / "客户")
    env = _environment()
    pic = ctx.fig["2_1"][0].image
    for name in ("inline", "tpl", "docx", "_data", "__class__", "__reduce__", "__slots__"):
        got = env.getattr(pic, name)
        assert isinstance(got, Undefined)
        with pytest.raises(SecurityError):
            str(got)
    for obj, name in ((ctx.charts.share, "title"), (ctx.texts.profile[0], "runs"), (ctx.fig, "items"),
                      (ctx.seq, "refs"), (ctx.company.name, "format"), (ctx.stages, "index"), (ctx, "names")):
        assert isinstance(env.getattr(obj, name), Undefined), name
    assert env.getattr(ctx.company, "name") == ctx.company.name
    assert env.getitem(ctx.fig["2_1"][0], "title") == "厂区"
