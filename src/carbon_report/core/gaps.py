"""Every data gap and every exclusion of a workbook, each listed once (issue 26, item 2).

A data gap is something the report's numbers lack: a row typed "/" (no activity data, counted as 0), blank
months of a row given by month (W-MONTH-GAP promises they are listed as gaps), an evidence file that was
named but not found (W-EVIDENCE-MISSING), and a stage with no rows at all. An exclusion is a source the
company marked 不适用, with its reason. The report's 2.3.5 lists both, 2.4 counts them, and the computed
workbook uses the same wording.

Pure: an Intake in, plain frozen records out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from carbon_report.core.model import Intake, Stage

__all__ = ["DataGap", "Exclusion", "GapKind", "Gaps", "find_gaps"]

GapKind = Literal["no_data", "months", "evidence", "stage"]

# what each kind of gap is called where it is counted (2.4, the computed sheets)
KIND_ZH: dict[str, str] = {
    "no_data": "缺少活动数据",
    "months": "缺少月份数据",
    "evidence": "证明材料缺失",
    "stage": "阶段无活动数据",
}


@dataclass(frozen=True)
class DataGap:
    kind: GapKind
    stage: Stage
    name: str  # the activity as typed; "" for a stage without rows
    unit: str
    detail: str  # what is missing and how it was counted, in the client's words
    row: int | None  # the 活动数据 row, None for a stage


@dataclass(frozen=True)
class Exclusion:
    stage: Stage
    name: str
    reason: str  # the note typed beside 不适用; "" when none
    row: int


@dataclass(frozen=True)
class Gaps:
    gaps: tuple[DataGap, ...]
    exclusions: tuple[Exclusion, ...]

    def count(self, kind: GapKind) -> int:
        return sum(1 for g in self.gaps if g.kind == kind)

    def summary(self) -> str:
        """"数据缺口 4 项（缺少活动数据 1 项、缺少月份数据 1 项…）；排除的排放源 1 项" — the line 2.4 prints."""
        parts = []
        if self.gaps:
            kinds = "、".join(f"{KIND_ZH[k]} {self.count(k)} 项" for k in KIND_ZH if self.count(k))
            parts.append(f"数据缺口 {len(self.gaps)} 项（{kinds}）")
        else:
            parts.append("无数据缺口")
        if self.exclusions:
            parts.append(f"排除的排放源 {len(self.exclusions)} 项（经企业确认不适用，已说明原因）")
        else:
            parts.append("无排除的排放源")
        return "；".join(parts)


def _months(months: tuple[int, ...]) -> str:
    return "、".join(f"{m} 月" for m in months)


def find_gaps(intake: Intake) -> Gaps:
    gaps: list[DataGap] = []
    exclusions: list[Exclusion] = []
    for a in intake.activities:
        name = a.name.strip()
        if a.amount_kind == "not_applicable":
            exclusions.append(Exclusion(a.stage, name, a.note.strip(), a.row))
            continue
        if a.amount_kind == "no_data":
            note = a.note.strip()
            detail = "未提供活动数据，按 0 计入，报告中以“/”表示" + (f"（{note}）" if note else "")
            gaps.append(DataGap("no_data", a.stage, name, a.unit, detail, a.row))
        elif a.month_gaps:
            gaps.append(DataGap("months", a.stage, name, a.unit,
                                f"{_months(a.month_gaps)}未填写，按 0 计入全年活动数据", a.row))
        if a.evidence is not None and a.evidence.sha256 is None:
            gaps.append(DataGap("evidence", a.stage, name, a.unit,
                                "所列证明材料未找到，该项活动数据未经凭证核对", a.row))
    staged = {a.stage for a in intake.activities}
    for stage in Stage:
        if stage not in staged:
            gaps.append(DataGap("stage", stage, "", "", "未填报该阶段的活动，报告中以“/”表示", None))
    order = list(Stage)
    gaps.sort(key=lambda g: (order.index(g.stage), g.row or 0))
    return Gaps(tuple(gaps), tuple(exclusions))
