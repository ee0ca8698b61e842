"""What the report will lack, said before it is written: blank cover and sign-off fields, and empty tables the
report needs. Validation decides whether a workbook can be computed; these findings only tell the consultant
which highlighted placeholders the report will carry, one warning each, so nothing is missed in silence.

Pure: an Intake in, findings out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import CellRef, Finding, Intake

# (label key, what the report shows while it is blank); the label text comes from the contract
COVER_FIELDS: tuple[tuple[str, str], ...] = (
    ("report_date", "封面“日期”和签署栏日期"),
    ("report_no", "封面“报告编号”"),
    ("agency_name", "封面“编制单位”、信息表和报告结论中的技术服务机构"),
    ("team_leader", "签署栏“组长”"),
    ("reviewer", "签署栏“技术复核人”"),
    ("approver", "签署栏“批准人”"),
)


def _label_text(key: str) -> str:
    return next(lab.text for lab in contract.LABELS if lab.key == key)


def _company_ref(intake: Intake, key: str) -> CellRef:
    """The label's value cell; A1 of 企业信息 when the label row is missing altogether (as validation does)."""
    return intake.company.refs.get(key) or CellRef(contract.COMPANY_SHEET, "A1")


def completeness_findings(intake: Intake, *, sheet_names: Collection[str] | None = None) -> list[Finding]:
    """One warning per blank cover/sign-off field, for an empty 产品产量 and for an empty 减排技术.
    With `sheet_names` (the workbook's), a warning about a sheet the workbook lacks is said about the file:
    a finding never points at a sheet that is not there (a missing required sheet is validation's error)."""
    c = intake.company
    out: list[Finding] = []
    for key, where in COVER_FIELDS:
        blank = c.report_date is None if key == "report_date" else not c.text(key).strip()
        if blank:
            ref = _company_ref(intake, key)
            label = _label_text(key)
            out.append(Finding.of(Code.W_COVER_FIELD_BLANK, ref, field=label, place=where))
    if not intake.products:
        # A2: the first data row, where the consultant starts filling
        out.append(Finding.of(Code.W_PRODUCTS_EMPTY, CellRef(contract.PRODUCTS.name, "A2")))
    if not intake.measures:
        out.append(Finding.of(Code.W_MEASURES_EMPTY, CellRef(contract.MEASURES.name, "A2")))
    if sheet_names is not None:
        present = set(sheet_names)
        out = [f if f.sheet in present else replace(f, sheet="", cell="") for f in out]
    return out
