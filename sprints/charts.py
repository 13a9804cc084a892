"""Server-rendered charts: the geometry of the burndown and velocity SVGs, as plain data for a
template (sprints/_burndown_chart.html, sprints/_velocity_chart.html). No chart library and no
script: the page stays within the CSP, and the same figures are shown in a table beside the
chart, which is the accessible equivalent.

The inputs are what sprints.selectors returns (Burndown days, VelocityPoint rows).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 30, 14, 34


def _get(row: Any, name: str, default: Any = None) -> Any:
    if isinstance(row, dict):
        return row.get(name, default)
    return getattr(row, name, default)


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at or above value (at least 1): a readable top of the axis."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def _ticks(top: int) -> list[int]:
    """Four or five evenly spaced values from 0 to top."""
    step = max(1, top // 4) if top % 4 == 0 else max(1, nice_ceiling(top / 5))
    return list(range(0, top + 1, step))


@dataclass
class Point:
    x: float
    y: float
    label: str = ""


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    y_ticks: list[Point] = field(default_factory=list)
    x_ticks: list[Point] = field(default_factory=list)
    empty: bool = False


@dataclass
class BurndownChart(Chart):
    remaining: str = ""  # polyline points
    ideal: str = ""
    dots: list[Point] = field(default_factory=list)
    scope_marks: list[Point] = field(default_factory=list)
    today_x: float | None = None


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass
class VelocityChart(Chart):
    committed: list[Bar] = field(default_factory=list)
    completed: list[Bar] = field(default_factory=list)
    average_y: float | None = None
    average: float | None = None


def _y(value: float, top_value: int) -> float:
    span = (HEIGHT - BOTTOM) - TOP
    return round((HEIGHT - BOTTOM) - span * (value / top_value), 1)


def _y_ticks(top_value: int) -> list[Point]:
    return [Point(x=LEFT, y=_y(value, top_value), label=str(value)) for value in _ticks(top_value)]


@dataclass
class BurndownRow:
    """One day of the burndown as the page shows it (chart and table alike)."""

    date: Any
    remaining: int | None  # None: a day still to come
    ideal: float
    working_day: bool = True
    added: list[Any] = field(default_factory=list)  # ScopeChange(key, points)
    removed: list[Any] = field(default_factory=list)
    is_today: bool = False

    @property
    def added_points(self) -> int:
        return sum(change.points for change in self.added)

    @property
    def removed_points(self) -> int:
        return sum(change.points for change in self.removed)


def burndown_rows(days: Sequence[Any], *, today=None) -> list[BurndownRow]:
    """The selector's days as rows. Days after `today` (an active sprint's) and days the selector
    gives no remaining value (after the day a sprint closed early) have none here either: the
    chart's line stops there while the ideal line runs to the end."""
    rows = []
    for day in days:
        future = day.remaining is None or (today is not None and day.date > today)
        rows.append(
            BurndownRow(
                date=day.date,
                remaining=None if future else day.remaining,
                ideal=day.ideal,
                working_day=getattr(day, "working_day", True),
                added=[] if future else list(day.added),
                removed=[] if future else list(day.removed),
                is_today=today is not None and day.date == today,
            )
        )
    return rows


def burndown_chart(rows: Sequence[BurndownRow]) -> BurndownChart:
    """The burndown's geometry: remaining points per day (a line stopping at today), the ideal
    line, and a mark on each day whose scope changed."""
    if not rows:
        return BurndownChart(empty=True)
    values = [v for row in rows for v in (row.remaining, row.ideal) if v is not None]
    top_value = nice_ceiling(max(values, default=1))
    span_x = (WIDTH - RIGHT) - LEFT
    step = span_x / max(len(rows) - 1, 1)
    chart = BurndownChart(y_ticks=_y_ticks(top_value))
    # Label every day on short sprints, fewer on long ones, always the first and the last.
    every = max(1, math.ceil(len(rows) / 8))
    remaining, ideal = [], []
    for index, row in enumerate(rows):
        x = round(LEFT + step * index, 1)
        label = short_date(row.date)
        last = index == len(rows) - 1
        if last and chart.x_ticks and index - round((chart.x_ticks[-1].x - LEFT) / step) <= every / 2:
            chart.x_ticks.pop()  # too close to the last day's label: the last day wins
        if index % every == 0 or last:
            chart.x_ticks.append(Point(x=x, y=HEIGHT - BOTTOM, label=label))
        ideal.append(f"{x},{_y(row.ideal, top_value)}")
        if row.remaining is not None:
            y = _y(row.remaining, top_value)
            remaining.append(f"{x},{y}")
            chart.dots.append(Point(x=x, y=y, label=f"{label}: {row.remaining} points remaining"))
            changes = []
            if row.added:
                changes.append(f"+{row.added_points} added")
            if row.removed:
                changes.append(f"−{row.removed_points} removed")
            if changes:
                chart.scope_marks.append(Point(x=x, y=y, label=f"{label}: scope {', '.join(changes)}"))
        if row.is_today:
            chart.today_x = x
    chart.remaining = " ".join(remaining)
    chart.ideal = " ".join(ideal)
    return chart


def short_date(date) -> str:
    return f"{date.day} {date:%b}"


def velocity_chart(sprints: Sequence[Any]) -> VelocityChart:
    """Bars of committed and completed points per closed sprint (`number`,
    `committed_points`, `completed_points`), oldest first, with the average of completed
    points as a line."""
    if not sprints:
        return VelocityChart(empty=True)
    committed = [_get(s, "committed_points") or 0 for s in sprints]
    completed = [_get(s, "completed_points") or 0 for s in sprints]
    top_value = nice_ceiling(max([*committed, *completed, 1]))
    chart = VelocityChart(y_ticks=_y_ticks(top_value))
    span_x = (WIDTH - RIGHT) - LEFT
    slot = span_x / len(sprints)
    bar = min(28.0, slot * 0.36)
    base = HEIGHT - BOTTOM
    for index, sprint in enumerate(sprints):
        centre = LEFT + slot * index + slot / 2
        number = _get(sprint, "number")
        chart.x_ticks.append(Point(x=round(centre, 1), y=base, label=f"S{number}"))
        for bars, value, offset, what in (
            (chart.committed, committed[index], -bar - 1, "committed"),
            (chart.completed, completed[index], 1, "completed"),
        ):
            y = _y(value, top_value)
            bars.append(
                Bar(
                    x=round(centre + offset, 1),
                    y=y,
                    width=round(bar, 1),
                    height=round(base - y, 1),
                    label=f"Sprint {number}: {value} points {what}",
                )
            )
    chart.average = round(sum(completed) / len(completed), 1)
    chart.average_y = _y(chart.average, top_value)
    return chart
