"""Horizontal bar charts, laid out here and drawn as inline SVG by a template. Pure.

No JavaScript and no chart library: the page stays light on a 2G connection, and every number
in a chart is also in the table next to it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

LABEL_WIDTH = 190
PLOT_WIDTH = 330
VALUE_WIDTH = 130
BAR_HEIGHT = 18
GAP = 6
MAX_LABEL = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: float  # in the plot's units, 0..PLOT_WIDTH


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + VALUE_WIDTH

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * (BAR_HEIGHT + GAP) + GAP


def bar_chart(
    chart_id: str, title: str, description: str,
    items: Sequence[tuple[str, float, str]], scale: float,
) -> BarChart:
    """`items` are (label, value, value as text); a value of `scale` fills the plot."""
    bars = tuple(
        Bar(
            label=_short(label),
            value_text=text,
            y=GAP + index * (BAR_HEIGHT + GAP),
            width=round(PLOT_WIDTH * min(value / scale, 1.0), 1) if scale > 0 else 0.0,
        )
        for index, (label, value, text) in enumerate(items)
    )
    return BarChart(chart_id, title, description, bars)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
