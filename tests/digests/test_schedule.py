"""When digests are due: the member's own time zone across daylight-saving changes, ISO-week
periods, "after each sprint", role defaults, and the pure functions of `digests.schedule`.

Time travel is explicit: every check passes an aware `now` to `plan_due` / `due_deliveries`, and
the moments a schedule starts from (`since`, the membership's `created_at`) are set by hand."""

import datetime
from zoneinfo import ZoneInfo

from django.core import mail

from backlog.models import Membership, Role
from digests import schedule, selectors, services, tasks
from digests.models import DigestDelivery, DigestSubscription, Frequency
from tests.conftest import make_items, make_user
from tests.sprints.conftest import run_sprint

UTC = datetime.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def member(product, email: str, role: str, *, time_zone: str = "UTC", joined: datetime.datetime | None = None):
    user = make_user(email, time_zone=time_zone)
    Membership.objects.create(product=product, user=user, role=role, created_at=joined or at(2026, 1, 1))
    return user


def subscribe(user, product, *, since, frequency=Frequency.WEEKLY, weekday=0, hour=9, **extra):
    return DigestSubscription.objects.create(
        user=user,
        product=product,
        frequency=frequency,
        weekday=weekday,
        hour=hour,
        since=since,
        updated_at=since,
        **extra,
    )


def due_for(user, now) -> list[str]:
    return [due.period for due in selectors.due_deliveries(now) if due.user_id == user.pk]


# --- Time zones and daylight saving -------------------------------------------------------------


def test_berlin_monday_nine_is_seven_utc_in_summer(product):
    # Joined on the Saturday before: the previous Monday's slot predates the schedule.
    berlin = member(product, "berlin@example.com", Role.STAKEHOLDER, time_zone="Europe/Berlin", joined=at(2026, 6, 13))

    assert due_for(berlin, at(2026, 6, 15, 6, 59)) == []  # 08:59 CEST
    assert due_for(berlin, at(2026, 6, 15, 7, 0)) == ["week:2026-W25"]  # 09:00 CEST
    assert due_for(berlin, at(2026, 6, 15, 7, 59)) == ["week:2026-W25"]  # a late tick still finds it
    assert due_for(berlin, at(2026, 6, 21, 21, 59)) == ["week:2026-W25"]  # Sunday 23:59 CEST


def test_berlin_monday_nine_is_eight_utc_after_the_clocks_go_back(product):
    # Summer time ended on Sunday 25 October 2026 (the last Sunday of October).
    berlin = member(product, "berlin@example.com", Role.STAKEHOLDER, time_zone="Europe/Berlin", joined=at(2026, 10, 24))

    assert due_for(berlin, at(2026, 10, 26, 7, 0)) == []  # 08:00 CET: the summer instant is not it
    assert due_for(berlin, at(2026, 10, 26, 7, 30)) == []
    assert due_for(berlin, at(2026, 10, 26, 8, 0)) == ["week:2026-W44"]


def test_berlin_across_the_change_plans_one_digest_a_week(product):
    berlin = member(product, "berlin@example.com", Role.STAKEHOLDER, time_zone="Europe/Berlin", joined=at(2026, 10, 17))
    planned = []
    # Every hour on the hour across the two Mondays around the change, and everything between.
    now = at(2026, 10, 18, 0, 0)
    while now < at(2026, 10, 27, 0, 0):
        if services.plan_due(now):
            planned.append(now)
        now += datetime.timedelta(hours=1)
    assert planned == [at(2026, 10, 19, 7, 0), at(2026, 10, 26, 8, 0)]
    periods = sorted(DigestDelivery.objects.filter(user=berlin).values_list("period", flat=True))
    assert periods == ["week:2026-W43", "week:2026-W44"]


def test_new_york_keeps_nine_local_across_both_changes(product):
    ny = member(product, "ny@example.com", Role.STAKEHOLDER, time_zone="America/New_York", joined=at(2026, 2, 28))
    # Spring: Monday 2 March is EST (UTC-5), Monday 9 March EDT (UTC-4); the clocks moved on the 8th.
    assert due_for(ny, at(2026, 3, 2, 13, 59)) == []
    assert due_for(ny, at(2026, 3, 2, 14, 0)) == ["week:2026-W10"]
    services.plan_due(at(2026, 3, 2, 14, 0))
    assert due_for(ny, at(2026, 3, 9, 12, 59)) == []
    assert due_for(ny, at(2026, 3, 9, 13, 0)) == ["week:2026-W11"]

    # Autumn: the clocks went back on Sunday 1 November; Monday 26 October is EDT, 2 November EST.
    autumn = member(product, "ny2@example.com", Role.STAKEHOLDER, time_zone="America/New_York", joined=at(2026, 10, 24))
    assert due_for(autumn, at(2026, 10, 26, 13, 0)) == ["week:2026-W44"]
    services.plan_due(at(2026, 10, 26, 13, 0))
    assert due_for(autumn, at(2026, 11, 2, 13, 0)) == []  # 08:00 EST
    assert due_for(autumn, at(2026, 11, 2, 13, 59)) == []
    assert due_for(autumn, at(2026, 11, 2, 14, 0)) == ["week:2026-W45"]


def test_a_slot_before_the_schedule_started_is_not_due(product):
    monday_nine = at(2026, 6, 15, 9, 0)
    joined_after = member(
        product, "late@example.com", Role.STAKEHOLDER, joined=monday_nine + datetime.timedelta(minutes=1)
    )
    joined_at = member(product, "ontime@example.com", Role.STAKEHOLDER, joined=monday_nine)
    chose_after = member(product, "chose@example.com", Role.STAKEHOLDER, joined=at(2026, 1, 1))
    subscribe(chose_after, product, since=monday_nine + datetime.timedelta(seconds=1))

    now = at(2026, 6, 15, 12, 0)
    assert due_for(joined_after, now) == []
    assert due_for(joined_at, now) == ["week:2026-W25"]
    assert due_for(chose_after, now) == []
    # Their first slot is the next one.
    assert due_for(joined_after, at(2026, 6, 22, 9, 0)) == ["week:2026-W26"]
    assert due_for(chose_after, at(2026, 6, 22, 9, 0)) == ["week:2026-W26"]


def test_a_missed_slot_is_found_by_a_late_tick_but_only_the_latest_one(product):
    user = member(product, "sh@example.com", Role.STAKEHOLDER, joined=at(2026, 6, 1))
    # Nothing ran for three weeks: one digest, for the latest slot, not three.
    assert due_for(user, at(2026, 6, 24, 12, 0)) == ["week:2026-W26"]


# --- Periods ---------------------------------------------------------------------------------------


def test_the_period_is_the_iso_week_of_the_slots_local_date(product):
    sunday = member(product, "sunday@example.com", Role.STAKEHOLDER, joined=at(2026, 12, 1))
    subscribe(sunday, product, since=at(2026, 12, 1), weekday=6, hour=9)
    # Sunday 3 January 2027 belongs to ISO week 53 of 2026.
    assert due_for(sunday, at(2027, 1, 3, 9, 0)) == ["week:2026-W53"]

    # Monday 09:00 in Auckland (UTC+13 in January) is Sunday 20:00 UTC: the local Monday counts.
    kiwi = member(product, "kiwi@example.com", Role.STAKEHOLDER, time_zone="Pacific/Auckland", joined=at(2026, 12, 1))
    assert due_for(kiwi, at(2027, 1, 3, 19, 59)) == ["week:2026-W53"]  # last Monday's slot
    assert due_for(kiwi, at(2027, 1, 3, 20, 0)) == ["week:2027-W01"]


def test_planning_twice_plans_once(product):
    user = member(product, "sh@example.com", Role.STAKEHOLDER, joined=at(2026, 6, 1))
    now = at(2026, 6, 15, 9, 5)
    assert services.plan_due(now) == 1
    assert services.plan_due(now) == 0
    assert services.plan_due(now + datetime.timedelta(hours=5)) == 0
    (delivery,) = DigestDelivery.objects.filter(user=user)
    assert (delivery.period, delivery.kind, delivery.state) == ("week:2026-W25", "weekly", "pending")


def test_changing_the_weekday_within_a_week_does_not_plan_a_second_digest_that_week(product):
    user = member(product, "sh@example.com", Role.STAKEHOLDER, joined=at(2026, 6, 1))
    assert services.plan_due(at(2026, 6, 15, 9, 5)) == 1  # Monday, week 25

    services.update_subscription(
        user=user, product=product, frequency="weekly", weekday=4, hour=9, send_when_quiet=False
    )
    row = DigestSubscription.objects.get(user=user, product=product)
    assert row.weekday == 4
    # The change was made on Tuesday of that week (the service stamps the real clock).
    DigestSubscription.objects.filter(pk=row.pk).update(since=at(2026, 6, 16, 10, 0))

    friday = at(2026, 6, 19, 9, 0)
    assert due_for(user, friday) == []
    assert services.plan_due(friday) == 0
    assert services.plan_due(at(2026, 6, 26, 9, 0)) == 1  # the next Friday: week 26
    periods = sorted(DigestDelivery.objects.filter(user=user).values_list("period", flat=True))
    assert periods == ["week:2026-W25", "week:2026-W26"]


def test_a_changed_schedule_starts_from_now(product):
    user = member(product, "sh@example.com", Role.STAKEHOLDER, joined=at(2020, 1, 1))
    row = services.update_subscription(
        user=user, product=product, frequency="weekly", weekday=0, hour=9, send_when_quiet=False
    )
    assert row.since > at(2020, 1, 1)
    same = services.update_subscription(
        user=user, product=product, frequency="weekly", weekday=0, hour=9, send_when_quiet=True
    )
    assert same.since == row.since, "only a changed schedule restarts it"


# --- After each sprint -----------------------------------------------------------------------------


def test_closing_a_sprint_makes_its_digest_due_on_the_next_tick(product, po):
    user = member(product, "sh@example.com", Role.STAKEHOLDER)
    since = at(2020, 1, 1)
    subscribe(user, product, since=since, frequency=Frequency.SPRINT)
    make_items(product, 2)
    assert due_for(user, at(2030, 1, 1)) == []  # no sprint closed yet

    sprint = run_sprint(product, [3, 5], 1, by=po)
    now = sprint.closed_at + datetime.timedelta(minutes=1)
    assert due_for(user, now) == [f"sprint:{sprint.number}"]
    assert services.plan_due(now) == 1
    delivery = DigestDelivery.objects.get(user=user)
    assert (delivery.period, delivery.kind) == (f"sprint:{sprint.number}", "sprint")
    assert services.plan_due(now) == 0

    later = run_sprint(product, [2], 1, by=po)
    assert due_for(user, later.closed_at + datetime.timedelta(minutes=1)) == [f"sprint:{later.number}"]


def test_only_sprints_closed_after_the_subscription_started_are_due(product, po):
    sprint = run_sprint(product, [3], 1, by=po)
    after = member(product, "after@example.com", Role.STAKEHOLDER)
    subscribe(after, product, since=sprint.closed_at + datetime.timedelta(seconds=1), frequency=Frequency.SPRINT)
    before = member(product, "before@example.com", Role.STAKEHOLDER)
    subscribe(before, product, since=sprint.closed_at - datetime.timedelta(seconds=1), frequency=Frequency.SPRINT)

    now = sprint.closed_at + datetime.timedelta(minutes=5)
    assert due_for(after, now) == []
    assert due_for(before, now) == [f"sprint:{sprint.number}"]


def test_weekly_members_get_no_sprint_digest_and_sprint_members_no_weekly_one(product, po):
    weekly = member(product, "weekly@example.com", Role.STAKEHOLDER, joined=at(2020, 1, 1))
    sprintly = member(product, "sprintly@example.com", Role.STAKEHOLDER, joined=at(2020, 1, 1))
    subscribe(sprintly, product, since=at(2020, 1, 1), frequency=Frequency.SPRINT)
    sprint = run_sprint(product, [3], 1, by=po)
    now = sprint.closed_at + datetime.timedelta(minutes=1)
    assert all(period.startswith("week:") for period in due_for(weekly, now))
    assert due_for(sprintly, now) == [f"sprint:{sprint.number}"]


# --- Defaults by role ------------------------------------------------------------------------------


def test_without_a_row_stakeholders_get_monday_nine_and_the_team_nothing(product, po):
    joined = at(2026, 6, 1)
    Membership.objects.filter(product=product).update(created_at=joined)
    team = [
        member(product, "sm@example.com", Role.SCRUM_MASTER, joined=joined),
        member(product, "dev@example.com", Role.DEVELOPER, joined=joined),
        po,
    ]
    stakeholder = member(product, "sh@example.com", Role.STAKEHOLDER, joined=joined)
    off = member(product, "off@example.com", Role.STAKEHOLDER, joined=joined)
    subscribe(off, product, since=joined, frequency=Frequency.OFF)

    assert services.plan_due(at(2026, 6, 15, 8, 59)) == 1  # the previous Monday, 8 June
    assert services.plan_due(at(2026, 6, 15, 9, 0)) == 1
    rows = list(DigestDelivery.objects.values_list("user_id", "period"))
    assert sorted(rows) == [(stakeholder.pk, "week:2026-W24"), (stakeholder.pk, "week:2026-W25")]
    for user in [*team, off]:
        assert due_for(user, at(2026, 6, 15, 9, 0)) == []

    # A team member who asks for it gets it like anyone.
    developer = team[1]
    subscribe(developer, product, since=joined, weekday=2, hour=17)
    assert due_for(developer, at(2026, 6, 17, 17, 0)) == ["week:2026-W25"]


def test_inactive_users_and_non_members_are_never_due(product):
    gone = member(product, "gone@example.com", Role.STAKEHOLDER, joined=at(2026, 6, 1))
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert due_for(gone, at(2026, 6, 15, 9, 0)) == []


# --- The tick -----------------------------------------------------------------------------------------


def test_the_tick_plans_and_sends_what_is_due_once(product, monkeypatch):
    make_items(product, 3)
    user = member(product, "sh@example.com", Role.STAKEHOLDER, joined=at(2020, 1, 1))
    first = tasks.tick()
    assert first["planned"] == 1 and first["queued"] == 1
    delivery = DigestDelivery.objects.get(user=user)
    assert delivery.state == DigestDelivery.State.SENT
    assert [message.to for message in mail.outbox] == [[user.email]]
    second = tasks.tick()
    assert second == {"planned": 0, "reclaimed": 0, "queued": 0, "mail": 0}
    assert len(mail.outbox) == 1


# --- schedule.py ------------------------------------------------------------------------------------


def test_local_slot_keeps_the_local_hour_across_the_change():
    assert schedule.local_slot(datetime.date(2026, 6, 15), 9, BERLIN) == at(2026, 6, 15, 7, 0)
    assert schedule.local_slot(datetime.date(2026, 12, 14), 9, BERLIN) == at(2026, 12, 14, 8, 0)
    assert schedule.local_slot(datetime.date(2026, 7, 6), 9, NEW_YORK) == at(2026, 7, 6, 13, 0)
    assert schedule.local_slot(datetime.date(2026, 12, 14), 9, NEW_YORK) == at(2026, 12, 14, 14, 0)


def test_a_nonexistent_hour_on_the_spring_forward_day_falls_an_hour_later_local():
    # Berlin, Sunday 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:00 local never happens.
    slot = schedule.local_slot(datetime.date(2026, 3, 29), 2, BERLIN)
    assert slot == at(2026, 3, 29, 1, 0)
    assert slot.astimezone(BERLIN).replace(tzinfo=None) == datetime.datetime(2026, 3, 29, 3, 0)
    assert slot.tzinfo == UTC
    # The hours around it are plain.
    assert schedule.local_slot(datetime.date(2026, 3, 29), 1, BERLIN) == at(2026, 3, 29, 0, 0)
    assert schedule.local_slot(datetime.date(2026, 3, 29), 3, BERLIN) == at(2026, 3, 29, 1, 0)
    # New York, Sunday 8 March 2026: 02:00 EST jumps to 03:00 EDT.
    assert schedule.local_slot(datetime.date(2026, 3, 8), 2, NEW_YORK) == at(2026, 3, 8, 7, 0)

    # As a weekly slot it is due once, at that moment, in that week.
    for now, expected in (
        (at(2026, 3, 29, 0, 59), at(2026, 3, 22, 1, 0)),
        (at(2026, 3, 29, 1, 0), at(2026, 3, 29, 1, 0)),
    ):
        assert schedule.latest_weekly_slot(now, weekday=6, hour=2, tz=BERLIN) == expected
    assert schedule.week_period(at(2026, 3, 29, 1, 0), BERLIN) == "week:2026-W13"


def test_an_ambiguous_hour_in_autumn_is_its_first_occurrence():
    # Berlin, Sunday 25 October 2026: 02:00–03:00 happens twice (CEST, then CET).
    slot = schedule.local_slot(datetime.date(2026, 10, 25), 2, BERLIN)
    assert slot == at(2026, 10, 25, 0, 0)  # 02:00 CEST, not 01:00 UTC (02:00 CET)
    assert schedule.local_slot(datetime.date(2026, 10, 25), 3, BERLIN) == at(2026, 10, 25, 2, 0)
    # Due once: at the first 02:00, and still the same slot an hour later during the repeat.
    assert schedule.latest_weekly_slot(at(2026, 10, 24, 23, 59), weekday=6, hour=2, tz=BERLIN) == at(2026, 10, 18, 0, 0)
    assert schedule.latest_weekly_slot(at(2026, 10, 25, 0, 0), weekday=6, hour=2, tz=BERLIN) == slot
    assert schedule.latest_weekly_slot(at(2026, 10, 25, 1, 30), weekday=6, hour=2, tz=BERLIN) == slot
    assert schedule.next_weekly_slot(at(2026, 10, 25, 1, 30), weekday=6, hour=2, tz=BERLIN) == at(2026, 11, 1, 1, 0)


def test_next_weekly_slot_is_a_week_after_the_latest():
    now = at(2026, 10, 21, 12, 0)  # Wednesday
    assert schedule.latest_weekly_slot(now, weekday=0, hour=9, tz=BERLIN) == at(2026, 10, 19, 7, 0)
    assert schedule.next_weekly_slot(now, weekday=0, hour=9, tz=BERLIN) == at(2026, 10, 26, 8, 0)
    # At the slot itself, it is the latest, and the next is a week on.
    slot = at(2026, 10, 26, 8, 0)
    assert schedule.latest_weekly_slot(slot, weekday=0, hour=9, tz=BERLIN) == slot
    assert schedule.next_weekly_slot(slot, weekday=0, hour=9, tz=BERLIN) == at(2026, 11, 2, 8, 0)
