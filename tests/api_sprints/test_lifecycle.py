"""Starting and closing sprints over the API: every lifecycle refusal is a 400 naming the field,
and closing places unfinished items as the closer says."""

import pytest

from backlog.models import Item
from sprints import services
from sprints.models import Sprint, SprintItem
from tests.api_sprints.conftest import close, make_sprint, move, plan, sprint_url, start
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_a_planned_sprint_with_a_goal_starts(as_user, scrum_master, sprint, ready_items):
    plan(sprint, ready_items)
    response = as_user(scrum_master).post(sprint_url(sprint, "start"), {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active"
    assert body["started_at"]
    assert body["summary"]["committed_points"] == 16


def test_a_sprint_without_a_goal_does_not_start(as_user, po, product):
    sprint = make_sprint(product, goal="")
    response = as_user(po).post(sprint_url(sprint, "start"), {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["goal"]


def test_a_second_active_sprint_is_refused_naming_sprint(as_user, po, product, active_sprint):
    response = as_user(po).post(sprint_url(make_sprint(product), "start"), {}, format="json")
    assert response.status_code == 400
    assert "sprint" in response.json()["fields"]


def test_an_active_sprint_does_not_start_again(as_user, po, active_sprint):
    response = as_user(po).post(sprint_url(active_sprint, "start"), {}, format="json")
    assert response.status_code == 400
    assert "sprint" in response.json()["fields"]


def test_start_takes_no_body(as_user, po, sprint):
    response = as_user(po).post(sprint_url(sprint, "start"), {"force": True}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["force"]
    assert Sprint.objects.get(pk=sprint.pk).status == "planned"


def test_a_developer_may_not_start_a_sprint(as_user, developer, sprint):
    assert as_user(developer).post(sprint_url(sprint, "start"), {}, format="json").status_code == 403


def test_closing_freezes_the_outcome_and_the_goal_verdict(as_user, po, active_sprint, ready_items):
    move(active_sprint, ready_items[1], "done")
    body = {"goal_outcome": "not_met", "goal_note": "Payments provider was down"}
    response = as_user(po).post(sprint_url(active_sprint, "close"), body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["goal_outcome"], data["goal_note"]) == ("closed", "not_met", body["goal_note"])
    assert data["outcome"]["committed_points"] == 16
    assert data["outcome"]["completed_points"] == 5
    assert data["outcome"]["removed"] == []


def test_the_outcome_names_removed_and_archived_items(as_user, po, active_sprint, ready_items):
    from backlog import services as backlog_services

    services.remove_from_sprint(sprint=active_sprint, item=ready_items[0], by=po)
    backlog_services.archive_item(item=ready_items[1], by=po)
    outcome = (
        as_user(po)
        .post(sprint_url(active_sprint, "close"), {"goal_outcome": "partly"}, format="json")
        .json()["outcome"]
    )
    assert outcome["removed"] == [{"key": ready_items[0].key, "title": ready_items[0].title, "estimate": 3}]
    placed = {entry["key"]: entry["placed"] for entry in outcome["not_done"]}
    assert placed == {ready_items[1].key: "archived", ready_items[2].key: "top"}


def test_a_sprint_closed_before_removed_items_were_recorded_says_null(as_user, po, active_sprint):
    closed = close(active_sprint)
    outcome = {key: value for key, value in closed.outcome.items() if key != "removed"}
    Sprint.objects.filter(pk=closed.pk).update(outcome=outcome)
    assert as_user(po).get(sprint_url(closed)).json()["outcome"]["removed"] is None


def test_the_closed_sprint_s_numbers_do_not_move_when_items_change(as_user, po, active_sprint, ready_items):
    from backlog import services as backlog_services

    move(active_sprint, ready_items[0], "done")
    close(active_sprint)
    backlog_services.update_item(item=Item.objects.get(pk=ready_items[0].pk), by=po, changes={"estimate": 40})
    body = as_user(po).get(sprint_url(active_sprint)).json()
    assert body["outcome"]["completed_points"] == 3
    assert body["summary"]["done_points"] == 3


def test_unfinished_items_go_where_the_closer_places_them(as_user, po, product, active_sprint, ready_items):
    following = make_sprint(product)
    first, second, third = ready_items
    placements = {first.key: "next", second.key.lower(): "keep", third.key: "top"}
    response = as_user(po).post(
        sprint_url(active_sprint, "close"), {"goal_outcome": "partly", "placements": placements}, format="json"
    )
    assert response.status_code == 200
    placed = {entry["key"]: entry["placed"] for entry in response.json()["outcome"]["not_done"]}
    assert placed == {first.key: "next", second.key: "keep", third.key: "top"}
    assert SprintItem.objects.filter(sprint=following, item=first).exists()
    assert Item.objects.filter(product=product).order_by("rank").first().pk == third.pk


def test_a_placement_for_an_item_not_unfinished_in_the_sprint_is_a_400(as_user, po, product, active_sprint):
    stranger = make_item(product)
    body = {"goal_outcome": "met", "placements": {stranger.key: "top"}}
    response = as_user(po).post(sprint_url(active_sprint, "close"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["placements"]
    assert Sprint.objects.get(pk=active_sprint.pk).status == "active"


@pytest.mark.parametrize("placement", ["bottom", "", None, 3, ["top"]])
def test_an_unknown_placement_is_a_400_naming_it(as_user, po, active_sprint, ready_items, placement):
    body = {"goal_outcome": "met", "placements": {ready_items[0].key: placement}}
    response = as_user(po).post(sprint_url(active_sprint, "close"), body, format="json")
    assert response.status_code == 400
    assert any(name.startswith("placements") for name in response.json()["fields"])


@pytest.mark.parametrize("placements", [["SHOP-1"], "top", 7, {"x" * 5000: "top"}])
def test_placements_that_are_not_a_map_of_keys_are_a_400(as_user, po, active_sprint, placements):
    body = {"goal_outcome": "met", "placements": placements}
    response = as_user(po).post(sprint_url(active_sprint, "close"), body, format="json")
    assert response.status_code == 400
    assert "placements" in response.json()["fields"]


def test_next_without_a_planned_sprint_is_refused_and_nothing_changes(as_user, po, active_sprint, ready_items):
    body = {"goal_outcome": "met", "placements": {ready_items[0].key: "next"}}
    response = as_user(po).post(sprint_url(active_sprint, "close"), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "no_next_sprint"
    assert Sprint.objects.get(pk=active_sprint.pk).status == "active"


@pytest.mark.parametrize("body", [{}, {"goal_outcome": "maybe"}, {"goal_outcome": None}])
def test_closing_needs_a_goal_outcome(as_user, po, active_sprint, body):
    response = as_user(po).post(sprint_url(active_sprint, "close"), body, format="json")
    assert response.status_code == 400
    assert "goal_outcome" in response.json()["fields"]


def test_a_planned_sprint_does_not_close(as_user, po, sprint):
    response = as_user(po).post(sprint_url(sprint, "close"), {"goal_outcome": "met"}, format="json")
    assert response.status_code == 400
    assert "sprint" in response.json()["fields"]


def test_an_empty_sprint_closes(as_user, po, sprint):
    start(sprint)
    response = as_user(po).post(sprint_url(sprint, "close"), {"goal_outcome": "not_met"}, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"]["completed_points"] == 0


def test_a_developer_may_not_close_a_sprint_even_with_a_bad_body(as_user, developer, active_sprint):
    response = as_user(developer).post(sprint_url(active_sprint, "close"), {"goal_outcome": "??"}, format="json")
    assert response.status_code == 403


def test_the_scrum_master_closes_and_places_items(as_user, scrum_master, active_sprint, ready_items):
    body = {"goal_outcome": "met", "placements": {ready_items[2].key: "keep"}}
    assert as_user(scrum_master).post(sprint_url(active_sprint, "close"), body, format="json").status_code == 200
    assert Sprint.objects.get(pk=active_sprint.pk).outcome["not_done"][2]["placed"] == "keep"
