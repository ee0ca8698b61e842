"""The consultancy profile as data: its keys, the report-number pattern, and what it fills in a company.

A consultancy (技术服务机构) writes its name, address, signatories … once (`carbon-report profile set`);
every way in (CLI, Excel button, web page, batch workers) then fills a report field the workbook's 企业信息
left blank from it. Precedence: the workbook's value > the profile's > nothing (a highlighted placeholder).

Pure: plain values in and out. Reading and writing the profile's file is app/profile.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from carbon_report.core.model import Intake


@dataclass(frozen=True)
class ProfileKey:
    key: str  # the name `profile set` takes (scripts rely on it: never renamed)
    label: str  # what a consultant reads
    company_key: str = ""  # the 企业信息 label (contract.LABELS key) it fills when blank; "" none
    kind: str = "text"  # text | list | pattern | file | folder


PROFILE_KEYS: tuple[ProfileKey, ...] = (
    ProfileKey("firm_name", "技术服务机构名称（编制单位）", "agency_name"),
    ProfileKey("firm_address", "技术服务机构地址", "agency_address"),
    ProfileKey("website", "查询网址", "website"),
    ProfileKey("phone", "联系方式", "phone"),
    ProfileKey("logo", "机构标志（PNG/JPEG）", kind="file"),
    ProfileKey("report_number_pattern", "报告编号格式", kind="pattern"),
    ProfileKey("leader", "组长", "team_leader"),
    ProfileKey("members", "组员", "team_members", kind="list"),
    ProfileKey("reviewer", "技术复核人", "reviewer"),
    ProfileKey("approver", "批准人", "approver"),
    ProfileKey("template", "报告模板（.docx）", kind="file"),
    ProfileKey("out_dir", "默认输出文件夹", kind="folder"),
)
KEYS = {k.key: k for k in PROFILE_KEYS}


@dataclass(frozen=True)
class Profile:
    """The stored settings. `logo` and `template` are file names inside the profile folder ("" none)."""

    firm_name: str = ""
    firm_address: str = ""
    website: str = ""
    phone: str = ""
    logo: str = ""
    report_number_pattern: str = ""
    leader: str = ""
    members: tuple[str, ...] = ()
    reviewer: str = ""
    approver: str = ""
    template: str = ""
    out_dir: str = ""

    def value(self, key: str) -> str:
        """The value as `profile show` prints it (members joined with 、)."""
        v = getattr(self, key)
        return "、".join(v) if isinstance(v, tuple) else v

    def is_empty(self) -> bool:
        return self == Profile()


@dataclass(frozen=True)
class ProfileRun:
    """What one run takes from the profile, as plain data (pickled to batch and Dask workers): the text
    fields, the logo's bytes (a worker may be on another machine), and the report numbers the parent
    process gave out, by (统一社会信用代码, 核算年度)."""

    profile: Profile = Profile()
    logo: bytes | None = None
    logo_name: str = ""
    report_numbers: tuple[tuple[str, int, str], ...] = ()

    def report_number(self, uscc: str, year: int) -> str:
        return next((n for u, y, n in self.report_numbers if u == uscc and y == year), "")


class PatternError(ValueError):
    """A report-number pattern this module cannot format; the message is Chinese, for the user."""


_MEMBER_SPLIT = re.compile(r"[、,，;；\n]+")


def parse_members(text: str) -> tuple[str, ...]:
    """`members` as typed: names separated by 、 or commas (also ；), blanks dropped."""
    return tuple(p.strip() for p in _MEMBER_SPLIT.split(text) if p.strip())


def check_pattern(pattern: str) -> None:
    """A pattern may use {date:<strftime>} and {seq:<integer format>} and nothing else: no attribute or
    index access (a format string is code otherwise), no other fields. Raises PatternError."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as e:
        raise PatternError(f"报告编号格式“{pattern}”的花括号不成对（{e}）；字面花括号请写成 {{{{ 或 }}}}") from None
    for _, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if field_name not in ("date", "seq") or conversion:
            raise PatternError(f"报告编号格式“{pattern}”中的 {{{field_name}}} 不可用：只能用 {{date:%Y%m%d}} 这样的日期"
                               "和 {seq:04d} 这样的序号")
        if field_name == "seq" and not re.fullmatch(r"0?\d{0,2}d?", spec or ""):
            raise PatternError(f"报告编号格式“{pattern}”中的序号格式 {{seq:{spec}}} 不可用，应如 {{seq:04d}}")
        if "{" in (spec or ""):
            raise PatternError(f"报告编号格式“{pattern}”中不能嵌套花括号")


def format_report_number(pattern: str, date: dt.date, seq: int) -> str:
    """WD-HC-{date:%Y%m%d}{seq:04d} with 2024-07-20 and 223 → WD-HC-202407200223."""
    check_pattern(pattern)
    out: list[str] = []
    for literal, field_name, spec, _ in string.Formatter().parse(pattern):
        out.append(literal)
        if field_name == "date":
            out.append(date.strftime(spec or "%Y%m%d"))
        elif field_name == "seq":
            out.append(format(seq, spec or "d"))
    return "".join(out)


def profile_texts(run: ProfileRun, uscc: str, year: int) -> dict[str, str]:
    """企业信息 label key → the profile's value for it, for one company and year (report number included)."""
    p = run.profile
    out = {k.company_key: p.value(k.key) for k in PROFILE_KEYS if k.company_key and p.value(k.key).strip()}
    number = run.report_number(uscc, year)
    if number:
        out["report_no"] = number
    return out


def apply_profile(intake: Intake, run: ProfileRun | None) -> Intake:
    """The intake with each blank company field the profile has filled from it (the workbook's value wins).
    Company.from_profile names the keys filled, so a run can say so."""
    if run is None:
        return intake
    c = intake.company
    fill = {k: v for k, v in profile_texts(run, c.uscc, c.year).items() if not c.text(k).strip()}
    if not fill:
        return intake
    texts: Mapping[str, str] = {**c.texts, **fill}
    company = dataclasses.replace(c, texts=dict(texts), from_profile=tuple(sorted(fill)))
    return dataclasses.replace(intake, company=company)
