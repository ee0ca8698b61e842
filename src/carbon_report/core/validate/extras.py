"""活动数据's optional columns after v1 (issue 16): 1月 … 12月, 场所, 证明材料, 数据质量, 不确定度(%).

Every column is optional and additive: a row without them reads exactly as in v1. Whether an evidence file
exists, and its SHA-256, is asked through a callable (io/evidence.py answers), so this module stays pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from carbon_report.core import contract
from carbon_report.core.factors import Library
from carbon_report.core.findings import Code
from carbon_report.core.model import PATH_PROBLEM_TEXT, CellRef, Evidence, EvidenceFile
from carbon_report.core.raw import RawRow, RawTable
from carbon_report.core.rounding import plain_number
from carbon_report.core.validate.rows import Findings, blank_value, ref
from carbon_report.core.values import fold_text, out_of_range, parse_number, parse_percent, text_of

EvidenceProbe = Callable[[str], EvidenceFile]
MONTHLY_TOLERANCE = 0.005  # the 0.5 %: an annual figure further than this from its months is an error


@dataclass(frozen=True)
class Months:
    values: tuple[float, ...]  # twelve, a blank month counted 0
    gaps: tuple[int, ...]  # the months (1-12) left blank or marked "no data"
    total: float


def read_months(row: RawRow, table: RawTable, label: str, unit: str, f: Findings) -> tuple[Months | None, bool]:
    """The row's months, or None when none is filled; False when a month cell is wrong (an error on it)."""
    if not any(k in table.columns for k in contract.MONTH_KEYS):
        return None, True
    values: list[float] = []
    gaps: list[int] = []
    ok, filled = True, False
    for i, key in enumerate(contract.MONTH_KEYS, start=1):
        v = row.value(key)
        p = parse_number(v)
        if p.kind in ("number", "with_unit") and out_of_range(p.value):
            # On the month's own cell: summed, 1e20 would be blamed on the annual figure, 1e28 break rounding.
            f.error(ref(row, table, key), Code.E_AMOUNT_OUT_OF_RANGE, name=label, column=f"{i}月的数量",
                    value=text_of(v))
            values.append(0.0)
            ok = False
            filled = True
        elif p.kind == "number":
            if p.value < 0:
                f.error(ref(row, table, key), Code.E_AMOUNT_NEGATIVE, name=label, column=f"{i}月的数量",
                        value=f"{p.value:g}")
                ok = False
            values.append(p.value)
            filled = True
        elif p.kind == "with_unit" and unit and _same_unit(unit, p.unit):
            f.warn(ref(row, table, key), Code.W_AMOUNT_WITH_UNIT, name=label, column=f"{i}月的数量", value=p.text,
                   number=f"{p.value:g}", unit=p.unit)
            values.append(p.value)
            filled = True
        elif p.kind in ("blank", "no_data"):
            values.append(0.0)
            gaps.append(i)
        else:
            f.error(ref(row, table, key), Code.E_AMOUNT_NOT_NUMBER, name=label, column=f"{i}月的数量", value=text_of(v))
            values.append(0.0)
            ok = False
            filled = True
    if not filled:
        return None, ok
    months = Months(tuple(values), tuple(gaps), sum(values))
    if ok and gaps:
        first = ref(row, table, contract.MONTH_KEYS[gaps[0] - 1])
        names = "、".join(f"{m}月" for m in gaps)
        f.warn(first, Code.W_MONTH_GAP, name=label, months=names)
    return months, ok


def check_annual(months: Months, annual: float, label: str, cell: CellRef, f: Findings) -> bool:
    """An annual figure typed beside its months must agree within 0.5 % (of the annual figure)."""
    diff = abs(annual - months.total)
    if diff <= MONTHLY_TOLERANCE * abs(annual):
        return True
    pct = "—" if annual == 0 else plain_number(diff / abs(annual) * 100, 2)
    f.error(cell, Code.E_MONTHLY_MISMATCH, name=label, amount=plain_number(annual, 12),
            sum=plain_number(months.total, 12), pct=pct)
    return False


def read_site(row: RawRow, main_site: str) -> str:
    return text_of(row.value("site")) or main_site


def read_evidence(row: RawRow, table: RawTable, label: str, probe: EvidenceProbe | None,
                  f: Findings) -> tuple[Evidence | None, bool]:
    text = text_of(row.value("evidence"))
    if not text:
        return None, True
    cell = ref(row, table, "evidence")
    found = probe(text) if probe is not None else EvidenceFile()
    if found.outside:
        f.error(cell, Code.E_EVIDENCE_OUTSIDE, name=label, file=text)
        return None, False
    if found.too_large:
        f.warn(cell, Code.W_EVIDENCE_TOO_LARGE, name=label, file=text, size=_mb(found.size or 0),
               limit=_mb(found.limit or 0))
    elif found.problem in ("directory", "special"):
        f.warn(cell, Code.W_EVIDENCE_NOT_REGULAR, name=label, file=text, why=PATH_PROBLEM_TEXT[found.problem])
    elif found.problem not in (None, "missing"):
        f.warn(cell, Code.W_EVIDENCE_UNREADABLE, name=label, file=text,
               why=PATH_PROBLEM_TEXT[found.problem or "unreadable"])
    elif found.sha256 is None:
        f.warn(cell, Code.W_EVIDENCE_MISSING, name=label, file=text)
    return Evidence(text, cell, found.sha256, found.size), True


def _mb(n: int) -> str:
    return plain_number(n / 1048576, 4)


def uses_quality_columns(table: RawTable) -> bool:
    """Whether any row fills 数据质量 or 不确定度. A v1 workbook (or the template's empty columns) fills
    neither: its uncertainty is not assessed, and no row gets a default or a warning."""
    return any(not blank_value(row.value(k)) for row in table.rows for k in ("quality", "uncertainty"))


def read_quality(row: RawRow, table: RawTable, label: str, library: Library, counted: bool, assessed: bool,
                 f: Findings) -> tuple[str, float | None, str, bool]:
    """(数据质量 tier, U_A in %, basis "given"/"default"/"", ok). `counted` is False for a row of no data or
    not applicable: it adds nothing, so it gets no default (and no warning). `assessed`: uses_quality_columns."""
    if not assessed:
        return "", None, "", True
    ok = True
    tier = _tier(text_of(row.value("quality")))
    raw_tier = text_of(row.value("quality"))
    if raw_tier and tier is None:
        f.error(ref(row, table, "quality"), Code.E_QUALITY_UNKNOWN, name=label, value=raw_tier)
        ok = False
    cell = row.cell("uncertainty")
    if cell is not None and not blank_value(cell.value):
        pp = parse_percent(cell.value, cell.number_format)
        if not pp.ok or pp.pct < 0:
            f.error(cell.ref, Code.E_UNCERTAINTY_INVALID, name=label, value=text_of(cell.value))
            return tier or "", None, "", False
        if pp.fraction_warning:
            f.warn(cell.ref, Code.W_PERCENT_FRACTION, label="不确定度", value=text_of(cell.value), pct=f"{pp.pct:g}",
                   pct100=f"{pp.pct * 100:g}")
        return tier or "", pp.pct, "given", ok
    if not ok or not counted:
        return tier or "", None, "", ok
    # Neither given: the most cautious tier (缺省), said in the warning, so a blank never looks precise.
    used = tier or "缺省"
    default = library.uncertainty_tiers[used]
    where = ref(row, table, "uncertainty" if "uncertainty" in table.columns else "quality")
    f.warn(where, Code.W_UNCERTAINTY_DEFAULT, name=label, tier=used, pct=f"{default.pct:g}")
    return tier or "", default.pct, "default", ok


def _tier(text: str) -> str | None:
    t = "".join(fold_text(text).split())
    for tier in contract.QUALITY_TIERS:
        if t in (tier, tier + "值", tier + "数据"):
            return tier
    return None


def _same_unit(a: str, b: str) -> bool:
    from carbon_report.core.validate.activities import same_unit

    return same_unit(a, b)


def read_recalc_only(row: RawRow, table: RawTable, f: Findings) -> tuple[bool, bool]:
    """仅用于重算 (issue 25): 是 / 否 / blank (否). (value, ok)."""
    cell = row.cell("recalc_only")
    if cell is None or blank_value(cell.value):
        return False, True
    t = fold_text(cell.value).upper()
    if t in (contract.YES, "Y", "YES", "√", "TRUE"):
        return True, True
    if t in (contract.NO, "N", "NO", "×", "FALSE"):
        return False, True
    f.error(cell.ref, Code.E_YESNO_INVALID, label="仅用于重算", value=text_of(cell.value))
    return False, False
