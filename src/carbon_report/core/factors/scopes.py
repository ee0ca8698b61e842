"""Scopes and ISO 14064-1 categories: one classification of the same emission lines the six stages use.

scopes.csv maps a factor kind (library.csv's `category`, "fuel" for fuels.csv) to its GHG Protocol scope, its
ISO 14064-1:2018 category, the GHG Protocol Scope 3 category where the kind decides it, and how the Scope 2
location-based figure is found. scope_classes.csv names the scopes and categories. The factor decides, not the
stage: diesel burned in the company's own trucks in the 运输 stage is still Scope 1.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from carbon_report.core import units
from carbon_report.core.findings import Code
from carbon_report.core.model import BIOGENIC_CO2, Factor

_HERE = resources.files(__package__)

SCOPES = (1, 2, 3)
ISO_CATEGORIES = (1, 2, 3, 4, 5, 6)
# The two systems agree on their first classes: ISO category 1 (direct) is Scope 1, category 2 (imported
# energy) is Scope 2, categories 3-6 are the other indirect emissions, i.e. Scope 3.
SCOPE_OF_ISO = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3}
# Gases whose factor is a combustion or cradle-to-gate factor; any other gas (HFCs, PFCs, SF6, NF3, blends)
# can only be released directly, as a leak or a process emission.
_COMBUSTION_GASES = {"CO2", "CO2e", "CH4", "N2O", BIOGENIC_CO2}


@dataclass(frozen=True)
class ScopeClass:
    kind: str
    scope: int
    iso_category: int
    scope3_category: int | None
    location_basis: str  # "own", or "default:<name>": the library default for that name on 报告日期
    label: str
    source: str


@dataclass(frozen=True)
class Classification:
    scope: int
    iso_category: int
    scope3_category: int | None
    basis: str  # "kind" (from the library kind), "inferred" (from gas and unit), "override" (范围/ISO类别)


def _rows(name: str) -> list[dict[str, str]]:
    with _HERE.joinpath(name).open(encoding="utf-8") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


@cache
def scope_classes() -> dict[str, ScopeClass]:
    return {r["kind"]: ScopeClass(r["kind"], int(r["scope"]), int(r["iso_category"]),
                                  int(r["scope3_category"]) if r["scope3_category"] else None,
                                  r["location_basis"], r["label_zh"], r["source"])
            for r in _rows("scopes.csv")}


@cache
def class_names() -> dict[tuple[str, int], str]:
    """("scope", 1) → 范围一：直接排放; ("iso", 4) → 类别4：…; ("scope3", 4) → 类别4 上游运输和配送."""
    return {(r["system"], int(r["number"])): r["name_zh"] for r in _rows("scope_classes.csv")}


def of_kind(kind: str) -> Classification | None:
    c = scope_classes().get(kind)
    return Classification(c.scope, c.iso_category, c.scope3_category, "kind") if c else None


def in_stage(kind: str, stage: str, base: Classification) -> Classification:
    """A kind's classification in one life-cycle stage: scopes.csv may name "kind@stage" (a freight service
    in the 回收 stage carries waste: GHG Protocol Scope 3 category 5, not 4). An override (范围/ISO类别)
    of the factor's own row stays as given."""
    if base.basis == "override":
        return base
    return of_kind(f"{kind}@{stage}") or base


# Kinds infer_kind reaches only by elimination: a CO2 factor per tonne may be a fuel or a material given as CO2
# only, a CO2e one a fuel's combined factor, GJ a fuel's heat content. The user is told about these; a gas that
# can only leak, a t·km service and watt-hours of electricity are what they say.
GUESSED_KINDS = frozenset({"fuel", "material", "heat"})


def infer_kind(factor: Factor) -> str:
    """The kind of a workbook factor that is not in the library, read from its gas and unit (范围 / ISO类别
    correct it): direct gases leak, t·km is a freight service, watt-hours are purchased electricity, other
    energy units purchased heat, CO2e per unit of goods a cradle-to-gate material factor, and CO2/CH4/N2O
    per unit of a fuel its combustion."""
    if factor.gas == BIOGENIC_CO2:
        return "fuel-biomass"
    if factor.gas not in _COMBUSTION_GASES and not factor.gas.startswith("CH4"):
        return "direct-gas"
    kind = units.kind_of(factor.per_unit)
    if kind == "freight":
        return "freight"
    if kind == "energy":
        alias = units.lookup(factor.per_unit)
        return "electricity" if alias and "watt_hour" in alias.expression else "heat"
    if factor.gas == "CO2e":
        return "material"
    return "fuel"


_SCOPE_WORDS = re.compile(r"^(范围|scope|s)", re.IGNORECASE)
_ISO_WORDS = re.compile(r"^(iso\s*14064(-1)?\s*)?(类别|category|cat\.?)", re.IGNORECASE)
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


def _small_int(value: object, words: re.Pattern[str]) -> int | None | str:
    """1 from 1, 1.0, '1', '１', '范围一', 'Scope 1'; None for blank; the text itself when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else str(value)
    text = str(value).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    body = words.sub("", "".join(text.split())).lstrip(":：")
    if body.isdigit():
        return int(body)
    if body in _CN_DIGITS:
        return _CN_DIGITS[body]
    return text


def parse_scope(value: object) -> int | None | str:
    """The 范围 override: 1, 2 or 3; None when blank; the text as written when it is none of them."""
    v = _small_int(value, _SCOPE_WORDS)
    return v if v is None or v in SCOPES else str(value).strip()


def parse_iso(value: object) -> int | None | str:
    """The ISO类别 override: 1-6; None when blank; the text as written when it is none of them."""
    v = _small_int(value, _ISO_WORDS)
    return v if v is None or v in ISO_CATEGORIES else str(value).strip()


def combine(base: Classification, scope: int | None, iso: int | None) -> Classification | tuple[Code, dict[str, int]]:
    """`base` with the user's overrides applied, or (code, Chinese reason) when they do not fit together.

    范围 alone: Scope 1 is ISO category 1, Scope 2 category 2; Scope 3 keeps the base category when that is
    already an indirect one (3-6) and otherwise needs ISO类别, because nothing tells which indirect category
    it is. ISO类别 alone sets the scope it belongs to. The Scope 3 category of the kind survives only while
    the line stays in the same ISO category."""
    if scope is None and iso is None:
        return base
    if scope is not None and iso is not None and SCOPE_OF_ISO[iso] != scope:
        return Code.E_SCOPE_ISO_CONFLICT, {"scope": scope, "category": iso}
    if iso is None:
        assert scope is not None
        if scope in (1, 2):
            iso = scope
        elif base.iso_category >= 3:
            iso = base.iso_category
        else:
            return Code.E_ISO_CATEGORY_NEEDED, {}
    s3 = base.scope3_category if iso == base.iso_category and SCOPE_OF_ISO[iso] == 3 else None
    return Classification(SCOPE_OF_ISO[iso], iso, s3, "override")
