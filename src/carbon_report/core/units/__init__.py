"""Units as data: one pint registry plus the Chinese and Excel spellings in aliases.csv.

A spelling is matched ignoring case and spaces. Conversion never guesses: mass and volume meet only
through a density that the factor library states for that fuel.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from carbon_report.core.errors import UnitError

if TYPE_CHECKING:
    import pint

_HERE = resources.files(__package__)


@dataclass(frozen=True)
class UnitAlias:
    alias: str
    expression: str
    kind: str


@cache
def registry() -> pint.UnitRegistry:
    import pint  # ~0.3 s: loaded on the first conversion, not when a command merely starts

    ureg = pint.UnitRegistry()
    ureg.load_definitions(str(_HERE.joinpath("definitions.txt")))
    return ureg


def _fold(text: str) -> str:
    text = text.replace("\u3000", "").replace("＊", "*").replace("．", ".").replace("·", "·")
    text = text.replace("・", "·").replace("•", "·").replace("⋅", "·")
    text = text.replace("ｍ", "m").replace("３", "3").replace("２", "2")
    return re.sub(r"\s+", "", text).casefold()


@cache
def aliases() -> dict[str, UnitAlias]:
    out: dict[str, UnitAlias] = {}
    with _HERE.joinpath("aliases.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            a = UnitAlias(row["alias"], row["expression"], row["kind"])
            key = _fold(a.alias)
            # Case folding would make Mg (megagram) and mg collide; the table has no such pair, keep the first.
            out.setdefault(key, a)
    return out


def lookup(spelling: str) -> UnitAlias | None:
    return aliases().get(_fold(spelling))


@cache
def _quantity(expression: str) -> pint.Quantity:
    return registry().parse_expression(expression)


def is_known(spelling: str) -> bool:
    return lookup(spelling) is not None


def kind_of(spelling: str) -> str | None:
    a = lookup(spelling)
    return a.kind if a else None


# The conversion functions are pure for a given alias table and are asked the same few questions for every
# row of every workbook: their answers are kept (pint arithmetic costs ~0.1 ms a call). Errors are not kept.
_CONVERSIONS = 4096


@lru_cache(maxsize=_CONVERSIONS)
def factor(from_unit: str, to_unit: str, density_t_per_m3: float | None = None) -> tuple[float, str]:
    """Multiplier taking an amount in from_unit to to_unit, and a note when a density was used."""
    a, b = lookup(from_unit), lookup(to_unit)
    if a is None:
        raise UnitError("unknown", from_unit)
    if b is None:
        raise UnitError("unknown", to_unit)
    qa, qb = _quantity(a.expression), _quantity(b.expression)
    if qa.dimensionality == qb.dimensionality:
        return float((qa / qb).to("dimensionless").magnitude), ""
    if density_t_per_m3 and {a.kind, b.kind} == {"mass", "volume"}:
        ureg = registry()
        rho = density_t_per_m3 * ureg("tonne / meter ** 3")
        ratio = (qa * rho / qb) if a.kind == "volume" else (qa / rho / qb)
        return float(ratio.to("dimensionless").magnitude), f"密度 {density_t_per_m3:g} t/m³"
    raise UnitError("mismatch", f"{from_unit} → {to_unit}")


def convert(amount: float, from_unit: str, to_unit: str, density_t_per_m3: float | None = None) -> tuple[float, str]:
    k, note = factor(from_unit, to_unit, density_t_per_m3)
    return amount * k, note


@lru_cache(maxsize=_CONVERSIONS)
def mass_to_tonnes(mass_unit: str) -> float:
    a = lookup(mass_unit)
    if a is None or a.kind != "mass":
        raise UnitError("unknown", mass_unit)
    return float(_quantity(a.expression).to("tonne").magnitude)


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


@dataclass(frozen=True)
class FactorUnit:
    mass_unit: str  # alias of the numerator's mass, e.g. "kg"
    gas: str  # the gas written in the unit, "" when none (kg/kg)
    per_unit: str  # the activity unit, e.g. "t·km"


@lru_cache(maxsize=_CONVERSIONS)
def parse_factor_unit(text: str) -> FactorUnit:
    """Split `<mass>[gas]/<activity unit>` such as tCO2/MWh, kgCO2e/t·km, kg/kg."""
    t = str(text).strip().translate(_SUBSCRIPTS).replace("／", "/")
    if "/" not in t:
        raise UnitError("unknown", text)
    num, per = t.split("/", 1)
    num = re.sub(r"\s+", "", num)
    if lookup(per) is None:
        raise UnitError("unknown", text)
    masses = sorted((a for a in aliases().values() if a.kind == "mass"), key=lambda a: -len(a.alias))
    for a in masses:
        if num.casefold().startswith(a.alias.casefold()):
            return FactorUnit(a.alias, num[len(a.alias):], per.strip())
    raise UnitError("unknown", text)
