"""The rules for text a client reads (issue 26), as a test helper: `violations(docx_path, client_strings)`.

A rendered report .docx is read as its text runs (word/document.xml, headers and footers), paragraph by
paragraph, with each character's vertAlign and highlight; table cells know their table's header row. Each
rule below returns one line per breach, naming the rule, the offending text and where it stands, so a
failing test prints what a reader would have seen:

- numbers as the display rule says: tCO2e amounts with two decimals (a positive amount under 0.01 t keeps
  three significant digits), intensities (tCO2e per unit) four significant digits, factors at most four,
  never scientific notation or a raw float (a number with three or more decimals has at most four
  significant digits), thousands separators from 1,000 up, and no 0.00% share beside an amount that is not
  zero ("<0.01%");
- no English word outside a short allowlist (standards and bodies such as GB/T, ISO, IPCC, GHG Protocol;
  GWP sets; unit symbols; chemical formulas; refrigerant names such as R-410A; formula variables);
  bibliography entries ("[1] …") cite English titles and are exempt;
- no factor or finding code (EF-…, E-…, W-…), sheet name (“活动数据”表, 计算明细!…), cell address (C5),
  file name (*.xlsx, *.png …) or ISO date (2025-03-01);
- CO2, CH4, N2O, SF6, NF3, CF4, C2F6 (also inside units: tCO2e, kgCH4/t) with their digits as Word
  subscripts (w:vertAlign="subscript"), never Unicode subscript digits;
- fixed terms: ISO 14064-1 categories are “类别 1–6”, GHG Protocol Scope 3 categories “范围三第 1–15 类”;
- a factor table (header 因子值) cites its sources in short Chinese: no “未核实” or reading notes, and its
  发布日期 is a Chinese date, a year, or “/”.

Text the client typed is exempt: pass those strings as `client_strings` (company name, product and activity
names, measures, free-text fields …); every occurrence of one is masked before the rules run. Highlighted
runs (the 【…】 placeholders a consultant replaces before signing) may name the sheet and field to fill.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

__all__ = ["violations"]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MASK = "\u25a1"  # □: what a client string becomes before the rules read the text

# ---- the allowlists ----------------------------------------------------------------------------------------

ALLOWED_WORDS = frozenset({
    # standards, bodies and programmes a Chinese GHG report names in their own spelling
    "GB", "GB/T", "HJ", "ISO", "IPCC", "GHG", "Protocol", "PAS", "GWP", "GWP100", "SAR", "AR4", "AR5", "AR6",
    "HFC", "HFCs", "PFC", "PFCs", "SHA-256", "ERP", "ESG",
    # unit symbols
    "t", "kg", "g", "mg", "kt", "Mg", "Gg", "kWh", "MWh", "GWh", "Wh", "kW", "MW", "GJ", "MJ", "TJ", "km", "m",
    "m2", "m3", "m²", "m³", "Nm3", "Nm³", "L", "mL", "h", "tkm", "t·km", "tC", "kgce", "tce",
    # polymer names as GB/T 51366 and the library write them; the one journal the library cites
    "PE", "LDPE", "HDPE", "LLDPE", "PP", "PPR", "PVC", "PVC-U", "PET", "PS", "ABS", "Heliyon",
    # formula variables of 2.3.1 and the uncertainty paragraph (their indices are Word subscripts)
    "E", "A", "EF", "U", "i", "j", "ij", "Ei", "Ai", "EFi", "Eij", "Aij", "EFij", "GWPj",
})
_GAS = r"(?:CO2e|CO2|CH4|N2O|SF6|NF3|CF4|C2F6|C)"
_UNIT_ATOM = re.compile(rf"(?:(?:k|m|M|G)?(?:g|t)(?:{_GAS})?|{_GAS}|\d+)")
_FORMULA_TOKEN = re.compile(r"CO2e?|CH4|N2O|SF6|NF3|CF4|C\d+F\d+|c-C4F8|CO|H2O|N2|O2|C")
_REFRIGERANT = re.compile(r"(?:R-\d{2,3}[A-Z]?|(?:HFC|HCFC|CFC|PFC|HFO)-\d+[a-z]*(?:/\d+[a-z]*)?)")
_DESIGNATOR = re.compile(r"[A-Z](?:[.-]\d+)*|\d+\.[A-Z](?:\.\d+)*")  # 表 A.1, 表D.0.1, 表 C-2, 表 8.A.1
_STANDARD_PREFIX = re.compile(r"(?:DB\d+/T|T/[A-Z][A-Z-]*|GB/T|GB|HJ)")
_CONCRETE = re.compile(r"C\d{2}")  # C30混凝土 (a strength class, as GB/T 51366 names it)
_ROMAN = re.compile(r"[IVX]+")
_SIZE = re.compile(r"\d+(?:\.\d+)?(?:t|kg|mm|cm|m|km|kV|MW|TEU|MPa|L)")  # 载重30t, 粒径10~30mm, 200TEU

SHEET_NAMES = ("活动数据", "排放因子", "企业信息", "产品产量", "设备清单", "减排目标", "减排技术", "图片与附件",
               "历史排放", "校验结果", "计算明细", "排放汇总", "减排目标测算", "数据缺口", "范围汇总", "历年对比",
               "场所汇总", "月度数据", "产品碳足迹", "因子库", "填写说明")

# ---- reading the document ----------------------------------------------------------------------------------


@dataclass
class Para:
    """One paragraph: its text with a flag per character, and where it stands."""

    where: str
    text: str = ""
    sub: list[bool] = field(default_factory=list)
    highlight: list[bool] = field(default_factory=list)
    table: Table | None = None
    row: int = -1
    col: int = -1
    first: bool = True  # the first paragraph of its table cell (a cell is judged once, as a whole)


@dataclass
class Table:
    caption: str
    rows: list[list[str]] = field(default_factory=list)  # cell texts (client strings masked)

    def header(self, col: int) -> str:
        return self.rows[0][col] if self.rows and col < len(self.rows[0]) else ""


def _run_flags(r: etree._Element) -> tuple[bool, bool]:
    rpr = r.find(W + "rPr")
    if rpr is None:
        return False, False
    va = rpr.find(W + "vertAlign")
    hl = rpr.find(W + "highlight")
    shd = rpr.find(W + "shd")
    return (va is not None and va.get(W + "val") == "subscript",
            hl is not None or (shd is not None and shd.get(W + "fill", "auto") not in ("auto", "FFFFFF")))


def _para(p: etree._Element, where: str) -> Para:
    out = Para(where)
    chars: list[str] = []
    for r in p.iter(W + "r"):
        sub, hl = _run_flags(r)
        for node in r:
            if node.tag == W + "t":
                s = node.text or ""
            elif node.tag == W + "tab":
                s = "\t"
            elif node.tag in (W + "br", W + "cr"):
                s = "\n"
            elif node.tag == W + "noBreakHyphen":
                s = "-"
            else:
                continue
            chars.append(s)
            out.sub += [sub] * len(s)
            out.highlight += [hl] * len(s)
    out.text = "".join(chars)
    return out


def _mask(p: Para, client: Sequence[str]) -> None:
    text = p.text
    for s in client:
        start = 0
        while (i := text.find(s, start)) >= 0:
            text = text[:i] + MASK * len(s) + text[i + len(s):]
            start = i + len(s)
    p.text = text


def _paragraphs(root: etree._Element, part: str, client: Sequence[str]) -> list[Para]:
    """Every paragraph in document order; a cell's paragraphs carry their table, row and column."""
    out: list[Para] = []
    last_text = ""

    def walk(el: etree._Element, table: Table | None, row: int, col: int) -> None:
        nonlocal last_text
        for child in el:
            if child.tag == W + "p":
                p = _para(child, part)
                _mask(p, client)
                p.table, p.row, p.col = table, row, col
                if table is None:
                    if p.text.strip():
                        last_text = p.text.strip()
                    p.where = f"{part}: “{_short(p.text)}”"
                else:
                    p.where = f"{part}: {table.caption[:30]} 第 {row + 1} 行第 {col + 1} 列"
                out.append(p)
            elif child.tag == W + "tbl":
                t = Table(caption=last_text)
                trs = child.findall(W + "tr")
                for ri, tr in enumerate(trs):
                    cells = tr.findall(W + "tc")
                    texts = []
                    for ci, tc in enumerate(cells):
                        start = len(out)
                        walk(tc, t, ri, ci)
                        for q in out[start + 1:]:
                            q.first = False
                        texts.append("\n".join(q.text for q in out[start:] if q.table is t and q.row == ri
                                               and q.col == ci).strip())
                    t.rows.append(texts)
            elif child.tag in (W + "sdt", W + "sdtContent", W + "body", W + "hdr", W + "ftr", W + "txbxContent",
                               W + "customXml", W + "smartTag", W + "tc"):
                walk(child, table, row, col)

    walk(root, None, -1, -1)
    return out


def _short(text: str, n: int = 40) -> str:
    text = text.replace("\n", " ").strip()
    return text if len(text) <= n else text[:n] + "…"


# ---- the rules ---------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,/\-])[-−]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.]*\d)")
_SCIENTIFIC = re.compile(r"(?<![\w.])\d(?:\.\d+)?[eE][-+]?\d+(?![\w])")
_HEX = re.compile(r"(?<![0-9A-Za-z.])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{12,}…?")  # a SHA-256 prefix
_URL = re.compile(r"(?:https?://|www\.)[\w.\-/?=&%#:~]+")
_ISO_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?!\d)")
_FILE = re.compile(r"[^\s“”（）()、，；：]+\.(?:xlsx|xlsm|xls|docx|doc|pdf|png|jpe?g|csv|json|txt|zip)\b", re.I)
_CODE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?![\w-])")
_CELL = re.compile(r"(?<![A-Za-z0-9])\$?[A-Z]{1,3}\$?[1-9]\d{0,6}(?![A-Za-z0-9])")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-./·²³]*")
_FORMULA = re.compile(r"(?<![A-Z0-9])(C2F6|CO2|CH4|N2O|SF6|NF3|CF4)(?![0-9])")
_UNICODE_SUB = re.compile(r"[₀-₉]")
_CN_DATE = re.compile(r"(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}日)?)?|(?:19|20)\d{2} 年")


def _digits(number: str) -> tuple[str, str]:
    """(integer digits, decimal digits) of a displayed number."""
    n = number.replace(",", "").lstrip("-−")
    whole, _, frac = n.partition(".")
    return whole, frac


def significant(number: str, *, count_trailing_zeros: bool = True) -> int:
    whole, frac = _digits(number)
    digits = (whole + frac).lstrip("0")
    if not frac and not count_trailing_zeros:
        digits = digits.rstrip("0")
    return len(digits)


def _value(number: str) -> float:
    return float(number.replace(",", "").replace("−", "-"))


def _is_total_form(number: str) -> bool:
    """How an amount in tCO2e is shown: two decimals; 0 as "0"; under 0.01 t three significant digits."""
    whole, frac = _digits(number)
    v = abs(_value(number))
    if v == 0:
        return number in ("0", "0.00")
    if v < 0.01:
        return significant(number) == 3
    return len(frac) == 2


def _is_intensity_form(number: str) -> bool:
    v = abs(_value(number))
    if v == 0:
        return number == "0"
    whole, frac = _digits(number)
    if v >= 1000:  # 1,234.56 → four significant digits would drop whole units: at least two decimals
        return len(frac) == 2
    return significant(number) == 4 or (significant(number) > 4 and len(frac) == 2)


def _is_year(number: str) -> bool:
    return "," not in number and "." not in number and 1900 <= int(number.lstrip("-−") or 0) <= 2100


def _number_rules(p: Para, text: str) -> list[str]:
    out: list[str] = []
    for m in _SCIENTIFIC.finditer(text):
        out.append(f"科学计数法 {m.group(0)!r}（{p.where}）")
    for m in _NUMBER.finditer(text):
        number = m.group(0)
        if "e" in number.lower():
            continue
        before = text[max(0, m.start() - 12):m.start()]
        after = text[m.end():m.end() + 8]
        whole, frac = _digits(number)
        # numbers inside designations: GB/T 51366-2019, ISO 14064-1:2018, 公告2024年第33号, 附件1
        if re.search(r"[A-Za-z/]\s?$", before) or re.match(r"\s?[-—–:：]\s?\d", after):
            continue
        if re.match(r"\s?版", after):  # the factor library's edition, 2026.5 版
            continue
        if len(frac) >= 3 and significant(number) > 4:
            out.append(f"未按显示规则修约的数字 {number!r}（小数 3 位以上时至多 4 位有效数字；{p.where}）")
            continue
        if len(whole) >= 4 and "," not in number and not _is_year(number) and not number.startswith("0"):
            out.append(f"缺少千位分隔符 {number!r}（{p.where}）")
        unit = re.match(r"\s?tCO2e(/)?", after)
        if unit and unit.group(1) is None and not _is_total_form(number):
            out.append(f"排放量 {number!r} tCO2e 不是两位小数（{p.where}）")
        elif unit and unit.group(1) and significant(number, count_trailing_zeros=False) > 4 and len(frac) > 2:
            # per unit in running text: an intensity (four significant digits) or a factor (at most four);
            # the tables tell them apart and check intensities exactly
            out.append(f"排放强度或因子 {number!r} 多于 4 位有效数字（{p.where}）")
    return out


def _whole_number(cell: str) -> str | None:
    cell = cell.strip()
    return cell if re.fullmatch(r"[-−]?\d[\d,]*(?:\.\d+)?", cell) else None


def _table_rules(p: Para) -> list[str]:
    """Cells judged by their column header and their row's unit."""
    t = p.table
    if t is None or p.row <= 0 or p.row >= len(t.rows) or p.col >= len(t.rows[p.row]):
        return []
    row = t.rows[p.row]
    cell = row[p.col]
    if not p.first:  # judge a cell once, as a whole
        return []
    header = t.header(p.col)
    number = _whole_number(cell)
    out: list[str] = []
    where = p.where
    if "因子值" in header and number is not None and significant(number, count_trailing_zeros=False) > 4:
        out.append(f"排放因子 {number!r} 多于 4 位有效数字（{where}）")
    if any("因子值" in h for h in t.rows[0]):  # a factor table: its units are factors' units, not intensities
        return out
    if "来源" in header and any("因子值" in h for h in t.rows[0]):
        for word in ("未核实", "所读", "computed", "read"):
            if word in cell:
                out.append(f"因子表的来源含内部说明“{word}”（{where}）")
    if "发布日期" in header and cell not in ("/", "") and not re.fullmatch(
            r"(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|(?:19|20)\d{2} 年)(?:（数据年份 (?:19|20)\d{2}）)?"
            r"|数据年份 (?:19|20)\d{2}", cell):
        out.append(f"发布日期写法 {cell!r}（{where}）")
    if number is None or p.col == 0 and header in ("序号", ""):
        return out
    units = [c for c in row if c.startswith("tCO2e")]
    unit_header = "tCO2e" in header
    if unit_header and "/" not in header.split("tCO2e", 1)[1][:1] or (units and units[0] == "tCO2e"
                                                                      and header in ("数量", "", "合计")):
        if not _is_total_form(number):
            out.append(f"排放量 {number!r} 不是两位小数（{where}）")
    elif "排放强度" in header or (units and units[0].startswith("tCO2e/") and not any(
            k in header for k in ("产量", "分配", "比例", "序号"))):
        if not _is_intensity_form(number):
            out.append(f"排放强度 {number!r} 不是 4 位有效数字（{where}）")
    elif "(tCO2e" in t.caption.replace("（", "(") and not any(k in header for k in ("年份", "占比", "比例")) \
            and not _is_total_form(number):
        out.append(f"排放量 {number!r} 不是两位小数（{where}）")
    return out


def _share_rule(t: Table) -> list[str]:
    out = []
    for ri, row in enumerate(t.rows[1:], start=1):
        if "0.00%" not in row:
            continue
        amounts = [c for ci, c in enumerate(row) if _whole_number(c) and "tCO2e" in t.header(ci)]
        if any(_value(a) > 0 for a in amounts):
            out.append(f"占比 0.00% 而排放量不为 0（应为 <0.01%）：{t.caption[:30]} 第 {ri + 1} 行")
    return out


def _token_kind(tok: str) -> str | None:
    """None when the token is allowed; else what it is (英文单词, 编码, 单元格地址)."""
    tok = tok.rstrip(".-/·")
    if not tok or not re.search(r"[A-Za-z]", tok):
        return None
    if tok in ALLOWED_WORDS or _REFRIGERANT.fullmatch(tok) or _DESIGNATOR.fullmatch(tok):
        return None
    if _STANDARD_PREFIX.fullmatch(tok) or _CONCRETE.fullmatch(tok) or _ROMAN.fullmatch(tok):
        return None
    if _FORMULA_TOKEN.fullmatch(tok):
        return None
    parts = [x for x in re.split(r"[/·]", tok) if x]
    if parts and all(x in ALLOWED_WORDS or _UNIT_ATOM.fullmatch(x) or _FORMULA_TOKEN.fullmatch(x)
                     or _SIZE.fullmatch(x) or _REFRIGERANT.fullmatch(x) for x in parts):
        return None
    if _CODE.fullmatch(tok):
        return "编码"
    if _CELL.fullmatch(tok):
        return "单元格地址"
    return "英文单词"


_INDICES = frozenset({"A", "EF", "GWP", "i", "j", "ij"})


def _without_indices(p: Para, start: int, tok: str) -> str:
    """A formula variable with its index as a Word subscript (U with A below, E with i below) is the
    variable; the index alone is checked against the indices a formula may have."""
    subs = [i for i in range(len(tok)) if start + i < len(p.sub) and p.sub[start + i]]
    if not subs:
        return tok
    index = "".join(tok[i] for i in subs)
    base = "".join(ch for i, ch in enumerate(tok) if i not in subs).rstrip("²³")
    if index.isdigit() or index not in _INDICES:
        return tok
    return base


def _text_rules(p: Para, text: str) -> list[str]:
    out: list[str] = []
    where = p.where
    for m in _ISO_DATE.finditer(text):
        out.append(f"ISO 日期 {m.group(0)!r}（应写作 X年X月X日；{where}）")
    for m in _FILE.finditer(text):
        out.append(f"文件名 {m.group(0)!r}（{where}）")
    unhighlighted = "".join(ch if not hl else MASK for ch, hl in zip(text, p.highlight + [False] * len(text), strict=False))
    for name in SHEET_NAMES:
        for m in re.finditer(rf"“{name}”(?:工作)?表|{name}[!！]|“{name}”工作表|{name}工作表", unhighlighted):
            out.append(f"工作表名 {m.group(0)!r}（{where}）")
    for m in re.finditer(r"(?:[!！]\$?[A-Z]{1,3}\$?\d+)", text):
        out.append(f"单元格地址 {m.group(0)!r}（{where}）")
    if not re.match(r"\s*\[\d+\]", text):  # a bibliography entry cites its English title
        for m in _TOKEN.finditer(text):
            kind = _token_kind(_without_indices(p, m.start(), m.group(0)))
            if kind:
                out.append(f"{kind} {m.group(0)!r}（{where}）")
    for m in re.finditer(r"范围三[（(]?(?:中[，,]?)?\s*类别\s*\d+", text):
        out.append(f"范围三的类别应写作“范围三第 N 类”：{m.group(0)!r}（{where}）")
    for m in re.finditer(r"类别\s*(?:[7-9]|1[0-5])(?!\d)", text):
        out.append(f"ISO 14064-1 只有类别 1–6：{m.group(0)!r}（{where}）")
    for m in re.finditer(r"第\s*\d+\s*类", text):
        if not re.search(r"范围三\s*$", text[:m.start()]):
            out.append(f"“第 N 类”只用于范围三：{m.group(0)!r}（{where}）")
    return out


def _subscript_rules(p: Para, text: str) -> list[str]:
    out: list[str] = []
    for m in _UNICODE_SUB.finditer(text):
        out.append(f"Unicode 下标字符 {m.group(0)!r}（应为 Word 下标；{p.where}）")
    for m in _FORMULA.finditer(text):
        for i in range(m.start(), m.end()):
            if text[i].isdigit() and not (i < len(p.sub) and p.sub[i]):
                out.append(f"{m.group(0)} 的数字不是下标（{p.where}）")
                break
    return out


def _check(p: Para) -> list[str]:
    text = _URL.sub(lambda m: MASK * len(m.group(0)), p.text)
    text = _HEX.sub(lambda m: MASK * len(m.group(0)), text)
    if not text.strip(MASK + " \t\n"):
        return []
    out = _subscript_rules(p, text) + _text_rules(p, text)
    # numbers in designations and dates are not figures
    figures = _CN_DATE.sub(lambda m: MASK * len(m.group(0)), text)
    out += _number_rules(p, figures)
    out += _table_rules(p)
    return out


def _parts(z: zipfile.ZipFile) -> Iterable[str]:
    names = z.namelist()
    yield "word/document.xml"
    for n in sorted(names):
        if re.fullmatch(r"word/(?:header|footer)\d*\.xml", n):
            yield n


def violations(docx_path: str | Path, client_strings: Iterable[str] = ()) -> list[str]:
    """Every breach of the client-text rules in the report at `docx_path`, one line each ([] when none).

    `client_strings`: text the client typed (exempt); strings shorter than two characters are ignored, as
    they would mask ordinary text."""
    lines = {line.strip() for s in client_strings if s for line in str(s).splitlines()}
    client = sorted((s for s in lines if len(s) >= 2), key=len, reverse=True)
    out: list[str] = []
    with zipfile.ZipFile(docx_path) as z:
        for part in _parts(z):
            root = etree.fromstring(z.read(part))
            paras = _paragraphs(root, part.split("/")[-1], client)
            tables: list[Table] = []
            for p in paras:
                out += _check(p)
                if p.table is not None and (not tables or tables[-1] is not p.table):
                    tables.append(p.table)
            for t in tables:
                out += _share_rule(t)
    seen: set[str] = set()
    return [v for v in out if not (v in seen or seen.add(v))]
