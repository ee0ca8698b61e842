"""Product carbon footprint outputs (issue 28): the 产品碳足迹 sheet (sheet.py), one report per product
(report.py) and one PACT ProductFootprint per product (pact.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from carbon_report.core.findings import Code
from carbon_report.core.model import Finding, Intake, Result


@dataclass
class FootprintFiles:
    """What --pcf wrote for one workbook: per product, its report and PACT file (None: not written)."""

    reports: dict[str, str] = field(default_factory=dict)
    pact: dict[str, str | None] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def clashing_names(products: list[str]) -> list[tuple[str, str]]:
    """Pairs of products whose file names would be the same once made safe (the second of each pair named)."""
    from carbon_report.outputs.pcf.report import safe_name

    seen: dict[str, str] = {}
    out = []
    for name in products:
        key = safe_name(name).casefold()
        if key in seen:
            out.append((name, seen[key]))
        else:
            seen[key] = name
    return out


def write_footprints(intake: Intake, result: Result, workbook: Path, out_dir: Path, *, force: bool,
                     library_version: str, created: dt.datetime | None = None) -> FootprintFiles:
    from carbon_report.core.pcf import pact_unavailable
    from carbon_report.outputs.pcf.pact import product_footprint
    from carbon_report.outputs.pcf.report import (
        pact_path,
        render_pcf_report,
        report_path,
        write_pact,
        write_pcf_report,
    )

    assert result.pcf is not None
    done = FootprintFiles()
    clashes = clashing_names([fp.name for fp in result.pcf.products])
    if clashes:
        for name, other in clashes:
            p = next(x for x in intake.products if x.name == name)
            cell = p.refs.get("output")
            done.findings.append(Finding.of(Code.E_PCF_FILE_CLASH, cell, name=name, other=other))
        return done
    created = created or dt.datetime.now(dt.UTC)
    for fp in result.pcf.products:
        data = render_pcf_report(intake, result, result.pcf, fp, library_version=library_version)
        target, notice = write_pcf_report(report_path(workbook, out_dir, fp.name), data, force=force)
        done.reports[fp.name] = str(target)
        if notice:
            done.notices.append(notice)
        if pact_unavailable(intake, fp)[0]:  # W-PCF-PACT says why (core/pcf: pact_findings, in check too)
            done.pact[fp.name] = None
            continue
        doc = product_footprint(intake, result.pcf, fp, library_version=library_version, created=created)
        target, notice = write_pact(pact_path(workbook, out_dir, fp.name), doc, force=force)
        done.pact[fp.name] = str(target)
        if notice:
            done.notices.append(notice)
    return done
