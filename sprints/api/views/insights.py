"""Velocity and the forecast."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog import selectors as backlog_selectors
from backlog.models import Item
from backlog.permissions import access_product_for_user
from config.api import error_responses, parse
from config.errors import InvalidInput

from ... import forecast_display, selectors
from ...forecast import MIN_HISTORY, clear_trend
from ..serializers.insights import ForecastQuerySerializer, ForecastSerializer, VelocitySerializer
from .common import PRODUCT_KEY, item_in_body


@extend_schema(parameters=[PRODUCT_KEY], tags=["velocity"])
class VelocityView(APIView):
    @extend_schema(
        operation_id="velocity_retrieve",
        summary="Velocity: committed and completed points per closed sprint",
        description=(
            "Closed sprints, oldest first, with the points frozen at their close, and the capacity range that "
            "planning uses (lowest and highest completed points of the last 3 closed sprints; null without history)."
        ),
        responses={200: VelocitySerializer, **error_responses(401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key)
        data = {"points": selectors.velocity(product), "capacity": selectors.capacity_range(product)}
        return Response(VelocitySerializer(data).data)


def forecast_message(state: str, forecast, min_history: int) -> str:
    if state != "forecast":
        return {"done": "Done: no work left.", "discarded": "Discarded: no work left."}.get(
            state, "Archived: not in the backlog, so no forecast."
        )
    if not forecast.enough_history:
        return f"Not enough history: a forecast needs {min_history} closed sprints, there are {forecast.history}."
    if not forecast.estimable:
        return "Nothing in the backlog is estimated yet: no size to assume for unestimated items."
    return forecast_display.line_sentence(forecast.line(85)) + "."


def forecast_data(item: Item, position: int | None) -> dict:
    """The item's forecast, as the item page and the backlog markers give it."""
    result = forecast_display.forecast_item(item)
    forecast = result.forecast
    lines = []
    if forecast is not None and forecast.available:
        lines = [
            {
                "likelihood": line.likelihood,
                "sprints_ahead": line.sprints_ahead,
                "sprint_number": line.sprint_number,
                "end_date": line.end_date.isoformat() if line.end_date else None,
                "beyond": line.beyond,
                "text": forecast_display.line_sentence(line),
            }
            for line in forecast.lines
        ]
    if forecast is not None:
        history, enough_history, trend = forecast.history, forecast.enough_history, forecast.trend
    else:
        # Done, discarded or archived: no forecast, but the history is the product's all the same.
        velocities = forecast_display.velocity_history(item.product).velocities
        history, enough_history = len(velocities), len(velocities) >= MIN_HISTORY
        trend = clear_trend(velocities) if enough_history else None
    return {
        "item": item.key,
        "position": position,
        "state": result.state,
        "available": bool(forecast and forecast.available),
        "enough_history": enough_history,
        "estimable": forecast.estimable if forecast else False,
        "history": history,
        "velocity_trend": round(trend, 2) if trend is not None else None,
        "min_history": MIN_HISTORY,
        "points": forecast.points if forecast and forecast.available else None,
        "unestimated_items": forecast.unestimated if forecast else 0,
        "median_estimate": forecast.median if forecast else None,
        "has_unestimated": bool(forecast and forecast.unestimated),
        "message": forecast_message(result.state, forecast, MIN_HISTORY),
        "lines": lines,
    }


@extend_schema(parameters=[PRODUCT_KEY], tags=["velocity"])
class ForecastView(APIView):
    @extend_schema(
        operation_id="forecast_retrieve",
        summary="When the backlog down to a position is done, at 50%, 85% and 95%",
        description=(
            "Give exactly one of `position` (1 is the top) or `item` (a key); both or neither is a 400 naming "
            "them. A Monte Carlo forecast over the completed points of the last closed sprints: the sprint number "
            "and end date by which all remaining work down to the position is done at each likelihood. Fewer than "
            "3 closed sprints: `enough_history` is false and there are no lines. Unestimated items above are "
            "counted at the median estimate and flagged. A position past the end of the backlog, or an item of "
            "another product, is a 400 naming the parameter. The same forecast as the backlog and item pages."
        ),
        parameters=[ForecastQuerySerializer],
        responses={200: ForecastSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key)
        query = parse(ForecastQuerySerializer, request.query_params)
        if "item" in query:
            item = item_in_body(product, query["item"], "item")
            position = backlog_selectors.position_of(item)
        else:
            position = query["position"]
            item = backlog_selectors.live_item_at(product, position)
            if item is None:
                message = f"The backlog of {product.key} holds fewer than {position} items."
                raise InvalidInput(message, fields={"position": [message]})
        item.product = product
        return Response(ForecastSerializer(forecast_data(item, position)).data)
