"""Closing a sprint in HTML: the form with its carry-over choices, refusals that lose nothing,
the frozen outcome on the sprint page, and the burndown chart with its table."""

import re

import pytest
from django.urls import reverse

from backlog import services as backlog_services
from backlog.models import Item
from sprints import charts, selectors
from sprints.models import Sprint, SprintItem
from tests.aria import Elements

from .conftest import close, make_ready_item, make_sprint, move, plan, start

pytestmark = pytest.mark.django_db

DONE, DOING = SprintItem.Column.DONE, SprintItem.Column.IN_PROGRESS


@pytest.fixture
def worked(product, po):
    """Sprint 1 holds A (3, done), B (5, in progress) and C (8, to do)."""
    a, b, c = (make_ready_item(product, points, title=title) for title, points in (("A", 3), ("B", 5), ("C", 8)))
    sprint = make_sprint(product, po)
    plan(sprint, [a, b, c], po)
    sprint = start(sprint, po)
    move(sprint, a, DONE, po)
    move(sprint, b, DOING, po)
    return sprint, a, b, c


def close_url(sprint):
    return reverse("sprints:sprint-close", args=[sprint.pk])


def test_the_close_form_asks_about_the_goal_and_each_unfinished_item(client, po, worked):
    sprint, a, b, c = worked
    client.force_login(po)
    html = client.get(close_url(sprint)).content.decode()
    assert "Was the sprint goal met?" in html
    for item in (b, c):
        assert f"<legend>{item.key} {item.title}</legend>" in html
        assert re.search(rf'name="place_{item.key}" value="top"[^>]*checked', html)
    assert f"place_{a.key}" not in html
    assert "There is no planned sprint yet" in html


def test_closing_with_carry_over_choices_places_each_item_and_shows_the_frozen_outcome(client, po, product, worked):
    sprint, a, b, c = worked
    following = make_sprint(product, po, goal="Next")
    client.force_login(po)
    data = {"goal_outcome": "partly", "goal_note": "Half of it.", f"place_{b.key}": "next", f"place_{c.key}": "keep"}
    response = client.post(close_url(sprint), data)
    assert response["Location"] == reverse("sprints:sprint-detail", args=[sprint.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Sprint 1 closed." in html
    assert "Goal partly met" in html and "Half of it." in html
    assert re.search(r"<dt>Committed</dt><dd>16 ", html) and re.search(r"<dt>Completed</dt><dd>3 ", html)
    not_done = html[html.index('class="data-table outcome-not-done"') :]
    assert re.search(
        rf"{b.key}</a></td><td class=\"col-title\"><bdi>B</bdi></td><td class=\"num\">5</td><td>Next sprint", not_done
    )
    assert "Its old position" in not_done
    assert list(following.sprint_items.values_list("item__key", flat=True)) == [b.key]


def test_the_frozen_outcome_does_not_follow_later_edits_to_items(client, po, worked):
    sprint, a, *_ = worked
    client.force_login(po)
    client.post(close_url(sprint), {"goal_outcome": "met"})
    backlog_services.update_item(item=Item.objects.get(pk=a.pk), by=po, changes={"title": "Renamed", "estimate": 13})
    html = client.get(reverse("sprints:sprint-detail", args=[sprint.pk])).content.decode()
    done = html[html.index('class="data-table outcome-done"') :]
    assert re.search(rf'{a.key}</a></td><td class="col-title"><bdi>A</bdi></td><td class="num">3</td>', done)
    assert "Renamed" not in html
    assert re.search(r"<dt>Completed</dt><dd>3 ", html)


def test_unfinished_items_go_to_the_top_of_the_backlog_by_default(client, po, product, worked):
    sprint, _a, b, c = worked
    make_ready_item(product, 1, title="Z")
    client.force_login(po)
    client.post(close_url(sprint), {"goal_outcome": "not_met"})
    keys = list(Item.objects.filter(product=product).order_by("rank").values_list("key", flat=True))
    assert keys[:2] == [b.key, c.key]


def test_a_refused_close_keeps_every_choice_in_the_form(client, po, worked):
    sprint, _a, b, c = worked
    client.force_login(po)
    data = {
        "goal_outcome": "partly",
        "goal_note": "My careful note.",
        f"place_{b.key}": "next",
        f"place_{c.key}": "keep",
    }
    response = client.post(close_url(sprint), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"There is no planned sprint for {b.key} to go to" in html
    assert "My careful note." in html
    assert re.search(r'value="partly"[^>]*checked', html)
    assert re.search(rf'name="place_{b.key}" value="next"[^>]*checked', html)
    assert re.search(rf'name="place_{c.key}" value="keep"[^>]*checked', html)
    sprint.refresh_from_db()
    assert sprint.status == Sprint.Status.ACTIVE


def test_closing_without_saying_whether_the_goal_was_met_is_refused(client, po, worked):
    sprint, *_ = worked
    client.force_login(po)
    response = client.post(close_url(sprint), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_each_error_of_the_close_form_has_the_id_its_field_points_to(client, po, worked):
    sprint, *_ = worked
    client.force_login(po)
    page = Elements(client.post(close_url(sprint), {"goal_note": "x" * 20_001}).content.decode())
    note = page.by_id["id_goal_note"]
    assert note.attrs["aria-describedby"].split() == ["id_goal_note_helptext", "id_goal_note_error"]
    assert page.described_by(note) == [
        "What was met, what was not, and why. Stakeholders read this.",
        "Ensure this value has at most 20000 characters (it has 20001).",
    ]


def test_the_goal_outcome_groups_required_error_is_announced_with_the_group(client, po, worked):
    sprint, *_ = worked
    client.force_login(po)
    page = Elements(client.post(close_url(sprint), {}).content.decode())
    group = page.by_id["id_goal_outcome_0"].ancestor("fieldset")
    assert "This field is required." in page.described_by(group)


def test_an_empty_sprint_closes(client, po, product):
    sprint = start(make_sprint(product, po))
    client.force_login(po)
    assert "Every item is done." in client.get(close_url(sprint)).content.decode()
    assert client.post(close_url(sprint), {"goal_outcome": "met"}).status_code == 302


def test_a_developer_may_not_close_a_sprint(client, developer, worked):
    client.force_login(developer)
    assert client.get(close_url(worked[0])).status_code == 403
    assert client.post(close_url(worked[0]), {"goal_outcome": "met"}).status_code == 403


def test_the_close_page_of_a_planned_sprint_sends_you_back(client, po, sprint):
    client.force_login(po)
    response = client.get(close_url(sprint), follow=True)
    assert "only an active sprint closes" in response.content.decode()


def test_the_burndown_page_draws_the_chart_and_gives_the_same_figures_in_a_table(client, stakeholder, worked):
    sprint, *_ = worked
    client.force_login(stakeholder)
    html = client.get(reverse("sprints:sprint-burndown", args=[sprint.pk])).content.decode()
    assert 'role="img" aria-labelledby="burndown-caption"' in html
    assert '<figcaption id="burndown-caption"' in html
    # Today: 16 committed, 3 done → 13 remaining, in the table and as the chart's dot.
    assert re.search(r'<tr class="is-today">.*?<td class="num">13</td>', html, flags=re.S)
    assert "13 points remaining" in html
    days = (sprint.end_date - sprint.start_date).days + 1
    assert html.count("<tr") - 1 == days  # one row per day, header aside


def test_scope_changes_are_marked_on_the_burndown(client, po, product, worked):
    sprint, *_ = worked
    from sprints import services

    services.add_to_sprint(sprint=sprint, item=make_ready_item(product, 2), by=po)
    client.force_login(po)
    html = client.get(reverse("sprints:sprint-detail", args=[sprint.pk])).content.decode()
    assert 'class="chart-scope"' in html and "scope +2 added" in html


def test_a_sprint_closed_early_shows_no_remaining_points_after_the_day_it_closed(client, po, worked):
    """Closed today, on day 1 of 14: today has its figure (16 − 3 done = 13), the 13 days after
    it have none, in the table as in the API (tests/sprints/test_numbers.py)."""
    sprint, *_ = worked
    close(sprint, po)
    client.force_login(po)
    html = client.get(reverse("sprints:sprint-burndown", args=[sprint.pk])).content.decode()
    cells = re.findall(r'</th>\s*<td class="num">(.*?)</td>', html, flags=re.S)
    assert len(cells) == (sprint.end_date - sprint.start_date).days + 1
    assert cells[0] == "13"
    assert all("–" in cell for cell in cells[1:])


def test_the_burndown_chart_stops_at_today_and_the_ideal_runs_to_the_end(worked):
    sprint, *_ = worked
    data = selectors.burndown(sprint, today=sprint.end_date)
    rows = charts.burndown_rows(data.days, today=sprint.start_date)
    chart = charts.burndown_chart(rows)
    assert len(chart.remaining.split()) == 1
    assert len(chart.ideal.split()) == len(rows)
    assert chart.today_x == chart.left


def test_nice_ceilings_make_readable_axes():
    assert [charts.nice_ceiling(v) for v in (0, 1, 3, 16, 21, 50, 51)] == [1, 1, 5, 20, 50, 50, 100]
