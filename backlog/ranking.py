"""Rank keys: base-62 fractional indexes, compared byte by byte.

Pure functions, no database: the service reads neighbours under the product lock and asks
these functions which keys to write.

A move into a gap normally writes one key between its two neighbours. Repeated moves into the
same gap (always to position 2) halve it each time, so keys grow by one character every ~6
moves. When a key would pass `MAX_RANK_LENGTH`, `plan_insert` respaces a small window of
neighbours around the gap, growing the window until its keys come out short again, so the cost
is a handful of rows every few hundred moves instead of the whole backlog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fractional_indexing import generate_key_between, generate_n_keys_between

MAX_RANK_LENGTH = 48
# A respaced window is accepted once its longest key is at most this long: that leaves room for
# ~190 more moves into the same gap before the next respacing.
TARGET_RANK_LENGTH = 16
# How many neighbours on each side the service reads for a respacing; past that, the whole
# backlog is respaced (never seen outside adversarial tests).
WINDOW_LIMIT = 64


def initial_ranks(count: int) -> list[str]:
    """Evenly spaced keys for `count` items, for a new or wholly respaced backlog."""
    return generate_n_keys_between(None, None, count)


def rank_between(before: str | None, after: str | None) -> str:
    """A key strictly between two neighbours (None: the start or the end of the backlog)."""
    return generate_key_between(before, after)


@dataclass(frozen=True)
class InsertPlan:
    """The key for the moving item, and the neighbours whose keys change to make room
    (old key, new key); pass them with the moving item's own change to `safe_write_order`."""

    rank: str
    rewrites: list[tuple[str, str]] = field(default_factory=list)


def plan_insert(
    left: Sequence[str],
    right: Sequence[str],
    *,
    left_is_start: bool,
    right_is_end: bool,
    max_length: int = MAX_RANK_LENGTH,
) -> InsertPlan | None:
    """Plan the keys for an item placed in the gap between `left` and `right`.

    `left` holds the keys just before the gap, nearest last; `right` those just after it,
    nearest first. `left_is_start` says `left` reaches the first item of the backlog (nothing
    bounds it on that side); `right_is_end` the same for the end. Returns None when no window
    inside the given neighbours gives short keys: the caller then respaces everything.
    """
    simple = rank_between(left[-1] if left else None, right[0] if right else None)
    if len(simple) <= max_length:
        return InsertPlan(rank=simple)

    # Try windows of doubling size, on the left, on the right and on both sides: a crowded gap
    # often has room on one side only (moves to position 2 pile long keys up below the gap).
    # The first window whose keys come out short is written; doubling keeps the search cheap.
    size = 1
    while size <= max(len(left), len(right)):
        for take_left, take_right in ((size, 0), (0, size), (size, size)):
            take_left, take_right = min(take_left, len(left)), min(take_right, len(right))
            plan = _respace(left, right, take_left, take_right, left_is_start, right_is_end)
            if plan is not None:
                return plan
        size *= 2
    return _respace(left, right, len(left), len(right), left_is_start, right_is_end)


def _bound(keys: Sequence[str], taken: int, *, from_end: bool) -> str | None:
    """The key that bounds a window that took `taken` keys from this side, None if none."""
    if taken >= len(keys):
        return None
    return keys[-1 - taken] if from_end else keys[taken]


def _respace(
    left: Sequence[str],
    right: Sequence[str],
    take_left: int,
    take_right: int,
    left_is_start: bool,
    right_is_end: bool,
) -> InsertPlan | None:
    if take_left == len(left) and not left_is_start:
        return None
    if take_right == len(right) and not right_is_end:
        return None
    lower = _bound(left, take_left, from_end=True)
    upper = _bound(right, take_right, from_end=False)
    window_left = list(left[len(left) - take_left :]) if take_left else []
    window_right = list(right[:take_right])
    keys = generate_n_keys_between(lower, upper, take_left + 1 + take_right)
    if max(len(key) for key in keys) > TARGET_RANK_LENGTH:
        return None
    old = window_left + window_right
    new = keys[:take_left] + keys[take_left + 1 :]
    return InsertPlan(rank=keys[take_left], rewrites=list(zip(old, new, strict=True)))


def safe_write_order(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Order (old, new) key changes so that no write takes a key another row still holds.

    The unique (product, rank) constraint is checked per statement on both databases, so a
    respacing writes the far end of each chain first (item i's new key is item j's old key:
    write j, then i). Keys of the window alone increase on both sides and never form a loop;
    the moving item can close one (it swaps order with its neighbours), and then one row is
    parked on a temporary key first: no base-62 key contains "~", so `old + "~"` is always free
    (it need not sort inside the window: it is gone before the transaction ends).
    """
    pending = {old: new for old, new in pairs if old != new}
    ordered: list[tuple[str, str]] = []
    while pending:
        ready = [old for old, new in pending.items() if new not in pending]
        if not ready:
            old = next(iter(pending))
            parked = old + "~"
            ordered.append((old, parked))
            pending[parked] = pending.pop(old)
            continue
        for old in ready:
            ordered.append((old, pending.pop(old)))
    return ordered
