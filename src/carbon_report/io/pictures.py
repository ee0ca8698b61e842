"""What a picture file named in 图片与附件 is, found only inside the workbook's folder and judged by content.

The report embeds a client's picture into a document that goes back to the client, so the path is untrusted
(io/paths.locate) and so are the bytes: only PNG and JPEG are embedded, known by their magic bytes (a GIF
renamed .png is not a PNG), and a picture over Pillow's pixel limit (a decompression bomb, or a 12,000 ×
12,000 scan) is refused before it is decoded, without Pillow's raw warning on the console.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import BinaryIO

from carbon_report.core.errors import PathRefused
from carbon_report.core.validate.pictures import PictureStatus
from carbon_report.io.paths import open_named

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def image_kind(head: bytes) -> str | None:
    """"PNG" or "JPEG" from a file's first bytes, else None."""
    if head.startswith(PNG_MAGIC):
        return "PNG"
    if head.startswith(JPEG_MAGIC):
        return "JPEG"
    return None


def too_many_pixels(source: Path | BinaryIO) -> bool:
    """True when Pillow's decompression-bomb check refuses the picture (its header is read, not its pixels)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(source):
                return False
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            return True
        except Exception:  # noqa: BLE001 - a damaged picture is the report's placeholder, not this question
            return False


def picture_status(folder: Path | None, text: str) -> PictureStatus:
    """The one question validation asks of the disk about a picture, answered without leaving `folder` and
    without opening anything but a regular file (io/paths.open_named)."""
    if folder is None:
        return "missing"
    try:
        with open_named(folder, text) as opened:
            head = opened.file.read(8)
            if image_kind(head) is None:
                return "not_png_jpeg"
            opened.file.seek(0)
            return "too_large" if too_many_pixels(opened.file) else "found"
    except PathRefused as e:
        return e.problem  # type: ignore[return-value]  # "outside" or a PathProblem, both PictureStatus
    except OSError:
        return "unreadable"
