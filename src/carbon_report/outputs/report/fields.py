"""Caption numbers as Word fields, so a table or figure a consultant inserts in Word or WPS renumbers the rest.

`{{r seq_field('表', 2) }}` gives "2-11" as two fields with their numbers already computed (cached): the
chapter as STYLEREF 1 \\s (the number of the Heading 1 above, from the heading list) and the count as
SEQ 表2 \\* ARABIC \\s 1 (a sequence of
its own per chapter, also restarting at each Heading 1). `{{r seq_field('表', 'A', '.') }}` gives "A.1" with
a literal "A." and its own sequence (表A). The numbers are counted by the same Sequence as `seq()`, so
`ref()` and the plain `{{ seq() }}` of older templates agree with them. Office programs that do not update
fields show the cached numbers, which are the ones the plain text used to carry.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

__all__ = ["CaptionFields", "CaptionNumber"]


def _field(instruction: str, cached: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t xml:space="preserve">{escape(cached)}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


class CaptionNumber:
    """The runs of one caption number (what `{{r … }}` inserts); `plain` is the number as text."""

    def __init__(self, kind: str, chapter: str, sep: str, count: str):
        self.plain = f"{chapter}{sep}{count}"
        if chapter.isdigit() and not kind.startswith("附"):
            chapter_xml = _field("STYLEREF 1 \\s", chapter)
            # one sequence per chapter (表2, 表3): LibreOffice 7 ignores \s and would count on across chapters
            seq = _field(f"SEQ {kind}{chapter} \\* ARABIC \\s 1", count)
        else:  # A.1, 附表 2-1 (its "chapter" is 附件 2, an unnumbered heading): the prefix is text
            chapter_xml = f'<w:r><w:t xml:space="preserve">{escape(chapter)}</w:t></w:r>'
            seq = _field(f"SEQ {kind}{chapter} \\* ARABIC", count)
        self.xml = f'{chapter_xml}<w:r><w:t xml:space="preserve">{escape(sep)}</w:t></w:r>{seq}'

    def __str__(self) -> str:
        return self.xml

    def __html__(self) -> str:
        return self.xml

    def __repr__(self) -> str:
        return f"CaptionNumber({self.plain!r})"


class CaptionFields:
    """The template's `seq_field`: over a caption counter `seq(kind, chapter, sep, key) -> "2-11"`, the same
    number as fields. A callable object (the sandbox lets a template call it, as it lets it call `seq`)."""

    def __init__(self, seq: Callable[..., str]):
        self._seq = seq

    def __call__(self, kind: str, chapter: object, sep: str = "-", key: str | None = None) -> CaptionNumber:
        text = self._seq(kind, chapter, sep, key)
        chapter_s, sep_s = str(chapter), str(sep)
        count = text[len(chapter_s) + len(sep_s):]
        return CaptionNumber(str(kind), chapter_s, sep_s, count)
