"""Bar-chart geometry for server-drawn SVG charts (the template only places shapes).

Why horizontal: one row per month keeps every label on its own line at a readable size,
also on a phone, where twelve columns under one another shrank to a thumbnail with 9 px
labels. The rows come in the order given, so the table beside the chart reads the same
way, and the scale steps by round numbers (0, 10, 20, … rather than 0, 12, 25, 37, 50).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

# A step is 1, 2 or 5 times a power of ten, and the scale has at most MAX_STEPS of them.
STEP_FACTORS = (1, 2, 5)
MAX_STEPS = 5


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    height: float
    text_y: float  # the baseline of the row's label and value
    value_x: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    x: float
    value: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    top: float
    axis_y: float
    bars: list[Bar]
    ticks: list[Tick]


def nice_step(maximum: int, steps: int = MAX_STEPS) -> int:
    """The smallest round step (1, 2 or 5 times a power of ten) that reaches `maximum` in
    at most `steps` steps; 1 for an empty or all-zero chart."""
    magnitude = 1
    while True:
        for factor in STEP_FACTORS:
            if factor * magnitude * steps >= maximum:
                return factor * magnitude
        magnitude *= 10


def bar_chart(
    points: list[tuple[str, int]],
    *,
    width: int = 400,
    row: int = 28,
    left: int = 84,
    room_for_values: int = 56,
) -> BarChart:
    """Lay out one horizontal bar per (label, value), top to bottom in the given order,
    scaled to the round scale that holds the largest value."""
    top, below = 8.0, 24.0
    maximum = max((value for _, value in points), default=0)
    step = nice_step(maximum)
    ceiling = step * max(1, ceil(maximum / step))
    plot = width - left - room_for_values
    bars = []
    for index, (label, value) in enumerate(points):
        y = top + index * row
        bar_width = round(plot * value / ceiling, 1)
        bars.append(
            Bar(
                y=round(y + row * 0.15, 1),
                width=bar_width,
                height=round(row * 0.7, 1),
                text_y=round(y + row * 0.5 + 4.5, 1),
                value_x=round(left + bar_width + 6, 1),
                label=label,
                value=value,
            )
        )
    axis_y = top + row * len(points)
    ticks = [
        Tick(x=round(left + plot * value / ceiling, 1), value=value)
        for value in range(0, ceiling + 1, step)
    ]
    return BarChart(
        width=width,
        height=int(axis_y + below),
        left=float(left),
        top=top,
        axis_y=axis_y,
        bars=bars,
        ticks=ticks,
    )
