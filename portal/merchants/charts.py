"""Bar-chart geometry for server-drawn SVG charts (the template only places shapes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    label_x: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    top: float
    left: float
    right: float
    bars: list[Bar]
    gridlines: list[tuple[float, int]]  # (y, value)


def nice_ceiling(value: int) -> int:
    """A round upper bound for the axis: 1, 2, 5 or 10 times a power of ten, at least 1."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def bar_chart(
    points: list[tuple[str, int]], *, width: int = 720, height: int = 260, left: int = 48
) -> BarChart:
    """Lay out one bar per (label, value), left to right, scaled to a rounded maximum."""
    top, bottom, right = 16.0, 32.0, 8.0
    baseline = height - bottom
    plot_height = baseline - top
    plot_width = width - left - right
    ceiling = nice_ceiling(max((v for _, v in points), default=0))
    slot = plot_width / max(len(points), 1)
    bar_width = slot * 0.7
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / ceiling
        x = left + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(baseline - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                label=label,
                value=value,
                label_x=round(x + bar_width / 2, 1),
            )
        )
    gridlines = [
        (round(baseline - plot_height * step / 4, 1), ceiling * step // 4) for step in range(5)
    ]
    return BarChart(
        width=width,
        height=height,
        baseline=baseline,
        top=top,
        left=float(left),
        right=float(width - right),
        bars=bars,
        gridlines=gridlines,
    )
