"""A stage's 备注 as every output prints it: 排放汇总, the report and 汇总.xlsx (one function, so they cannot
drift)."""

from __future__ import annotations

from collections.abc import Sequence

from carbon_report.core.model import Activity

GAP_NOTE = "数据缺失"  # a data gap: a stage with no rows, or whose rows all say "no data" (core/gaps.py)
NO_ACTIVITY_NOTE = "无相关活动"  # client wording for a stage the company declared 不适用 (an exclusion)


def stage_note(acts: Sequence[Activity]) -> str:
    """A stage's 备注, in 排放汇总, the report and 汇总.xlsx alike. A stage with no rows at all is a data gap
    (nothing was reported for it), not the same as a stage whose sources were all declared 不适用 (outside
    the boundary, with a reason): 2.3.5 lists the first among the gaps and the second among the exclusions."""
    kinds = {a.amount_kind for a in acts}
    if not acts:
        return GAP_NOTE
    if kinds == {"not_applicable"}:
        return NO_ACTIVITY_NOTE
    if "value" not in kinds:
        return GAP_NOTE
    if "no_data" in kinds:
        return "部分" + GAP_NOTE
    return ""
