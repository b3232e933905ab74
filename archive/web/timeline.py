"""The timeline: matches per month as bars of an SVG drawn on the server, each a link to that month, with
a labelled value axis and period labels that keep their size on a phone (as the trend's chart,
:mod:`archive.web.chart`: places across in percent of the width, text in pixels)."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date

from archive.web.chart import Label, nice_step, period_labels

#: Up to this many months the bars are months; a longer span is drawn a year a bar.
MAX_MONTH_BARS = 120
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


def bars(month_counts: dict[str, int]) -> list[Bar]:
    """Bars for every month (or year) from the first to the last with a match, empty ones included so that
    gaps in coverage show; ``month_counts`` maps ``YYYY-MM`` to matches."""
    months = sorted(m for m in month_counts if len(m) == 7 and m[4] == "-" and m[:4].isdigit() and m[5:].isdigit())
    if not months:
        return []
    first, last = (int(months[0][:4]), int(months[0][5:])), (int(months[-1][:4]), int(months[-1][5:]))
    span = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    periods: list[tuple[str, int, date, date]] = []
    if span <= MAX_MONTH_BARS:
        year, month = first
        for _ in range(span):
            key = f"{year:04}-{month:02}"
            end = calendar.monthrange(year, month)[1]
            periods.append((key, month_counts.get(key, 0), date(year, month, 1), date(year, month, end)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        for year in range(first[0], last[0] + 1):
            count = sum(n for key, n in month_counts.items() if key.startswith(f"{year:04}-"))
            periods.append((f"{year:04}", count, date(year, 1, 1), date(year, 12, 31)))
    top = axis_top(max(count for _, count, _, _ in periods))
    step = WIDTH / len(periods)
    gap = min(0.3, step / 4)
    out = []
    for number, (label, count, since, until) in enumerate(periods):
        height = round((HEIGHT - 6) * count / top, 1)
        out.append(
            Bar(label, count, since, until, round(number * step, 3), HEIGHT - height, round(step - gap, 3), height)
        )
    return out


def axis_top(highest: int) -> float:
    """The value at the top of the axis: the highest count rounded up to a round step."""
    step = nice_step(highest)
    return step * max(1, math.ceil(highest / step))


def ticks(bars: list[Bar]) -> list[tuple[str, float]]:
    """The value axis: (label, y) from 0 to the top, a round step apart."""
    if not bars:
        return []
    highest = max(bar.count for bar in bars)
    step, top = nice_step(highest), axis_top(highest)
    return [
        (f"{k * step:,.0f}", round(HEIGHT - (HEIGHT - 6) * k * step / top, 1)) for k in range(round(top / step) + 1)
    ]


def labels(bars: list[Bar]) -> list[Label]:
    """A few period labels, each centred under its bar."""
    return period_labels([bar.label for bar in bars])
