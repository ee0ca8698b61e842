"""Text as the report shows it, as data: runs with a highlight (a placeholder the consultant must fill) or
bold, and whether chemical formulas get subscripts (CO₂, CH₄, N₂O). The report layer turns a Text into
WordprocessingML runs (outputs/report/rich.py); here it is only strings and flags, so a template that is
handed a Text can read it and nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass

_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: object) -> str:
    """Text safe for XML 1.0 (control characters from a spreadsheet cell would corrupt the document)."""
    return _INVALID_XML.sub("", "" if text is None else str(text))


@dataclass(frozen=True)
class Run:
    text: str
    highlight: bool = False
    bold: bool = False
    formulas: bool = True  # CO2, CH4 … get their digits as subscripts
    sub: bool = False  # the whole run as a subscript (the index of U_A, E_i in a formula)


@dataclass(frozen=True)
class Text:
    """A sequence of runs (what a `{{r … }}` tag inserts); falsy when empty."""

    runs: tuple[Run, ...] = ()

    @property
    def plain(self) -> str:
        return "".join(r.text for r in self.runs)

    def __bool__(self) -> bool:
        return any(r.text for r in self.runs)

    def __add__(self, other: Text) -> Text:
        return Text(self.runs + other.runs)

    def __str__(self) -> str:
        return self.plain


def text_of(value: object = "", *, highlight: bool = False, bold: bool = False, formulas: bool = True) -> Text:
    """One run of cleaned text (no run at all for empty text)."""
    s = clean(value)
    return Text((Run(s, highlight, bold, formulas),) if s else ())


def sub(value: str) -> Text:
    """A subscript: the index of a variable written in a sentence (U with A below it, not "U_A")."""
    return Text((Run(clean(value), formulas=False, sub=True),)) if value else Text()


def placeholder(value: str) -> Text:
    """A yellow-highlighted 【…】 placeholder."""
    return text_of(value, highlight=True, formulas=False)
