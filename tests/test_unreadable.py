"""Issue 3: files that are not intake workbooks exit 2 with one clear line, never a traceback.

Every case runs the real command line with a GBK console encoding and output redirected (a Chinese
Windows console), and checks the bytes on stderr are one UTF-8 line.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import workbooks
from carbon_report.app.pipeline import check_file
from carbon_report.io import filecheck, reader

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%s;" % (str(i - 1).encode() if i > 1 else b"")) * 10)
                     for i in range(1, 10))
          + b"]>")


def cli(*args: str, patch: str = "") -> subprocess.CompletedProcess[bytes]:
    """Run carbon-report in a fresh process; `patch` is Python run first (to lower a limit)."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    env.pop("CARBON_REPORT_DEBUG", None)
    code = f"import sys\n{patch}\nfrom carbon_report.app.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, env=env, timeout=120)


def one_line(p: subprocess.CompletedProcess[bytes]) -> str:
    err = p.stderr.decode("utf-8")  # strict: valid UTF-8 whatever the console's code page
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# ---- the files ------------------------------------------------------------------------------------------------


def _good(tmp: Path, name: str = "good.xlsx") -> Path:
    return workbooks.build(tmp / name)


def not_a_zip(tmp: Path) -> Path:
    p = tmp / "noise.xlsx"
    p.write_bytes(bytes(range(256)) * 8)
    return p


def truncated(tmp: Path) -> Path:
    data = _good(tmp).read_bytes()
    p = tmp / "truncated.xlsx"
    p.write_bytes(data[: len(data) // 2])
    return p


def empty(tmp: Path) -> Path:
    p = tmp / "empty.xlsx"
    p.write_bytes(b"")
    return p


def encrypted(tmp: Path) -> Path:
    """A password-protected workbook is an OLE2 file holding an EncryptionInfo stream."""
    p = tmp / "password.xlsx"
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:  # a minimal stand-in: the magic bytes and the stream's UTF-16 name
        p.write_bytes(OLE2 + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1024)
        return p
    with _good(tmp).open("rb") as src, p.open("wb") as out:
        OOXMLFile(src).encrypt("密码123", out)
    return p


def old_xls(tmp: Path) -> Path:
    p = tmp / "old.xls"
    p.write_bytes(OLE2 + b"\x00" * 4096)
    return p


def old_xls_renamed(tmp: Path) -> Path:
    p = tmp / "old-renamed.xlsx"
    p.write_bytes(OLE2 + "Workbook".encode("utf-16-le") + b"\x00" * 4096)
    return p


def csv_renamed(tmp: Path) -> Path:
    p = tmp / "表格.xlsx"
    p.write_bytes("阶段,名称,活动数据,单位\n生产,电力,72584,kWh\n".encode("gb18030"))
    return p


def directory(tmp: Path) -> Path:
    p = tmp / "文件夹.xlsx"
    p.mkdir()
    return p


def missing(tmp: Path) -> Path:
    return tmp / "不存在.xlsx"


def lock_file(tmp: Path) -> Path:
    p = tmp / "~$企业A.xlsx"
    p.write_bytes(b"\x05user" + b"\x00" * 50 + b"\x20" * 100)
    return p


def word_renamed(tmp: Path) -> Path:
    p = tmp / "报告.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return p


def wrong_extension(tmp: Path) -> Path:
    p = tmp / "workbook.zip"
    p.write_bytes(_good(tmp).read_bytes())
    return p


def broken_xml(tmp: Path) -> Path:
    return _rewrite(_good(tmp), tmp / "broken.xlsx", {"xl/workbook.xml": lambda d: d[: len(d) // 2]})


def zip_bomb(tmp: Path) -> Path:
    """A sheet part that declares 64 MB and deflates to about 64 KB (ratio ~1000)."""
    p = tmp / "bomb.xlsx"
    good = zipfile.ZipFile(_good(tmp))
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for info in good.infolist():
            z.writestr(info.filename, good.read(info.filename))
        with z.open("xl/worksheets/padding.xml", "w", force_zip64=True) as f:
            block = b"\x00" * (1 << 20)
            for _ in range(64):
                f.write(block)
    return p


def many_small_bombs(tmp: Path) -> Path:
    """Many 2 MB members, each under the per-member floor, that together inflate 1000×."""
    p = tmp / "bombs.xlsx"
    good = zipfile.ZipFile(_good(tmp))
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for info in good.infolist():
            z.writestr(info.filename, good.read(info.filename))
        for i in range(12):
            z.writestr(f"xl/media/pad{i}.bin", b"\x00" * (2 << 20))
    return p


def billion_laughs(tmp: Path) -> Path:
    def bomb(d: bytes) -> bytes:
        return LAUGHS + d[d.find(b"<worksheet"):].replace(b"<t>EF-STEEL-REBAR</t>", b"<t>&lol9;</t>")

    return _rewrite(_good(tmp), tmp / "laughs.xlsx", {"xl/worksheets/sheet3.xml": bomb})


def merge_bomb(tmp: Path) -> Path:
    """5 KB that would make openpyxl create 17 billion merged-cell objects."""
    def merge(d: bytes) -> bytes:
        return d.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A20:XFD1048576"/>'
                                          b"</mergeCells>")

    return _rewrite(_good(tmp), tmp / "merged.xlsx", {"xl/worksheets/sheet5.xml": merge})


def _rewrite(src: Path, dst: Path, changes: dict[str, Callable[[bytes], bytes]]) -> Path:
    zin = zipfile.ZipFile(src)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info.filename)
            z.writestr(info, changes[info.filename](data) if info.filename in changes else data)
    return dst


KINDS: list[tuple[Callable[[Path], Path], str]] = [
    (not_a_zip, "E-FILE-NOT-ZIP"),
    (truncated, "E-FILE-TRUNCATED"),
    (empty, "E-FILE-EMPTY"),
    (encrypted, "E-FILE-ENCRYPTED"),
    (old_xls, "E-FILE-XLS"),
    (old_xls_renamed, "E-FILE-XLS"),
    (csv_renamed, "E-FILE-NOT-XLSX"),
    (directory, "E-FILE-IS-DIRECTORY"),
    (missing, "E-FILE-NOT-FOUND"),
    (lock_file, "E-FILE-LOCKFILE"),
    (word_renamed, "E-FILE-NOT-WORKBOOK"),
    (wrong_extension, "E-FILE-EXTENSION"),
    (broken_xml, "E-FILE-CORRUPT"),
    (zip_bomb, "E-FILE-ZIP-BOMB"),
    (many_small_bombs, "E-FILE-ZIP-BOMB"),
    (billion_laughs, "E-FILE-XML-ENTITY"),
    (merge_bomb, "E-FILE-MERGED-TOO-LARGE"),
]


@pytest.fixture(scope="module")
def check_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, subprocess.CompletedProcess[bytes]]]:
    """`carbon-report check` on every kind of file, the processes run side by side to keep the suite quick."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    env.pop("CARBON_REPORT_DEBUG", None)
    started = {}
    for make, _code in KINDS:
        path = make(tmp_path_factory.mktemp(make.__name__))
        args = [sys.executable, "-m", "carbon_report.app.cli", "check", str(path)]
        started[make.__name__] = (path, args, subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                                env=env))
    out = {}
    for name, (path, args, proc) in started.items():
        stdout, stderr = proc.communicate(timeout=120)
        out[name] = (path, subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    return out


@pytest.mark.parametrize(("make", "code"), KINDS, ids=[k[0].__name__ for k in KINDS])
def test_check_exits_2_with_one_line(check_runs: dict, make: Callable[[Path], Path], code: str) -> None:
    path, p = check_runs[make.__name__]
    assert p.returncode == 2
    line = one_line(p)
    assert line.startswith(f"{path.name}: ") and line.endswith(f"[{code}]"), line
    assert p.stdout.decode("utf-8").strip() == f"{path.name}: 无法读取 unreadable"


@pytest.mark.parametrize(("make", "code"), KINDS, ids=[k[0].__name__ for k in KINDS])
def test_pipeline_reports_unreadable_without_raising(tmp_path: Path, make: Callable[[Path], Path], code: str) -> None:
    o = check_file(make(tmp_path))
    assert o.status == "unreadable" and o.exit_code == 2
    assert [(f.code, f.sheet, f.cell) for f in o.findings] == [(code, "", "")]


@pytest.mark.parametrize("make", [encrypted, zip_bomb, csv_renamed, missing], ids=lambda f: f.__name__)
def test_process_exits_2_and_writes_nothing(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    path = make(tmp_path)
    out = tmp_path / "out"
    p = cli("process", str(path), "--out", str(out), "--json")
    assert p.returncode == 2
    one_line(p)
    assert not out.exists() or list(out.iterdir()) == []


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = _good(tmp_path)
    p = cli("check", str(path), patch="import carbon_report.io.filecheck as fc\nfc.MAX_FILE_BYTES = 1024")
    assert p.returncode == 2
    assert one_line(p).endswith("[E-FILE-TOO-LARGE]")


def test_declared_size_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filecheck, "MAX_UNCOMPRESSED_BYTES", 10_000)
    o = check_file(_good(tmp_path))
    assert o.status == "unreadable" and o.findings[0].code == "E-FILE-ZIP-BOMB"


def test_entities_are_refused_by_openpyxl_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the reader's own DOCTYPE check, openpyxl parses sheets through defusedxml and refuses."""
    monkeypatch.setattr(reader, "scan_package", lambda path: set())
    o = check_file(billion_laughs(tmp_path))
    assert o.status == "unreadable"
    assert [f.code for f in o.findings] == ["E-FILE-XML-ENTITY"]


def test_the_reader_refuses_entities_even_past_the_prolog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_PROLOG_BYTES", 0)
    o = check_file(billion_laughs(tmp_path))
    assert o.status == "unreadable"
    assert [f.code for f in o.findings] == ["E-FILE-XML-ENTITY"]


def test_openpyxl_parses_through_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_unreadable_permission(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = _good(tmp_path)
    path.chmod(0)
    try:
        o = check_file(path)
    finally:
        path.chmod(0o644)
    assert o.status == "unreadable" and o.findings[0].code == "E-FILE-UNREADABLE"


def test_a_good_workbook_passes_the_file_checks(tmp_path: Path) -> None:
    filecheck.check_workbook_file(_good(tmp_path))
    buf = io.BytesIO(_good(tmp_path, "again.xlsm").read_bytes())
    assert zipfile.is_zipfile(buf)
