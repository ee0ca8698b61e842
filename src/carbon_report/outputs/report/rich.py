"""Runs of WordprocessingML for docxtpl's `{{r … }}` tags: chemical subscripts (CO₂, CH₄, N₂O) and the
yellow-highlighted placeholders a consultant must fill. A core Text (core/report/text.py) becomes a Rich
when the template prints it. Text is XML-escaped here; formatting not set here comes from the template's
paragraph style, so a consultant's font changes still apply."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from carbon_report.core.report.text import Text, clean

__all__ = ["Rich", "clean", "placeholder", "rich"]

# a formula on its own or inside a unit (tCO2e, kgCH4/t, gN2O/L): lowercase unit prefixes may precede it
_FORMULA = re.compile(r"(?<![A-Z0-9])(C2F6|CO2|CH4|N2O|SF6|NF3|CF4)(?![0-9])")
_DIGITS = re.compile(r"(\d+)")



class Rich:
    """A sequence of runs; str() and __html__() give their XML (what `{{r x }}` inserts)."""

    def __init__(self, text: str = "", *, highlight: bool = False, bold: bool = False, formulas: bool = True):
        self.xml = ""
        self.plain = ""
        if text:
            self.add(text, highlight=highlight, bold=bold, formulas=formulas)

    def _run(self, text: str, *, highlight: bool, bold: bool, sub: bool) -> None:
        # (no w:noBreakHyphen in R-410A: LibreOffice then breaks inside "410A"; the factor table's gas
        # column is wide enough for the name instead)
        if not text:
            return
        rpr = self._rpr(highlight, bold, sub)
        # a line break inside a Text ("CH4\n化石源" in a narrow column) is Word's w:br
        body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' if line else ""
                              for line in text.split("\n"))
        self.xml += f"<w:r>{rpr}{body}</w:r>"
        self.plain += text

    @staticmethod
    def _rpr(highlight: bool, bold: bool, sub: bool) -> str:
        props = ""
        if bold:
            props += "<w:b/><w:bCs/>"
        if highlight:
            props += '<w:highlight w:val="yellow"/>'
        if sub:
            props += '<w:vertAlign w:val="subscript"/>'
        return f"<w:rPr>{props}</w:rPr>" if props else ""

    def add(self, text: object, *, highlight: bool = False, bold: bool = False, formulas: bool = True,
            sub: bool = False) -> Rich:
        text = clean(text)
        if not formulas or sub:
            self._run(text, highlight=highlight, bold=bold, sub=sub)
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
        out.add(r.text, highlight=r.highlight, bold=r.bold, formulas=r.formulas, sub=r.sub)
    return out


def placeholder(text: str) -> Rich:
    """A yellow-highlighted 【…】 placeholder."""
    return Rich(text, highlight=True, formulas=False)
