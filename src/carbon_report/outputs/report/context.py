"""The template context: the report's views (core/report, built from one Intake and one Result) and what
only the report layer can add: the pictures of 图片与附件 as opaque handles, the earlier years (computed.py's
year rows) and the caption counter.

Everything a template reaches is a frozen view, a string, a number, a tuple, a read-only mapping or an
opaque picture/chart handle; render.py's sandbox allows only the fields of these views (docs/report.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType

from carbon_report.core.errors import PathRefused
from carbon_report.core.model import PATH_PROBLEM_TEXT, Finding, Intake, Result
from carbon_report.core.report.build import report_view
from carbon_report.core.report.text import Text, clean, placeholder
from carbon_report.core.report.views import VIEWS, ReportView, YearsView
from carbon_report.io.paths import open_named
from carbon_report.io.pictures import image_kind, too_many_pixels
from carbon_report.outputs.report.fields import CaptionFields
from carbon_report.outputs.report.years import years_view

# Picture slots the template provides: key → default caption title
FIGURE_SLOTS = {"2-1": "企业概貌", "2-2": "产品概貌", "2-3": "产品生产工艺流程", "2-4": "厂区设备照片"}
ATTACHMENT_SLOTS = {"1": "企业营业执照", "3": "产品碳足迹、绿色证书"}

TEXT_WIDTH_MM = 146.0  # A4 less 31.7 mm margins each side
LOGO_HEIGHT_MM = 15.0  # the consultancy's logo on the cover, above its name
LOGO_MAX_WIDTH_MM = 60.0
MAX_PICTURE_HEIGHT_MM = 190.0
MAX_PICTURE_BYTES = 40 * 1024 * 1024


class Sequence:
    """Caption numbers, counted in document order as the template renders: seq('表', 2) → '2-1', '2-2' …;
    seq('表', 'A', '.') → 'A.1'. Each (kind, chapter) counts on its own, so no number repeats."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self.issued: list[str] = []
        self.refs: dict[str, str] = {}

    def __call__(self, kind: str, chapter: object, sep: str = "-", key: str | None = None) -> str:
        counter = (str(kind), str(chapter))
        self.counts[counter] += 1
        number = f"{chapter}{sep}{self.counts[counter]}"
        self.issued.append(f"{kind} {number}")
        if key:
            self.refs[key] = f"{kind} {number}"
        return number

    def ref(self, key: str, fallback: str = "下表") -> str:
        """The caption number issued earlier under `key` (a cross-reference back to it)."""
        return self.refs.get(key, fallback)


# ---- pictures --------------------------------------------------------------------------------------------


class Picture:
    """An opaque picture handle: the bytes to embed and the size to show them at. A template can print it
    (`{{r p.image }}`, the renderer then inserts it into the document being rendered) and test it, and reach
    nothing through it: the sandbox allows no attribute of it, and it holds no document, path or file."""

    __slots__ = ("_data", "_height_mm", "_width_mm")

    def __init__(self, data: bytes, width_mm: float, height_mm: float):
        self._data, self._width_mm, self._height_mm = bytes(data), width_mm, height_mm

    def __repr__(self) -> str:
        return "Picture()"


@dataclass(frozen=True)
class PictureView:
    title: str
    image: Picture | Text  # the picture, or a highlighted placeholder saying why there is none
    ok: bool
    file: str = ""


@dataclass(frozen=True)
class ExtraPictures:
    """Pictures of a position the template has no slot for (图5-1 …, 附件 2 …), under their own heading."""

    heading: str
    items: tuple[PictureView, ...]


@dataclass(frozen=True)
class Pictures:
    fig: Mapping[str, tuple[PictureView, ...]]
    att: Mapping[str, tuple[PictureView, ...]]
    extra: tuple[ExtraPictures, ...]


_FIG_RE = re.compile(r"^图\s*(\d+)\s*[-－—–.．]\s*(\d+)\s*(.*)$")
_ATT_RE = re.compile(r"^附件\s*(\d+)\s*[：:]?\s*(.*)$")


def _norm_position(text: str) -> str:
    return clean(text).translate(str.maketrans("０１２３４５６７８９", "0123456789")).strip()


def load_picture(folder: Path, text: str) -> tuple[bytes, float, float] | str:
    """The picture a cell names: (image data, width mm, height mm) sized to the text width, or a Chinese
    reason it cannot be used. Found inside `folder` and opened as a regular file (io/paths.open_named:
    O_NOFOLLOW, fstat on the descriptor, so nothing is swapped in between the check and the read), read
    once, up to its size cap. Only PNG and JPEG, known by content; Pillow's decompression-bomb check ends in
    a placeholder, never in a warning on the console."""

    try:
        with open_named(folder, text) as opened:
            if opened.size > MAX_PICTURE_BYTES:
                return "文件过大"
            data = opened.file.read(MAX_PICTURE_BYTES + 1)
    except PathRefused as e:
        if e.problem == "outside":
            return "文件不在工作簿所在文件夹内，未读取"
        return PATH_PROBLEM_TEXT.get(e.problem, PATH_PROBLEM_TEXT["unreadable"])
    if len(data) > MAX_PICTURE_BYTES:  # it grew since it was opened
        return "文件过大"
    decoded = _decoded(data)
    if isinstance(decoded, str):
        return decoded
    data, w_px, h_px = decoded
    width = TEXT_WIDTH_MM
    height = width * h_px / w_px
    if height > MAX_PICTURE_HEIGHT_MM:
        height = MAX_PICTURE_HEIGHT_MM
        width = height * w_px / h_px
    return data, width, height


def _decoded(data: bytes) -> tuple[bytes, int, int] | str:
    """The picture in `data` as _decode gives it, or a Chinese reason it cannot be used: only PNG and JPEG,
    known by content, within Pillow's pixel limit, with a size."""
    import io
    import warnings

    from PIL import Image

    if image_kind(data[:8]) is None:
        return "不是 PNG 或 JPEG 图片"
    try:
        if too_many_pixels(io.BytesIO(data)):
            return "图片像素过多"
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            data, w_px, h_px = _decode(data)
    except Exception:  # noqa: BLE001 - any decoder error means "unreadable"
        return "文件不是可识别的图片或已损坏"
    if not w_px or not h_px:
        return "图片尺寸无效"
    return data, w_px, h_px


def _decode(raw: bytes) -> tuple[bytes, int, int]:
    """The bytes to embed (the file's own, or a PNG of it turned upright by its EXIF orientation) and its
    size in pixels."""
    import io

    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(raw)) as im:
        im.load()
        orientation = im.getexif().get(0x0112, 1)
        img = ImageOps.exif_transpose(im) if orientation not in (None, 1) else im
        w_px, h_px = img.size
        if im.format in ("PNG", "JPEG") and img is im:
            data = raw
        else:
            if img.mode not in ("RGB", "RGBA", "L"):
                img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
            out = io.BytesIO()
            img.save(out, format="PNG")
            data = out.getvalue()
    return data, w_px, h_px


def build_pictures(intake: Intake, workbook_dir: Path) -> Pictures:
    figures: dict[str, list[PictureView]] = {k: [] for k in FIGURE_SLOTS}
    attachments: dict[str, list[PictureView]] = {k: [] for k in ATTACHMENT_SLOTS}
    extra: dict[str, list[PictureView]] = defaultdict(list)
    for pic in intake.pictures:
        position = _norm_position(pic.position)
        file_text = clean(pic.file).strip()
        # never a file outside the workbook's folder (validation has said so on the cell already)
        loaded = load_picture(Path(workbook_dir), file_text) if file_text else "未填写文件"
        fm, am = _FIG_RE.match(position), _ATT_RE.match(position)
        if fm:
            key, rest = f"{fm.group(1)}-{fm.group(2)}", fm.group(3).strip()
            default = FIGURE_SLOTS.get(key, rest or position)
        elif am:
            key, rest = am.group(1), am.group(2).strip()
            default = ATTACHMENT_SLOTS.get(key, rest or position)
        else:
            key, rest, default = "", "", position
        title = clean(pic.title).strip() or rest or default
        if isinstance(loaded, str):
            item = PictureView(title, placeholder(
                f"【图片缺失：{file_text or '（未填写）'}，{loaded}。请核对“图片与附件”表第 {pic.row} 行】"),
                False, file_text)
        else:
            data, w, h = loaded
            item = PictureView(title, Picture(data, w, h), True, file_text)
        if fm and key in figures:
            figures[key].append(item)
        elif am and key in attachments:
            attachments[key].append(item)
        else:
            heading = f"附件 {key}：{rest or title}" if am else f"{position}"
            extra[heading].append(item)
    for key, items in figures.items():
        if not items:
            items.append(PictureView(FIGURE_SLOTS[key], placeholder(
                f"【待补充图片：请在“图片与附件”表中填写“图{key} {FIGURE_SLOTS[key]}”】"), False))
    for key, items in attachments.items():
        if not items:
            items.append(PictureView(ATTACHMENT_SLOTS[key], placeholder(
                f"【待补充：请在“图片与附件”表中填写“附件{key} {ATTACHMENT_SLOTS[key]}”】"), False))
    return Pictures(
        # fig.2_1 is not valid Jinja: use fig['2_1']
        fig=MappingProxyType({k.replace("-", "_"): tuple(v) for k, v in figures.items()}),
        att=MappingProxyType({k: tuple(v) for k, v in attachments.items()}),
        extra=tuple(ExtraPictures(h, tuple(v)) for h, v in extra.items()),
    )


# ---- the context -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportContext(ReportView):
    """What a template sees: the ReportView's fields, and these."""

    years: YearsView | None  # 历年对比 (None when no earlier year is known)
    base_year_statement: Text
    base_year_threshold: str
    fig: Mapping[str, tuple[PictureView, ...]]  # fig['2_1'] … fig['2_4']
    att: Mapping[str, tuple[PictureView, ...]]  # att['1'], att['3']
    extra: tuple[ExtraPictures, ...]
    seq: Sequence  # seq('表', 2); the template's `ref` is seq.ref
    logo: Picture | None  # the consultancy profile's logo, for the cover (None: no logo set)

    def names(self) -> dict[str, object]:
        """The template's top-level names."""
        return {**{f.name: getattr(self, f.name) for f in fields(self)}, "ref": self.seq.ref,
                "seq_field": CaptionFields(self.seq)}  # the caption numbers as Word fields (fields.py)


# every class whose fields a template may read (render.py's sandbox allows exactly these)
CONTEXT_VIEWS: tuple[type, ...] = (*VIEWS, ReportContext, PictureView, ExtraPictures)


def build_context(intake: Intake, result: Result, findings: list[Finding], *, workbook_dir: Path,
                  library_version: str = "", logo: bytes | None = None) -> ReportContext:
    view = report_view(intake, result, findings, library_version=library_version)
    years = years_view(intake, result)
    pictures = build_pictures(intake, workbook_dir)
    return ReportContext(
        **{f.name: getattr(view, f.name) for f in fields(ReportView)},
        years=years.years, base_year_statement=years.base_year_statement,
        base_year_threshold=years.base_year_threshold,
        fig=pictures.fig, att=pictures.att, extra=pictures.extra, seq=Sequence(), logo=logo_picture(logo))


def logo_picture(data: bytes | None) -> Picture | None:
    """The profile's logo (PNG or JPEG bytes, checked when it was set) as a cover-sized handle: 15 mm high,
    at most 60 mm wide; None when there is none or it cannot be read now (the cover then has no logo). Read
    as a 图片与附件 picture is (_decoded: the pixel limit, EXIF orientation)."""
    decoded = _decoded(data) if data else None
    if not isinstance(decoded, tuple):
        return None
    data, w_px, h_px = decoded
    height = LOGO_HEIGHT_MM
    width = height * w_px / h_px
    if width > LOGO_MAX_WIDTH_MM:
        width, height = LOGO_MAX_WIDTH_MM, LOGO_MAX_WIDTH_MM * h_px / w_px
    return Picture(data, width, height)
