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
from carbon_report.io.package import BAD_ZIP, NS, Package, with_standard_main_part
from carbon_report.io.paths import open_regular

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # a deflated XML part rarely shrinks more than ~20×; bombs shrink 1000×
MAX_MEMBERS = 10_000
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
        raise UnreadableWorkbook(Code.E_FILE_UNREADABLE, f"无法打开文件（{e.strerror or type(e).__name__}）") from None


def _refused(e: PathRefused) -> UnreadableWorkbook:
    if e.problem == "missing":
        return UnreadableWorkbook(Code.E_FILE_NOT_FOUND, "文件不存在")
    if e.problem == "directory":
        return UnreadableWorkbook(Code.E_FILE_IS_DIRECTORY, "这是一个文件夹，不是工作簿（处理文件夹请用 batch 命令）")
    if e.problem == "special":
        return UnreadableWorkbook(Code.E_FILE_NOT_REGULAR, "这不是普通文件（管道、设备或套接字），不是工作簿，未读取")
    return UnreadableWorkbook(Code.E_FILE_UNREADABLE, f"无法打开文件（{PATH_PROBLEM_TEXT.get(e.problem, e.problem)}）")


def _check(path: Path) -> Package:
    if path.name.startswith("~$"):
        raise UnreadableWorkbook(Code.E_FILE_LOCKFILE, "这是 Excel 打开工作簿时生成的临时锁文件（~$ 开头），不是工作簿")
    with open_regular(path, follow_links=True) as opened:
        size = opened.size
        if size == 0:
            raise UnreadableWorkbook(Code.E_FILE_EMPTY, "文件为空（0 字节）")
        if size > MAX_FILE_BYTES:
            raise UnreadableWorkbook(Code.E_FILE_TOO_LARGE,
                                     f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_FILE_BYTES / 1048576:g} MB）")
        data = opened.file.read(MAX_FILE_BYTES + 1)  # the file may have grown since fstat
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableWorkbook(Code.E_FILE_TOO_LARGE, f"文件过大（上限 {MAX_FILE_BYTES / 1048576:g} MB）")
    head = data[:8]
    if head == _OLE2:
        if _ENCRYPTION_INFO in data:
            raise UnreadableWorkbook(Code.E_FILE_ENCRYPTED, "工作簿设有打开密码，请在 Excel 中取消密码后另存为 .xlsx 再处理")
        raise UnreadableWorkbook(Code.E_FILE_XLS, "这是旧版 Excel 97-2003（.xls）文件，请在 Excel 中另存为 .xlsx 后再处理")
    if head[:4] != _ZIP:
        if _looks_like_text(data[:4096]):
            raise UnreadableWorkbook(Code.E_FILE_NOT_XLSX, "这是文本（如 CSV）文件而不是 Excel 工作簿，请用 Excel 另存为 .xlsx")
        raise UnreadableWorkbook(Code.E_FILE_NOT_ZIP, "不是 Excel 工作簿（.xlsx 文件应为 zip 格式）")
    if path.suffix.lower() == ".xlsb":
        raise UnreadableWorkbook(Code.E_FILE_XLSB, "这是 Excel 二进制工作簿（.xlsb），本工具只能读取 .xlsx / .xlsm；"
                                                   "请在 Excel 中“另存为”“Excel 工作簿(*.xlsx)”后再处理")
    if path.suffix.lower() not in contract.WORKBOOK_EXTENSIONS:
        raise UnreadableWorkbook(Code.E_FILE_EXTENSION, f"不支持的扩展名“{path.suffix}”，请使用 .xlsx 或 .xlsm")
    try:
        package = Package(data)
    except BAD_ZIP:
        raise UnreadableWorkbook(Code.E_FILE_TRUNCATED, "文件已损坏或不完整（zip 目录无法读取），请重新保存或重新发送") from None
    infos = package.infos
    if len(infos) > MAX_MEMBERS:
        raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, f"文件内部条目过多（{len(infos)} 个），疑似恶意压缩文件")
    # zipfile never inflates a member beyond its declared size, so declared sizes bound what parsing reads.
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, f"解压后体积过大（{declared / 1048576:.0f} MB），疑似恶意压缩文件")
    for i in infos:
        if i.file_size > _RATIO_FLOOR and i.file_size / max(i.compress_size, 1) > MAX_MEMBER_RATIO:
            raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, f"压缩比异常（{i.filename}），疑似恶意压缩文件")
    packed = sum(i.compress_size for i in infos)
    if declared > _RATIO_FLOOR and declared / max(packed, 1) > MAX_MEMBER_RATIO:
        raise UnreadableWorkbook(Code.E_FILE_ZIP_BOMB, "整体压缩比异常，疑似恶意压缩文件")
    twins = package.duplicates()
    if twins:
        a, b = twins[0]
        same = "两次" if a == b else f"两次（“{a}”与“{b}”只差大小写）"
        raise UnreadableWorkbook(Code.E_FILE_DUPLICATE_PART,
                                 f"文件中的部件“{b}”出现了{same}：不同程序会读到不同的副本，无法确定哪份数据是真的，"
                                 "已拒绝读取；请在 Excel 中打开并另存为新文件后再处理")
    if _is_strict(package):
        raise UnreadableWorkbook(Code.E_FILE_STRICT_OOXML, "这是“Strict Open XML 电子表格”格式，本工具无法读取；"
                                                         "请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后再处理")
    try:
        main = package.main_part()
        is_workbook = package.has(main) and package.main_is_spreadsheet(main)
    except (etree.XMLSyntaxError, KeyError, *BAD_ZIP):
        is_workbook = False
    if not is_workbook:
        raise UnreadableWorkbook(Code.E_FILE_NOT_WORKBOOK, "这是 zip 文件，但不是 Excel 工作簿（可能是改了扩展名的 Word 文档或压缩包）")
    try:
        return with_standard_main_part(package)
    except (etree.XMLSyntaxError, KeyError, *BAD_ZIP):
        raise UnreadableWorkbook(Code.E_FILE_CORRUPT, "工作簿已损坏，无法读取（包的关系部件无法解析）") from None


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
