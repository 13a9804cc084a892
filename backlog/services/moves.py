"""Ranking: moving an item writes one row under the product's ranking lock."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from config.errors import InvalidInput

from .. import ranking
from ..models import (
    ITEM_KEY_PATTERN,
    Item,
    Product,
    normal_key,
)
from ..permissions import move_action, require
from .common import (
    _lock_ranking,
    record,
)

INVALID_TARGET = "Move it next to another live item of the same backlog."
MAX_POSITION = 2**31


@dataclass(frozen=True)
class MoveResult:
    item: Item
    moved: bool


def _live(product: Product):
    return Item.objects.filter(product=product, archived_at__isnull=True)


def _ranks(
    product: Product, item: Item, *, below: str | None = None, above: str | None = None, inclusive: bool, limit: int
) -> list[str]:
    """Ranks of any items (archived too: they hold their ranks) next to a point, the moving
    item left out. `below`: ranks before it, nearest first; `above`: ranks after it."""
    rows = Item.objects.filter(product=product).exclude(pk=item.pk)
    if below is not None:
        rows = rows.filter(**{"rank__lte" if inclusive else "rank__lt": below}).order_by("-rank")
    else:
        rows = rows.filter(**{"rank__gte" if inclusive else "rank__gt": above}).order_by("rank")
    return list(rows.values_list("rank", flat=True)[:limit])


def move_target(*, product: Product, key: str, field: str) -> Item:
    """The live item of the product with this key, as a move target; one error for every miss."""
    key = normal_key(key, ITEM_KEY_PATTERN)
    item = Item.objects.filter(product=product, key=key, archived_at__isnull=True).first() if key else None
    if item is None:
        raise InvalidInput(INVALID_TARGET, code="invalid_target", fields={field: [INVALID_TARGET]})
    return item


def _live_rank_at(product: Product, item: Item, index: int) -> str | None:
    """The rank at 0-based `index` of the live order without `item` (past the end: the last).

    Reads the live order *with* the item, two rows at the offset, and steps over the item in
    Python: excluding it in SQL would cost a table visit per skipped row, where this stays an
    index-only scan of the partial live-rank index.
    """
    live = _live(product).order_by("rank").values_list("rank", flat=True)
    pair = list(live[index : index + 2])
    if pair and pair[0] < item.rank:
        return pair[0]
    if len(pair) == 2:
        return pair[1]
    last_two = list(live.order_by("-rank")[:2])
    return next((rank for rank in last_two if rank != item.rank), None)


def _next_live_rank(product: Product, item: Item, rank: str) -> str | None:
    """The rank of the first live item after `rank`, the moving item left out."""
    rows = _live(product).exclude(pk=item.pk).filter(rank__gt=rank).order_by("rank")
    return rows.values_list("rank", flat=True).first()


def _target_item(product: Product, item: Item, target: Item | None, field: str) -> Item:
    # Unknown, archived, of another product, or the item itself: one message for all, so
    # nothing about other products leaks.
    if target is None or target.product_id != product.pk or target.pk == item.pk or target.archived_at is not None:
        raise InvalidInput(INVALID_TARGET, code="invalid_target", fields={field: [INVALID_TARGET]})
    # The caller's copy may be stale: read the rank as it is under the lock.
    fresh = Item.objects.filter(pk=target.pk, archived_at__isnull=True).values_list("rank", flat=True).first()
    if fresh is None:
        raise InvalidInput(INVALID_TARGET, code="invalid_target", fields={field: [INVALID_TARGET]})
    target.rank = fresh
    return target


@transaction.atomic
def move_item(
    *,
    item: Item,
    by,
    after: Item | None = None,
    before: Item | None = None,
    position: int | None = None,
    for_sprint_close: bool = False,
) -> MoveResult:
    """Move an item directly below `after`, directly above `before`, or to a 1-based
    `position` among live items (past the end means the bottom). Exactly one is given.

    Under the product's ranking lock, reads the two neighbours and writes one row: the moved
    item's rank. Only when the key between them would pass the length bound are a few
    neighbours respaced too. The item's version does not change: reordering must not
    invalidate anyone's open edit form.

    `for_sprint_close`: the move places an unfinished item of a closing sprint
    (sprints.services.close_sprint), which whoever may close the sprint may do.
    """
    product = item.product
    require(by, product, move_action(for_sprint_close), not_found=f"No item {item.key}.")
    given = [
        name for name, value in (("after", after), ("before", before), ("position", position)) if value is not None
    ]
    if len(given) != 1:
        raise InvalidInput(
            "Give exactly one of after, before or position.",
            fields={"target": ["Give exactly one of after, before or position."]},
        )
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 1):
        raise InvalidInput("Positions start at 1.", fields={"position": ["A whole number, 1 or more."]})

    _lock_ranking(product)
    current = Item.objects.filter(pk=item.pk).values("rank", "archived_at").get()
    if current["archived_at"] is not None:
        raise InvalidInput(f"{item.key} is archived; restore it to move it.", code="archived")
    item.rank = current["rank"]

    # The gap among live items the move names: the live item that would be directly above
    # (`live_above`) and directly below (`live_below`). Archived items inside the gap hold their
    # ranks for a restore, so they decide where in the gap a new key goes, never whether the
    # item is already there.
    if position is not None:
        if position == 1:
            live_above = None
            live_below = _live(product).exclude(pk=item.pk).order_by("rank").values_list("rank", flat=True).first()
        else:
            live_above = _live_rank_at(product, item, min(position, MAX_POSITION) - 2)
            live_below = _next_live_rank(product, item, live_above) if live_above is not None else None
    elif after is not None:
        live_above = _target_item(product, item, after, "after").rank
        live_below = _next_live_rank(product, item, live_above)
    else:
        live_below = _target_item(product, item, before, "before").rank
        prev = _live(product).exclude(pk=item.pk).filter(rank__lt=live_below).order_by("-rank")
        live_above = prev.values_list("rank", flat=True).first()

    # Already there: no live position changes, so nothing is written or recorded (and the
    # archived items around it keep their places between the same live neighbours).
    if (live_above is None or live_above < item.rank) and (live_below is None or item.rank < live_below):
        return MoveResult(item=item, moved=False)

    # Where in the gap: directly above `before` and the first live item (position 1);
    # otherwise directly below the live item above.
    if before is not None or (position is not None and live_above is None):
        before_rank = live_below
        prev_any = _ranks(product, item, below=live_below, inclusive=False, limit=1) if live_below is not None else []
        after_rank = prev_any[0] if prev_any else None
    else:
        after_rank = live_above
        next_any = _ranks(product, item, above=live_above, inclusive=False, limit=1)
        before_rank = next_any[0] if next_any else None

    plan = ranking.plan_insert(
        [after_rank] if after_rank is not None else [],
        [before_rank] if before_rank is not None else [],
        left_is_start=after_rank is None,
        right_is_end=before_rank is None,
    )
    limit = ranking.WINDOW_LIMIT
    while plan is None:
        # The key would pass the length bound: read more neighbours and respace a window.
        left = (
            list(reversed(_ranks(product, item, below=after_rank, inclusive=True, limit=limit)))
            if after_rank is not None
            else []
        )
        right = _ranks(product, item, above=before_rank, inclusive=True, limit=limit) if before_rank is not None else []
        plan = ranking.plan_insert(
            left,
            right,
            left_is_start=after_rank is None or len(left) < limit,
            right_is_end=before_rank is None or len(right) < limit,
        )
        limit *= 8
    writes = ranking.safe_write_order([*plan.rewrites, (item.rank, plan.rank)])
    for old, new in writes:
        Item.objects.filter(product=product, rank=old).update(rank=new)
    record(
        product=product,
        by=by,
        event="backlog.item.moved",
        item=item,
        rank_from=item.rank,
        rank_to=plan.rank,
        respaced=len(plan.rewrites),
    )
    item.rank = plan.rank
    return MoveResult(item=item, moved=True)


@transaction.atomic
def respace_backlog(*, product: Product) -> int:
    """Rewrite every rank of the product evenly (a maintenance task; moves never need it)."""
    _lock_ranking(product)
    items = list(Item.objects.filter(product=product).order_by("rank").values_list("rank", flat=True))
    fresh = ranking.initial_ranks(len(items))
    writes = ranking.safe_write_order(list(zip(items, fresh, strict=True)))
    for old, new in writes:
        Item.objects.filter(product=product, rank=old).update(rank=new)
    return len(writes)
