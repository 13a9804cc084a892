"""The digest's current sprint counts its days left from the member's own today, as the sprint
page does for them: for someone far from UTC the two dates differ for hours every day."""

import datetime

from django.core import mail

from digests import selectors
from sprints import selectors as sprint_selectors
from tests.digests.test_content import deliver_new, html_of
from tests.sprints.conftest import make_ready_item, make_sprint, plan, start

# Monday 15 June 2026, 09:00 in Auckland (NZST, UTC+12): still Sunday the 14th in UTC.
AUCKLAND_MONDAY_NINE = datetime.datetime(2026, 6, 14, 21, 0, tzinfo=datetime.UTC)
MONDAY, SUNDAY_AFTER = datetime.date(2026, 6, 15), datetime.date(2026, 6, 21)


def running_sprint(product, po):
    sprint = make_sprint(product, po, start_date=MONDAY, end_date=SUNDAY_AFTER, goal="Pay by card")
    plan(sprint, [make_ready_item(product, 3)], po)
    return start(sprint, po)


def test_days_left_are_counted_from_the_members_local_date(product, po, stakeholder):
    stakeholder.time_zone = "Pacific/Auckland"
    stakeholder.save(update_fields=["time_zone"])
    sprint = running_sprint(product, po)

    digest = selectors.build_digest(stakeholder, product, now=AUCKLAND_MONDAY_NINE)

    # What the sprint page says to them that Monday.
    assert digest["active_sprint"]["days_left"] == sprint_selectors.sprint_summary(sprint, MONDAY).days_left == 6
    deliver_new(stakeholder, product, now=AUCKLAND_MONDAY_NINE)
    assert "(6 days left)" in mail.outbox[-1].body
    assert "(6 days left)" in html_of(mail.outbox[-1])


def test_a_member_west_of_utc_counts_from_their_own_earlier_date(product, po, stakeholder):
    stakeholder.time_zone = "America/Los_Angeles"
    stakeholder.save(update_fields=["time_zone"])
    running_sprint(product, po)
    # Monday 15 June, 01:00 UTC: Sunday 14 June, 18:00 in Los Angeles (before the sprint's first day).
    digest = selectors.build_digest(stakeholder, product, now=datetime.datetime(2026, 6, 15, 1, 0, tzinfo=datetime.UTC))
    assert digest["active_sprint"]["days_left"] == 7
