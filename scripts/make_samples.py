"""Build the sample intake workbooks in samples/ by filling the template: python scripts/make_samples.py

Each sample starts from `build_template()` and only fills cells found by their contract header or label, so
the samples always follow the template. Run it again after the template changes; tests/test_samples.py fails
while a committed sample differs from what this script builds.

1. 河南云乔电力通讯设施有限公司_2023.xlsx: the seed report's company, from the seed report's own tables.
   Where the seed gives no value the cell holds `/`; no figure is invented and none of the seed's printed
   results is copied. 评价结论 stays blank: only the consultant writes it.
2. 示例_华东精密机械有限公司_2024.xlsx: a fictional company exercising fuels, unit conversion, a refrigerant
   blend, several products, per-stage targets and workbook-defined factors with cited public sources.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from openpyxl import Workbook  # noqa: E402

from carbon_report.core import contract  # noqa: E402
from carbon_report.core.values import header_key  # noqa: E402
from carbon_report.outputs.template import build_template, fit_row_heights, write_workbook  # noqa: E402

SAMPLES = ROOT / "samples"
SEED_FILE = "河南云乔电力通讯设施有限公司_2023.xlsx"
DEMO_FILE = "示例_华东精密机械有限公司_2024.xlsx"

Row = dict[str, Any]  # column key → value


# ---- filling the template --------------------------------------------------------------------------------


def fill_company(wb: Workbook, values: dict[str, Any]) -> None:
    """Write each value (keyed by contract label key) to the right of its label."""
    ws = wb[contract.COMPANY_SHEET]
    rows = {header_key(ws.cell(r, 1).value): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    by_key = {lab.key: lab for lab in contract.LABELS}
    for key, value in values.items():
        ws.cell(rows[by_key[key].text], 2).value = value


def fill_table(wb: Workbook, spec: contract.TableSheet, rows: list[Row]) -> None:
    """Write rows below the header, each value in the column whose header names its key."""
    ws = wb[spec.name]
    keys = {header_key(c.header): c.key for c in spec.columns}
    columns = {keys[header_key(cell.value)]: cell.column for cell in ws[1] if header_key(cell.value) in keys}
    for r, row in enumerate(rows, start=2):
        for key, value in row.items():
            ws.cell(r, columns[key]).value = value


def table(keys: str, *rows: tuple[Any, ...]) -> list[Row]:
    names = keys.split()
    return [dict(zip(names, row, strict=True)) for row in rows]


def build(company: dict[str, Any], tables: dict[str, list[Row]]) -> Workbook:
    wb = build_template()
    fill_company(wb, company)
    specs = {s.name: s for s in contract.TABLE_SHEETS}
    for name, rows in tables.items():
        fill_table(wb, specs[name], rows)
    for ws in [wb[contract.COMPANY_SHEET], *(wb[s.name] for s in contract.TABLE_SHEETS)]:
        fit_row_heights(ws)
    return wb


# ---- 1. the seed report's company --------------------------------------------------------------------------

SEED_DATE = dt.date(2024, 7, 20)
SEED_NAME = "河南云乔电力通讯设施有限公司"

SEED_COMPANY: dict[str, Any] = {
    "name": SEED_NAME,
    "uscc": "91410326MA3X43L73Y",
    "registered_address": "汝阳县小店镇小寺村",
    "address": "汝阳县小店镇小寺村",
    "year": 2023,
    "base_year": 2023,
    "report_no": "WD-HC-202407200223",
    "report_date": SEED_DATE,
    "agency_name": "万鼎认证(河南)有限公司",
    "agency_address": "河南自贸试验区郑州片区(经开)第八大街与经北一路交叉口东北角新亚大厦602-03室",
    "contact": "陈婧",
    "phone": "0371-63295832",
    "team_leader": "王娟",
    "team_members": "张珍 陈婧",
    "reviewer": "高俊",
    "review_date": SEED_DATE,
    "approver": "高俊",
    "approval_date": SEED_DATE,
    "profile": "\n".join((
        f"{SEED_NAME}创建于二〇一五年，管理规范，生产设备精良，技术力量雄厚，现已通过质量管理体系认证，"
        "符合ISO9001:2008标准。",
        "公司占地面积6500余平方米，现有电杆生产线两条和各种型号模具40余套，年生产能力15000根。"
        "主要生产GB4623-2014环形预应力混凝土电杆、钢筋混凝土电杆、等各种混凝土预制构件，该产品适用于10KV、35KV、"
        "110KV电力线路、邮电通信和广电事业等线路架空电杆，并可根据用户提供图纸要求进行加工。",
        "我公司位于河南省汝阳县小店镇工业园区在二广高速和洛南高速旁边，与325省道相邻，地理位置优越、交通便利，"
        "设施工艺技术先进，主要原材料质量可靠，管理规范、价格合理。试生产以来全厂始终坚持“质量求生存、用户至上”"
        "的宗旨，产品严格按GB4623-2014标准检验和测试，各项指标完全符合或超过国家标准，多次受到用户的好评。"
        "我公司自成立以来就以原材料的采购、生产流程、设备管理、市场营销等环节建立了严格的规范要求，"
        "建立完善各项规章制度。创建了标准化生产流程，生产出了一流的合格产品。在市场营销过程中，我公司重合同、"
        "守信用，赢得了客户的好评。",
        "我公司将不断地加强和完善内部管理，文明生产，技术和环保设施不断革新，以“规范管理、质量第一、顾客至上、"
        "持续改进、为用户提供优质产品和诚信服务”的管理经营方针，争创企业名牌，做同行业的领先者。",
    )),
    "main_products": "主导产品有混凝土电杆及水泥制品（底盘、拉盘、卡盘、标志桩）",
    # The seed's 1.4 names the company 设备 instead of 设施 and trails off into a transport template's
    # wording; the name comes from one field, the sentence is cut where the seed's own text is sound.
    "org_boundary": f"{SEED_NAME}持有运营控制权的厂区",
    "env_upgrade": "\n".join((
        "1、本企业已取得环评手续、排污许可手续、环保验收手续；",
        "2、本企业已建立环境管理体系和相关管理机构；",
        "3、本企业已按相关规定每年进行环境监测且排放达标；",
        "4、本企业持续进行环保绩效改善并保持环保合规。",
    )),
    "systems": "\n".join((
        "1、能源管理制度：设立专门的能源管理部门，引入先进的能源管理系统和技术手段，制定详细的能源管理流程和规范；",
        "2、绿色生产制度：引进先进的清洁生产技术、节能技术和环保设备，整合企业内部资源，优化生产流程，"
        "绿色生产的推广和普及；",
        "3、绿色供应链制度：制定严格的供应商准入标准和合作规范，与供应商建立信息共享机制，推广绿色供应链管理理念和技术；",
        "4、数智化管理制度：融入数智化元素，运用大数据、云计算、人工智能等技术手段，优化和完善数智化管理制度和体系，"
        "以适应数字化时代的发展步伐。",
    )),
    "low_carbon": "\n".join((
        "1、本企业已建立碳减排管理制度和相关管理机构；",
        "2、本企业已编制碳减排报告、温室气体核查报告、产品碳足迹报告；",
        "3、本企业已编制绿色供应链报告、绿色包装报告、绿色运输报告、绿色设计产品报告、绿色低碳现代数智企业评价报告、"
        "数智化绿色低碳体系专题报告、企业绿色环保改造升级报告等；",
        "4、本企业持续进行碳排放绩效改善并保持碳排放合规。",
    )),
    "digital": "\n".join((
        "本公司通过了 ISO9001 质量管理体系认证、ISO14001 环境管理体系认证、ISO45001 职业健康安全管理体系认证、"
        "绿色工厂管理体系认证、绿色供应链管理体系认证、绿色设计产品管理体系认证、碳足迹报告证书等。"
        "本公司通过自动化设备升级、物联网技术应用、人工智能辅助决策、智能品质控制、能源管理优化和人员培训等措施，"
        "通过 CAD 画图软件设计辅助，财务软件统计财务数据，提高生产效率、降低成本、保证品质，并优化人员配置。"
        "在实施过程中，注重技术选型、系统集成、人员培训、试运行与优化等环节，确保预期效果的实现。",
        "具体措施如下：",
        "1、运用物联网技术，将部分关键设备相互连接，达成数据共享与实时监控的目的。",
        "2、借助人工智能技术，深入剖析生产数据，为生产决策给予有力支持。",
        "3、凭借传感器和数据分析技术，对产品质量和稳定性进行实时监测，及时察觉并处理潜在问题。",
        "4、引入节能设备和技术，例如优化冷却水循环系统、实施能效监控等，以降低能源消耗。",
        "5、运用节能设备和技术，诸如冷却水循环系统优化、开展能效监控等手段，削减能源消耗。",
        "6、充分发挥公司所拥有的 CAD 画图软件、财务统计软件以及设计软件的优势，提升工作效率和质量。",
    )),
    "organisation": "公司拟筹建 ESG 管理委员会统筹负责公司 ESG、碳中和、绿色制造、绿色供应链、绿色低碳数智化等相关领导工作，"
    "公司总经理为第一负责人，生产、销售、财务、行政等部门负责人为小组成员，各部门指定 1 名工作人员配合落实公司 ESG、"
    "碳中和、绿色供应链相关工作。公司设置 ESG 领导小组办公室，拟由公司行政部门牵头负责该办公室日常工作。",
    "duties": "坚决贯彻国家及有关部门颁布的 ESG、碳中和、绿色低碳数智化等相关工作方针、政策、法规以及标准。"
    "依据国家和有关规定，承担公司碳中和、绿色低碳数智化管理等方面的工作，拟定与之相关的管理办法、规章制度、规划以及目标。"
    "对本公司年度碳中和、绿色低碳数智化管理计划进行审核，审查有关管理工作。完成公司指定的其他碳中和、绿色低碳数智化相关工作。",
    "disclosure_method": "拟每年通过企业官网等途径，通过披露本企业的绿色低碳数智化报告、企业绿色环保改造升级报告、"
    "数智化绿色低碳体系专题报告、碳排放报告、碳足迹报告等披露双碳承诺、碳减排目标、碳排放现状等信息。",
    "disclosure_time": "每年 10 月 30 日前披露上一年度的企业的绿色低碳数智化报告、碳排放报告、产品碳足迹报告等。",
    "disclosure_body": "本单位行政部门牵头负责相关披露",
    # 评价结论 is deliberately absent: the consultant writes it, the tool never does.
    "advice": "\n".join((
        "1、绿色低碳数智化主要减排措施建议：优先采用绿电、生产工艺和设备持续进行低碳节能改造；优先采用线上绿色采购、"
        "无纸化采购；原材料就近采购、产品就近销售；采购低碳运输服务供应商、包装减量化设计、采用循环快递箱逐步替代纸箱。",
        "2、建议建立健全绿色低碳数智化相关的原材料获取、数智化生产、数智化采购、绿色运输、绿色包装、绿色回收管理等制度。",
        "3、建议定期对企业绿色低碳数智化报告、企业绿色环保改造升级报告、数智化绿色低碳体系专题报告、ESG、碳核查报告、"
        "碳足迹报告等环境信息进行信息公开，助力企业绿色可持续发展。",
    )),
}

SEED_TRUCK = "SEED-TRUCK"
SEED_STONE_NOTE = "评价报告表2-6中石子的单位为“—”（未注明）；此处按 t 填写，假定与同表其他原材料一致，需企业确认"

SEED_TABLES: dict[str, list[Row]] = {
    "产品产量": table("name output unit for_intensity allocation",
                      ("非预应力电杆", 4670, "根", contract.YES, None)),
    "活动数据": table(
        "stage type name amount unit factor_code source note quality",
        # 数据质量 实测: the seed's own 数据来源 says 实际数据 (and the power is metered); no month or
        # uncertainty is invented for the seed, so those cells stay blank (tier defaults, with a warning)
        ("原材料获取", "原材料", "钢筋", 766.76, "t", "EF-STEEL-REBAR", "实际数据", None, "实测"),
        ("原材料获取", "原材料", "水泥", 891.13, "t", "EF-CEMENT-PO", "实际数据", None, "实测"),
        ("原材料获取", "原材料", "河沙", 2068.24, "t", "EF-SAND", "实际数据", None, "实测"),
        ("原材料获取", "原材料", "石子", 3095.1, "t", "EF-CRUSHED-STONE", "实际数据", SEED_STONE_NOTE, "实测"),
        ("生产", "能源", "电力", 72584, "kWh", "EF-ELEC-CN-ENTERPRISE-2022", "市政供电", None, "实测"),
        ("运输", "柴油货车运输", "原材料运输", "/", "t·km", SEED_TRUCK, "实际数据", None, None),
        ("运输", "柴油货车运输", "产品运输", "/", "t·km", SEED_TRUCK, "实际数据", None, None),
        ("运输", "汽车运输", "工业废弃物运输", "/", "t·km", SEED_TRUCK, "实际数据", None, None),
        ("包装", "汽车运输", "包装材料运输", "/", "t·km", SEED_TRUCK, "实际数据", None, None),
        ("包装", "包装废弃物回收", "包装废弃物回收", "/", "t·km", SEED_TRUCK, "实际数据", None, None),
    ),
    "排放因子": table(
        "code name gas value unit source year note",
        (SEED_TRUCK, "货车运输", "CO2", 0.074, "kgCO2/t·km", "中国产品全生命周期温室气体排放系数集（评价报告表2-10所引）",
         None, "未经核实：未能在公开资料中查到该数值及其版本、表号；仅为复现评价报告所用，正式使用前请替换为可追溯的因子"),
    ),
    "设备清单": table(
        "name model unit quantity energy",
        ("电焊机", "BX1-500", "台", 3, "电能"),
        ("打圈机", "DQ1000k-3", "台", 1, "电能"),
        ("离心机", "DL2-6", "台", 1, "电能"),
        ("起重机", "QD10-22.5", "台", 2, "电能"),
        ("非预应力电杆钢筋骨架滚焊机", "GH-400", "台", 1, "电能"),
        ("对焊机", "UNI-100", "台", 1, "电能"),
        ("锅炉", "DZL2-1.25-T", "台", 1, "电能"),
        ("搅拌站", "JS-750", "台", 1, "电能"),
        ("散装水泥罐", "100T", "台", 2, "电能"),
        ("锥形杆钢模", "190*10", "套", 20, "电能"),
        ("装载机", "ZL50C", "台", 1, "电能"),
    ),
    "减排目标": table("year reduction stage kind", (2025, 8, None, "总量"), (2030, 50, None, "总量"),
                      (2050, 100, None, "总量")),
    "减排技术": table(
        "stage measure annual_rate investment note",
        ("原材料获取", "采购碳足迹小的原材料", 4, "2-3", None),
        ("生产", "优先采用绿电+生产工艺和设备持续进行低碳节能改造", 4, "0.5-1", None),
        ("采购", "优先采用线上绿色采购+无纸化采购+原材料就近采购", 4, "0-0.5", None),
        # the seed writes 采购第碳运输服务供应商: 第碳 is a typo of 低碳 (its own 6.2 says 低碳运输服务供应商)
        ("运输", "采购低碳运输服务供应商+健全绿色低碳数智化台账+绿色低碳数智化供应商管理", 4, "0-0.5",
         "增加绿色低碳运输等成本支出"),
        ("包装", "包装减量化设计+采用循环快递箱逐步替代纸箱", 4, "0-0.5", None),
        ("回收", "回收过程优先采用碳足迹小的低碳回收设备", 4, "0-0.5", None),
    ),
}


# ---- 2. a fictional company --------------------------------------------------------------------------------

DEMO_NAME = "华东精密机械有限公司（示例）"
DEMO_DATE = dt.date(2025, 3, 31)

# Factor derivations (tCO2 per unit = NCV × carbon content × oxidation × 44/12):
#   gasoline 43.070 GJ/t × 18.9 tC/TJ × 98 % × 44/12 = 2.9251 tCO2/t
#   natural gas 389.31 GJ/万Nm3 × 15.3 tC/TJ × 99 % × 44/12 = 21.622 tCO2/万Nm3
#   diesel 42.652 GJ/t × 20.2 tC/TJ × 98 % × 44/12 = 3.0959 tCO2/t; × 0.83 t/m3 = 2.5696 kgCO2/L
#   diesel CH4 3 kg/TJ × 42.652 GJ/t × 0.83 t/m3 = 0.10620 gCH4/L; N2O 0.6 kg/TJ → 0.021241 gN2O/L
# Sources as read for the factor library (docs/factors.md §3): each parameter names the table it was read in.
NCV_TABLE = "低位发热量、碳氧化率：Heliyon 9(11) e21241（2023）表2"
CC_TABLE = "单位热值含碳量：IPCC 1996 年修订版清单指南 第3卷 表1-1"
IPCC_STATIONARY = "40 CFR Part 98 表C-2（与 IPCC 2006 第2卷 表2.3 制造业和建筑业固定源燃烧缺省值一致）"
DIESEL_DENSITY = "密度 0.83 t/m³（GB 19147《车用柴油》20℃密度 810~850 kg/m³ 的中值）"
GB51366_D = "GB/T 51366-2019《建筑碳排放计算标准》附录D 表D.0.1"

DEMO_COMPANY: dict[str, Any] = {
    "name": DEMO_NAME,
    "uscc": "91320506MA7HDJ2K4W",  # made up; its GB 32100 and GB 11714 check characters are valid
    "registered_address": "江苏省苏州市吴中区示例路 88 号（虚构地址）",
    "address": "江苏省苏州市吴中区示例路 88 号（虚构地址）",
    "industry": "通用设备制造业",
    "year": 2024,
    "base_year": 2024,
    "gwp_version": "AR6",
    "report_no": "SL-2025-0331-01",
    "report_date": DEMO_DATE,
    "agency_name": "示例低碳技术服务有限公司（虚构）",
    "agency_address": "江苏省苏州市工业园区示例大道 1 号（虚构地址）",
    "contact": "李明",
    "phone": "0512-00000000",
    "team_leader": "赵蕾",
    "team_members": "李明 孙悦",
    "reviewer": "周航",
    "review_date": dt.date(2025, 3, 28),
    "approver": "周航",
    "approval_date": DEMO_DATE,
    "output_value": 12850,
    "allocation_method": "质量",
    "profile": f"{DEMO_NAME}是为演示本工具而虚构的企业，所有数据均为示例。企业主要从事数控机床主轴和精密齿轮箱的"
    "加工与装配，拥有机加工、热处理和装配三个车间。",
    "main_products": "数控机床主轴、精密齿轮箱。主要工艺：下料—粗加工—热处理—精加工—装配—检验—包装。",
    "org_boundary": f"{DEMO_NAME}持有运营控制权的厂区",
    "env_upgrade": "1、已取得环评及排污许可手续；\n2、热处理炉已完成低氮燃烧改造。",
    "systems": "1、能源管理制度：按车间分表计量电力和天然气；\n2、绿色供应链制度：主要钢材供应商提供产品碳足迹数据。",
    "low_carbon": "1、已建立碳排放台账；\n2、空调与冷水机组的制冷剂补充量单独登记。",
    "digital": "已上线制造执行系统（MES）和能源管理系统，关键设备能耗按小时采集。",
    "organisation": "公司设节能减排领导小组，总经理任组长，设备部牵头日常工作。",
    "duties": "组织编制年度节能减排计划，审核能源与排放数据，跟踪减排措施落实。",
    "disclosure_method": "每年通过企业官网发布碳排放报告。",
    "disclosure_time": "每年 6 月 30 日前披露上一年度报告。",
    "disclosure_body": "设备部",
    "conclusion": f"经评价，{DEMO_NAME}2024 年度温室气体排放核算覆盖原材料获取、生产、采购、运输、包装五个阶段，"
    "回收阶段本年度无相关活动；活动数据来源于企业台账、电费单和燃料发票，所用排放因子的来源已在排放因子表中列明。"
    "（本结论为示例文本，仅用于演示。）",
    "advice": "1、逐步提高外购绿电比例；\n2、评估热处理炉电加热替代天然气的可行性；\n3、建立制冷剂泄漏巡检制度。",
}

NO_MONTHS = (None,) * 12
EVIDENCE_DIR = "证明材料"
DEMO_POWER_BILLS = "2024年电费单汇总（示例）.pdf"
DEMO_POWER_MONTHS = (31.5, 30, 32, 33.5, 32, 31, 33, 34, 32.5, 31, 32.5, 33.5)  # Σ = 386.5 万kWh, exact in binary
DEMO_DIESEL_MONTHS = (1100, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1100, 1100, 1100)  # Σ = 12,400 L
assert sum(DEMO_POWER_MONTHS) == 386.5 and sum(DEMO_DIESEL_MONTHS) == 12400

DEMO_TABLES: dict[str, list[Row]] = {
    "产品产量": table(
        "name output unit for_intensity allocation unit_mass cpc",
        # 单位质量 (kg per piece) is as fictional as the company: it lets the sample show product footprints.
        # CPC编码 (UN CPC Ver. 2.1 subclasses, read in the CPC 2.1 structure file as copied in the repository
        # ZeroTwentyFifty/pact_methodology, pact_methodology/product_footprint/cpc_v21.csv, not on unstats.un.org):
        # 44251 "… other parts and accessories for the goods of class 4421" (4421: machine-tools for working
        # metal) for a machine-tool spindle; 43320 "… gears and gearing; ball or roller screws, gear boxes and
        # other speed changers …" for a gear box. They let the sample write its PACT files.
        ("数控机床主轴", 3200, "件", contract.YES, 70, 85, "44251"),
        ("精密齿轮箱", 850, "台", contract.NO, None, 420, "43320"),
    ),
    "活动数据": table(
        "stage type name amount unit factor_code source note quality uncertainty site evidence "
        + " ".join(contract.MONTH_KEYS),
        ("原材料获取", "原材料", "热轧圆钢", 1250, "t", "DEMO-STEEL-BAR", "采购台账", None, "计算", None, None, None,
         *NO_MONTHS),
        ("原材料获取", "原材料", "冷轧钢板", 320, "t", "DEMO-STEEL-COLD", "采购台账", None, "计算", None, None, None,
         *NO_MONTHS),
        # monthly bills (fictional) whose sum is the annual figure exactly: 386.5 万kWh and 12,400 L
        ("生产", "能源", "电力", 386.5, "万kWh", "EF-ELEC-CN-AVG-2022", "电费单", None, "实测", 2, None,
         f"{EVIDENCE_DIR}/{DEMO_POWER_BILLS}", *DEMO_POWER_MONTHS),
        ("生产", "燃料", "天然气", 18.6, "万m3", "DEMO-NG", "燃气账单", "热处理炉", "实测", None, None, None, *NO_MONTHS),
        ("生产", "燃料", "柴油", 12400, "L", "DEMO-DIESEL-L", "燃料发票", "厂内叉车及备用发电机", "估算", None,
         "物流仓库", None, *DEMO_DIESEL_MONTHS),
        ("生产", "制冷剂", "R-410A 补充量", 15.5, "kg", "DEMO-R410A", "维保记录", "空调年度补充加注量，视为泄漏量", "计算", None, None, None, *NO_MONTHS),
        ("采购", "燃料", "汽油", 3.6, "t", "DEMO-GASOLINE", "燃料发票", "采购及公务用车", "实测", None, None, None, *NO_MONTHS),
        ("运输", "原材料运输", "钢材运输", 187500, "t·km", "EF-ROAD-DIESEL-30T", "物流台账", None, "估算", None, None, None, *NO_MONTHS),
        ("运输", "产品运输", "产品运输", 96400, "t·km", "EF-ROAD-DIESEL-30T", "物流台账", None, "估算", None, None, None, *NO_MONTHS),
        ("包装", "包装材料", "包装薄膜（低密度聚乙烯）", 4.2, "t", "EF-PE-LD", "采购台账", None, "计算", None, None, None, *NO_MONTHS),
    ),
    "排放因子": table(
        "code name gas value unit source year note",
        ("DEMO-STEEL-BAR", "热轧碳钢棒材", "CO2e", 2340, "kgCO2e/t", f"{GB51366_D} 热轧碳钢棒材", 2019, None),
        ("DEMO-STEEL-COLD", "冷轧碳钢板卷", "CO2e", 2530, "kgCO2e/t", f"{GB51366_D} 冷轧碳钢板卷", 2019, None),
        ("DEMO-NG", "天然气燃烧", "CO2", 21.622, "tCO2/万Nm3",
         f"低位发热量 389.31 GJ/万Nm3，单位热值含碳量 15.3 tC/TJ，碳氧化率 99%（{NCV_TABLE}；{CC_TABLE}）", 2023,
         "由缺省参数计算：389.31 × 15.3 × 0.99 × 44/12 ÷ 1000"),
        ("DEMO-DIESEL-L", "柴油燃烧（按升）", "CO2", 2.5696, "kgCO2/L",
         f"低位发热量 42.652 GJ/t（未核实：所读表格为 42.653），单位热值含碳量 20.2 tC/TJ，碳氧化率 98%"
         f"（{NCV_TABLE}；{CC_TABLE}）；{DIESEL_DENSITY}", 2023,
         "3.0959 tCO2/t × 0.83 t/m³"),
        # fossil methane: GWP by class (AR6 29.8), not the unstated-origin 27.9
        ("DEMO-DIESEL-L", "柴油燃烧（按升）", "CH4-fossil", 0.1062, "gCH4/L",
         f"{IPCC_STATIONARY}：柴油 CH4 3 kg/TJ；低位发热量与密度同上", 2013, "3 × 42.652 × 0.83 ÷ 1000"),
        ("DEMO-DIESEL-L", "柴油燃烧（按升）", "N2O", 0.021241, "gN2O/L",
         f"{IPCC_STATIONARY}：柴油 N2O 0.6 kg/TJ；低位发热量与密度同上", 2013, "0.6 × 42.652 × 0.83 ÷ 1000"),
        ("DEMO-GASOLINE", "汽油燃烧", "CO2", 2.9251, "tCO2/t",
         f"低位发热量 43.070 GJ/t，单位热值含碳量 18.9 tC/TJ，碳氧化率 98%（{NCV_TABLE}；{CC_TABLE}）", 2023, "仅计 CO2"),
        ("DEMO-R410A", "R-410A 泄漏", "R-410A", 1, "kg/kg",
         "质量平衡法：年度补充加注量视为泄漏排放量（IPCC 2006 国家温室气体清单指南 第3卷 第7章 7.5 制冷和空调）",
         2006, "GWP 按 R-410A 组分（HFC-32/HFC-125 各 50%）计算"),
    ),
    "设备清单": table(
        "name model unit quantity energy",
        ("数控车床", "CK6150", "台", 24, "电能"),
        ("加工中心", "VMC850", "台", 16, "电能"),
        ("井式渗碳炉", "RQ3-75-9", "台", 2, "天然气"),
        ("螺杆空压机", "GA37", "台", 3, "电能"),
        ("柴油叉车", "CPCD30", "台", 4, "柴油"),
        ("备用柴油发电机组", "200GF", "台", 1, "柴油"),
        ("多联机空调", "MDV-400W", "套", 6, "电能"),
    ),
    "减排目标": table(
        "year reduction stage kind",
        (2027, 10, None, "总量"),
        (2030, 15, "原材料获取", "总量"),
        (2030, 30, "生产", "总量"),
        (2030, 20, "采购", "总量"),
        (2030, 10, "运输", "总量"),
        (2030, 10, "包装", "总量"),
        (2030, 10, "回收", "总量"),
        (2030, 35, None, "强度"),
    ),
    "减排技术": table(
        "stage measure annual_rate investment note",
        ("原材料获取", "优先采购提供碳足迹数据的低碳钢材", 2, "10-20", None),
        ("生产", "屋顶分布式光伏+空压机变频改造", 5, "300-400", None),
        ("生产", "热处理炉余热回收", 2, "50-80", None),
        ("运输", "整车拼载，优化运输路线", 3, "0-5", None),
    ),
}


# ---- entry point ---------------------------------------------------------------------------------------


def build_samples() -> dict[str, Workbook]:
    """File name → workbook, exactly what `main()` writes."""
    return {
        SEED_FILE: build(SEED_COMPANY, SEED_TABLES),
        DEMO_FILE: build(DEMO_COMPANY, DEMO_TABLES),
    }


def main() -> int:
    SAMPLES.mkdir(exist_ok=True)
    for name, wb in build_samples().items():
        write_workbook(wb, SAMPLES / name)
        print(SAMPLES / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
