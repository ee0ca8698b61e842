"""Tell a workbook from everything else before openpyxl parses it.

openpyxl has no limits of its own: a small file that inflates to gigabytes, or a renamed .xls, either
exhausts memory or ends in a traceback. Magic bytes, the zip directory and declared sizes are read here in
well under a millisecond, so each kind of bad file gets its own clear message.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from carbon_report.core import contract
from carbon_report.core.errors import UnreadableWorkbook
from carbon_report.core.findings import Code

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # a deflated XML part rarely shrinks more than ~20×; bombs shrink 1000×
MAX_MEMBERS = 10_000
_RATIO_FLOOR = 10 * 1024 * 1024  # below this, a high ratio is harmless (a sheet of blank styled cells)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def check_workbook_file(path: Path) -> None:
    """Raise UnreadableWorkbook unless `path` looks like an .xlsx/.xlsm package safe to parse."""
    try:
        _check(path)
    except OSError as e:  # permission denied, a file vanishing mid-check, a device …
        raise UnreadableWorkbook(Code.E_FILE_UNREADABLE, reason=e.strerror or type(e).__name__) from None


def check_size(size: int) -> None:
    """The size checks alone, for a file known only by its size (an upload cut off at the limit)."""
    if size == 0:
        raise UnreadableWorkbook(Code.E_FILE_EMPTY)
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(Code.E_FILE_TOO_LARGE, size=f"{size / 1048576:.1f}",
                                 limit=f"{MAX_FILE_BYTES / 1048576:g}")


def _check(path: Path) -> None:
    if path.name.startswith("~$"):
        raise UnreadableWorkbook(Code.E_FILE_LOCKFILE)
    if not path.exists():
        raise UnreadableWorkbook(Code.E_FILE_NOT_FOUND)
    if path.is_dir():
        raise UnreadableWorkbook(Code.E_FILE_IS_DIRECTORY)
    if not path.is_file():
        raise UnreadableWorkbook(Code.E_FILE_NOT_REGULAR)
    check_size(path.stat().st_size)
    with path.open("rb") as f:
        head = f.read(8)
        if head == _OLE2:
            data = head + f.read()
            if _ENCRYPTION_INFO in data:
                raise UnreadableWorkbook(Code.E_FILE_ENCRYPTED)
            raise UnreadableWorkbook(Code.E_FILE_XLS)
    if head[:4] != _ZIP:
        if _looks_like_text(path):
            raise UnreadableWorkbook(Code.E_FILE_NOT_XLSX)
        raise UnreadableWorkbook(Code.E_FILE_NOT_ZIP)
    if path.suffix.lower() == ".xlsb":
        raise UnreadableWorkbook(Code.E_FILE_XLSB)
    if path.suffix.lower() not in contract.WORKBOOK_EXTENSIONS:
        raise UnreadableWorkbook(Code.E_FILE_EXTENSION, suffix=path.suffix)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise UnreadableWorkbook(Code.E_FILE_TRUNCATED) from None
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
    packed = sum(i.compress_size for i in infos)
    if declared > _RATIO_FLOOR and declared / max(packed, 1) > MAX_MEMBER_RATIO:
        raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, what="整体压缩比", value=f"{declared / max(packed, 1):.0f}",
                                 limit=MAX_MEMBER_RATIO)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise UnreadableWorkbook(Code.E_FILE_NOT_WORKBOOK)
    if _is_strict(path, names):
        raise UnreadableWorkbook(Code.E_FILE_STRICT_OOXML)


# ISO/IEC 29500 Strict namespaces. openpyxl reads only the Transitional ones: a Strict workbook would look
# like one without sheets (false E-SHEET-MISSING) and could not be written back.
_STRICT = b"http://purl.oclc.org/ooxml/"


def _is_strict(path: Path, names: set[str]) -> bool:
    with zipfile.ZipFile(path) as z:
        for part in ("xl/workbook.xml", "_rels/.rels", "[Content_Types].xml"):
            if part in names:
                with z.open(part) as f:
                    if _STRICT in f.read(_HEAD_BYTES):
                        return True
    return False


_HEAD_BYTES = 4096


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as f:
        chunk = f.read(4096)
    if b"\x00" in chunk:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            chunk.decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False
