"""carbon-report command line: a thin shell over pipeline.py.

Output is UTF-8 on any console (a Chinese Windows console defaults to GBK, which cannot print ₂ or ›),
and bad input always ends in one line per problem, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

from carbon_report import __version__
from carbon_report.app.messages import finding_lines, summary_line

EPILOG = """示例 Examples:
  carbon-report template 填报模板.xlsx
  carbon-report check 企业A.xlsx
  carbon-report process 企业A.xlsx --out 输出
  carbon-report batch 收集的工作簿 --out 输出 --jobs 4
  carbon-report factors 柴油

退出码 Exit status: 0 完成 done (warnings allowed); 1 工作簿有错误 workbook has errors;
2 文件无法读取或命令用法错误 unreadable file or wrong usage."""


def _utf8_streams() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="carbon-report",
        description="绿色低碳现代数智企业评价：由企业填报的 Excel 工作簿计算温室气体排放并生成 Word 报告。\n"
                    "Green low-carbon enterprise evaluation: compute GHG emissions from an intake workbook and "
                    "write the Word report.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"carbon-report {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令 command")

    t = sub.add_parser("template", help="写出空白填报模板 write an empty intake template")
    t.add_argument("out", type=Path, metavar="OUT.xlsx")

    a = sub.add_parser("addin", help="写出 Excel 加载项 carbon_report.xlam write the Excel add-in")
    a.add_argument("dir", type=Path, nargs="?", default=None, metavar="DIR")
    a.add_argument("--install", action="store_true",
                   help="写入并安装到 Excel 启动文件夹 XLSTART write it into Excel's start-up folder")
    a.add_argument("--xlstart", type=Path, default=None, metavar="DIR",
                   help="Excel 启动文件夹（默认询问 Excel） the start-up folder (default: ask Excel)")

    c = sub.add_parser("check", help="只校验，不写任何文件 validate only, write nothing")
    c.add_argument("input", type=Path, metavar="IN.xlsx")
    c.add_argument("--json", action="store_true", help="在标准输出打印 JSON print JSON on stdout")

    pr = sub.add_parser("process", help="校验、计算并写出计算结果工作簿和报告 validate, compute, write workbook and report")
    pr.add_argument("input", type=Path, metavar="IN.xlsx")
    pr.add_argument("--out", type=Path, required=True, metavar="DIR", help="输出文件夹 output folder")
    _process_options(pr)

    b = sub.add_parser("batch", help="处理文件夹中的全部工作簿 process every workbook in a folder")
    b.add_argument("input", type=Path, metavar="IN_DIR")
    b.add_argument("--out", type=Path, required=True, metavar="DIR", help="输出文件夹 output folder")
    b.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认：CPU 核数） worker processes")
    b.add_argument("--recursive", action="store_true", help="包括子文件夹 include subfolders")
    b.add_argument("--timeout", type=float, default=300, metavar="SEC", help="单个文件时限（秒） per-file time limit")
    _process_options(b)

    f = sub.add_parser("factors", help="列出或搜索内置排放因子库 list or search the factor library")
    f.add_argument("text", nargs="?", default=None, metavar="TEXT")
    f.add_argument("--json", action="store_true", help="打印 JSON print JSON")
    return p


def _process_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="在标准输出打印 JSON print JSON on stdout")
    p.add_argument("--force", action="store_true", help="覆盖已被编辑过的报告 overwrite an edited report")
    p.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF also write a PDF (LibreOffice)")
    p.add_argument("--report-template", type=Path, default=None, metavar="PATH",
                   help="使用其他报告模板 .docx use another report template")
    p.add_argument("--no-report", action="store_true", help="不生成 Word 报告 skip the Word report")


def main(argv: list[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except Exception as e:  # the last guard: one line, never a traceback
        if os.environ.get("CARBON_REPORT_DEBUG"):
            raise
        print(f"carbon-report: 内部错误，请将此信息反馈给开发者：{type(e).__name__}: {e} [E-INTERNAL]", file=sys.stderr)
        code = 2
    return code


def _run(args: argparse.Namespace) -> int:
    if args.command == "template":
        from carbon_report.outputs.template import write_template

        write_template(args.out)
        print(f"已写出填报模板 template written: {args.out}")
        return 0
    if args.command == "addin":
        return _addin(args)
    if args.command == "factors":
        return _factors(args)
    if args.command == "check":
        from carbon_report.app.pipeline import check_file

        outcome = check_file(args.input)
        _report(outcome, args.json)
        return outcome.exit_code
    if args.command == "process":
        from carbon_report.app.pipeline import process_file
        from carbon_report.core.errors import SameAsInput

        try:
            outcome = process_file(args.input, args.out, _options(args))
        except SameAsInput:
            print(f"{args.input}: 输出路径与输入文件相同，已拒绝 output equals input [E-OUTPUT-IS-INPUT]", file=sys.stderr)
            return 2
        _report(outcome, args.json)
        return outcome.exit_code
    if args.command == "batch":
        from carbon_report.app.batch import run_batch_cli

        return run_batch_cli(args, _options(args))
    raise AssertionError(args.command)


def _addin(args: argparse.Namespace) -> int:
    from carbon_report.app.excel.addin import install_addin, write_addin
    from carbon_report.core.errors import CarbonReportError

    if args.dir is None and not args.install:
        print("carbon-report addin: 请给出文件夹 DIR，或用 --install 安装到 Excel give DIR or --install", file=sys.stderr)
        return 2
    try:
        if args.dir is not None:
            print(f"已写出 Excel 加载项 add-in written: {write_addin(args.dir)}")
        if args.install:
            path = install_addin(args.xlstart)
            print(f"已安装 Excel 加载项 add-in installed: {path}（请重新启动 Excel restart Excel）")
    except CarbonReportError as e:
        print(f"carbon-report: {e.message} [{e.code}]", file=sys.stderr)
        return 2
    return 0


def _options(args: argparse.Namespace) -> Any:
    from carbon_report.app.pipeline import Options

    return Options(force=args.force, report=not args.no_report, pdf=args.pdf, report_template=args.report_template)


def _report(outcome: Any, as_json: bool) -> None:
    for line in finding_lines(outcome):
        print(line, file=sys.stderr)
    for n in outcome.notices:
        print(f"{outcome.input.name}: {n}", file=sys.stderr)
    if as_json:
        json.dump(outcome.to_json(), sys.stdout, ensure_ascii=False, indent=2)
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
