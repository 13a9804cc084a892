"""Product goals: set one, list them, mark one achieved or abandoned."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog import selectors as backlog_selectors
from backlog import services as backlog_services
from backlog.permissions import Action, access_product_for_user
from config.api import error_responses, parse

from ... import selectors
from ..serializers.goals import ProductGoalCreateSerializer, ProductGoalSerializer, ProductGoalUpdateSerializer
from .common import PRODUCT_KEY

GOAL_ID = OpenApiParameter("goal_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The goal's id.")


@extend_schema(parameters=[PRODUCT_KEY], tags=["goals"])
class ProductGoalListView(APIView):
    @extend_schema(
        operation_id="goals_list",
        summary="The product's goals, newest first",
        description="A plain list: the active goal (at most one) and the past ones, achieved or abandoned.",
        responses={200: ProductGoalSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key)
        goals = backlog_selectors.product_goals(product)
        return Response(ProductGoalSerializer(goals, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="goals_create",
        summary="Set the product goal",
        description=(
            "Product owner only. Refused with a 400 naming `title` (code `goal_active`) while another goal is "
            "active: mark that one achieved or abandoned first."
        ),
        request=ProductGoalCreateSerializer,
        responses={201: ProductGoalSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, key):
        product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
        data = parse(ProductGoalCreateSerializer, request.data)
        goal = backlog_services.set_product_goal(product=product, by=request.user, **data)
        body = ProductGoalSerializer(goal, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


@extend_schema(
    parameters=[GOAL_ID],
    tags=["goals"],
)
class ProductGoalDetailView(APIView):
    @extend_schema(
        operation_id="goals_retrieve",
        summary="One product goal",
        description="Any member.",
        responses={200: ProductGoalSerializer, **error_responses(401, 404)},
    )
    def get(self, request, goal_id):
        goal = selectors.product_goal_for_user(request.user, goal_id)
        return Response(ProductGoalSerializer(goal, context={"request": request}).data)

    @extend_schema(
        operation_id="goals_partial_update",
        summary="Mark the product goal achieved or abandoned",
        description="Product owner only. A goal ends once: closing a past goal again is a 400 naming `status`.",
        request=ProductGoalUpdateSerializer,
        responses={200: ProductGoalSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def patch(self, request, goal_id):
        goal = selectors.product_goal_for_user(request.user, goal_id, Action.MANAGE_PRODUCT)
        data = parse(ProductGoalUpdateSerializer, request.data)
        goal = backlog_services.close_product_goal(goal=goal, by=request.user, status=data["status"])
        return Response(ProductGoalSerializer(goal, context={"request": request}).data)
