"""Model objects for report tests, built by hand (no workbook needed): the seed company's 2023 data.

`calc()` runs the real calculate.py over them, so the Result has the pipeline's shape (zero lines for no-data
rows, biogenic CO2 apart).
"""

from __future__ import annotations

import datetime as dt

from carbon_report.core.model import (
    Activity,
    CellRef,
    Company,
    Equipment,
    Factor,
    HistoryRow,
    Intake,
    Measure,
    Picture,
    Product,
    Result,
    Stage,
    Target,
)

SEED_NAME = "河南云乔电力通讯设施有限公司"
GB51366 = "GB/T 51366-2019《建筑碳排放计算标准》 附录D 表D.0.1"


def _factor(code, name, gas, value, unit, mass, per, source, published=None, data_year=None):
    return Factor(code=code, name=name, gas=gas, value=value, unit=unit, mass_unit=mass, per_unit=per,
                  source=source, published=published, data_year=data_year)


FACTORS = {
    "EF-STEEL-REBAR": (_factor("EF-STEEL-REBAR", "热轧碳钢钢筋", "CO2e", 2340, "kgCO2e/t", "kg", "t", GB51366,
                               dt.date(2019, 4, 9)),),
    "EF-CEMENT-PO": (_factor("EF-CEMENT-PO", "普通硅酸盐水泥", "CO2e", 735, "kgCO2e/t", "kg", "t", GB51366,
                             dt.date(2019, 4, 9)),),
    "EF-SAND": (_factor("EF-SAND", "砂", "CO2e", 2.51, "kgCO2e/t", "kg", "t", GB51366, dt.date(2019, 4, 9)),),
    "EF-GRAVEL": (_factor("EF-GRAVEL", "碎石", "CO2e", 2.18, "kgCO2e/t", "kg", "t", GB51366, dt.date(2019, 4, 9)),),
    "EF-ELEC-CN-2022NOTICE": (_factor(
        "EF-ELEC-CN-2022NOTICE", "全国电网平均排放因子", "CO2", 0.5703, "tCO2/MWh", "t", "MWh",
        "生态环境部办公厅《关于做好2023—2025年发电行业企业温室气体排放报告管理有关工作的通知》",
        dt.date(2023, 2, 7), 2022),),
    "EF-ROAD-DIESEL-30T": (_factor("EF-ROAD-DIESEL-30T", "重型柴油货车运输（载重30t）", "CO2e", 0.078,
                                   "kgCO2e/t·km", "kg", "t·km", "GB/T 51366-2019 附录E 表E.0.1",
                                   dt.date(2019, 4, 9)),),
    "EF-DIESEL": (
        _factor("EF-DIESEL", "柴油", "CO2", 3.096, "tCO2/t", "t", "t", "《工业其他行业企业温室气体排放核算方法与报告指南》"),
        _factor("EF-DIESEL", "柴油", "CH4", 0.1, "kgCH4/t", "kg", "t", "IPCC 2006 表 2.2"),
        _factor("EF-DIESEL", "柴油", "N2O", 0.03, "kgN2O/t", "kg", "t", "IPCC 2006 表 2.2"),
    ),
}


def act(stage, type_, name, amount, unit, code, *, kind="value", source="实际数据", note="", row=0):
    return Activity(stage=stage, type=type_, name=name, amount=amount if kind == "value" else 0.0,
                    amount_kind=kind, unit=unit, factor_code=code, source=source, note=note, row=row,
                    amount_cell=CellRef("活动数据", f"D{row}"), unit_cell=CellRef("活动数据", f"E{row}"))


def seed_activities() -> list[Activity]:
    S = Stage
    rows = [
        (S.RAW_MATERIALS, "原材料", "钢筋", 766.76, "t", "EF-STEEL-REBAR", "value", "实际数据", ""),
        (S.RAW_MATERIALS, "原材料", "水泥", 891.13, "t", "EF-CEMENT-PO", "value", "实际数据", ""),
        (S.RAW_MATERIALS, "原材料", "河沙", 2068.24, "t", "EF-SAND", "value", "实际数据", ""),
        (S.RAW_MATERIALS, "原材料", "石子", 3095.1, "t", "EF-GRAVEL", "value", "实际数据", ""),
        (S.PRODUCTION, "能源", "电力", 72584, "kWh", "EF-ELEC-CN-2022NOTICE", "value", "市政供电", ""),
        (S.TRANSPORT, "原材料运输", "原材料运输", 0, "t·km", "EF-ROAD-DIESEL-30T", "no_data", "实际数据", ""),
        (S.TRANSPORT, "产品运输", "产品运输", 0, "t·km", "EF-ROAD-DIESEL-30T", "no_data", "实际数据", ""),
        (S.TRANSPORT, "工业废弃物运输", "工业废弃物运输", 0, "t·km", "EF-ROAD-DIESEL-30T", "no_data", "实际数据", ""),
        (S.PACKAGING, "包装材料运输", "包装材料运输", 0, "t·km", "EF-ROAD-DIESEL-30T", "no_data", "实际数据", ""),
        (S.PACKAGING, "包装废弃物回收", "包装废弃物回收", 0, "t·km", "EF-ROAD-DIESEL-30T", "no_data", "实际数据", ""),
        (S.RECYCLING, "产品回收", "废旧电杆回收", 0, "t", "EF-STEEL-REBAR", "not_applicable", "",
         "电杆使用寿命约 40 年，核算年度内无报废产品回收"),
    ]
    return [act(s, t, n, a, u, c, kind=k, source=src, note=note, row=i)
            for i, (s, t, n, a, u, c, k, src, note) in enumerate(rows, start=5)]


SEED_TEXTS = {
    "registered_address": "汝阳县小店镇小寺村",
    "address": "汝阳县小店镇小寺村",
    "industry": "水泥制品制造",
    "report_no": "WD-HC-202407200223",
    "agency_name": "万鼎认证（河南）有限公司",
    "agency_address": "河南自贸试验区郑州片区（经开）第八大街与经北一路交叉口东北角新亚大厦602-03室",
    "contact": "陈婧",
    "phone": "0371-63295832",
    "team_leader": "王娟",
    "team_members": "张珍 陈婧",
    "reviewer": "高俊",
    "review_date": "2024-07-20",
    "approver": "高俊",
    "approval_date": "2024-07-20",
    "profile": "河南云乔电力通讯设施有限公司创建于二〇一五年，管理规范，生产设备精良，技术力量雄厚。\n"
               "公司占地面积6500余平方米，现有电杆生产线两条和各种型号模具40余套，年生产能力15000根。\n"
               "我公司将不断加强和完善内部管理，文明生产，争创企业名牌。",
    "main_products": "主导产品有混凝土电杆及水泥制品（底盘、拉盘、卡盘、标志桩）。",
    "org_boundary": "河南云乔电力通讯设施有限公司持有运营控制权的厂区。",
    "env_upgrade": "1、本企业已取得环评手续、排污许可手续、环保验收手续；\n2、本企业已建立环境管理体系和相关管理机构。",
    "systems": "1、能源管理制度：设立专门的能源管理部门；\n2、绿色生产制度：引进先进的清洁生产技术。",
    "low_carbon": "1、本企业已建立碳减排管理制度和相关管理机构。",
    "digital": "本公司通过自动化设备升级、物联网技术应用等措施提高生产效率。",
    "organisation": "公司拟筹建 ESG 管理委员会，公司总经理为第一负责人。",
    "duties": "贯彻国家及有关部门颁布的碳中和、绿色低碳数智化相关方针、政策、法规以及标准。",
    "disclosure_method": "拟每年通过企业官网披露绿色低碳数智化报告等信息。",
    "disclosure_time": "每年 10 月 30 日前披露上一年度的报告。",
    "disclosure_body": "本单位行政部门牵头负责相关披露。",
    "conclusion": "",
    "advice": "1、优先采用绿电，生产工艺和设备持续进行低碳节能改造；\n2、建议建立健全绿色低碳数智化相关管理制度。",
}

SEED_EQUIPMENT = [("电焊机", "BX1-500", "台", 3), ("打圈机", "DQ1000k-3", "台", 1), ("离心机", "DL2-6", "台", 1),
                  ("起重机", "QD10-22.5", "台", 2), ("非预应力电杆钢筋骨架滚焊机", "GH-400", "台", 1),
                  ("对焊机", "UNI-100", "台", 1), ("锅炉", "DZL2-1.25-T", "台", 1), ("搅拌站", "JS-750", "台", 1),
                  ("散装水泥罐", "100T", "台", 2), ("锥形杆钢模", "190*10", "套", 20), ("装载机", "ZL50C", "台", 1)]

SEED_MEASURES = [
    (Stage.RAW_MATERIALS, "采购碳足迹小的原材料", 4, "2-3"),
    (Stage.PRODUCTION, "优先采用绿电+生产工艺和设备持续进行低碳节能改造", 4, "0.5-1"),
    (Stage.PROCUREMENT, "优先采用线上绿色采购+无纸化采购+原材料就近采购", 4, "0-0.5"),
    (Stage.TRANSPORT, "采购低碳运输服务供应商+健全绿色低碳数智化台账", 4, "0-0.5"),
    (Stage.PACKAGING, "包装减量化设计+采用循环快递箱逐步替代纸箱", 4, "0-0.5"),
    (Stage.RECYCLING, "回收过程优先采用碳足迹小的低碳回收设备", 4, "0-0.5"),
]


def seed_intake(*, name: str = SEED_NAME, texts: dict[str, str] | None = None,
                activities: list[Activity] | None = None, pictures: tuple[Picture, ...] = (),
                targets: tuple[tuple[int, float], ...] = ((2025, 8), (2030, 50), (2050, 100)),
                factors: dict | None = None, gwp_version: str = "AR6", base_year: int = 2023,
                history: tuple[HistoryRow, ...] = ()) -> Intake:
    t = dict(SEED_TEXTS)
    t.update(texts or {})
    company = Company(name=name, uscc="91410326MA3X43L73Y", year=2023, base_year=base_year, gwp_version=gwp_version,
                      report_date=dt.date(2024, 7, 20), output_value=None, texts=t)
    acts = activities if activities is not None else seed_activities()
    used = {a.factor_code for a in acts}
    all_factors = dict(FACTORS, **(factors or {}))
    return Intake(
        company=company,
        products=(Product("非预应力电杆", 4670, "根", True, 100.0, 5),),
        activities=tuple(acts),
        factors={c: f for c, f in all_factors.items() if c in used},
        equipment=tuple(Equipment(n, m, u, q, "电能", i) for i, (n, m, u, q) in enumerate(SEED_EQUIPMENT, 5)),
        targets=tuple(Target(y, p, None, "total", i) for i, (y, p) in enumerate(targets, 5)),
        measures=tuple(Measure(s, m, r, inv, "", i) for i, (s, m, r, inv) in enumerate(SEED_MEASURES, 5)),
        pictures=pictures,
        history=history,
        library_version="2026.1",
    )


def calc(intake: Intake) -> Result:
    """The real calculation (calculate.py) over the hand-built intake."""
    from carbon_report.core.calculate import calculate
    from carbon_report.core.factors import load_library

    return calculate(intake, load_library())[0]


def wood_factor() -> tuple[Factor, ...]:
    """The library's wood combustion factor: biogenic CO2 plus CH4 and N2O."""
    from carbon_report.core.factors import load_library

    return load_library().factors["EF-FUEL-BIOMASS-WOOD"]
