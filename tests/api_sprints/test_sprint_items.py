"""/api/v1/sprints/{id}/items/: add, list (backlog order, column, committed, added and removed
scope), remove, and move across the board."""

import pytest

from backlog import services as backlog_services
from sprints.models import SprintItem
from tests.api_sprints.conftest import close, make_ready_item, plan, sprint_item_url, sprint_url
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_an_item_is_planned_into_a_sprint(as_user, po, sprint, product):
    item = make_ready_item(product, 5)
    response = as_user(po).post(sprint_url(sprint, "items"), {"item": item.key.lower()}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["item"], body["column"], body["committed"], body["removed"]) == (item.key, "todo", True, False)
    assert body["added_by"]["email"] == po.email
    assert response.headers["Location"] == body["url"]
    # The Location answers: the sprint item itself.
    again = as_user(po).get(body["url"])
    assert (again.status_code, again.json()) == (200, body)


def test_an_item_not_in_the_sprint_is_a_404_there(as_user, po, sprint, product):
    item = make_ready_item(product, 5)
    assert as_user(po).get(sprint_item_url(sprint, item)).status_code == 404


def test_an_item_added_to_an_active_sprint_is_added_scope(as_user, scrum_master, product, active_sprint):
    item = make_ready_item(product, 2)
    response = as_user(scrum_master).post(sprint_url(active_sprint, "items"), {"item": item.key}, format="json")
    assert response.status_code == 201
    assert response.json()["committed"] is False
    summary = as_user(scrum_master).get(sprint_url(active_sprint)).json()["summary"]
    assert summary["added_points"] == 2


def test_sprint_items_are_listed_in_backlog_order(as_user, stakeholder, po, active_sprint, ready_items):
    backlog_services.move_item(item=ready_items[2], by=po, position=1)
    response = as_user(stakeholder).get(sprint_url(active_sprint, "items"))
    assert response.status_code == 200
    assert [row["item"] for row in response.json()] == [ready_items[i].key for i in (2, 0, 1)]


def test_removed_scope_stays_in_the_list_marked_removed(as_user, po, active_sprint, ready_items):
    client = as_user(po)
    assert client.delete(sprint_item_url(active_sprint, ready_items[0])).status_code == 204
    rows = {row["item"]: row for row in client.get(sprint_url(active_sprint, "items")).json()}
    assert rows[ready_items[0].key]["removed"] is True
    assert rows[ready_items[0].key]["removed_by"]["email"] == po.email
    assert rows[ready_items[1].key]["removed"] is False


def test_removing_from_a_planned_sprint_simply_takes_it_out(as_user, po, sprint, ready_items):
    plan(sprint, ready_items)
    assert as_user(po).delete(sprint_item_url(sprint, ready_items[0]).rstrip("/")).status_code == 204
    assert not SprintItem.objects.filter(sprint=sprint, item=ready_items[0]).exists()


def test_an_item_not_in_the_sprint_is_a_400_naming_item_on_removal(as_user, po, sprint, product):
    response = as_user(po).delete(sprint_item_url(sprint, make_item(product)))
    assert response.status_code == 400
    assert "item" in response.json()["fields"]


def test_an_unknown_item_in_the_path_is_a_404(as_user, po, sprint):
    assert as_user(po).delete(sprint_item_url(sprint, "SHOP-999")).status_code == 404


@pytest.mark.parametrize("key", ["SHOP-999", "NOPE-1", "", "shop", "x" * 22])
def test_an_unknown_item_in_the_body_is_a_400_naming_item(as_user, po, sprint, key):
    response = as_user(po).post(sprint_url(sprint, "items"), {"item": key}, format="json")
    assert response.status_code == 400
    assert "item" in response.json()["fields"]


def test_an_item_of_another_product_is_a_400(as_user, po, sprint):
    other = backlog_services.create_product(by=po, key="OTHER", name="Other")
    response = as_user(po).post(sprint_url(sprint, "items"), {"item": make_item(other).key}, format="json")
    assert response.status_code == 400
    assert "item" in response.json()["fields"]


def test_an_item_already_in_the_sprint_is_a_400(as_user, po, active_sprint, ready_items):
    response = as_user(po).post(sprint_url(active_sprint, "items"), {"item": ready_items[0].key}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "already_planned"


def test_nothing_is_added_to_a_closed_sprint(as_user, po, product, active_sprint):
    close(active_sprint)
    response = as_user(po).post(sprint_url(active_sprint, "items"), {"item": make_item(product).key}, format="json")
    assert response.status_code == 400
    assert "sprint" in response.json()["fields"]


def test_a_developer_may_not_plan_items(as_user, developer, sprint, product):
    item = make_ready_item(product)
    assert as_user(developer).post(sprint_url(sprint, "items"), {"item": item.key}, format="json").status_code == 403


def test_a_developer_moves_an_item_across_the_board(as_user, developer, active_sprint, ready_items):
    url = sprint_item_url(active_sprint, ready_items[0], "column")
    response = as_user(developer).post(url, {"column": "done"}, format="json")
    assert response.status_code == 200
    assert response.json()["column"] == "done"
    assert response.json()["status"] == "done"
    summary = as_user(developer).get(sprint_url(active_sprint)).json()["summary"]
    assert (summary["done_points"], summary["remaining_points"]) == (3, 13)


@pytest.mark.parametrize("column", ["finished", "", None, 1])
def test_an_unknown_column_is_a_400_naming_column(as_user, po, active_sprint, ready_items, column):
    url = sprint_item_url(active_sprint, ready_items[0], "column")
    response = as_user(po).post(url, {"column": column}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["column"]


def test_the_board_of_a_planned_sprint_does_not_move(as_user, po, sprint, ready_items):
    plan(sprint, ready_items)
    url = sprint_item_url(sprint, ready_items[0], "column")
    response = as_user(po).post(url, {"column": "in_progress"}, format="json")
    assert response.status_code == 400
    assert "sprint" in response.json()["fields"]


def test_a_stakeholder_may_not_move_items_on_the_board(as_user, stakeholder, active_sprint, ready_items):
    url = sprint_item_url(active_sprint, ready_items[0], "column")
    assert as_user(stakeholder).post(url, {"column": "done"}, format="json").status_code == 403


def test_the_links_in_a_sprint_item_row_work(as_user, po, active_sprint, ready_items):
    client = as_user(po)
    row = client.get(as_user(po).get(sprint_url(active_sprint)).json()["items_url"]).json()[0]
    assert client.get(row["item_url"]).json()["key"] == row["item"]
    assert client.post(row["column_url"], {"column": "in_progress"}, format="json").json()["column"] == "in_progress"
    assert client.delete(row["url"]).status_code == 204
