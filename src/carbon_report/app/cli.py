"""carbon-report command line: a thin shell over pipeline.py.

Output is UTF-8 on any console (a Chinese Windows console defaults to GBK, which cannot print ₂ or ›),
and bad input always ends in one line per problem, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from carbon_report import __version__
from carbon_report.app.messages import code_line, finding_lines, summary_line
from carbon_report.core.findings import Code

EPILOG = """示例 Examples:
  carbon-report template 填报模板.xlsx
  carbon-report check 企业A.xlsx
  carbon-report process 企业A.xlsx --out 输出
  carbon-report batch 收集的工作簿 --out 输出 --jobs 4
  carbon-report export 收集的工作簿 --out 结果表 --format xlsx
  carbon-report factors 柴油

退出码 Exit status: 0 完成 done (warnings allowed); 1 工作簿有错误 workbook has errors;
2 文件无法读取或命令用法错误 unreadable file or wrong usage."""


# argparse's own messages, in Chinese; the English original is printed beside them.
_USAGE_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (.+)"), "缺少必需的参数：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"), "参数 {0} 的取值 {1} 无效，可选：{2}"),
    (re.compile(r"argument (.+?): invalid (\w+) value: (.+)"), "参数 {0} 需要{1}，得到的是 {2}"),
    (re.compile(r"argument (.+?): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"argument (.+?): expected (.+) arguments?"), "参数 {0} 后面需要 {1} 个值"),
    (re.compile(r"argument (.+?): not allowed with argument (.+)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"argument (.+?): ignored explicit argument (.+)"), "参数 {0} 不接受值 {1}"),
    (re.compile(r"ambiguous option: (.+?) could match (.+)"), "选项 {0} 不明确，可能是 {1}"),
    (re.compile(r"argument (.+?): positive number of seconds: (.+)"), "参数 {0} 需要大于 0 的有限秒数，得到的是 {1}"),
    (re.compile(r"argument (.+?): non-negative number of seconds: (.+)"), "参数 {0} 需要不小于 0 的有限秒数（0 为不限），得到的是 {1}"),
    (re.compile(r"one of the arguments (.+) is required"), "必须给出以下参数之一：{0}"),
]
_TYPE_ZH = {"int": "整数", "float": "数字"}


def usage_zh(message: str) -> str:
    """argparse's English message in Chinese (the generic words when it is one this table does not know)."""
    for pattern, zh in _USAGE_ZH:
        m = pattern.fullmatch(message.strip())
        if m:
            return zh.format(*(_TYPE_ZH.get(g, g) for g in m.groups()))
    return "命令用法不正确"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法 usage: " if prefix is None else prefix)


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Chinese with the English beside: help, section titles and usage
    errors (one line, code E-USAGE, exit status 2 as the contract says for wrong usage)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "参数 arguments"
        self._optionals.title = "选项 options"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="显示本帮助并退出 show this help and exit")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {Code.E_USAGE.text(detail=usage_zh(message))}。usage error: {message} [{Code.E_USAGE}]\n")


def seconds(text: str, *, zero: bool = False) -> float:
    """An argparse type: a finite number of seconds, > 0 (>= 0 with zero=True: 0 means no limit).
    "-1", "nan" and "inf" are usage errors, not a limit that never or always fires."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        kind = "non-negative" if zero else "positive"
        raise argparse.ArgumentTypeError(f"{kind} number of seconds: {text!r}")
    return value


def _seconds_or_zero(text: str) -> float:
    return seconds(text, zero=True)


def _examples(*lines: str) -> str:
    return "示例 Examples:\n" + "\n".join(f"  {line}" for line in lines)


def _utf8_streams() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")


def version_text() -> str:
    """`carbon-report --version`: the version first (scripts read that line), then what support asks for."""
    import platform

    from carbon_report.app.log import log_path

    return (f"carbon-report {__version__}\n"
            f"Python {platform.python_version()} ({platform.python_implementation()}) {sys.executable}\n"
            f"平台 platform: {platform.platform()}\n"
            f"日志 log: {log_path()}")


def build_parser() -> argparse.ArgumentParser:
    p = CliParser(
        prog="carbon-report",
        description="绿色低碳现代数智企业评价：由企业填报的 Excel 工作簿计算温室气体排放并生成 Word 报告。\n"
                    "Green low-carbon enterprise evaluation: compute GHG emissions from an intake workbook and "
                    "write the Word report.",
        epilog=EPILOG)
    p.add_argument("--version", action="version", version=version_text(),
                   help="显示版本号、Python、平台和日志位置并退出 show the version, Python, platform and log path")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令 command")

    t = sub.add_parser(
        "template", help="写出空白填报模板 write an empty intake template",
        description="写出空白的企业填报模板（模板 v1）；已有同名文件时不覆盖，除非加 --force。\n"
                    "Write the empty intake template (v1); an existing file is kept unless --force is given.",
        epilog=_examples("carbon-report template 填报模板.xlsx",
                         "carbon-report template 填报模板.xlsx --force   # 覆盖已有文件 replace an existing file"))
    t.add_argument("out", type=Path, metavar="OUT.xlsx", help="要写出的模板文件 the template file to write")
    t.add_argument("--force", action="store_true", help="覆盖已有的同名文件 replace an existing file")

    a = sub.add_parser(
        "addin", help="写出 Excel 加载项 carbon_report.xlam write the Excel add-in",
        description="在 DIR 中写出 Excel 加载项 carbon_report.xlam（功能区“碳排放报告”，按钮“生成报告”“校验”）；\n"
                    "--install 同时装入 Excel 启动文件夹 XLSTART 并记下本机 Python。\n"
                    "Write the Excel add-in carbon_report.xlam into DIR (ribbon tab 碳排放报告); --install also puts\n"
                    "it into Excel's start-up folder and records this Python in it.",
        epilog=_examples("carbon-report addin 加载项", "carbon-report addin --install", "carbon-report addin --status",
                         "carbon-report addin --uninstall"))
    a.add_argument("dir", type=Path, nargs="?", default=None, metavar="DIR", help="输出文件夹 output folder")
    how = a.add_mutually_exclusive_group()
    how.add_argument("--install", action="store_true",
                     help="写入并安装到 Excel 启动文件夹 XLSTART（Windows 上同时创建网页的开始菜单和桌面快捷方式） "
                          "write it into Excel's start-up folder (Windows: also the page's shortcuts)")
    how.add_argument("--uninstall", action="store_true",
                     help="从 XLSTART 删除加载项（和网页快捷方式） remove the add-in (and the page's shortcuts)")
    how.add_argument("--status", action="store_true",
                     help="显示加载项是否已安装、版本和使用的 Python show whether and how the add-in is installed")
    a.add_argument("--xlstart", type=Path, default=None, metavar="DIR",
                   help="Excel 启动文件夹（默认询问 Excel） the start-up folder (default: ask Excel)")

    c = sub.add_parser(
        "check", help="只校验，不写任何文件 validate only, write nothing",
        description="校验填报工作簿并计算，逐条列出错误和警告；不写任何文件。\n"
                    "Validate (and compute) an intake workbook and list every finding; writes nothing.",
        epilog=_examples("carbon-report check 企业A.xlsx", "carbon-report check 企业A.xlsx --json",
                         "carbon-report check 企业A_2024.xlsx --history 企业A_2023.xlsx"))
    c.add_argument("input", type=Path, metavar="IN.xlsx", help="填报工作簿 the intake workbook")
    c.add_argument("--json", action="store_true", help="在标准输出打印 JSON print JSON on stdout")
    c.add_argument("--history", type=Path, nargs="+", default=(), metavar="A.xlsx",
                   help="往年的工作簿（可多个，或文件夹），与 process --history 相同 "
                        "earlier years' workbooks (files or folders), as process --history takes them")
    c.add_argument("--time-limit", type=seconds, default=None, metavar="SECONDS",
                   help="整个校验的时限（秒），超时停止并报 E-TIME-LIMIT，退出码 2 "
                        "stop the check after SECONDS (E-TIME-LIMIT, exit status 2)")
    c.add_argument("--pcf", action="store_true",
                   help="同时检查产品碳足迹（与 process --pcf 相同的规则，含无法生成 PACT 数据文件的原因） "
                        "also check product footprints as process --pcf does (and why a PACT file cannot be written)")

    pr = sub.add_parser(
        "process", help="校验、计算并写出计算结果工作簿和报告 validate, compute, write workbook and report",
        description="校验、计算，写出 DIR/<文件名>_计算结果.xlsx，无错误时再写出 Word 评价报告；输入文件不会被修改。\n"
                    "耗时超过 1 秒时，在标准错误输出逐步显示进度（读取、校验、计算、写出工作簿、生成报告）。\n"
                    "Validate, compute, write DIR/<name>_计算结果.xlsx and, without errors, the Word report; the\n"
                    "input is never modified. Runs longer than a second show each phase on stderr.",
        epilog=_examples("carbon-report process 企业A.xlsx --out 输出",
                         "carbon-report process 企业A.xlsx --out 输出 --pdf",
                         "carbon-report process 企业A.xlsx --out 输出 --no-report --json",
                         "carbon-report process 企业A_2024.xlsx --out 输出 --history 企业A_2022.xlsx 企业A_2023.xlsx"))
    pr.add_argument("input", type=Path, metavar="IN.xlsx", help="填报工作簿 the intake workbook")
    pr.add_argument("--out", type=Path, default=None, metavar="DIR",
                    help="输出文件夹（默认：配置的 out_dir） output folder (default: the profile's out_dir)")
    pr.add_argument("--history", type=Path, nargs="+", default=(), metavar="A.xlsx",
                    help="往年的填报或计算结果工作簿（可多个，或文件夹）：各按原报告计算，并按本年度的方法和边界重算"
                         "（排放源或场所的增减、因子/GWP/方法的改变），用于基准年和历年对比 "
                         "earlier years' workbooks (intake or _计算结果; files or folders), each computed as reported "
                         "and recalculated under this year's methodology and boundary")
    pr.add_argument("--time-limit", type=seconds, default=None, metavar="SECONDS",
                    help="整个处理的时限（秒），超时停止并报 E-TIME-LIMIT，退出码 2 "
                         "stop the whole run after SECONDS (E-TIME-LIMIT, exit status 2)")
    _process_options(pr)

    b = sub.add_parser(
        "batch", help="处理文件夹中的全部工作簿 process every workbook in a folder",
        description="逐个处理 IN_DIR 中的 .xlsx / .xlsm（跳过 ~$ 锁定文件和隐藏文件），并写出 DIR/汇总.xlsx；\n"
                    "一个文件出错不影响其他文件。\n"
                    "Process every .xlsx / .xlsm in IN_DIR (skipping ~$ lock files and hidden files) and write\n"
                    "DIR/汇总.xlsx; one bad file never stops the others.",
        epilog=_examples("carbon-report batch 收集的工作簿 --out 输出",
                         "carbon-report batch 收集的工作簿 --out 输出 --recursive --jobs 4",
                         "carbon-report batch 收集的工作簿 --out 输出 --dask tcp://10.0.0.5:8786"))
    b.add_argument("input", type=Path, metavar="IN_DIR", help="存放填报工作簿的文件夹 folder of intake workbooks")
    b.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="输出文件夹（默认：配置的 out_dir） output folder (default: the profile's out_dir)")
    b.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认：CPU 核数；--dask local 时为工作进程数） worker processes")
    b.add_argument("--recursive", action="store_true", help="包括子文件夹 include subfolders")
    b.add_argument("--timeout", type=_seconds_or_zero, default=300, metavar="SEC",
                   help="单个文件时限（秒，0 为不限） per-file time limit (0: none)")
    b.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="在 Dask 集群上运行（调度器地址如 tcp://10.0.0.5:8786，或 local 在本机启动）；"
                        "需 pip install carbon-report[dask] run on a Dask cluster (scheduler address, or local)")
    b.add_argument("--ship-inputs", action="store_true",
                   help="把输入文件发送给 Dask 工作进程（不共享存储时） send the input files to the Dask workers")
    _process_options(b)

    x = sub.add_parser(
        "export", help="导出长格式结果表（CSV 或 xlsx）write tidy result tables (CSV or xlsx)",
        description="校验并计算 IN.xlsx（或 DIR 中的每个工作簿，同一企业的各年度按 batch 的方式关联），在 DIR 中写出长格式结果表：\n"
                    "workbooks（每个工作簿一行：SHA-256、模板版本、因子库版本、GWP 版本）、lines（每行活动数据 × 气体）、months、\n"
                    "totals（阶段、范围、ISO 类别、场所合计）、findings，以及说明每一列的 README.md。不写计算结果工作簿和报告。\n"
                    "Validate and compute IN.xlsx (or every workbook of DIR, a company's years linked as batch does) and write\n"
                    "long-format tables keyed by the input's SHA-256 and path, with a README.md of every column.",
        epilog=_examples("carbon-report export 企业A.xlsx --out 结果表",
                         "carbon-report export 收集的工作簿 --out 结果表 --format xlsx --jobs 4 --recursive"))
    x.add_argument("input", type=Path, metavar="IN.xlsx|DIR", help="填报工作簿或文件夹 an intake workbook or a folder")
    x.add_argument("--out", type=Path, required=True, metavar="DIR", help="输出文件夹 output folder")
    x.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                   help="csv：每张表一个文件（UTF-8 带 BOM）；xlsx：一个工作簿，每张表一个工作表（默认 csv） "
                        "csv: a file per table; xlsx: one workbook, a sheet per table (default csv)")
    x.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认：CPU 核数） worker processes")
    x.add_argument("--recursive", action="store_true", help="包括子文件夹 include subfolders")
    x.add_argument("--force", action="store_true", help="覆盖已有的结果表 replace existing tables")
    w = sub.add_parser(
        "web", help="在浏览器中使用（无需 Excel 按钮） use the product in a browser page",
        description="在本机启动网页（仅 127.0.0.1，带一次性访问令牌），在浏览器中上传工作簿、查看校验结果、下载\n"
                    "计算结果和报告、填写咨询机构配置；适用于 WPS、Mac 和不能使用 Excel 按钮的 Office。\n"
                    "第一行输出是网页的完整地址。关闭窗口或按 Ctrl-C 停止。\n"
                    "Start a local page (127.0.0.1 only, with a token made for this launch) to upload workbooks,\n"
                    "see findings, download outputs and fill the profile. The first line printed is its address.",
        epilog=_examples("carbon-report web", "carbon-report web --out 输出", "carbon-report web --port 8765 --no-browser"))
    w.add_argument("--port", type=int, default=0, metavar="N", help="端口（默认：任一空闲端口） port (default: a free one)")
    w.add_argument("--no-browser", action="store_true", help="不自动打开浏览器 do not open the browser")
    w.add_argument("--no-pdf", action="store_true", help="不生成 PDF（默认：有转换器时生成） no PDF (default: when a converter exists)")
    w.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="同时把结果写入此文件夹（默认：配置的 out_dir；都没有时只供下载） also write outputs here")

    pf = sub.add_parser(
        "profile", help="咨询机构配置：机构名称、签署人、报告编号、模板 the consultancy profile",
        description="咨询机构（技术服务机构）的配置，保存在用户配置文件夹中；生成报告时，工作簿“企业信息”中为空的\n"
                    "编制单位、地址、联系方式、组长、组员、技术复核人、批准人、报告编号取自这里（工作簿中填写的优先）。\n"
                    "The consultancy profile, kept in the user config folder: a report field the workbook's\n"
                    "企业信息 leaves blank is taken from it (the workbook's value wins).\n\n"
                    "配置项 keys: firm_name 技术服务机构名称（编制单位）, firm_address 地址, website 查询网址,\n"
                    "phone 联系方式, logo 机构标志, report_number_pattern 报告编号格式 (如 WD-HC-{date:%%Y%%m%%d}{seq:04d}),\n"
                    "leader 组长, members 组员（用、或逗号分隔）, reviewer 技术复核人, approver 批准人,\n"
                    "template 报告模板, out_dir 默认输出文件夹",
        epilog=_examples("carbon-report profile show",
                         "carbon-report profile set firm_name 万鼎认证（河南）有限公司",
                         "carbon-report profile set members 张珍、陈婧",
                         "carbon-report profile set report_number_pattern \"WD-HC-{date:%%Y%%m%%d}{seq:04d}\"",
                         "carbon-report profile template 我们的报告模板.docx",
                         "carbon-report profile set logo \"\"   # 清除 clear a key"))
    pf.add_argument("action", nargs="?", default="show", choices=("show", "set", "template"),
                    metavar="show | set KEY VALUE | template PATH", help="显示、设置，或设置报告模板 show, set, or set the template")
    pf.add_argument("values", nargs="*", metavar="ARG", help="配置项和值，或模板路径 KEY VALUE, or PATH")

    k = sub.add_parser(
        "codes", help="列出校验代码及其含义 list finding codes and what they mean",
        description="列出全部校验代码，或解释一个代码。\nList every finding code, or explain one.",
        epilog=_examples("carbon-report codes", "carbon-report codes E-UNIT-MISMATCH", "carbon-report codes --json"))
    k.add_argument("code", nargs="?", default=None, metavar="CODE", help="代码，如 E-UNIT-MISMATCH a finding code")
    k.add_argument("--json", action="store_true", help="打印 JSON print JSON")

    f = sub.add_parser(
        "factors", help="列出或搜索内置排放因子库 list or search the factor library",
        description="列出内置排放因子库，或按编码、名称搜索。\nList the built-in factor library, or search it by code or name.",
        epilog=_examples("carbon-report factors", "carbon-report factors 柴油", "carbon-report factors 电力 --json"))
    f.add_argument("text", nargs="?", default=None, metavar="TEXT", help="搜索的文字 text to search for")
    f.add_argument("--json", action="store_true", help="打印 JSON print JSON")
    return p


def _process_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recalc-threshold", type=float, default=None, metavar="PCT",
                   help="基准年重算阈值（%%，默认 5）：各项变化影响的绝对值之和达到或超过基准年排放量的此比例时，"
                        "目标按重算后的基准年 base-year recalculation threshold in %% of the base year, cumulative "
                        "(sum of absolute effects; at or above recalculates; default 5, core/factors/base_year.toml)")
    p.add_argument("--json", action="store_true", help="在标准输出打印 JSON print JSON on stdout")
    p.add_argument("--force", action="store_true", help="覆盖已被编辑过的报告 overwrite an edited report")
    p.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF also write a PDF (LibreOffice)")
    p.add_argument("--report-template", type=Path, default=None, metavar="PATH",
                   help="使用其他报告模板 .docx（优先于配置的模板） use another report template (over the profile's)")
    p.add_argument("--no-report", action="store_true", help="不生成 Word 报告 skip the Word report")
    p.add_argument("--pcf", action="store_true",
                   help="同时计算产品碳足迹，每个产品写出产品碳足迹报告和 PACT 数据文件 "
                        "also compute product carbon footprints (GB/T 24067 / ISO 14067): a report and a PACT file per product")


def main(argv: list[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) in ("process", "batch") and args.out is None:
        args.out = _profile_out_dir()
        if args.out is None:
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
            sub.choices[args.command].error("the following arguments are required: --out")
    from carbon_report.app import log

    started = time.monotonic()
    log.event("start", command=args.command, version=__version__)
    code = 2
    try:
        code = _run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # `carbon-report … --json | head`: the reader went away; stop quietly, as other CLI tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1
    except KeyboardInterrupt:
        print("已中断 interrupted", file=sys.stderr)
        code = 130
    except Exception as e:  # the last guard: one line, never a traceback (that goes into the log)
        if os.environ.get("CARBON_REPORT_DEBUG"):
            raise
        where = log.path_note(log.internal_error(e))
        print(code_line(Code.E_INTERNAL, "carbon-report", error=f"{type(e).__name__}: {e}；{where}"), file=sys.stderr)
        code = 2
    finally:
        log.event("end", command=args.command, exit=code, seconds=f"{time.monotonic() - started:.1f}")
    return code


def _profile_out_dir() -> Path | None:
    from carbon_report.app.profile import load_profile, out_dir
    from carbon_report.core.errors import ProfileError

    try:
        return out_dir(load_profile())
    except ProfileError:
        return None  # said by the run itself, when it loads the profile


def _run(args: argparse.Namespace) -> int:
    threshold = getattr(args, "recalc_threshold", None)
    if threshold is not None and not 0 <= threshold < 100:
        print(f"--recalc-threshold {threshold:g}: {Code.E_USAGE.text(detail='阈值应在 0–100（%）之间')} must be 0–100 "
              f"[{Code.E_USAGE}]", file=sys.stderr)
        return 2
    if args.command == "template":
        from carbon_report.core.errors import OutputError, OutputExists
        from carbon_report.outputs.template import write_template

        try:
            write_template(args.out, force=args.force)
        except OutputExists as e:
            print(f"carbon-report: {e.message}。file exists, not overwritten (use --force) [{e.code}]",
                  file=sys.stderr)
            return 2
        except OutputError as e:  # read-only folder, a file where the folder should be, disk full …
            print(f"carbon-report: {e.message} [{e.code}]", file=sys.stderr)
            return 2
        print(f"已写出填报模板 template written: {args.out}")
        return 0
    if args.command == "addin":
        return _addin(args)
    if args.command == "codes":
        from carbon_report.app.codes import run as run_codes

        return run_codes(args.code, args.json)
    if args.command == "factors":
        return _factors(args)
    if args.command == "export":
        from carbon_report.app.export import run_export_cli

        return run_export_cli(args)
    if args.command == "profile":
        return _profile(args)
    if args.command == "web":
        from carbon_report.app.web import serve

        if not 0 <= args.port <= 65535:
            print(code_line(Code.E_USAGE, "--port", detail=f"端口应在 0–65535 之间，得到的是 {args.port}"), file=sys.stderr)
            return 2
        return serve(args.port, not args.no_browser, args.out or _profile_out_dir(), pdf=False if args.no_pdf else None)
    if args.command == "check":
        from carbon_report.app.pipeline import Options, Outcome, check_file, time_limit
        from carbon_report.core.errors import TimeLimitExceeded
        from carbon_report.core.model import Finding

        try:
            with time_limit(args.time_limit):
                outcome = check_file(args.input, options=Options(history=tuple(args.history), pcf=args.pcf))
        except TimeLimitExceeded:  # an 8 GB evidence file, a slow network folder …
            outcome = Outcome(args.input, "failed", [])
            outcome.fail(Finding.of(Code.E_TIME_LIMIT, seconds=f"{args.time_limit:g}", written="—"))
        _report(outcome, args.json)
        return outcome.exit_code
    if args.command in ("process", "batch") and not _template_ok(args):
        return 2
    if args.command == "process":
        from carbon_report.app.pipeline import process_file
        from carbon_report.core.errors import SameAsInput

        options = _with_profile(_options(args), [args.input])
        if options is None:
            return 2
        progress = PhasePrinter(args.input.name)
        try:
            outcome = process_file(args.input, args.out, options, progress=progress)
        except SameAsInput:
            print(code_line(Code.E_OUTPUT_IS_INPUT, args.input), file=sys.stderr)
            return 2
        finally:
            progress.close()
        from carbon_report.app.log import outcome_event

        outcome_event(outcome)
        _report(outcome, args.json)
        return outcome.exit_code
    if args.command == "batch":
        from carbon_report.app.batch import find_workbooks, run_batch_cli

        files = find_workbooks(args.input, args.recursive, out_dir=args.out)[0] if Path(args.input).is_dir() else []
        options = _with_profile(_options(args), files)
        if options is None:
            return 2
        return run_batch_cli(args, options)
    raise AssertionError(args.command)


def _template_ok(args: argparse.Namespace) -> bool:
    """--report-template names a file that is there: otherwise one line, before any work (usage, exit 2)."""
    t = args.report_template
    if t is None or args.no_report:
        return True
    what = _template_problem(Path(t))
    if what is None:
        return True
    print(f"{t}: {Code.E_REPORT_TEMPLATE.text(detail=f'报告模板{what}')} report template not found (--report-template) "
          f"[{Code.E_REPORT_TEMPLATE}]",
          file=sys.stderr)
    return False


def _template_problem(t: Path) -> str | None:
    """None for a regular file that starts like a .docx (a zip); else why not, in Chinese."""
    from carbon_report.core.errors import PathRefused
    from carbon_report.io.paths import open_regular

    try:
        with open_regular(t, follow_links=True) as opened:
            if opened.size == 0:
                return "为空文件（0 字节），不是 .docx 文件"
            if opened.file.read(4) != b"PK\x03\x04":
                return "不是 .docx 文件（.docx 应为 zip 格式）"
    except PathRefused as e:
        return {"directory": "是文件夹，不是 .docx 文件", "missing": "不存在"}.get(e.problem, "不是可读取的普通文件")
    return None


def _with_profile(options: Any, inputs: Sequence[Path]) -> Any:
    """The run's options with the consultancy profile: its fields as data (report numbers given out here,
    in the parent process) and its template unless --report-template names one. None: the profile is broken
    (one line said)."""
    import dataclasses

    from carbon_report.app.profile import companies_of, load_profile, profile_run, report_template
    from carbon_report.core.errors import ProfileError

    try:
        profile = load_profile()
        template = options.report_template or (report_template(profile) if options.report else None)
        run = profile_run(companies_of(inputs) if options.report else [], today=options.today, profile=profile)
    except ProfileError as e:
        print(f"carbon-report: {e.message} [{e.code}]", file=sys.stderr)
        return None
    return dataclasses.replace(options, profile=run, report_template=template)


def _profile(args: argparse.Namespace) -> int:
    from carbon_report.app.profile import PROFILE_FILE, load_profile, profile_dir, set_value, show_lines
    from carbon_report.core.errors import ProfileError
    from carbon_report.core.profile import KEYS

    try:
        if args.action == "show":
            if args.values:
                print(code_line(Code.E_USAGE, "carbon-report profile show", detail="不需要参数"), file=sys.stderr)
                return 2
            print(f"# {profile_dir() / PROFILE_FILE}", file=sys.stderr)
            for line in show_lines(load_profile()):
                print(line)
            return 0
        if args.action == "template":
            if len(args.values) != 1:
                print(code_line(Code.E_USAGE, "carbon-report profile template PATH", detail="需要一个 .docx 文件路径"),
                      file=sys.stderr)
                return 2
            set_value("template", str(args.values[0]))
            print(f"已设置报告模板 template set: {profile_dir() / 'report_template.docx'}")
            return 0
        if len(args.values) != 2:
            print(code_line(Code.E_USAGE, "carbon-report profile set KEY VALUE", detail="需要配置项和值（清除用 \"\"）"),
                  file=sys.stderr)
            return 2
        key, value = args.values
        profile = set_value(key, value)
        print(f"{key} = {profile.value(key)}  # {KEYS[key].label}")
        return 0
    except ProfileError as e:
        print(f"carbon-report profile: {e.message} [{e.code}]", file=sys.stderr)
        return 2


def _addin(args: argparse.Namespace) -> int:
    from carbon_report.app.excel.addin import addin_status, install_addin, uninstall_addin, write_addin
    from carbon_report.core.errors import CarbonReportError

    if args.dir is None and not (args.install or args.uninstall or args.status):
        print(f"carbon-report addin: 请给出文件夹 DIR，或用 --install / --uninstall / --status "
              f"give DIR or --install [{Code.E_USAGE}]", file=sys.stderr)
        return 2
    try:
        if args.status:
            for line in addin_status(args.xlstart):
                print(line)
            return 0
        if args.uninstall:
            removed = uninstall_addin(args.xlstart)
            for p in removed:
                print(f"已删除 removed: {p}")
            if not removed:
                print("未找到已安装的加载项 the add-in was not installed")
            return 0
        if args.dir is not None:
            print(f"已写出 Excel 加载项 add-in written: {write_addin(args.dir)}")
        if args.install:
            notices: list[str] = []
            path = install_addin(args.xlstart, notices=notices)
            print(f"已安装 Excel 加载项 add-in installed: {path}（请重新启动 Excel restart Excel）")
            for n in notices:
                print(n)
    except CarbonReportError as e:
        print(f"carbon-report: {e.message} [{e.code}]", file=sys.stderr)
        return 2
    return 0


PHASE_TEXT = {"read": "读取 reading", "validate": "校验 validating", "calculate": "计算 calculating",
              "workbook": "写出工作簿 writing the workbook", "report": "生成报告 writing the report"}


class PhasePrinter:
    """The pipeline's progress callback for `process`: one line per phase on stderr, but only for a run
    that takes longer than `after` seconds (a quick run stays quiet). Phases that started before that
    moment are printed together when it comes, each with the time it started."""

    def __init__(self, name: str, *, after: float = 1.0, stream: IO[str] | None = None) -> None:
        self.name = name
        self.stream = stream if stream is not None else sys.stderr
        self._start = time.monotonic()
        self._pending: list[str] = []
        self._lock = threading.Lock()
        self._showing = after <= 0
        self._timer: threading.Timer | None = None
        if not self._showing:
            self._timer = threading.Timer(after, self._show)
            self._timer.daemon = True
            self._timer.start()

    def __call__(self, phase: str) -> None:
        line = f"{self.name}: {PHASE_TEXT.get(phase, phase)}…（{time.monotonic() - self._start:.1f} s）"
        with self._lock:
            if self._showing:
                self._write([line])
            else:
                self._pending.append(line)

    def _show(self) -> None:
        with self._lock:
            self._showing = True
            self._write(self._pending)
            self._pending = []

    def _write(self, lines: Sequence[str]) -> None:
        for line in lines:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _options(args: argparse.Namespace) -> Any:
    from carbon_report.app.pipeline import Options

    return Options(force=args.force, report=not args.no_report, pdf=args.pdf, report_template=args.report_template,
                   history=tuple(getattr(args, "history", ()) or ()),
                   recalc_threshold_pct=getattr(args, "recalc_threshold", None),
                   time_limit=getattr(args, "time_limit", None), pcf=getattr(args, "pcf", False))


def _report(outcome: Any, as_json: bool) -> None:
    for line in finding_lines(outcome):
        print(line, file=sys.stderr)
    for n in outcome.notices:
        print(f"{outcome.input.name}: {n}", file=sys.stderr)
    if as_json:
        json.dump(outcome.to_json(), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        print()
        return
    print(summary_line(outcome))


def _factors(args: argparse.Namespace) -> int:
    from carbon_report.app.factors import as_json, render_table, search
    from carbon_report.core.factors import load_library

    found = search(load_library(), args.text)
    if args.json:
        json.dump(as_json(found), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        render_table(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
