"""The template context: everything the report shows, built from one Intake and one Result.

No number is computed twice: every figure in every table is formatted from the same Result, so two tables
can never disagree. Text the consultant must supply but left blank becomes a highlighted placeholder.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from carbon_report.core.contract import LABELS
from carbon_report.core.findings import Code
from carbon_report.core.model import STAGES, Activity, EmissionLine, Finding, Intake, Result, Stage
from carbon_report.io.paths import locate
from carbon_report.io.pictures import image_kind, too_many_pixels
from carbon_report.outputs.computed import stage_note
from carbon_report.outputs.report import numbers as fmt
from carbon_report.outputs.report.charts import GREY, ChartSeries, ChartSpec
from carbon_report.outputs.report.extras import extras_context
from carbon_report.outputs.report.rich import Rich, clean, placeholder
from carbon_report.outputs.report.scopes import scope_context
from carbon_report.outputs.report.years import years_context

# Picture slots the template provides: key → default caption title
FIGURE_SLOTS = {"2-1": "企业概貌", "2-2": "产品概貌", "2-3": "产品生产工艺流程", "2-4": "厂区设备照片"}
ATTACHMENT_SLOTS = {"1": "企业营业执照", "3": "产品碳足迹、绿色证书"}

TEXT_WIDTH_MM = 146.0  # A4 less 31.7 mm margins each side
MAX_PICTURE_HEIGHT_MM = 190.0
MAX_PICTURE_BYTES = 40 * 1024 * 1024

TOTAL_LABEL = "企业碳排放量合计（1+2+3+4+5+6）"
IMPLIED_TOTAL_LABEL = "企业碳排放量合计（各阶段目标之和，隐含）"
# CO2e is not a gas: it is the share of emissions computed with factors given in CO2 equivalents
CO2E_ROW_LABEL = "按 CO2 当量因子计算的排放（未分气体）"
GAS_NAMES_ZH = {
    "CO2": "二氧化碳（CO2）", "CO2e": CO2E_ROW_LABEL, "CH4": "甲烷（CH4）",
    "CH4-fossil": "化石源甲烷（CH4）", "CH4-non-fossil": "非化石源甲烷（CH4）", "N2O": "氧化亚氮（N2O）",
    "SF6": "六氟化硫（SF6）", "NF3": "三氟化氮（NF3）", "CF4": "四氟化碳（CF4）", "C2F6": "六氟乙烷（C2F6）",
}
KYOTO_GROUPS = (("CO2", "二氧化碳（CO2）"), ("CH4", "甲烷（CH4）"), ("N2O", "氧化亚氮（N2O）"),
                ("HFC", "氢氟碳化物（HFCs）"), ("PFC", "全氟化碳（PFCs）"), ("SF6", "六氟化硫（SF6）"),
                ("NF3", "三氟化氮（NF3）"))
# perfluorocarbons by formula
_PFCS = {"CF4", "C2F6", "C3F8", "C4F10", "C-C4F8", "C5F12", "C6F14", "C10F18"}
_STANDARD_YEAR = re.compile(r"(?:GB|GB/T|HJ|JGJ|DB\d*/T|T/[A-Z]+)\s*[\d.]+\s*[-—–]\s*((?:19|20)\d{2})(?!\d)")
GWP_SET_ZH = {"SAR": "IPCC 第二次评估报告（SAR）", "AR4": "IPCC 第四次评估报告（AR4）",
              "AR5": "IPCC 第五次评估报告（AR5）", "AR6": "IPCC 第六次评估报告（AR6）"}
ImageFactory = Callable[[Any, float, float], Any]  # (path or bytes, width mm, height mm) → InlineImage
ChartFactory = Callable[[ChartSpec], Any]  # a chart as data → the run that shows it (charts.add_chart)


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


# ---- small helpers ---------------------------------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n") if p.strip()]


def text_paras(text: str, missing: str) -> list[Rich]:
    paras = paragraphs(text)
    return [Rich(p) for p in paras] if paras else [placeholder(missing)]


def _activity_key(a: Activity) -> tuple[str, int]:
    return (a.amount_cell.sheet, a.row)


def _amount_text(a: Activity) -> str:
    if a.amount_kind == "no_data":
        return fmt.NO_VALUE
    if a.amount_kind == "not_applicable":
        return "不适用"
    return fmt.fmt_amount(a.amount)


def _stage_label(stage: Stage | None) -> str:
    return stage.indicator_zh if stage is not None else TOTAL_LABEL


def gas_group(gas: str, blends: dict[str, dict[str, float]]) -> str | None:
    """The Kyoto basket group of a gas as the result names it (CO2, CH4, N2O, HFC, PFC, SF6, NF3); a blend
    whose components are all of one group is of that group; None for CO2e (not a gas) and unknown gases."""
    g = gas.upper()
    if g == "CO2E":
        return None
    if g.startswith("CH4"):
        return "CH4"
    if g in ("CO2", "N2O", "SF6", "NF3"):
        return g
    if g.startswith("HFC"):
        return "HFC"
    if g in _PFCS or g.startswith("PFC"):
        return "PFC"
    components = blends.get(gas)
    if components:
        groups = {gas_group(c, {}) for c in components}
        if len(groups) == 1:
            return groups.pop()
    return None


def gas_name(gas: str, blends: dict[str, dict[str, float]]) -> str:
    """How the report names a gas: 二氧化碳（CO2）, HFC-134a（氢氟碳化物）, R-410A（氢氟碳化物混合制冷剂，
    HFC-32/HFC-125）."""
    if gas in GAS_NAMES_ZH:
        return GAS_NAMES_ZH[gas]
    group = gas_group(gas, blends)
    if gas in blends:
        parts = "/".join(blends[gas])
        kind = {"HFC": "氢氟碳化物混合制冷剂", "PFC": "全氟化碳混合物"}.get(group or "", "混合气体")
        return f"{gas}（{kind}，{parts}）"
    if group == "HFC":
        return f"{gas}（氢氟碳化物）"
    if group == "PFC":
        return f"{gas}（全氟化碳）"
    return gas


def _published_text(f: Any) -> str:
    """The factor's publication date; without one, the year in its standard's designation
    (GB/T 51366-2019 → 2019 年), which is the edition the value was read from."""
    published = fmt.fmt_date(f.published) if f.published else ""
    if not published:
        m = _STANDARD_YEAR.search(clean(f.source))
        if m:
            published = f"{m.group(1)} 年"
    if f.data_year:
        published = f"{published}（数据年份 {f.data_year}）" if published else f"数据年份 {f.data_year}"
    return published


def library_edition(version: str, library_version: str) -> str:
    """The factor library named as a dated edition: 2026.3 版（2026 年 11 月 25 日）."""
    if version != library_version:
        return f"{version} 版"
    try:
        import tomllib
        from importlib.resources import files

        meta = tomllib.loads(files("carbon_report.core.factors").joinpath("meta.toml").read_text("utf-8"))
        day = fmt.fmt_date(str(meta.get("date", "")))
    except (OSError, ValueError, ModuleNotFoundError):
        day = ""
    return f"{version} 版（{day}）" if day else f"{version} 版"


def _investment_sum(texts: list[str]) -> str:
    """Σ of investment estimates written as numbers or ranges (2-3, 0.5~1): '2.5-6'; '' when one is not."""
    lo = hi = Decimal(0)
    seen = False
    for t in texts:
        t = clean(t).strip().replace("万元", "").replace("～", "-").replace("~", "-").replace("—", "-")
        if not t:
            continue
        m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?", t)
        if not m:
            return ""
        seen = True
        lo += Decimal(m.group(1))
        hi += Decimal(m.group(2) or m.group(1))
    if not seen:
        return ""
    return f"{lo.normalize():f}" if lo == hi else f"{lo.normalize():f}-{hi.normalize():f}"


# ---- pictures --------------------------------------------------------------------------------------------


@dataclass
class PictureItem:
    title: str
    image: Any  # an InlineImage, or a highlighted Rich placeholder
    ok: bool
    file: str = ""


_FIG_RE = re.compile(r"^图\s*(\d+)\s*[-－—–.．]\s*(\d+)\s*(.*)$")
_ATT_RE = re.compile(r"^附件\s*(\d+)\s*[：:]?\s*(.*)$")


def _norm_position(text: str) -> str:
    return clean(text).translate(str.maketrans("０１２３４５６７８９", "0123456789")).strip()


def load_picture(path: Path) -> tuple[Any, float, float] | str:
    """(image data, width mm, height mm) sized to the text width, or a Chinese reason it cannot be used.
    Only PNG and JPEG, known by content; Pillow's decompression-bomb check ends in a placeholder, never in
    a warning on the console."""
    if not path.is_file():
        return "文件不存在"
    try:
        if path.stat().st_size > MAX_PICTURE_BYTES:
            return "文件过大"
        with path.open("rb") as f:
            if image_kind(f.read(8)) is None:
                return "不是 PNG 或 JPEG 图片"
        if too_many_pixels(path):
            return "图片像素过多"
        import warnings

        from PIL import Image

        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            data, w_px, h_px = _decode(path)
    except Exception:  # noqa: BLE001 - any decoder error means "unreadable"
        return "文件不是可识别的图片或已损坏"
    if not w_px or not h_px:
        return "图片尺寸无效"
    width = TEXT_WIDTH_MM
    height = width * h_px / w_px
    if height > MAX_PICTURE_HEIGHT_MM:
        height = MAX_PICTURE_HEIGHT_MM
        width = height * w_px / h_px
    return data, width, height


def _decode(path: Path) -> tuple[Any, int, int]:
    """The bytes to embed (the file itself, or a PNG of it turned upright by its EXIF orientation) and its
    size in pixels."""
    import io

    from PIL import Image, ImageOps

    with Image.open(path) as im:
        im.load()
        orientation = im.getexif().get(0x0112, 1)
        img = ImageOps.exif_transpose(im) if orientation not in (None, 1) else im
        w_px, h_px = img.size
        if im.format in ("PNG", "JPEG") and img is im:
            data: Any = path.read_bytes()
        else:
            if img.mode not in ("RGB", "RGBA", "L"):
                img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
            out = io.BytesIO()
            img.save(out, format="PNG")
            data = out.getvalue()
    return data, w_px, h_px


def build_pictures(intake: Intake, workbook_dir: Path, image: ImageFactory) -> dict[str, Any]:
    figures: dict[str, list[PictureItem]] = {k: [] for k in FIGURE_SLOTS}
    attachments: dict[str, list[PictureItem]] = {k: [] for k in ATTACHMENT_SLOTS}
    extra: dict[str, list[PictureItem]] = defaultdict(list)
    for pic in intake.pictures:
        position = _norm_position(pic.position)
        file_text = clean(pic.file).strip()
        loaded: tuple[Any, float, float] | str
        if not file_text:
            loaded = "未填写文件"
        else:  # never a file outside the workbook's folder (validation has said so on the cell already)
            where = locate(Path(workbook_dir), file_text)
            loaded = ("文件不在工作簿所在文件夹内，未读取" if where.outside
                      else "文件不存在" if where.path is None else load_picture(where.path))
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
            item = PictureItem(title, placeholder(
                f"【图片缺失：{file_text or '（未填写）'}，{loaded}。请核对“图片与附件”表第 {pic.row} 行】"),
                False, file_text)
        else:
            data, w, h = loaded
            item = PictureItem(title, image(data, w, h), True, file_text)
        if fm and key in figures:
            figures[key].append(item)
        elif am and key in attachments:
            attachments[key].append(item)
        else:
            heading = f"附件 {key}：{rest or title}" if am else f"{position}"
            extra[heading].append(item)
    for key, items in figures.items():
        if not items:
            items.append(PictureItem(FIGURE_SLOTS[key], placeholder(
                f"【待补充图片：请在“图片与附件”表中填写“图{key} {FIGURE_SLOTS[key]}”】"), False))
    for key, items in attachments.items():
        if not items:
            items.append(PictureItem(ATTACHMENT_SLOTS[key], placeholder(
                f"【待补充：请在“图片与附件”表中填写“附件{key} {ATTACHMENT_SLOTS[key]}”】"), False))
    return {
        "fig": {k.replace("-", "_"): v for k, v in figures.items()},  # fig.2_1 is not valid Jinja: use fig['2_1']
        "att": attachments,
        "extra": [{"heading": h, "items": v} for h, v in extra.items()],
    }


# ---- the context -----------------------------------------------------------------------------------------


@dataclass
class StageView:
    stage: Stage
    long: str
    indicator: str
    activities: list[Activity]
    quantified: bool  # at least one row with a number
    value: float
    value_text: str
    share_text: str
    note: str
    coverage_rows: list[dict[str, str]] = field(default_factory=list)
    activity_rows: list[dict[str, Any]] = field(default_factory=list)
    result_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_rows(self) -> bool:
        return bool(self.activities)


# A stage's activity tables list at most this many rows; the rest is one row saying how many more there are
# and where they are listed (计算明细 lists every one). A report of 20,000 rows would be some 400 pages that
# no reader wants and that LibreOffice needs minutes to paginate for the 目录.
REPORT_TABLE_ROWS = 200  # 500 measured: 98 s with the 目录 filled at 20,000 rows; 200: 34 s under load 5
REPORT_SOURCE_NAMES = 50  # names listed per type in the coverage table, the same way


def _names_text(names: list[str]) -> str:
    if len(names) <= REPORT_SOURCE_NAMES:
        return "、".join(names)
    return "、".join(names[:REPORT_SOURCE_NAMES]) + f" 等 {len(names):,} 项（完整清单见计算结果工作簿“计算明细”工作表）"


def _rest_rows(view: StageView, rest: list[Activity], lines_by_activity: dict[tuple[str, int], list[EmissionLine]]) -> None:
    """The row that stands for the activities past REPORT_TABLE_ROWS: how many, and their emissions together
    (so that the table still adds up to the stage's total)."""
    where = f"其余 {len(rest):,} 项活动，逐项明细见计算结果工作簿“计算明细”工作表"
    counted = [x for a in rest for x in lines_by_activity.get(_activity_key(a), []) if not x.factor.biogenic]
    # the activity table's name column is narrow: the pointer goes into 备注, the widest
    view.activity_rows.append({"no": "…", "type": "", "name": f"其余 {len(rest):,} 项活动", "amount": "",
                               "unit": Rich(""), "source": "", "note": "逐项明细见计算结果工作簿“计算明细”工作表"})
    view.result_rows.append({"no": "…", "name": where + "（合计）", "amount": "", "unit": Rich(""),
                             "tco2e": fmt.fmt_tco2e(sum(x.tco2e for x in counted)) if counted else "0"})


def build_context(intake: Intake, result: Result, findings: list[Finding], *, workbook_dir: Path,
                  image: ImageFactory, chart: ChartFactory | None = None,
                  library_version: str = "") -> dict[str, Any]:
    from carbon_report.core.factors import load_library

    c = intake.company
    year, base_year = c.year, c.base_year
    acts_by_stage: dict[Stage, list[Activity]] = {s: [a for a in intake.activities if a.stage == s] for s in STAGES}
    # lines that carry a number: calculate.py also makes zero lines for no-data rows, and biogenic CO2 is
    # reported apart from every total
    value_lines = [x for x in result.lines if x.activity.amount_kind == "value"]
    lines_by_activity: dict[tuple[str, int], list[EmissionLine]] = defaultdict(list)
    for line in value_lines:
        lines_by_activity[_activity_key(line.activity)].append(line)

    # a stage is quantified when at least one of its rows has a number; otherwise it shows "/"
    quantified = {s: any(a.amount_kind == "value" for a in acts_by_stage[s]) for s in STAGES}
    shares: dict[Any, Decimal] = {}
    share_parts = {s: result.stage_totals.get(s, 0.0) for s in STAGES if quantified[s]}
    if result.total > 0 and share_parts:
        shares = largest_remainder_safe(share_parts)

    stages: list[StageView] = []
    for s in STAGES:
        acts = acts_by_stage[s]
        value = result.stage_totals.get(s, 0.0)
        view = StageView(
            stage=s, long=s.long_zh, indicator=s.indicator_zh, activities=acts, quantified=quantified[s],
            value=value, value_text=fmt.fmt_tco2e(value) if quantified[s] else fmt.NO_VALUE,
            share_text=fmt.fmt_share(shares.get(s)) if quantified[s] and shares else fmt.NO_VALUE,
            note=stage_note(acts))
        by_type: dict[str, dict[str, None]] = {}  # ordered sets, as by_source below
        for a in acts:
            by_type.setdefault(clean(a.type).strip() or s.short_zh, {})[clean(a.name)] = None
        view.coverage_rows = [{"stage": f"{s.long_zh}阶段", "type": t, "sources": _names_text(list(n))}
                              for t, n in by_type.items()]
        for i, a in enumerate(acts[:REPORT_TABLE_ROWS], start=1):
            lines = lines_by_activity.get(_activity_key(a), [])
            view.activity_rows.append({
                "no": i, "type": clean(a.type), "name": clean(a.name), "amount": _amount_text(a),
                "unit": Rich(a.unit), "source": clean(a.source), "note": clean(a.note)})
            counted = [x for x in lines if not x.factor.biogenic]
            if a.amount_kind == "value" and counted:
                emis = fmt.fmt_tco2e(sum(x.tco2e for x in counted))
            elif a.amount_kind == "value":
                emis = "未计入（无排放因子）" if not lines else "0"
            else:
                emis = _amount_text(a)
            view.result_rows.append({"no": i, "name": clean(a.name), "amount": _amount_text(a),
                                     "unit": Rich(a.unit), "tco2e": emis})
        if len(acts) > REPORT_TABLE_ROWS:
            _rest_rows(view, acts[REPORT_TABLE_ROWS:], lines_by_activity)
        stages.append(view)

    total_text = fmt.fmt_tco2e(result.total) if any(quantified.values()) else fmt.NO_VALUE
    total_share = "100.00%" if shares else fmt.NO_VALUE
    t_unit = Rich("tCO2e")

    # 表 A.1 and the summary table: stages, total, then intensities in their own labelled rows
    summary_rows: list[dict[str, Any]] = [
        {"no": i, "label": v.indicator, "unit": t_unit, "value": v.value_text, "share": v.share_text,
         "note": v.note} for i, v in enumerate(stages, start=1)]
    summary_rows.append({"no": len(stages) + 1, "label": TOTAL_LABEL, "unit": t_unit, "value": total_text,
                         "share": total_share, "note": "全厂合计"})
    intensity_rows = []
    for it in result.intensities:
        is_output_value = it.product == "工业总产值" and it.unit == "万元"
        label = "单位工业总产值碳排放强度" if is_output_value else f"单位产品碳排放强度（{clean(it.product)}）"
        basis = (f"企业合计 ÷ 工业总产值 {fmt.fmt_amount(it.output)} 万元" if is_output_value else
                 f"企业合计 × 分配比例 {fmt.fmt_pct(it.allocation_pct)} ÷ 产量 {fmt.fmt_amount(it.output)} "
                 f"{clean(it.unit)}")
        intensity_rows.append({"label": label, "unit": Rich(f"tCO2e/{clean(it.unit)}"),
                               "value": fmt.fmt_intensity(it.tco2e_per_unit), "basis": basis,
                               "note": "按工业总产值计" if is_output_value else "按产品产量计",
                               "product": clean(it.product), "output": fmt.fmt_amount(it.output),
                               "product_unit": clean(it.unit), "allocation": fmt.fmt_pct(it.allocation_pct)})
    for j, r in enumerate(intensity_rows, start=len(summary_rows) + 1):
        summary_rows.append({"no": j, "label": r["label"], "unit": r["unit"], "value": r["value"],
                             "share": "—", "note": r["note"]})

    # factors actually used, in the order the activities use them
    factor_rows = []
    seen: set[str] = set()
    for line in value_lines:
        code = line.factor.code
        if code in seen:
            continue
        seen.add(code)
        for f in intake.factors.get(code) or tuple(x.factor for x in value_lines if x.factor.code == code):
            published = _published_text(f)
            source = clean(f.source)
            if f.origin == "workbook":  # traceability to the cell stays in the computed workbook
                source = f"企业提供的排放因子：{source}" if source else "企业提供的排放因子"
            factor_rows.append({"no": len(factor_rows) + 1, "name": clean(f.name), "code": clean(f.code),
                                "gas": Rich(f.gas), "value": fmt.fmt_factor(f.value), "unit": Rich(f.unit),
                                "source": source or "/", "published": published or "/"})

    # gases, GWP
    library = load_library()
    gwp_set = c.gwp_version or "AR6"
    gwp_used: dict[str, float] = {}
    for line in value_lines:
        gwp_used.setdefault(line.factor.gas, line.gwp)
    gas_shares = largest_remainder_safe({g: v for g, v in result.gas_totals.items() if v > 0}) \
        if result.total > 0 else {}
    gas_rows = []
    for i, (gas, tco2e) in enumerate(sorted(result.gas_totals.items(), key=lambda kv: -kv[1]), start=1):
        gwp = gwp_used.get(gas)
        gas_rows.append({
            "no": i, "gas": Rich(gas_name(gas, library.blends)),
            "gwp": "—" if gas == "CO2e" else (fmt.fmt_plain(gwp) if gwp is not None else "/"),
            "tonnes": "—" if gas == "CO2e" else fmt.fmt_gas_tonnes(result.gas_tonnes.get(gas, 0.0)),
            "tco2e": fmt.fmt_tco2e(tco2e), "share": fmt.fmt_share(gas_shares.get(gas))})
    # the gases named in the text are exactly those in the result; CO2e is emissions, not a gas
    present = {g for g, v in result.gas_totals.items() if v > 0}
    present_gases = [g for g in sorted(present, key=lambda g: -result.gas_totals[g]) if g != "CO2e"]
    present_named = [gas_name(g, library.blends) for g in present_gases]
    present_groups = {gas_group(g, library.blends) for g in present_gases}
    absent = [zh for key, zh in KYOTO_GROUPS if key not in present_groups]

    # data honesty: gaps, exclusions, sources
    gap_acts = [a for a in intake.activities if a.amount_kind == "no_data"]
    gaps = [{"no": i, "stage": a.stage.long_zh, "name": clean(a.name), "unit": Rich(a.unit),
             "note": clean(a.note) or "企业未能提供数据，计为 0"}
            for i, a in enumerate(gap_acts[:REPORT_TABLE_ROWS], start=1)]
    if len(gap_acts) > REPORT_TABLE_ROWS:
        gaps.append({"no": "…", "stage": "", "name": f"其余 {len(gap_acts) - REPORT_TABLE_ROWS:,} 项见计算结果工作簿“计算明细”工作表",
                     "unit": Rich(""), "note": ""})
    excluded_acts = [a for a in intake.activities if a.amount_kind == "not_applicable"]
    excluded = [{"no": i, "stage": a.stage.long_zh, "name": clean(a.name), "reason": clean(a.note) or "/"}
                for i, a in enumerate(excluded_acts[:REPORT_TABLE_ROWS], start=1)]
    if len(excluded_acts) > REPORT_TABLE_ROWS:
        excluded.append({"no": "…", "stage": "", "reason": "",
                         "name": f"其余 {len(excluded_acts) - REPORT_TABLE_ROWS:,} 项见计算结果工作簿“计算明细”工作表"})
    by_source: dict[str, dict[str, None]] = {}  # dicts as ordered sets: a list's `in` is quadratic at 20,000 rows
    for a in intake.activities:
        if a.amount_kind != "value":
            continue
        by_source.setdefault(clean(a.source).strip() or "未注明", {})[clean(a.name)] = None
    sources = [{"no": i, "source": s, "activities": _names_text(list(n))} for i, (s, n) in enumerate(by_source.items(), 1)]

    # targets, grouped by year
    targets_by_year: dict[int, list[Any]] = defaultdict(list)
    for t in result.targets:
        targets_by_year[t.year].append(t)
    stage_order = {s: i for i, s in enumerate(STAGES)}
    target_years = []
    # the enterprise total per target year: given, or implied by the stage targets (path for chart and text)
    total_path: list[dict[str, Any]] = []
    for yr in sorted(targets_by_year):
        rows = []
        items = sorted(targets_by_year[yr], key=lambda t: (t.kind != "total", stage_order.get(t.stage, 99),
                                                          t.product or ""))
        given_total = next((t for t in items if t.kind == "total" and t.stage is None), None)
        stage_targets = [t for t in items if t.kind == "total" and t.stage is not None]
        implied_note = ""
        for t in items:
            if t.kind == "total":
                ok = t.stage is None or base_year != year or quantified.get(t.stage, False)
                rows.append({"label": _stage_label(t.stage), "unit": Rich("tCO2e"),
                             "base": fmt.fmt_tco2e(t.base_value) if ok else fmt.NO_VALUE,
                             "pct": fmt.fmt_pct(t.reduction_pct),
                             "target": fmt.fmt_tco2e(t.target_value) if ok else fmt.NO_VALUE})
                if t is given_total:
                    total_path.append({"year": yr, "base": t.base_value, "target": t.target_value,
                                       "pct": t.reduction_pct, "implied": False})
            else:
                label = (f"单位产品碳排放强度（{clean(t.product)}）" if t.product and t.product != "工业总产值"
                         else "单位工业总产值碳排放强度")
                rows.append({"label": label, "unit": Rich(f"tCO2e/{clean(t.unit or '')}"),
                             "base": fmt.fmt_intensity(t.base_value), "pct": fmt.fmt_pct(t.reduction_pct),
                             "target": fmt.fmt_intensity(t.target_value)})
        if given_total is None and stage_targets:
            # Only stage targets: their sum is the total the company has implicitly committed to. A stage
            # without a target is counted at its base-year level, and the note says so.
            covered = {t.stage for t in stage_targets}
            untargeted = [s for s in STAGES if s not in covered]
            rest = sum(result.base_year_totals.get(s, 0.0) for s in untargeted)
            base = sum(t.base_value for t in stage_targets) + rest
            target = sum(t.target_value for t in stage_targets) + rest
            pct = round((1 - target / base) * 100, 2) if base > 0 else 0.0  # derived: shown to 0.01 %
            rows.insert(len(stage_targets), {"label": IMPLIED_TOTAL_LABEL, "unit": Rich("tCO2e"), "base": fmt.fmt_tco2e(base),
                             "pct": fmt.fmt_pct(pct), "target": fmt.fmt_tco2e(target)})
            implied_note = (f"企业未直接设定 {yr} 年企业碳排放总量目标；合计行为各阶段目标之和，即隐含的企业碳排放"
                            f"总量目标，减排比例据此推算")
            if untargeted:
                implied_note += f"（{'、'.join(s.long_zh for s in untargeted)}阶段未设目标，按基准年排放量计）"
            implied_note += "。"
            total_path.append({"year": yr, "base": base, "target": target, "pct": pct, "implied": True})
        target_years.append({"year": yr, "rows": rows, "implied_note": implied_note})
    base_total = result.base_year_totals.get(None, total_path[0]["base"] if total_path else result.total)
    target_sentences = []
    for p_ in total_path:
        if p_["implied"]:
            target_sentences.append(f"{p_['year']} 年各阶段目标合计 {fmt.fmt_tco2e(p_['target'])} tCO2e，即隐含的企业"
                                    f"碳排放总量目标，较基准年降低 {fmt.fmt_pct(p_['pct'])}")
        else:
            target_sentences.append(f"{p_['year']} 年企业碳排放总量较基准年降低 {fmt.fmt_pct(p_['pct'])}"
                                    f"（目标值 {fmt.fmt_tco2e(p_['target'])} tCO2e）")
    intensity_targets = sorted((t for t in result.targets if t.kind == "intensity"), key=lambda t: (t.year, t.product or ""))
    target_sentences += [f"{t.year} 年{'单位产品' if t.product != '工业总产值' else '单位工业总产值'}碳排放强度"
                         f"{'（' + clean(t.product) + '）' if t.product and t.product != '工业总产值' else ''}"
                         f"较基准年降低 {fmt.fmt_pct(t.reduction_pct)}" for t in intensity_targets]
    if target_sentences:
        target_summary = Rich(f"以 {base_year} 年为基准年（基准年排放量 {fmt.fmt_tco2e(base_total)} tCO2e），"
                              + "；".join(target_sentences) + "。")
    elif result.targets:
        target_summary = Rich(f"以 {base_year} 年为基准年，各阶段减排目标见下表。")
    else:
        target_summary = placeholder("【待补充：企业减排目标（企业未提供减排目标）】")
    if base_year == year:
        base_year_source = Rich(f"基准年排放量即本报告核算年度（{year} 年）的核算结果。")
    elif result.history is not None and result.history.base is not None:
        b = result.history.base
        how = "按本报告的方法和边界重新计算（原因及影响见下文）" if b.recalculated else "按该年原报告的口径计算"
        base_year_source = Rich(f"基准年排放量取自企业 {base_year} 年的填报数据，{how}"
                                f"（合计 {fmt.fmt_tco2e(base_total)} tCO2e）。")
    else:
        base_year_source = Rich(f"基准年排放量取自企业提供的 {base_year} 年排放数据"
                                f"（合计 {fmt.fmt_tco2e(base_total)} tCO2e），未按本报告的方法重新核算。")

    # measures (附表 2-1)
    measures = []
    for i, m in enumerate(intake.measures, start=1):
        if m.stage is None:
            label, emis = "企业整体", total_text
        else:
            view = stages[stage_order[m.stage]]
            label, emis = m.stage.indicator_zh, view.value_text
        measures.append({"no": i, "stage": label, "emissions": emis, "measure": clean(m.measure),
                         "rate": fmt.fmt_pct(m.annual_rate_pct) if m.annual_rate_pct is not None else "",
                         "investment": clean(m.investment), "note": clean(m.note)})
    # the seed's 合计 row: the enterprise total and the summed investment estimate
    # (the rows here are measures, not the six stages, so the label carries no "1+2+…+6")
    measures_total = {"no": len(measures) + 1, "stage": "企业碳排放量合计", "emissions": total_text,
                      "investment": _investment_sum([m.investment for m in intake.measures])} if measures else None

    # chapter 2.4 summary sentences
    summary_points: list[Rich] = []
    if any(quantified.values()):
        main = max((v for v in stages if v.quantified), key=lambda v: v.value)
        summary_points.append(Rich(
            f"{year} 年度企业碳排放总量为 {total_text} tCO2e；其中{main.long}阶段排放量最大，为 "
            f"{main.value_text} tCO2e，占 {main.share_text}。"))
    for r in intensity_rows:
        summary_points.append(Rich(f"{r['label']}为 {r['value']} {r['unit'].plain}（{r['basis']}）。"))
    co2e = result.gas_totals.get("CO2e", 0.0)
    by_co2e_factors = ("按以 CO2 当量给出的排放因子（如原材料“摇篮到大门”排放因子）计算，这类因子已涵盖其所含的各种"
                       "温室气体，未再按气体拆分")
    if present_named:
        sentence = (f"本报告按气体核算的温室气体为{'、'.join(present_named)}，按{GWP_SET_ZH.get(gwp_set, gwp_set)}"
                    "的全球增温潜势折算为二氧化碳当量")
        if co2e > 0:
            sentence += f"；另有 {fmt.fmt_tco2e(co2e)} tCO2e 的排放{by_co2e_factors}"
        if absent:
            sentence += f"；按气体核算的排放源中未涉及{'、'.join(absent)}"
        summary_points.append(Rich(sentence + "。"))
    elif co2e > 0:
        summary_points.append(Rich(f"本年度的排放量（{fmt.fmt_tco2e(co2e)} tCO2e）均{by_co2e_factors}。"))
    if gaps or excluded:
        bits = []
        if gaps:
            bits.append(f"{len(gaps)} 项活动数据缺失（以“/”表示，计为 0）")
        if excluded:
            bits.append(f"{len(excluded)} 项排放源不适用（已说明原因）")
        summary_points.append(Rich("，".join(bits) + "，详见 2.3.5 节；补充数据后排放量可能增加。"))
    if any(f.code == Code.W_GREEN_POWER_NO_RESIDUAL for f in findings):
        summary_points.append(Rich(
            "绿电按市场法计为 0，而其余外购电力采用的位置法电网平均因子没有对应的剩余电网组合因子（不包括市场化交易的"
            "非化石能源电量），绿电电量仍含在该平均因子中，可能被重复声明。"))

    missing_stages = [s.long_zh for s in STAGES if not acts_by_stage[s]]
    covered = [f"{s.long_zh}阶段" for s in STAGES if acts_by_stage[s]]
    coverage = Rich("+".join(covered) if covered else "/")
    if missing_stages:
        coverage.add(f"（{'、'.join(missing_stages)}阶段本年度未发生相关活动，报告中以“/”表示）")

    company = {k: clean(v) for k, v in c.texts.items()}
    company.update({
        "name": clean(c.name), "uscc": clean(c.uscc), "year": year, "base_year": base_year,
        "report_date": fmt.fmt_date(c.report_date), "output_value": c.output_value,
    })
    for key in ("review_date", "approval_date"):
        company[key] = fmt.fmt_date(c.texts.get(key, "")) or company["report_date"]
    for key in ("registered_address", "address", "industry", "report_no", "agency_name", "agency_address",
                "contact", "phone", "team_leader", "team_members", "reviewer", "approver", "disclosure_time",
                "disclosure_body"):
        company.setdefault(key, "")
    # cover and sign-off: the consultant's fields, a highlighted placeholder while blank (completeness.py
    # warns once for each)
    cover: dict[str, Rich] = {}
    for key, label in (("report_no", "报告编号"), ("agency_name", "技术服务机构名称"), ("report_date", "报告日期"),
                       ("team_leader", "组长"), ("reviewer", "技术复核人"), ("approver", "批准人"),
                       ("review_date", "复核日期"), ("approval_date", "批准日期")):
        value = str(company.get(key) or "").strip()
        cover[key] = Rich(value, formulas=False) if value else placeholder(f"【待填写：{label}】")

    # Every paragraph label of 企业信息 (contract.LABELS), with a visible placeholder naming where to fill it.
    texts = {lab.key: text_paras(c.text(lab.key), f"【待填写：{lab.text}（“企业信息”表“{lab.text}”）】")
             for lab in LABELS if lab.long_text or lab.key in ("disclosure_time", "disclosure_body")}
    texts["conclusion"] = text_paras(c.text("conclusion"), "【评价结论待填写】")
    texts["advice"] = text_paras(c.text("advice"), "【建议待填写】")
    org = paragraphs(c.text("org_boundary"))
    org_boundary = Rich("".join(org)) if org else placeholder("【待填写：组织边界（“企业信息”表“组织边界”）】")

    products = [{"no": i, "name": clean(p.name), "output": fmt.fmt_amount(p.output), "unit": clean(p.unit),
                 "for_intensity": "是" if p.for_intensity else "否", "allocation": fmt.fmt_pct(p.allocation_pct)}
                for i, p in enumerate(intake.products, start=1)]
    equipment = [{"no": i, "name": clean(e.name), "model": clean(e.model), "unit": clean(e.unit),
                  "quantity": fmt.fmt_amount(e.quantity) if e.quantity is not None else "",
                  "energy": clean(e.energy)} for i, e in enumerate(intake.equipment, start=1)]

    chart_share = chart_target = None
    if chart is not None:
        if shares:
            # the shares the tables print (largest remainder), so chart and table never disagree
            chart_share = chart(ChartSpec(
                kind="bar", title=f"{year} 年各阶段碳排放占比", categories=[v.long for v in stages],
                series=[ChartSeries("占比（%）", [float(shares[v.stage]) if v.stage in shares else None
                                                 for v in stages])],
                number_format='0.00"%"', axis_format='0"%"', value_axis_title="占比（%）"))
        if total_path:
            cats = [f"{base_year} 年（基准年）"] + [f"{p_['year']} 年" + ("（隐含）" if p_["implied"] else "")
                                                for p_ in total_path]
            values = [base_total] + [p_["target"] for p_ in total_path]
            big = max(values) >= 100
            chart_target = chart(ChartSpec(
                kind="column", title="企业碳排放总量目标路径", categories=cats,
                series=[ChartSeries("企业碳排放总量（tCO2e）", values, colors=[GREY])],
                number_format="#,##0.00", axis_format="#,##0" if big else "#,##0.00",
                value_axis_title="tCO2e", height_mm=80.0))

    version = library_version or intake.library_version or library.version
    return {
        **scope_context(intake, result),  # the section after 2.3.3: the same lines by scope and category
        **years_context(intake, result, chart),  # 历年对比 after the scopes, the base-year statement in 3.1
        **extras_context(intake, result, chart),  # issue 16: sites, months, evidence, uncertainty
        "company": company,
        "year": year,
        "base_year": base_year,
        "texts": texts,
        "org_boundary": org_boundary,
        "coverage": coverage,
        "stages": stages,
        "stage": {v.stage.value: v for v in stages},
        "coverage_groups": [
            [stages[0]], [stages[1], stages[2]], [stages[3], stages[4], stages[5]]],
        "stages_with_rows": [v for v in stages if v.has_rows],
        "stages_without_rows": "、".join(v.long for v in stages if not v.has_rows),
        "summary_rows": summary_rows,
        "total_text": total_text,
        "intensity_rows": intensity_rows,
        "products": products,
        "equipment": equipment,
        "factor_rows": factor_rows,
        "gas_rows": gas_rows,
        "gwp": {"set": gwp_set, "name": GWP_SET_ZH.get(gwp_set, gwp_set),
                "source": clean(library.gwp_sources.get(gwp_set, ""))},
        "gaps": gaps,
        "excluded": excluded,
        "sources": sources,
        "targets": target_years,
        "target_summary": target_summary,
        "base_year_source": base_year_source,
        "measures": measures,
        "measures_total": measures_total,
        "cover": cover,
        "library_edition": library_edition(library_version or intake.library_version or library.version,
                                           library.version),
        "summary_points": summary_points,
        "charts": {"share": chart_share, "target": chart_target},
        "library_version": version,
        "has_co2e": "CO2e" in present,
        "biogenic": Rich(
            f"生物源二氧化碳排放 {fmt.fmt_gas_tonnes(result.biogenic_co2_t)} t（如生物质燃料燃烧），按 "
            "GB/T 32150-2015 和 ISO 14064-1 的要求单独报告，不计入上述排放量及排放总量。"
            if result.biogenic_co2_t > 0 else "本年度活动数据未涉及生物源二氧化碳排放。"),
        "findings_count": {"warnings": sum(1 for f in findings if not f.is_error)},
        **build_pictures(intake, workbook_dir, image),
    }


def largest_remainder_safe(parts: dict[Any, float]) -> dict[Any, Decimal]:
    positive = {k: max(v, 0.0) for k, v in parts.items()}
    if sum(positive.values()) <= 0:
        return {}
    return fmt.largest_remainder(positive)
