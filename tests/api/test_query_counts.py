"""API lists run a constant number of queries, whatever the row count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backlog import ranking, services
from backlog.models import Item, Label, Product
from tests.api.conftest import item_url, items_url, members_url, products_url
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def fill(product: Product, count: int, by) -> None:
    """`count` items with labels and parents, written in bulk (the create service is not under test)."""
    start = product.items.count()
    ranks = ranking.initial_ranks(start + count)[start:]
    product.last_item_number = start + count
    product.save(update_fields=["last_item_number"])
    items = Item.objects.bulk_create(
        Item(product=product, number=n, key=f"{product.key}-{n}", title=f"Item {n}", rank=rank, created_by=by)
        for n, rank in zip(range(start + 1, start + count + 1), ranks, strict=True)
    )
    web, _ = Label.objects.get_or_create(product=product, name="web")
    Item.labels.through.objects.bulk_create(Item.labels.through(item_id=item.pk, label_id=web.pk) for item in items)
    Item.objects.filter(pk__in=[item.pk for item in items[1:]]).update(parent=items[0])


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params", [{}, {"label": "web"}, {"status": "new"}, {"q": "Item"}, {"archived": "true"}, {"page_size": 200}]
)
def test_the_items_list_costs_the_same_for_10_and_1000_items(as_user, po, product, params):
    client = as_user(po)
    fill(product, 10, po)
    if params.get("archived"):
        Item.objects.filter(product=product).update(archived_at="2024-01-01T00:00:00Z")
    small = count_queries(client, items_url(), params)
    fill(product, 990, po)
    if params.get("archived"):
        Item.objects.filter(product=product).update(archived_at="2024-01-01T00:00:00Z")
    assert count_queries(client, items_url(), params) == small


def test_the_items_list_needs_few_queries(as_user, po, product, django_assert_max_num_queries):
    fill(product, 100, po)
    client = as_user(po)
    with django_assert_max_num_queries(6):
        client.get(items_url())


def test_a_later_page_costs_the_same_as_the_first(as_user, po, product):
    fill(product, 300, po)
    client = as_user(po)
    first = count_queries(client, items_url())
    next_url = client.get(items_url()).json()["next"]
    assert count_queries(client, next_url) == first


def test_the_products_list_costs_the_same_for_1_and_20_products(as_user, po):
    client = as_user(po)
    services.create_product(by=po, key="P0", name="P0")
    small = count_queries(client, products_url())
    for n in range(1, 20):
        services.create_product(by=po, key=f"P{n}", name=f"P{n}")
    assert count_queries(client, products_url()) == small


def test_the_members_list_costs_the_same_for_1_and_20_members(as_user, po, product):
    client = as_user(po)
    small = count_queries(client, members_url())
    for n in range(19):
        services.add_member(product=product, by=po, user=make_user(f"m{n}@example.com"), role="developer")
    assert count_queries(client, members_url()) == small


def test_the_notes_list_costs_the_same_for_1_and_20_notes(as_user, po, developer, product):
    item = services.create_item(product=product, by=po, title="Talked about")
    client = as_user(po)
    services.add_refinement_note(item=item, by=po, body="first")
    small = count_queries(client, item_url(item, "notes"))
    for n in range(19):
        services.add_refinement_note(item=item, by=developer if n % 2 else po, body=f"note {n}")
    assert count_queries(client, item_url(item, "notes")) == small
