"""What the sprints API views share: the schema's common parameters and the lookups most views
start with."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from backlog import selectors as backlog_selectors
from backlog.models import Item, Product
from backlog.permissions import Action
from config.api import IF_MATCH_PATTERN
from config.errors import InvalidInput

from ... import selectors
from ...models import Sprint

PRODUCT_KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Product key, e.g. SHOP.")
SPRINT_ID = OpenApiParameter("sprint_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The sprint's id.")
ETAG_HEADER = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True, description='The sprint\'s version, quoted: "3".'
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": IF_MATCH_PATTERN},
    OpenApiParameter.HEADER,
    description='Optional. The ETag you read ("3"); if the sprint changed since, the answer is 412 with the sprint '
    "as it is now. A header that is not a list of entity tags (or `*`) is a 400.",
)
# Actions that take no body: nothing, or an empty JSON object (any key is a 400 naming it).
NO_BODY = {
    "application/json": {
        "type": "object",
        "additionalProperties": False,
        "maxProperties": 0,
        "description": "No body, or an empty object: any key is a 400 naming it.",
    }
}


def sprint_for(request: Request, sprint_id: str, action: Action = Action.READ) -> Sprint:
    """The sprint, if the caller may take the action on its product (404, then 403)."""
    return selectors.sprint_for_user(request.user, int(sprint_id), action)


def item_in_body(product: Product, key: str, field: str) -> Item:
    """The product's item named in a body (400 naming the field when there is none)."""
    item = backlog_selectors.item_of_product(product, key)
    if item is None:
        raise InvalidInput(f"No item {key} in {product.key}.", fields={field: ["No item with that key here."]})
    return item
