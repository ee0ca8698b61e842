"""Product carbon footprints (GB/T 24067-2024 / ISO 14067) from the organisation's emission lines.

Pure: the validated intake and its emission lines in, one footprint per product out. Each line belongs either
to one product (活动数据's 产品 column) or to all of them, and then a product takes its share by the
allocation method (质量 / 经济 / 比例). Lines are mapped from the report's six stages to the product life-cycle
stages by stages.csv (each rule with its source or marked as this tool's assumption); lines of stages outside
a product's system boundary are listed as excluded, never silently dropped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Literal

from carbon_report.core import units
from carbon_report.core.model import CellRef, EmissionLine, Finding, Intake, Product, Result, Stage
from carbon_report.core.values import fold_text

_HERE = resources.files(__package__)


class PcfStage(StrEnum):
    """The life-cycle stages of a product (ISO 14067 / GB/T 24067), cradle to grave."""

    RAW_MATERIAL = "raw_material_acquisition"
    PRODUCTION = "production"
    DISTRIBUTION = "distribution"
    USE = "use"
    END_OF_LIFE = "end_of_life"

    @property
    def zh(self) -> str:
        return _PCF_STAGE_ZH[self]


_PCF_STAGE_ZH = {
    PcfStage.RAW_MATERIAL: "原材料获取",
    PcfStage.PRODUCTION: "生产",
    PcfStage.DISTRIBUTION: "分销",
    PcfStage.USE: "使用",
    PcfStage.END_OF_LIFE: "寿命终止",
}

Boundary = Literal["cradle_to_gate", "cradle_to_grave"]
BOUNDARY_ZH: dict[Boundary, str] = {"cradle_to_gate": "从摇篮到大门", "cradle_to_grave": "从摇篮到坟墓"}
BOUNDARY_STAGES: dict[Boundary, tuple[PcfStage, ...]] = {
    "cradle_to_gate": (PcfStage.RAW_MATERIAL, PcfStage.PRODUCTION),
    "cradle_to_grave": tuple(PcfStage),
}
# 从摇篮到坟墓 needs data of these stages (else an error on the product's 系统边界 cell)
GRAVE_NEEDS: tuple[PcfStage, ...] = (PcfStage.USE, PcfStage.END_OF_LIFE)

Allocation = Literal["mass", "economic", "share", "none"]
ALLOCATION_ZH: dict[Allocation, str] = {"mass": "质量", "economic": "经济", "share": "比例", "none": "不分配"}
ALLOCATION_BY_ZH: dict[str, Allocation] = {v: k for k, v in ALLOCATION_ZH.items()}


@dataclass(frozen=True)
class StageRule:
    stage: Stage
    keywords: tuple[str, ...]  # any of them in 类型 or 名称; () matches every row of the stage
    pcf_stage: PcfStage
    reason_zh: str
    source: str


@cache
def stage_rules() -> tuple[StageRule, ...]:
    with _HERE.joinpath("stages.csv").open(encoding="utf-8") as f:
        return tuple(StageRule(Stage(r["stage"]), tuple(k for k in r["keywords"].split("|") if k),
                               PcfStage(r["pcf_stage"]), r["reason_zh"], r["source"]) for r in csv.DictReader(f))


@cache
def declared_units() -> dict[str, str]:
    """Unit expression → PACT declared unit, for products not counted by mass."""
    with _HERE.joinpath("declared_units.csv").open(encoding="utf-8") as f:
        return {r["expression"]: r["pact_declared_unit"] for r in csv.DictReader(f)}


# ---- what a PACT ProductFootprint needs (Technical Specifications 2.3.3, spec/v2/index.bs and openapi.yaml of
# wbcsd/data-exchange-protocol, read) that the intake may lack ----------------------------------------------

# CarbonFootprint.characterizationFactors: the only values the spec allows
PACT_GWP_SETS = ("AR5", "AR6")


@dataclass(frozen=True)
class Declared:
    unit: str  # PACT DeclaredUnit
    amount: float  # unitaryProductAmount: declared units in one product unit
    mass_kg: float  # productMassPerDeclaredUnit (0 where mass is not relevant)


def declared(fp: ProductFootprint) -> Declared | None:
    """The PACT declared unit of a product, or None when there is none (pieces without 单位质量): PACT's
    declared units have no piece, so a product counted in pieces is declared per kilogram."""
    if fp.unit_mass_kg is not None:
        return Declared("kilogram", fp.unit_mass_kg, 1.0)
    a = units.lookup(fp.declared_unit)
    pact = declared_units().get(a.expression) if a is not None else None
    return Declared(pact, 1.0, 0.0) if pact else None


def product_of(intake: Intake, name: str) -> Product:
    """The 产品产量 row of a product footprint (names are unique there: validation says so)."""
    return next(p for p in intake.products if p.name == name)


def pact_unavailable(intake: Intake, fp: ProductFootprint) -> tuple[str, CellRef | None]:
    """Why no PACT file can be written for this product ("" when one can), and the cell to fix."""
    gwp = intake.company.gwp_version
    product = product_of(intake, fp.name)
    if gwp not in PACT_GWP_SETS:
        return (f"PACT 规范只接受按 AR5 或 AR6 的 GWP 值计算的碳足迹，本工作簿的 GWP版本为 {gwp}；改为 AR5 或 AR6 后"
                f"重新处理即可生成", intake.company.refs.get("gwp_version"))
    if declared(fp) is None:
        return (f"产品以“{fp.declared_unit}”计，PACT 没有“件”这类声明单位，需填写“单位质量(kg)”后按千克声明",
                product.refs.get("unit_mass"))
    if not product.cpc:
        return "PACT 规范要求联合国产品总分类（CPC）编码，请在“产品产量”的“CPC编码”列填写", product.refs.get("cpc")
    return "", None


def pact_findings(intake: Intake, pcf: PcfResult) -> list[Finding]:
    """One W-PCF-PACT per product whose PACT file cannot be written, on the cell to fix (check says it too)."""
    from carbon_report.core.findings import Code

    out = []
    for fp in pcf.products:
        why, cell = pact_unavailable(intake, fp)
        if why:
            out.append(Finding.of(Code.W_PCF_PACT, cell, name=fp.name, why=why))
    return out


def rule_for(stage: Stage, type_: str, name: str) -> StageRule:
    """The first rule of the row's stage whose keyword is in its 类型 (then its 名称); the stage's default last."""
    rules = [r for r in stage_rules() if r.stage == stage]
    for text in (fold_text(type_), fold_text(name)):
        for r in rules:
            if r.keywords and any(k in text for k in r.keywords):
                return r
    return next(r for r in rules if not r.keywords)


@dataclass(frozen=True)
class ProductBasis:
    """What one product brings to the allocation."""

    name: str
    output: float
    unit: str
    unit_mass_kg: float | None  # mass of one declared unit (kg), given or from a mass unit
    output_value: float | None  # 产值, 万元
    share_pct: float  # 产品产量's 分配比例 (100 when blank)
    boundary: Boundary
    row: int


def unit_mass_kg(p: Product) -> float | None:
    """The mass of one unit of a product: 单位质量 as given, else the unit itself when it is a mass unit."""
    if p.unit_mass_kg is not None:
        return p.unit_mass_kg
    if units.kind_of(p.unit) == "mass":
        return units.convert(1.0, p.unit, "kg")[0]
    return None


def basis(p: Product) -> ProductBasis:
    return ProductBasis(p.name, p.output, p.unit, unit_mass_kg(p), p.output_value, p.allocation_pct,
                        p.boundary, p.row)


def shares(products: tuple[ProductBasis, ...], method: Allocation) -> dict[str, float]:
    """Each product's fraction of the shared lines. Callers validated the inputs (validate/products.py):
    mass needs every unit mass, economic every 产值, share 分配比例 adding to 100 %."""
    if len(products) == 1:  # one product carries every shared line, whatever the method
        return {products[0].name: 1.0}
    if method == "none":
        return {p.name: 0.0 for p in products}
    if method == "share":
        return {p.name: p.share_pct / 100.0 for p in products}
    if method == "mass":
        weights = {p.name: p.output * (p.unit_mass_kg or 0.0) for p in products}
    else:
        weights = {p.name: p.output_value or 0.0 for p in products}
    total = sum(weights.values())
    return {name: (w / total if total else 0.0) for name, w in weights.items()}


@dataclass(frozen=True)
class PcfLine:
    """One emission line's part in one product's footprint."""

    line: EmissionLine
    pcf_stage: PcfStage
    rule: StageRule
    fraction: float  # 1 for the product's own rows, its share for shared rows
    tco2e: float  # the line's tCO2e × fraction (biogenic CO2: its tonnes × fraction, never in the total)
    included: bool  # inside the product's system boundary
    primary: bool  # the line's factor is supplier (primary) data


@dataclass(frozen=True)
class ProductFootprint:
    name: str
    declared_unit: str  # the product's unit, e.g. 根
    output: float
    unit_mass_kg: float | None
    boundary: Boundary
    allocation: Allocation
    share: float  # fraction of the shared lines
    total_tco2e: float  # inside the boundary, biogenic CO2 apart
    per_unit_kgco2e: float
    stages: dict[PcfStage, float]  # tCO2e inside the boundary
    gases: dict[str, float]  # tCO2e by gas inside the boundary
    biogenic_co2_t: float
    primary_tco2e: float
    excluded_tco2e: float  # lines of this product (or its share) outside the boundary
    packaging_tco2e: float  # the packaging stage's part of the total (PACT packagingGhgEmissions)
    lines: tuple[PcfLine, ...]
    row: int

    @property
    def primary_data_share(self) -> float | None:
        return self.primary_tco2e / self.total_tco2e if self.total_tco2e > 0 else None

    @property
    def per_kg_kgco2e(self) -> float | None:
        return self.per_unit_kgco2e / self.unit_mass_kg if self.unit_mass_kg else None


@dataclass(frozen=True)
class PcfResult:
    allocation: Allocation
    allocation_basis: str  # how the method was chosen, in Chinese
    products: tuple[ProductFootprint, ...]
    shared_tco2e: float  # the shared lines inside every boundary: what the allocation divides
    allocated_tco2e: float  # Σ over products of their part of the shared lines (equals shared_tco2e)


def default_allocation(products: tuple[Product, ...]) -> Allocation:
    """Blank 分配方法: 比例 when every product has its own 分配比例, else 质量 (issue 28, the contract)."""
    if products and all(p.allocation_given for p in products):
        return "share"
    return "mass"


def _line_tonnes(line: EmissionLine) -> float:
    return line.gas_tonnes if line.factor.biogenic else line.tco2e


def product_footprints(intake: Intake, result: Result, method: Allocation, basis_zh: str) -> PcfResult:
    products = tuple(p for p in intake.products if p.output > 0)
    bases = tuple(basis(p) for p in products)
    fraction = shares(bases, method)
    out: list[ProductFootprint] = []
    shared_pool = 0.0
    allocated = 0.0
    every_boundary = set.intersection(*(set(BOUNDARY_STAGES[b.boundary]) for b in bases)) if bases else set()
    for line in result.lines:
        if not line.activity.product and not line.factor.biogenic:
            r = rule_for(line.activity.stage, line.activity.type, line.activity.name)
            if r.pcf_stage in every_boundary:
                shared_pool += line.tco2e
    for b in bases:
        own: list[PcfLine] = []
        inside = BOUNDARY_STAGES[b.boundary]
        for line in result.lines:
            a = line.activity
            if a.product and a.product != b.name:
                continue
            k = 1.0 if a.product else fraction[b.name]
            if k == 0.0:
                continue
            r = rule_for(a.stage, a.type, a.name)
            own.append(PcfLine(line, r.pcf_stage, r, k, _line_tonnes(line) * k, r.pcf_stage in inside,
                               line.factor.supplier_data))
        counted = [x for x in own if x.included and not x.line.factor.biogenic]
        stages = {s: sum(x.tco2e for x in counted if x.pcf_stage == s) for s in inside}
        gases: dict[str, float] = {}
        for x in counted:
            gases[x.line.factor.gas] = gases.get(x.line.factor.gas, 0.0) + x.tco2e
        total = sum(x.tco2e for x in counted)
        allocated += sum(x.tco2e for x in counted if not x.line.activity.product and x.pcf_stage in every_boundary)
        out.append(ProductFootprint(
            name=b.name, declared_unit=b.unit, output=b.output, unit_mass_kg=b.unit_mass_kg, boundary=b.boundary,
            allocation=method, share=fraction[b.name], total_tco2e=total,
            per_unit_kgco2e=total * 1000.0 / b.output,
            stages=stages, gases=gases,
            biogenic_co2_t=sum(x.tco2e for x in own if x.included and x.line.factor.biogenic),
            primary_tco2e=sum(x.tco2e for x in counted if x.primary),
            excluded_tco2e=sum(x.tco2e for x in own if not x.included and not x.line.factor.biogenic),
            packaging_tco2e=sum(x.tco2e for x in counted if x.line.activity.stage == Stage.PACKAGING),
            lines=tuple(own), row=b.row))
    return PcfResult(method, basis_zh, tuple(out), shared_pool, allocated)


def excluded_findings(pcf: PcfResult) -> list[Finding]:
    """One warning per line a product's system boundary leaves out, on the row's amount cell."""
    from carbon_report.core.findings import Code

    out: list[Finding] = []
    for fp in pcf.products:
        for x in fp.lines:
            if not x.included and not x.line.factor.biogenic and x.line.activity.amount_kind == "value":
                a = x.line.activity
                f = Finding.of(Code.W_PCF_EXCLUDED, a.amount_cell, name=a.name, stage=x.pcf_stage.zh,
                               product=fp.name, boundary=BOUNDARY_ZH[fp.boundary])
                if f not in out:
                    out.append(f)
    return out
