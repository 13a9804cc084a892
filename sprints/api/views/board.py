"""Sprint items on the board, and the burndown."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog import selectors as backlog_selectors
from backlog.models import Item
from backlog.permissions import Action
from config.api import error_responses, parse
from config.errors import NotFound

from ... import selectors, services
from ...models import Sprint
from ..serializers.board import BurndownSerializer, ColumnSerializer, SprintItemAddSerializer, SprintItemSerializer
from .common import SPRINT_ID, item_in_body, sprint_for

ITEM_KEY = OpenApiParameter(
    "item_key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Key of an item in the sprint, e.g. SHOP-42."
)


def item_in_path(sprint: Sprint, key: str) -> Item:
    """The product's item named in the path (404 when there is none)."""
    item = backlog_selectors.item_of_product(sprint.product, key)
    if item is None:
        raise NotFound(f"No item {key} in {sprint.product.key}.")
    return item


def sprint_item_data(request: Request, sprint: Sprint, item: Item) -> dict:
    row = selectors.sprint_items(sprint, include_removed=True).get(item=item)
    return SprintItemSerializer(row, context={"request": request}).data


@extend_schema(parameters=[SPRINT_ID], tags=["sprint items"])
class SprintItemListView(APIView):
    @extend_schema(
        operation_id="sprint_items_list",
        summary="Items of a sprint, in backlog order",
        description=(
            "A plain list (a sprint holds tens of items, not thousands), in backlog order, with each item's "
            "board column, whether it was committed at the start or added later (who, when), and — for items "
            "taken out of an active sprint — when and by whom (`removed`: they stay as removed scope)."
        ),
        responses={200: SprintItemSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id)
        # Removed scope too: the record of what left the sprint (the board shows live items only).
        rows = selectors.sprint_items(sprint, include_removed=True)
        return Response(SprintItemSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="sprint_items_create",
        summary="Add an item to a sprint",
        description=(
            "Product owner and scrum master. Into a planned sprint the item is planned (committed when the sprint "
            "starts); into an active sprint it is recorded as added scope. A closed sprint is a 400 naming "
            "`sprint`; an unknown, archived, done or discarded item, or one already in an open sprint, a 400 "
            "naming `item`."
        ),
        request=SprintItemAddSerializer,
        responses={201: SprintItemSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
        data = parse(SprintItemAddSerializer, request.data)
        item = item_in_body(sprint.product, data["item"], "item")
        services.add_to_sprint(sprint=sprint, item=item, by=request.user)
        body = sprint_item_data(request, sprint, item)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


@extend_schema(parameters=[SPRINT_ID, ITEM_KEY], tags=["sprint items"])
class SprintItemDetailView(APIView):
    @extend_schema(
        operation_id="sprint_items_retrieve",
        summary="One item of a sprint",
        description="Its column, and when and by whom it was added (or removed). Any member.",
        responses={200: SprintItemSerializer, **error_responses(401, 404)},
    )
    def get(self, request, sprint_id, item_key):
        sprint = sprint_for(request, sprint_id)
        item = item_in_path(sprint, item_key)
        if not selectors.sprint_items(sprint, include_removed=True).filter(item=item).exists():
            raise NotFound(f"{item.key} is not in {sprint}.")
        return Response(sprint_item_data(request, sprint, item))

    @extend_schema(
        operation_id="sprint_items_destroy",
        summary="Remove an item from a sprint",
        description=(
            "Product owner and scrum master. From a planned sprint the item simply leaves; from an active one its "
            "remaining work is recorded as removed scope. A closed sprint is a 400 naming `sprint`; an item not "
            "in the sprint, a 400 naming `item`."
        ),
        responses={204: None, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request, sprint_id, item_key):
        sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
        item = item_in_path(sprint, item_key)
        services.remove_from_sprint(sprint=sprint, item=item, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[SPRINT_ID, ITEM_KEY], tags=["sprint items"])
class SprintItemColumnView(APIView):
    @extend_schema(
        operation_id="sprint_items_column",
        summary="Move an item across the board",
        description=(
            "Team members (not stakeholders), in an active sprint only (else a 400 naming `sprint`). Into `done` "
            "the item's points count as done and the item becomes done; out of it, the work is reopened."
        ),
        request=ColumnSerializer,
        responses={200: SprintItemSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, sprint_id, item_key):
        sprint = sprint_for(request, sprint_id, Action.EDIT_ITEMS)
        item = item_in_path(sprint, item_key)
        data = parse(ColumnSerializer, request.data)
        services.set_column(sprint=sprint, item=item, by=request.user, column=data["column"])
        return Response(sprint_item_data(request, sprint, item))


@extend_schema(parameters=[SPRINT_ID], tags=["sprints"])
class BurndownView(APIView):
    @extend_schema(
        operation_id="sprints_burndown",
        summary="A sprint's burndown",
        description=(
            "The figures of the burndown chart, computed from recorded events (so a closed sprint's stay true): "
            "remaining points per day against the ideal line, and the scope added or removed each day. Days "
            "are counted in your time zone, as on the sprint's pages."
        ),
        responses={200: BurndownSerializer, **error_responses(401, 404)},
    )
    def get(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id)
        return Response(BurndownSerializer(selectors.burndown(sprint), context={"sprint": sprint}).data)
