"""Rank keys without a database: planned inserts and respacings keep a strict order, every
intermediate write is free of duplicates, and keys stay within their length bound.

`Backlog` below replays what `services.move_item` does with the pure functions (read the two
neighbours, plan, read a wider window while the plan says none fits, write in a safe order), on
a plain list, and checks each write against a set of the keys held at that moment, the way
the unique (product, rank) constraint checks each statement.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from backlog import ranking

# Small windows and length bounds make the rare paths (respacing, wider windows, the whole
# backlog) common; the real bounds are tested too.
LIMITS = st.sampled_from([1, 2, 3, ranking.WINDOW_LIMIT])
MAX_LENGTHS = st.sampled_from([ranking.TARGET_RANK_LENGTH + 1, 20, ranking.MAX_RANK_LENGTH])


class Backlog:
    """Item ids in rank order, their keys, and the counts of rows written."""

    def __init__(
        self, count: int, *, window_limit: int = ranking.WINDOW_LIMIT, max_length: int = ranking.MAX_RANK_LENGTH
    ):
        self.ids = list(range(count))
        self.keys = ranking.initial_ranks(count)
        self.window_limit = window_limit
        self.max_length = max_length
        self.next_id = count
        self.rows_written = 0
        self.respacings = 0

    def apply(self, writes: list[tuple[str, str]]) -> None:
        """Write (old, new) pairs one at a time, as the service's UPDATE statements do."""
        held = set(self.keys)
        assert len(held) == len(self.keys)
        by_key = dict(zip(self.keys, self.ids, strict=True))
        for old, new in writes:
            assert old in held, f"writes a key nobody holds: {old}"
            assert new not in held, f"a write would duplicate {new}"
            held.remove(old)
            held.add(new)
            by_key[new] = by_key.pop(old)
        self.rows_written += sum(1 for old, new in writes if "~" not in new)
        ordered = sorted(by_key)
        self.keys, self.ids = ordered, [by_key[key] for key in ordered]

    def plan(self, others: list[str], gap: int) -> ranking.InsertPlan:
        """Plan a key for the gap before `others[gap]`, widening the window like the service."""
        after = others[gap - 1] if gap > 0 else None
        before = others[gap] if gap < len(others) else None
        plan = ranking.plan_insert(
            [after] if after is not None else [],
            [before] if before is not None else [],
            left_is_start=after is None,
            right_is_end=before is None,
            max_length=self.max_length,
        )
        limit = self.window_limit
        while plan is None:
            left = others[max(0, gap - limit) : gap]
            right = others[gap : gap + limit]
            plan = ranking.plan_insert(
                left,
                right,
                left_is_start=after is None or len(left) < limit,
                right_is_end=before is None or len(right) < limit,
                max_length=self.max_length,
            )
            limit *= 8
        if plan.rewrites:
            self.respacings += 1
        return plan

    def move(self, index: int, gap: int) -> None:
        """Move the item at `index` so that it lands before `others[gap]` (others: the rest)."""
        moving = self.keys[index]
        others = self.keys[:index] + self.keys[index + 1 :]
        if gap == index:  # already there: the service writes nothing
            return
        plan = self.plan(others, gap)
        expected = self.ids[:index] + self.ids[index + 1 :]
        expected.insert(gap, self.ids[index])
        self.apply(ranking.safe_write_order([*plan.rewrites, (moving, plan.rank)]))
        assert self.ids == expected

    def insert(self, gap: int) -> None:
        """Insert a new item before `keys[gap]`."""
        plan = self.plan(self.keys, gap)
        expected = list(self.ids)
        expected.insert(gap, self.next_id)
        self.apply(ranking.safe_write_order(plan.rewrites))
        assert plan.rank not in self.keys
        self.keys.append(plan.rank)
        self.ids.append(self.next_id)
        self.next_id += 1
        self.apply([])  # re-sort
        assert self.ids == expected

    def check(self) -> None:
        assert all(a < b for a, b in itertools.pairwise(self.keys)), "keys are not strictly increasing"
        assert max(map(len, self.keys), default=0) <= self.max_length


operations = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["move", "insert"]), st.integers(0, 10_000), st.integers(0, 10_000)),
        st.tuples(st.just("hot"), st.integers(0, 10_000), st.integers(40, 250)),
    ),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(count=st.integers(1, 40), ops=operations, window_limit=LIMITS, max_length=MAX_LENGTHS)
def test_moves_and_inserts_keep_a_strict_duplicate_free_order(count, ops, window_limit, max_length):
    """Any mix of moves (random, or into one hot gap) and inserts keeps keys strictly increasing,
    equal to the list model, bounded in length, and never duplicated by an intermediate write."""
    backlog = Backlog(count, window_limit=window_limit, max_length=max_length)
    for kind, a, b in ops:
        size = len(backlog.keys)
        if kind == "move":
            backlog.move(a % size, b % size)
        elif kind == "hot":
            # A run of moves into one gap, each from below it: the key-growing pattern of
            # "always to position 2", anywhere in the backlog.
            if size > 2:
                gap = a % (size - 1)
                for n in range(b):
                    backlog.move(gap + 1 + (n * 7) % (size - gap - 1), gap)
        else:
            backlog.insert(b % (size + 1))
        backlog.check()


@settings(max_examples=50, deadline=None)
@given(count=st.integers(1, 300), seeds=st.lists(st.integers(0, 10_000), max_size=60))
def test_respacing_keeps_the_order_and_never_duplicates_a_key(count, seeds):
    """Respacing the whole backlog (respace_backlog's plan) keeps the order, and no write takes a
    key that another row still holds, whatever keys the backlog had."""
    backlog = Backlog(count)
    for seed in seeds:  # uneven keys first: some crowded gaps, some long keys
        backlog.move(seed % count, (seed * 7) % count)
    before = list(backlog.ids)
    fresh = ranking.initial_ranks(count)
    assert all(a < b for a, b in itertools.pairwise(fresh))
    backlog.apply(ranking.safe_write_order(list(zip(backlog.keys, fresh, strict=True))))
    assert backlog.ids == before
    assert backlog.keys == fresh


@given(
    keys=st.lists(
        st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6),
        unique=True,
        max_size=30,
    ),
    data=st.data(),
)
def test_safe_write_order_never_writes_a_held_key(keys, data):
    """Any permutation of a set of keys, written in safe order, never collides mid-way (loops are
    broken by parking one row on a free key)."""
    new = data.draw(st.permutations(keys))
    held = set(keys)
    final = dict(zip(keys, new, strict=True))
    owner = {key: key for key in keys}  # current key -> original key
    for old, target in ranking.safe_write_order(list(final.items())):
        assert old in held and target not in held
        held.remove(old)
        held.add(target)
        owner[target] = owner.pop(old)
    assert {final[original]: original for original in keys} == owner


def test_moves_to_position_two_stay_bounded_and_cheap():
    """2,000 moves into the same gap keep every key within the bound, and respace rarely and
    locally: the rows written per move stay close to one."""
    backlog = Backlog(200)
    for n in range(2000):
        backlog.move(2 + (n * 7) % 198, 1)
    backlog.check()
    assert max(map(len, backlog.keys)) <= ranking.MAX_RANK_LENGTH
    assert backlog.respacings >= 1
    assert backlog.rows_written / 2000 <= 1.02


def test_moves_to_the_top_and_to_the_bottom_stay_bounded():
    """Repeated moves to the top or to the bottom keep keys short (no respacing needed)."""
    backlog = Backlog(50)
    for n in range(1000):
        backlog.move(1 + n % 49, 0)
        backlog.move(n % 49, 49)
    backlog.check()
    assert max(map(len, backlog.keys)) <= 8


def test_a_window_too_narrow_to_respace_asks_for_more():
    """A gap whose keys cannot be made short inside the given neighbours returns None, so that
    the caller reads a wider window instead of writing an overlong key."""
    left = ["a0" + "V" * 50]
    right = ["a0" + "V" * 50 + "V"]
    assert ranking.plan_insert(left, right, left_is_start=False, right_is_end=False) is None


def test_rank_between_the_ends_of_an_empty_backlog_is_a_valid_key():
    """The first key of an empty backlog sorts between nothing and nothing."""
    assert ranking.rank_between(None, None) == ranking.initial_ranks(1)[0]
