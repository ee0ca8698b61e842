"""OPC packages (the zip inside .xlsx, .xlsm, .xlam and .docx): the one place that opens, reads, rewrites and
writes a zip, and the one home of the OOXML namespaces and relationship types.

A package is read as the standard reads it (ECMA-376 Part 2, Open Packaging Conventions): the main part is
the target of the package's officeDocument relationship in `_rels/.rels`, not a fixed name, and two part
names that differ only in ASCII case are one name ("Part name equivalence is determined by comparing part
names as case-insensitive ASCII strings. Packages shall not contain equivalent part names and package
implementers shall neither create nor recognize packages with equivalent part names", M1.12): such a
package is refused rather than guessed at, since one program reads the first copy and another the last.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree

from carbon_report.io.paths import open_regular

# ---- namespaces and types --------------------------------------------------------------------------------


class NS:
    """OOXML namespace URIs (Transitional), by the prefix Office writes for each."""

    MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"  # SpreadsheetML (x:)
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"  # WordprocessingML (w:)
    R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"  # r:id attributes
    PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"  # the .rels parts
    CT = "http://schemas.openxmlformats.org/package/2006/content-types"  # [Content_Types].xml
    A = "http://schemas.openxmlformats.org/drawingml/2006/main"
    C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
    WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
    CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
    VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    STRICT_PREFIX = "http://purl.oclc.org/ooxml/"  # every ISO/IEC 29500 Strict namespace starts so


_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


class RT:
    """Relationship types."""

    OFFICE_DOCUMENT = _RT + "officeDocument"
    WORKSHEET = _RT + "worksheet"
    CHARTSHEET = _RT + "chartsheet"
    STYLES = _RT + "styles"
    SHARED_STRINGS = _RT + "sharedStrings"
    CUSTOM_PROPERTIES = _RT + "custom-properties"
    CHART = _RT + "chart"
    DRAWING = _RT + "drawing"
    PACKAGE = _RT + "package"
    STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"


CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
WORKBOOK_PART = "xl/workbook.xml"  # where Excel writes the main part, and where openpyxl looks for its rels
_MAIN_CT = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(data: bytes) -> etree._Element:
    """A part's XML, with no entity, DTD or network access."""
    return etree.fromstring(data, PARSER)


def xml_bytes(el: etree._Element) -> bytes:
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---- names -----------------------------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")


def is_part_name(name: str) -> bool:
    """Whether a zip member's name can be a part (no traversal, no absolute path, no backslash)."""
    return bool(name) and not (name.startswith("/") or "\\" in name or _DRIVE.match(name)
                               or ".." in name.split("/"))


def equivalence_key(name: str) -> str:
    """A part name as OPC compares it: ASCII letters folded, nothing else (M1.12)."""
    return name.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def rels_part(part: str) -> str:
    """The relationships part of `part` (xl/workbook.xml → xl/_rels/workbook.xml.rels; "" → _rels/.rels)."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def resolve(base_part: str, target: str) -> str:
    """A relationship's Target, relative to the part that holds it, as a part name."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))
    return "" if joined.startswith("../") or joined == ".." else joined


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str  # as written
    external: bool  # TargetMode="External": a URL or a path outside the package
    part: str  # the part it names inside the package ("" when external)


# ---- reading ---------------------------------------------------------------------------------------------


class Package:
    """A package held in memory (the bytes are read once, from an open regular file or given)."""

    def __init__(self, data: bytes) -> None:
        """Raises zipfile.BadZipFile (or ValueError, EOFError) when `data` is no readable zip."""
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.infos = self.zip.infolist()
        self._names = {i.filename for i in self.infos}

    @classmethod
    def read(cls, path: Path, *, max_bytes: int, follow_links: bool = True) -> Package:
        """The package at `path`, opened only if it is a regular file (io/paths.open_regular) and read only
        if it is at most `max_bytes` (else ValueError, as for any unreadable zip)."""
        with open_regular(Path(path), follow_links=follow_links) as opened:
            data = opened.file.read(max_bytes + 1) if opened.size <= max_bytes else b""
        if len(data) > max_bytes or not data:
            raise ValueError(f"{path}: not a package of at most {max_bytes} bytes")
        return cls(data)

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    # -- parts

    def has(self, name: str) -> bool:
        return name in self._names

    @property
    def names(self) -> list[str]:
        return [i.filename for i in self.infos]

    def part(self, name: str) -> bytes:
        """Raises KeyError when there is no such part."""
        return self.zip.read(name)

    def stream(self, name: str) -> IO[bytes]:
        return self.zip.open(name)

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.zip.read(name))

    def duplicates(self) -> list[tuple[str, str]]:
        """Pairs of member names that OPC holds to be one part name (the same, or differing in ASCII case)."""
        seen: dict[str, str] = {}
        out: list[tuple[str, str]] = []
        for info in self.infos:
            if info.filename.endswith("/"):  # a folder entry some zip tools write, not a part
                continue
            key = equivalence_key(info.filename)
            if key in seen:
                out.append((seen[key], info.filename))
            else:
                seen[key] = info.filename
        return out

    # -- relationships

    def relationships(self, part: str) -> list[Relationship]:
        """The relationships of `part` ("" for the package's own), [] when it has none."""
        name = PACKAGE_RELS if part == "" else rels_part(part)
        if name not in self._names:
            return []
        out = []
        for r in self.xml(name).iter(f"{{{NS.PKG_REL}}}Relationship"):
            target = r.get("Target", "")
            external = r.get("TargetMode") == "External"
            out.append(Relationship(r.get("Id", ""), r.get("Type", ""), target, external,
                                    "" if external else resolve(part, target)))
        return out

    def main_part(self, default: str = WORKBOOK_PART) -> str:
        """The officeDocument relationship's target in _rels/.rels; `default` when there is none."""
        for r in self.relationships(""):
            if r.type in (RT.OFFICE_DOCUMENT, RT.STRICT_OFFICE_DOCUMENT) and not r.external and r.part:
                return r.part
        return default

    def main_is_spreadsheet(self, part: str) -> bool:
        """Whether [Content_Types].xml declares `part` a workbook's main part (or, without an override, it is
        where Excel writes it)."""
        try:
            ct = self.xml(CONTENT_TYPES)
        except (KeyError, etree.XMLSyntaxError):
            return part == WORKBOOK_PART
        for o in ct.iter(f"{{{NS.CT}}}Override"):
            if equivalence_key(o.get("PartName", "").lstrip("/")) == equivalence_key(part):
                return o.get("ContentType", "") in _MAIN_CT
        return part == WORKBOOK_PART

    def declared_main_parts(self) -> list[str]:
        """The parts [Content_Types].xml declares a workbook's main part (one in a sound package)."""
        try:
            ct = self.xml(CONTENT_TYPES)
        except KeyError:
            return []
        return [o.get("PartName", "").lstrip("/") for o in ct.iter(f"{{{NS.CT}}}Override")
                if o.get("ContentType", "") in _MAIN_CT]

    # -- rewriting

    def rewrite(self, replace: Mapping[str, bytes | Callable[[], bytes]] | None = None, *,
                drop: Iterable[str] = (), add: Mapping[str, bytes] | None = None,
                stream_first: Mapping[str, Iterable[bytes]] | None = None,
                fixed_time: tuple[int, int, int, int, int, int] | None = None,
                file_mode: int | None = None) -> bytes:
        """A new package: every member in order, once (a name twice is written once, with the data zipfile
        reads for it); names that are no part names (../x, /x, C:x) left out, so no unzip tool writes
        outside its folder. `replace` gives new data (or a function called when the member is reached);
        `drop` leaves members out; `add` appends new parts; `stream_first` writes parts from chunks right
        after [Content_Types].xml (kept first, where file-type sniffers look). `fixed_time` (and
        `file_mode`) make every entry's date (and permissions) constant, so equal content gives equal bytes.
        Unchanged members keep their compression; new data is deflated."""
        replace = dict(replace or {})
        dropped = set(drop)
        out = io.BytesIO()
        written: set[str] = set()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            def put(info: zipfile.ZipInfo, name: str, data: bytes, keep: bool) -> None:
                if fixed_time is not None:
                    entry = zipfile.ZipInfo(name, date_time=fixed_time)
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    if file_mode is not None:
                        entry.external_attr = file_mode << 16
                    z.writestr(entry, data)
                else:
                    z.writestr(info, data, compress_type=info.compress_type if keep else zipfile.ZIP_DEFLATED)

            def member(info: zipfile.ZipInfo) -> None:
                name = info.filename
                written.add(name)
                if name in replace:
                    new = replace.pop(name)
                    put(info, name, new() if callable(new) else new, keep=False)
                else:
                    last = self.zip.getinfo(name)
                    put(last, name, self.zip.read(last), keep=True)

            members = [i for i in self.infos if i.filename not in dropped and is_part_name(i.filename)]
            if stream_first:
                if members and members[0].filename == CONTENT_TYPES:
                    member(self.zip.getinfo(CONTENT_TYPES))
                for name, chunks in stream_first.items():
                    with z.open(name, "w") as w:
                        for chunk in chunks:
                            w.write(chunk)
                    written.add(name)
            for info in members:
                if info.filename not in written:
                    member(info)
            for name, data in {**{k: v for k, v in replace.items() if k not in written},
                               **(add or {})}.items():
                if name in written:
                    continue
                data = data() if callable(data) else data
                if fixed_time is not None:
                    put(zipfile.ZipInfo(name), name, data, keep=False)
                else:
                    z.writestr(name, data)
                written.add(name)
        return out.getvalue()


@contextmanager
def opened(data: bytes) -> Iterator[Package]:
    """`with opened(bytes) as package:` for a package held in memory."""
    p = Package(data)
    try:
        yield p
    finally:
        p.zip.close()


def new_package(parts: Mapping[str, bytes]) -> bytes:
    """A package from parts, in the order given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


BAD_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError)  # what a damaged zip raises


# ---- a workbook's main part where openpyxl looks for it ------------------------------------------------


def with_standard_main_part(package: Package) -> Package:
    """The same workbook with its main part at xl/workbook.xml when _rels/.rels names another part
    (xl/main.xml, xl/myworkbook.xml): openpyxl, LibreOffice and the graft then read the workbook the package
    names. The package is returned unchanged when the main part is already there."""
    main = package.main_part()
    if main == WORKBOOK_PART or not package.has(main) or package.has(WORKBOOK_PART):
        return package
    old_rels, new_rels = rels_part(main), rels_part(WORKBOOK_PART)
    replace: dict[str, bytes] = {}
    pkg_rels = package.xml(PACKAGE_RELS)
    for r in pkg_rels.iter(f"{{{NS.PKG_REL}}}Relationship"):
        if r.get("TargetMode") != "External" and resolve("", r.get("Target", "")) == main:
            r.set("Target", WORKBOOK_PART)
    replace[PACKAGE_RELS] = xml_bytes(pkg_rels)
    if package.has(CONTENT_TYPES):
        ct = package.xml(CONTENT_TYPES)
        for o in ct.iter(f"{{{NS.CT}}}Override"):
            if o.get("PartName", "").lstrip("/") == main:
                o.set("PartName", "/" + WORKBOOK_PART)
        replace[CONTENT_TYPES] = xml_bytes(ct)
    add: dict[str, bytes] = {WORKBOOK_PART: package.part(main)}
    if package.has(old_rels):
        rels = package.xml(old_rels)
        if posixpath.dirname(main) != posixpath.dirname(WORKBOOK_PART):
            for r in rels.iter(f"{{{NS.PKG_REL}}}Relationship"):  # relative targets keep their parts
                if r.get("TargetMode") != "External":
                    r.set("Target", "/" + resolve(main, r.get("Target", "")))
        add[new_rels] = xml_bytes(rels)
    return Package(package.rewrite(replace, drop={main, old_rels}, add=add))


# ---- external relationships ------------------------------------------------------------------------------

# Elements that mean nothing without the external target they point at (Word requires their r:id): removed
# whole. Any other element loses only the attribute that names the removed relationship (a hyperlink keeps its
# text, a picture linked *and* embedded keeps the embedded copy).
_WHOLE_WHEN_EXTERNAL = frozenset({"attachedTemplate", "OLEObject", "subDoc", "dataSource", "headerSource",
                                  "sourceFileName", "recipientData", "src"})


def without_external_relationships(data: bytes) -> tuple[bytes, list[Relationship]]:
    """`data` (a package) without any relationship whose TargetMode is External, in any part's rels
    (document, headers, footers, settings.xml.rels …), and without the references to them in the parts'
    XML; the relationships removed, in package order. Linked pictures, an attachedTemplate, file:// and
    network hyperlinks, OLE links and mail-merge sources all are such relationships: a program opening the
    document may fetch them (LibreOffice fetched a linked picture while laying out the 目录; Word follows an
    attachedTemplate when the client opens the report). Unchanged bytes when there is none."""
    with opened(data) as package:
        removed: list[Relationship] = []
        replace: dict[str, bytes] = {}
        for name in package.names:
            if not name.endswith(".rels") or not is_part_name(name):
                continue
            source = _source_of(name)
            rels = package.xml(name)
            gone: set[str] = set()
            for r in list(rels.iter(f"{{{NS.PKG_REL}}}Relationship")):
                if r.get("TargetMode") == "External":
                    removed.append(Relationship(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""), True, ""))
                    gone.add(r.get("Id", ""))
                    r.getparent().remove(r)
            if not gone:
                continue
            replace[name] = xml_bytes(rels)
            if source and package.has(source) and source.endswith(".xml"):
                replace[source] = _without_references(package.part(source), gone)
        if not removed:
            return data, []
        return package.rewrite(replace), removed


# Field instructions that read another file or a URL when the field is updated (Word updates every field
# when the report asks it to, which it does when the 目录 could not be filled here; a client may press F9):
# their last result is kept as plain runs, the instruction goes. ECMA-376 Part 1, 17.16.5 (field definitions).
_FETCHING_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "IMPORT", "LINK", "DDE", "DDEAUTO",
                              "HYPERLINK"})


def without_external_fields(data: bytes) -> tuple[bytes, list[str]]:
    """`data` (a WordprocessingML package) without fields that fetch other files (simple and complex ones, in
    the body, headers, footers, notes and comments), keeping what each last showed; the instructions removed,
    in package order. Unchanged bytes when there is none."""
    with opened(data) as package:
        removed: list[str] = []
        replace: dict[str, bytes] = {}
        for name in package.names:
            if not (name.startswith("word/") and name.endswith(".xml") and is_part_name(name)):
                continue
            raw = package.part(name)
            if b"fldSimple" not in raw and b"instrText" not in raw:
                continue
            root = parse_xml(raw)
            found = _drop_fetching_fields(root)
            if found:
                removed += found
                replace[name] = xml_bytes(root)
        if not removed:
            return data, []
        return package.rewrite(replace), removed


@dataclass
class _Frame:
    code: list[etree._Element]  # the field's runs but its result: begin, instruction, separate, end
    instr: list[str] = field(default_factory=list)
    in_code: bool = True  # before its separate


def _fetching(instr: str) -> bool:
    words = instr.split()
    return bool(words) and words[0].upper() in _FETCHING_FIELDS


def _drop_fetching_fields(root: etree._Element) -> list[str]:
    w = f"{{{NS.W}}}"
    found: list[str] = []
    for simple in list(root.iter(f"{w}fldSimple")):
        instr = " ".join(simple.get(f"{w}instr", "").split())
        if _fetching(instr) and simple.getparent() is not None:
            parent, at = simple.getparent(), simple.getparent().index(simple)
            for k, child in enumerate(list(simple)):  # the field's last result stays, as ordinary runs
                parent.insert(at + k, child)
            parent.remove(simple)
            found.append(instr)
    # complex fields: begin, instruction runs, [separate, result runs,] end; nested fields inside an
    # instruction belong to it. A frame collects the runs of its instruction part and its end.
    frames: list[_Frame] = []
    doomed: list[etree._Element] = []
    for run in list(root.iter(f"{w}r")):
        char = run.find(f"{w}fldChar")
        kind = char.get(f"{w}fldCharType") if char is not None else None
        for frame in frames:
            if frame.in_code:
                frame.code.append(run)
        if kind == "begin":
            frames.append(_Frame([run]))
            continue
        if not frames:
            continue
        top = frames[-1]
        if top.in_code:
            top.instr += [t.text or "" for t in run.iter(f"{w}instrText")]
        if kind == "separate":
            top.in_code = False
        elif kind == "end":
            frames.pop()
            if not top.in_code:
                top.code.append(run)
            instr = " ".join("".join(top.instr).split())
            if _fetching(instr):
                found.append(instr)
                doomed += top.code
    for run in doomed:
        if run.getparent() is not None:
            run.getparent().remove(run)
    return found


def _source_of(rels_name: str) -> str:
    """word/_rels/document.xml.rels → word/document.xml; _rels/.rels → "" (the package itself)."""
    folder, _, file = rels_name.rpartition("/")
    parent = folder.rpartition("/")[0] if folder.endswith("_rels") else folder
    if folder == "_rels":
        parent = ""
    stem = file[: -len(".rels")]
    return f"{parent}/{stem}".lstrip("/") if stem else ""


def _without_references(xml: bytes, ids: set[str]) -> bytes:
    root = parse_xml(xml)
    r_attr = f"{{{NS.R}}}"
    changed = False
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        names = [a for a, v in el.attrib.items() if a.startswith(r_attr) and v in ids]
        # VML names its pictures' relationships o:relid; a few older parts use a plain r:id-like attribute.
        names += [a for a, v in el.attrib.items() if a.endswith("}relid") and v in ids]
        if not names:
            continue
        changed = True
        if etree.QName(el).localname in _WHOLE_WHEN_EXTERNAL and el.getparent() is not None:
            el.getparent().remove(el)
        else:
            for a in names:
                del el.attrib[a]
    return xml_bytes(root) if changed else xml
