"""Sprints API views: parse, ask the policy, call a service or selector, respond.

Status precedence is the backlog API's: 401 (DRF authentication), 404 (not a member, or no such
thing), 403 (a role without the right), 412 (stale If-Match), 400 (the body). So every view asks
the policy for the action it is about to take before it reads the body; the service asks again.
Lifecycle refusals (starting a sprint without a goal, adding to a closed sprint) come from the
services as InvalidInput: a 400 naming the field.
"""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog import selectors as backlog_selectors
from backlog import services as backlog_services
from backlog.api.serializers import ItemSerializer, absolute
from backlog.api.views import if_match_versions
from backlog.models import Item, Membership, Product, ProductGoal
from backlog.permissions import Action, access_product_for_user, require
from config.api import OrdoCursorPagination, error_responses, parse
from config.errors import InvalidInput, NotFound, StaleVersion

from .. import forecast_display, selectors, services
from ..forecast import MIN_HISTORY
from ..models import ActionItem, Feedback, RetroCard, Sprint, SprintItem
from .serializers import (
    ActionItemCreateSerializer,
    ActionItemSerializer,
    ActionItemUpdateSerializer,
    BurndownSerializer,
    ColumnSerializer,
    EmptySerializer,
    FeedbackCreateSerializer,
    FeedbackSerializer,
    FeedbackToItemSerializer,
    ForecastQuerySerializer,
    ForecastSerializer,
    HypothesisOutcomeCreateSerializer,
    HypothesisOutcomeSerializer,
    ProductGoalCreateSerializer,
    ProductGoalSerializer,
    ProductGoalUpdateSerializer,
    RetroCardCreateSerializer,
    RetroCardSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
    SprintCloseSerializer,
    SprintCreateSerializer,
    SprintDetailSerializer,
    SprintItemAddSerializer,
    SprintItemSerializer,
    SprintPageSerializer,
    SprintSerializer,
    SprintUpdateSerializer,
    StaleReviewSerializer,
    StaleSprintSerializer,
    VelocitySerializer,
    VotesSerializer,
)

PRODUCT_KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Product key, e.g. SHOP.")
SPRINT_ID = OpenApiParameter("sprint_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The sprint's id.")
ITEM_KEY = OpenApiParameter(
    "item_key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Key of an item in the sprint, e.g. SHOP-42."
)
PAGE = [
    OpenApiParameter("cursor", OpenApiTypes.STR, description="Opaque cursor from a `next`/`previous` link."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 200 (larger is capped at 200); default 50."),
]
ETAG_HEADER = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True, description='The sprint\'s version, quoted: "3".'
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='Optional. The ETag you read ("3"); if the sprint changed since, the answer is 412 with the sprint '
    "as it is now. A header that is not a list of entity tags (or `*`) is a 400.",
)
FEEDBACK_ID = OpenApiParameter("feedback_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The feedback's id.")
CARD_ID = OpenApiParameter("card_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The card's id.")
ACTION_ID = OpenApiParameter("action_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The action item's id.")
GOAL_ID = OpenApiParameter("goal_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The goal's id.")
# Actions that take no body: nothing, or an empty JSON object (any key is a 400 naming it).
NO_BODY = {
    "application/json": {
        "type": "object",
        "additionalProperties": False,
        "maxProperties": 0,
        "description": "No body, or an empty object: any key is a 400 naming it.",
    }
}
RETRO_HIDDEN = "Stakeholders get 404 for all of the retrospective, as outsiders do."


class SprintPagination(OrdoCursorPagination):
    # Newest first; the cursor's position is a sprint number.
    ordering = "-number"
    position_pattern = re.compile(r"[0-9]{1,10}")


# --- Helpers -------------------------------------------------------------------------------------


def sprint_for(request: Request, sprint_id: str, action: Action = Action.READ) -> Sprint:
    """The sprint, if the caller may take the action on its product (404, then 403)."""
    return selectors.sprint_for_user(request.user, int(sprint_id), action)


def _in_product(model, pk: str, user, action: Action, *, what: str, product_path: str = "sprint__product"):
    """A row reached by its own id (feedback, retro card, action item, goal), checked against
    the policy of its product: 404 for no such row and for outsiders alike, then 403."""
    row = model.objects.select_related(product_path).filter(pk=int(pk)).first()
    if row is None:
        raise NotFound(f"No {what} {pk}.")
    product = row
    for step in product_path.split("__"):
        product = getattr(product, step)
    require(user, product, action, not_found=f"No {what} {pk}.")
    return row


def etag(sprint: Sprint) -> str:
    return f'"{sprint.version}"'


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
    body = {**sprint_data(request, current), "detail": message, "code": StaleVersion.code, "fields": {}}
    return Response(body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": etag(current)})


def product_goal_of(product: Product, goal_id: int | None) -> ProductGoal | None:
    """The product's goal with this id (400 naming product_goal when it is not the product's)."""
    if goal_id is None:
        return None
    goal = ProductGoal.objects.filter(product=product, pk=goal_id).first()
    if goal is None:
        raise InvalidInput("No such product goal here.", fields={"product_goal": ["No goal with that id here."]})
    return goal


def item_in_body(product: Product, key: str, field: str) -> Item:
    """The product's item named in a body (400 naming the field when there is none)."""
    item = backlog_selectors.item_of_product(product, key)
    if item is None:
        raise InvalidInput(f"No item {key} in {product.key}.", fields={field: ["No item with that key here."]})
    return item


def item_in_path(sprint: Sprint, key: str) -> Item:
    """The product's item named in the path (404 when there is none)."""
    item = backlog_selectors.item_of_product(sprint.product, key)
    if item is None:
        raise NotFound(f"No item {key} in {sprint.product.key}.")
    return item


# --- Sprints -------------------------------------------------------------------------------------


@extend_schema(parameters=[PRODUCT_KEY], tags=["sprints"])
class SprintListView(APIView):
    @extend_schema(
        operation_id="sprints_list",
        summary="Sprints of a product, newest first",
        description=(
            "Cursor-paginated, newest first. Rows carry no live summary (read a sprint for that); closed "
            "sprints carry their `outcome`, frozen at close."
        ),
        parameters=PAGE,
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
        data["product_goal"] = product_goal_of(product, data.get("product_goal"))
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
            data["product_goal"] = product_goal_of(sprint.product, data["product_goal"])
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


# --- Sprint items --------------------------------------------------------------------------------


def sprint_item_rows(sprint: Sprint):
    """The sprint's items in backlog order, removed scope included. selectors.sprint_items
    lists the live ones only (the board's view); the API shows removed scope too, as the
    record of what left the sprint."""
    return (
        SprintItem.objects.filter(sprint=sprint).select_related("item", "added_by", "removed_by").order_by("item__rank")
    )


def sprint_item_data(request: Request, sprint: Sprint, item: Item) -> dict:
    return SprintItemSerializer(sprint_item_rows(sprint).get(item=item), context={"request": request}).data


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
        rows = sprint_item_rows(sprint)
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
            "remaining points per day against the ideal line, and the scope added or removed each day."
        ),
        responses={200: BurndownSerializer, **error_responses(401, 404)},
    )
    def get(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id)
        return Response(BurndownSerializer(selectors.burndown(sprint), context={"sprint": sprint}).data)


# --- Review --------------------------------------------------------------------------------------


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
        return review_response(request, sprint)

    def stale(self, request: Request, current: Sprint, message: str) -> Response:
        body = {**review_data(request, current), "detail": message, "code": StaleVersion.code, "fields": {}}
        return Response(body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": etag(current)})


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
        rows = selectors.review(sprint).feedback
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
        feedback = Feedback.objects.select_related("author", "about", "became").get(pk=feedback.pk)
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
        feedback = _in_product(Feedback, feedback_id, request.user, Action.RANK, what="feedback")
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


# --- Retrospective -------------------------------------------------------------------------------


def retro_cards(retro) -> list[RetroCard]:
    """All cards of a retrospective, most votes first (then oldest), whatever their column."""
    cards = [card for column in retro.columns for card in column.cards]
    return sorted(cards, key=lambda card: (-card.vote_count, card.created_at, card.pk))


def cards_data(request: Request, sprint: Sprint) -> list:
    cards = retro_cards(selectors.retro(sprint, request.user))
    return RetroCardSerializer(cards, many=True, context={"request": request}).data


@extend_schema(parameters=[SPRINT_ID], tags=["retrospective"])
class RetroCardListView(APIView):
    @extend_schema(
        operation_id="retro_cards_list",
        summary="Retrospective cards, most voted first",
        description=f"The Scrum team only. A plain list, most votes first. {RETRO_HIDDEN}",
        responses={200: RetroCardSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
        return Response(cards_data(request, sprint))

    @extend_schema(
        operation_id="retro_cards_create",
        summary="Add a retrospective card",
        description=f"The Scrum team only, once the sprint has started (else a 400 naming `sprint`). {RETRO_HIDDEN}",
        request=RetroCardCreateSerializer,
        responses={201: RetroCardSerializer, **error_responses(400, 401, 404, 415)},
    )
    def post(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
        data = parse(RetroCardCreateSerializer, request.data)
        card = services.add_retro_card(sprint=sprint, by=request.user, **data)
        return Response(card_data(request, sprint, card.pk), status=status.HTTP_201_CREATED)


def card_data(request: Request, sprint: Sprint, card_id: int) -> dict:
    card = next(card for card in retro_cards(selectors.retro(sprint, request.user)) if card.pk == card_id)
    return RetroCardSerializer(card, context={"request": request}).data


@extend_schema(
    parameters=[CARD_ID],
    tags=["retrospective"],
)
class RetroVoteView(APIView):
    def card(self, request, card_id) -> RetroCard:
        return _in_product(RetroCard, card_id, request.user, Action.RETROSPECTIVE, what="card")

    def respond(self, request, card: RetroCard, status_code: int) -> Response:
        retro = selectors.retro(card.sprint, request.user)
        row = next(row for row in retro_cards(retro) if row.pk == card.pk)
        body = {"card": RetroCardSerializer(row, context={"request": request}).data, "votes_left": retro.votes_left}
        return Response(body, status=status_code)

    @extend_schema(
        operation_id="retro_votes_create",
        summary="Vote for a card",
        description=(
            "Places one of your 3 votes of the sprint's retrospective (several may go to one card). A fourth is a "
            f"400 naming `card` (code `no_votes_left`). Takes no body. {RETRO_HIDDEN}"
        ),
        request=NO_BODY,
        responses={201: VotesSerializer, **error_responses(400, 401, 404, 415)},
    )
    def post(self, request, card_id):
        card = self.card(request, card_id)
        parse(EmptySerializer, request.data)
        services.vote(card=card, by=request.user)
        return self.respond(request, card, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="retro_votes_destroy",
        summary="Take back one of your votes on a card",
        description=f"Nothing happens when none of your votes is on it. {RETRO_HIDDEN}",
        responses={200: VotesSerializer, **error_responses(401, 404)},
    )
    def delete(self, request, card_id):
        card = self.card(request, card_id)
        services.unvote(card=card, by=request.user)
        return self.respond(request, card, status.HTTP_200_OK)


def action_item_data(request: Request, action_id: int) -> dict:
    action = ActionItem.objects.select_related("owner", "sprint", "target_sprint").get(pk=action_id)
    return ActionItemSerializer(action, context={"request": request}).data


@extend_schema(parameters=[SPRINT_ID], tags=["retrospective"])
class ActionItemListView(APIView):
    @extend_schema(
        operation_id="action_items_list",
        summary="Action items of a retrospective",
        description=(
            "The Scrum team only. The sprint's own action items, then the still-open ones of earlier "
            f"retrospectives, which follow the team until done. A plain list. {RETRO_HIDDEN}"
        ),
        responses={200: ActionItemSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
        rows = selectors.retro(sprint, request.user).action_items
        return Response(ActionItemSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="action_items_create",
        summary="Add an action item",
        description=(
            "The Scrum team only. `owner` is the user id of a team member; `target_sprint` the id of a planned or "
            f"active sprint of the product. {RETRO_HIDDEN}"
        ),
        request=ActionItemCreateSerializer,
        responses={201: ActionItemSerializer, **error_responses(400, 401, 404, 415)},
    )
    def post(self, request, sprint_id):
        sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
        data = dict(parse(ActionItemCreateSerializer, request.data))
        data["owner"] = member_in_body(sprint.product, data.get("owner"))
        data["target_sprint"] = sprint_in_body(sprint.product, data.get("target_sprint"))
        action = services.add_action_item(sprint=sprint, by=request.user, **data)
        return Response(action_item_data(request, action.pk), status=status.HTTP_201_CREATED)


def member_in_body(product: Product, user_id: int | None):
    """The product member with this user id (400 naming owner for anyone else)."""
    if user_id is None:
        return None
    membership = Membership.objects.select_related("user").filter(product=product, user_id=user_id).first()
    if membership is None:
        raise InvalidInput("No such member here.", fields={"owner": ["No member of this product has that id."]})
    return membership.user


def sprint_in_body(product: Product, sprint_id: int | None) -> Sprint | None:
    """The product's sprint with this id (400 naming target_sprint otherwise)."""
    if sprint_id is None:
        return None
    sprint = Sprint.objects.filter(product=product, pk=sprint_id).first()
    if sprint is None:
        raise InvalidInput("No such sprint here.", fields={"target_sprint": ["No sprint of this product has that id."]})
    return sprint


@extend_schema(
    parameters=[ACTION_ID],
    tags=["retrospective"],
)
class ActionItemDetailView(APIView):
    @extend_schema(
        operation_id="action_items_partial_update",
        summary="Mark an action item done, or open it again",
        description=f"The Scrum team only. {RETRO_HIDDEN}",
        request=ActionItemUpdateSerializer,
        responses={200: ActionItemSerializer, **error_responses(400, 401, 404, 415)},
    )
    def patch(self, request, action_id):
        action = _in_product(ActionItem, action_id, request.user, Action.RETROSPECTIVE, what="action item")
        data = parse(ActionItemUpdateSerializer, request.data)
        change = services.complete_action_item if data["done"] else services.reopen_action_item
        change(action_item=action, by=request.user)
        return Response(action_item_data(request, action.pk))


# --- Velocity and forecast -----------------------------------------------------------------------


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
    return line_sentence(forecast.line(85)) + "."


def line_sentence(line) -> str:
    """ "85% likely done by Sprint 14 (10 Feb)", or "…: beyond 100 sprints"."""
    if line.beyond:
        return f"{line.likelihood}% likely done: {forecast_display.line_text(line)}"
    return f"{line.likelihood}% likely done by {forecast_display.line_text(line)}"


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
                "text": line_sentence(line),
            }
            for line in forecast.lines
        ]
    return {
        "item": item.key,
        "position": position,
        "state": result.state,
        "available": bool(forecast and forecast.available),
        "enough_history": forecast.enough_history if forecast else False,
        "estimable": forecast.estimable if forecast else False,
        "history": forecast.history if forecast else 0,
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
            item = (
                backlog_selectors.backlog_items(product)
                .select_related(None)
                .prefetch_related(None)[position - 1 : position]
                .first()
            )
            if item is None:
                message = f"The backlog of {product.key} holds fewer than {position} items."
                raise InvalidInput(message, fields={"position": [message]})
        item.product = product
        return Response(ForecastSerializer(forecast_data(item, position)).data)


# --- Product goals -------------------------------------------------------------------------------


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
        operation_id="goals_partial_update",
        summary="Mark the product goal achieved or abandoned",
        description="Product owner only. A goal ends once: closing a past goal again is a 400 naming `status`.",
        request=ProductGoalUpdateSerializer,
        responses={200: ProductGoalSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def patch(self, request, goal_id):
        goal = _in_product(
            ProductGoal, goal_id, request.user, Action.MANAGE_PRODUCT, what="goal", product_path="product"
        )
        data = parse(ProductGoalUpdateSerializer, request.data)
        goal = backlog_services.close_product_goal(goal=goal, by=request.user, status=data["status"])
        return Response(ProductGoalSerializer(goal, context={"request": request}).data)
