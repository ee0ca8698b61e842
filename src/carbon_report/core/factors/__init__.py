"""The built-in emission-factor library: data files in this folder, every row with its source.

library.csv  one row per factor code and gas (value, unit, source, section, publication date, data year)
fuels.csv    the fuels (unit, density, CH4 class); fuel_parameters.csv one row per parameter with its own source
             (calorific value, carbon content, oxidation, CH4, N2O): the fuels' factors are computed from them
gwp.csv      GWP100 by IPCC assessment report; gwp_sources.csv says where each set comes from
blends.csv   refrigerant blends as mass fractions of their components
residual.csv grid average code → residual-mix code, used beside green power (market-based electricity)
scopes.csv   factor kind → GHG Protocol scope, ISO 14064-1 category, Scope 3 category (scopes.py reads it)
uncertainty_defaults.csv  活动数据 uncertainty by 数据质量 tier (issue 16), each with what was read and its status
factor_uncertainty.csv    U_EF per library factor code and gas where its source gives one (none read yet)
uncertainty_families.csv  default U_EF per factor family and U_GWP per gas class, each cited or named an assumption
meta.toml    the library's version, recorded in every computed workbook and report
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

from carbon_report.core import units
from carbon_report.core.model import BIOGENIC_CO2, Factor

_HERE = resources.files(__package__)


def normalize_gas(text: str) -> str:
    """Canonical spelling of a gas name (CO2e, CH4-fossil, HFC-134a, R-410A …)."""
    t = str(text).strip().translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉－—", "0123456789--")).replace(" ", "")
    upper = t.upper()
    if upper in ("CO2E", "CO2-E", "CO2EQ"):
        return "CO2e"
    if upper in ("CO2-BIOGENIC", "CO2-BIO", "BIOGENIC-CO2", "CO2(BIOGENIC)", "生物质CO2", "CO2生物质"):
        return BIOGENIC_CO2
    if upper.startswith("CH4-"):
        return "CH4-" + t[4:].lower()
    if upper.startswith(("HFC", "PFC", "HCFC", "CFC")) and "-" not in upper:
        # HFC134a → HFC-134a
        for prefix in ("HCFC", "HFC", "PFC", "CFC"):
            if upper.startswith(prefix) and len(t) > len(prefix):
                return prefix + "-" + t[len(prefix):].lower()
    if upper.startswith(("HFC-", "HCFC-", "CFC-", "PFC-")):
        head, tail = t.split("-", 1)
        return head.upper() + "-" + tail.lower()
    if upper.startswith("R") and len(upper) > 1 and upper[1:2] in "-0123456789":
        return "R-" + t.lstrip("Rr-").upper()
    return upper


def gases_agree(written_in_unit: str, declared: str) -> bool:
    """A gas written in a factor's unit must be the declared one; CO2 and CO2e agree with each other."""
    if not written_in_unit:
        return True
    a, b = normalize_gas(written_in_unit), normalize_gas(declared)
    co2 = {"CO2", "CO2e"}
    return (a == b or (a in co2 and b in co2) or (a == "CH4" and b.startswith("CH4"))
            or (a == "CO2" and b == BIOGENIC_CO2))


@dataclass(frozen=True)
class UncertaintyTier:
    """A 数据质量 tier's default activity-data uncertainty (%, half the 95 % interval) and its basis."""

    tier: str
    pct: float
    status: str  # "verified" or "unverified": how far a text read supports this figure for this tier
    source: str
    note: str


@dataclass(frozen=True)
class UncertaintyFamily:
    """A default factor uncertainty (%, half the 95 % interval) for a family of library factors or for a
    gas's GWP (issue 25), cited from a text read or named as this tool's assumption."""

    family: str
    kinds: tuple[str, ...]  # factor kinds (scopes.csv); empty: a GWP family
    gases: tuple[str, ...]  # gas classes, "HFC-*" style patterns allowed
    pct: float
    status: str  # "cited" or "assumption"
    label: str
    source: str
    read: str
    note: str

    @property
    def cited(self) -> bool:
        return self.status == "cited"

    def covers_gas(self, gas: str) -> bool:
        return any(gas == g or (g.endswith("*") and gas.startswith(g[:-1])) for g in self.gases)


@dataclass(frozen=True)
class Library:
    version: str
    factors: dict[str, tuple[Factor, ...]]
    gwp: dict[str, dict[str, float]]  # set → gas → GWP100
    gwp_sources: dict[str, str]
    blends: dict[str, dict[str, float]]  # blend → component gas → mass fraction
    _names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded name → codes
    residual: dict[str, str] = field(default_factory=dict)  # grid average code → its residual-mix code
    gwp_notes: dict[tuple[str, str], str] = field(default_factory=dict)  # (set, gas) → where the value comes from
    uncertainty_tiers: dict[str, UncertaintyTier] = field(default_factory=dict)  # 数据质量 → default U_A
    uncertainty_families: tuple[UncertaintyFamily, ...] = ()  # default U_EF and U_GWP (issue 25)

    def factor_family(self, f: Factor) -> UncertaintyFamily | None:
        """The default uncertainty family of a library factor without its own (None: none applies)."""
        if f.origin != "library" or f.biogenic:
            return None
        kind = f.kind or f.category
        return next((u for u in self.uncertainty_families if kind in u.kinds and u.covers_gas(f.gas)), None)

    def gwp_family(self, gas: str) -> UncertaintyFamily | None:
        """The GWP uncertainty of a gas (None for CO2 and CO2e factors: GWP 1)."""
        g = normalize_gas(gas)
        if g in ("CO2", "CO2e", BIOGENIC_CO2):
            return None
        return next((u for u in self.uncertainty_families if not u.kinds and u.covers_gas(g)), None)

    def residual_of(self, code: str) -> str | None:
        """The grid factor excluding market-traded non-fossil power, for grid electricity that sits beside
        purchased green power (otherwise the green share would be counted in both)."""
        return self.residual.get(code)

    def average_of(self, residual_code: str) -> str | None:
        """The grid average a residual-mix factor was derived from: the Scope 2 location-based figure of a
        residual-mix row uses it (same notice, same data year)."""
        return next((avg for avg, res in self.residual.items() if res == residual_code), None)
    def ch4_class_note(self, gwp_set: str, gas: str) -> str:
        """What 计算明细 says about a methane line: its class and the GWP table behind the value."""
        g = normalize_gas(gas)
        if not g.startswith("CH4"):
            return ""
        label = {"CH4-fossil": "化石源 CH4", "CH4-non-fossil": "非化石源 CH4"}.get(g, "CH4（未区分来源）")
        value = self.gwp_value(gwp_set, g)
        where = self.gwp_sources.get(gwp_set, gwp_set)
        return f"{label}：{gwp_set} GWP100 = {value:g}（{where}）"

    def lookup(self, code: str) -> tuple[Factor, ...] | None:
        return self.factors.get(code.strip())

    def codes(self) -> list[str]:
        return sorted(self.factors)

    def match_name(self, name: str, on: dt.date | None = None) -> list[str]:
        """Codes whose default names include `name`. Several grid factors share a name: the latest
        published on or before `on` (today when None) wins, so a report reissued with the same date
        keeps its numbers after a library update."""
        codes = list(self._names.get(_fold_name(name), ()))
        dated = [c for c in codes if self.factors[c][0].published is not None]
        if len(dated) > 1 and len(dated) == len(codes):
            day = on or dt.date.today()
            eligible = [c for c in dated if self.factors[c][0].published <= day]  # type: ignore[operator]
            if not eligible:
                return []
            newest = max(self.factors[c][0].published for c in eligible)  # type: ignore[type-var]
            return [c for c in eligible if self.factors[c][0].published == newest]
        return codes

    def own_year(self, name: str, year: int, on: dt.date | None = None) -> str | None:
        """The dated default a name takes for a history year's own data year (issue 25): among those
        published on or before `on` (this report's date), the latest data year not after `year` (never a
        newer year's grid), the latest published of that data year; None when there is none."""
        codes = [c for c in self._names.get(_fold_name(name), ()) if self.factors[c][0].data_year is not None
                 and (on is None or (self.factors[c][0].published or dt.date.min) <= on)]
        eligible = [c for c in codes if (self.factors[c][0].data_year or 0) <= year]
        if not eligible:
            return None
        newest = max(self.factors[c][0].data_year or 0 for c in eligible)
        same = [c for c in eligible if self.factors[c][0].data_year == newest]
        return max(same, key=lambda c: (self.factors[c][0].published or dt.date.min, c))

    def gwp_value(self, gwp_set: str, gas: str) -> float | None:
        """GWP100 of a gas; a blend is the mass-weighted sum of its components (None if one is missing)."""
        table = self.gwp.get(gwp_set, {})
        g = normalize_gas(gas)
        if g in table:
            return table[g]
        if g in ("CO2e", BIOGENIC_CO2):
            return 1.0
        if g in self.blends:
            total = 0.0
            for comp, frac in self.blends[g].items():
                if comp not in table:
                    return None
                total += frac * table[comp]
            return total
        return None


def _fold_name(name: str) -> str:
    return "".join(str(name).split()).casefold()


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _rows(name: str) -> list[dict[str, str]]:
    with _HERE.joinpath(name).open(encoding="utf-8") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def factor_from_row(row: dict[str, str], value: float | None = None) -> Factor:
    fu = units.parse_factor_unit(row["unit"])
    return Factor(
        code=row["code"],
        name=row["name_zh"],
        name_en=row.get("name_en", ""),
        gas=normalize_gas(row["gas"]),
        value=float(row["value"]) if value is None else value,
        unit=row["unit"],
        mass_unit=fu.mass_unit,
        per_unit=fu.per_unit,
        source=" ".join(x for x in (row["source"], row.get("section", "")) if x),
        published=_date(row.get("published", "")),
        data_year=int(row["data_year"]) if row.get("data_year") else None,
        region=row.get("region", ""),
        density_t_per_m3=float(row["density_t_per_m3"]) if row.get("density_t_per_m3") else None,
        note=row.get("note", ""),
        category=row.get("category", ""),
        declares=frozenset(filter(None, row.get("declares", "").split("|"))),
        date_basis=row.get("date_basis", ""),
        unverified=row.get("unverified", ""),
    )


def with_classification(f: Factor) -> Factor:
    """A library factor with the scope and ISO 14064-1 category of its kind (scopes.csv)."""
    from carbon_report.core.factors.scopes import of_kind

    c = of_kind(f.category)
    if c is None:
        return f
    return replace(f, scope=c.scope, iso_category=c.iso_category, scope3_category=c.scope3_category,
                   kind=f.category, scope_basis=c.basis)


def _library_rows() -> list[dict[str, str]]:
    rows = _rows("library.csv")
    from carbon_report.core.factors.fuels import fuel_factor_rows

    return rows + fuel_factor_rows(_rows("fuels.csv"), _rows("fuel_parameters.csv"))


@cache
def load_library() -> Library:
    meta = tomllib.loads(_HERE.joinpath("meta.toml").read_text(encoding="utf-8"))
    by_code: dict[str, list[Factor]] = defaultdict(list)
    names: dict[str, list[str]] = defaultdict(list)
    u_ef = {(r["code"], normalize_gas(r["gas"])): (float(r["uncertainty_pct"]), r["source"])
            for r in _rows("factor_uncertainty.csv")}
    for row in _library_rows():
        f = with_classification(factor_from_row(row))
        if (f.code, f.gas) in u_ef:
            f = replace(f, uncertainty_pct=u_ef[(f.code, f.gas)][0], uncertainty_source=u_ef[(f.code, f.gas)][1])
        by_code[f.code].append(f)
        for n in filter(None, row.get("match_names", "").split("|")):
            if f.code not in names[_fold_name(n)]:
                names[_fold_name(n)].append(f.code)
    gwp: dict[str, dict[str, float]] = defaultdict(dict)
    gwp_notes: dict[tuple[str, str], str] = {}
    for row in _rows("gwp.csv"):
        gwp[row["set"]][normalize_gas(row["gas"])] = float(row["value"])
        if row.get("note"):
            gwp_notes[(row["set"], normalize_gas(row["gas"]))] = row["note"]
    blends: dict[str, dict[str, float]] = defaultdict(dict)
    for row in _rows("blends.csv"):
        blends[normalize_gas(row["blend"])][normalize_gas(row["component"])] = float(row["mass_fraction"])
    return Library(
        version=str(meta["version"]),
        factors={k: tuple(v) for k, v in by_code.items()},
        gwp=dict(gwp),
        gwp_sources={r["set"]: r["source"] for r in _rows("gwp_sources.csv")},
        blends=dict(blends),
        _names={k: tuple(v) for k, v in names.items()},
        residual={r["average_code"]: r["residual_code"] for r in _rows("residual.csv")},
        gwp_notes=gwp_notes,
        uncertainty_tiers={r["tier"]: UncertaintyTier(r["tier"], float(r["uncertainty_pct"]), r["status"], r["source"],
                                                      r["note"]) for r in _rows("uncertainty_defaults.csv")},
        uncertainty_families=tuple(
            UncertaintyFamily(r["family"], tuple(filter(None, r["kinds"].split("|"))),
                              tuple(filter(None, r["gases"].split("|"))), float(r["uncertainty_pct"]), r["status"],
                              r["label_zh"], r["source"], r["read"], r["note"])
            for r in _rows("uncertainty_families.csv")),
    )
