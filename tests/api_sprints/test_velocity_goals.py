"""Velocity, the forecast (by position or by item) and product goals over the API."""

import datetime

import pytest
from django.utils import timezone

from backlog import services as backlog_services
from backlog.models import ProductGoal
from sprints.models import Sprint
from tests.api_sprints.conftest import forecast_url, goal_url, goals_url, make_ready_item, velocity_url
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_velocity_lists_closed_sprints_with_committed_and_completed_points(as_user, stakeholder, closed_sprints):
    response = as_user(stakeholder).get(velocity_url())
    assert response.status_code == 200
    body = response.json()
    assert [(row["committed_points"], row["completed_points"]) for row in body["sprints"]] == [
        (21, 18),
        (26, 23),
        (20, 20),
    ]
    assert body["capacity"] == {"low": 18, "high": 23}


def test_velocity_without_history_has_no_capacity(as_user, po, product):
    assert as_user(po).get(velocity_url()).json() == {"sprints": [], "capacity": None}


def test_the_forecast_by_position_gives_three_likelihoods(as_user, stakeholder, product, closed_sprints):
    for _ in range(10):
        make_ready_item(product, 8)
    bottom = product.items.filter(archived_at__isnull=True).count()
    response = as_user(stakeholder).get(forecast_url(), {"position": bottom})
    assert response.status_code == 200
    body = response.json()
    assert (body["available"], body["enough_history"], body["history"]) == (True, True, 3)
    assert [line["likelihood"] for line in body["lines"]] == [50, 85, 95]
    numbers = [line["sprint_number"] for line in body["lines"]]
    assert numbers == sorted(numbers)
    assert numbers[0] > closed_sprints[-1].number
    assert all(line["end_date"] for line in body["lines"])
    assert body["message"].startswith("85% likely done by Sprint")
    assert body["velocity_trend"] is None  # three closed sprints: too few for a clear trend


def test_the_forecast_gives_the_velocity_trend_the_history_clearly_shows(as_user, po, product):
    """Five closed sprints completing 24, 22, 20, 18, 16: the velocity falls 2 points a sprint."""
    end = datetime.date(2025, 3, 2)
    for number, completed in enumerate((24, 22, 20, 18, 16), start=1):
        Sprint.objects.create(
            product=product,
            number=number,
            start_date=end + datetime.timedelta(days=14 * number - 13),
            end_date=end + datetime.timedelta(days=14 * number),
            goal=f"Goal {number}",
            status=Sprint.Status.CLOSED,
            closed_at=timezone.now(),
            outcome={"committed_points": 24, "completed_points": completed, "done": [], "not_done": []},
        )
    make_ready_item(product, 8)
    body = as_user(po).get(forecast_url(), {"position": 1}).json()
    assert (body["history"], body["velocity_trend"]) == (5, -2.0)


def test_the_forecast_by_item_flags_unestimated_items(as_user, po, product, closed_sprints):
    make_item(product, estimate=None)
    target = make_ready_item(product, 5)
    body = as_user(po).get(forecast_url(), {"item": target.key.lower()}).json()
    assert (body["item"], body["has_unestimated"]) == (target.key, True)
    assert body["unestimated_items"] >= 1
    assert body["median_estimate"] is not None


def test_the_forecast_says_when_history_is_too_short(as_user, po, product):
    item = make_ready_item(product, 3)
    body = as_user(po).get(forecast_url(), {"item": item.key}).json()
    assert (body["available"], body["enough_history"], body["lines"]) == (False, False, [])
    assert "Not enough history" in body["message"]


@pytest.mark.parametrize("params", [{}, {"position": 1, "item": "SHOP-1"}])
def test_the_forecast_needs_exactly_one_of_position_or_item(as_user, po, product, params):
    make_item(product)
    response = as_user(po).get(forecast_url(), params)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"position", "item"}


@pytest.mark.parametrize("position", ["0", "-1", "abc", str(10**30), "1.5", ""])
def test_a_bad_forecast_position_is_a_400_naming_it(as_user, po, product, position):
    make_item(product)
    response = as_user(po).get(forecast_url(), {"position": position})
    assert response.status_code == 400
    assert "position" in response.json()["fields"]


def test_a_position_past_the_end_is_a_400_naming_it(as_user, po, product):
    make_item(product)
    response = as_user(po).get(forecast_url(), {"position": 2})
    assert list(response.json()["fields"]) == ["position"]


@pytest.mark.parametrize("key", ["SHOP-99", "OTHER-1", "x" * 40])
def test_an_unknown_forecast_item_is_a_400_naming_it(as_user, po, product, key):
    response = as_user(po).get(forecast_url(), {"item": key})
    assert response.status_code == 400
    assert "item" in response.json()["fields"]


def test_a_done_item_has_no_forecast(as_user, po, product, closed_sprints):
    item = make_item(product, status="done", estimate=3)
    body = as_user(po).get(forecast_url(), {"item": item.key}).json()
    assert (body["state"], body["available"], body["lines"]) == ("done", False, [])
    # The history is the product's whatever the item: the schema's meaning of both fields.
    live = as_user(po).get(forecast_url(), {"position": 1}).json()
    assert (body["history"], body["enough_history"]) == (live["history"], True)
    assert body["history"] >= 3


def test_an_outsider_gets_a_404_for_velocity_and_forecast(as_user, outsider, product):
    assert as_user(outsider).get(velocity_url()).status_code == 404
    assert as_user(outsider).get(forecast_url(), {"position": 1}).status_code == 404


def test_the_product_owner_sets_the_product_goal(as_user, po, product):
    response = as_user(po).post(goals_url(), {"title": "Sell abroad", "description": "EU first."}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["status"], body["closed_at"]) == ("Sell abroad", "active", None)
    assert response.headers["Location"] == body["url"]
    again = as_user(po).get(body["url"])
    assert (again.status_code, again.json()) == (200, body)


def test_a_second_active_goal_is_refused_naming_title(as_user, po, product):
    backlog_services.set_product_goal(product=product, by=po, title="First")
    response = as_user(po).post(goals_url(), {"title": "Second"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "goal_active"
    assert "title" in response.json()["fields"]


def test_goals_are_listed_newest_first_past_ones_included(as_user, stakeholder, po, product):
    first = backlog_services.set_product_goal(product=product, by=po, title="First")
    backlog_services.close_product_goal(goal=first, by=po, status="achieved")
    backlog_services.set_product_goal(product=product, by=po, title="Second")
    rows = as_user(stakeholder).get(goals_url()).json()
    assert [(row["title"], row["status"]) for row in rows] == [("Second", "active"), ("First", "achieved")]


def test_the_product_owner_marks_the_goal_achieved(as_user, po, product):
    goal = backlog_services.set_product_goal(product=product, by=po, title="Sell abroad")
    response = as_user(po).patch(goal_url(goal), {"status": "achieved"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "achieved"
    assert response.json()["closed_at"]


@pytest.mark.parametrize("status", ["active", "done", "", None])
def test_a_goal_ends_only_achieved_or_abandoned(as_user, po, product, status):
    goal = backlog_services.set_product_goal(product=product, by=po, title="Sell abroad")
    response = as_user(po).patch(goal_url(goal), {"status": status}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["status"]


def test_a_goal_ends_once(as_user, po, product):
    goal = backlog_services.set_product_goal(product=product, by=po, title="Sell abroad")
    backlog_services.close_product_goal(goal=goal, by=po, status="abandoned")
    response = as_user(po).patch(goal_url(goal), {"status": "achieved"}, format="json")
    assert response.status_code == 400
    assert ProductGoal.objects.get(pk=goal.pk).status == "abandoned"


def test_only_the_product_owner_sets_or_ends_goals(as_user, scrum_master, po, product):
    goal = backlog_services.set_product_goal(product=product, by=po, title="Sell abroad")
    client = as_user(scrum_master)
    assert client.post(goals_url(), {"title": "Mine"}, format="json").status_code == 403
    assert client.patch(goal_url(goal), {"status": "achieved"}, format="json").status_code == 403


def test_an_outsider_gets_a_404_for_a_goal(as_user, outsider, po, product):
    goal = backlog_services.set_product_goal(product=product, by=po, title="Sell abroad")
    assert as_user(outsider).patch(goal_url(goal), {"status": "achieved"}, format="json").status_code == 404
