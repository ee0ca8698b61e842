"""Tidy tables of results, for platforms and analysts (`carbon-report export`, `WorkbookResult.to_frame`).

Long format, one fact per row, every table keyed by the input file's SHA-256 and path, so the tables of many
workbooks (a batch, several runs) concatenate cleanly:

    workbooks  one row per workbook: status, company, template version, factor-library edition, GWP set, total
    lines      one row per 活动数据 row × gas of its factor: amount, factor, source, scope, ISO category, site
    months     one row per 活动数据 row given by month × month: amount and tCO2e of that month
    totals     one row per total: the total, each stage, scope, ISO 14064-1 category and site (and each of
               those per stage)
    findings   one row per finding (error or warning) with its sheet, cell and code

    build_tables(results) -> dict[name, Table]        (rows cut from outputs/results.WorkbookResult)
    write_csv(tables, out_dir, force=) / write_xlsx(tables, path, force=) / readme(format)
    to_frame(results, name) -> pandas.DataFrame         (pandas imported only here: carbon-report[pandas])

Column names are English identifiers (for code); README.md, written beside the tables, says what each column
is in Chinese and English, with its unit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from carbon_report.core.errors import OutputExists, PandasMissing, UsageError
from carbon_report.core.model import Stage
from carbon_report.outputs.results import WorkbookResult

if TYPE_CHECKING:
    import pandas

Kind = Literal["text", "number", "integer", "boolean"]
Format = Literal["csv", "xlsx"]
FORMATS: tuple[str, ...] = ("csv", "xlsx")
XLSX_NAME = "tables.xlsx"
README_NAME = "README.md"
# Text that Excel would run as a formula when it opens a CSV (OWASP "CSV injection"): such a cell gets a
# leading apostrophe in CSV. The xlsx keeps it exactly, as a text cell.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    unit: str
    zh: str
    en: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Table:
    spec: TableSpec
    rows: tuple[tuple[Any, ...], ...]


def _c(name: str, kind: Kind, unit: str, zh: str, en: str) -> Column:
    return Column(name, kind, unit, zh, en)


_KEY = (
    _c("input_sha256", "text", "", "输入文件的 SHA-256（十六进制），与 input_path 一起作为每张表的键",
       "SHA-256 of the input file (hex); with input_path the key of every table"),
    _c("input_path", "text", "", "输入文件的路径（按给出的写法）", "the input file's path, as given"),
)

SPECS: dict[str, TableSpec] = {s.name: s for s in (
    TableSpec("workbooks", "每个工作簿一行", "one row per workbook", (*_KEY,
        _c("file_name", "text", "", "文件名", "file name"),
        _c("status", "text", "", "ok 已计算 / invalid 有错误 / unreadable 无法读取 / failed 无法写出或超时",
           "ok / invalid / unreadable / failed"),
        _c("errors", "integer", "个", "错误数", "number of errors"),
        _c("warnings", "integer", "个", "警告数", "number of warnings"),
        _c("company_name", "text", "", "企业名称", "company name (企业名称)"),
        _c("uscc", "text", "", "统一社会信用代码", "unified social credit code"),
        _c("year", "integer", "", "核算年度", "reporting year"),
        _c("base_year", "integer", "", "基准年", "base year"),
        _c("template_version", "text", "", "填报模板版本（企业信息“模板版本”，空 = 未填写，按 v1 读取）",
           "intake template version as typed (blank: not given, read as v1)"),
        _c("library_version", "text", "", "排放因子库版本", "factor-library edition"),
        _c("gwp_version", "text", "", "GWP 值版本（企业信息“GWP版本”）", "GWP set"),
        _c("factor_date", "text", "YYYY-MM-DD", "选择缺省因子所依据的日期（报告日期，或运行日期）",
           "the day default factors were chosen for"),
        _c("total_tco2e", "number", "tCO2e", "排放总量（不含生物质 CO2）", "total emissions (biogenic CO2 apart)"),
        _c("biogenic_co2_t", "number", "t", "生物质燃烧 CO2，单独报告，不计入任何合计",
           "biogenic CO2, reported apart, in no total"),
        _c("uncertainty_pct", "number", "%", "总量不确定度（IPCC 方法1，95% 置信区间半宽）",
           "uncertainty of the total (IPCC Approach 1, half the 95 % interval)"),
        _c("workbook_output", "text", "", "写出的计算结果工作簿（export 不写出，为空）",
           "computed workbook written (blank for export)"),
        _c("report_output", "text", "", "写出的评价报告", "report written"),
    )),
    TableSpec("lines", "每个活动数据行 × 每种气体一行（计算明细）", "one row per 活动数据 row × gas", (*_KEY,
        _c("row", "integer", "", "活动数据表中的行号", "row in 活动数据"),
        _c("cell", "text", "", "活动数据量所在单元格", "the amount's cell"),
        _c("stage", "text", "", "阶段键（raw_materials … recycling）", "stage key"),
        _c("stage_name", "text", "", "阶段名称", "stage name"),
        _c("activity_type", "text", "", "类别", "activity type"),
        _c("name", "text", "", "名称", "activity name"),
        _c("site", "text", "", "场所（空白行为主场所）", "site (blank rows: the main site)"),
        _c("amount", "number", "unit 列", "活动数据量（按填写的单位；无数据/不适用为 0）",
           "amount in its own unit (0 for no data / not applicable)"),
        _c("amount_kind", "text", "", "value 数值 / no_data 无数据 / not_applicable 不适用", "kind of amount"),
        _c("unit", "text", "", "活动数据单位（按填写）", "the amount's unit as typed"),
        _c("factor_code", "text", "", "排放因子编码", "factor code"),
        _c("factor_name", "text", "", "排放因子名称", "factor name"),
        _c("gas", "text", "", "气体（CO2、CH4、N2O … ；CO2-biogenic 为生物质 CO2）", "gas"),
        _c("factor_value", "number", "factor_unit 列", "排放因子值", "factor value"),
        _c("factor_unit", "text", "", "排放因子单位", "factor unit"),
        _c("factor_source", "text", "", "排放因子来源", "factor source"),
        _c("factor_origin", "text", "", "library 内置因子库 / workbook 工作簿中给出", "library or workbook"),
        _c("amount_in_factor_unit", "number", "factor_unit 的分母", "换算到因子单位后的活动数据量",
           "amount converted to the factor's unit"),
        _c("conversion", "text", "", "单位换算说明（单位一致时为空）", "how the amount was converted"),
        _c("gas_tonnes", "number", "t", "该气体的吨数", "tonnes of the gas"),
        _c("gwp", "number", "", "全球变暖潜势（GWP）", "global warming potential"),
        _c("tco2e", "number", "tCO2e", "排放量 = amount_in_factor_unit × factor_value × GWP",
           "emissions = amount_in_factor_unit × factor_value × GWP"),
        _c("counted", "boolean", "", "计入合计（生物质 CO2 为 false）", "counted in the totals (false: biogenic CO2)"),
        _c("scope", "integer", "", "GHG Protocol 范围（1、2、3）", "GHG Protocol scope"),
        _c("scope_key", "text", "", "scope1 / scope2_market / scope3（totals 表的键）", "scope key of totals"),
        _c("iso_category", "integer", "", "ISO 14064-1 类别（1–6）", "ISO 14064-1 category"),
        _c("scope3_category", "integer", "", "范围三类别（GHG Protocol 1–15，因子类型可判定时）",
           "GHG Protocol Scope 3 category, where the factor kind decides it"),
        _c("data_quality", "text", "", "数据质量（实测 / 计算 / 估算 / 缺省）", "data quality tier"),
        _c("uncertainty_pct", "number", "%", "该行不确定度（IPCC 方法1）", "the line's uncertainty (Approach 1)"),
        _c("notes", "text", "", "该行的说明（CH4 类别与 GWP 表、假设等）", "notes on the line"),
    )),
    TableSpec("months", "按月填写的活动数据：每行 × 每月一行", "one row per row given by month × month", (*_KEY,
        _c("row", "integer", "", "活动数据表中的行号", "row in 活动数据"),
        _c("cell", "text", "", "活动数据量所在单元格", "the amount's cell"),
        _c("stage", "text", "", "阶段键", "stage key"),
        _c("name", "text", "", "名称", "activity name"),
        _c("site", "text", "", "场所", "site"),
        _c("unit", "text", "", "单位（按填写）", "unit as typed"),
        _c("month", "integer", "", "月份（1–12）", "month"),
        _c("amount", "number", "unit 列", "该月活动数据量（未填为 0，见 blank）", "amount of the month (blank: 0)"),
        _c("blank", "boolean", "", "该月未填写（数据缺口，按 0 计）", "left blank (a gap, counted as 0)"),
        _c("tco2e", "number", "tCO2e", "该月排放量 = 该行排放量 × 该月量 / 全年量（不含生物质 CO2）",
           "the row's tCO2e × month amount / annual amount (biogenic CO2 apart)"),
    )),
    TableSpec("totals", "各项合计：总量、阶段、范围、ISO 类别、场所", "one row per total", (*_KEY,
        _c("dimension", "text", "", "total 总量 / stage 阶段 / scope 范围 / iso_category ISO 类别 / site 场所",
           "what is totalled"),
        _c("key", "text", "", "键：total；阶段键；scope1 …；1–6；场所名称", "key within the dimension"),
        _c("name", "text", "", "名称（如 数智化生产、范围二（市场法）、类别1：…）", "name as the report prints it"),
        _c("stage", "text", "", "阶段键：范围、类别或场所合计在此阶段的部分（空 = 该项的全部；阶段行的阶段见 key）",
           "stage key of a scope, category or site total's part in that stage (blank: the whole)"),
        _c("tco2e", "number", "tCO2e", "排放量", "emissions"),
        _c("share", "number", "比例", "占总量比例（仅阶段行；总量为 0 时为空）", "fraction of the total (stage rows)"),
        _c("in_total", "boolean", "", "计入总量（位置法范围二为 false：与市场法二选一）",
           "part of the total (false for location-based Scope 2)"),
    )),
    TableSpec("findings", "每条校验结果一行", "one row per finding", (*_KEY,
        _c("severity", "text", "", "error 错误 / warning 警告", "error or warning"),
        _c("sheet", "text", "", "工作表", "sheet"),
        _c("cell", "text", "", "单元格", "cell"),
        _c("code", "text", "", "代码（见 docs/codes.md 或 carbon-report codes）", "finding code"),
        _c("message", "text", "", "说明（中文）", "message (Chinese)"),
    )),
)}
TABLES: tuple[str, ...] = tuple(SPECS)


# ---- rows ---------------------------------------------------------------------------------------------------


def build_tables(results: Iterable[WorkbookResult]) -> dict[str, Table]:
    """Every table over `results`, in their order (a batch's tables are its files' tables one after another)."""
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
    for r in results:
        for name in TABLES:
            rows[name].extend(table_rows(r, name))
    return {name: Table(SPECS[name], tuple(rows[name])) for name in TABLES}


def table_rows(r: WorkbookResult, name: str) -> Iterator[tuple[Any, ...]]:
    if name not in SPECS:
        raise UsageError(f"没有名为 {name!r} 的表；可选：{', '.join(TABLES)}")
    key = (r.sha256, str(r.input))
    yield from (key + row for row in _ROWS[name](r))


def _workbooks(r: WorkbookResult) -> Iterator[tuple[Any, ...]]:
    c = r.company
    yield (r.input.name, r.status, len(r.errors), len(r.warnings), c.name if c else None, c.uscc if c else None,
           c.year if c else None, c.base_year if c else None, r.template_version, r.library_version or None,
           c.gwp_version if c else None, r.factor_date.isoformat() if r.factor_date else None, r.total_tco2e,
           r.biogenic_co2_t, r.uncertainty_pct, r.outputs.get("workbook"), r.outputs.get("report"))


def _lines(r: WorkbookResult) -> Iterator[tuple[Any, ...]]:
    for x in r.lines:
        yield (x.row, x.cell, x.stage.value, x.stage.long_zh, x.activity_type, x.name, x.site, x.amount,
               x.amount_kind, x.unit, x.factor_code, x.factor_name, x.gas, x.factor_value, x.factor_unit,
               x.factor_source, x.factor_origin, x.amount_in_factor_unit, x.conversion, x.gas_tonnes, x.gwp,
               x.tco2e, not x.biogenic, x.scope, x.scope_key or None, x.iso_category, x.scope3_category,
               x.data_quality, x.uncertainty_pct, x.notes)


def _months(r: WorkbookResult) -> Iterator[tuple[Any, ...]]:
    """E = A × EF × GWP is linear in A, so a month's tCO2e is the row's tCO2e in proportion to its amount."""
    rows: dict[int, list[Any]] = {}
    for x in r.lines:
        if x.months is None:
            continue
        entry = rows.setdefault(x.row, [x, 0.0])
        if not x.biogenic:
            entry[1] += x.tco2e
    for x, t in rows.values():
        assert x.months is not None
        per_unit = t / x.amount if x.amount else 0.0
        for m, value in enumerate(x.months, start=1):
            yield (x.row, x.cell, x.stage.value, x.name, x.site, x.unit, m, value, m in x.month_gaps,
                   value * per_unit)


def _totals(r: WorkbookResult) -> Iterator[tuple[Any, ...]]:
    if r.status != "ok" or r.total_tco2e is None:
        return
    yield ("total", "total", "排放总量", None, r.total_tco2e, None, True)
    for s in r.stages:
        yield ("stage", s.stage.value, s.name, None, s.tco2e, s.share, True)
    for sc in r.scopes:
        yield ("scope", sc.scope, sc.name, None, sc.tco2e, None, sc.in_total)
        for st, v in sc.stages.items():
            yield ("scope", sc.scope, sc.name, Stage(st).value, v, None, sc.in_total)
    for cat in r.categories:
        yield ("iso_category", str(cat.category), cat.name, None, cat.tco2e, None, True)
        for st, v in cat.stages.items():
            yield ("iso_category", str(cat.category), cat.name, Stage(st).value, v, None, True)
    for site in r.sites:
        yield ("site", site.site, site.site, None, site.tco2e, None, True)
        for st, v in site.stages.items():
            yield ("site", site.site, site.site, Stage(st).value, v, None, True)


def _findings(r: WorkbookResult) -> Iterator[tuple[Any, ...]]:
    for f in r.findings:
        yield (f.severity, f.sheet, f.cell, str(f.code), f.message)


_ROWS = {"workbooks": _workbooks, "lines": _lines, "months": _months, "totals": _totals, "findings": _findings}


# ---- pandas (the optional extra) ---------------------------------------------------------------------------


def to_frame(results: Sequence[WorkbookResult] | Iterable[WorkbookResult], name: str) -> pandas.DataFrame:
    """One table as a pandas DataFrame, with the README's column kinds as dtypes (nullable integers and
    booleans, so a blank stays a blank)."""
    if name not in SPECS:
        raise UsageError(f"没有名为 {name!r} 的表；可选：{', '.join(TABLES)}")
    try:
        import pandas
    except ImportError:
        raise PandasMissing() from None
    spec = SPECS[name]
    rows = [row for r in results for row in table_rows(r, name)]
    frame = pandas.DataFrame.from_records(rows, columns=list(spec.names))
    dtypes = {"text": "string", "number": "Float64", "integer": "Int64", "boolean": "boolean"}
    return frame.astype({c.name: dtypes[c.kind] for c in spec.columns})


# ---- files --------------------------------------------------------------------------------------------------


def output_names(fmt: Format) -> list[str]:
    """The files `export` writes into its folder."""
    return ([f"{name}.csv" for name in TABLES] if fmt == "csv" else [XLSX_NAME]) + [README_NAME]


def write_tables(tables: dict[str, Table], out_dir: Path, fmt: Format, *, force: bool = False) -> list[Path]:
    """The tables and README.md into `out_dir`, each file atomically. Files already there are kept unless
    `force` (OutputExists names the first one, before anything is written)."""
    from carbon_report.io.atomic import write_bytes

    out_dir = Path(out_dir)
    targets = [out_dir / n for n in output_names(fmt)]
    if not force:
        for t in targets:
            if t.exists() or t.is_symlink():
                raise OutputExists(t)
    written: list[Path] = []
    if fmt == "csv":
        for name, table in tables.items():
            write_bytes(out_dir / f"{name}.csv", csv_bytes(table))
            written.append(out_dir / f"{name}.csv")
    else:
        write_bytes(out_dir / XLSX_NAME, xlsx_bytes(tables))
        written.append(out_dir / XLSX_NAME)
    write_bytes(out_dir / README_NAME, readme(fmt).encode("utf-8"))
    written.append(out_dir / README_NAME)
    return written


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (Excel on a Chinese Windows reads it as UTF-8, pandas drops the mark),
    a header row of column names, blanks for no value, true/false, numbers with Python's round-trip repr."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(table.spec.names)
    for row in table.rows:
        w.writerow([_csv_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def xlsx_bytes(tables: dict[str, Table]) -> bytes:
    """One workbook, a sheet per table (named as the table) and a README sheet first. Text is always text:
    a name beginning with '=' is never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    readme_ws = wb.create_sheet("README")
    for line in readme_rows():
        readme_ws.append(line)
    for name, table in tables.items():
        ws = wb.create_sheet(name)
        ws.append(list(table.spec.names))
        for row in table.rows:
            cells = []
            for v in row:
                if isinstance(v, str):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
                    cells.append(cell)
                else:
                    cells.append(v)
            ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def readme_rows() -> list[list[str]]:
    rows = [["table", "column", "kind", "unit", "说明", "description"]]
    for spec in SPECS.values():
        for c in spec.columns:
            rows.append([spec.name, c.name, c.kind, c.unit, c.zh, c.en])
    return rows


def readme(fmt: str) -> str:
    """README.md of an export: the tables, their keys and every column with its unit."""
    files = ", ".join(f"`{n}`" for n in output_names(fmt)[:-1])  # type: ignore[arg-type]
    out = [
        "# carbon-report 结果表 result tables",
        "",
        f"由 `carbon-report export` 写出 written by carbon-report export：{files}"
        + ("（每张表一个工作表，另有 README 工作表 one sheet per table and a README sheet）" if fmt == "xlsx" else
           "（UTF-8，带 BOM；每张表一个文件 UTF-8 with BOM, one file per table）"),
        "",
        "长格式（每行一个事实）。每张表的前两列 `input_sha256`、`input_path` 标识输入文件，多个工作簿或多次导出的表可直接"
        "纵向合并。Long format, one fact per row; every table starts with `input_sha256` and `input_path`, so the "
        "tables of many workbooks concatenate cleanly.",
        "",
        "- 排放量单位为 tCO2e，未经舍入（报告中的数字按显示规则舍入）。Quantities in tCO2e, unrounded.",
        "- `lines` 中 `counted` 为 true 的行按 `stage` 相加等于 `totals` 中的阶段合计；阶段合计相加等于总量。"
        "Counted lines add up to the stage totals, and the stages to the total.",
        "- 空白单元格表示无值（未计算、不适用）。A blank cell is no value.",
        "- CSV 中以 = + - @ 开头的文字前加了一个撇号 '，以免 Excel 将其当作公式执行；xlsx 中保持原样（文字单元格）。"
        "In CSV, text beginning with = + - @ gets a leading apostrophe so that Excel never runs it as a formula; "
        "the xlsx keeps it as it is, as text.",
        "- 状态不是 ok 的工作簿只有 `workbooks` 和 `findings` 行（不给出部分合计）。A workbook whose status is not ok has "
        "rows in `workbooks` and `findings` only (no partial totals).",
        "",
    ]
    for spec in SPECS.values():
        out += [f"## {spec.name}：{spec.zh} ({spec.en})", "", "| 列 column | 类型 kind | 单位 unit | 说明 | description |",
                "|---|---|---|---|---|"]
        out += [f"| `{c.name}` | {c.kind} | {c.unit} | {c.zh} | {c.en} |" for c in spec.columns]
        out.append("")
    return "\n".join(out)
