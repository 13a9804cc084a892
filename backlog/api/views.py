"""Backlog API views: parse, ask the policy, call a service or selector, respond.

Status precedence is 401, 404, 403, 412, 400: authentication runs first (DRF), then the policy
(404 for outsiders, 403 for a role without the right), then the If-Match check, and the body is
parsed only after that.
"""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    IF_MATCH_PATTERN,
    PAGE_PARAMETERS,
    ErrorSerializer,
    OrdoCursorPagination,
    error_responses,
    etag,
    if_match_versions,
    parse,
    precondition_failed,
)
from config.errors import InvalidInput, NotFound, StaleVersion

from .. import selectors, services
from ..models import Item, Product
from ..permissions import Action, access_item_for_user, access_product_for_user
from ..selectors import BacklogFilter
from ..services.invitations import INVITATIONS_PER_ADDRESS, INVITATIONS_PER_SENDER
from .serializers import (
    EmptySerializer,
    InvitationSentSerializer,
    ItemCreateSerializer,
    ItemFilterSerializer,
    ItemPageSerializer,
    ItemSerializer,
    ItemUpdateSerializer,
    MemberCreateSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    MoveSerializer,
    NoteCreateSerializer,
    NotePageSerializer,
    NoteSerializer,
    ProductCreateSerializer,
    ProductPageSerializer,
    ProductSerializer,
    ProductUpdateSerializer,
    StaleItemSerializer,
    WaitingInvitationSerializer,
    absolute,
)

PRODUCT_KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Product key, e.g. SHOP.")
ITEM_KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Item key, e.g. SHOP-42.")
USER_ID = OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The member's user id.")
ETAG_HEADER = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True, description='The item\'s version, quoted: "3".'
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": IF_MATCH_PATTERN},
    OpenApiParameter.HEADER,
    description='Optional. The ETag you read ("3"); if the item changed since, the answer is 412 with the item as '
    "it is now. A header that is not a list of entity tags (or `*`) is a 400.",
)


RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="With a 429: seconds until the limit lets the next request through.",
)
TOO_MANY_INVITATIONS = OpenApiResponse(
    ErrorSerializer,
    description="An invitation limit was reached (per inviter a day, or per address a week); see `Retry-After`.",
)
INVITATION_ID = OpenApiParameter(
    "invitation_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The invitation's id."
)


# --- Pagination ----------------------------------------------------------------------------------


class ItemPagination(OrdoCursorPagination):
    ordering = "rank"


class ProductPagination(OrdoCursorPagination):
    ordering = "key"
    position_pattern = re.compile(r"[A-Z0-9]{1,10}")


class NotePagination(OrdoCursorPagination):
    # Ids grow with time: oldest first, and a position that is always a plain integer.
    ordering = "id"
    position_pattern = re.compile(r"[0-9]{1,18}")


# --- Helpers -------------------------------------------------------------------------------------


# One entity tag: "3" or W/"3" (RFC 9110 §8.8.3).
def item_data(request: Request, item: Item) -> dict:
    """The item as the API shows it, its position counted over the live backlog."""
    positions = {item.pk: selectors.position_of(item)}
    return ItemSerializer(item, context={"request": request, "positions": positions}).data


def item_response(request: Request, item: Item, *, status_code: int = status.HTTP_200_OK, **headers) -> Response:
    return Response(item_data(request, item), status=status_code, headers={"ETag": etag(item), **headers})


def stale_response(request: Request, current: Item, message: str) -> Response:
    """412 with the item as it is now, so the client can merge and retry with its ETag."""
    return precondition_failed(item_data(request, current), message, current)


def resolve_parent(product: Product, data: dict, item: Item | None = None) -> None:
    """Replace the parent key in `data` by the item of the same product (400 naming parent)."""
    if data.get("parent") is None:
        return
    parent = selectors.item_of_product(product, data["parent"])
    if parent is None:
        raise InvalidInput("No item with that key in this product.", fields={"parent": ["No such item here."]})
    if item is not None and parent.pk == item.pk:
        raise InvalidInput("An item cannot be its own parent.", fields={"parent": ["Not the item itself."]})
    data["parent"] = parent


def product_data(request: Request, product: Product) -> dict:
    """The product as the API shows it, with the caller's role and the live item count."""
    annotated = selectors.products_for_user(request.user).get(pk=product.pk)
    return ProductSerializer(annotated, context={"request": request}).data


# --- Products ------------------------------------------------------------------------------------


class ProductListView(APIView):
    @extend_schema(
        operation_id="products_list",
        summary="Your products",
        description="Only the products you are a member of, by key.",
        parameters=PAGE_PARAMETERS,
        responses={200: ProductPageSerializer, **error_responses(400, 401)},
        tags=["products"],
    )
    def get(self, request):
        paginator = ProductPagination()
        page = paginator.paginate_queryset(selectors.products_for_user(request.user), request, view=self)
        return paginator.get_paginated_response(ProductSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="products_create",
        summary="Create a product",
        description="You become its product owner. The key can never change afterwards.",
        request=ProductCreateSerializer,
        responses={201: ProductSerializer, **error_responses(400, 401, 415)},
        tags=["products"],
    )
    def post(self, request):
        data = parse(ProductCreateSerializer, request.data)
        product = services.create_product(by=request.user, **data)
        body = product_data(request, product)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


@extend_schema(parameters=[PRODUCT_KEY], tags=["products"])
class ProductDetailView(APIView):
    @extend_schema(
        operation_id="products_retrieve",
        summary="A product",
        responses={200: ProductSerializer, **error_responses(401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key)
        return Response(product_data(request, product))

    @extend_schema(
        operation_id="products_partial_update",
        summary="Change a product's name or vision",
        description="Product owner only. The key is read-only: sending another key is a 400 naming `key`.",
        request=ProductUpdateSerializer,
        responses={200: ProductSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def patch(self, request, key):
        product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
        data = parse(ProductUpdateSerializer, request.data, context={"product": product})
        data.pop("key", None)
        product = services.update_product(product=product, by=request.user, **data)
        return Response(product_data(request, product))


# --- Members -------------------------------------------------------------------------------------


@extend_schema(parameters=[PRODUCT_KEY], tags=["members"])
class MemberListView(APIView):
    @extend_schema(
        operation_id="members_list",
        summary="Members of a product",
        description="Any member may read them.",
        responses={200: MemberSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key)
        members = selectors.members_of(product)
        return Response(MemberSerializer(members, many=True, context={"request": request, "product": product}).data)

    @extend_schema(
        operation_id="members_create",
        summary="Invite someone",
        description=(
            "Product owner only. An invitation email goes to the address, with links to accept or decline; "
            "the person joins when they accept (`/api/v1/invitations/`). The answer is the same 202 for every "
            "address: it says nothing about whether it has an Ordo account. A current member is a 400. "
            f"At most {INVITATIONS_PER_SENDER} invitations a day per inviter, and {INVITATIONS_PER_ADDRESS} a week "
            "per address across all products (resends count): over a limit the answer is 429, with `Retry-After` "
            "in seconds."
        ),
        request=MemberCreateSerializer,
        parameters=[RETRY_AFTER],
        responses={
            202: OpenApiResponse(InvitationSentSerializer, description="Invitation emailed."),
            **error_responses(400, 401, 403, 404, 415),
            429: TOO_MANY_INVITATIONS,
        },
    )
    def post(self, request, key):
        product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
        data = parse(MemberCreateSerializer, request.data)
        invitation = services.invite_member(product=product, by=request.user, email=data["email"], role=data["role"])
        return Response(InvitationSentSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(parameters=[PRODUCT_KEY, USER_ID], tags=["members"])
class MemberDetailView(APIView):
    def membership(self, product: Product, user_id: str):
        membership = selectors.membership_of(product, int(user_id))
        if membership is None:
            raise NotFound("No such member.")
        return membership

    @extend_schema(
        operation_id="members_partial_update",
        summary="Change a member's role",
        description="Product owner only. Demoting the last product owner is a 400 with code `last_product_owner`.",
        request=MemberUpdateSerializer,
        responses={200: MemberSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def patch(self, request, key, user_id):
        product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
        membership = self.membership(product, user_id)
        data = parse(MemberUpdateSerializer, request.data)
        membership = services.change_role(membership=membership, by=request.user, role=data["role"])
        membership.product = product
        return Response(MemberSerializer(membership, context={"request": request, "product": product}).data)

    @extend_schema(
        operation_id="members_destroy",
        summary="Remove a member",
        description=(
            "Product owner only, except that members may remove themselves (leave). "
            "Removing the last product owner is a 400 with code `last_product_owner`."
        ),
        responses={204: None, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request, key, user_id):
        leaving = int(user_id) == request.user.pk
        product = access_product_for_user(request.user, key, Action.READ if leaving else Action.MANAGE_PRODUCT)
        services.remove_member(membership=self.membership(product, user_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Items ---------------------------------------------------------------------------------------


@extend_schema(parameters=[PRODUCT_KEY], tags=["items"])
class ItemListView(APIView):
    @extend_schema(
        operation_id="items_list",
        summary="The backlog, in order",
        description=(
            "Items in backlog (rank) order, filtered by status, kind, label and text, always keeping that "
            "order. `position` counts all live items of the product whatever the filter; archived items "
            "(`archived=true`) have none. Unknown filter values are a 400 naming the parameter."
        ),
        parameters=[ItemFilterSerializer, *PAGE_PARAMETERS],
        responses={200: ItemPageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key)
        query = parse(ItemFilterSerializer, request.query_params)
        archived = query.pop("archived", False)
        filters = BacklogFilter(**query)
        paginator = ItemPagination()
        page = paginator.paginate_queryset(
            selectors.api_backlog_items(product, filters, archived=archived), request, view=self
        )
        # An unfiltered page of live items is a consecutive run: one count gives every position.
        positions = {} if archived else selectors.positions_for(product, page, consecutive=not filters.is_active)
        context = {"request": request, "positions": positions, "labels": selectors.label_names(page)}
        return paginator.get_paginated_response(ItemSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="items_create",
        summary="Create an item",
        description=(
            "Team members (not stakeholders). New items land at the bottom; `at_top` is the product owner's "
            "call (anyone else asking for it gets a 400 naming `at_top`), as are the statuses `ready` and "
            "`discarded` (a 400 naming `status`)."
        ),
        request=ItemCreateSerializer,
        responses={201: ItemSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, key):
        product = access_product_for_user(request.user, key, Action.EDIT_ITEMS)
        data = dict(parse(ItemCreateSerializer, request.data))
        resolve_parent(product, data)
        title, at_top = data.pop("title"), data.pop("at_top", False)
        item = services.create_item(product=product, by=request.user, title=title, at_top=at_top, **data)
        url = absolute(request, "api-item-detail", key=item.key)
        return item_response(request, item, status_code=status.HTTP_201_CREATED, Location=url)


@extend_schema(parameters=[ITEM_KEY], tags=["items"])
class ItemDetailView(APIView):
    @extend_schema(
        operation_id="items_retrieve",
        summary="An item",
        description="Archived items too (their `position` is null). The ETag header is the version.",
        parameters=[ETAG_HEADER],
        responses={200: ItemSerializer, **error_responses(401, 404)},
    )
    def get(self, request, key):
        item = access_item_for_user(request.user, key)
        return item_response(request, item)

    @extend_schema(
        operation_id="items_partial_update",
        summary="Edit an item",
        description=(
            "Team members (not stakeholders). Send only the fields to change; unknown fields are a 400. "
            "With `If-Match`, a stale version is refused with 412 and the item as it is now."
        ),
        parameters=[IF_MATCH, ETAG_HEADER],
        request=ItemUpdateSerializer,
        responses={
            200: ItemSerializer,
            412: OpenApiResponse(StaleItemSerializer, description="Stale If-Match: the item as it is now."),
            **error_responses(400, 401, 403, 404, 415),
        },
    )
    def patch(self, request, key):
        item = access_item_for_user(request.user, key, Action.EDIT_ITEMS)
        versions = if_match_versions(request)
        if versions is not None and item.version not in versions:
            return stale_response(request, item, f"Someone changed {item.key} since you read it.")
        data = dict(parse(ItemUpdateSerializer, request.data))
        resolve_parent(item.product, data, item)
        try:
            item = services.update_item(
                item=item,
                by=request.user,
                changes=data,
                expected_version=item.version if versions is not None else None,
            )
        except StaleVersion as stale:
            return stale_response(request, stale.current, stale.message)
        return item_response(request, item)

    @extend_schema(
        operation_id="items_destroy",
        summary="Archive an item",
        description="Product owner only. Nothing is destroyed: the item keeps its rank and can be restored.",
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request, key):
        item = access_item_for_user(request.user, key, Action.RANK)
        services.archive_item(item=item, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[ITEM_KEY], tags=["items"])
class ItemRestoreView(APIView):
    @extend_schema(
        operation_id="items_restore",
        summary="Restore an archived item",
        description="Product owner only. The item returns where it was (it kept its rank). Takes no body.",
        request=EmptySerializer,
        parameters=[ETAG_HEADER],
        responses={200: ItemSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, key):
        item = access_item_for_user(request.user, key, Action.RANK)
        parse(EmptySerializer, request.data)
        item = services.restore_item(item=item, by=request.user)
        return item_response(request, item)


@extend_schema(parameters=[ITEM_KEY], tags=["items"])
class ItemMoveView(APIView):
    @extend_schema(
        operation_id="items_move",
        summary="Move an item in the backlog",
        description=(
            "Product owner only. Exactly one of `after` (directly below that item), `before` (directly above "
            "it) or `position` (1 is the top; past the end means the bottom). A target that is the item "
            "itself, unknown, archived or of another product is a 400 with one message for all. "
            "A move does not change the item's version."
        ),
        request=MoveSerializer,
        parameters=[ETAG_HEADER],
        responses={200: ItemSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, key):
        item = access_item_for_user(request.user, key, Action.RANK)
        data = parse(MoveSerializer, request.data)
        if "position" in data:
            result = services.move_item(item=item, by=request.user, position=data["position"])
        else:
            field = "after" if "after" in data else "before"
            target = services.move_target(product=item.product, key=data[field], field=field)
            result = services.move_item(item=item, by=request.user, **{field: target})
        return item_response(request, result.item)


# --- Refinement notes ----------------------------------------------------------------------------


@extend_schema(parameters=[ITEM_KEY], tags=["notes"])
class NoteListView(APIView):
    @extend_schema(
        operation_id="notes_list",
        summary="Refinement notes of an item",
        description="Oldest first, with author and time.",
        parameters=PAGE_PARAMETERS,
        responses={200: NotePageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, key):
        item = access_item_for_user(request.user, key)
        paginator = NotePagination()
        page = paginator.paginate_queryset(selectors.refinement_notes(item), request, view=self)
        return paginator.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(
        operation_id="notes_create",
        summary="Add a refinement note",
        description="Team members (not stakeholders). Markdown.",
        request=NoteCreateSerializer,
        responses={201: NoteSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, key):
        item = access_item_for_user(request.user, key, Action.EDIT_ITEMS)
        data = parse(NoteCreateSerializer, request.data)
        note = services.add_refinement_note(item=item, by=request.user, body=data["body"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


# --- Invitations waiting for the caller --------------------------------------------------------------


@extend_schema(tags=["invitations"])
class WaitingInvitationListView(APIView):
    @extend_schema(
        operation_id="invitations_list",
        summary="Invitations waiting for your answer",
        description="Invitations to your address that still work (not expired, from someone who still manages "
        "the product), newest first. Accept or decline each.",
        responses={200: WaitingInvitationSerializer(many=True), **error_responses(401)},
    )
    def get(self, request):
        invitations = selectors.invitations_waiting_for(request.user)
        return Response(WaitingInvitationSerializer(invitations, many=True, context={"request": request}).data)


@extend_schema(parameters=[INVITATION_ID], tags=["invitations"])
class WaitingInvitationAcceptView(APIView):
    @extend_schema(
        operation_id="invitations_accept",
        summary="Accept an invitation",
        description="You join the product with the invitation's role. Someone else's invitation, or one that no "
        "longer waits, is a 404. Takes no body.",
        request=EmptySerializer,
        responses={201: MemberSerializer, **error_responses(400, 401, 404, 415)},
    )
    def post(self, request, invitation_id):
        invitation = services.waiting_invitation_of(request.user, int(invitation_id))
        parse(EmptySerializer, request.data)
        membership = services.accept_invitation(invitation=invitation, by=request.user)
        product = invitation.product
        body = MemberSerializer(membership, context={"request": request, "product": product}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


@extend_schema(parameters=[INVITATION_ID], tags=["invitations"])
class WaitingInvitationDeclineView(APIView):
    @extend_schema(
        operation_id="invitations_decline",
        summary="Decline an invitation",
        description="Its link stops working and the inviter sees it declined. Someone else's invitation, or one "
        "that no longer waits, is a 404. Takes no body.",
        request=EmptySerializer,
        responses={204: None, **error_responses(400, 401, 404, 415)},
    )
    def post(self, request, invitation_id):
        invitation = services.waiting_invitation_of(request.user, int(invitation_id))
        parse(EmptySerializer, request.data)
        services.decline_invitation(invitation=invitation, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
