"""Regenerate the unit conversion table: python scripts/build_unit_table.py

The program converts with core/units/conversions.csv, not with pint at run time: building pint's registry
costs every process ~0.3 s (issue 19), for the same few hundred answers each time. pint stays the authority:
this script asks it every question the program can ask (each pair of accepted unit expressions of one
dimension, and each volume ↔ mass pair through a density of 1 t/m³), and tests/test_units_table.py fails
while the committed table differs from what pint answers.
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "src" / "carbon_report" / "core" / "units"
TABLE = UNITS / "conversions.csv"
HEADER = ("from", "to", "multiplier", "per_density")


def rows() -> list[tuple[str, str, str, str]]:
    import pint

    ureg = pint.UnitRegistry()
    ureg.load_definitions(str(UNITS / "definitions.txt"))
    with (UNITS / "aliases.csv").open(encoding="utf-8") as f:
        kinds = {r["expression"]: r["kind"] for r in csv.DictReader(f) if r["kind"] != "refused"}
    q = {e: ureg.parse_expression(e) for e in kinds}
    rho = ureg("tonne / meter ** 3")
    out = []
    for a in sorted(q):
        for b in sorted(q):
            if q[a].dimensionality == q[b].dimensionality:
                out.append((a, b, repr(float((q[a] / q[b]).to("dimensionless").magnitude)), ""))
            elif (kinds[a], kinds[b]) in {("volume", "mass"), ("mass", "volume")}:
                ratio = (q[a] * rho / q[b]) if kinds[a] == "volume" else (q[a] / rho / q[b])
                out.append((a, b, repr(float(ratio.to("dimensionless").magnitude)), "t/m3"))
    return out


def main() -> int:
    with TABLE.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows())
    print(TABLE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
