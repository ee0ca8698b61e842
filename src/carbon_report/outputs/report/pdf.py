"""The report as PDF through LibreOffice (headless).

The table of contents is a field that Word fills when the document opens; LibreOffice ignores
<w:updateFields>, so the indexes are updated through UNO before export (uno_export.py, run by a Python that
has the `uno` module: LibreOffice's own on Windows, /usr/bin/python3 with python3-uno on Debian). Without
UNO the document is converted with plain --convert-to pdf and a PdfFallbackWarning says the contents page may
lack page numbers. Every run gets its own LibreOffice profile, so parallel runs do not collide.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from carbon_report.core.errors import PdfUnavailable

TIMEOUT_S = 240
_WINDOWS_PATHS = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                  r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")
_MAC_PATH = "/Applications/LibreOffice.app/Contents/MacOS/soffice"

# Word's Chinese font names → installed open fonts, for rendering on machines without Windows fonts
FONT_ALIASES = {
    "宋体": ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "SimSun": ("宋体", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "黑体": ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "SimHei": ("黑体", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "楷体": ("KaiTi", "AR PL UKai CN", "Noto Serif CJK SC"),
    "仿宋": ("FangSong", "Noto Serif CJK SC"),
    "微软雅黑": ("Microsoft YaHei", "Noto Sans CJK SC"),
    "Times New Roman": ("Liberation Serif", "DejaVu Serif"),
}


class LibreOfficeNotFound(PdfUnavailable):
    def __init__(self) -> None:
        super().__init__("未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice，"
                         "或设置环境变量 CARBON_REPORT_SOFFICE 指向 soffice 程序。")


class PdfConversionError(PdfUnavailable):
    pass


class PdfFallbackWarning(UserWarning):
    pass


def find_soffice() -> str | None:
    env = os.environ.get("CARBON_REPORT_SOFFICE")
    if env and Path(env).is_file():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for p in (*_WINDOWS_PATHS, _MAC_PATH):
        if Path(p).is_file():
            return p
    return None


def _has_uno(python: str) -> bool:
    try:
        r = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


@functools.cache
def find_uno_python(soffice: str) -> str | None:
    """A Python interpreter that can `import uno`."""
    program = Path(soffice).resolve().parent
    candidates = [os.environ.get("CARBON_REPORT_UNO_PYTHON", ""), str(program / "python.exe"),
                  str(program / "python"), "/usr/bin/python3", "/usr/lib/libreoffice/program/python",
                  sys.executable]
    for c in candidates:
        if c and Path(c).is_file() and _has_uno(c):
            return c
    return None


def _fontconfig_file(folder: Path) -> Path | None:
    """A fontconfig file that includes the system's and maps Word's Chinese font names to installed ones."""
    system = Path("/etc/fonts/fonts.conf")
    if sys.platform.startswith("win") or not system.is_file():
        return None
    from xml.sax.saxutils import escape

    aliases = "".join(
        f"<alias binding=\"same\"><family>{escape(name)}</family><prefer>"
        + "".join(f"<family>{escape(p)}</family>" for p in prefer) + "</prefer></alias>"
        for name, prefer in FONT_ALIASES.items())
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                    f"<include ignore_missing=\"yes\">{system}</include>{aliases}</fontconfig>\n",
                    encoding="utf-8")
    return conf


def to_pdf(docx: Path, out_pdf: Path) -> Path:
    """Convert `docx` to `out_pdf` (replaced atomically) and return `out_pdf`."""
    docx, out_pdf = Path(docx).resolve(), Path(out_pdf).resolve()
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeNotFound()
    with tempfile.TemporaryDirectory(prefix="carbon_report_lo_") as tmp_name:
        tmp = Path(tmp_name)
        profile = (tmp / "profile").as_uri()
        env = dict(os.environ)
        conf = _fontconfig_file(tmp)
        if conf is not None:
            env["FONTCONFIG_FILE"] = str(conf)
        produced = tmp / "out.pdf"
        python = find_uno_python(soffice)
        detail = ""
        if python is not None:
            script = Path(__file__).with_name("uno_export.py")
            try:
                r = subprocess.run([python, str(script), soffice, str(docx), str(produced), profile],
                                   capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
                detail = (r.stderr or r.stdout).strip()[-500:]
            except subprocess.TimeoutExpired:
                detail = "超时"
        if not produced.is_file():
            reason = "未找到带 uno 模块的 Python" if python is None else f"UNO 转换失败（{detail}）"
            warnings.warn(f"{reason}，改用 soffice --convert-to pdf 直接转换：PDF 目录页可能没有页码。",
                          PdfFallbackWarning, stacklevel=2)
            outdir = tmp / "convert"
            try:
                r = subprocess.run([soffice, "--headless", "--norestore", "--nolockcheck",
                                    f"-env:UserInstallation={profile}", "--convert-to", "pdf",
                                    "--outdir", str(outdir), str(docx)],
                                   capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
            except subprocess.TimeoutExpired as exc:
                raise PdfConversionError(f"LibreOffice 转换 PDF 超时：{docx.name}") from exc
            converted = outdir / (docx.stem + ".pdf")
            if not converted.is_file():
                raise PdfConversionError(f"LibreOffice 未能将 {docx.name} 转换为 PDF："
                                         f"{(r.stderr or r.stdout).strip()[-300:]}")
            shutil.move(str(converted), produced)
        from carbon_report.io.atomic import OutputLocked, write_bytes

        try:
            write_bytes(out_pdf, produced.read_bytes())
        except OutputLocked as exc:
            from carbon_report.outputs.report.fingerprint import report_locked

            raise report_locked(out_pdf) from exc
    return out_pdf
