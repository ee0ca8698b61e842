"""A chart of the report as data (categories, series, number formats): the views carry these, and the report
layer draws each as a native Word chart (outputs/report/charts.py add_chart)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

GREEN, GREY, GRID = "3A7D44", "7F8C8D", "D9D9D9"


@dataclass(frozen=True)
class ChartSeries:
    name: str
    values: Sequence[float | None]  # None: no data (no bar; the tables print "/")
    colors: Sequence[str | None] = ()  # per point, RRGGBB; None or missing: the series colour
    color: str = GREEN


@dataclass(frozen=True)
class ChartSpec:
    """One chart, as data. kind "bar": horizontal bars, categories top to bottom in the given order;
    "column": vertical bars, categories left to right."""

    kind: Literal["bar", "column"]
    title: str
    categories: Sequence[str]
    series: Sequence[ChartSeries]
    number_format: str = "#,##0.00"  # data labels and the embedded workbook
    axis_format: str = "#,##0"
    value_axis_title: str = ""
    width_mm: float = 146.0
    height_mm: float = 0.0  # 0: from the number of categories
    headroom: float = 1.15  # value axis maximum as a multiple of the largest value, room for the labels
    name: str = ""  # Word's name of the graphic (选择窗格), defaults to the title
    show_title: bool = False  # the report's caption (图 2-5 …) already names the chart

    def height(self) -> float:
        if self.height_mm:
            return self.height_mm
        if self.kind == "bar":
            return 22.0 + 11.0 * len(self.categories) * max(1, len(self.series))
        return 80.0
