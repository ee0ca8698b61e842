"""产品碳足迹: one row per product × life-cycle stage, the allocation basis and shares shown, then every line
outside a product's system boundary, so what was left out is on the sheet and never silently dropped."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.model import Intake
from carbon_report.core.pcf import ALLOCATION_ZH, BOUNDARY_ZH, PcfResult
from carbon_report.outputs.computed import TCO2E, SheetTable

SHEET_PCF = contract.SHEET_PCF

HEADER = ["序号", "产品", "声明单位", "产量", "单位质量（kg）", "系统边界", "分配方法", "共用排放分配份额",
          "生命周期阶段", f"排放量（{TCO2E}）", "单位产品碳足迹（kgCO2e/声明单位）", "初级数据占比", "说明"]


def pcf_table(intake: Intake, pcf: PcfResult) -> SheetTable:
    rows: list[list[object]] = []
    n = 0
    for fp in pcf.products:
        for stage, t in fp.stages.items():
            n += 1
            rows.append([n, fp.name, fp.declared_unit, fp.output, fp.unit_mass_kg if fp.unit_mass_kg else "/",
                         BOUNDARY_ZH[fp.boundary], ALLOCATION_ZH[fp.allocation], fp.share, stage.zh, t,
                         t * 1000.0 / fp.output, "", ""])
        n += 1
        pds = fp.primary_data_share
        note = f"生物源 CO2 {fp.biogenic_co2_t:.4f} t 单独报告，不计入碳足迹" if fp.biogenic_co2_t else ""
        rows.append([n, fp.name, fp.declared_unit, fp.output, fp.unit_mass_kg if fp.unit_mass_kg else "/",
                     BOUNDARY_ZH[fp.boundary], ALLOCATION_ZH[fp.allocation], fp.share, "合计", fp.total_tco2e,
                     fp.per_unit_kgco2e, pds if pds is not None else "/", note])
    for fp in pcf.products:
        for x in fp.lines:
            if x.included or x.line.factor.biogenic:
                continue
            n += 1
            a = x.line.activity
            rows.append([n, fp.name, fp.declared_unit, "", "", BOUNDARY_ZH[fp.boundary], "", x.fraction,
                         f"{x.pcf_stage.zh}（未计入）", x.tco2e, "", "",
                         f"活动数据第 {a.row} 行“{a.name}”：{x.rule.reason_zh}"])
    title = (f"{intake.company.name}　核算年度 {intake.company.year}。分配方法：{ALLOCATION_ZH[pcf.allocation]}"
             f"（{pcf.allocation_basis}）。共用排放 {pcf.shared_tco2e:.4f} {TCO2E}，已分配 {pcf.allocated_tco2e:.4f} "
             f"{TCO2E}。运输行：类型写“产品运输/销售运输”的为出厂运输（分销阶段），其余为原材料运入（原材料获取阶段）。")
    return SheetTable(SHEET_PCF, HEADER, rows, [6, 18, 8, 12, 12, 12, 8, 12, 14, 14, 16, 10, 50],
                      number_formats={0: "0", 3: "#,##0.####", 4: "#,##0.####", 7: "0.00%", 9: "#,##0.0000",
                                      10: "#,##0.0000", 11: "0.00%"},
                      wrap=frozenset({1, 12}), title=title)
