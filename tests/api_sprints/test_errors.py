"""No input is a 500 on the sprints API, and statuses come in the promised order: 401, 404,
403, 412, 400."""

import pytest

from sprints import services
from tests.api_sprints.conftest import (
    action_item_url,
    feedback_item_url,
    goal_url,
    sprint_item_url,
    sprint_url,
    sprints_url,
    vote_url,
)

pytestmark = pytest.mark.django_db

NESTED = '{"goal": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sprints/1000000000000000000000000000000/",
        "/api/v1/sprints/1000000000000000000000000000000/items/",
        "/api/v1/sprints/abc/",
        "/api/v1/sprints/-1/",
        "/api/v1/sprints/999999999999999999/",
        "/api/v1/sprints/999999999999999999/items/SHOP-1/",
        "/api/v1/sprints/1/items/SHOP-99999999999/",
        "/api/v1/retro/cards/1000000000000000000000000000000/vote/",
        "/api/v1/retro/actions/%00/",
        "/api/v1/goals/1e3/",
        "/api/v1/feedback/99999999999999999999/item/",
        "/api/v1/products/SHOP/sprints/1/",
    ],
)
def test_an_odd_sprint_path_is_a_json_404(as_user, po, product, path):
    response = as_user(po).get(path)
    assert response.status_code in {404, 405}
    assert response.json()["code"] in {"not_found", "method_not_allowed"}


@pytest.mark.parametrize("action", ["", "start", "close", "items", "review", "feedback", "hypotheses", "cards"])
def test_deeply_nested_json_is_a_400_everywhere(as_user, po, active_sprint, action):
    client = as_user(po)
    method = client.patch if action in {"", "review"} else client.post
    response = method(sprint_url(active_sprint, action), NESTED, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["null", "[]", "7", '"text"', "{", '{"goal": NaN}'])
def test_a_body_that_is_not_an_object_is_a_400(as_user, po, sprint, body):
    response = as_user(po).patch(sprint_url(sprint), body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"product_goal": 10**30},
        {"product_goal": -1},
        {"product_goal": "one"},
        {"product_goal": 1.5},
        {"goal": {"nested": ["x"]}},
        {"goal": "a\x00b"},
        {"goal": "x" * 30_000},
        {"start_date": "2025-13-01"},
        {"end_date": "0000-01-01"},
        {"start_date": "2025-01-01T10:00:00Z"},
    ],
)
def test_absurd_sprint_fields_are_a_400_naming_them(as_user, po, sprint, body):
    response = as_user(po).patch(sprint_url(sprint), body, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(body)


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x", "owner": 10**30},
        {"title": "x", "target_sprint": 10**30},
        {"title": "x" * 201},
        {"title": ["x"]},
    ],
)
def test_absurd_action_items_are_a_400(as_user, po, active_sprint, body):
    assert as_user(po).post(sprint_url(active_sprint, "actions"), body, format="json").status_code == 400


def test_a_write_without_the_trailing_slash_works(as_user, po, sprint):
    response = as_user(po).post(sprint_url(sprint, "start").rstrip("/"), {}, format="json")
    assert response.status_code == 200


def test_a_form_encoded_body_is_a_415(as_user, po, product):
    response = as_user(po).post(sprints_url(), "goal=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_a_method_that_is_not_allowed_is_a_json_405(as_user, po, sprint):
    response = as_user(po).delete(sprint_url(sprint))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- Precedence ----------------------------------------------------------------------------------


def test_anonymous_callers_get_401_before_anything_else(api, sprint):
    assert api.get(sprint_url(999_999)).status_code == 401
    assert api.patch(sprint_url(sprint), {"nope": 1}, format="json").status_code == 401


def test_an_outsider_gets_404_before_403_and_400(as_user, outsider, sprint):
    response = as_user(outsider).patch(sprint_url(sprint), {"nope": 1}, format="json", HTTP_IF_MATCH='"9"')
    assert response.status_code == 404


def test_a_member_without_the_right_gets_403_before_412_and_400(as_user, developer, sprint):
    response = as_user(developer).patch(sprint_url(sprint), {"nope": 1}, format="json", HTTP_IF_MATCH='"9"')
    assert response.status_code == 403


def test_a_stale_if_match_is_a_412_before_a_bad_body(as_user, po, sprint):
    response = as_user(po).patch(sprint_url(sprint), {"nope": 1}, format="json", HTTP_IF_MATCH='"9"')
    assert response.status_code == 412


def test_a_stakeholder_gets_404_for_the_retro_even_with_a_bad_body(as_user, stakeholder, active_sprint):
    response = as_user(stakeholder).post(sprint_url(active_sprint, "cards"), {"column": "??"}, format="json")
    assert response.status_code == 404


def test_a_developer_gets_403_before_a_bad_item_key_in_the_path(as_user, developer, sprint):
    assert as_user(developer).delete(sprint_item_url(sprint, "SHOP-999")).status_code == 403


def test_an_outsider_gets_404_for_every_id_addressed_row(as_user, outsider, po, product, active_sprint):
    from backlog import services as backlog_services

    feedback = services.add_feedback(sprint=active_sprint, by=po, body="Hm")
    card = services.add_retro_card(sprint=active_sprint, by=po, column="ideas", body="Hm")
    action = services.add_action_item(sprint=active_sprint, by=po, title="Hm")
    goal = backlog_services.set_product_goal(product=product, by=po, title="Hm")
    client = as_user(outsider)
    statuses = [
        client.post(feedback_item_url(feedback), {"position": "bad"}, format="json").status_code,
        client.post(vote_url(card), {"bad": 1}, format="json").status_code,
        client.patch(action_item_url(action), {"bad": 1}, format="json").status_code,
        client.patch(goal_url(goal), {"bad": 1}, format="json").status_code,
    ]
    assert statuses == [404] * 4
