"""POST /api/v1/items/{KEY}/move/: after, before or position; one message for every bad
target; never a 500, whatever the number."""

import pytest

from backlog import services
from backlog.services import INVALID_TARGET
from tests.api.conftest import item_url, items_url, keys_of
from tests.conftest import make_item, make_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(product):
    return make_items(product, 4)


def order(client):
    return keys_of(client.get(items_url()))


def test_after_puts_the_item_directly_below_the_target(as_user, po, items):
    a, b, c, d = items
    client = as_user(po)
    response = client.post(item_url(d, "move"), {"after": a.key}, format="json")
    assert response.status_code == 200
    assert response.json()["position"] == 2
    assert order(client) == [a.key, d.key, b.key, c.key]


def test_before_puts_the_item_directly_above_the_target(as_user, po, items):
    a, b, c, d = items
    client = as_user(po)
    response = client.post(item_url(a, "move"), {"before": d.key}, format="json")
    assert response.json()["position"] == 3
    assert order(client) == [b.key, c.key, a.key, d.key]


def test_the_target_key_is_matched_in_any_capitalisation(as_user, po, items):
    a, b, c, d = items
    assert as_user(po).post(item_url(d, "move"), {"after": a.key.lower()}, format="json").status_code == 200


@pytest.mark.parametrize(("position", "expected"), [(1, 1), (2, 2), (4, 4)])
def test_position_puts_the_item_there(as_user, po, items, position, expected):
    response = as_user(po).post(item_url(items[2], "move"), {"position": position}, format="json")
    assert response.status_code == 200
    assert response.json()["position"] == expected


@pytest.mark.parametrize("position", [5, 99, 10**400])
def test_a_position_past_the_end_means_the_bottom(as_user, po, items, position):
    response = as_user(po).post(item_url(items[0], "move"), {"position": position}, format="json")
    assert response.status_code == 200
    assert response.json()["position"] == 4


def test_the_response_is_the_whole_item(as_user, po, items):
    body = as_user(po).post(item_url(items[3], "move"), {"position": 1}, format="json").json()
    assert body["key"] == items[3].key
    assert {"title", "status", "labels", "version", "url"} <= set(body)


def test_a_move_keeps_the_version_and_etag(as_user, po, items):
    response = as_user(po).post(item_url(items[3], "move"), {"position": 1}, format="json")
    assert response.json()["version"] == 1
    assert response.headers["ETag"] == '"1"'


def test_moving_to_where_it_already_is_answers_200(as_user, po, items):
    response = as_user(po).post(item_url(items[0], "move"), {"position": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["position"] == 1


@pytest.mark.parametrize("position", [0, -1, "abc", True, 1.5, None, "", [1], {"n": 1}, "1" * 1001])
def test_a_position_that_is_not_a_whole_number_from_1_is_a_400(as_user, po, items, position):
    response = as_user(po).post(item_url(items[0], "move"), {"position": position}, format="json")
    assert response.status_code == 400
    assert "position" in response.json()["fields"]


def test_a_huge_number_in_the_body_is_a_400_not_a_500(as_user, po, items):
    body = '{"position": ' + "9" * 5000 + "}"
    response = as_user(po).post(item_url(items[0], "move"), body, content_type="application/json")
    assert response.status_code == 400


def test_an_infinite_position_is_a_400(as_user, po, items):
    body = '{"position": 1e400}'
    response = as_user(po).post(item_url(items[0], "move"), body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{}, {"after": "SHOP-1", "position": 2}, {"after": "SHOP-1", "before": "SHOP-2"}])
def test_exactly_one_target_is_required(as_user, po, items, body):
    response = as_user(po).post(item_url(items[3], "move"), body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]


def test_an_unknown_field_in_a_move_is_a_400(as_user, po, items):
    response = as_user(po).post(item_url(items[3], "move"), {"position": 1, "rank": "a0"}, format="json")
    assert response.status_code == 400
    assert "rank" in response.json()["fields"]


def bad_target_responses(client, po, product, items):
    archived = make_item(product)
    services.archive_item(item=archived, by=po)
    other = services.create_product(by=po, key="OTHER", name="Other")
    foreign = make_item(other)
    moving = items[1]
    return {
        "self": client.post(item_url(moving, "move"), {"after": moving.key}, format="json"),
        "unknown": client.post(item_url(moving, "move"), {"after": "SHOP-999"}, format="json"),
        "archived": client.post(item_url(moving, "move"), {"after": archived.key}, format="json"),
        "other product": client.post(item_url(moving, "move"), {"after": foreign.key}, format="json"),
        "garbage": client.post(item_url(moving, "move"), {"before": "../../etc"}, format="json"),
    }


def test_every_bad_target_gets_the_same_400(as_user, po, product, items):
    responses = bad_target_responses(as_user(po), po, product, items)
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 400)
    details = {r.json()["detail"] for r in responses.values()}
    assert details == {INVALID_TARGET}


def test_a_bad_before_target_names_before(as_user, po, items):
    response = as_user(po).post(item_url(items[0], "move"), {"before": "SHOP-999"}, format="json")
    assert response.json()["fields"] == {"before": [INVALID_TARGET]}


def test_moving_an_archived_item_is_a_400(as_user, po, items):
    services.archive_item(item=items[0], by=po)
    response = as_user(po).post(item_url(items[0], "move"), {"position": 2}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "archived"


@pytest.mark.parametrize("persona", ["scrum_master", "developer", "stakeholder"])
def test_only_the_product_owner_moves(request, as_user, items, persona):
    user = request.getfixturevalue(persona)
    response = as_user(user).post(item_url(items[3], "move"), {"position": 1}, format="json")
    assert response.status_code == 403


def test_a_forbidden_move_with_a_bad_body_is_still_a_403(as_user, developer, items):
    response = as_user(developer).post(item_url(items[3], "move"), {"position": "abc"}, format="json")
    assert response.status_code == 403


def test_an_outsider_moving_gets_a_404(as_user, outsider, items):
    assert as_user(outsider).post(item_url(items[3], "move"), {"position": 1}, format="json").status_code == 404
