"""Tell a workbook from everything else before openpyxl parses it.

openpyxl has no limits of its own: a small file that inflates to gigabytes, or a renamed .xls, either
exhausts memory or ends in a traceback. Magic bytes, the zip directory and declared sizes are read here in
well under a millisecond, so each kind of bad file gets its own clear message.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from carbon_report.core import contract
from carbon_report.core.errors import PathRefused, UnreadableWorkbook
from carbon_report.core.findings import Code
from carbon_report.core.model import PATH_PROBLEM_TEXT
from carbon_report.io.package import (
    BAD_ZIP,
    CONTENT_TYPES,
    NS,
    WORKBOOK_PART,
    Package,
    with_standard_main_part,
)
from carbon_report.io.paths import open_regular

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # a deflated XML part rarely shrinks more than ~20×; bombs shrink 1000×
MAX_MEMBERS = 10_000
# [Content_Types].xml and the relationship parts are parsed whole before anything else, in a batch's parent
# too: Excel writes them in kilobytes (10,000 parts would need about 1.5 MB), so a larger one is a bomb.
MAX_PACKAGE_PART_BYTES = 4 * 1024 * 1024
_RATIO_FLOOR = 10 * 1024 * 1024  # below this, a high ratio is harmless (a sheet of blank styled cells)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def check_workbook_file(path: Path) -> Package:
    """Raise UnreadableWorkbook unless `path` looks like an .xlsx/.xlsm package safe to parse; return that
    package, read once from the file opened (a regular file only: a FIFO, a device or a folder is refused
    before any read), with its main part where openpyxl looks for it."""
    try:
        return _check(path)
    except PathRefused as e:
        raise _refused(e) from None
    except OSError as e:  # permission denied, a file vanishing mid-check, a device …
        raise UnreadableWorkbook(Code.E_FILE_UNREADABLE, reason=e.strerror or type(e).__name__) from None


def check_size(size: int) -> None:
    """The size checks alone, for a file known only by its size (an upload cut off at the limit)."""
    if size == 0:
        raise UnreadableWorkbook(Code.E_FILE_EMPTY)
    if size > MAX_FILE_BYTES:
        raise _too_large(size)


def _refused(e: PathRefused) -> UnreadableWorkbook:
    if e.problem == "missing":
        return UnreadableWorkbook(Code.E_FILE_NOT_FOUND)
    if e.problem == "directory":
        return UnreadableWorkbook(Code.E_FILE_IS_DIRECTORY)
    if e.problem == "special":
        return UnreadableWorkbook(Code.E_FILE_NOT_REGULAR)
    return UnreadableWorkbook(Code.E_FILE_UNREADABLE, reason=PATH_PROBLEM_TEXT.get(e.problem, e.problem))


def _check(path: Path) -> Package:
    if path.name.startswith("~$"):
        raise UnreadableWorkbook(Code.E_FILE_LOCKFILE)
    with open_regular(path, follow_links=True) as opened:
        check_size(opened.size)
        data = opened.file.read(MAX_FILE_BYTES + 1)  # the file may have grown since fstat
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(len(data))
    head = data[:8]
    if head == _OLE2:
        if _ENCRYPTION_INFO in data:
            raise UnreadableWorkbook(Code.E_FILE_ENCRYPTED)
        raise UnreadableWorkbook(Code.E_FILE_XLS)
    if head[:4] != _ZIP:
        if _looks_like_text(data[:4096]):
            raise UnreadableWorkbook(Code.E_FILE_NOT_XLSX)
        raise UnreadableWorkbook(Code.E_FILE_NOT_ZIP)
    if path.suffix.lower() == ".xlsb":
        raise UnreadableWorkbook(Code.E_FILE_XLSB)
    if path.suffix.lower() not in contract.WORKBOOK_EXTENSIONS:
        raise UnreadableWorkbook(Code.E_FILE_EXTENSION, suffix=path.suffix)
    try:
        package = Package(data)
    except BAD_ZIP:
        raise UnreadableWorkbook(Code.E_FILE_TRUNCATED) from None
    infos = package.infos
    if len(infos) > MAX_MEMBERS:
        raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, what="内部条目数", value=len(infos), limit=MAX_MEMBERS)
    # zipfile never inflates a member beyond its declared size, so declared sizes bound what parsing reads.
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, what="解压后体积", value=f"{declared / 1048576:.0f} MB",
                                 limit=f"{MAX_UNCOMPRESSED_BYTES / 1048576:.0f} MB")
    for i in infos:
        if i.file_size > _RATIO_FLOOR and i.file_size / max(i.compress_size, 1) > MAX_MEMBER_RATIO:
            raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, what=f"条目“{i.filename}”的压缩比",
                                     value=f"{i.file_size / max(i.compress_size, 1):.0f}", limit=MAX_MEMBER_RATIO)
    for i in infos:
        if (i.filename == CONTENT_TYPES or i.filename.endswith(".rels")) and i.file_size > MAX_PACKAGE_PART_BYTES:
            raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, what=f"条目“{i.filename}”的解压后体积",
                                     value=f"{i.file_size / 1048576:.1f} MB",
                                     limit=f"{MAX_PACKAGE_PART_BYTES / 1048576:.0f} MB")
    packed = sum(i.compress_size for i in infos)
    if declared > _RATIO_FLOOR and declared / max(packed, 1) > MAX_MEMBER_RATIO:
        raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, what="整体压缩比", value=f"{declared / max(packed, 1):.0f}",
                                 limit=MAX_MEMBER_RATIO)
    twins = package.duplicates()
    if twins:
        a, b = twins[0]
        raise UnreadableWorkbook(Code.E_FILE_DUPLICATE_PART, part=b,
                                 how="" if a == b else f"（“{a}”与“{b}”只差大小写）")
    if _is_strict(package):
        raise UnreadableWorkbook(Code.E_FILE_STRICT_OOXML)
    main = WORKBOOK_PART
    try:
        main = package.main_part()
        is_workbook = package.has(main) and package.main_is_spreadsheet(main)
        mains = package.declared_main_parts()
    except (etree.XMLSyntaxError, KeyError, *BAD_ZIP):
        is_workbook, mains = False, []
    if not is_workbook and not package.has(WORKBOOK_PART):
        raise UnreadableWorkbook(Code.E_FILE_NOT_WORKBOOK)
    if len(mains) > 1 or (main != WORKBOOK_PART and package.has(WORKBOOK_PART)):
        # _rels/.rels names one main part, [Content_Types].xml or Excel's usual name another: programs that
        # look in different places would read different workbooks. Refused rather than guessed.
        raise UnreadableWorkbook(Code.E_FILE_CORRUPT, error=f"主部件不明确：{main} 与 "
                                 f"{next((m for m in mains if m != main), WORKBOOK_PART)}")
    if not is_workbook:
        raise UnreadableWorkbook(Code.E_FILE_NOT_WORKBOOK)
    try:
        return with_standard_main_part(package)
    except (etree.XMLSyntaxError, KeyError, *BAD_ZIP):
        raise UnreadableWorkbook(Code.E_FILE_CORRUPT, error="包的关系部件无法解析") from None


def _too_large(size: int) -> UnreadableWorkbook:
    return UnreadableWorkbook(Code.E_FILE_TOO_LARGE, size=f"{size / 1048576:.1f}", limit=f"{MAX_FILE_BYTES / 1048576:g}")


# ISO/IEC 29500 Strict namespaces. openpyxl reads only the Transitional ones: a Strict workbook would look
# like one without sheets (false E-SHEET-MISSING) and could not be written back.
_STRICT = NS.STRICT_PREFIX.encode()
_HEAD_BYTES = 4096


def _is_strict(package: Package) -> bool:
    parts = ["_rels/.rels", "[Content_Types].xml", "xl/workbook.xml"]
    for part in parts:
        if package.has(part):
            with package.stream(part) as f:
                if _STRICT in f.read(_HEAD_BYTES):
                    return True
    return False


def _looks_like_text(chunk: bytes) -> bool:
    if b"\x00" in chunk:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            chunk.decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False
