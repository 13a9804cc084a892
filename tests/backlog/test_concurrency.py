"""Concurrent writers on PostgreSQL: two threads, each on its own database connection, rank one
backlog, create items and change roles at the same time. SQLite serialises writers anyway, so
these run on PostgreSQL only (skipped locally without it, failing in CI).
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from backlog import services
from backlog.models import Item, Membership, Product, Role
from config.errors import Forbidden, InvalidInput
from tests.conftest import make_items, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MOVES_PER_CLIENT = 200


def run_together(*work: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    """Run each callable in its own thread (so on its own connection), lined up on a barrier;
    return their results and the exceptions they raised."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)
    errors: list[BaseException] = []

    def client(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as error:  # every error is a finding, reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n, job)) for n, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    return results, errors


def random_moves(product_pk: int, by, seed: int, count: int) -> int:
    """Make `count` random moves (after, before, to a position) as a product owner would."""
    rng = random.Random(seed)
    product = Product.objects.get(pk=product_pk)
    items = list(Item.objects.filter(product=product))
    for item in items:
        item.product = product
    for _ in range(count):
        item, target = rng.sample(items, 2)
        kind = rng.choice(["after", "before", "position"])
        if kind == "position":
            services.move_item(item=item, by=by, position=rng.randint(1, len(items) + 2))
        else:
            services.move_item(item=item, by=by, **{kind: target})
    return count


def assert_strict_total_order(product, keys: set[str]) -> None:
    rows = list(Item.objects.filter(product=product).order_by("rank").values_list("key", "rank"))
    ranks = [rank for _, rank in rows]
    assert {key for key, _ in rows} == keys, "an item was lost or duplicated"
    assert len(set(ranks)) == len(ranks), "two items share a rank"
    assert all(a < b for a, b in itertools.pairwise(ranks))


def test_two_clients_moving_at_once_keep_a_strict_total_order(on_postgres, product, po):
    """Two clients making 200 random moves each on one backlog: no error, no duplicate rank, no
    lost item, and every move is recorded."""
    keys = {item.key for item in make_items(product, 30)}
    results, errors = run_together(
        lambda: random_moves(product.pk, po, seed=1, count=MOVES_PER_CLIENT),
        lambda: random_moves(product.pk, po, seed=2, count=MOVES_PER_CLIENT),
    )
    assert errors == []
    assert results == [MOVES_PER_CLIENT, MOVES_PER_CLIENT]
    assert_strict_total_order(product, keys)


def test_moves_into_one_gap_from_two_clients_respace_safely(on_postgres, product, po):
    """Two clients moving to position 2 at once pass the length bound and respace windows
    under the lock, without a duplicate rank or an error."""
    items = make_items(product, 40)
    keys = {item.key for item in items}

    def to_position_two(offset: int) -> int:
        local = list(Item.objects.select_related("product").filter(product=product).order_by("pk"))
        for n in range(MOVES_PER_CLIENT):
            services.move_item(item=local[2 + (offset + n * 7) % 38], by=po, position=2)
        return MOVES_PER_CLIENT

    results, errors = run_together(lambda: to_position_two(0), lambda: to_position_two(3))
    assert errors == []
    assert results == [MOVES_PER_CLIENT, MOVES_PER_CLIENT]
    assert_strict_total_order(product, keys)
    respaced = product.history.filter(event="backlog.item.moved", data__respaced__gt=0)
    assert respaced.exists()


def test_item_keys_stay_unique_and_gapless_under_concurrent_creation(on_postgres, product, po):
    """Two clients creating 50 items each get the numbers 1 to 100, each once, and distinct ranks."""

    def create(label: str) -> list[str]:
        local = Product.objects.get(pk=product.pk)
        return [services.create_item(product=local, by=po, title=f"{label} {n}").key for n in range(50)]

    results, errors = run_together(lambda: create("A"), lambda: create("B"))
    assert errors == []
    numbers = sorted(Item.objects.filter(product=product).values_list("number", flat=True))
    assert numbers == list(range(1, 101))
    assert sorted(results[0] + results[1]) == sorted(f"SHOP-{n}" for n in range(1, 101))
    product.refresh_from_db()
    assert product.last_item_number == 100
    assert_strict_total_order(product, {f"SHOP-{n}" for n in range(1, 101)})


def test_creation_and_moves_at_once_keep_a_strict_total_order(on_postgres, product, po):
    """One client creating items at the top and bottom while another moves: no error, and every
    item has its own rank."""
    keys = {item.key for item in make_items(product, 20)}

    def create() -> list[str]:
        local = Product.objects.get(pk=product.pk)
        return [services.create_item(product=local, by=po, title=f"New {n}", at_top=n % 2 == 0).key for n in range(60)]

    results, errors = run_together(create, lambda: random_moves(product.pk, po, seed=3, count=MOVES_PER_CLIENT))
    assert errors == []
    assert_strict_total_order(product, keys | set(results[0]))


def test_two_owners_demoting_each_other_at_once_leave_one_owner(on_postgres, product, po):
    """Each of two product owners demotes the other at the same moment: one change wins, the
    other is refused every time (as "last product owner", or as forbidden when the loser's own
    demotion committed before its permission check)."""
    other = make_user("po2@example.com")
    Membership.objects.create(product=product, user=other, role=Role.PRODUCT_OWNER)
    for _ in range(10):
        Membership.objects.filter(product=product).update(role=Role.PRODUCT_OWNER)

        def demote(by, whom) -> str:
            membership = Membership.objects.select_related("product").get(product=product, user=whom)
            return services.change_role(membership=membership, by=by, role=Role.DEVELOPER).role

        results, errors = run_together(lambda: demote(po, other), lambda: demote(other, po))
        owners = Membership.objects.filter(product=product, role=Role.PRODUCT_OWNER).count()
        assert owners == 1
        assert len(errors) == 1
        refused = errors[0]
        assert isinstance(refused, Forbidden) or (
            isinstance(refused, InvalidInput) and refused.code == "last_product_owner"
        ), refused
