"""The retrospective: cards, votes and action items. Hidden from stakeholders as from outsiders."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog import selectors as backlog_selectors
from backlog.models import Product
from backlog.permissions import Action
from config.api import error_responses, parse
from config.errors import InvalidInput

from ... import selectors, services
from ...models import ActionItem, RetroCard, Sprint
from ..serializers.common import EmptySerializer
from ..serializers.retro import (
    ActionItemCreateSerializer,
    ActionItemSerializer,
    ActionItemUpdateSerializer,
    RetroCardCreateSerializer,
    RetroCardSerializer,
    VotesSerializer,
)
from .common import NO_BODY, SPRINT_ID, sprint_for

CARD_ID = OpenApiParameter("card_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The card's id.")
ACTION_ID = OpenApiParameter("action_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The action item's id.")
RETRO_HIDDEN = "Stakeholders get 404 for all of the retrospective, as outsiders do."


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
        card = selectors.retro_card_for_user(request.user, card_id)
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
        card = selectors.retro_card_for_user(request.user, card_id)
        services.unvote(card=card, by=request.user)
        return self.respond(request, card, status.HTTP_200_OK)


def action_item_data(request: Request, action: ActionItem) -> dict:
    """The action item as it is now (re-read: the service may have changed it)."""
    action = selectors.action_items_of(action.sprint).get(pk=action.pk)
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
        return Response(action_item_data(request, action), status=status.HTTP_201_CREATED)


def member_in_body(product: Product, user_id: int | None):
    """The product member with this user id (400 naming owner for anyone else)."""
    if user_id is None:
        return None
    membership = backlog_selectors.membership_of(product, user_id)
    if membership is None:
        raise InvalidInput("No such member here.", fields={"owner": ["No member of this product has that id."]})
    return membership.user


def sprint_in_body(product: Product, sprint_id: int | None) -> Sprint | None:
    """The product's sprint with this id (400 naming target_sprint otherwise)."""
    if sprint_id is None:
        return None
    sprint = selectors.sprint_of(product, sprint_id)
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
        action = selectors.action_item_for_user(request.user, action_id, Action.RETROSPECTIVE)
        data = parse(ActionItemUpdateSerializer, request.data)
        change = services.complete_action_item if data["done"] else services.reopen_action_item
        change(action_item=action, by=request.user)
        return Response(action_item_data(request, action))
