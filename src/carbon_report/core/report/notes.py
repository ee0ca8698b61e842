"""A stage's 备注 as every output prints it: 排放汇总, the report and 汇总.xlsx (one function, so they cannot
drift)."""

from __future__ import annotations

from collections.abc import Sequence

from carbon_report.core import contract
from carbon_report.core.model import Activity

GAP_NOTE = "数据缺失"  # the report's word for a stage whose rows all say "no data"
NO_ACTIVITY_NOTE = "无相关活动"  # client wording: the report is read by the client, not the clerk


def stage_note(acts: Sequence[Activity]) -> str:
    """A stage's 备注, in 排放汇总, the report and 汇总.xlsx alike."""
    kinds = {a.amount_kind for a in acts}
    if not acts:
        return NO_ACTIVITY_NOTE
    if kinds == {"not_applicable"}:
        return contract.NOT_APPLICABLE
    if "value" not in kinds:
        return GAP_NOTE
    if "no_data" in kinds:
        return "部分" + GAP_NOTE
    return ""
