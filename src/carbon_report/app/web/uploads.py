"""What the page accepts: .xlsx/.xlsm workbooks, and .zip files holding a workbook with the pictures and
evidence files it names. A zip is unpacked into a folder of its own and checked as a folder on disk is: every
name stays inside it (no absolute path, drive letter or ..), no links, sizes and counts bounded, so that the
pipeline's own containment checks (io/paths.py) then see an ordinary folder.

    save_stream(stream, dest, limit) -> int        # bytes received; past `limit` they are counted, not kept
    unpack_zip(zip_path, folder) -> list[Path]     # the workbooks inside, or UploadRefused
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from carbon_report.core import contract
from carbon_report.core.errors import CarbonReportError
from carbon_report.core.findings import Code
from carbon_report.io.filecheck import MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES

MAX_ZIP_BYTES = 200 * 1024 * 1024  # a workbook with its photos and scanned evidence
MAX_ZIP_MEMBERS = 2000
MAX_MEMBER_BYTES = MAX_FILE_BYTES  # one picture or evidence file, as large as a workbook may be
CHUNK = 1024 * 1024
UPLOAD_EXTENSIONS = (*contract.WORKBOOK_EXTENSIONS, ".zip")


class UploadRefused(CarbonReportError):
    """An upload the page does not take: the code's catalogue template filled with `fields`."""

    def __init__(self, code: Code, /, **fields: object) -> None:
        super().__init__(code.text(**fields), code)


def save_stream(stream: BinaryIO, dest: Path, limit: int) -> int:
    """Copy `stream` into `dest`, keeping at most `limit` + 1 bytes (enough to know it is too large) and
    counting the rest, so a 200 MB upload never fills the disk and its size can still be said."""
    total = 0
    with dest.open("wb") as out:
        while chunk := stream.read(CHUNK):
            if total <= limit:
                out.write(chunk[: limit + 1 - total])
            total += len(chunk)
    return total


def safe_name(name: str) -> str:
    """A browser-given file name as a plain name: no folders, no characters Windows refuses."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    base = "".join("_" if ch in '<>:"|?*' or ord(ch) < 32 else ch for ch in base)
    return base[:150] or "upload"


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker meant it: zips made on a Chinese Windows store GBK names without the
    UTF-8 flag, which zipfile decodes as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _refuse(zip_name: str, detail: str) -> UploadRefused:
    return UploadRefused(Code.E_UPLOAD_ZIP, file=zip_name, detail=detail)


def unpack_zip(zip_path: Path, folder: Path, shown_as: str) -> list[Path]:
    """Unpack into `folder` (which must be empty) after checking every member; return the workbooks found
    (not Excel's ~$ lock files, hidden files or macOS' __MACOSX folder). Nothing is unpacked when any member
    is refused."""
    size = zip_path.stat().st_size
    if size > MAX_ZIP_BYTES:
        raise _refuse(shown_as, f"过大（{size / 1048576:.1f} MB，上限 {MAX_ZIP_BYTES / 1048576:g} MB）")
    try:
        z = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(shown_as, "已损坏或不是 zip 文件") from None
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise _refuse(shown_as, f"内的文件过多（{len(infos)} 个，上限 {MAX_ZIP_MEMBERS}）")
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise _refuse(shown_as, f"解压后过大（上限 {MAX_UNCOMPRESSED_BYTES / 1048576:g} MB）")
        plan: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        for info in infos:
            name = _member_name(info)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _refuse(shown_as, f"中的“{name}”是链接（快捷方式），出于安全原因不解压")
            rel = PurePosixPath(name.replace("\\", "/"))
            if rel.is_absolute() or ".." in rel.parts or (rel.parts and ":" in rel.parts[0]):
                raise _refuse(shown_as, f"中的“{name}”指向压缩包以外的位置，出于安全原因不解压")
            if info.is_dir() or not rel.parts:
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                raise _refuse(shown_as, f"中的“{name}”过大（{info.file_size / 1048576:.1f} MB，上限 "
                                        f"{MAX_MEMBER_BYTES / 1048576:g} MB）")
            if info.flag_bits & 0x1:
                raise _refuse(shown_as, "设有密码，请去掉密码后重新压缩")
            plan.append((info, rel))
        workbooks: list[Path] = []
        root = folder.resolve()
        for info, rel in plan:
            dest = folder.joinpath(*rel.parts)
            if not dest.resolve().is_relative_to(root):  # a belt to the checks above
                raise _refuse(shown_as, f"中的“{rel}”指向压缩包以外的位置，出于安全原因不解压")
            dest.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, dest.open("wb") as out:
                # zipfile never inflates past the declared size, which was checked above
                shutil.copyfileobj(src, out, CHUNK)
            hidden = any(p.startswith(".") or p == "__MACOSX" for p in rel.parts) or rel.name.startswith("~$")
            if dest.suffix.lower() in contract.WORKBOOK_EXTENSIONS and not hidden:
                workbooks.append(dest)
    if not workbooks:
        raise _refuse(shown_as, "中没有 .xlsx 或 .xlsm 工作簿")
    return sorted(workbooks)
