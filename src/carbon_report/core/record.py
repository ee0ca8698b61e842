"""One workbook's result as plain, frozen data: what a batch hands on to 汇总.xlsx, to `--json` and to a program.

A `FileRecord` is made where the workbook was processed (a batch worker, a Dask worker, an API call) from the
contract's JSON object of that file (`Outcome.to_json()`, shared/intake-contract.md) and travels as that:
picklable, small (no intake, no lines), the same on every machine. Its typed fields are read from that JSON
object and nothing else, so the two can never disagree:

    record = FileRecord.from_json(outcome.to_json(), lines=..., summary_line=...)
    record.status, record.company.uscc, record.total_tco2e, record.stage(Stage.PRODUCTION).tco2e ...
    record.to_json()                  -> the contract's JSON object again (a fresh dict)
    record.with_finding(finding)      -> a new record with one more finding (its JSON "issues" too)
    record.with_outputs(report=...)   -> a new record whose outputs are elsewhere (its JSON "outputs" too)

    {"input": str, "status": "ok" | "invalid" | "unreadable" | "failed", "company": {...} | null,
     "stages": {...} | null, "total_tco2e": float | null, "issues": [...], "outputs": {...}, ...}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from carbon_report.core.model import SCOPE_KEYS, Finding, Stage

Status = Literal["ok", "invalid", "unreadable", "failed"]
OUTPUT_KINDS = ("workbook", "report", "pdf")


@dataclass(frozen=True)
class CompanyId:
    """Who and which year: 企业名称, 统一社会信用代码, 核算年度 as the workbook gives them."""

    name: str | None
    uscc: str | None
    year: int | None


@dataclass(frozen=True)
class StageFigure:
    """One life-cycle stage: tCO2e unrounded (None: no number), its share and note as 排放汇总 prints them."""

    stage: Stage
    tco2e: float | None
    share_text: str | None  # "12.34%", or "/" where the stage has no number
    note: str | None  # why a stage has no number (无活动数据, 数据缺失, 不适用), else None


@dataclass(frozen=True)
class IntensityFigure:
    product: str
    unit: str
    tco2e_per_unit: float


@dataclass(frozen=True)
class YearFigure:
    """An earlier year of the company, as reported and recalculated with this year's factors."""

    year: int
    source: str
    total_tco2e: float | None
    recalculated_tco2e: float | None


@dataclass(frozen=True)
class SiteFigure:
    site: str
    tco2e: float


@dataclass(frozen=True)
class ProductFigure:
    """One product's carbon footprint (JSON products[], issue 28), with the paths of its report and PACT file."""

    name: str
    declared_unit: str
    output: float
    boundary: str  # "cradle_to_gate" | "cradle_to_grave"
    allocation: str  # "mass" | "economic" | "share" | "none"
    allocation_share: float
    total_tco2e: float
    per_unit_kgco2e: float
    stages: tuple[tuple[str, float], ...]  # (life-cycle stage key, tCO2e) inside the system boundary
    biogenic_co2_t: float
    primary_data_share: float | None
    report: str | None = None  # its 产品碳足迹报告.docx, when written
    pact: str | None = None  # its .pact.json, when written


@dataclass(frozen=True)
class Outputs:
    """Paths of the files written for this workbook (None: not written)."""

    workbook: str | None = None
    report: str | None = None
    pdf: str | None = None


@dataclass(frozen=True)
class FileRecord:
    """One workbook of a batch, after it ran (see the module's docstring)."""

    input: str
    status: Status
    findings: tuple[Finding, ...]
    outputs: Outputs
    company: CompanyId | None = None
    total_tco2e: float | None = None
    stages: tuple[StageFigure, ...] = ()  # in Stage order; empty unless the file computed
    scopes: tuple[tuple[str, float | None], ...] = ()  # (SCOPE_KEYS key, tCO2e); empty unless computed
    intensities: tuple[IntensityFigure, ...] = ()
    sites: tuple[SiteFigure, ...] = ()
    uncertainty_total_pct: float | None = None
    history: tuple[YearFigure, ...] = ()  # earlier years, oldest first
    products: tuple[ProductFigure, ...] = ()  # product footprints (--pcf); empty unless computed
    lines: tuple[str, ...] = ()  # what the console shows for this file (findings, notices), one line each
    summary_line: str = ""  # the console's `[i/n]` line
    json_text: str = field(default="{}", repr=False)  # the contract's JSON object, verbatim

    @property
    def name(self) -> str:
        return self.input.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.is_error)

    @property
    def exit_code(self) -> int:
        """The contract's exit status of this file: 2 unreadable or failed, 1 errors, 0 otherwise."""
        if self.status in ("unreadable", "failed"):
            return 2
        return 1 if self.errors else 0

    def stage(self, stage: Stage) -> StageFigure | None:
        return next((s for s in self.stages if s.stage is stage), None)

    def scope(self, key: str) -> float | None:
        return dict(self.scopes).get(key)

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object of this file (a new dict each call)."""
        doc: dict[str, Any] = json.loads(self.json_text)
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], *, lines: tuple[str, ...] | list[str] = (),
                  summary_line: str = "") -> FileRecord:
        """The record of the contract's JSON object `doc` (Outcome.to_json())."""
        return cls(**_fields_of(doc), lines=tuple(lines), summary_line=summary_line)

    def with_finding(self, finding: Finding, line: str | None = None) -> FileRecord:
        """This record with one more finding (and its console line, when given). A subclass's own fields (a
        program's payload riding with the record) are kept."""
        doc = self.to_json()
        doc["issues"] = [*doc.get("issues", []), finding.as_dict()]
        more = (line,) if line is not None else ()
        return replace(self, **_fields_of(doc), lines=self.lines + more)

    def with_outputs(self, **paths: str | None) -> FileRecord:
        """This record with some of its output paths changed (workbook=, report=, pdf=)."""
        doc = self.to_json()
        outputs = doc.get("outputs") or {}
        doc["outputs"] = {**outputs, **{k: v for k, v in paths.items() if k in outputs or v is not None}}
        return replace(self, **_fields_of(doc))

    def with_lines(self, *more: str) -> FileRecord:
        return replace(self, lines=self.lines + more)


def _fields_of(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A FileRecord's typed fields, all read from the contract's JSON object `doc`, and `doc` itself as text."""
    c = doc.get("company") or None
    stages = doc.get("stages") or {}
    display = doc.get("display") or {}
    shares, notes = display.get("shares") or {}, display.get("stage_notes") or {}
    scopes = doc.get("scopes") or {}
    outputs = doc.get("outputs") or {}
    return {
        "input": str(doc.get("input", "")),
        "status": doc.get("status", "unreadable"),
        "findings": tuple(Finding.from_dict(i) for i in doc.get("issues") or ()),
        "outputs": Outputs(*(o if isinstance(o := outputs.get(k), str) else None for k in OUTPUT_KINDS)),
        "company": CompanyId(c.get("name"), c.get("uscc"), c.get("year")) if c else None,
        "total_tco2e": doc.get("total_tco2e"),
        "stages": tuple(StageFigure(s, stages.get(s.value), shares.get(s.value), notes.get(s.value))
                        for s in Stage) if doc.get("stages") else (),
        "scopes": tuple((k, scopes.get(k)) for k in SCOPE_KEYS) if doc.get("scopes") else (),
        "intensities": tuple(IntensityFigure(i["product"], i["unit"], i["tco2e_per_unit"])
                             for i in doc.get("intensity") or ()),
        "sites": tuple(SiteFigure(k, v) for k, v in (doc.get("sites") or {}).items()),
        "uncertainty_total_pct": (doc.get("uncertainty_pct") or {}).get("total"),
        "history": tuple(YearFigure(h["year"], h.get("source") or "", h.get("total_tco2e"),
                                    h.get("recalculated_tco2e")) for h in doc.get("history") or ()),
        "products": tuple(_product(p, outputs) for p in doc.get("products") or ()),
        "json_text": json.dumps(doc, ensure_ascii=False, allow_nan=False),
    }


def _product(p: Mapping[str, Any], outputs: Mapping[str, Any]) -> ProductFigure:
    name = str(p["name"])
    reports, pacts = outputs.get("pcf_reports") or {}, outputs.get("pact") or {}
    return ProductFigure(name, str(p["declared_unit"]), p["output"], p["boundary"], p["allocation"],
                         p["allocation_share"], p["total_tco2e"], p["per_unit_kgco2e"],
                         tuple((k, v) for k, v in (p.get("stages") or {}).items()), p.get("biogenic_co2_t") or 0.0,
                         p.get("primary_data_share"), reports.get(name), pacts.get(name))
