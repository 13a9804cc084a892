"""/api/v1/products/{KEY}/sprints/ and /api/v1/sprints/{id}/: plan, list, read and edit sprints
(ETag = version, If-Match optional, stale → 412 with the sprint as it is now)."""

import datetime

import pytest

from backlog import services as backlog_services
from sprints import services
from sprints.models import Sprint
from tests.api_sprints.conftest import make_sprint, sprint_url, sprints_url

pytestmark = pytest.mark.django_db

BODY = {"start_date": "2025-03-03", "end_date": "2025-03-14", "goal": "Checkout in one page"}


def test_the_product_owner_plans_a_sprint(as_user, po, product):
    response = as_user(po).post(sprints_url(), BODY, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["status"], body["goal"]) == (1, "planned", "Checkout in one page")
    assert (body["start_date"], body["end_date"]) == ("2025-03-03", "2025-03-14")
    assert body["outcome"] is None
    assert body["summary"]["committed_points"] == 0
    assert response.headers["Location"] == body["url"]
    assert response.headers["ETag"] == '"1"'


def test_the_scrum_master_plans_a_sprint_too(as_user, scrum_master):
    assert as_user(scrum_master).post(sprints_url(), BODY, format="json").status_code == 201


def test_a_developer_may_not_plan_a_sprint(as_user, developer):
    assert as_user(developer).post(sprints_url(), BODY, format="json").status_code == 403


def test_a_sprint_may_link_the_product_goal(as_user, po, product):
    goal = backlog_services.set_product_goal(product=product, by=po, title="Sell abroad")
    response = as_user(po).post(sprints_url(), {**BODY, "product_goal": goal.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["product_goal"] == {"id": goal.pk, "title": "Sell abroad", "status": "active"}


def test_a_goal_of_another_product_is_a_400_naming_product_goal(as_user, po, product):
    other = backlog_services.create_product(by=po, key="OTHER", name="Other")
    goal = backlog_services.set_product_goal(product=other, by=po, title="Elsewhere")
    response = as_user(po).post(sprints_url(), {**BODY, "product_goal": goal.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["product_goal"]


def test_an_end_before_the_start_is_a_400_naming_end_date(as_user, po, product):
    response = as_user(po).post(sprints_url(), {**BODY, "end_date": "2025-03-01"}, format="json")
    assert response.status_code == 400
    assert "end_date" in response.json()["fields"]


@pytest.mark.parametrize("value", ["2025-02-30", "yesterday", "99999-01-01", "", 20250303, None, ["2025-03-03"]])
def test_a_malformed_date_is_a_400_naming_it(as_user, po, product, value):
    response = as_user(po).post(sprints_url(), {**BODY, "start_date": value}, format="json")
    assert response.status_code == 400
    assert "start_date" in response.json()["fields"]


def test_unknown_fields_in_a_new_sprint_are_a_400_naming_them(as_user, po, product):
    response = as_user(po).post(sprints_url(), {**BODY, "status": "active", "velocity": 3}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status", "velocity"}


def test_sprints_are_listed_newest_first(as_user, stakeholder, product):
    for _ in range(3):
        make_sprint(product)
    response = as_user(stakeholder).get(sprints_url())
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == [3, 2, 1]


def test_the_sprint_list_pages_with_a_cursor(as_user, po, product):
    for _ in range(5):
        make_sprint(product)
    client = as_user(po)
    first = client.get(sprints_url(), {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert [row["number"] for row in first["results"] + second["results"]] == [5, 4, 3, 2]


@pytest.mark.parametrize("cursor", ["garbage", "%%%", "ä", "bz0tMQ==", "cD0xJTI3", "cD1hYmM="])
def test_a_bad_cursor_is_a_400_naming_it(as_user, po, product, cursor):
    make_sprint(product)
    response = as_user(po).get(sprints_url(), {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["fields"]


def test_an_outsider_gets_a_404_for_the_sprint_list(as_user, outsider, product):
    assert as_user(outsider).get(sprints_url()).status_code == 404


def test_a_sprint_is_read_with_its_summary_and_version_as_etag(as_user, stakeholder, active_sprint):
    response = as_user(stakeholder).get(sprint_url(active_sprint))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active"
    assert body["summary"]["committed_points"] == 16
    assert body["summary"]["remaining_points"] == 16
    assert body["item_count"] == 3
    assert response.headers["ETag"] == f'"{body["version"]}"'


def test_a_closed_sprint_carries_its_frozen_outcome(as_user, po, active_sprint, ready_items):
    from tests.api_sprints.conftest import close, move

    move(active_sprint, ready_items[0], "done")
    close(active_sprint, goal_outcome="partly", goal_note="Card payments slipped")
    body = as_user(po).get(sprint_url(active_sprint)).json()
    assert (body["goal_outcome"], body["goal_note"]) == ("partly", "Card payments slipped")
    assert body["outcome"]["completed_points"] == 3
    assert [entry["key"] for entry in body["outcome"]["done"]] == [ready_items[0].key]
    assert {entry["placed"] for entry in body["outcome"]["not_done"]} == {"top"}


def test_an_unknown_sprint_is_a_404(as_user, po, product):
    assert as_user(po).get(sprint_url(999_999)).status_code == 404


def test_an_outsider_gets_a_404_for_a_sprint(as_user, outsider, sprint):
    assert as_user(outsider).get(sprint_url(sprint)).status_code == 404


def test_a_sprint_is_edited_and_its_version_bumped(as_user, scrum_master, sprint):
    response = as_user(scrum_master).patch(sprint_url(sprint), {"goal": "Faster checkout"}, format="json")
    assert response.status_code == 200
    assert (response.json()["goal"], response.json()["version"]) == ("Faster checkout", 2)
    assert response.headers["ETag"] == '"2"'


def test_an_edit_with_the_current_etag_is_accepted(as_user, po, sprint):
    end = (sprint.start_date + datetime.timedelta(days=20)).isoformat()
    response = as_user(po).patch(sprint_url(sprint), {"end_date": end}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response.json()["end_date"] == end


def test_an_edit_with_a_stale_etag_is_a_412_with_the_current_sprint(as_user, po, sprint):
    services.update_sprint(sprint=sprint, by=po, changes={"goal": "Changed meanwhile"})
    response = as_user(po).patch(sprint_url(sprint), {"goal": "Mine"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "stale_version"
    assert (body["goal"], body["version"], body["id"]) == ("Changed meanwhile", 2, sprint.pk)
    assert "summary" in body
    assert response.headers["ETag"] == '"2"'
    assert Sprint.objects.get(pk=sprint.pk).goal == "Changed meanwhile"


@pytest.mark.parametrize("header", ["1", "abc", '"1', '"1" junk'])
def test_a_malformed_if_match_is_a_400_naming_it(as_user, po, sprint, header):
    response = as_user(po).patch(sprint_url(sprint), {"goal": "x"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert "If-Match" in response.json()["fields"]


def test_a_closed_sprint_keeps_its_plan(as_user, po, active_sprint):
    from tests.api_sprints.conftest import close

    close(active_sprint)
    response = as_user(po).patch(sprint_url(active_sprint), {"goal": "Rewrite history"}, format="json")
    assert response.status_code == 400
    assert "goal" in response.json()["fields"]


def test_an_active_sprint_cannot_lose_its_goal(as_user, po, active_sprint):
    response = as_user(po).patch(sprint_url(active_sprint), {"goal": ""}, format="json")
    assert response.status_code == 400
    assert "goal" in response.json()["fields"]


def test_the_product_goal_can_be_unlinked_with_null(as_user, po, product):
    goal = backlog_services.set_product_goal(product=product, by=po, title="Sell abroad")
    sprint = make_sprint(product, product_goal=goal)
    response = as_user(po).patch(sprint_url(sprint), {"product_goal": None}, format="json")
    assert response.status_code == 200
    assert response.json()["product_goal"] is None


def test_review_notes_are_not_a_sprint_field(as_user, po, sprint):
    response = as_user(po).patch(sprint_url(sprint), {"review_notes": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["review_notes"]


def test_dates_are_plain_dates_whatever_the_time_zone(as_user, po, product):
    po.time_zone = "Pacific/Kiritimati"
    po.save()
    start = datetime.date(2025, 12, 31)
    sprint = make_sprint(product, start_date=start, end_date=start)
    assert as_user(po).get(sprint_url(sprint)).json()["start_date"] == "2025-12-31"
