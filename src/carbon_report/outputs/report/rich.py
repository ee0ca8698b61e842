"""Runs of WordprocessingML for docxtpl's `{{r … }}` tags: chemical subscripts (CO₂, CH₄, N₂O) and the
yellow-highlighted placeholders a consultant must fill. A core Text (core/report/text.py) becomes a Rich
when the template prints it. Text is XML-escaped here; formatting not set here comes from the template's
paragraph style, so a consultant's font changes still apply."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from carbon_report.core.report.text import Text, clean

__all__ = ["Rich", "clean", "placeholder", "rich"]

_FORMULA = re.compile(r"(?<![A-Za-z0-9])(CO2|CH4|N2O|SF6|NF3|CF4|C2F6|tCO2|kgCO2|gCO2)(?![0-9])")
_DIGITS = re.compile(r"(\d+)")


class Rich:
    """A sequence of runs; str() and __html__() give their XML (what `{{r x }}` inserts)."""

    def __init__(self, text: str = "", *, highlight: bool = False, bold: bool = False, formulas: bool = True):
        self.xml = ""
        self.plain = ""
        if text:
            self.add(text, highlight=highlight, bold=bold, formulas=formulas)

    def _run(self, text: str, *, highlight: bool, bold: bool, sub: bool) -> None:
        if not text:
            return
        props = ""
        if bold:
            props += "<w:b/><w:bCs/>"
        if highlight:
            props += '<w:highlight w:val="yellow"/>'
        if sub:
            props += '<w:vertAlign w:val="subscript"/>'
        rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
        self.xml += f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
        self.plain += text

    def add(self, text: object, *, highlight: bool = False, bold: bool = False, formulas: bool = True) -> Rich:
        text = clean(text)
        if not formulas:
            self._run(text, highlight=highlight, bold=bold, sub=False)
            return self
        pos = 0
        for m in _FORMULA.finditer(text):
            self._run(text[pos:m.start()], highlight=highlight, bold=bold, sub=False)
            for i, part in enumerate(_DIGITS.split(m.group(0))):
                self._run(part, highlight=highlight, bold=bold, sub=i % 2 == 1)
            pos = m.end()
        self._run(text[pos:], highlight=highlight, bold=bold, sub=False)
        return self

    def __str__(self) -> str:
        return self.xml

    def __html__(self) -> str:
        return self.xml

    def __bool__(self) -> bool:
        return bool(self.xml)

    def __repr__(self) -> str:
        return f"Rich({self.plain!r})"


def rich(value: Text) -> Rich:
    """The runs of a core Text."""
    out = Rich()
    for r in value.runs:
        out.add(r.text, highlight=r.highlight, bold=r.bold, formulas=r.formulas)
    return out


def placeholder(text: str) -> Rich:
    """A yellow-highlighted 【…】 placeholder."""
    return Rich(text, highlight=True, formulas=False)
