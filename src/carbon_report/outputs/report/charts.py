"""The report's two charts, drawn with matplotlib's Agg backend into PNG bytes.

Chinese labels need a CJK font: the first installed family from CJK_FAMILIES is used. Without one the
charts fall back to English labels rather than printing empty boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Microsoft YaHei", "SimHei",
    "PingFang SC", "Heiti SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans SC",
    "Noto Sans CJK JP", "Noto Serif CJK SC", "SimSun", "Arial Unicode MS",
)

DPI = 200


@cache
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    for f in font_manager.fontManager.ttflist:  # any other CJK family
        if any(tag in f.name for tag in ("CJK", "Hei", "Song", "Ming", "Kai")):
            return f.name
    return None


@dataclass(frozen=True)
class Bar:
    label: str  # Chinese
    label_en: str  # used when no CJK font is installed
    value: float | None  # None: no data (drawn as an empty slot, labelled "/")
    text: str  # the label printed beside the bar, as in the tables (e.g. "98.11%")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _style(plt) -> bool:
    font = cjk_font()
    plt.rcParams["axes.unicode_minus"] = False
    if font:
        plt.rcParams["font.family"] = "sans-serif"
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    else:
        plt.rcParams["font.family"] = "DejaVu Sans"
    return font is not None


def _png(fig, plt) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def stage_share_chart(bars: Sequence[Bar], title: str, title_en: str) -> bytes:
    """Horizontal bars of each stage's share of the total, in the tables' order, labelled with the shares
    the tables print (so chart and table can never disagree)."""
    plt = _pyplot()
    zh = _style(plt)
    fig, ax = plt.subplots(figsize=(6.3, 0.42 * len(bars) + 1.0))
    labels = [b.label if zh else b.label_en for b in bars]
    values = [b.value or 0.0 for b in bars]
    y = list(range(len(bars)))[::-1]
    ax.barh(y, values, color="#3a7d44", height=0.6)
    top = max(values + [0.0]) or 1.0
    for yi, b, v in zip(y, bars, values, strict=True):
        ax.text(v + top * 0.01, yi, b.text, va="center", fontsize=9)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlim(0, top * 1.18)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0f}%")
    ax.set_xlabel("占比（%）" if zh else "share (%)", fontsize=9)
    ax.set_title(title if zh else title_en, fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return _png(fig, plt)


def target_path_chart(points: Sequence[tuple[int, float, str]], title: str, title_en: str,
                      ylabel: str, ylabel_en: str) -> bytes:
    """The path from the base year (the first point) through each target year: one bar per year, evenly
    spaced so close years stay readable, labelled with the values the tables print: (year, value, label)."""
    plt = _pyplot()
    zh = _style(plt)
    fig, ax = plt.subplots(figsize=(6.3, 3.2))
    x = list(range(len(points)))
    values = [p[1] for p in points]
    colors = ["#7f8c8d"] + ["#3a7d44"] * (len(points) - 1)
    ax.bar(x, values, color=colors, width=0.55)
    ax.plot(x, values, color="#3a7d44", linewidth=1.0, linestyle="--", marker="o", markersize=3)
    top = max(values + [0.0]) or 1.0
    for xi, (_yr, v, text) in zip(x, points, strict=True):
        ax.text(xi, v + top * 0.02, text, ha="center", va="bottom", fontsize=8)
    base_tag = "（基准年）" if zh else " (base)"
    labels = [f"{points[0][0]}{base_tag}"] + [str(p[0]) for p in points[1:]]
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylim(0, top * 1.18)
    ax.set_ylabel(ylabel if zh else ylabel_en, fontsize=9)
    ax.set_title(title if zh else title_en, fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}" if top >= 10 else f"{v:.2f}")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _png(fig, plt)
