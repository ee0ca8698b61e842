"""`carbon-report factors [TEXT] [--json]`: search the built-in library and show it as a table or as JSON.

search() keeps every gas row of a code that matches, so a fuel shows its CO2, CH4 and N2O together.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from carbon_report.core.factors import Library
from carbon_report.core.model import Factor

_WIDE = 120  # console columns from which the source and date columns are shown
_GAS_ORDER = {"CO2": 0, "CO2e": 1, "CH4": 2, "CH4-fossil": 2, "CH4-non-fossil": 2, "N2O": 3}


def _haystack(f: Factor) -> str:
    # Fields stay apart (and words within them), so "CO2e" does not match "CO2 emission".
    return " | ".join((f.code, f.name, f.name_en, f.gas, f.unit, f.source, f.region, f.note)).casefold()


def search(library: Library, text: str | None) -> list[Factor]:
    """Factors whose code, names, gas, unit, source, region or note contain every word of `text`
    (case ignored); all factors when `text` is blank. Ordered by code, then gas."""
    words = [w.casefold() for w in (text or "").split()]
    found: list[Factor] = []
    for code in library.codes():
        rows = library.factors[code]
        hay = " ".join(_haystack(f) for f in rows)
        if all(w in hay for w in words):
            found.extend(sorted(rows, key=lambda f: (_GAS_ORDER.get(f.gas, 9), f.gas)))
    return found


def _value(v: float) -> str:
    return f"{v:.6g}"


def render_table(factors: list[Factor], console: Console | None = None) -> None:
    """Print the factors as a table on stdout (or on `console`)."""
    console = console or Console()
    if not factors:
        console.print("没有找到匹配的排放因子。")
        return
    # A narrow console keeps what identifies a factor; sources and dates need room (and are in --json).
    wide = console.width >= _WIDE
    table = Table(title=f"排放因子（{len(factors)} 条）")

    def width(texts: list[str]) -> int:
        return max(map(len, texts))

    table.add_column("编码", no_wrap=True, min_width=width([f.code for f in factors]))
    table.add_column("名称", min_width=8, overflow="fold")
    table.add_column("气体", no_wrap=True, min_width=width([f.gas for f in factors]))
    table.add_column("因子值", justify="right", no_wrap=True, min_width=width([_value(f.value) for f in factors]))
    table.add_column("单位", no_wrap=True, min_width=width([f.unit for f in factors]))
    if wide:
        table.add_column("来源", no_wrap=True, overflow="ellipsis", max_width=30)
        table.add_column("发布日期 / 数据年份", no_wrap=True)
    for f in factors:
        cells = [f.code, f.name, f.gas, _value(f.value), f.unit]
        if wide:
            dated = " / ".join(x for x in (f.published.isoformat() if f.published else "",
                                           str(f.data_year) if f.data_year else "") if x)
            cells += [f.source, dated]
        table.add_row(*cells)
    console.print(table)


def as_json(factors: list[Factor]) -> list[dict]:
    """Plain dicts for `--json`: every field a user needs to cite the factor, values unrounded."""
    return [
        {
            "code": f.code,
            "name": f.name,
            "name_en": f.name_en,
            "gas": f.gas,
            "value": f.value,
            "unit": f.unit,
            "source": f.source,
            "published": f.published.isoformat() if f.published else None,
            "data_year": f.data_year,
            "region": f.region,
            "density_t_per_m3": f.density_t_per_m3,
            "note": f.note,
        }
        for f in factors
    ]
