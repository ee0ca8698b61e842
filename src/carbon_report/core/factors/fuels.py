"""Fuel combustion factors computed from their parameters (fuels.csv), never typed in.

CO2 per unit of fuel = NCV × carbon content × oxidation rate × 44/12, with the parameters of the Chinese
accounting guidelines' default table; CH4 and N2O per unit = IPCC 2006 default (kg/TJ) × NCV. fuels.csv is the
data: change a parameter there and every factor that depends on it follows.
"""

from __future__ import annotations

CO2_PER_C = 44.0 / 12.0

PARAM_SOURCE = "《工业其他行业企业温室气体排放核算方法与报告指南（试行）》"
PARAM_SECTION = "附录 常见化石燃料特性参数缺省值（低位发热量、单位热值含碳量、碳氧化率）"
NONCO2_SOURCE = "2006 IPCC Guidelines for National Greenhouse Gas Inventories"
NONCO2_SECTION = "Vol.2 Ch.2 Table 2.3 (stationary combustion, manufacturing industries and construction, kg/TJ)"


def co2_per_unit(ncv_gj: float, cc_tc_per_tj: float, oxidation: float) -> float:
    """tCO2 per unit of fuel: GJ/unit × tC/TJ ÷ 1000 × oxidation × 44/12."""
    return ncv_gj * cc_tc_per_tj / 1000.0 * oxidation * CO2_PER_C


def gas_per_unit(ncv_gj: float, kg_per_tj: float) -> float:
    """kg of a gas per unit of fuel from an IPCC default in kg/TJ."""
    return ncv_gj * kg_per_tj / 1000.0


def fuel_factor_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """fuels.csv rows → library.csv rows (one CO2, one CH4 and one N2O row per fuel)."""
    out: list[dict[str, str]] = []
    for r in rows:
        ncv = float(r["ncv_gj_per_unit"])
        per = r["per_unit"]
        params = (f"NCV {r['ncv_gj_per_unit']} GJ/{per}; 单位热值含碳量 {r['cc_tc_per_tj']} tC/TJ; "
                  f"碳氧化率 {float(r['oxidation']):.0%}")
        density_note = f"density: {r['density_source']}" if r.get("density_source") else ""
        common = {
            "code": r["code"],
            "name_zh": r["name_zh"],
            "name_en": r["name_en"],
            "category": "fuel",
            "published": "",
            "data_year": "",
            "region": "CN",
            "density_t_per_m3": r.get("density_t_per_m3", ""),
            "match_names": "",
        }
        co2 = co2_per_unit(ncv, float(r["cc_tc_per_tj"]), float(r["oxidation"]))
        out.append(common | {
            "gas": "CO2", "value": repr(co2), "unit": f"tCO2/{per}",
            "source": PARAM_SOURCE, "section": PARAM_SECTION,
            "match_names": r.get("match_names", ""),
            "note": "; ".join(x for x in (f"computed: {params} × 44/12", density_note, r.get("note", "")) if x),
        })
        for gas, column in (("CH4", "ch4_kg_per_tj"), ("N2O", "n2o_kg_per_tj")):
            out.append(common | {
                "gas": gas, "value": repr(gas_per_unit(ncv, float(r[column]))), "unit": f"kg{gas}/{per}",
                "source": NONCO2_SOURCE, "section": f"{NONCO2_SECTION}: {r['ipcc_fuel']} {r[column]} kg/TJ",
                "note": f"computed: {r[column]} kg/TJ × NCV {r['ncv_gj_per_unit']} GJ/{per}",
            })
    return out
