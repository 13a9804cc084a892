"""Reads shared by the HTML views, the API and (later) sprints and digests. Each returns a
queryset or values with its joins built in, so no template or serializer queries per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from .models import (
    ITEM_KEY_PATTERN,
    Invitation,
    Item,
    Label,
    Membership,
    Product,
    ProductGoal,
    RefinementNote,
    Role,
    normal_key,
)


def products_for_user(user) -> QuerySet[Product]:
    """The products the user is a member of, with the user's role (`my_role`), the number of
    live items and the active product goal's title (`active_goal`)."""
    return (
        Product.objects.filter(memberships__user=user)
        .annotate(
            my_role=Membership.objects.filter(product=OuterRef("pk"), user=user).values("role")[:1],
            active_goal=ProductGoal.objects.filter(product=OuterRef("pk"), status=ProductGoal.Status.ACTIVE).values(
                "title"
            )[:1],
            live_items=Count("items", filter=Q(items__archived_at__isnull=True)),
        )
        .order_by("key")
    )


@dataclass(frozen=True)
class BacklogFilter:
    """The filters of the backlog page and the items list; all of them keep backlog order."""

    status: str = ""
    kind: str = ""
    label: str = ""
    q: str = ""

    @property
    def is_active(self) -> bool:
        return bool(self.status or self.kind or self.label or self.q)


def backlog_items(product: Product, filters: BacklogFilter | None = None, *, archived: bool = False) -> QuerySet[Item]:
    """Items of the product in backlog (rank) order: live ones, or only archived ones."""
    items = Item.objects.filter(product=product, archived_at__isnull=not archived)
    filters = filters or BacklogFilter()
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.label:
        items = items.filter(labels__product=product, labels__name=filters.label)
    if filters.q:
        q = filters.q.strip()
        items = items.filter(Q(title__icontains=q) | Q(key__iexact=q) | Q(description__icontains=q))
    return (
        items.select_related("product")
        .prefetch_related(Prefetch("labels", queryset=Label.objects.order_by("name")))
        .order_by("rank")
    )


def live_count(product: Product) -> int:
    """How many live (not archived) items the backlog has."""
    return Item.objects.filter(product=product, archived_at__isnull=True).count()


def live_item_at(product: Product, position: int) -> Item | None:
    """The product's live item at this backlog position (1 is the top), or None past the end."""
    return (
        Item.objects.filter(product=product, archived_at__isnull=True).order_by("rank")[position - 1 : position].first()
    )


def position_of(item: Item) -> int | None:
    """1-based position among the product's live items; None for an archived item."""
    if item.archived_at is not None:
        return None
    return Item.objects.filter(product_id=item.product_id, archived_at__isnull=True, rank__lt=item.rank).count() + 1


def positions_for(product: Product, items: Sequence[Item], *, consecutive: bool) -> dict[int, int | None]:
    """Positions of the given items over the whole live backlog, whatever filter chose them.

    `consecutive`: the items are an unfiltered run of live items, so one count gives the first
    and the rest follow. Otherwise one query numbers the unfiltered live backlog and picks the
    items out (never a window over the filtered query, which would number the filtered rows).
    """
    live = [item for item in items if item.archived_at is None]
    positions: dict[int, int | None] = {item.pk: None for item in items}
    if not live:
        return positions
    if consecutive:
        first = position_of(live[0])
        for offset, item in enumerate(live):
            positions[item.pk] = first + offset
        return positions
    positions.update({pk: pos for pk, (pos, _points) in _numbered(product, [item.pk for item in live]).items()})
    return positions


def _numbered(product: Product, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Position and running points of the given live items, numbered over the whole unfiltered
    live backlog in one query (never a window over a filtered query, which would number the
    filtered rows)."""
    table = Item._meta.db_table
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, pos, points FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY rank) AS pos, "
            f"SUM(COALESCE(estimate, 0)) OVER (ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
            f"AS points FROM {table} WHERE product_id = %s AND archived_at IS NULL) numbered "
            f"WHERE id IN ({placeholders})",
            [product.pk, *ids],
        )
        return {pk: (pos, int(points)) for pk, pos, points in cursor.fetchall()}


@dataclass(frozen=True)
class BacklogSummary:
    items: int
    points: int
    ready_points: int
    unestimated: int


def backlog_summary(product: Product) -> BacklogSummary:
    """Counts and points for the backlog header, in one query."""
    totals = Item.objects.filter(product=product, archived_at__isnull=True).aggregate(
        items=Count("id"),
        points=Sum("estimate"),
        ready_points=Sum("estimate", filter=Q(status=Item.Status.READY)),
        unestimated=Count("id", filter=Q(estimate__isnull=True)),
    )
    return BacklogSummary(
        items=totals["items"],
        points=totals["points"] or 0,
        ready_points=totals["ready_points"] or 0,
        unestimated=totals["unestimated"],
    )


def product_labels(product: Product) -> QuerySet[Label]:
    """The product's labels, by name (for filters and forms)."""
    return Label.objects.filter(product=product).order_by("name")


def refinement_notes(item: Item) -> QuerySet[RefinementNote]:
    """The item's refinement notes, oldest first, with their authors."""
    return RefinementNote.objects.filter(item=item).select_related("author").order_by("created_at", "id")


def members_of(product: Product) -> QuerySet[Membership]:
    """The product's members with their users: product owners, scrum masters, developers,
    stakeholders (the order of Role), by email within a role."""
    role_order = Case(*(When(role=role, then=Value(index)) for index, role in enumerate(Role.values)))
    return Membership.objects.filter(product=product).select_related("user").order_by(role_order, "user__email")


def _sender_still_owner():
    return Exists(
        Membership.objects.filter(product=OuterRef("product"), user=OuterRef("invited_by"), role=Role.PRODUCT_OWNER)
    )


def waiting_invitations(product: Product) -> QuerySet[Invitation]:
    """The product's invitations whose link still works (backlog.services.read_invitation says
    why one stops): waiting for an answer, not expired, from someone who still manages the
    product, to someone not a member yet. Newest first, with their sender and the email that
    carries each; one query."""
    joined = Membership.objects.filter(product=OuterRef("product"), user__email=OuterRef("email"))
    return (
        product.invitations.filter(
            state=Invitation.State.WAITING, created_at__gt=timezone.now() - settings.INVITATION_MAX_AGE
        )
        .filter(_sender_still_owner(), ~Exists(joined))
        .select_related("invited_by", "message")
        .order_by("-created_at", "-id")
    )


def invitations_waiting_for(user) -> QuerySet[Invitation]:
    """Invitations waiting for this user's answer (to their address, working links, to products
    they are not in yet), newest first, with product and sender; one query."""
    return (
        Invitation.objects.filter(
            email=user.email,
            state=Invitation.State.WAITING,
            created_at__gt=timezone.now() - settings.INVITATION_MAX_AGE,
        )
        .filter(_sender_still_owner())
        .exclude(product__memberships__user=user)
        .select_related("product", "invited_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class BacklogRow:
    """One row of the backlog page: the item, its position among all live items, and the
    points of all live items up to and including it (whatever filter chose the row)."""

    item: Item
    position: int
    running_points: int


def backlog_rows(
    product: Product, filters: BacklogFilter | None = None, *, offset: int = 0, limit: int = 100
) -> tuple[list[BacklogRow], bool]:
    """A slice of the backlog page in backlog order, and whether more rows follow.

    Three queries whatever the slice: the items, their labels, and one read of positions and
    running totals over the unfiltered live backlog.
    """
    filters = filters or BacklogFilter()
    items = list(backlog_items(product, filters)[offset : offset + limit + 1])
    has_more = len(items) > limit
    items = items[:limit]
    if not items:
        return [], has_more
    if not filters.is_active:
        # An unfiltered slice is a run of consecutive live items: count and sum what lies
        # above the first, and the rest follows.
        above = Item.objects.filter(product=product, archived_at__isnull=True, rank__lt=items[0].rank).aggregate(
            count=Count("id"), points=Sum("estimate")
        )
        position, total, rows = above["count"], above["points"] or 0, []
        for item in items:
            position += 1
            total += item.estimate or 0
            rows.append(BacklogRow(item=item, position=position, running_points=total))
        return rows, has_more
    found = _numbered(product, [item.pk for item in items])
    # An item archived between the two reads has no position any more; leave it out.
    rows = [
        BacklogRow(item=item, position=found[item.pk][0], running_points=found[item.pk][1])
        for item in items
        if item.pk in found
    ]
    return rows, has_more


def neighbour_in_list(product: Product, item: Item, filters: BacklogFilter, *, direction: str) -> Item | None:
    """The live item directly above (`up`) or below (`down`) this one in the list the user sees
    (the backlog under the same filters), for "move up" and "move down"."""
    items = backlog_items(product, filters).prefetch_related(None)
    if direction == "up":
        return items.filter(rank__lt=item.rank).order_by("-rank").first()
    return items.filter(rank__gt=item.rank).order_by("rank").first()


# --- Reads for the API (added with the REST API) -------------------------------------------------


def api_backlog_items(product: Product, filters: BacklogFilter | None = None, *, archived: bool = False):
    """backlog_items for the API: each item's parent key annotated as `parent_key`, and no
    product join or label prefetch (the API lists label names with `label_names`, which is
    cheaper than building Label objects for every row)."""
    return (
        backlog_items(product, filters, archived=archived)
        .select_related(None)
        .prefetch_related(None)
        .annotate(parent_key=F("parent__key"))
    )


def label_names(items: Sequence[Item]) -> dict[int, list[str]]:
    """The label names of each of the items, sorted, in one query."""
    names: dict[int, list[str]] = {item.pk: [] for item in items}
    if names:
        rows = (
            Item.labels.through.objects.filter(item_id__in=list(names))
            .order_by("label__name")
            .values_list("item_id", "label__name")
        )
        for item_id, name in rows:
            names[item_id].append(name)
    return names


def item_of_product(product: Product, key: str) -> Item | None:
    """The product's item with this key (archived ones too), or None."""
    key = normal_key(key, ITEM_KEY_PATTERN)
    return Item.objects.filter(product=product, key=key).first() if key else None


def membership_of(product: Product, user_id: int) -> Membership | None:
    """The product's membership of the user with this id, with its user, or None."""
    membership = Membership.objects.select_related("user").filter(product=product, user_id=user_id).first()
    if membership is not None:
        membership.product = product
    return membership


# --- Product goal ---------------------------------------------------------------------------------


def active_product_goal(product: Product) -> ProductGoal | None:
    """The product's active goal, or None."""
    return ProductGoal.objects.filter(product=product, status=ProductGoal.Status.ACTIVE).first()


def product_goals(product: Product) -> QuerySet[ProductGoal]:
    """All goals of the product, newest first, with who set them."""
    return ProductGoal.objects.filter(product=product).select_related("created_by").order_by("-created_at", "-id")
