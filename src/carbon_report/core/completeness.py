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


# 企业信息's paragraphs and short texts the report prints under their own heading, with a placeholder while
# blank; 评价结论 has its own code (W-CONCLUSION-BLANK), the cover fields above theirs.
TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("org_boundary", "1.4 核算边界"),
    ("profile", "2.1.1 企业简介"),
    ("main_products", "2.1.2 主要产品及工艺流程"),
    ("env_upgrade", "2.1.2.1 企业绿色环保改造升级情况"),
    ("systems", "2.1.2.2 企业制度及体系建设情况"),
    ("low_carbon", "2.1.3 企业绿色低碳建设情况"),
    ("digital", "2.1.4 企业数智化建设情况"),
    ("organisation", "3.2.1 机构设置"),
    ("duties", "3.2.2 主要职责"),
    ("disclosure_method", "5.1 披露方式"),
    ("disclosure_time", "5.2 披露时间"),
    ("disclosure_body", "5.3 负责机构"),
    ("advice", "6.2 建议"),
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
    for key, where in TEXT_FIELDS:
        if not c.text(key).strip():
            out.append(Finding.of(Code.W_REPORT_PLACEHOLDER, _company_ref(intake, key), field=_label_text(key),
                                  place=where))
    if not intake.products:
        # A2: the first data row, where the consultant starts filling
        out.append(Finding.of(Code.W_PRODUCTS_EMPTY, CellRef(contract.PRODUCTS.name, "A2")))
    if not intake.measures:
        out.append(Finding.of(Code.W_MEASURES_EMPTY, CellRef(contract.MEASURES.name, "A2")))
    if sheet_names is not None:
        present = set(sheet_names)
        out = [f if f.sheet in present else replace(f, sheet="", cell="") for f in out]
    return out
