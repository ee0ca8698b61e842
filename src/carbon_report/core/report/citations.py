"""Sources as the report cites them: short Chinese citations (标准或文献名、发布机构、表号).

The factor library keeps each factor's full source as read, in the language it was read in, with every
parameter and any 未核实 note (library.csv, fuel_parameters.csv, gwp_sources.csv); the computed workbook's
计算明细 prints that. The report a client signs cites the same documents in short Chinese form instead:
citations.csv says how, for the library rows and documents whose source text is not already a short Chinese
citation. A fuel factor computed from its parameters (fuels.py) cites the documents its verified parameters
were read in, and says that the others' sources are in the working papers.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from carbon_report.core.model import Factor
from carbon_report.core.report.text import clean

ELSEWHERE = "其余参数的出处见核算底稿"
_CO2_PARAMETERS = ("ncv", "carbon_content", "oxidation")


@cache
def _table() -> dict[tuple[str, str, str], str]:
    with files("carbon_report.core.report").joinpath("citations.csv").open(encoding="utf-8") as f:
        return {(r["kind"], r["key"], r["table"]): r["citation"] for r in csv.DictReader(f)}


@cache
def _fuel_parameters() -> dict[str, dict[str, dict[str, str]]]:
    out: dict[str, dict[str, dict[str, str]]] = {}
    with files("carbon_report.core.factors").joinpath("fuel_parameters.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["code"], {})[r["parameter"]] = r
    return out


def _fuel_citation(params: dict[str, dict[str, str]], keys: tuple[str, ...]) -> str:
    cited: list[str] = []
    missing = False
    for k in keys:
        p = params.get(k)
        short = _table().get(("source", p["source"], p["table"])) if p and p["status"] == "verified" else None
        if short is None:
            missing = True
        elif short not in cited:
            cited.append(short)
    text = "；".join(cited)
    if missing:
        text = f"{text}；{ELSEWHERE}" if text else ELSEWHERE
    return text


def factor_citation(f: Factor) -> str:
    """The source of a library factor as the report's factor table prints it."""
    table = _table()
    for key in (f"{f.code}:{f.gas}", f.code):
        if ("code", key, "") in table:
            return table[("code", key, "")]
    params = _fuel_parameters().get(f.code)
    if params is not None:
        if f.gas == "CO2":
            return "由低位发热量、单位热值含碳量和碳氧化率计算：" + _fuel_citation(params, _CO2_PARAMETERS)
        keys = ("ch4" if f.gas.startswith("CH4") else "n2o", "ncv")
        return "由缺省排放因子（kg/TJ）和低位发热量计算：" + _fuel_citation(params, keys)
    return clean(f.source)


def gwp_citation(gwp_set: str, source: str) -> str:
    """The GWP set's source in short Chinese (the full one stays in the library's gwp_sources.csv)."""
    return _table().get(("gwp", gwp_set, ""), clean(source))
