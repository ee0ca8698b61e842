"""The catalogue of finding codes: every code once, with its severity, Chinese message and English gloss.

A code never changes meaning once released (intake contract). Validation, calculation, the batch and the
writers take codes from `Code`, never from string literals; `carbon-report codes` prints this catalogue.
The message is the one template of everything a user reads for the code: a finding is made from its code
and named fields (`Code.X.text(row=3, name="柴油")`), never from text written where it is raised, so that
`carbon-report codes` and docs/codes.md show exactly what users see. The severity is the code's prefix.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from string import Formatter
from typing import Literal

Severity = Literal["error", "warning"]


class Code(StrEnum):
    """`Code.E_UNIT_MISMATCH == "E-UNIT-MISMATCH"`: a code is its own string, so JSON and messages are unchanged."""

    message: str
    en: str

    def __new__(cls, value: str, message: str, en: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        member.en = en
        return member

    @property
    def severity(self) -> Severity:
        return "error" if self.value.startswith("E-") else "warning"

    @cached_property
    def fields(self) -> frozenset[str]:
        """The names in the message's braces: exactly the keywords `text` needs."""
        return frozenset(name for _, name, _, _ in Formatter().parse(self.message) if name)

    def text(self, /, **fields: object) -> str:
        """The message with the finding's own values filled in. A missing or unexpected field is a bug in the
        caller and fails loudly (never a literal brace shown to the user); tests/test_codes.py checks every
        call site's keywords against the template."""
        if set(fields) != self.fields:
            raise TypeError(f"{self.value}: fields {sorted(fields)} but the template names {sorted(self.fields)}")
        return self.message.format(**fields)

    E_ADDIN_XLSTART = ("E-ADDIN-XLSTART", "找不到 Excel 的启动文件夹 XLSTART（{why}）。本机需要安装 Microsoft Excel；也可以用 --xlstart 文件夹 指定",
        "Excel's start-up folder was not found")
    E_ALLOCATION_RANGE = ("E-ALLOCATION-RANGE", "{label}“{value}”应在 0–100（%）之间",
        "allocation share must be between 0 and 100 %")
    E_AMOUNT_NEGATIVE = ("E-AMOUNT-NEGATIVE", "“{name}”的{column}为负数（{value}）",
        "an amount or output is negative")
    E_AMOUNT_NOT_NUMBER = ("E-AMOUNT-NOT-NUMBER", "“{name}”的{column}“{value}”不是数字",
        "an amount is not a number")
    E_AMOUNT_OUT_OF_RANGE = ("E-AMOUNT-OUT-OF-RANGE", "“{name}”的{column}“{value}”超出合理范围（绝对值应小于 10^15，产量和工业总产值不小于 10^-9），请检查是否输错",
        "a number is non-finite, 10^15 or more, or vanishingly small")
    E_AMOUNT_UNIT_CONFLICT = ("E-AMOUNT-UNIT-CONFLICT", "“{name}”的{column}写有单位“{unit}”，与单位列“{column_unit}”不一致",
        "the unit written in the amount differs from the unit column")
    E_BASE_YEAR_HISTORY = ("E-BASE-YEAR-HISTORY", "基准年 {year} 不同于核算年度，需要在“历史排放”表中填写基准年“{stage}”的排放量，或用 --history 给出基准年的工作簿（check 与 process 都接受）",
        "base year differs from the reporting year but 历史排放 has no base-year emissions")
    E_BASE_YEAR_INVALID = ("E-BASE-YEAR-INVALID", "基准年“{value}”应为 {first} 年至核算年度之间的年份",
        "base year is not a year between 1990 and the reporting year")
    E_BATCH_NOT_A_FOLDER = ("E-BATCH-NOT-A-FOLDER", "“{path}”不是文件夹或不存在",
        "batch input is not a folder")
    E_BATCH_OUTPUT_CONFLICT = ("E-BATCH-OUTPUT-CONFLICT", "输出文件名与“{other}”（{path}）的输出相同，未处理此文件；请重命名其中一个",
        "two inputs would write the same output name")
    E_BATCH_TIMEOUT = ("E-BATCH-TIMEOUT", "处理时间超过 {seconds} 秒，已停止处理此文件",
        "a file exceeded the per-file time limit")
    E_BATCH_WORKER_CRASH = ("E-BATCH-WORKER-CRASH", "处理此文件时工作进程出错或异常退出（{error}；每个工作进程内存上限 {limit} MB），已跳过此文件；异常退出的文件已单独重试一次",
        "the worker raised, or died on this file also when retried alone")
    E_CELL_ERROR = ("E-CELL-ERROR", "单元格为 Excel 错误值 {value}，请修正公式或数据",
        "a cell holds an Excel error value (#DIV/0!, #N/A …)")
    E_COLUMN_MISSING = ("E-COLUMN-MISSING", "工作表“{sheet}”缺少必填列“{column}”（在前 {rows} 行中未找到）",
        "a required column is missing from a sheet")
    E_DASK_CONNECT = ("E-DASK-CONNECT", "无法连接 Dask 调度器 {address}：{why}",
        "the Dask scheduler cannot be reached")
    E_DASK_INPUT = ("E-DASK-INPUT", "Dask 工作进程（{node}）读不到输入文件“{path}”；请放在各节点共享的同一路径上，或加 --ship-inputs",
        "a Dask worker cannot read an input path (use --ship-inputs)")
    E_DASK_MISSING = ("E-DASK-MISSING", "--dask 需要 dask 与 distributed：pip install carbon-report[dask]",
        "--dask needs the optional extra carbon-report[dask]")
    E_DASK_WORKER = ("E-DASK-WORKER", "处理此文件的 Dask 工作进程异常退出 {lost} 次（单独重试仍然如此），已跳过此文件",
        "the Dask worker running this file was lost twice")
    E_DATE_INVALID = ("E-DATE-INVALID", "{label}“{value}”不是有效日期（如 2024-07-20 或 2024年7月20日）",
        "a date cell does not hold a date")
    E_EVIDENCE_OUTSIDE = ("E-EVIDENCE-OUTSIDE", "“{name}”的证明材料路径“{file}”指向工作簿所在文件夹之外（如 ..\\ 或绝对路径），不予读取；请把文件放在工作簿所在文件夹内并填写相对路径",
        "an evidence path leads outside the workbook's folder")
    E_FACTOR_AMBIGUOUS = ("E-FACTOR-AMBIGUOUS", "“{name}”未填排放因子编码，因子库中有多个候选（{codes}），请填写编码",
        "no factor code and several library factors match the name")
    E_FACTOR_DUPLICATE = ("E-FACTOR-DUPLICATE", "因子编码“{code}”的气体“{gas}”在第 {row} 行已定义",
        "a factor code and gas are defined twice in 排放因子")
    E_FACTOR_GAS_MISMATCH = ("E-FACTOR-GAS-MISMATCH", "因子单位“{unit}”中的气体与温室气体列“{gas}”不一致",
        "the gas in the factor's unit disagrees with its gas column")
    E_FACTOR_GAS_UNKNOWN = ("E-FACTOR-GAS-UNKNOWN", "温室气体“{gas}”无法识别（如 CO2、CH4、N2O、HFC-134a）",
        "unknown greenhouse gas name")
    E_FACTOR_NO_MATCH = ("E-FACTOR-NO-MATCH", "“{name}”未填排放因子编码，因子库中也没有同名的默认因子，请填写编码",
        "no factor code and no library factor matches the name")
    E_FACTOR_UNKNOWN = ("E-FACTOR-UNKNOWN", "排放因子编码“{code}”在因子库和“排放因子”表中都不存在",
        "factor code found neither in the library nor in 排放因子")
    E_FACTOR_VALUE = ("E-FACTOR-VALUE", "因子值“{value}”应为大于 0 的数字",
        "factor value is not a positive number")
    E_FILE_CORRUPT = ("E-FILE-CORRUPT", "工作簿已损坏，无法读取（{error}）",
        "the workbook's parts cannot be parsed")
    E_FILE_DUPLICATE_PART = ("E-FILE-DUPLICATE-PART", "文件中的部件“{part}”出现了两次{how}：不同程序会读到不同的副本，无法确定哪份数据是真的，已拒绝读取；请在 Excel 中打开并另存为新文件后再处理",
        "the package holds one part name twice (compared case-insensitively, as OPC requires): refused")
    E_FILE_EMPTY = ("E-FILE-EMPTY", "文件为空（0 字节）",
        "the file is empty")
    E_FILE_ENCRYPTED = ("E-FILE-ENCRYPTED", "工作簿设有打开密码，请在 Excel 中取消密码后另存为 .xlsx 再处理",
        "the workbook is password-protected")
    E_FILE_EXTENSION = ("E-FILE-EXTENSION", "不支持的扩展名“{suffix}”，请使用 .xlsx 或 .xlsm",
        "the file extension is not .xlsx or .xlsm")
    E_FILE_IS_DIRECTORY = ("E-FILE-IS-DIRECTORY", "这是一个文件夹，不是工作簿（处理文件夹请用 batch 命令）",
        "the path is a folder, not a workbook")
    E_FILE_LOCKFILE = ("E-FILE-LOCKFILE", "这是 Excel 打开工作簿时生成的临时锁文件（~$ 开头），不是工作簿",
        "the file is Excel's ~$ lock file")
    E_FILE_MERGED_TOO_LARGE = ("E-FILE-MERGED-TOO-LARGE", "工作表“{sheet}”的合并单元格范围过大（超过 {limit} 个单元格），请取消整行或整列的合并后再保存",
        "a sheet's merged ranges cover too many cells")
    E_FILE_NOT_FOUND = ("E-FILE-NOT-FOUND", "文件不存在",
        "the file does not exist")
    E_FILE_NOT_REGULAR = ("E-FILE-NOT-REGULAR", "这不是普通文件，不是工作簿",
        "the path is not a regular file")
    E_FILE_NOT_WORKBOOK = ("E-FILE-NOT-WORKBOOK", "这是 zip 文件，但不是 Excel 工作簿（可能是改了扩展名的 Word 文档或压缩包）",
        "a zip package that is not a workbook")
    E_FILE_NOT_XLSX = ("E-FILE-NOT-XLSX", "这是文本（如 CSV）文件而不是 Excel 工作簿，请用 Excel 另存为 .xlsx",
        "a text file (CSV …) with a workbook extension")
    E_FILE_NOT_ZIP = ("E-FILE-NOT-ZIP", "不是 Excel 工作簿（.xlsx 文件应为 zip 格式）",
        "the file is not a zip package")
    E_FILE_STRICT_OOXML = ("E-FILE-STRICT-OOXML", "这是“Strict Open XML 电子表格”格式，本工具无法读取；请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后再处理",
        "a Strict Open XML workbook: save it as a (transitional) Excel workbook")
    E_FILE_TOO_LARGE = ("E-FILE-TOO-LARGE", "文件过大（{size} MB，上限 {limit} MB）",
        "the file is larger than the limit")
    E_FILE_TOO_MANY_ROWS = ("E-FILE-TOO-MANY-ROWS", "工作簿的数据表共有超过 {limit} 行数据（到工作表“{sheet}”第 {row} 行），超出一次可处理的范围；请拆分为多个工作簿后分别处理",
        "more data rows than one run handles within its memory cap: split the workbook")
    E_FILE_TRUNCATED = ("E-FILE-TRUNCATED", "文件已损坏或不完整（zip 目录无法读取），请重新保存或重新发送",
        "the zip directory cannot be read (truncated file)")
    E_FILE_UNREADABLE = ("E-FILE-UNREADABLE", "无法打开文件（{reason}）",
        "the operating system refused to open the file")
    E_FILE_XLS = ("E-FILE-XLS", "这是旧版 Excel 97-2003（.xls）文件，请在 Excel 中另存为 .xlsx 后再处理",
        "an Excel 97-2003 .xls file")
    E_FILE_XLSB = ("E-FILE-XLSB", "这是 Excel 二进制工作簿（.xlsb），本工具只能读取 .xlsx / .xlsm；请在 Excel 中“另存为”“Excel 工作簿(*.xlsx)”后再处理",
        "a binary workbook (.xlsb): save it as .xlsx")
    E_FILE_XML_ENTITY = ("E-FILE-XML-ENTITY", "工作簿的 XML 中含有 DOCTYPE 或实体定义（Excel 从不写出这些，可能是恶意构造的文件），已拒绝读取",
        "the workbook's XML declares entities (DTD), refused for safety")
    E_FILE_ZIP_BOMB = ("E-FILE-ZIP-BOMB", "文件的{what}为 {value}，超过上限 {limit}，疑似恶意压缩文件",
        "too many or too large zip members (zip bomb)")
    E_FORMULA_UNCACHED = ("E-FORMULA-UNCACHED", "公式没有计算结果（文件未在 Excel 中计算并保存过），请在 Excel 中打开、重新计算并保存",
        "a formula has no cached value")
    E_GWP_MISSING = ("E-GWP-MISSING", "GWP 版本 {gwp_set} 中没有气体“{gas}”的增温潜势值（因子 {code}）",
        "the GWP set has no value for a gas")
    E_GWP_VERSION = ("E-GWP-VERSION", "GWP版本“{value}”无效，应为 {choices}",
        "unknown GWP set")
    E_INTERNAL = ("E-INTERNAL", "内部错误，请将此信息反馈给开发者：{error}",
        "a bug: an unexpected exception")
    E_ISO_CATEGORY_NEEDED = ("E-ISO-CATEGORY-NEEDED", "“{name}”：范围改为 3 时无法确定 ISO 14064-1 类别，请同时填写“ISO类别”（3–6）",
        "a scope 3 override needs an ISO category")
    E_ISO_CATEGORY_UNKNOWN = ("E-ISO-CATEGORY-UNKNOWN", "ISO类别“{value}”无法识别，应为 1 到 6（ISO 14064-1 类别1–6），或留空",
        "the ISO类别 value is not 1–6")
    E_LABEL_MISSING = ("E-LABEL-MISSING", "“{sheet}”中找不到必填项“{label}”",
        "a required label is missing from 企业信息")
    E_MONTHLY_MISMATCH = ("E-MONTHLY-MISMATCH", "“{name}”的活动数据“{amount}”与 1–12 月之和 {sum} 相差 {pct}%，超过 0.5%；请核对月度数据或年度数据（填“不适用”时请删除月度数据）",
        "the annual amount and the sum of the months differ by more than 0.5 %")
    E_NO_ACTIVITIES = ("E-NO-ACTIVITIES", "“活动数据”表中没有任何活动数据行",
        "活动数据 has no rows")
    E_NOT_APPLICABLE_REASON = ("E-NOT-APPLICABLE-REASON", "“{name}”填写了“不适用”，请在备注中说明排除的原因",
        "不适用 without a reason in 备注")
    E_OUTPUT_DISK_FULL = ("E-OUTPUT-DISK-FULL", "磁盘空间不足，无法写入：{path}。请清理磁盘或换一个输出文件夹",
        "the disk (or the quota) is full")
    E_OUTPUT_EXISTS = ("E-OUTPUT-EXISTS", "文件已存在，未覆盖：{path}。如需覆盖请加 --force",
        "the output file exists and --force was not given")
    E_OUTPUT_IS_INPUT = ("E-OUTPUT-IS-INPUT", "输出路径与输入文件相同，已拒绝",
        "the output path equals the input file")
    E_OUTPUT_LOCKED = ("E-OUTPUT-LOCKED", "文件正被其他程序（如 Excel、Word）打开，无法写入：{path}。请关闭该文件后重试（已加载的加载项须先关闭 Excel）",
        "an output file is open in another program")
    E_OUTPUT_NAME_TOO_LONG = ("E-OUTPUT-NAME-TOO-LONG", "输出文件名过长（{size} 字节，文件系统上限通常为 255 字节）：{name}。请缩短输入文件的文件名",
        "the output's file name is longer than the file system allows")
    E_OUTPUT_NONPOSITIVE = ("E-OUTPUT-NONPOSITIVE", "产品“{name}”用于强度计算，产量必须大于 0",
        "a product used for intensity has no positive output")
    E_OUTPUT_NOT_A_FOLDER = ("E-OUTPUT-NOT-A-FOLDER", "输出位置不是文件夹（同名的文件已存在）：{path}。请换一个输出文件夹（--out）",
        "the output folder (--out) is a file")
    E_OUTPUT_NOT_WRITABLE = ("E-OUTPUT-NOT-WRITABLE", "输出文件夹不可写入（只读、受保护或没有权限）：{path}。请换一个输出文件夹（--out）",
        "the output folder is read-only, immutable or not writable by this user")
    E_OUTPUT_VALUE_INVALID = ("E-OUTPUT-VALUE-INVALID", "工业总产值“{value}”应为大于 0 的数字（万元）",
        "工业总产值 is not a positive number")
    E_OUTPUT_WRITE_FAILED = ("E-OUTPUT-WRITE-FAILED", "无法写入输出文件：{path}（{reason}）",
        "an output could not be written (another operating-system error)")
    E_PANDAS_MISSING = ("E-PANDAS-MISSING", "DataFrame 需要 pandas：pip install carbon-report[pandas]",
        "to_frame needs the optional extra carbon-report[pandas]")
    E_PCF_ALLOCATION_INVALID = ("E-PCF-ALLOCATION-INVALID", "分配方法“{value}”应为 质量、经济、比例 或 不分配",
        "the allocation method is not mass, economic, share or none")
    E_PCF_BOUNDARY_DATA = ("E-PCF-BOUNDARY-DATA", "产品“{name}”的系统边界为从摇篮到坟墓，但“活动数据”中没有注明该产品的使用阶段和寿命终止阶段数据（“产品”列填该产品，“类型”填 产品使用、废弃处置）",
        "cradle-to-grave needs use and end-of-life rows of that product")
    E_PCF_BOUNDARY_INVALID = ("E-PCF-BOUNDARY-INVALID", "系统边界“{value}”应为 从摇篮到大门 或 从摇篮到坟墓",
        "the system boundary is neither cradle-to-gate nor cradle-to-grave")
    E_PCF_FILE_CLASH = ("E-PCF-FILE-CLASH", "产品“{name}”与“{other}”的产品碳足迹报告文件名相同，请修改其中一个产品名称",
        "two products would write the same footprint file")
    E_PCF_NO_OUTPUT = ("E-PCF-NO-OUTPUT", "产品“{name}”的产量不大于 0，无法计算单位产品碳足迹",
        "a product without a positive output has no per-unit footprint")
    E_PCF_NOT_ALLOCATED = ("E-PCF-NOT-ALLOCATED", "分配方法为“不分配”，但“{name}”未填写所属产品（“产品”列）",
        "不分配 needs every activity row to name its product")
    E_PCF_OUTPUT_VALUE_MISSING = ("E-PCF-OUTPUT-VALUE-MISSING", "按经济价值分配，产品“{name}”须填写大于 0 的“产值(万元)”",
        "economic allocation needs every product's 产值")
    E_PCF_PRODUCT_UNKNOWN = ("E-PCF-PRODUCT-UNKNOWN", "产品“{product}”不在“产品产量”表中（须与产品名称完全一致）",
        "an activity row names a product that is not in 产品产量")
    E_PCF_SHARE_MISSING = ("E-PCF-SHARE-MISSING", "按比例分配，产品“{name}”须填写“分配比例”",
        "share allocation needs every product's 分配比例")
    E_PCF_SHARE_SUM = ("E-PCF-SHARE-SUM", "按比例分配，各产品的分配比例合计应为 100%，实为 {total}%",
        "share allocation: the products' 分配比例 must add up to 100 %")
    E_PCF_UNIT_MASS_MISSING = ("E-PCF-UNIT-MASS-MISSING", "按质量分配，产品“{name}”以“{unit}”计，须填写“单位质量(kg)”",
        "mass allocation of a product counted in pieces needs 单位质量(kg)")
    E_PICTURE_OUTSIDE = ("E-PICTURE-OUTSIDE", "图片文件“{file}”不在工作簿所在的文件夹内（含 ..、绝对路径、盘符或指向文件夹外的链接），出于安全原因不读取；请把图片放在工作簿所在文件夹（或其子文件夹）中并填写相对路径",
        "a picture path leads out of the workbook's folder (.., absolute, drive letter, symlink)")
    E_PROFILE = ("E-PROFILE", "咨询机构配置有误：{detail}",
        "the consultancy profile (carbon-report profile) has a wrong value or cannot be read or written")
    E_QUALITY_UNKNOWN = ("E-QUALITY-UNKNOWN", "“{name}”的数据质量“{value}”无法识别，应为 实测、计算、估算、缺省 之一",
        "unknown 数据质量 (data quality tier)")
    E_REDUCTION_RANGE = ("E-REDUCTION-RANGE", "{label}“{value}”应在 0–100（%）之间",
        "a reduction rate is outside 0–100 %")
    E_REPORT_TEMPLATE = ("E-REPORT-TEMPLATE", "报告模板有误，无法生成报告：{detail}",
        "the report template is missing or cannot be rendered")
    E_REQUIRED_MISSING = ("E-REQUIRED-MISSING", "“{name}”缺少“{column}”，请填写（数量无数据请填 /）",
        "a required cell is blank")
    E_SCOPE_ISO_CONFLICT = ("E-SCOPE-ISO-CONFLICT", "“{name}”：范围 {scope} 与 ISO类别 {category} 不一致（类别1 对应范围 1，类别2 对应范围 2，类别3–6 对应范围 3）",
        "the scope and the ISO category contradict each other")
    E_SCOPE_UNKNOWN = ("E-SCOPE-UNKNOWN", "范围“{value}”无法识别，应为 1、2 或 3（GHG Protocol 范围一、二、三），或留空",
        "the 范围 value is not 1, 2 or 3")
    E_SHEET_MISSING = ("E-SHEET-MISSING", "缺少工作表“{sheet}”",
        "a required sheet is missing")
    E_SHEET_NOT_GRID = ("E-SHEET-NOT-GRID", "“{sheet}”是图表工作表，不是表格；请改名或删除后重新建立该工作表",
        "a required sheet is a chart sheet")
    E_SHEET_TOO_LARGE = ("E-SHEET-TOO-LARGE", "工作表“{sheet}”数据行超过 {limit} 行，无法处理",
        "a sheet has more rows than allowed")
    E_STAGE_UNKNOWN = ("E-STAGE-UNKNOWN", "阶段“{value}”无法识别，应为：原材料获取、生产、采购、运输、包装、回收之一",
        "unknown life-cycle stage")
    E_TARGET_CONFLICT = ("E-TARGET-CONFLICT", "与第 {row} 行的目标（同一年份、阶段和类型）减排比例不同（{earlier_pct}% 与 {pct}%）",
        "two targets for the same year, stage and kind disagree")
    E_TARGET_KIND = ("E-TARGET-KIND", "目标类型“{value}”应为 总量 或 强度",
        "target kind is neither 总量 nor 强度")
    E_TARGET_NO_PRODUCT = ("E-TARGET-NO-PRODUCT", "强度目标需要至少一种“用于强度计算”为“是”的产品",
        "an intensity target without a product used for intensity")
    E_TARGET_YEAR = ("E-TARGET-YEAR", "目标年份 {year} 应晚于基准年 {base_year}",
        "a target year not after the base year")
    E_TIME_LIMIT = ("E-TIME-LIMIT", "处理时间超过 --time-limit 给出的 {seconds} 秒，已停止，未生成报告；已写出的完整文件：{written}",
        "the run took longer than --time-limit")
    E_UNCERTAINTY_INVALID = ("E-UNCERTAINTY-INVALID", "“{name}”的不确定度“{value}”应为不小于 0 的百分数（如 5 表示 ±5%）",
        "an uncertainty is not a non-negative percentage")
    E_UNIT_MISMATCH = ("E-UNIT-MISMATCH", "“{name}”的单位“{unit}”无法换算为因子 {code} 的单位“{factor_unit}”（{factor}）：{unit_means}与{factor_means}不能直接换算，因子库条目也未声明此换算",
        "the activity's unit cannot convert to the factor's unit")
    E_UNIT_MISSING = ("E-UNIT-MISSING", "“{name}”缺少单位（如 t、kWh、m3）",
        "a quantity without a unit")
    E_UNIT_UNKNOWN = ("E-UNIT-UNKNOWN", "“{name}”的单位“{unit}”无法识别：{why}",
        "unknown unit spelling")
    E_UPLOAD_ZIP = ("E-UPLOAD-ZIP", "压缩包“{file}”{detail}，未处理",
        "a .zip uploaded to the web page was refused (a member outside it, a link, too large, no workbook)")
    E_USAGE = ("E-USAGE", "命令用法错误：{detail}",
        "the command was used wrongly")
    E_USCC_CHECK = ("E-USCC-CHECK", "统一社会信用代码“{value}”不符合 GB 32100-2015：{problem}",
        "the unified social credit code fails its GB 32100-2015 check")
    E_USCC_NUMBER = ("E-USCC-NUMBER", "统一社会信用代码被当作数字输入，Excel 已丢失其中的位数；请将单元格设为文本后重新输入完整代码",
        "the credit code was typed as a number and lost digits")
    E_XLWINGS_ADDIN = ("E-XLWINGS-ADDIN", "xlwings {version} 的加载项模板 {file} 缺失或已损坏（{error}）。请重新安装 xlwings：python -m pip install --force-reinstall \"xlwings=={version}\"",
        "xlwings' ribbon add-in is missing or not of the known shape")
    E_XLWINGS_VERSION = ("E-XLWINGS-VERSION", "本机安装的 xlwings 是 {version}，本工具的加载项只支持 {range}。请运行 python -m pip install \"{range}\" 后再生成加载项",
        "the installed xlwings is outside the range the add-in was built for")
    E_YEAR_INVALID = ("E-YEAR-INVALID", "{label}“{value}”不是 {first}–{last} 之间的年份",
        "a year cell does not hold a year")
    E_YESNO_INVALID = ("E-YESNO-INVALID", "“{label}”应填 是 或 否，实际为“{value}”",
        "a yes/no cell is neither yes (是) nor no (否)")
    W_ADDIN_VERSION = ("W-ADDIN-VERSION", "注意：加载项是用 carbon-report {version} / xlwings {xlwings} 生成的，本机现在安装的是 carbon-report {now} / xlwings {now_xlwings}。请关闭 Excel，在命令行运行 carbon-report addin --install 更新加载项。",
        "the add-in was built by other carbon-report or xlwings versions")
    W_ALLOCATION_SUM = ("W-ALLOCATION-SUM", "用于强度计算的产品分配比例合计为 {sum}%，超过 100%",
        "allocation shares add up to more than 100 %")
    W_AMOUNT_NO_DATA = ("W-AMOUNT-NO-DATA", "“{name}”无数据（{value}），按 0 计算并在报告中列为数据缺口",
        "no data (/, 无 …): counted as 0 and listed as a data gap")
    W_AMOUNT_WITH_UNIT = ("W-AMOUNT-WITH-UNIT", "“{name}”的{column}“{value}”含单位，已按 {number} {unit} 读取",
        "a number with a unit in the amount cell was read")
    W_BASE_YEAR_SOURCE_MISSING = ("W-BASE-YEAR-SOURCE-MISSING", "{source}在基准年 {year} 的工作簿“{file}”中没有对应的排放源：请在该工作簿的“活动数据”表增加一行（{fill}，填写 {year} 年的数量，“仅用于重算”填“是”），否则基准年重算按 0 计",
        "a source of this year has no base-year counterpart: add a 仅用于重算 row to the base-year workbook")
    W_BASE_YEAR_RECALCULATED = ("W-BASE-YEAR-RECALCULATED", "基准年 {year} 排放量按本年度的方法和边界重算为 {total} tCO2e（原报告 {reported} tCO2e，相差 {pct}）；各项变化的绝对值合计 {moved} tCO2e，为原报告的 {cumulative}，达到 {threshold}% 的重算阈值（达到或超过即重算），减排目标按重算后的基准年排放量测算",
        "the base year's structural and methodology changes add up (in absolute value) to the threshold or more; targets use the recalculated base year")
    W_BATCH_DUPLICATE_COMPANY = ("W-BATCH-DUPLICATE-COMPANY", "统一社会信用代码“{uscc}”、核算年度 {year} 与“{other}”相同，可能重复提交",
        "two workbooks of one company and year in a batch")
    W_BATCH_EMPTY = ("W-BATCH-EMPTY", "文件夹中没有 .xlsx 或 .xlsm 工作簿",
        "the batch folder holds no workbook")
    W_CONCLUSION_BLANK = ("W-CONCLUSION-BLANK", "评价结论为空：报告中将显示待填写的占位提示，请咨询机构填写",
        "评价结论 is blank: the report shows a placeholder")
    W_COVER_FIELD_BLANK = ("W-COVER-FIELD-BLANK", "{field}为空：报告的{place}将显示高亮的待填写占位，请技术服务机构填写",
        "a cover or sign-off field is blank: the report shows a highlighted placeholder")
    W_DOUBLE_COUNT = ("W-DOUBLE-COUNT", "{what}“{name}”同时出现在“{stage}”（第 {row} 行）和“{other_stage}”阶段，可能重复计算",
        "one activity appears in two stages")
    W_DUPLICATE_ROW = ("W-DUPLICATE-ROW", "第 {row} 行与第 {other_row} 行完全相同，是否重复填写？",
        "two identical rows")
    W_EQUIPMENT_FUEL = ("W-EQUIPMENT-FUEL", "设备“{name}”使用{fuel}，但活动数据中没有{fuel}的消耗记录",
        "equipment burns a fuel that 活动数据 does not list")
    W_EQUIPMENT_QUANTITY = ("W-EQUIPMENT-QUANTITY", "设备数量“{value}”不是数字，已按空白读取",
        "equipment quantity is not a number")
    W_EVIDENCE_MISSING = ("W-EVIDENCE-MISSING", "找不到“{name}”的证明材料文件“{file}”，计算明细中不记录其 SHA-256",
        "an evidence file is missing")
    W_EVIDENCE_NOT_REGULAR = ("W-EVIDENCE-NOT-REGULAR", "“{name}”的证明材料“{file}”{why}，计算明细中不记录其 SHA-256",
        "an evidence path names a folder, a FIFO or a device: not read")
    W_EVIDENCE_TOO_LARGE = ("W-EVIDENCE-TOO-LARGE", "“{name}”的证明材料“{file}”有 {size} MB，超过 {limit} MB 的上限，只记录大小，不计算 SHA-256",
        "an evidence file above the size cap: its size is recorded, not its hash")
    W_EVIDENCE_UNREADABLE = ("W-EVIDENCE-UNREADABLE", "“{name}”的证明材料“{file}”无法读取（{why}），计算明细中不记录其 SHA-256",
        "an evidence path cannot be read (name too long, symlink loop, no permission)")
    W_FACTOR_BY_NAME = ("W-FACTOR-BY-NAME", "“{name}”未填排放因子编码，已按名称选用因子库 {code}（{factor}）",
        "no factor code: the library's default for the name was chosen")
    W_FACTOR_CH4_CLASS = ("W-FACTOR-CH4-CLASS", "因子“{code}”的温室气体写作 CH4，未注明来源，按 {gwp_set} 未区分来源的 GWP {generic} 计算；化石燃料请写 CH4-fossil（{fossil}），生物质等请写 CH4-non-fossil（{non_fossil}）",
        "a workbook CH4 row names no fossil or non-fossil class")
    W_FACTOR_SCALE = ("W-FACTOR-SCALE", "因子“{code}”为 {value}，与因子库的 {library_value} 相差约 {ratio} 倍，请检查单位（如 kWh 与 MWh、kg 与 t）",
        "a workbook factor differs from the library's by orders of magnitude")
    W_FACTOR_UNVERIFIED = ("W-FACTOR-UNVERIFIED", "因子库 {code} 含未核实的参数（{parameters}）：可用实测值或在“排放因子”表中填写有出处的因子",
        "a library factor uses a parameter no text read confirms")
    W_FACTOR_YEAR = ("W-FACTOR-YEAR", "因子年份“{value}”不是年份，已忽略",
        "a factor's year is not a year")
    W_GREEN_POWER_NO_RESIDUAL = ("W-GREEN-POWER-NO-RESIDUAL", "本工作簿的绿电按市场法计为 0，而电网电力使用的因子 {code} 是位置法电网平均因子，因子库中没有对应的“不包括市场化交易的非化石能源电量”（剩余电网组合）因子：绿电电量仍含在该平均因子中，可能被重复声明。请改用有剩余组合因子的年份（如 EF-ELEC-CN-RESIDUAL-2022），或在报告中说明",
        "green power beside a grid factor with no residual mix")
    W_GREEN_POWER_RESIDUAL = ("W-GREEN-POWER-RESIDUAL", "本工作簿有绿电，电网电力使用全国平均因子 {code} 会把绿电部分重复计入；建议改用不包括市场化交易非化石能源电量的因子 {residual}",
        "green power beside the average grid factor counts it twice")
    W_HIDDEN_ROW = ("W-HIDDEN-ROW", "第 {row} 行被隐藏或筛选，仍已读取",
        "a hidden or filtered row was read")
    W_HISTORY_COMPANY = ("W-HISTORY-COMPANY", "历史工作簿“{file}”的统一社会信用代码 {other}（{name}）与本工作簿的 {uscc} 不同，不是同一企业，未采用",
        "a history workbook belongs to another company (another 统一社会信用代码) and is not used")
    W_HISTORY_INVALID = ("W-HISTORY-INVALID", "历史工作簿“{file}”有 {n} 个错误（如 {first}），未采用",
        "a history workbook has errors and is not used")
    W_HISTORY_TOTAL_MISMATCH = ("W-HISTORY-TOTAL-MISMATCH", "{year} 年合计排放量 {total} tCO2e 与各阶段之和 {sum} tCO2e （{rows} 行）不一致，相差 {diff}；基准年合计目标与各阶段目标将互不相符，请核对",
        "a history total differs from the sum of its stage rows")
    W_HISTORY_UNREADABLE = ("W-HISTORY-UNREADABLE", "历史工作簿“{file}”无法读取：{why}，未采用",
        "a history workbook cannot be read")
    W_HISTORY_ROW_SUPERSEDED = ("W-HISTORY-ROW-SUPERSEDED", "第 {row} 行 {year} 年的排放量未采用：该年已由往年工作簿“{file}”计算（按原报告计算，并按本年度的方法和边界重算）",
        "a 历史排放 row's year is computed from a history workbook instead")
    W_HISTORY_YEAR = ("W-HISTORY-YEAR", "历史工作簿“{file}”的核算年度 {year} 未采用：须早于本工作簿的 {current} 年，且每年只采用一个历史工作簿（{year} 年已采用：{other}）",
        "a history workbook's year is not earlier than this year's, or repeats another history workbook's year")
    W_MEASURES_EMPTY = ("W-MEASURES-EMPTY", "减排技术表为空：报告附表“企业碳减排技术清单”显示“/”，减排目标无措施支撑；请填写减排技术措施",
        "no reduction measures listed")
    W_MEASURES_SHORT = ("W-MEASURES-SHORT", "{stages}：减排技术的年均减排比例按复利至 {year} 年仅减排 {achieved}，低于目标 {pct}%",
        "the measures' yearly rates fall short of a target")
    W_MONTH_GAP = ("W-MONTH-GAP", "“{name}”的 {months} 未填写，按 0 计入年度活动数据，并在报告中列为数据缺口",
        "some months are blank while others are filled (a data gap)")
    W_NOTE_ROW_SKIPPED = ("W-NOTE-ROW-SKIPPED", "第 {row} 行是注释行，已跳过",
        "a note row (注…) was skipped")
    W_PERCENT_FRACTION = ("W-PERCENT-FRACTION", "{label}“{value}”按 {pct}% 读取；若指 {pct100}%，请填 {pct100}",
        "a plain number between 0 and 1 read as a percentage")
    W_PHONE_NUMBER = ("W-PHONE-NUMBER", "联系方式被当作数字输入，可能已丢失开头的 0；请设为文本后重新输入",
        "a phone number typed as a number may have lost its leading 0")
    W_PCF_ALLOCATION_DEFAULT = ("W-PCF-ALLOCATION-DEFAULT", "“分配方法”未填，{why}，产品碳足迹按{method}分配",
        "blank 分配方法: the default allocation was used")
    W_PCF_EXCLUDED = ("W-PCF-EXCLUDED", "“{name}”属于{stage}阶段，不在产品“{product}”的系统边界（{boundary}）内，未计入产品碳足迹",
        "a row outside a product's system boundary is left out of its footprint")
    W_PCF_PACT = ("W-PCF-PACT", "产品“{name}”未生成 PACT 数据文件：{why}",
        "no PACT file for a product, and why")
    W_PICTURE_MISSING = ("W-PICTURE-MISSING", "找不到图片文件“{file}”，报告中将显示占位框",
        "a picture file is missing: the report shows a placeholder")
    W_PICTURE_NOT_REGULAR = ("W-PICTURE-NOT-REGULAR", "图片“{file}”{why}，报告中将显示占位框",
        "a picture path names a folder, a FIFO or a device: not read")
    W_PICTURE_UNREADABLE = ("W-PICTURE-UNREADABLE", "图片“{file}”无法读取（{why}），报告中将显示占位框",
        "a picture path cannot be read (name too long, symlink loop, no permission)")
    W_PICTURE_TYPE = ("W-PICTURE-TYPE", "图片“{file}”不是 png 或 jpg（按扩展名或文件内容判断），报告中将显示占位框",
        "a picture is not PNG or JPEG: the report shows a placeholder")
    W_PICTURE_TOO_LARGE = ("W-PICTURE-TOO-LARGE", "图片“{file}”像素过多（超过图片库的安全上限），报告中将显示占位框；请缩小后再插入",
        "a picture exceeds the image library's pixel limit: the report shows a placeholder")
    W_PRODUCTS_EMPTY = ("W-PRODUCTS-EMPTY", "产品产量表为空：报告不计算单位产品碳排放强度，产品产量表显示“/”；请填写主要产品及产量",
        "no products, so no per-product intensity")
    W_REPORT_PLACEHOLDER = ("W-REPORT-PLACEHOLDER", "“{field}”为空：报告“{place}”处将显示高亮的待填写占位，请在此填写",
        "a blank field the report shows as a highlighted placeholder")
    W_REPORT_DATE_BLANK = ("W-REPORT-DATE-BLANK", "报告日期为空：默认电网因子按运行当天（{date}）选取，改日运行可能选到新发布的因子、结果不同；请填写报告日期，重新出具报告时结果才能重现",
        "blank 报告日期: default factors follow the run date")
    W_SCOPE_INFERRED = ("W-SCOPE-INFERRED", "排放因子“{code}”不在因子库中，已按其气体和单位归为“{kind}”（范围 {scope}、ISO 14064-1 类别 {category}）；如不符，请在“排放因子”表填写“范围”和“ISO类别”",
        "a workbook factor was classified by its gas and unit")
    W_SCOPE2_LOCATION = ("W-SCOPE2-LOCATION", "“{name}”（{market}）的范围二位置法排放按电网平均因子 {code}（{factor}）计算；市场法排放（计入合计）仍按 {market}",
        "the location-based Scope 2 figure uses a grid average factor")
    W_SCOPE2_LOCATION_NONE = ("W-SCOPE2-LOCATION-NONE", "“{name}”（{market}）找不到可用的电网平均因子（报告日期 {date}），范围二位置法排放暂按市场法数值计",
        "no grid average for the location-based figure: market-based used")
    W_TARGET_INTENSITY_BASE = ("W-TARGET-INTENSITY-BASE", "强度目标需要基准年 {year} 的“{product}”产量：请用 --history 提供基准年工作簿（取其“产品产量”），或在“产品产量”表的“基准年产量”列填写，此目标未测算",
        "an intensity target needs the base year's output (history workbook or 基准年产量), not computed")
    W_TEMPLATE_EXTERNAL = ("W-TEMPLATE-EXTERNAL", "报告模板“{file}”含有指向外部的链接（{links}），已在生成报告前删除：报告不包含也不访问这些外部内容",
        "the report template's external relationships (linked pictures, attachedTemplate, file:// or network links, OLE links) and fields that read other files (INCLUDEPICTURE, INCLUDETEXT, LINK …) were removed before rendering")
    W_TEMPLATE_VERSION = ("W-TEMPLATE-VERSION", "模板版本为“{value}”，本程序按 v{version} 读取",
        "the template version is not the one this program reads")
    W_TOTAL_ROW_SKIPPED = ("W-TOTAL-ROW-SKIPPED", "第 {row} 行是合计/小计行，已跳过（合计由程序计算）",
        "a 合计/小计 row was skipped")
    W_TOTAL_ZERO = ("W-TOTAL-ZERO", "排放总量为 0，无法计算各阶段占比",
        "total is 0: shares cannot be computed")
    W_UNCERTAINTY_DEFAULT = ("W-UNCERTAINTY-DEFAULT", "“{name}”未填不确定度，按数据质量“{tier}”取缺省值 ±{pct}%，报告中注明为缺省值",
        "no uncertainty given: the data quality tier's default is used")
    W_UNIT_NM3_ASSUMED = ("W-UNIT-NM3-ASSUMED", "“{name}”的单位“{unit}”未注明标准状况，已按标况体积（0 ℃、101.325 kPa，Nm³）读取，以对应因子 {code} 的单位“{factor_unit}”；若为工况计量（如 20 ℃ 燃气表），按标况读取会高估约 7.3%，请换算为 Nm³ 填写，或在备注中注明“标况”",
        "plain m³ read as Nm³ (a meter at 20 °C reads about 7.3 % high)")


def lookup(text: str) -> Code | None:
    """The catalogue entry for a code typed by a user (case and surrounding spaces ignored)."""
    try:
        return Code(text.strip().upper())
    except ValueError:
        return None

