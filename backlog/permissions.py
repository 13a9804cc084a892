"""The one policy that says who may do what to a product. Every view, API view, service and
task asks it; nothing else decides.

Status precedence: not a member → NotFound (404, so nothing leaks); a member without the
right → Forbidden (403).
"""

from __future__ import annotations

from enum import StrEnum

from config.errors import Forbidden, NotFound

from .models import ITEM_KEY_PATTERN, PRODUCT_KEY_PATTERN, Item, Membership, Product, Role, normal_key


class Action(StrEnum):
    READ = "read"
    EDIT_ITEMS = "edit_items"  # create and edit items, refinement notes, estimates
    RANK = "rank"  # rank, mark ready, discard, archive, restore
    MANAGE_PRODUCT = "manage_product"  # settings, goal, members
    PLAN_SPRINTS = "plan_sprints"  # plan, start and close sprints (and place unfinished items)
    RETROSPECTIVE = "retrospective"
    REVIEW_FEEDBACK = "review_feedback"
    SUBSCRIBE = "subscribe"  # one's own digest subscription


PO, SM, DEV, SH = Role.PRODUCT_OWNER, Role.SCRUM_MASTER, Role.DEVELOPER, Role.STAKEHOLDER

# DESIGN.md's table, row by row.
ALLOWED: dict[Action, frozenset[str]] = {
    Action.READ: frozenset({PO, SM, DEV, SH}),
    Action.EDIT_ITEMS: frozenset({PO, SM, DEV}),
    Action.RANK: frozenset({PO}),
    Action.MANAGE_PRODUCT: frozenset({PO}),
    Action.PLAN_SPRINTS: frozenset({PO, SM}),
    Action.RETROSPECTIVE: frozenset({PO, SM, DEV}),
    Action.REVIEW_FEEDBACK: frozenset({PO, SM, DEV, SH}),
    Action.SUBSCRIBE: frozenset({PO, SM, DEV, SH}),
}
# Actions whose very existence is hidden from roles without them: a 404, as for outsiders. What
# they make is hidden as well wherever it would show (open retrospective action items on the
# planning page, which every member may read): the selector that reads it asks `can` first.
HIDDEN_FROM_OTHERS = frozenset({Action.RETROSPECTIVE})

# Field-level rules: statuses only the rankers may set (a developer cannot declare an item ready
# or discard it).
RANKER_STATUSES = frozenset({Item.Status.READY, Item.Status.DISCARDED})
# The sprint board moves an item's status as a side effect of its column: into Done makes it
# done, back out of Done makes it ready again. Whoever works the board may cause those two.
BOARD_STATUSES = frozenset({Item.Status.DONE, Item.Status.READY})


def role_of(user, product: Product) -> str | None:
    """The user's role in the product, or None; cached on the product for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = product.__dict__.setdefault("_role_cache", {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(product=product, user=user).values_list("role", flat=True).first()
    return cache[user.pk]


def remember_role(product: Product, user, role: str | None) -> None:
    """Seed the role cache when the membership is already known (saves a query per request)."""
    product.__dict__.setdefault("_role_cache", {})[user.pk] = role


def can(user, product: Product, action: Action) -> bool:
    """Whether the user may take the action on the product."""
    return role_of(user, product) in ALLOWED[action]


def require(user, product: Product, action: Action, *, not_found: str | None = None) -> str:
    """Raise NotFound (not a member) or Forbidden (role lacks the right); return the role."""
    role = role_of(user, product)
    if role is None:
        raise NotFound(not_found or f"No product {product.key}.")
    if role not in ALLOWED[action]:
        if action in HIDDEN_FROM_OTHERS:
            raise NotFound("Not found.")
        raise Forbidden(f"As {Role(role).label.lower()} of {product.key} you may not do this.")
    return role


def may_set_status(role: str | None, status: str, *, via_board: bool = False) -> bool:
    """Ready and discarded are the product owner's calls; other statuses any editor may set.
    `via_board`: the status follows a move on the sprint board (into or out of Done), which
    anyone who works the board may make; it covers done and ready only."""
    if via_board and status in BOARD_STATUSES:
        return role in ALLOWED[Action.EDIT_ITEMS]
    return status not in RANKER_STATUSES or role in ALLOWED[Action.RANK]


def move_action(for_sprint_close: bool = False) -> Action:
    """What a backlog move requires: ranking, or, when it places a closing sprint's unfinished
    items, the right to close the sprint (placing them is part of closing)."""
    return Action.PLAN_SPRINTS if for_sprint_close else Action.RANK


def may_create_at_top(role: str | None) -> bool:
    """Only a ranker may put a new item anywhere but the bottom."""
    return role in ALLOWED[Action.RANK]


def access_product_for_user(user, key: str, action: Action = Action.READ) -> Product:
    """The product with this key, if the user may take the action on it; NotFound otherwise."""
    key = normal_key(key, PRODUCT_KEY_PATTERN)
    product = Product.objects.filter(key=key).first() if key else None
    if product is None:
        raise NotFound(f"No product {key}.")
    require(user, product, action)
    return product


def access_item_for_user(user, key: str, action: Action = Action.READ) -> Item:
    """The item with this key (archived ones too), if the user may act on its product."""
    normal = normal_key(key, ITEM_KEY_PATTERN)
    item = Item.objects.select_related("product", "parent").filter(key=normal).first() if normal else None
    if item is None:
        raise NotFound(f"No item {key}.")
    require(user, item.product, action, not_found=f"No item {key}.")
    return item
