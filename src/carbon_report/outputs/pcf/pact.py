"""A product footprint as a PACT ProductFootprint (Technical Specifications for PCF Data Exchange 2.3.3,
WBCSD PACT; read from the spec's own text, spec/v2/index.bs and openapi.yaml of wbcsd/data-exchange-protocol).

Every mandatory property of ProductFootprint and CarbonFootprint is given. What the intake cannot say is a
documented fallback, said in the file's `comment` and in a W-PCF-PACT warning, never invented silently:
- companyIds: the 统一社会信用代码 as the company's own code, `urn:pact:company:customcode:vendor-assigned:…`
  (the spec's custom company code form);
- productIds: 产品标识 when the workbook gives a URN, else `urn:uuid:` + the product's stable uuid5;
- productCategoryCpc: 产品产量's CPC编码 (no file without it: the spec makes it mandatory and non-empty);
- fossilCarbonContent / biogenicCarbonContent: the carbon contained in the product itself, which the intake does
  not ask for: 0, said so.
PACT's declared units have no piece: a product counted in pieces is declared per kilogram through 单位质量.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from carbon_report.core.model import Intake
from carbon_report.core.pcf import BOUNDARY_ZH, PcfResult, PcfStage, ProductFootprint, declared, product_of

SPEC_VERSION = "2.3.3"
_NAMESPACE = uuid.UUID("6f1c5b0e-2c4e-5d0a-9a51-3c1d2e7b8a90")  # this tool's namespace for uuid5 ids


def footprint_id(uscc: str, product: str, year: int) -> uuid.UUID:
    """Stable: the same company, product and year give the same id on every run."""
    return uuid.uuid5(_NAMESPACE, f"{uscc}\x1f{product}\x1f{year}")


def _dec(value: float) -> str:
    """A PACT Decimal: a JSON string, plain notation, no exponent."""
    d = Decimal(repr(float(value)))
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _utc(day: dt.date) -> str:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def product_footprint(intake: Intake, pcf: PcfResult, fp: ProductFootprint, *, library_version: str,
                      created: dt.datetime) -> dict[str, Any]:
    """The ProductFootprint of one product; call only when unavailable() is ""."""
    c = intake.company
    p = product_of(intake, fp.name)
    d = declared(fp)
    assert d is not None
    per_declared = 1000.0 / fp.output / d.amount  # tCO2e of the product's total → kgCO2e per declared unit
    pcf_value = fp.total_tco2e * per_declared
    product_id = p.product_id or f"urn:uuid:{footprint_id(c.uscc, fp.name, c.year)}"
    excluded = [x for x in fp.lines if not x.included]
    boundary = (f"{BOUNDARY_ZH[fp.boundary]} / {fp.boundary.replace('_', '-')}: "
                + "; ".join(f"{s.zh} ({s.value})" for s in fp.stages)
                + (f". Excluded (outside the boundary): {len(excluded)} line(s)" if excluded else ""))
    cf: dict[str, Any] = {
        "declaredUnit": d.unit,
        "unitaryProductAmount": _dec(d.amount),
        "productMassPerDeclaredUnit": _dec(d.mass_kg),
        "pCfExcludingBiogenic": _dec(pcf_value),
        "pCfIncludingBiogenic": _dec(pcf_value + fp.biogenic_co2_t * per_declared),
        "fossilGhgEmissions": _dec(pcf_value),
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "packagingEmissionsIncluded": fp.packaging_tco2e > 0,
        "characterizationFactors": c.gwp_version,
        "ipccCharacterizationFactorsSources": [c.gwp_version],
        "crossSectoralStandardsUsed": ["ISO Standard 14067"],
        "crossSectoralStandards": ["ISO14067"],
        "boundaryProcessesDescription": boundary,
        "referencePeriodStart": _utc(dt.date(c.year, 1, 1)),
        "referencePeriodEnd": _utc(dt.date(c.year + 1, 1, 1)),
        "geographyCountry": "CN",
        "exemptedEmissionsPercent": 0,
        "exemptedEmissionsDescription": "No emissions were exempted (cut off); lines outside the system boundary "
                                        "are listed in the report.",
        "allocationRulesDescription": f"{pcf.allocation}: {pcf.allocation_basis}",
        "primaryDataShare": round((fp.primary_data_share or 0.0) * 100.0, 6),
        "secondaryEmissionFactorSources": [{"name": "carbon-report factor library", "version": library_version}],
    }
    if fp.packaging_tco2e > 0:
        cf["packagingGhgEmissions"] = _dec(fp.packaging_tco2e * per_declared)
    return {
        "id": str(footprint_id(c.uscc, fp.name, c.year)),
        "specVersion": SPEC_VERSION,
        "version": 0,
        "created": created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "Active",
        "companyName": c.name,
        "companyIds": [f"urn:pact:company:customcode:vendor-assigned:{c.uscc}"],
        "productDescription": f"{fp.name}（{fp.declared_unit}）",
        "productIds": [product_id],
        "productCategoryCpc": p.cpc,
        "productNameCompany": fp.name,
        "comment": ("Computed by carbon-report from the company's annual inventory (GB/T 24067-2024 / ISO 14067). "
                    "fossilCarbonContent and biogenicCarbonContent are 0 because the intake does not state the "
                    "carbon contained in the product."
                    + ("" if p.product_id else " productIds is a stable uuid5 of the credit code, product name "
                       "and year, as the workbook gives no product identifier.")),
        "pcf": cf,
    }


STAGE_ORDER = tuple(PcfStage)
