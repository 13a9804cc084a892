"""The sprint review: notes, feedback (and turning it into an item), hypothesis outcomes."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog import selectors as backlog_selectors
from backlog.api.serializers import ItemSerializer
from backlog.permissions import Action
from config.api import error_responses, etag, if_match_versions, parse, precondition_failed
from config.errors import InvalidInput, StaleVersion

from ... import selectors, services
from ...models import Sprint
from ..serializers.review import (
    FeedbackCreateSerializer,
    FeedbackSerializer,
    FeedbackToItemSerializer,
    HypothesisOutcomeCreateSerializer,
    HypothesisOutcomeSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
    StaleReviewSerializer,
)
from .common import ETAG_HEADER, IF_MATCH, SPRINT_ID, item_in_body, sprint_for

FEEDBACK_ID = OpenApiParameter("feedback_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The feedback's id.")


def review_data(request: Request, sprint: Sprint) -> dict:
    return ReviewSerializer(selectors.review(sprint), context={"request": request, "sprint": sprint}).data


def review_response(request: Request, sprint: Sprint) -> Response:
    return Response(review_data(request, sprint), headers={"ETag": etag(sprint)})


@extend_schema(parameters=[SPRINT_ID], tags=["review"])
class ReviewView(APIView):
    @extend_schema(
        operation_id="reviews_retrieve",
        summary="A sprint's review",
        description="Summary notes, the increment (done items), feedback and hypothesis outcomes. Any member.",
        parameters=[ETAG_HEADER],
        responses={200: ReviewSerializer, **error_responses(401, 404)},
    )
    def get(self, request, sprint_id):
        return review_response(request, sprint_for(request, sprint_id))

    @extend_schema(
        operation_id="reviews_partial_update",
        summary="Write a sprint's review notes",
        description=(
            "Product owner and scrum master, at any stage of the sprint (a closed sprint's notes too). The notes "
            "are the sprint's: the ETag is the sprint's version, and a stale `If-Match` is a 412 with the review "
            "as it is now."
        ),
        parameters=[IF_MATCH, ETAG_HEADER],
        request=ReviewUpdateSerializer,
        responses={
            200: ReviewSerializer,
            412: OpenApiResponse(StaleReviewSerializer, description="Stale If-Match: the review as it is now."),
            **error_responses(400, 401, 403, 404, 415),
        },
    )
    def patch(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
        versions = if_match_versions(request)
        if versions is not None and sprint.version not in versions:
            return self.stale(request, sprint, f"Someone changed the review of {sprint} since you read it.")
        data = parse(ReviewUpdateSerializer, request.data)
        expected = sprint.version if versions is not None else None
        try:
            sprint = services.update_sprint(
                sprint=sprint, by=request.user, changes={"review_notes": data["notes"]}, expected_version=expected
            )
        except StaleVersion as stale:
            return self.stale(request, stale.current, stale.message)
        except InvalidInput as error:
            # The service knows the sprint's field; this request calls it `notes`.
            error.fields = {
                "notes" if name == "review_notes" else name: messages for name, messages in error.fields.items()
            }
            raise
        return review_response(request, sprint)

    def stale(self, request: Request, current: Sprint, message: str) -> Response:
        return precondition_failed(review_data(request, current), message, current)


@extend_schema(parameters=[SPRINT_ID], tags=["review"])
class FeedbackListView(APIView):
    @extend_schema(
        operation_id="feedback_list",
        summary="Feedback given at a sprint's review",
        description="A plain list, oldest first. Any member.",
        responses={200: FeedbackSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id)
        rows = selectors.feedback_of(sprint)
        return Response(FeedbackSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="feedback_create",
        summary="Give feedback",
        description="Any member, stakeholders included; `about` optionally names an item of the product.",
        request=FeedbackCreateSerializer,
        responses={201: FeedbackSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.REVIEW_FEEDBACK)
        data = parse(FeedbackCreateSerializer, request.data)
        about = item_in_body(sprint.product, data["about"], "about") if data.get("about") else None
        feedback = services.add_feedback(sprint=sprint, by=request.user, body=data["body"], about=about)
        feedback = selectors.feedback_of(sprint).get(pk=feedback.pk)
        return Response(FeedbackSerializer(feedback, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[FEEDBACK_ID],
    tags=["review"],
)
class FeedbackItemView(APIView):
    @extend_schema(
        operation_id="feedback_to_item",
        summary="Turn feedback into a backlog item",
        description=(
            "Product owner only. The new item quotes the feedback and lands at `position` (1 is the top; past the "
            "end, the bottom); the feedback's `became` then names it. Feedback becomes an item once: again is a "
            "400 naming `feedback`."
        ),
        request=FeedbackToItemSerializer,
        responses={201: ItemSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, feedback_id):
        feedback = selectors.feedback_for_user(request.user, feedback_id, Action.RANK)
        data = parse(FeedbackToItemSerializer, request.data)
        item = services.feedback_to_item(feedback=feedback, by=request.user, **data)
        positions = {item.pk: backlog_selectors.position_of(item)}
        body = ItemSerializer(item, context={"request": request, "positions": positions}).data
        headers = {"Location": body["url"], "ETag": f'"{item.version}"'}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


@extend_schema(parameters=[SPRINT_ID], tags=["review"])
class HypothesisOutcomeView(APIView):
    @extend_schema(
        operation_id="hypothesis_outcomes_create",
        summary="Record what a done item's hypothesis turned out to be",
        description=(
            "Product owner and scrum master. Only items done in the sprint that carry a hypothesis (else a 400 "
            "naming `item`); recording again replaces the verdict."
        ),
        request=HypothesisOutcomeCreateSerializer,
        responses={201: HypothesisOutcomeSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
        data = dict(parse(HypothesisOutcomeCreateSerializer, request.data))
        data["item"] = item_in_body(sprint.product, data["item"], "item")
        outcome = services.record_hypothesis_outcome(sprint=sprint, by=request.user, **data)
        return Response(HypothesisOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)
