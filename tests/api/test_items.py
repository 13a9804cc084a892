"""/api/v1/products/{KEY}/items/: the backlog in order, with positions over the whole live
backlog whatever the filter, cursor pages, and item creation with its field-level rules."""

import pytest

from backlog import services
from backlog.models import Item
from tests.api.conftest import item_url, items_url, keys_of
from tests.conftest import make_item, make_items

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "key", "url", "product", "kind", "title", "description", "why", "acceptance_criteria", "hypothesis",
    "status", "estimate", "labels", "parent", "position", "version", "created_at", "updated_at", "archived_at",
}  # fmt: skip


def test_the_list_is_in_backlog_order(as_user, po, product):
    a, b, c = make_items(product, 3)
    services.move_item(item=c, by=po, position=1)
    response = as_user(po).get(items_url())
    assert response.status_code == 200
    assert keys_of(response) == [c.key, a.key, b.key]
    assert [row["position"] for row in response.json()["results"]] == [1, 2, 3]


def test_an_item_carries_every_field(as_user, po, product):
    epic = make_item(product, title="Checkout")
    make_item(product, title="Pay by card", kind="story", estimate=5, labels=["payments", "web"], parent=epic)
    row = as_user(po).get(items_url()).json()["results"][1]
    assert set(row) == ITEM_FIELDS
    assert row["labels"] == ["payments", "web"]
    assert row["parent"] == epic.key
    assert row["estimate"] == 5
    assert row["version"] == 1
    assert row["archived_at"] is None
    assert row["url"].endswith(f"/api/v1/items/{row['key']}/")


def test_any_member_reads_the_list(as_user, stakeholder, product):
    make_items(product, 2)
    assert as_user(stakeholder).get(items_url()).status_code == 200


def test_an_outsider_gets_a_404_for_the_list(as_user, outsider, product):
    assert as_user(outsider).get(items_url()).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"status": "ready"}, [2]), ({"kind": "bug"}, [3]), ({"label": "web"}, [2, 4]), ({"q": "search me"}, [4])],
)
def test_filters_keep_order_and_positions_over_the_whole_backlog(as_user, po, product, query, expected):
    make_item(product, title="One")
    make_item(product, title="Two", status="ready", labels=["web"])
    make_item(product, title="Three", kind="bug")
    make_item(product, title="Four, search me", labels=["web"])
    rows = as_user(po).get(items_url(), query).json()["results"]
    assert [row["position"] for row in rows] == expected


def test_a_filtered_list_skips_archived_items_but_counts_positions_without_them(as_user, po, product):
    a, b, c = make_items(product, 3)
    services.update_item(item=c, by=po, changes={"kind": "bug"})
    services.archive_item(item=a, by=po)
    rows = as_user(po).get(items_url(), {"kind": "bug"}).json()["results"]
    assert [(row["key"], row["position"]) for row in rows] == [(c.key, 2)]


def test_archived_true_lists_archived_items_without_positions(as_user, po, product):
    a, b, c = make_items(product, 3)
    services.archive_item(item=b, by=po)
    rows = as_user(po).get(items_url(), {"archived": "true"}).json()["results"]
    assert [(row["key"], row["position"]) for row in rows] == [(b.key, None)]
    assert rows[0]["archived_at"] is not None


def test_the_live_list_leaves_archived_items_out(as_user, po, product):
    a, b, c = make_items(product, 3)
    services.archive_item(item=b, by=po)
    response = as_user(po).get(items_url())
    assert keys_of(response) == [a.key, c.key]
    assert [row["position"] for row in response.json()["results"]] == [1, 2]


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "bogus"), ("kind", "saga"), ("archived", "maybe"), ("label", "x" * 51), ("q", "nul\x00byte")],
)
def test_a_bad_filter_value_is_a_400_naming_it(as_user, po, product, param, value):
    response = as_user(po).get(items_url(), {param: value})
    assert response.status_code == 400
    assert param in response.json()["fields"]


def test_unknown_query_parameters_are_ignored(as_user, po, product):
    make_items(product, 1)
    assert as_user(po).get(items_url(), {"sort": "title"}).status_code == 200


def test_pages_hold_50_items_by_default(as_user, po, product):
    make_items(product, 51)
    body = as_user(po).get(items_url()).json()
    assert len(body["results"]) == 50
    assert body["next"]


def test_page_size_is_capped_at_200(as_user, po, product):
    make_items(product, 201)
    assert len(as_user(po).get(items_url(), {"page_size": 500}).json()["results"]) == 200


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "", "9" * 5000])
def test_a_bad_page_size_is_a_400_naming_page_size(as_user, po, product, value):
    response = as_user(po).get(items_url(), {"page_size": value})
    assert response.status_code == 400
    assert "page_size" in response.json()["fields"]


def test_following_next_links_walks_the_backlog_with_running_positions(as_user, po, product):
    items = make_items(product, 7)
    client = as_user(po)
    url, keys, positions = f"{items_url()}?page_size=3", [], []
    while url:
        body = client.get(url).json()
        keys += [row["key"] for row in body["results"]]
        positions += [row["position"] for row in body["results"]]
        url = body["next"]
    assert keys == [item.key for item in items]
    assert positions == list(range(1, 8))


def test_a_previous_link_goes_back(as_user, po, product):
    items = make_items(product, 5)
    client = as_user(po)
    second = client.get(client.get(items_url(), {"page_size": 2}).json()["next"]).json()
    back = client.get(second["previous"]).json()
    assert [row["key"] for row in back["results"]] == [items[0].key, items[1].key]
    assert [row["position"] for row in back["results"]] == [1, 2]


@pytest.mark.parametrize("cursor", ["garbage", "%%%", "cD0lMDA=", "bz0tMQ==", "ä"])
def test_a_malformed_cursor_is_a_400_naming_cursor(as_user, po, product, cursor):
    make_items(product, 2)
    response = as_user(po).get(items_url(), {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["fields"]


def test_a_member_creates_an_item_at_the_bottom(as_user, developer, product):
    make_items(product, 2)
    response = as_user(developer).post(items_url(), {"title": "New idea", "estimate": 3}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["key"] == "SHOP-3"
    assert body["position"] == 3
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith("/api/v1/items/SHOP-3/")


def test_the_product_owner_creates_an_item_at_the_top(as_user, po, product):
    make_items(product, 2)
    response = as_user(po).post(items_url(), {"title": "Urgent", "at_top": True}, format="json")
    assert response.json()["position"] == 1


def test_a_developer_asking_for_the_top_gets_a_400_naming_at_top(as_user, developer, product):
    response = as_user(developer).post(items_url(), {"title": "Me first", "at_top": True}, format="json")
    assert response.status_code == 400
    assert "at_top" in response.json()["fields"]
    assert not Item.objects.exists()


@pytest.mark.parametrize("status", ["ready", "discarded"])
def test_a_developer_may_not_create_a_ready_or_discarded_item(as_user, developer, product, status):
    response = as_user(developer).post(items_url(), {"title": "Done deal", "status": status}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_the_product_owner_may_create_a_ready_item(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": "Ready", "status": "ready"}, format="json")
    assert response.status_code == 201


def test_a_stakeholder_may_not_create_items(as_user, stakeholder, product):
    assert as_user(stakeholder).post(items_url(), {"title": "Wish"}, format="json").status_code == 403


def test_an_outsider_creating_an_item_gets_a_404(as_user, outsider, product):
    assert as_user(outsider).post(items_url(), {"title": "Spam"}, format="json").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "x", "kind": "saga"}, "kind"),
        ({"title": "x", "estimate": 4}, "estimate"),
        ({"title": "x", "estimate": "lots"}, "estimate"),
        ({"title": "x", "labels": "web"}, "labels"),
        ({"title": "x", "parent": "SHOP-999"}, "parent"),
        ({"title": "x", "rank": "a0"}, "rank"),
        ({"title": "x", "version": 7}, "version"),
    ],
)
def test_bad_item_input_is_a_400_naming_the_field(as_user, po, product, body, field):
    response = as_user(po).post(items_url(), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_parent_from_another_product_is_refused(as_user, po, product):
    other = services.create_product(by=po, key="OTHER", name="Other")
    foreign = make_item(other)
    response = as_user(po).post(items_url(), {"title": "x", "parent": foreign.key}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["fields"]


def test_a_created_item_is_readable_at_its_location(as_user, po, product):
    client = as_user(po)
    location = client.post(items_url(), {"title": "Find me"}, format="json").headers["Location"]
    assert client.get(location).json()["title"] == "Find me"
    assert item_url("SHOP-1").endswith("/api/v1/items/SHOP-1/")
