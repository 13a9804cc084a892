"""The sprint list, planning and starting in HTML: what each role sees, the no-JS forms, the
capacity warning, stale edits, and the planning page's constant query count."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backlog import services as backlog_services
from sprints import services
from sprints.models import Sprint
from tests.conftest import make_item

from .conftest import make_ready_item, make_sprint, plan

pytestmark = pytest.mark.django_db


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def post(client, user, name, args, data=None, **extra):
    client.force_login(user)
    return client.post(reverse(name, args=args), data or {}, **extra)


def test_the_sprints_tab_is_in_the_product_navigation(client, po, product):
    html = get(client, po, "backlog:backlog", product.key).content.decode()
    assert f'href="{reverse("sprints:sprint-list", args=[product.key])}"' in html


def test_the_list_shows_the_product_goal_and_the_active_sprint_goal_first(client, po, product, active_sprint):
    backlog_services.set_product_goal(product=product, by=po, title="Checkout in one minute")
    html = get(client, po, "sprints:sprint-list", product.key).content.decode()
    assert "Checkout in one minute" in html
    active = html.index('id="active-heading"')
    assert active < html.index("Ship the one-page checkout") < html.index("Open the board")
    assert "0 of 16 committed points done" in html


def test_the_list_shows_closed_sprints_with_outcome_and_completed_of_committed(client, po, product, closed_sprints):
    html = get(client, po, "sprints:sprint-list", product.key).content.decode()
    assert html.count('class="badge goal-met"') == 3
    for completed, committed in ((18, 21), (23, 26), (20, 20)):
        assert f"{completed} of {committed}" in html


def test_a_planner_sees_the_plan_a_sprint_form_and_a_developer_does_not(client, po, developer, product):
    assert "Plan a new sprint" in get(client, po, "sprints:sprint-list", product.key).content.decode()
    assert "Plan a new sprint" not in get(client, developer, "sprints:sprint-list", product.key).content.decode()


def test_planning_a_sprint_without_javascript_leads_to_its_planning_page(client, scrum_master, product):
    data = {"start_date": "2030-03-04", "end_date": "2030-03-17", "goal": "Faster search"}
    response = post(client, scrum_master, "sprints:sprint-create", [product.key], data)
    sprint = Sprint.objects.get(product=product)
    assert response.status_code == 302
    assert response["Location"] == reverse("sprints:sprint-planning", args=[sprint.pk])
    assert (sprint.number, sprint.goal, sprint.end_date) == (1, "Faster search", datetime.date(2030, 3, 17))
    assert "Sprint 1 planned." in client.get(response["Location"]).content.decode()


def test_a_sprint_ending_before_it_starts_is_refused_in_the_form(client, po, product):
    data = {"start_date": "2030-03-04", "end_date": "2030-03-01", "goal": "Backwards"}
    response = post(client, po, "sprints:sprint-create", [product.key], data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The sprint cannot end before it starts." in html
    assert "Backwards" in html
    assert not Sprint.objects.exists()


def test_the_new_sprint_form_starts_the_day_after_the_last_sprint_ends(client, po, product, sprint):
    html = get(client, po, "sprints:sprint-list", product.key).content.decode()
    day_after = sprint.end_date + datetime.timedelta(days=1)
    assert f'name="start_date" value="{day_after:%Y-%m-%d}"' in html


def test_planning_lists_ready_items_in_backlog_order_with_a_running_sum(client, po, product, sprint):
    a, b, c = (make_ready_item(product, points) for points in (3, 5, 8))
    make_item(product, estimate=2)  # not ready: not a candidate
    backlog_services.move_item(item=c, by=po, position=1)
    plan(sprint, [b], po)
    html = get(client, po, "sprints:sprint-planning", sprint.pk).content.decode()
    candidates = html[html.index('id="candidate-rows"') :]
    assert re.findall(r'<tr id="candidate-([\w-]+)"', candidates) == [c.key, a.key]
    # The running sum goes on from what the sprint holds (5): 5 + 8, then + 3.
    assert re.findall(r'<td class="num running">(\d+)', candidates) == ["13", "16"]
    assert "no history yet" in html


def test_planning_warns_but_does_not_block_past_the_capacity_range(client, po, product, closed_sprints):
    sprint = make_sprint(product, po)
    plan(sprint, [make_ready_item(product, 20), make_ready_item(product, 8)], po)
    html = get(client, po, "sprints:sprint-planning", sprint.pk).content.decode()
    assert "18–23" in html
    assert "The sprint holds 28 points, more than the 23" in html
    assert "Start Sprint" in html


def test_adding_and_removing_on_the_planning_page_returns_to_it(client, po, product, sprint):
    item = make_ready_item(product, 3)
    args = [sprint.pk]
    added = post(client, po, "sprints:sprint-add", args, {"key": item.key, "next": "planning"})
    assert added["Location"] == reverse("sprints:sprint-planning", args=args) + f"#card-{item.key}"
    assert list(sprint.sprint_items.values_list("item__key", flat=True)) == [item.key]
    removed = post(client, po, "sprints:sprint-remove", [sprint.pk, item.key], {"next": "planning"})
    assert removed["Location"].startswith(reverse("sprints:sprint-planning", args=args))
    assert not sprint.sprint_items.exists()
    assert f"{item.key} taken out of Sprint 1." in client.get(removed["Location"]).content.decode()


def test_planning_shows_open_action_items_from_earlier_retrospectives(client, po, product, active_sprint):
    services.add_action_item(sprint=active_sprint, by=po, title="Pair on reviews")
    later = make_sprint(product, po)
    html = get(client, po, "sprints:sprint-planning", later.pk).content.decode()
    assert "Pair on reviews" in html and "from Sprint 1" in html


def test_editing_the_goal_saves_and_a_stale_edit_keeps_what_was_typed(client, po, scrum_master, sprint):
    form = {"start_date": f"{sprint.start_date:%Y-%m-%d}", "end_date": f"{sprint.end_date:%Y-%m-%d}"}
    first = post(client, po, "sprints:sprint-planning", [sprint.pk], {**form, "goal": "Mine", "version": 1})
    assert first.status_code == 302
    stale = post(client, scrum_master, "sprints:sprint-planning", [sprint.pk], {**form, "goal": "Theirs", "version": 1})
    html = stale.content.decode()
    assert stale.status_code == 400
    assert "Someone changed Sprint 1 while you were editing it." in html
    assert re.search(r">\s*Theirs</textarea>", html) and 'name="version" value="2"' in html
    sprint.refresh_from_db()
    assert sprint.goal == "Mine"


def test_editing_the_dates_keeps_a_goal_as_long_as_the_api_takes(client, po, sprint):
    """The form once refused, beside a goal nobody touched, any goal over 2000 characters."""
    goal = "Checkout in one minute. " * 400
    services.update_sprint(sprint=sprint, by=po, changes={"goal": goal})
    later = sprint.end_date + datetime.timedelta(days=1)
    data = {"start_date": f"{sprint.start_date:%Y-%m-%d}", "end_date": f"{later:%Y-%m-%d}", "goal": goal, "version": 2}
    response = post(client, po, "sprints:sprint-planning", [sprint.pk], data)
    assert response.status_code == 302
    sprint.refresh_from_db()
    assert (sprint.end_date, sprint.goal) == (later, goal.strip())


def test_a_developer_reads_the_plan_but_may_not_edit_it(client, developer, sprint):
    html = get(client, developer, "sprints:sprint-planning", sprint.pk).content.decode()
    assert "Start Sprint" not in html and "Save goal and dates" not in html
    response = post(client, developer, "sprints:sprint-planning", [sprint.pk], {"goal": "Mine"})
    assert response.status_code == 403


def test_starting_without_a_goal_is_refused_with_a_clear_message(client, po, product):
    sprint = make_sprint(product, po, goal="")
    response = post(client, po, "sprints:sprint-start", [sprint.pk], follow=True)
    html = response.content.decode()
    assert "Sprint 1 was not started: Set a sprint goal before starting" in html
    sprint.refresh_from_db()
    assert sprint.status == Sprint.Status.PLANNED


def test_starting_while_another_sprint_is_active_is_refused(client, po, product, active_sprint):
    later = make_sprint(product, po)
    html = post(client, po, "sprints:sprint-start", [later.pk], follow=True).content.decode()
    assert "Sprint 1 is still active; close it before starting another." in html
    assert "Sprint 1 is still active: close it before starting this one." in html  # the planning page says so too


def test_starting_a_sprint_leads_to_its_board(client, po, product, sprint):
    plan(sprint, [make_ready_item(product, 3)], po)
    response = post(client, po, "sprints:sprint-start", [sprint.pk])
    assert response["Location"] == reverse("sprints:sprint-detail", args=[sprint.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Sprint 1 started." in html and 'id="sprint-board"' in html


def test_the_planning_page_of_a_started_sprint_sends_you_to_the_sprint(client, po, active_sprint):
    response = get(client, po, "sprints:sprint-planning", active_sprint.pk)
    assert response["Location"] == reverse("sprints:sprint-detail", args=[active_sprint.pk])


def _planning_queries(client, po, product, count) -> int:
    sprint = make_sprint(product, po)
    plan(sprint, [make_ready_item(product, 3, labels=["a"]) for _ in range(count)], po)
    for _ in range(count):
        make_ready_item(product, 5, labels=["b"])
    client.force_login(po)
    url = reverse("sprints:sprint-planning", args=[sprint.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sprint.delete()
    return len(queries)


def test_the_planning_page_runs_the_same_queries_for_5_and_50_items(client, po, product, active_sprint):
    services.add_action_item(sprint=active_sprint, by=po, title="Pair on reviews")
    assert _planning_queries(client, po, product, 5) == _planning_queries(client, po, product, 50)


def test_velocity_shows_a_chart_and_the_same_figures_in_a_table(client, stakeholder, product, closed_sprints):
    html = get(client, stakeholder, "sprints:velocity", product.key).content.decode()
    assert 'role="img" aria-labelledby="velocity-caption"' in html
    assert html.count('class="chart-bar-completed"') == 3
    rows = re.findall(r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>', html)
    assert rows == [("21", "18"), ("26", "23"), ("20", "20")]


def test_velocity_without_closed_sprints_says_so(client, po, product):
    html = get(client, po, "sprints:velocity", product.key).content.decode()
    assert "No closed sprints yet" in html
    assert "<svg" not in html


def test_start_leaves_a_started_sprint_alone(client, po, active_sprint):
    start_again = post(client, po, "sprints:sprint-start", [active_sprint.pk], follow=True)
    assert "only a planned sprint starts" in start_again.content.decode()
