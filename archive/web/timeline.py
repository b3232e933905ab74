"""The search page's timeline: the search's own trend (:meth:`archive.web.common.Archives.timeline`: the
same periods, granularity rule and undated count as ``/trend``) as bars of an SVG drawn on the server, each
a link to its period, with a labelled value axis and period labels that keep their size on a phone (as the
trend's chart, :mod:`archive.web.chart`: places across in percent of the width, text in pixels)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from archive.api import TrendPeriod
from archive.web.chart import Label, nice_step, period_labels

#: Across, bars are placed in percent of the width; the plot's height and the band of labels under it in pixels.
WIDTH, HEIGHT = 100, 120
LABELS_BAND = 18


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    since: date
    until: date
    x: float
    y: float
    width: float
    height: float


def bars(periods: Sequence[TrendPeriod]) -> list[Bar]:
    """A bar for every period of the trend, empty ones included so that gaps in coverage show."""
    if not periods:
        return []
    top = axis_top(max(period.count for period in periods))
    step = WIDTH / len(periods)
    gap = min(0.3, step / 4)
    out = []
    for number, period in enumerate(periods):
        height = round((HEIGHT - 6) * period.count / top, 1)
        x, width = round(number * step, 3), round(step - gap, 3)
        out.append(Bar(period.period, period.count, period.since, period.until, x, HEIGHT - height, width, height))
    return out


def _step(highest: int) -> float:
    """A round step between the axis's values, whole: counts have no halves (a highest count of 1 was
    labelled 0, 0, 1)."""
    return max(1.0, nice_step(highest))


def axis_top(highest: int) -> float:
    """The value at the top of the axis: the highest count rounded up to a round step."""
    step = _step(highest)
    return step * max(1, math.ceil(highest / step))


def ticks(bars: list[Bar]) -> list[tuple[str, float]]:
    """The value axis: (label, y) from 0 to the top, a round step apart."""
    if not bars:
        return []
    highest = max(bar.count for bar in bars)
    step, top = _step(highest), axis_top(highest)
    return [
        (f"{k * step:,.0f}", round(HEIGHT - (HEIGHT - 6) * k * step / top, 1)) for k in range(round(top / step) + 1)
    ]


def labels(bars: list[Bar]) -> list[Label]:
    """A few period labels, each centred under its bar."""
    return period_labels([bar.label for bar in bars])
