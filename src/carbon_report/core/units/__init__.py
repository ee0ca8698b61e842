"""Units as data: the Chinese and Excel spellings in aliases.csv, the multipliers between them in
conversions.csv (pint's answers, written by scripts/build_unit_table.py from definitions.txt, so no process
pays ~0.3 s to build a registry for the same few hundred answers).

A spelling is matched exactly first (after width and space normalisation); case is folded only where the
folded spelling names one unit. SI prefixes differ by case (mg is a milligram, Mg a megagram), so a
folded match that turns a leading m into M, or M into m, is never taken. Spellings refused on purpose
(斤, lb) carry the reason in the table.

Conversion never guesses: mass and volume meet only through a density that the factor library states for
that fuel, and conversions that cross an energy family (electric ↔ heat) or a volume phase (gas ↔ liquid)
are refused unless the factor declares them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from carbon_report.core.errors import UnitError, UnitFamilyMismatch

_HERE = resources.files(__package__)

# Every middle-dot look-alike a keyboard or a PDF produces; NFKC leaves them apart.
# What a user is told for a spelling that is simply not in units.toml (the finding's {why}).
UNKNOWN_HINT = "单位表中没有这种写法，请写成如 t、kWh、m3、GJ"
FACTOR_UNIT_HINT = "因子单位应写成 质量[气体]/活动单位，如 tCO2/MWh、kgCO2e/t"
_DOTS = str.maketrans({"・": "·", "•": "·", "⋅": "·", "∙": "·", "‧": "·", "･": "·"})


@dataclass(frozen=True)
class UnitAlias:
    alias: str
    expression: str
    kind: str  # mass, energy, volume, freight, distance, area, count; "refused" for 斤, lb
    family: str = ""  # energy: electric / heat; volume: gas (normal m³) / liquid (litres) / "" unstated
    note: str = ""


@dataclass(frozen=True)
class Multiplier:
    """Amount in one expression × value = amount in another; `per_density` when a density (t/m³) bridges
    volume and mass: the value is then for 1 t/m³, multiplied by a volume's density or divided by a mass's."""

    value: float
    per_density: bool


@cache
def conversions() -> dict[tuple[str, str], Multiplier]:
    """Every conversion between the table's unit expressions, keyed (from expression, to expression)."""
    with _HERE.joinpath("conversions.csv").open(encoding="utf-8") as f:
        return {(r["from"], r["to"]): Multiplier(float(r["multiplier"]), bool(r["per_density"]))
                for r in csv.DictReader(f)}


def normalize(text: str) -> str:
    """Width, superscripts and spaces normalised; case kept (ｋｇ → kg, m³ → m3, ㎡ → m2)."""
    t = unicodedata.normalize("NFKC", str(text)).translate(_DOTS)
    return re.sub(r"\s+", "", t)


@cache
def _rows() -> tuple[UnitAlias, ...]:
    with _HERE.joinpath("aliases.csv").open(encoding="utf-8") as f:
        return tuple(UnitAlias(row["alias"], row["expression"], row["kind"], row.get("family") or "",
                               row.get("note") or "") for row in csv.DictReader(f))


@cache
def _table() -> tuple[dict[str, UnitAlias], dict[str, tuple[UnitAlias, ...]]]:
    exact: dict[str, UnitAlias] = {}
    folded: dict[str, list[UnitAlias]] = {}
    for a in _rows():
        key = normalize(a.alias)
        exact.setdefault(key, a)
        folded.setdefault(key.casefold(), []).append(a)
    return exact, {k: tuple(v) for k, v in folded.items()}


def aliases() -> dict[str, UnitAlias]:
    """Every accepted spelling as written in the table (m3 and m³ both; refused ones left out), in table order."""
    return {a.alias: a for a in _rows() if a.kind != "refused"}


def _swaps_si_prefix(spelling: str, alias: str) -> bool:
    """m (milli) and M (mega) differ by 10⁹ between them: a folded match may not change that letter's case
    where it is a prefix, i.e. followed by a unit letter (MWh, mg, MJ), unlike m3 where m is the metre."""
    return (len(spelling) > 1 and len(alias) > 1 and spelling[0] != alias[0] and alias[0] in "mM"
            and alias[1].isalpha())


def _match(spelling: str) -> tuple[UnitAlias | None, str]:
    """The alias a spelling names, or None with the reason (empty for a plain unknown spelling)."""
    exact, folded = _table()
    key = normalize(spelling)
    if key in exact:
        a = exact[key]
        return (None, a.note) if a.kind == "refused" else (a, "")
    candidates = folded.get(key.casefold(), ())
    meanings = {(a.expression, a.kind) for a in candidates}
    if not candidates:
        return None, ""
    if len(meanings) > 1:
        names = "、".join(a.alias for a in candidates)
        return None, f"大小写不同含义不同（{names}），请按其中之一的大小写准确填写"
    a = candidates[0]
    if a.kind == "refused":
        return None, a.note
    if _swaps_si_prefix(key, normalize(a.alias)):
        return None, (f"SI 词头区分大小写（m 为毫、M 为兆，相差 10⁹ 倍），“{spelling}”不能按“{a.alias}”读取，"
                      f"请准确填写大小写")
    return a, ""


def lookup(spelling: str) -> UnitAlias | None:
    return _match(spelling)[0]


def why_unknown(spelling: str) -> str:
    """Why a spelling is not read (for a spelling simply not in the table, the spellings it knows)."""
    return _match(spelling)[1] or UNKNOWN_HINT


def is_known(spelling: str) -> bool:
    return lookup(spelling) is not None


def kind_of(spelling: str) -> str | None:
    a = lookup(spelling)
    return a.kind if a else None


def family_of(spelling: str) -> str:
    a = lookup(spelling)
    return a.family if a else ""


def _require(spelling: str) -> UnitAlias:
    a = lookup(spelling)
    if a is None:
        raise UnitError("unknown", spelling)
    return a


# The conversion functions are pure for a given alias table and are asked the same few questions for every
# row of every workbook: their answers are kept. Errors are not kept.
_CONVERSIONS = 4096


@lru_cache(maxsize=_CONVERSIONS)
def factor(from_unit: str, to_unit: str, density_t_per_m3: float | None = None) -> tuple[float, str]:
    """Multiplier taking an amount in from_unit to to_unit by dimension alone, and a note when a density
    was used. `conversion` adds the rules an emission factor imposes (families, phases)."""
    a, b = _require(from_unit), _require(to_unit)
    m = conversions().get((a.expression, b.expression))
    if m is not None and not m.per_density:
        return m.value, ""
    if m is not None and density_t_per_m3:
        k = m.value * density_t_per_m3 if a.kind == "volume" else m.value / density_t_per_m3
        return k, f"密度 {density_t_per_m3:g} t/m³"
    raise UnitError("mismatch", f"{from_unit} → {to_unit}")


def convert(amount: float, from_unit: str, to_unit: str, density_t_per_m3: float | None = None) -> tuple[float, str]:
    k, note = factor(from_unit, to_unit, density_t_per_m3)
    return amount * k, note


FAMILY_ZH = {"electric": "电量（kWh 类）", "heat": "热量（J 类、标准煤）", "gas": "标况气体体积（Nm³）",
             "liquid": "液体体积（L）"}
KIND_ZH = {"mass": "质量", "energy": "能量", "volume": "体积", "freight": "货运周转量（t·km 类）", "distance": "距离",
           "area": "面积", "count": "数量"}


def meaning_zh(spelling: str) -> str:
    """What a unit measures, in the words a finding uses: its family where it has one (电量 vs 热量), else its
    kind (质量, 体积 …); the spelling itself when unknown."""
    a = lookup(spelling)
    if a is None:
        return spelling
    return FAMILY_ZH.get(a.family) or KIND_ZH.get(a.kind, a.kind)
_CROSSINGS = ({"electric", "heat"}, {"gas", "liquid"})


@dataclass(frozen=True)
class Conversion:
    """How one activity amount reaches a factor's denominator."""

    multiplier: float
    density_note: str = ""  # "密度 0.83 t/m³" when a density was used
    assumption: str = ""  # an implicit reading the user must be told of (m³ read as Nm³)
    declared: str = ""  # a family crossing the factor's library entry declares (e.g. "heat")


def conversion(from_unit: str, to_unit: str, density_t_per_m3: float | None = None,
               declares: frozenset[str] = frozenset()) -> Conversion:
    """The conversion an activity in from_unit needs to meet a factor per to_unit.

    Raises UnitError("mismatch") when the dimensions differ, and also when the amount crosses an energy
    family (kWh against GJ) or a volume phase (litres against Nm³) the factor does not declare in
    `declares`: those convert arithmetically but mean a different thing (electricity is not heat; a litre
    of LNG is about 600 normal litres of gas)."""
    k, note = factor(from_unit, to_unit, density_t_per_m3)
    a, b = _require(from_unit), _require(to_unit)
    declared = ""
    if a.family and b.family and a.family != b.family and {a.family, b.family} in _CROSSINGS:
        if a.family not in declares:
            raise UnitFamilyMismatch(f"{FAMILY_ZH[a.family]}与{FAMILY_ZH[b.family]}")
        declared = a.family
    assumption = ""
    if a.kind == "volume" and b.family == "gas" and not a.family:
        assumption = "normal-volume"
    return Conversion(k, note, assumption, declared)


# Words by which a row says its volume is already at standard conditions (0 °C, 101.325 kPa).
NORMAL_CONDITION_WORDS = ("标况", "标准状况", "标准状态", "Nm3", "Nm³", "标方", "标立方")


def states_normal_conditions(*texts: str) -> bool:
    return any(w.casefold() in normalize(t).casefold() for t in texts for w in map(normalize, NORMAL_CONDITION_WORDS))


@lru_cache(maxsize=_CONVERSIONS)
def mass_to_tonnes(mass_unit: str) -> float:
    a = lookup(mass_unit)
    if a is None or a.kind != "mass":
        raise UnitError("unknown", mass_unit)
    return conversions()[(a.expression, "tonne")].value


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


@dataclass(frozen=True)
class FactorUnit:
    mass_unit: str  # alias of the numerator's mass, e.g. "kg"
    gas: str  # the gas written in the unit, "" when none (kg/kg)
    per_unit: str  # the activity unit, e.g. "t·km"


def _mass_prefix(num: str) -> UnitAlias | None:
    """The mass alias a factor unit's numerator starts with: exact case first, the longest spelling winning;
    then a case-folded spelling only where it names one mass and keeps an m/M prefix's case."""
    masses = sorted((a for a in aliases().values() if a.kind == "mass"), key=lambda a: -len(a.alias))
    for a in masses:
        if num.startswith(normalize(a.alias)):
            return a
    for a in masses:
        spelled = normalize(a.alias)
        head = num[:len(spelled)]
        if head.casefold() == spelled.casefold() and lookup(head) == a:
            return a
    return None


@lru_cache(maxsize=_CONVERSIONS)
def parse_factor_unit(text: str) -> FactorUnit:
    """Split `<mass>[gas]/<activity unit>` such as tCO2/MWh, kgCO2e/t·km, kg/kg."""
    t = normalize(str(text).strip().translate(_SUBSCRIPTS)).replace("／", "/")
    if "/" not in t:
        raise UnitError("unknown", text)
    num, per = t.split("/", 1)
    if lookup(per) is None:
        raise UnitError("unknown", text)
    a = _mass_prefix(num)
    if a is None:
        raise UnitError("unknown", text)
    return FactorUnit(a.alias, num[len(normalize(a.alias)):], per)
