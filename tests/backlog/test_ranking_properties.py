"""Ranking through the services: any sequence of moves, inserts, archives, restores and
respacings keeps the backlog a strict total order equal to a plain-list model of the same
operations, with the positions the model gives.

The model is the whole order, archived items included, because archived items keep their rank
and a restore puts them back exactly where they were. Each example starts on a new product.
"""

from __future__ import annotations

import functools
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog import ranking, selectors, services
from backlog.models import HistoryEntry, Item
from config.errors import InvalidInput

PRODUCT_NUMBERS = itertools.count(1)


class Model:
    """The backlog as a plain list of item keys (archived ones included) and a set of archived keys."""

    def __init__(self):
        self.order: list[str] = []
        self.archived: set[str] = set()

    @property
    def live(self) -> list[str]:
        return [key for key in self.order if key not in self.archived]

    def place(self, key: str, index_in_others) -> None:
        others = [other for other in self.order if other != key]
        others.insert(index_in_others(others), key)
        # A move that changes no live position is no move: archived items around the item
        # keep their places between the same live neighbours.
        if [other for other in others if other not in self.archived] != self.live:
            self.order = others

    def move_after(self, key: str, target: str) -> None:
        self.place(key, lambda others: others.index(target) + 1)

    def move_before(self, key: str, target: str) -> None:
        self.place(key, lambda others: others.index(target))

    def move_to(self, key: str, position: int) -> None:
        live_others = [other for other in self.live if other != key]
        if not live_others:
            return  # alone among live items: already in place
        if position == 1:
            self.move_before(key, live_others[0])
        else:
            self.move_after(key, live_others[min(position, len(live_others) + 1) - 2])


def new_product(po):
    return services.create_product(by=po, key=f"P{next(PRODUCT_NUMBERS)}", name="Property product")


def stored_order(product) -> list[str]:
    """Every item's key in rank order, archived ones included."""
    return list(Item.objects.filter(product=product).order_by("rank").values_list("key", flat=True))


def assert_matches(product, model: Model) -> None:
    ranks = list(Item.objects.filter(product=product).order_by("rank").values_list("rank", flat=True))
    assert all(a < b for a, b in itertools.pairwise(ranks)), "ranks are not strictly increasing"
    assert max(map(len, ranks), default=0) <= ranking.MAX_RANK_LENGTH
    assert stored_order(product) == model.order
    assert list(selectors.backlog_items(product).values_list("key", flat=True)) == model.live
    live_positions = {key: n for n, key in enumerate(model.live, start=1)}
    for item in Item.objects.filter(product=product):
        assert selectors.position_of(item) == live_positions.get(item.key)


def run(product, po, model: Model, ops) -> None:
    """Apply each operation through the services and to the model."""
    for op, a, b in ops:
        live = model.live
        archived = [key for key in model.order if key in model.archived]
        if op in {"create", "create_top"}:
            item = services.create_item(product=product, by=po, title="New", at_top=op == "create_top")
            if op == "create_top":
                model.order.insert(0, item.key)
            else:
                model.order.append(item.key)
        elif op == "respace":
            services.respace_backlog(product=product)
        elif op == "restore" and archived:
            key = archived[a % len(archived)]
            services.restore_item(item=Item.objects.get(key=key), by=po)
            model.archived.discard(key)
        elif not live:
            continue
        elif op == "archive":
            key = live[a % len(live)]
            services.archive_item(item=Item.objects.get(key=key), by=po)
            model.archived.add(key)
        elif op == "position":
            key = live[a % len(live)]
            position = 1 + b % (len(live) + 3)  # past the end now and then
            services.move_item(item=Item.objects.get(key=key), by=po, position=position)
            model.move_to(key, position)
        elif op in {"after", "before"}:
            key, target = live[a % len(live)], live[b % len(live)]
            item, target_item = Item.objects.get(key=key), Item.objects.get(key=target)
            if key == target:
                with pytest.raises(InvalidInput):
                    services.move_item(item=item, by=po, **{op: target_item})
                continue
            services.move_item(item=item, by=po, **{op: target_item})
            getattr(model, f"move_{op}")(key, target)


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "create",
                "create_top",
                "after",
                "before",
                "position",
                "position",
                "archive",
                "restore",
                "respace",
            ]
        ),
        st.integers(0, 1_000),
        st.integers(0, 1_000),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, 8), ops=OPS)
def test_any_sequence_of_operations_keeps_the_model_order(po, start, ops):
    """Moves (after, before, to a position, to the top, past the end), inserts at the bottom and
    the top, archives, restores and respacings leave the order and positions of the list model."""
    product = new_product(po)
    model = Model()
    for _ in range(start):
        model.order.append(services.create_item(product=product, by=po, title="Start").key)
    run(product, po, model, ops)
    assert_matches(product, model)


@pytest.fixture
def tight_ranks(monkeypatch):
    """Length bounds so tight that nearly every move into a used gap respaces a window, and a
    window limit so small that the service has to widen its reads."""
    monkeypatch.setattr(ranking, "plan_insert", functools.partial(ranking.plan_insert, max_length=4))
    monkeypatch.setattr(ranking, "TARGET_RANK_LENGTH", 3)
    monkeypatch.setattr(ranking, "WINDOW_LIMIT", 2)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(4, 12), ops=OPS)
def test_window_respacing_keeps_the_model_order(po, tight_ranks, start, ops):
    """With respacing on nearly every move, archived items inside the windows and the window
    widened step by step, the order and positions still follow the model."""
    product = new_product(po)
    model = Model()
    for _ in range(start):
        model.order.append(services.create_item(product=product, by=po, title="Start").key)
    # To position 2, over and over, each time an item from below: the gap's keys grow.
    hot = [("position", 2 + (n * 5) % (start - 2), 1) for n in range(15)]
    run(product, po, model, [*hot, *ops, *hot])
    assert HistoryEntry.objects.filter(product=product, event="backlog.item.moved", data__respaced__gt=0).exists()
    ranks = Item.objects.filter(product=product).values_list("rank", flat=True)
    assert max(map(len, ranks)) <= 4
    assert_matches(product, model)


def test_many_moves_into_one_gap_respace_a_window_only(po):
    """Three hundred moves to position 2 in a backlog of 200 respace small windows now and then,
    never the whole backlog, and leave the order of the model."""
    product = new_product(po)
    model = Model()
    for _ in range(200):
        model.order.append(services.create_item(product=product, by=po, title="Start").key)
    for n in range(300):
        key = model.live[2 + (n * 13) % 198]
        services.move_item(item=Item.objects.get(key=key), by=po, position=2)
        model.move_to(key, 2)
    respaced = list(
        HistoryEntry.objects.filter(product=product, event="backlog.item.moved", data__respaced__gt=0).values_list(
            "data__respaced", flat=True
        )
    )
    assert respaced, "300 moves into one gap should pass the length bound"
    assert max(respaced) < 50
    assert_matches(product, model)


def test_respace_backlog_keeps_the_order_with_archived_items(po):
    """A full respacing rewrites ranks evenly and keeps archived items where they were."""
    product = new_product(po)
    model = Model()
    for _ in range(30):
        model.order.append(services.create_item(product=product, by=po, title="Start").key)
    run(product, po, model, [("position", n * 5, 1) for n in range(40)] + [("archive", n * 7, 0) for n in range(5)])
    services.respace_backlog(product=product)
    ranks = list(Item.objects.filter(product=product).order_by("rank").values_list("rank", flat=True))
    assert ranks == ranking.initial_ranks(30)
    assert_matches(product, model)
    run(product, po, model, [("restore", n, 0) for n in range(5)])
    assert_matches(product, model)
