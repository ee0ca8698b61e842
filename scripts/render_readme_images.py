"""Regenerate the README's pictures of the Word report: its cover, the page with 表 A.1 and the page with the
native stage-share chart (图 2-5).

    python scripts/render_readme_images.py [WORKBOOK]

Runs the seed sample through the pipeline (report with its 目录 filled + PDF through LibreOffice), then
pdftoppm renders the pages into docs/images/report_cover.png, report_table_a1.png and report_chart.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from carbon_report.app.pipeline import Options, process_file  # noqa: E402

SAMPLE = ROOT / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
IMAGES = ROOT / "docs" / "images"
DPI = 80


def page_with(pdf: Path, text: str) -> int:
    """The first page (1-based) whose text holds `text`."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    for i, page in enumerate(pages, start=1):
        if text in page.replace(" ", ""):
            return i
    raise SystemExit(f"在 PDF 中找不到“{text}”")


def render_page(pdf: Path, page: int, out: Path) -> None:
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)


def main(argv: list[str]) -> int:
    workbook = Path(argv[1]) if len(argv) > 1 else SAMPLE
    if shutil.which("pdftoppm") is None:
        raise SystemExit("需要 pdftoppm（poppler-utils）")
    with tempfile.TemporaryDirectory() as tmp:
        outcome = process_file(workbook, Path(tmp), Options(pdf=True, force=True))
        if outcome.status != "ok" or not outcome.outputs.get("pdf"):
            raise SystemExit(f"未能生成报告：{outcome.status} {[f.message for f in outcome.errors]}")
        pdf = Path(outcome.outputs["pdf"])
        IMAGES.mkdir(parents=True, exist_ok=True)
        render_page(pdf, 1, IMAGES / "report_cover.png")
        render_page(pdf, page_with(pdf, "表A.1"), IMAGES / "report_table_a1.png")
        render_page(pdf, page_with(pdf, "各阶段碳排放占比"), IMAGES / "report_chart.png")
    for name in ("report_cover.png", "report_table_a1.png", "report_chart.png"):
        print(f"已生成 {IMAGES / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
