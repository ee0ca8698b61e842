"""Judge what the reader found: turn a RawWorkbook into a typed Intake plus findings.

Every finding names the sheet and cell it concerns and carries a stable code (E-… error, W-… warning).
Pure: plain data in, plain data out. What a picture file is (found, missing, outside the workbook's folder …)
and what an evidence file's SHA-256 is are asked through callables, so this module never touches the disk itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from carbon_report.core import contract
from carbon_report.core.factors import Library
from carbon_report.core.findings import Code
from carbon_report.core.model import Finding, Intake
from carbon_report.core.raw import RawWorkbook
from carbon_report.core.validate.activities import read_activities
from carbon_report.core.validate.company import read_company
from carbon_report.core.validate.cross import check_history, check_measures
from carbon_report.core.validate.equipment import read_equipment
from carbon_report.core.validate.extras import EvidenceProbe
from carbon_report.core.validate.factors import read_factors
from carbon_report.core.validate.footprint import read_footprint_columns
from carbon_report.core.validate.history import read_history
from carbon_report.core.validate.measures import read_measures
from carbon_report.core.validate.pictures import PictureStatus, read_pictures
from carbon_report.core.validate.products import read_products
from carbon_report.core.validate.rows import Findings
from carbon_report.core.validate.scopes import check_classification
from carbon_report.core.validate.targets import read_targets

__all__ = ["validate"]


def validate(raw: RawWorkbook, library: Library, *, today: dt.date | None = None,
             picture_status: Callable[[str], PictureStatus] | None = None, factor_date: dt.date | None = None,
             gwp_set: str | None = None, covered_years: frozenset[int] = frozenset(),
             evidence: EvidenceProbe | None = None) -> tuple[Intake | None, list[Finding]]:
    """`factor_date` and `gwp_set` replace the workbook's own 报告日期 and GWP版本 (a history workbook
    recalculated with this run's); `covered_years` have a history workbook, so 历史排放 need not give them.
    `evidence` looks up the files 证明材料 names (inside the workbook's folder only)."""
    f = Findings()
    for x in raw.findings:
        f.add(x)
    today = today or dt.date.today()
    company = read_company(raw, f, today)
    if company is not None and gwp_set is not None:
        company = dataclasses.replace(company, gwp_version=gwp_set)
    gwp_set = company.gwp_version if company else contract.DEFAULT_GWP
    report_day = factor_date or (company.report_date if company else None) or today
    broken: set[str] = set()
    factors = read_factors(raw, library, f, gwp_set, broken)
    main_site = (company.text("address") if company else "") or contract.MAIN_SITE_DEFAULT
    activities, used = read_activities(raw, library, factors, f, gwp_set, report_day, broken, main_site=main_site,
                                       evidence=evidence)
    location = check_classification(activities, factors, library, report_day, raw, f)
    products = read_products(raw, f)
    base_year = company.base_year if company else None
    year = company.year if company else None
    history = read_history(raw, f)
    targets = read_targets(raw, f, company, products)
    measures = read_measures(raw, f)
    equipment = read_equipment(raw, f, activities)
    pictures = read_pictures(raw, f, picture_status)
    if company and targets and base_year is not None and base_year != year and base_year not in covered_years:
        check_history(company, targets, history, f)
    if base_year is not None:
        check_measures(measures, targets, base_year, f, raw.tables.get(contract.TARGETS.name))
    if company is None or any(x.is_error for x in f.items if x.code in (Code.E_SHEET_MISSING, Code.E_COLUMN_MISSING)
                              and x.sheet == contract.ACTIVITIES.name):
        return None, f.items
    intake = Intake(
        company=company,
        products=tuple(products),
        activities=tuple(activities),
        factors={code: factors[code] for code in sorted(used)},
        equipment=tuple(equipment),
        targets=tuple(targets),
        measures=tuple(measures),
        pictures=tuple(pictures),
        history=tuple(history),
        library_version=library.version,
        location_factors=location,
        factor_date=report_day,
    )
    intake = read_footprint_columns(raw, intake, f, evidence)
    return intake, f.items
