"""The timeline: matches per month as bars of an SVG drawn on the server, each a link to that month."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

#: Up to this many months the bars are months; a longer span is drawn a year a bar.
MAX_MONTH_BARS = 120
WIDTH, HEIGHT = 720, 120


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
    highest = max(count for _, count, _, _ in periods) or 1
    step = WIDTH / len(periods)
    gap = min(2.0, step / 4)
    out = []
    for number, (label, count, since, until) in enumerate(periods):
        height = (HEIGHT - 14) * count / highest
        out.append(Bar(label, count, since, until, number * step, HEIGHT - 14 - height, step - gap, height))
    return out
