"""The forecast shown on the backlog and item pages, through backlog.extensions, and the reads
behind it (also used by the sprints API).

Queries are constant per page: one for the velocity history (read once per request and kept on
the product object), one for the backlog's estimates (the median for unestimated items) and the
remaining points above the first row, and — only when a filter makes the rows non-consecutive —
one numbering the live backlog.

Public reads (stable; the sprints API uses them): `forecast_item(item)` and
`forecast_position(product, position)` → `ItemForecast` (state + `forecast.Forecast`);
`forecaster_for(product)`, `velocity_history(product)`, `backlog_estimates(product, above_rank=)`.

Remaining work is what the forecast counts: done and discarded items above a position add no
points, and get no forecast themselves; archived items are not in the backlog at all.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils.formats import date_format

from backlog import extensions
from backlog.models import ESTIMATE_SCALE, Item, Product

from .forecast import HORIZON, MIN_HISTORY, Forecast, Forecaster, SprintClock, median_estimate
from .models import Sprint

# The velocity the forecast rests on: the last closed sprints, at most this many. Older sprints
# describe a team that has changed since.
HISTORY_WINDOW = 10
DEFAULT_SPRINT_DAYS = 14
FINISHED = (Item.Status.DONE, Item.Status.DISCARDED)
_CACHE = "_ordo_forecaster"


@dataclass(frozen=True)
class VelocityHistory:
    velocities: tuple[int, ...]  # completed points, oldest first
    clock: SprintClock | None  # None: no closed sprint yet


def velocity_history(product: Product) -> VelocityHistory:
    """Completed points of the product's last closed sprints (oldest first) and the clock that
    counts forward from the last of them. One query."""
    closed = list(
        Sprint.objects.filter(product=product, status=Sprint.Status.CLOSED)
        .order_by("-number")
        .values("number", "start_date", "end_date", "outcome__completed_points")[:HISTORY_WINDOW]
    )
    closed.reverse()
    velocities = tuple(
        max(0, int(row["outcome__completed_points"]))
        for row in closed
        if isinstance(row["outcome__completed_points"], int | float)
    )
    if not closed:
        return VelocityHistory(velocities, None)
    last = closed[-1]
    gaps = [(b["end_date"] - a["end_date"]).days for a, b in zip(closed, closed[1:], strict=False)]
    gaps = [gap for gap in gaps if gap > 0]
    # Sprint length from the spacing of recent sprints' ends (a Monday–Friday sprint's own dates
    # undercount it); the last sprint's own span when it is the only one.
    length = int(statistics.median(gaps)) if gaps else (last["end_date"] - last["start_date"]).days + 1
    clock = SprintClock(
        last_number=last["number"], last_end=last["end_date"], length_days=length or DEFAULT_SPRINT_DAYS
    )
    return VelocityHistory(velocities, clock)


def forecaster_for(product: Product) -> Forecaster:
    """The product's forecaster: one query the first time, then kept on this product object
    (so the backlog panel and the row markers of one page share it)."""
    cached = product.__dict__.get(_CACHE)
    if cached is None:
        history = velocity_history(product)
        cached = Forecaster(history.velocities, clock=history.clock)
        product.__dict__[_CACHE] = cached
    return cached


@dataclass(frozen=True)
class BacklogEstimates:
    median: float | None  # of the estimated live items, discarded ones aside
    points_above: int  # remaining estimated points strictly above the rank given
    unestimated_above: int


def backlog_estimates(product: Product, *, above_rank: str | None = None) -> BacklogEstimates:
    """The median estimate of the backlog and the remaining work above a rank, in one query."""
    remaining_above = Q(rank__lt=above_rank) & ~Q(status__in=FINISHED) if above_rank else Q(pk__in=[])
    totals = (
        Item.objects.filter(product=product, archived_at__isnull=True)
        .exclude(status=Item.Status.DISCARDED)
        .aggregate(
            points_above=Sum("estimate", filter=remaining_above),
            unestimated_above=Count("id", filter=remaining_above & Q(estimate__isnull=True)),
            **{f"size_{value}": Count("id", filter=Q(estimate=value)) for value in ESTIMATE_SCALE},
        )
    )
    sizes = [value for value in ESTIMATE_SCALE for _ in range(totals[f"size_{value}"])]
    return BacklogEstimates(
        median=median_estimate(sizes),
        points_above=totals["points_above"] or 0,
        unestimated_above=totals["unestimated_above"],
    )


def _remaining_down_to(product: Product, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Remaining estimated points and unestimated items from the top down to each of the given
    live items, numbered over the whole live backlog in one query (filtered rows are not
    consecutive, so their running totals cannot be summed from the rows themselves)."""
    table = Item._meta.db_table
    placeholders = ", ".join(["%s"] * len(ids))
    remaining = "status NOT IN (%s, %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, points, unestimated FROM (SELECT id, "
            f"SUM(CASE WHEN {remaining} THEN COALESCE(estimate, 0) ELSE 0 END) "
            f"OVER (ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS points, "
            f"SUM(CASE WHEN {remaining} AND estimate IS NULL THEN 1 ELSE 0 END) "
            f"OVER (ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS unestimated "
            f"FROM {table} WHERE product_id = %s AND archived_at IS NULL) numbered WHERE id IN ({placeholders})",
            [*FINISHED, *FINISHED, product.pk, *ids],
        )
        return {pk: (int(points), int(unestimated)) for pk, points, unestimated in cursor.fetchall()}


# --- Public reads (the item page and the API) ---------------------------------------------------


@dataclass(frozen=True)
class ItemForecast:
    """An item's forecast, or why it has none: `state` is "forecast", "done", "discarded" or
    "archived" (the last three carry no `forecast`)."""

    state: str
    forecast: Forecast | None = None


def forecast_item(item: Item) -> ItemForecast:
    """When the backlog down to this item is done, at each likelihood. Two queries."""
    if item.archived_at is not None:
        return ItemForecast("archived")
    if item.status in FINISHED:
        return ItemForecast(str(item.status))
    forecaster = forecaster_for(item.product)
    if not forecaster.enough_history:
        return ItemForecast("forecast", forecaster.at(0))
    estimates = backlog_estimates(item.product, above_rank=item.rank)
    unestimated = estimates.unestimated_above + (item.estimate is None)
    points = estimates.points_above + (item.estimate or 0)
    return ItemForecast("forecast", forecaster.at(points, unestimated=unestimated, median=estimates.median))


def forecast_position(product: Product, position: int) -> ItemForecast | None:
    """The forecast for the item at a 1-based position among the live items (None: no item
    there)."""
    if position < 1:
        return None
    item = (
        Item.objects.filter(product=product, archived_at__isnull=True)
        .select_related("product")
        .order_by("rank")[position - 1 : position]
        .first()
    )
    if item is None:
        return None
    item.product = product
    return forecast_item(item)


# --- Page texts ------------------------------------------------------------------------------------


def short_date(value) -> str:
    """ "10 Feb"; a forecast date past the calendar's end (SprintClock) has none."""
    return "no date" if value is None else date_format(value, "j M")


def line_text(line) -> str:
    """ "Sprint 14 (10 Feb)", or "beyond 100 sprints"."""
    if line.beyond:
        return f"beyond {HORIZON} sprints"
    if line.sprint_number is None:
        return f"{line.sprints_ahead} sprints from now"
    return f"Sprint {line.sprint_number} ({short_date(line.end_date)})"


def line_sentence(line, *, done: bool = True) -> str:
    """ "85% likely done by Sprint 14, 10 Feb", "85% likely done: beyond 100 sprints", or
    "… within 3 sprints" without a clock; `done=False` drops "done" (the digest's wording).
    The one way a forecast line is said: markers, the API and digests."""
    said = f"{line.likelihood}% likely{' done' if done else ''}"
    if line.beyond:
        return f"{said}: beyond {HORIZON} sprints"
    if line.sprint_number is None:
        return f"{said} within {line.sprints_ahead} sprints"
    return f"{said} by Sprint {line.sprint_number}, {short_date(line.end_date)}"


def trend_text(trend: float | None) -> str:
    """What a clear trend in the velocity does to the forecast, in a sentence ("" without one)."""
    if trend is None:
        return ""
    falling = trend < 0
    said = (
        f"Velocity has been {'falling' if falling else 'rising'} by about {abs(trend):.1f} points a sprint, "
        f"so the forecast leans {'later' if falling else 'earlier'}; it expects the change to slow down "
        "rather than go on for ever."
    )
    if falling:
        # A fall that goes on is where the forecast is optimistic (bench/forecast.py: a steady
        # fall's 85% line comes true ~79% of the time, its 95% line ~91–94%).
        said += " If it keeps falling at this rate, plan by the 95% line."
    return said


def unestimated_text(forecast: Forecast) -> str:
    if not forecast.unestimated:
        return ""
    median = f"{forecast.median:g}"
    items = "item" if forecast.unestimated == 1 else "items"
    return f"Counts {forecast.unestimated} unestimated {items} at the median estimate, {median} points each."


# --- Extension points ---------------------------------------------------------------------------


def backlog_panel(*, product: Product, user, rows) -> dict | None:
    """What the forecast rests on, and what the three likelihoods mean."""
    forecaster = forecaster_for(product)
    return {
        "enough_history": forecaster.enough_history,
        "history": forecaster.history,
        "min_history": MIN_HISTORY,
        "simulations": forecaster.simulations,
        "trend": trend_text(forecaster.trend),
    }


def item_panel(*, item: Item, user) -> dict | None:
    """The item's forecast at 50%, 85% and 95%."""
    result = forecast_item(item)
    if result.state == "archived":
        return None
    forecast = result.forecast
    lines = []
    if forecast is not None and forecast.available:
        lines = [{"likelihood": line.likelihood, "text": line_text(line)} for line in forecast.lines]
    return {
        "state": result.state,
        "forecast": forecast,
        "lines": lines,
        "unestimated": unestimated_text(forecast) if forecast is not None else "",
        "trend": trend_text(forecast.trend) if forecast is not None else "",
        "min_history": MIN_HISTORY,
    }


def row_markers(*, product: Product, user, rows) -> dict[int, list[extensions.RowMarker]]:
    """On each row where the 85% forecast moves to a later sprint, "85% likely done by Sprint
    14, 10 Feb" (the other likelihoods in its title)."""
    live = [row for row in rows if row.item.archived_at is None]
    if not live:
        return {}
    forecaster = forecaster_for(product)
    if not forecaster.enough_history:
        return {}
    consecutive = all(row.position == live[0].position + n for n, row in enumerate(live))
    estimates = backlog_estimates(product, above_rank=live[0].item.rank if consecutive else None)
    median = estimates.median
    if consecutive:
        points, unestimated, totals = estimates.points_above, estimates.unestimated_above, {}
        # The item just above the page decides whether the first row starts a new sprint.
        previous = (
            _sprint85(forecaster.at(points, unestimated=unestimated, median=median)) if points or unestimated else None
        )
    else:
        totals = _remaining_down_to(product, [row.item.pk for row in live])
        points = unestimated = 0
        previous = None
    markers: dict[int, list[extensions.RowMarker]] = {}
    for row in live:
        item = row.item
        if consecutive:
            if item.status in FINISHED:
                continue
            points += item.estimate or 0
            unestimated += item.estimate is None
        else:
            if item.status in FINISHED or item.pk not in totals:
                continue
            points, unestimated = totals[item.pk]
        forecast = forecaster.at(points, unestimated=unestimated, median=median)
        if not forecast.available:
            continue
        sprint85 = _sprint85(forecast)
        if sprint85 != previous:
            markers[item.pk] = [_marker(forecast)]
            previous = sprint85
    return markers


def _sprint85(forecast: Forecast):
    line = forecast.line(85) if forecast.available else None
    return None if line is None else (line.sprint_number if not line.beyond else "beyond")


def _marker(forecast: Forecast) -> extensions.RowMarker:
    text = line_sentence(forecast.line(85))
    if forecast.unestimated:
        text += f" (incl. {forecast.unestimated} unestimated)"
    title = " · ".join(f"{each.likelihood}% by {line_text(each)}" for each in forecast.lines)
    if forecast.unestimated:
        title += f". {unestimated_text(forecast)}"
    css = "forecast-marker" + (" has-unestimated" if forecast.unestimated else "")
    return extensions.RowMarker(text=text, css_class=css, title=title, detail=title)


def register() -> None:
    """Register the forecast panels and row markers with backlog.extensions."""
    extensions.register_backlog_panel(extensions.Panel("sprints/_forecast_backlog_panel.html", backlog_panel, order=50))
    extensions.register_item_panel(extensions.Panel("sprints/_forecast_item_panel.html", item_panel, order=50))
    extensions.register_row_markers(row_markers)
