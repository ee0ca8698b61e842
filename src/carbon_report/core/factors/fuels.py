"""Fuel combustion factors computed from their parameters, never typed in.

CO2 per unit of fuel = NCV × carbon content × oxidation rate × 44/12; CH4 and N2O per unit = default (kg/TJ) ×
NCV. fuels.csv says what each fuel is (unit, density, CH4 class); fuel_parameters.csv holds each parameter
on its own row with the document, table and edition it was read in, or `unverified` where no text read gives
that value. Change a parameter there and every factor that depends on it follows.
"""

from __future__ import annotations

from collections import defaultdict

CO2_PER_C = 44.0 / 12.0
PARAMETERS = ("ncv", "carbon_content", "oxidation", "ch4", "n2o")
PARAMETER_ZH = {"ncv": "低位发热量", "carbon_content": "单位热值含碳量", "oxidation": "碳氧化率", "ch4": "CH4 缺省值",
                "n2o": "N2O 缺省值"}
CH4_GAS = {"fossil": "CH4-fossil", "non-fossil": "CH4-non-fossil"}


def co2_per_unit(ncv_gj: float, cc_tc_per_tj: float, oxidation: float) -> float:
    """tCO2 per unit of fuel: GJ/unit × tC/TJ ÷ 1000 × oxidation × 44/12."""
    return ncv_gj * cc_tc_per_tj / 1000.0 * oxidation * CO2_PER_C


def gas_per_unit(ncv_gj: float, kg_per_tj: float) -> float:
    """kg of a gas per unit of fuel from a default in kg/TJ."""
    return ncv_gj * kg_per_tj / 1000.0


def cite(p: dict[str, str]) -> str:
    """One parameter's source as a reader can look it up, or 未核实 with what was found instead."""
    if p["status"] != "verified":
        return f"{PARAMETER_ZH[p['parameter']]} {p['value']}：未核实（{p['note']}）"
    where = "，".join(x for x in (p["source"], p["table"], p["edition"]) if x)
    return f"{PARAMETER_ZH[p['parameter']]} {p['value']}：{where}"


def unverified(p: dict[str, dict[str, str]], *keys: str) -> str:
    """The unverified parameters among `keys`, cited as such (empty when every one was read)."""
    return "；".join(cite(p[k]) for k in keys if p[k]["status"] != "verified")


def parameters_by_fuel(params: list[dict[str, str]]) -> dict[str, dict[str, dict[str, str]]]:
    out: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for p in params:
        if p["parameter"] not in PARAMETERS:
            raise ValueError(f"fuel_parameters.csv: unknown parameter {p['parameter']!r}")
        out[p["code"]][p["parameter"]] = p
    return out


def fuel_factor_rows(fuels: list[dict[str, str]], params: list[dict[str, str]]) -> list[dict[str, str]]:
    """fuels.csv + fuel_parameters.csv → library.csv rows (one CO2, one CH4 and one N2O row per fuel)."""
    by_fuel = parameters_by_fuel(params)
    out: list[dict[str, str]] = []
    for r in fuels:
        p = by_fuel[r["code"]]
        missing = [k for k in PARAMETERS if k not in p]
        if missing:
            raise ValueError(f"fuel_parameters.csv: {r['code']} lacks {', '.join(missing)}")
        ncv = float(p["ncv"]["value"])
        per = r["per_unit"]
        density_note = f"density: {r['density_source']}" if r.get("density_source") else ""
        common = {
            "code": r["code"], "name_zh": r["name_zh"], "name_en": r["name_en"], "category": "fuel",
            "published": "", "data_year": "", "region": "CN", "density_t_per_m3": r.get("density_t_per_m3", ""),
            "match_names": "", "declares": "", "date_basis": "",
        }

        co2_keys = ("ncv", "carbon_content", "oxidation")
        co2 = co2_per_unit(ncv, float(p["carbon_content"]["value"]), float(p["oxidation"]["value"]))
        params_text = (f"NCV {p['ncv']['value']} GJ/{per}; 单位热值含碳量 {p['carbon_content']['value']} tC/TJ; "
                       f"碳氧化率 {float(p['oxidation']['value']):.0%}")
        out.append(common | {
            "gas": "CO2", "value": repr(co2), "unit": f"tCO2/{per}",
            "source": "；".join(cite(p[k]) for k in co2_keys),
            "section": "（CO2 = 低位发热量 × 单位热值含碳量 × 碳氧化率 × 44/12）",
            "match_names": r.get("match_names", ""), "unverified": unverified(p, *co2_keys),
            "note": "; ".join(x for x in (f"computed: {params_text} × 44/12", density_note, r.get("note", "")) if x),
        })
        ch4_gas = CH4_GAS[r["ch4_class"]]
        for gas, key in ((ch4_gas, "ch4"), ("N2O", "n2o")):
            out.append(common | {
                "gas": gas, "value": repr(gas_per_unit(ncv, float(p[key]["value"]))),
                "unit": f"kg{gas.split('-')[0]}/{per}",
                "source": "；".join(cite(p[k]) for k in (key, "ncv")),
                "section": f"IPCC fuel: {r['ipcc_fuel']}", "unverified": unverified(p, key, "ncv"),
                "note": f"computed: {p[key]['value']} kg/TJ × NCV {p['ncv']['value']} GJ/{per}",
            })
    return out
