"""Sprints: list, plan, read, edit, start and close."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog.api.serializers import absolute
from backlog.models import Product, ProductGoal
from backlog.permissions import Action, access_product_for_user
from config.api import (
    PAGE_PARAMETERS,
    OrdoCursorPagination,
    error_responses,
    etag,
    if_match_versions,
    parse,
    precondition_failed,
)
from config.errors import InvalidInput, StaleVersion

from ... import selectors, services
from ...models import Sprint
from ..serializers.common import EmptySerializer
from ..serializers.sprints import (
    SprintCloseSerializer,
    SprintCreateSerializer,
    SprintDetailSerializer,
    SprintPageSerializer,
    SprintSerializer,
    SprintUpdateSerializer,
    StaleSprintSerializer,
)
from .common import ETAG_HEADER, IF_MATCH, NO_BODY, PRODUCT_KEY, SPRINT_ID, sprint_for


class SprintPagination(OrdoCursorPagination):
    # Newest first; the cursor's position is a sprint number.
    ordering = "-number"
    position_pattern = re.compile(r"[0-9]{1,10}")


def fresh(sprint: Sprint) -> Sprint:
    """The sprint as it is now, read with what its serializer shows."""
    return selectors.sprints_of(sprint.product).get(pk=sprint.pk)


def sprint_data(request: Request, sprint: Sprint) -> dict:
    """The sprint as the API shows it, with its numbers now."""
    summary = selectors.sprint_summary(sprint)
    return SprintDetailSerializer(sprint, context={"request": request, "summary": summary}).data


def sprint_response(request: Request, sprint: Sprint, *, status_code: int = status.HTTP_200_OK, **headers) -> Response:
    """The sprint as it is now (re-read: a service may have changed it), with its ETag."""
    sprint = fresh(sprint)
    return Response(sprint_data(request, sprint), status=status_code, headers={"ETag": etag(sprint), **headers})


def stale_sprint_response(request: Request, current: Sprint, message: str) -> Response:
    """412 with the sprint as it is now, so the client can merge and retry with its ETag."""
    current = fresh(current)
    return precondition_failed(sprint_data(request, current), message, current)


def goal_in_body(product: Product, goal_id: int | None) -> ProductGoal | None:
    """The product's goal with this id (400 naming product_goal when it is not the product's)."""
    if goal_id is None:
        return None
    goal = selectors.product_goal_of(product, goal_id)
    if goal is None:
        raise InvalidInput("No such product goal here.", fields={"product_goal": ["No goal with that id here."]})
    return goal


@extend_schema(parameters=[PRODUCT_KEY], tags=["sprints"])
class SprintListView(APIView):
    @extend_schema(
        operation_id="sprints_list",
        summary="Sprints of a product, newest first",
        description=(
            "Cursor-paginated, newest first. Rows carry no live summary (read a sprint for that); closed "
            "sprints carry their `outcome`, frozen at close."
        ),
        parameters=PAGE_PARAMETERS,
        responses={200: SprintPageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key)
        paginator = SprintPagination()
        page = paginator.paginate_queryset(selectors.sprints_of(product), request, view=self)
        return paginator.get_paginated_response(SprintSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="sprints_create",
        summary="Plan a sprint",
        description=(
            "Product owner and scrum master. The sprint is planned, numbered after the product's last one. "
            "A goal is optional now but required to start it; `product_goal` is the id of one of the product's goals."
        ),
        request=SprintCreateSerializer,
        responses={201: SprintDetailSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, key):
        product = access_product_for_user(request.user, key, Action.PLAN_SPRINTS)
        data = dict(parse(SprintCreateSerializer, request.data))
        data["product_goal"] = goal_in_body(product, data.get("product_goal"))
        sprint = services.create_sprint(product=product, by=request.user, **data)
        return sprint_response(
            request,
            sprint,
            status_code=status.HTTP_201_CREATED,
            Location=absolute(request, "api-sprint-detail", sprint_id=sprint.pk),
        )


@extend_schema(parameters=[SPRINT_ID], tags=["sprints"])
class SprintDetailView(APIView):
    @extend_schema(
        operation_id="sprints_retrieve",
        summary="A sprint",
        description="With its numbers now (`summary`) and, once closed, the outcome frozen at close. "
        "The ETag header is the version.",
        parameters=[ETAG_HEADER],
        responses={200: SprintDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, sprint_id):
        return sprint_response(request, sprint_for(request, sprint_id))

    @extend_schema(
        operation_id="sprints_partial_update",
        summary="Edit a sprint's goal, dates or product goal",
        description=(
            "Product owner and scrum master. Send only the fields to change; unknown fields are a 400. A closed "
            "sprint keeps its plan (a 400 naming the fields); an active one keeps a goal. With `If-Match`, a stale "
            "version is refused with 412 and the sprint as it is now."
        ),
        parameters=[IF_MATCH, ETAG_HEADER],
        request=SprintUpdateSerializer,
        responses={
            200: SprintDetailSerializer,
            412: OpenApiResponse(StaleSprintSerializer, description="Stale If-Match: the sprint as it is now."),
            **error_responses(400, 401, 403, 404, 415),
        },
    )
    def patch(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
        versions = if_match_versions(request)
        if versions is not None and sprint.version not in versions:
            return stale_sprint_response(request, sprint, f"Someone changed {sprint} since you read it.")
        data = dict(parse(SprintUpdateSerializer, request.data))
        if "product_goal" in data:
            data["product_goal"] = goal_in_body(sprint.product, data["product_goal"])
        expected = sprint.version if versions is not None else None
        try:
            services.update_sprint(sprint=sprint, by=request.user, changes=data, expected_version=expected)
        except StaleVersion as stale:
            return stale_sprint_response(request, stale.current, stale.message)
        return sprint_response(request, sprint)


@extend_schema(parameters=[SPRINT_ID], tags=["sprints"])
class SprintStartView(APIView):
    @extend_schema(
        operation_id="sprints_start",
        summary="Start a planned sprint",
        description=(
            "Product owner and scrum master. Takes no body. Refused with a 400 naming `goal` when the sprint has "
            "no goal, and naming `sprint` when it is not planned or another sprint is active. The items in it "
            "become its committed work."
        ),
        request=NO_BODY,
        parameters=[ETAG_HEADER],
        responses={200: SprintDetailSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
        parse(EmptySerializer, request.data)
        services.start_sprint(sprint=sprint, by=request.user)
        return sprint_response(request, sprint)


@extend_schema(parameters=[SPRINT_ID], tags=["sprints"])
class SprintCloseView(APIView):
    @extend_schema(
        operation_id="sprints_close",
        summary="Close the active sprint",
        description=(
            "Product owner and scrum master: whoever may close a sprint places its unfinished items. "
            "`goal_outcome` says whether the sprint goal was met; `placements` maps each unfinished item's key to "
            "`top` (the default: the top of the backlog, in sprint order), `next` (the next planned sprint) or "
            "`keep` (its old position). Keys that are not unfinished items of the sprint, or `next` with no "
            "planned sprint, are a 400 naming `placements`, and nothing changes. The outcome is then frozen."
        ),
        request=SprintCloseSerializer,
        parameters=[ETAG_HEADER],
        responses={200: SprintDetailSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
        data = parse(SprintCloseSerializer, request.data)
        services.close_sprint(sprint=sprint, by=request.user, **data)
        return sprint_response(request, sprint)
