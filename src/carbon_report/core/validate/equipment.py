"""设备清单: equipment, checked against the fuels used in 活动数据."""

from __future__ import annotations

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    Activity,
    Equipment,
)
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.rows import Findings, checked_rows, ref
from carbon_report.core.values import (
    parse_number,
    text_of,
)

FUEL_WORDS = ("柴油", "汽油", "天然气", "液化石油气", "液化气", "燃料油", "重油", "煤油", "焦炭", "原煤", "煤", "LPG",
              "LNG", "CNG", "生物质")






def read_equipment(raw: RawWorkbook, f: Findings, acts: list[Activity]) -> list[Equipment]:
    out: list[Equipment] = []
    got = checked_rows(raw, contract.EQUIPMENT, f, name_key="name")
    if got is None:
        return out
    table, rows = got
    names = " ".join(a.name for a in acts).upper()
    for row in rows:
        q = parse_number(row.value("quantity"))
        if q.kind not in ("number", "blank"):
            f.warn(ref(row, table, "quantity"), Code.W_EQUIPMENT_QUANTITY,
                   value=text_of(row.value("quantity")))
        energy = text_of(row.value("energy"))
        eq = Equipment(text_of(row.value("name")), text_of(row.value("model")), text_of(row.value("unit")),
                       q.value if q.kind == "number" else None, energy, row.row)
        out.append(eq)
        for fuel in _fuels_in(energy.upper()):
            if not any(w in names for w in _FUEL_SYNONYMS.get(fuel, (fuel,))):
                f.warn(ref(row, table, "energy"), Code.W_EQUIPMENT_FUEL,
                       name=eq.name or f"第 {row.row} 行", fuel=fuel)
    return out


_FUEL_SYNONYMS = {"液化石油气": ("液化石油气", "液化气", "LPG"), "液化气": ("液化石油气", "液化气", "LPG"),
                  "LPG": ("液化石油气", "液化气", "LPG"), "天然气": ("天然气", "LNG", "CNG"),
                  "LNG": ("天然气", "LNG"), "CNG": ("天然气", "CNG"), "煤": ("煤",), "原煤": ("原煤", "煤")}


def _fuels_in(energy: str) -> list[str]:
    """Fuels named in 能源类型, longest words first, each stretch of text counted once (原煤 is not also 煤)."""
    found: list[str] = []
    rest = energy
    for w in sorted(FUEL_WORDS, key=len, reverse=True):
        if w in rest:
            found.append(w)
            rest = rest.replace(w, " ")
    return found
