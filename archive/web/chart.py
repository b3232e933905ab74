"""A chart of values over periods, drawn on the server as SVG: a labelled value axis, a few period labels,
and a point per value (each a link), for the trend page.

Across the chart, places are percentages of its width and text has a fixed size in pixels (the SVG has no
``viewBox``): a chart scaled down to a phone's 390 px would shrink its labels to 6 px, while this one keeps
them at 12 px and shows fewer period labels instead. The value axis is an SVG of its own beside the plot
(its width in pixels), as a percentage cannot be offset by a margin in pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: The plot's height in pixels, and the band below it that holds the period labels.
HEIGHT = 220
LABELS_BAND = 22
#: Period labels shown at most: what fits a phone's plot (about 300 px) at ten characters a label.
MAX_LABELS = 5
#: Value ticks aimed at (the axis takes the nearest round step: 1, 2 or 5 times a power of ten).
TICKS = 4


@dataclass(frozen=True)
class Point:
    series: int
    index: int
    value: float
    x: float  # percent of the width
    y: float  # pixels from the top


@dataclass(frozen=True)
class Segment:
    series: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Tick:
    value: float
    label: str
    y: float


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    anchor: str


@dataclass(frozen=True)
class Chart:
    points: list[Point]
    segments: list[Segment]
    ticks: list[Tick]
    labels: list[Label]
    height: int = HEIGHT
    band: int = LABELS_BAND


def nice_step(highest: float, ticks: int = TICKS) -> float:
    """A round step for an axis up to ``highest`` in about ``ticks`` steps.

    >>> nice_step(37), nice_step(4), nice_step(0.23), nice_step(1)
    (10.0, 1.0, 0.1, 0.5)
    """
    if highest <= 0:
        return 1.0
    rough = highest / ticks
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return float(factor * power)
    return float(10 * power)


def chart(values: Sequence[Sequence[float]], labels: Sequence[str], *, share: bool = False) -> Chart:
    """The geometry of one chart: ``values[s][i]`` is series ``s`` in period ``i`` (``labels[i]``)."""
    periods = len(labels)
    highest = max((v for row in values for v in row), default=0.0)
    step = nice_step(highest) if not share else nice_step(highest or 0.01)
    if share:
        step = max(step, 0.0001)
    top = step * max(1, math.ceil(highest / step)) if highest else step * TICKS
    if not share and top < 1:
        top = 1.0

    def y_of(value: float) -> float:
        return round(HEIGHT - 6 - (HEIGHT - 12) * value / top, 1)

    def x_of(index: int) -> float:
        # each period in the middle of its slot, so that the first and last points are not on the edge
        return round(100 * (index + 0.5) / max(periods, 1), 3)

    points = [Point(s, i, float(v), x_of(i), y_of(float(v))) for s, row in enumerate(values) for i, v in enumerate(row)]
    segments = [
        Segment(s, x_of(i), y_of(float(row[i])), x_of(i + 1), y_of(float(row[i + 1])))
        for s, row in enumerate(values)
        for i in range(len(row) - 1)
    ]
    count = round(top / step)
    ticks = [Tick(k * step, _tick_label(k * step, step, share), y_of(k * step)) for k in range(count + 1)]
    return Chart(points, segments, ticks, period_labels(labels))


def _tick_label(value: float, step: float, share: bool) -> str:
    if share:
        decimals = max(0, -math.floor(math.log10(step * 100))) if step * 100 < 1 else 0
        return f"{value * 100:.{decimals}f}%"
    return f"{value:,.0f}" if step >= 1 else f"{value:g}"


def period_labels(labels: Sequence[str]) -> list[Label]:
    """At most :data:`MAX_LABELS` period labels, evenly spaced, the first and the last always among them."""
    periods = len(labels)
    if not periods:
        return []
    if periods <= MAX_LABELS:
        chosen = list(range(periods))
    else:
        chosen = sorted({round(k * (periods - 1) / (MAX_LABELS - 1)) for k in range(MAX_LABELS)})
    # each label centred under its point (a label at either end may reach into the margins, which the page
    # leaves free: the value axis on the left, padding on the right)
    return [Label(labels[index], round(100 * (index + 0.5) / periods, 3), "middle") for index in chosen]
