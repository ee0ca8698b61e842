"""The intake template contract v1 (shared/intake-contract.md) as data.

Reader, validator and template writer all read these tables, so a header or label is spelled in one place.
Keys are English identifiers; the Chinese text is what the workbook shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

TEMPLATE_VERSION = 1


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""  # the note a clerk sees on the header cell
    aliases: tuple[str, ...] = ()  # other spellings the reader accepts (01月, 一月 for 1月)


@dataclass(frozen=True)
class TableSheet:
    name: str
    columns: tuple[Column, ...]
    required_sheet: bool = True

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.required)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


@dataclass(frozen=True)
class Label:
    key: str
    text: str
    required: bool = False
    help: str = ""
    long_text: bool = False  # a paragraph for the report rather than a short value


COMPANY_SHEET = "企业信息"

# Product carbon footprints (issue 28): optional columns, binding only with --pcf or when one is filled.
PCF_ALLOCATION_HELP = ("可选，用于产品碳足迹（--pcf）。各产品共用排放的分配方法：质量、经济、比例（按“产品产量”的分配比例）"
                       "或 不分配（每行活动数据都注明所属产品时）；留空时，每个产品都填写了分配比例则按比例，否则按质量")
PCF_PRODUCT_HELP = ("可选，用于产品碳足迹。本行只属于一种产品时填写该产品名称（与“产品产量”中的名称完全一致）；"
                    "留空表示各产品共用，按分配方法分摊")
PCF_BOUNDARIES = {"从摇篮到大门": "cradle_to_gate", "从摇篮到坟墓": "cradle_to_grave"}

LABELS: tuple[Label, ...] = (
    Label("name", "企业名称", True, "营业执照上的企业全称；报告各处的企业名称都取自这里"),
    Label("uscc", "统一社会信用代码", True, "18 位代码，按文本填写（单元格已设为文本格式）"),
    Label("registered_address", "注册地址", False, "营业执照上的住所"),
    Label("address", "生产经营地址", False, "实际生产经营场所的地址，显示在报告信息表中"),
    Label("industry", "所属行业", False, "国民经济行业分类，如 水泥制品制造"),
    Label("year", "核算年度", True, "核算的年份，如 2023"),
    Label("base_year", "基准年", False, "减排目标的基准年；留空表示与核算年度相同"),
    Label("gwp_version", "GWP版本", False, "全球增温潜势取值版本：SAR / AR4 / AR5 / AR6，留空为 AR6"),
    Label("template_version", "模板版本", False, "模板版本号，请勿修改"),
    Label("report_no", "报告编号", False, "技术服务机构给本报告的编号"),
    Label("report_date", "报告日期", False, "报告出具日期；决定默认电网因子的选取"),
    Label("agency_name", "技术服务机构名称", False, "编制报告的技术服务机构全称（报告封面“编制单位”）"),
    Label("agency_address", "技术服务机构地址", False, "技术服务机构的地址"),
    Label("contact", "联系人", False, "报告信息表中的联系人姓名"),
    Label("phone", "联系方式", False, "电话号码，按文本填写"),
    Label("team_leader", "组长", False, "评价组组长姓名"),
    Label("team_members", "组员", False, "评价组组员姓名，多人用空格分隔"),
    Label("reviewer", "技术复核人", False, "技术复核人姓名"),
    Label("review_date", "复核日期", False, "技术复核的日期，如 2024-07-20"),
    Label("approver", "批准人", False, "批准人姓名"),
    Label("approval_date", "批准日期", False, "批准的日期，如 2024-07-20"),
    Label("output_value", "工业总产值", False, "单位：万元；填写后计算单位产值排放强度"),
    Label("allocation_method", "分配方法", False, PCF_ALLOCATION_HELP),
    Label("profile", "企业简介", False, "报告“企业简介”一节的文字，可分段（单元格内换行：Alt+Enter）", long_text=True),
    Label("main_products", "主要产品", False, "主要产品及工艺流程的文字说明", long_text=True),
    Label("org_boundary", "组织边界", False, "如：本公司持有运营控制权的厂区", long_text=True),
    Label("env_upgrade", "绿色环保改造升级情况", False, "环保手续、环境管理体系、环境监测等情况", long_text=True),
    Label("systems", "制度及体系建设情况", False, "能源管理、绿色生产、绿色供应链等制度", long_text=True),
    Label("low_carbon", "绿色低碳建设情况", False, "碳减排管理制度、已编制的碳排放相关报告等", long_text=True),
    Label("digital", "数智化建设情况", False, "认证情况、信息化和智能化措施等", long_text=True),
    Label("organisation", "管理机构设置", False, "负责绿色低碳工作的机构及其组成", long_text=True),
    Label("duties", "主要职责", False, "该机构的主要职责", long_text=True),
    Label("disclosure_method", "披露方式", False, "如：每年通过企业官网披露碳排放报告", long_text=True),
    Label("disclosure_time", "披露时间", False, "如：每年 10 月 30 日前披露上一年度报告"),
    Label("disclosure_body", "披露负责机构", False, "负责信息披露的部门"),
    Label("conclusion", "评价结论", False, "由咨询机构填写；本工具不代为撰写", long_text=True),
    Label("advice", "建议", False, "对企业的建议；由技术服务机构填写", long_text=True),
)

# Optional overrides (after v1, additive): the scope and ISO 14064-1 category normally follow from the factor.
SCOPE_HELP = ("可选。GHG Protocol 范围：1 直接排放（燃料燃烧、自有车辆、制冷剂泄漏）、2 外购电力和热力、3 其他间接排放"
              "（外购原材料、委外运输）。留空按排放因子的类型自动归类；")
ISO_HELP = ("可选。ISO 14064-1 类别：1 直接排放、2 输入能源、3 运输、4 组织使用的产品、5 组织产品的使用、6 其他。"
            "留空按排放因子的类型自动归类；")
SCOPE_VALUES = ("1", "2", "3")

# Optional after v1 (issue 16, additive): months, site, evidence, data quality and uncertainty of a row.
MONTH_KEYS = tuple(f"m{i}" for i in range(1, 13))
_MONTH_ZH = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
MONTH_HELP = ("可选。该月的数量（与“单位”列同一单位）；填写任一月份后，年度活动数据为各月之和，"
              "“活动数据”列可留空；若也填写，两者相差超过 0.5% 为错误；月份留空按 0 计并提示数据缺口")
MONTH_COLUMNS = tuple(
    Column(f"m{i}", f"{i}月", False, MONTH_HELP, aliases=(f"{i:02d}月", f"{_MONTH_ZH[i - 1]}月"))
    for i in range(1, 13))
MAIN_SITE_DEFAULT = "主厂区"  # a blank 场所 with a blank 生产经营地址
QUALITY_TIERS = ("实测", "计算", "估算", "缺省")
QUALITY_HELP = ("可选。数据质量：实测（计量表计、检斤）、计算（由其他记录推算）、估算（经验估计）、缺省（采用缺省值）；"
                "未填“不确定度”时按等级取缺省不确定度")
UNCERTAINTY_HELP = ("可选。活动数据的不确定度（%，95% 置信区间的半宽），如 5 表示 ±5%；"
                    "留空按“数据质量”等级取缺省值")
EVIDENCE_HELP = ("可选。证明材料（电费单、燃气发票、过磅单的扫描件或 PDF）的文件路径，相对于本工作簿所在文件夹，"
                 "如 证明材料/2023年电费单.pdf；只记录文件的 SHA-256 和大小，不嵌入文件")
SITE_HELP = "可选。场所（厂区、工厂）名称；留空表示企业主厂区（按“生产经营地址”命名）"

ISO_CATEGORY_VALUES = ("1", "2", "3", "4", "5", "6")

# Optional after v1 (issue 25, additive): base-year recalculation and intensity targets with history.
RECALC_ONLY_HELP = ("可选。仅在作为往年工作簿（--history）时使用：填“是”的行是为基准年重算补填的排放源数据"
                    "（如本年度新增的场所或排放源在该年的数量），只计入该年的重算结果，不计入该年原报告的排放量；留空为“否”")
BASE_OUTPUT_HELP = ("可选。基准年该产品的产量（与“单位”列同一单位），用于基准年与核算年度不同时的强度目标；"
                    "提供了基准年往年工作簿时取该工作簿的产量")

PRODUCTS = TableSheet(
    "产品产量",
    (
        Column("name", "产品名称", True, "产品名称，如 非预应力电杆"),
        Column("output", "产量", True, "核算年度的产量，数字"),
        Column("unit", "单位", True, "产量单位，如 根、个、吨、平方米；作为排放强度的分母"),
        Column("for_intensity", "用于强度计算", False, "是/否；仅一种产品时留空即为“是”，多种产品时留空为“否”"),
        Column("allocation", "分配比例", False, "该产品分摊的企业排放比例（%），留空为 100%"),
        Column("unit_mass", "单位质量", False, "可选，用于产品碳足迹。一个产品单位（如 1 根、1 台）的质量（kg）；"
                                               "按质量分配且产量以件、根、台等计时必填"),  # the template writes 单位质量(kg)
        Column("output_value", "产值", False, "可选，用于产品碳足迹按经济价值分配：该产品核算年度的产值（万元）"),
        Column("boundary", "系统边界", False, "可选。产品碳足迹的系统边界：从摇篮到大门（默认）或 从摇篮到坟墓"
                                             "（需在活动数据中注明该产品使用和废弃处置阶段的数据）"),
        Column("cpc", "CPC编码", False, "可选。联合国产品总分类（CPC 2.1）编码，生成 PACT 数据文件时必需"),
        Column("product_id", "产品标识", False, "可选。产品标识（URN），如 urn:gtin:06901234567892；留空时自动生成"),
        Column("base_output", "基准年产量", False, BASE_OUTPUT_HELP),
    ),
)

ACTIVITIES = TableSheet(
    "活动数据",
    (
        Column("stage", "阶段", True, "六个阶段之一：原材料获取、生产、采购、运输、包装、回收"),
        Column("type", "类型", False, "如 原材料、能源、原材料运输"),
        Column("name", "名称", True, "物料、能源或活动名称，如 钢筋、电力、柴油"),
        Column("amount", "活动数据", True, "核算年度的数量；无数据填 /，边界外填 不适用 并在备注说明原因"),
        Column("unit", "单位", True, "数量的单位，如 t、kWh、万kWh、m3、L、t·km"),
        Column("factor_code", "排放因子编码", False, "因子库或“排放因子”表中的编码；留空则按名称匹配默认因子"),
        Column("source", "数据来源", False, "如 实际数据、电费单、台账"),
        Column("note", "备注", False, "说明；填“不适用”时必须写明原因"),
        Column("scope", "范围", False, SCOPE_HELP + "只改本行"),
        Column("iso_category", "ISO类别", False, ISO_HELP + "只改本行"),
        Column("site", "场所", False, SITE_HELP, aliases=("厂区", "工厂")),
        *MONTH_COLUMNS,
        Column("evidence", "证明材料", False, EVIDENCE_HELP),
        Column("quality", "数据质量", False, QUALITY_HELP),
        Column("uncertainty", "不确定度", False, UNCERTAINTY_HELP),  # the template writes 不确定度(%)
        Column("product", "产品", False, PCF_PRODUCT_HELP),
        Column("recalc_only", "仅用于重算", False, RECALC_ONLY_HELP),
    ),
)

FACTORS = TableSheet(
    "排放因子",
    (
        Column("code", "编码", True, "因子编码；与因子库同码时以本表为准（该编码的全部气体行均被替换）"),
        Column("name", "名称", False, "因子名称"),
        Column("gas", "温室气体", True, "CO2、CO2e、CH4、N2O、SF6、HFC-134a 等；一种气体一行"),
        Column("value", "因子值", True, "大于 0 的数字"),
        Column("unit", "单位", True, "如 tCO2/MWh、kgCO2e/t、kgCO2/t·km、kgCH4/t"),
        Column("source", "来源", False, "文件名称、表号或附录"),
        Column("year", "年份", False, "数据年份或发布年份"),
        Column("note", "备注", False, "说明，如 数据未经核实、换算方法"),
        Column("scope", "范围", False, SCOPE_HELP + "用于使用本因子的所有行"),
        Column("iso_category", "ISO类别", False, ISO_HELP + "用于使用本因子的所有行"),
        Column("uncertainty", "不确定度", False,
               "可选。因子的不确定度（%，95% 置信区间的半宽），按“来源”所给；留空表示不计因子不确定度"),
        Column("supplier_data", "供应商数据", False, "可选，用于产品碳足迹。是：本因子是供应商提供的产品碳足迹（初级数据）；留空为 否"),
        Column("evidence", "证明材料", False, "可选。供应商数据的证明文件路径（相对于本工作簿所在文件夹），只记录 SHA-256 和大小"),
    ),
    required_sheet=False,
)

EQUIPMENT = TableSheet(
    "设备清单",
    (
        Column("name", "设备名称", False, "设备名称"),
        Column("model", "设备型号", False, "设备型号，如 BX1-500"),
        Column("unit", "单位", False, "如 台、套"),
        Column("quantity", "数量", False, "数字"),
        Column("energy", "能源类型", False, "设备消耗的能源，如 电能、柴油、天然气"),
    ),
    required_sheet=False,
)

TARGETS = TableSheet(
    "减排目标",
    (
        Column("year", "目标年份", True, "如 2025、2030、2050"),
        Column("reduction", "减排比例", True, "与基准年相比的减排比例（%），如 8 表示 8%"),
        Column("stage", "阶段", False, "留空表示各阶段及合计均采用此目标"),
        Column("kind", "目标类型", False, "总量 或 强度；留空为 总量"),
    ),
    required_sheet=False,
)

MEASURES = TableSheet(
    "减排技术",
    (
        Column("stage", "阶段", False, "措施对应的阶段"),
        Column("measure", "减排技术措施", False, "措施内容"),
        Column("annual_rate", "年均减排比例", False, "年均减排比例（%）"),
        Column("investment", "投资估算", False, "万元；可写范围，如 2-3"),
        Column("note", "备注", False, "说明，如 需增加的成本"),
    ),
    required_sheet=False,
)

PICTURES = TableSheet(
    "图片与附件",
    (
        Column("position", "位置", True, "如 图2-1 企业概貌、图2-2 产品概貌、图2-3 工艺流程、图2-4 设备照片、附件1 营业执照、附件3 证书"),
        Column("title", "标题", False, "图片标题"),
        Column("file", "文件", True, "图片文件路径（相对于本工作簿所在文件夹），png 或 jpg"),
    ),
    required_sheet=False,
)

HISTORY = TableSheet(
    "历史排放",
    (
        Column("year", "年份", True, "年份"),
        Column("stage", "阶段", False, "留空表示企业合计"),
        Column("emissions", "排放量", True, "tCO2e"),
    ),
    required_sheet=False,
)

# Files: what the reader accepts, and how outputs are named (`<stem>_计算结果.<ext>`, `<stem>_评价报告.docx`).
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm")
WORKBOOK_OUTPUT_SUFFIX = "_计算结果"
REPORT_OUTPUT_SUFFIX = "_评价报告"


def output_names(input_name: str) -> tuple[str, str]:
    """The computed workbook's and the report's file names for the input file `input_name`."""
    name = PurePath(input_name)
    return f"{name.stem}{WORKBOOK_OUTPUT_SUFFIX}{name.suffix.lower()}", f"{name.stem}{REPORT_OUTPUT_SUFFIX}.docx"


TABLE_SHEETS: tuple[TableSheet, ...] = (PRODUCTS, ACTIVITIES, FACTORS, EQUIPMENT, TARGETS, MEASURES, PICTURES, HISTORY)

# Written by the tool on every run and never read as input.
SHEET_FINDINGS = "校验结果"
SHEET_DETAILS = "计算明细"
SHEET_SUMMARY = "排放汇总"
SHEET_TARGETS = "减排目标测算"
SHEET_SCOPES = "范围汇总"
SHEET_YEARS = "历年对比"
SHEET_MONTHLY = "月度数据"  # only when some row has months
SHEET_SITES = "场所汇总"  # only when some row names a 场所
SHEET_PCF = "产品碳足迹"  # only when product footprints are computed (issue 28)
SHEET_GAPS = "数据缺口"  # only when there is a data gap or an exclusion (issue 26): the report's 2.3.5 lists
COMPUTED_SHEETS: tuple[str, ...] = (SHEET_FINDINGS, SHEET_DETAILS, SHEET_SUMMARY, SHEET_SCOPES, SHEET_TARGETS,
                                    SHEET_YEARS)
# Written only when the workbook uses those columns; replaced (or removed) on every run like the others.
OPTIONAL_COMPUTED_SHEETS: tuple[str, ...] = (SHEET_MONTHLY, SHEET_SITES, SHEET_PCF, SHEET_GAPS)
ALL_COMPUTED_SHEETS: tuple[str, ...] = COMPUTED_SHEETS + OPTIONAL_COMPUTED_SHEETS

# Rows named like this are totals typed by hand, which would double count.
TOTAL_ROW_NAMES = ("合计", "小计", "总计")
NO_DATA_MARKERS = ("/", "／", "—", "——", "-", "－", "无")
NOT_APPLICABLE = "不适用"
GWP_VERSIONS = ("SAR", "AR4", "AR5", "AR6")
DEFAULT_GWP = "AR6"
YES, NO = "是", "否"
TARGET_KINDS = {"总量": "total", "强度": "intensity"}
