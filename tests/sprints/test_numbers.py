"""A sprint's numbers from its events: the summary, the burndown (by hand-computed figures),
velocity and the capacity range."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import create_api_token
from backlog import services as backlog_services
from sprints import selectors, services
from sprints.models import Sprint, SprintEvent, SprintItem

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


def done_late_in_the_evening(sprint, item, n: int) -> None:
    """Move the item's "done" of day n from noon to 23:30 UTC: still day n in UTC, already day
    n + 1 in Berlin (UTC+1 in March)."""
    noon = datetime.datetime.combine(day(n), datetime.time(12), tzinfo=datetime.UTC)
    late = datetime.datetime.combine(day(n), datetime.time(23, 30), tzinfo=datetime.UTC)
    moved = SprintEvent.objects.filter(sprint=sprint, item=item, kind=SprintEvent.Kind.DONE, at=noon).update(at=late)
    assert moved == 1


def test_an_event_counts_on_the_viewers_own_day(story):
    """A done at 23:30 UTC on Tuesday: a UTC viewer sees it burn on Tuesday, a Berlin viewer on
    Wednesday (with D added: 16 − 5 + 2 = 13)."""
    sprint, (a, *_) = story
    done_late_in_the_evening(sprint, a, 1)
    with timezone.override(ZoneInfo("UTC")):
        in_utc = [d.remaining for d in selectors.burndown(sprint).days][:3]
    with timezone.override(ZoneInfo("Europe/Berlin")):
        in_berlin = [d.remaining for d in selectors.burndown(sprint).days][:3]
    assert in_utc == [16, 11, 13]
    assert in_berlin == [16, 16, 13]


def test_the_api_counts_days_in_the_token_users_zone_like_the_page_does(story, po, client):
    sprint, (a, *_) = story
    done_late_in_the_evening(sprint, a, 1)
    po.time_zone = "Europe/Berlin"
    po.save(update_fields=["time_zone"])
    _, secret = create_api_token(by=po, name="burndown")
    url = reverse("api-sprint-burndown", kwargs={"sprint_id": sprint.pk})
    body = Client(HTTP_AUTHORIZATION=f"Token {secret}").get(url).json()
    assert [d["remaining"] for d in body["days"]][:3] == [16, 16, 13]
    # The zone was the request's only: this thread is back to UTC.
    assert timezone.get_current_timezone_name() == "UTC"
    # The page, for the same user signed in, shows the same day.
    client.force_login(po)
    html = client.get(reverse("sprints:sprint-burndown", args=[sprint.pk])).content.decode()
    remaining = re.findall(r'<time datetime="([0-9-]+)">.*?</th>\s*<td class="num">([0-9]+)</td>', html, flags=re.S)
    assert remaining[:3] == [(day(n).isoformat(), str(points)) for n, points in enumerate([16, 16, 13])]


def test_a_sprint_closed_early_has_no_remaining_points_after_the_day_it_closed(story, po):
    """Closed on day 9 of 12: days 10 and 11 have no remaining figure, in the selector and in
    the API alike (the page's line stops there), while the ideal line still runs to the end."""
    sprint, _ = story
    close(sprint, po)
    closed_at = datetime.datetime.combine(day(9), datetime.time(16), tzinfo=datetime.UTC)
    Sprint.objects.filter(pk=sprint.pk).update(closed_at=closed_at)
    SprintEvent.objects.filter(sprint=sprint, at__gt=closed_at).update(at=closed_at)
    sprint.refresh_from_db()
    days = selectors.burndown(sprint).days
    assert [d.remaining for d in days] == [16, 11, 13, 5, 10, 10, 10, 7, 2, 2, None, None]
    assert days[-1].ideal == 0.0
    url = reverse("api-sprint-burndown", kwargs={"sprint_id": sprint.pk})
    api = APIClient()
    api.force_authenticate(po)
    assert [d["remaining"] for d in api.get(url).json()["days"]][-3:] == [2, None, None]


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
