"""A sprint's numbers from its events: the summary, the burndown (by hand-computed figures),
velocity and the capacity range."""

import datetime

import pytest

from backlog import services as backlog_services
from sprints import selectors, services
from sprints.models import SprintEvent, SprintItem

from .conftest import close, make_ready_item, make_sprint, move, plan, run_sprint, start

pytestmark = pytest.mark.django_db

DONE, DOING = SprintItem.Column.DONE, SprintItem.Column.IN_PROGRESS
MONDAY = datetime.date(2026, 3, 2)


def day(n: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=n)


def on_day(sprint, n: int, action):
    """Run the action and date the events it records to noon UTC on day n of the sprint."""
    last = SprintEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = action()
    moment = datetime.datetime.combine(day(n), datetime.time(12), tzinfo=datetime.UTC)
    SprintEvent.objects.filter(sprint=sprint, id__gt=last).update(at=moment)
    return result


@pytest.fixture
def story(product, po):
    """Monday 2 to Friday 13 March: A (5), B (3), C (8) committed; A done on Tuesday, D (2)
    added on Wednesday, C removed on Thursday, A reopened on Friday, B done the next Monday and A
    again on Tuesday."""
    a, b, c, d = (make_ready_item(product, points, title=t) for t, points in zip("ABCD", (5, 3, 8, 2), strict=True))
    sprint = make_sprint(product, po, start_date=MONDAY, end_date=day(11))
    plan(sprint, [a, b, c], po)
    on_day(sprint, 0, lambda: start(sprint, po))
    on_day(sprint, 1, lambda: move(sprint, a, DONE, po))
    on_day(sprint, 2, lambda: plan(sprint, [d], po))
    on_day(sprint, 3, lambda: services.remove_from_sprint(sprint=sprint, item=c, by=po))
    on_day(sprint, 4, lambda: move(sprint, a, DOING, po))
    on_day(sprint, 7, lambda: move(sprint, b, DONE, po))
    on_day(sprint, 8, lambda: move(sprint, a, DONE, po))
    sprint.refresh_from_db()
    return sprint, (a, b, c, d)


def test_the_burndown_follows_the_events_day_by_day(story):
    sprint, _ = story
    chart = selectors.burndown(sprint)
    assert chart.committed_points == 16
    assert [(d.date, d.remaining) for d in chart.days] == [
        (day(n), remaining) for n, remaining in enumerate([16, 11, 13, 5, 10, 10, 10, 7, 2, 2, 2, 2])
    ]


def test_the_ideal_line_falls_over_working_days_only(story):
    sprint, _ = story
    ideal = [d.ideal for d in selectors.burndown(sprint).days]
    assert ideal == [14.4, 12.8, 11.2, 9.6, 8.0, 8.0, 8.0, 6.4, 4.8, 3.2, 1.6, 0.0]
    assert [d.working_day for d in selectors.burndown(sprint).days][4:7] == [True, False, False]


def test_scope_changes_are_marked_on_their_day(story):
    sprint, (_a, _b, c, d) = story
    days = {entry.date: entry for entry in selectors.burndown(sprint).days}
    assert [(s.key, s.points) for s in days[day(2)].added] == [(d.key, 2)]
    assert [(s.key, s.points) for s in days[day(3)].removed] == [(c.key, 8)]
    assert sum(len(entry.added) + len(entry.removed) for entry in days.values()) == 2


def test_an_active_sprints_burndown_stops_at_today(story):
    sprint, _ = story
    assert [d.remaining for d in selectors.burndown(sprint, today=day(4)).days] == [16, 11, 13, 5, 10]


def test_the_burndown_stays_the_same_after_close(story, po):
    sprint, (a, b, _c, _d) = story
    before = selectors.burndown(sprint)
    close(sprint, po)
    backlog_services.update_item(item=a, by=po, changes={"estimate": 1})
    backlog_services.update_item(item=b, by=po, changes={"estimate": 1})
    sprint.refresh_from_db()
    assert selectors.burndown(sprint) == before


def test_a_planned_sprint_has_no_burndown_yet(sprint):
    assert selectors.burndown(sprint).days == []


def test_the_summary_of_an_active_sprint_counts_its_events(story):
    sprint, _ = story
    summary = selectors.sprint_summary(sprint, today=day(8))
    assert (summary.committed_points, summary.added_points, summary.removed_points) == (16, 2, 8)
    assert (summary.done_points, summary.remaining_points, summary.days_left) == (8, 2, 3)


def test_the_summary_of_a_closed_sprint_is_its_frozen_outcome(story, po):
    sprint, _ = story
    closed = close(sprint, po)
    summary = selectors.sprint_summary(closed)
    assert (summary.committed_points, summary.done_points, summary.remaining_points) == (16, 8, 2)
    assert summary.days_left is None


def test_the_summary_of_a_planned_sprint_sums_its_plan(sprint, product, po):
    plan(sprint, [make_ready_item(product, 5), make_ready_item(product, None)], po)
    summary = selectors.sprint_summary(sprint)
    assert (summary.committed_points, summary.remaining_points, summary.done_points) == (5, 5, 0)


def test_velocity_lists_closed_sprints_in_order_with_committed_and_completed(closed_sprints, product, po):
    make_sprint(product, po)  # planned: not part of velocity
    points = selectors.velocity(product)
    assert [(p.number, p.committed_points, p.completed_points) for p in points] == [
        (1, 21, 18),
        (2, 26, 23),
        (3, 20, 20),
    ]


def test_capacity_is_the_range_of_the_last_three_closed_sprints(closed_sprints, product, po):
    assert selectors.capacity_range(product) == (18, 23)
    run_sprint(product, [13, 13], 2, by=po)
    assert selectors.capacity_range(product) == (20, 26)


def test_without_closed_sprints_there_is_no_capacity_yet(active_sprint, product):
    assert selectors.capacity_range(product) is None
    assert selectors.velocity(product) == []


def test_a_sprint_of_zero_points_counts_in_velocity(product, po):
    run_sprint(product, [3], 0, by=po)
    assert selectors.capacity_range(product) == (0, 0)
