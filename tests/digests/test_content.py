"""What a digest says: `selectors.build_digest` and the email sent from it (Django's locmem outbox).

The first digest, the changes since the member's own last digest (previews aside), quiet weeks,
the honest account of a closed sprint, no retrospective content for stakeholders, escaped and
sanitised user text, constant queries, and deliveries that must not be sent."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from backlog import services as backlog_services
from backlog.models import Membership, Role
from backlog.selectors import position_of
from digests import email as digest_email
from digests import selectors, services
from digests.models import DigestDelivery, DigestSubscription, Frequency
from digests.tasks import enqueue_delivery
from sprints import services as sprint_services
from sprints.models import SprintItem
from tests.conftest import make_item, make_items, make_user
from tests.sprints.conftest import SPRINT_DAYS, close, make_ready_item, make_sprint, move, plan, run_sprint, start

FORECAST_LINE = re.compile(r"^85% likely by Sprint \d+, \d{1,2} [A-Z][a-z]{2}$")


def html_of(message) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content


def deliver_new(user, product, period="week:2026-W01", kind=DigestDelivery.Kind.WEEKLY, now=None):
    """Plan one delivery by hand and run it in-process, as the worker would."""
    delivery = DigestDelivery.objects.create(user=user, product=product, period=period, kind=kind)
    result = services.deliver(delivery.pk, now=now)
    delivery.refresh_from_db()
    return result, delivery


def closed_history(product, po):
    """Three closed sprints (18, 23 and 20 points done), ending yesterday: enough to forecast."""
    first_start = timezone.now().date() - datetime.timedelta(days=3 * SPRINT_DAYS)
    for n, (estimates, done) in enumerate((([8, 5, 5, 3], 3), ([13, 5, 5, 3], 3), ([8, 5, 5, 2], 4))):
        begin = first_start + datetime.timedelta(days=n * SPRINT_DAYS)
        run_sprint(product, estimates, done, by=po, start_date=begin)


def set_status(item, status, po):
    return backlog_services.update_item(item=item, by=po, changes={"status": status})


# --- The first digest ------------------------------------------------------------------------------


def test_a_first_digest_is_first_and_changed_with_the_top_ten_open_items(product, po, stakeholder):
    items = make_items(product, 15)
    set_status(items[1], "done", po)
    set_status(items[2], "discarded", po)
    set_status(items[4], "done", po)
    backlog_services.archive_item(item=items[3], by=po)

    digest = selectors.build_digest(stakeholder, product)

    assert digest["first"] is True
    assert digest["changed"] is True
    assert digest["since"] is None
    assert digest["left_top"] == []
    top = digest["top"]
    assert len(top) == 10
    # Done and discarded items are not listed but keep their places: positions count every live
    # item; the archived one is no longer in the backlog.
    assert [entry["key"] for entry in top] == [items[0].key] + [item.key for item in items[5:14]]
    assert [entry["position"] for entry in top] == [1, *range(5, 14)]
    assert {entry["status"] for entry in top} == {"new"}
    assert all(entry["change"] == "same" and entry["previous_position"] is None for entry in top)


def test_with_three_closed_sprints_each_top_item_has_an_85_percent_line(product, po, stakeholder):
    closed_history(product, po)
    for estimate in (3, 5, None, 8):
        make_item(product, estimate=estimate)

    digest = selectors.build_digest(stakeholder, product)

    assert digest["forecast"]["available"] is True
    assert digest["forecast"]["history"] == 3
    assert digest["top"], "the history's unfinished items and the new ones are open"
    for entry in digest["top"]:
        assert FORECAST_LINE.match(entry["forecast_85"]), entry["forecast_85"]
    # The unestimated item and everything below it count it at the median.
    flagged = [entry["counts_unestimated"] for entry in digest["top"]]
    assert flagged == sorted(flagged), "once an unestimated item is counted, every item below counts it"
    assert any(flagged)
    assert digest["forecast"]["unestimated_note"].startswith("* Counts 1 unestimated item at the median")

    result, delivery = deliver_new(stakeholder, product)
    assert result.outcome == "sent"
    text = mail.outbox[-1].body
    for entry in digest["top"]:
        assert entry["forecast_85"] in text
        assert entry["forecast_85"] in html_of(mail.outbox[-1])


def test_a_clearly_falling_velocity_is_told_beside_the_forecast(product, po, stakeholder):
    """Five closed sprints completing 13, 11, 9, 7 and 5 points: stakeholders read why the
    forecast leans later, in the email as in the API."""
    first = timezone.now().date() - datetime.timedelta(days=5 * SPRINT_DAYS)
    for n, done in enumerate(((8, 5), (8, 3), (8, 1), (5, 2), (3, 2))):
        start_date = first + datetime.timedelta(days=n * SPRINT_DAYS)
        run_sprint(product, [*done, 8], 2, by=po, start_date=start_date)

    digest = selectors.build_digest(stakeholder, product)

    said = "Velocity has been falling by about 2.0 points a sprint, so the forecast leans later"
    assert said in digest["forecast"]["message"]
    result, _ = deliver_new(stakeholder, product)
    assert result.outcome == "sent"
    assert said in mail.outbox[-1].body
    assert said in html_of(mail.outbox[-1])


def test_without_enough_history_there_is_no_forecast_and_the_digest_says_why(product, po, stakeholder):
    run_sprint(product, [3, 5], 1, by=po, start_date=timezone.now().date() - datetime.timedelta(days=SPRINT_DAYS))
    make_items(product, 3)

    digest = selectors.build_digest(stakeholder, product)

    assert digest["forecast"]["available"] is False
    assert digest["forecast"]["history"] == 1
    assert digest["forecast"]["message"] == "Not enough history yet: forecasts need 3 closed sprints, there is 1."
    assert all(entry["forecast_85"] is None for entry in digest["top"])
    assert "85% likely" not in str(digest)

    deliver_new(stakeholder, product)
    assert "Not enough history yet" in mail.outbox[-1].body
    assert "Not enough history yet" in html_of(mail.outbox[-1])
    assert "85% likely" not in mail.outbox[-1].body


# --- Since the last digest -------------------------------------------------------------------------


@pytest.fixture
def twelve(product):
    return make_items(product, 12)


def test_the_next_digest_compares_with_the_recipients_own_last_digest(product, po, stakeholder, twelve):
    other = make_user("other-stakeholder@example.com")
    Membership.objects.create(product=product, user=other, role=Role.STAKEHOLDER)
    result, baseline = deliver_new(stakeholder, product)
    assert result.outcome == "sent"
    assert baseline.state == DigestDelivery.State.SENT
    assert baseline.sent_at is not None
    assert baseline.shown["top"] == [{"key": item.key, "position": n} for n, item in enumerate(twelve[:10], 1)]

    i = dict(enumerate(twelve, 1))
    set_status(i[1], "done", po)
    backlog_services.archive_item(item=i[3], by=po)
    backlog_services.move_item(item=i[10], by=po, position=100)
    backlog_services.move_item(item=i[7], by=po, position=1)
    new = backlog_services.create_item(product=product, by=po, title="Guest checkout", at_top=True)
    # Live order now: new, 7, 1 (done), 2, 4, 5, 6, 8, 9, 11, 12, 10.

    digest = selectors.build_digest(stakeholder, product)

    assert digest["first"] is False
    assert digest["changed"] is True
    assert digest["since"] == baseline.sent_at
    rows = [(e["key"], e["position"], e["change"], e["previous_position"]) for e in digest["top"]]
    assert rows == [
        (new.key, 1, "new", None),
        (i[7].key, 2, "up", 7),
        # Not moved themselves: pushed down by the new item and the one moved above them.
        (i[2].key, 4, "shifted", 2),
        (i[4].key, 5, "shifted", 4),
        (i[5].key, 6, "shifted", 5),
        (i[6].key, 7, "shifted", 6),
        (i[8].key, 8, "same", 8),
        (i[9].key, 9, "same", 9),
        (i[11].key, 10, "new", None),
        (i[12].key, 11, "new", None),
    ]
    left = [(e["key"], e["previous_position"], e["reason"], e["position"]) for e in digest["left_top"]]
    assert left == [(i[1].key, 1, "done", None), (i[3].key, 3, "archived", None), (i[10].key, 10, "moved_down", 12)]

    result, second = deliver_new(stakeholder, product, period="week:2026-W02")
    assert result.outcome == "sent"
    text, html = mail.outbox[-1].body, html_of(mail.outbox[-1])
    assert f"#2 {i[7].key} {i[7].title} [up from #7]" in text
    assert f"#1 {new.key} Guest checkout [new in the top]" in text
    assert f"{i[1].key} {i[1].title} (was #1): done" in text
    assert f"{i[3].key} {i[3].title} (was #3): archived" in text
    assert f"{i[10].key} {i[10].title} (was #10): moved down to #12" in text
    assert "Up from #7" in html and "New in the top" in html and "moved down to #12" in html
    assert mail.outbox[-1].subject.startswith("[SHOP] Weekly digest, ")

    # Someone who never got a digest sees the same backlog as a first digest: no changes.
    fresh = selectors.build_digest(other, product)
    assert fresh["first"] is True
    assert fresh["left_top"] == []
    assert [e["key"] for e in fresh["top"]] == [e["key"] for e in digest["top"]]
    assert {e["change"] for e in fresh["top"]} == {"same"}
    assert all(e["previous_position"] is None for e in fresh["top"])


def test_a_preview_never_becomes_the_baseline(product, po, stakeholder, twelve, django_capture_on_commit_callbacks):
    deliver_new(stakeholder, product)
    backlog_services.move_item(item=twelve[6], by=po, position=1)

    with django_capture_on_commit_callbacks(execute=True):
        preview, created = services.request_preview(user=stakeholder, product=product)
        enqueue_delivery(preview.pk)
    preview.refresh_from_db()
    assert created
    assert preview.state == DigestDelivery.State.SENT
    assert mail.outbox[-1].subject.startswith("[SHOP] Preview of your next digest")

    digest = selectors.build_digest(stakeholder, product)
    assert digest["changed"] is True
    assert digest["top"][0]["change"] == "up"
    assert digest["top"][0]["previous_position"] == 7
    assert selectors.last_digest(stakeholder, product).period == "week:2026-W01"


def test_a_member_with_only_a_preview_still_gets_a_first_digest(product, stakeholder, twelve):
    deliver_new(stakeholder, product, period="preview:2026-01-05T09:00", kind=DigestDelivery.Kind.PREVIEW)
    assert len(mail.outbox) == 1
    digest = selectors.build_digest(stakeholder, product)
    assert digest["first"] is True


def test_the_email_dates_the_last_digest_in_the_recipients_time_zone(product, po, stakeholder, twelve):
    stakeholder.time_zone = "Australia/Sydney"
    stakeholder.save(update_fields=["time_zone"])
    _, baseline = deliver_new(stakeholder, product)
    # Sent on Monday 8 June at 09:00 in Sydney: still Sunday the 7th in UTC.
    monday_nine = datetime.datetime(2026, 6, 7, 23, 0, tzinfo=datetime.UTC)
    DigestDelivery.objects.filter(pk=baseline.pk).update(sent_at=monday_nine)
    backlog_services.move_item(item=twelve[5], by=po, position=1)

    deliver_new(stakeholder, product, period="week:2026-W25")

    assert "what changed since Mon 8 Jun" in mail.outbox[-1].body
    assert "what changed since Mon 8 Jun" in html_of(mail.outbox[-1])


def test_nothing_changed_means_no_email_unless_the_member_wants_quiet_ones(product, stakeholder, twelve):
    deliver_new(stakeholder, product, period="week:2026-W01")
    assert len(mail.outbox) == 1

    assert selectors.build_digest(stakeholder, product)["changed"] is False
    result, quiet = deliver_new(stakeholder, product, period="week:2026-W02")
    assert result.outcome == "skipped"
    assert quiet.state == DigestDelivery.State.SKIPPED
    assert len(mail.outbox) == 1

    services.update_subscription(
        user=stakeholder, product=product, frequency="weekly", weekday=0, hour=9, send_when_quiet=True
    )
    result, sent = deliver_new(stakeholder, product, period="week:2026-W03")
    assert result.outcome == "sent"
    assert sent.state == DigestDelivery.State.SENT
    assert len(mail.outbox) == 2
    assert "Nothing changed since your last digest." in mail.outbox[-1].body


# --- A closed sprint, told honestly --------------------------------------------------------------


def test_a_closed_sprint_lists_what_was_not_done_as_plainly_as_what_was(product, po, stakeholder):
    make_items(product, 2)
    deliver_new(stakeholder, product)  # the baseline: before the sprint closes

    sprint = make_sprint(product, po, goal="Buyers pay by card")
    done, kept, topped, nexted = (
        make_ready_item(product, estimate, title=title)
        for estimate, title in ((5, "Card form"), (3, "Saved cards"), (8, "3-D Secure"), (2, "Receipts"))
    )
    plan(sprint, [done, kept, topped, nexted])
    start(sprint)
    move(sprint, done, SprintItem.Column.DONE)
    following = make_sprint(product, po, start_date=sprint.end_date + datetime.timedelta(days=1), goal="Next")
    feedback = sprint_services.add_feedback(sprint=sprint, by=stakeholder, body="Let me pay with PayPal too")
    became = sprint_services.feedback_to_item(feedback=feedback, by=po, position=1, title="PayPal payments")
    sprint_services.update_sprint(sprint=sprint, by=po, changes={"review_notes": "Demoed the **card form**."})
    close(
        sprint,
        goal_outcome="partly",
        goal_note="The 3-D Secure sandbox was down for a week.",
        placements={kept.key: "keep", topped.key: "top", nexted.key: "next"},
    )

    digest = selectors.build_digest(stakeholder, product)

    assert digest["changed"] is True
    (told,) = digest["closed_sprints"]
    assert told["number"] == sprint.number
    assert told["goal"] == "Buyers pay by card"
    assert (told["goal_outcome"], told["goal_outcome_label"]) == ("partly", "Partly met")
    assert told["goal_note"] == "The 3-D Secure sandbox was down for a week."
    assert told["done"] == [{"key": done.key, "title": "Card form", "estimate": 5}]
    assert told["not_done"] == [
        {"key": kept.key, "title": "Saved cards", "estimate": 3, "placed": "keep"},
        {"key": topped.key, "title": "3-D Secure", "estimate": 8, "placed": "top"},
        {"key": nexted.key, "title": "Receipts", "estimate": 2, "placed": "next"},
    ]
    assert (told["committed_points"], told["completed_points"]) == (18, 5)
    assert told["review_notes"] == "Demoed the **card form**."
    assert told["feedback_items"][0]["item_key"] == became.key
    assert told["feedback_items"][0]["feedback"] == "Let me pay with PayPal too"
    assert digest["shown"]["sprints"] == [sprint.number]
    assert digest["next_review"] == {"date": following.end_date, "sprint_id": None}

    result, _ = deliver_new(stakeholder, product, period=f"sprint:{sprint.number}", kind=DigestDelivery.Kind.SPRINT)
    assert result.outcome == "sent"
    message = mail.outbox[-1]
    assert message.subject.startswith(f"[SHOP] Sprint {sprint.number} closed — goal partly met")
    text, html = message.body, html_of(message)
    # The HTML part isolates each title in <bdi>; the plain-text part cannot.
    for part in (text, html.replace("<bdi>", "").replace("</bdi>", "")):
        assert "The 3-D Secure sandbox was down for a week." in part
        assert f"{done.key} Card form" in part
        assert f"{kept.key} Saved cards" in part
        assert f"{topped.key} 3-D Secure" in part
        assert f"{nexted.key} Receipts" in part
        assert "back to its place in the backlog" in part
        assert "back to the top of the backlog" in part
        assert "moved to the next sprint" in part
        assert f"{became.key} PayPal payments" in part
    assert "Not done (3):" in text
    assert "Done (1):" in text
    assert "Demoed the **card form**." in text
    assert "Demoed the <strong>card form</strong>." in html

    # Told once: the next digest compares with the one that told it.
    assert selectors.build_digest(stakeholder, product)["closed_sprints"] == []


def test_a_sprint_closed_while_the_last_digest_was_being_sent_is_told_next_time(product, po, stakeholder):
    """The last digest was built when its worker claimed it, and recorded as sent only after the
    mail server answered: a sprint closed in between was in neither digest unless the next one
    looks back to the claim."""
    make_items(product, 2)
    result, baseline = deliver_new(stakeholder, product)
    assert result.outcome == "sent"
    sprint = run_sprint(product, [3, 5], 1, by=po)
    # As if the SMTP conversation had taken until just after the close.
    assert baseline.claimed_at < sprint.closed_at
    DigestDelivery.objects.filter(pk=baseline.pk).update(sent_at=sprint.closed_at + datetime.timedelta(microseconds=1))

    digest = selectors.build_digest(stakeholder, product)
    assert [told["number"] for told in digest["closed_sprints"]] == [sprint.number]
    assert digest["changed"] is True

    # Once told, never again, however the clocks of the last delivery read.
    deliver_new(stakeholder, product, period="week:2026-W02")
    assert selectors.build_digest(stakeholder, product)["closed_sprints"] == []


def test_a_sprint_closed_before_the_last_digest_is_not_told_again(product, po, stakeholder):
    run_sprint(product, [3], 1, by=po)
    first = selectors.build_digest(stakeholder, product)
    assert len(first["closed_sprints"]) == 1  # the first digest looks back two weeks
    deliver_new(stakeholder, product)
    assert selectors.build_digest(stakeholder, product)["closed_sprints"] == []


# --- No retrospective content ----------------------------------------------------------------------


def test_a_stakeholders_digest_has_no_retrospective_content(product, po, developer, stakeholder):
    sprint = make_sprint(product, po)
    item = make_ready_item(product, 3)
    plan(sprint, [item])
    start(sprint)
    card = sprint_services.add_retro_card(sprint=sprint, by=developer, column="ideas", body="Zanzibar-card-secret")
    sprint_services.vote(card=card, by=developer)
    sprint_services.add_action_item(sprint=sprint, by=po, title="Quetzal-action-secret", owner=developer)
    close(sprint, goal_outcome="not_met", goal_note="Sprint note")

    client = APIClient()
    client.force_login(stakeholder)
    response = client.get(f"/api/v1/products/{product.key}/digest/")
    assert response.status_code == 200
    assert response.json()["closed_sprints"][0]["number"] == sprint.number
    body = response.content.decode()

    deliver_new(stakeholder, product)
    message = mail.outbox[-1]
    for secret in ("Zanzibar", "Quetzal"):
        assert secret not in body
        assert secret not in message.subject
        assert secret not in message.body
        assert secret not in html_of(message)
    assert "Sprint note" in message.body  # the closed sprint itself is there


# --- User text in the HTML part ----------------------------------------------------------------------

SCRIPTY_TITLE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
SCRIPTY_MARKDOWN = (
    'Raw <script>alert("md")</script> and <img src="https://tracker.example/p.gif" onerror="alert(2)">.\n\n'
    '[click me](javascript:alert(3)) and [caps](JaVaScRiPt:alert(4)) and <a href="javascript:alert(5)">a</a>\n\n'
    "<iframe src=https://evil.example></iframe> ![pixel](https://tracker.example/pixel.png)"
)


class Elements(HTMLParser):
    """The elements and attributes a mail client would build from the HTML part."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def test_user_text_is_escaped_and_markdown_sanitised_in_the_html_part(product, po, stakeholder, settings):
    backlog_services.set_product_goal(product=product, by=po, title=SCRIPTY_TITLE, description=SCRIPTY_MARKDOWN)
    make_item(product, title=SCRIPTY_TITLE)
    sprint = make_sprint(product, po, goal=SCRIPTY_TITLE)
    item = make_ready_item(product, 3, title=SCRIPTY_TITLE)
    plan(sprint, [item])
    start(sprint)
    feedback = sprint_services.add_feedback(sprint=sprint, by=stakeholder, body=SCRIPTY_TITLE)
    sprint_services.feedback_to_item(feedback=feedback, by=po, position=1)
    sprint_services.update_sprint(sprint=sprint, by=po, changes={"review_notes": SCRIPTY_MARKDOWN})
    close(sprint, goal_outcome="not_met", goal_note=SCRIPTY_TITLE)

    result, _ = deliver_new(stakeholder, product)
    assert result.outcome == "sent"
    html = html_of(mail.outbox[-1])

    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<iframe" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title shows as the text it is
    elements = Elements(html).elements
    tags = {tag for tag, _ in elements}
    assert not tags & {"script", "img", "iframe", "svg", "object", "embed", "link", "video", "audio", "base", "form"}
    for tag, attrs in elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs and "srcset" not in attrs and "background" not in attrs, (tag, attrs)
        for name, value in attrs.items():
            assert "javascript:" not in (value or "").lower().replace("\t", "").replace(" ", ""), (tag, name, value)
            assert "url(" not in (value or "").lower(), (tag, name, value)
        if tag == "a":
            assert attrs["href"].startswith((settings.SITE_URL + "/", "https://", "http://", "mailto:")), attrs


# --- Constant queries ------------------------------------------------------------------------------


def _world(key: str, items: int, recipients: int):
    """A product with history, an active sprint, a product goal and feedback, `items` backlog
    items, and `recipients` stakeholders who each got a digest before the backlog changed."""
    po = make_user(f"po-{key.lower()}@example.com")
    product = backlog_services.create_product(by=po, key=key, name=key.title())
    goal = backlog_services.set_product_goal(product=product, by=po, title="Goal", description="*Why* it matters")
    closed_history(product, po)
    backlog = make_items(product, items, by=po)
    for n in range(0, len(backlog), 3):
        backlog_services.update_item(item=backlog[n], by=po, changes={"estimate": 3})
    people = []
    for n in range(recipients):
        person = make_user(f"sh{n}-{key.lower()}@example.com")
        Membership.objects.create(product=product, user=person, role=Role.STAKEHOLDER)
        people.append(person)
    sprint = make_sprint(product, po)
    sprint_items = [make_ready_item(product, 3) for _ in range(3)]
    plan(sprint, sprint_items, po)
    start(sprint, po)
    sprint_services.add_feedback(sprint=sprint, by=people[0], body="More please")
    for n, person in enumerate(people):
        deliver_new(person, product, period=f"week:2026-W0{1 + n % 9}")
    # Changes since: an item done, one archived, one moved out, one moved up, one moved down within
    # the top, a new one at the top.
    set_status(backlog[0], "done", po)
    backlog_services.archive_item(item=backlog[1], by=po)
    backlog_services.move_item(item=backlog[2], by=po, position=10_000)
    backlog_services.move_item(item=backlog[5], by=po, position=1)
    backlog_services.move_item(item=backlog[3], by=po, position=position_of(backlog[3]) + 4)
    backlog_services.create_item(product=product, by=po, title="New at the top", at_top=True)
    # And a sprint closed since the digests, with feedback turned into an item.
    later = make_sprint(product, po, start_date=sprint.end_date + datetime.timedelta(days=1))
    feedback = sprint_services.add_feedback(sprint=sprint, by=people[-1], body="Faster please")
    sprint_services.feedback_to_item(feedback=feedback, by=po, position=3)
    move(sprint, sprint_items[0], SprintItem.Column.DONE, po)
    sprint_services.remove_from_sprint(sprint=sprint, item=sprint_items[2], by=po)
    close(sprint, po, placements={sprint_items[1].key: "next"})
    start(later, po)
    # And the product goal achieved since, and another set.
    backlog_services.close_product_goal(goal=goal, by=po, status="achieved")
    backlog_services.set_product_goal(product=product, by=po, title="Next goal")
    return product, people[0]


def _queries(product, user) -> tuple[int, dict]:
    from backlog.models import Product

    fresh = Product.objects.get(pk=product.pk)  # nothing cached on the instance
    with CaptureQueriesContext(connection) as captured:
        digest = selectors.build_digest(user, fresh)
    return len(captured.captured_queries), digest


def test_build_digest_queries_grow_neither_with_the_backlog_nor_with_the_recipients(db):
    small, small_user = _world("SMALL", items=10, recipients=1)
    large, large_user = _world("LARGE", items=200, recipients=20)

    small_count, small_digest = _queries(small, small_user)
    large_count, large_digest = _queries(large, large_user)

    # Both digests exercise every part: changes, left-the-top, a closed sprint, the active one.
    for digest in (small_digest, large_digest):
        assert {entry["reason"] for entry in digest["left_top"]} == {"done", "archived", "moved_down"}
        assert digest["closed_sprints"] and digest["active_sprint"]
        assert digest["closed_sprints"][0]["feedback_items"]
        assert digest["closed_sprints"][0]["removed"]
        assert digest["ended_product_goals"] and digest["product_goal"]
        assert {"new", "up", "down", "shifted"} <= {entry["change"] for entry in digest["top"]}
        assert digest["forecast"]["available"]
    assert small_count == large_count, (small_count, large_count)
    assert small_count <= 25


# --- Deliveries that must not be sent ----------------------------------------------------------------


def test_a_delivery_to_someone_who_left_the_product_is_skipped(product, po, stakeholder):
    make_items(product, 2)
    delivery = DigestDelivery.objects.create(
        user=stakeholder, product=product, period="week:2026-W10", kind=DigestDelivery.Kind.WEEKLY
    )
    backlog_services.remove_member(membership=Membership.objects.get(user=stakeholder, product=product), by=po)

    result = services.deliver(delivery.pk)

    assert result.outcome == "skipped"
    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.state == DigestDelivery.State.SKIPPED
    assert "member" in delivery.error


def test_a_delivery_to_a_deactivated_account_is_skipped(product, stakeholder):
    make_items(product, 2)
    delivery = DigestDelivery.objects.create(user=stakeholder, product=product, period="week:2026-W10", kind="weekly")
    stakeholder.is_active = False
    stakeholder.save(update_fields=["is_active"])
    assert services.deliver(delivery.pk).outcome == "skipped"
    assert mail.outbox == []


def test_a_delivery_unsubscribed_between_planning_and_sending_is_skipped(product, stakeholder):
    make_items(product, 2)
    monday = datetime.datetime(2026, 6, 15, 9, 30, tzinfo=datetime.UTC)
    Membership.objects.filter(user=stakeholder).update(created_at=monday - datetime.timedelta(days=1))
    assert services.plan_due(monday) == 1
    delivery = DigestDelivery.objects.get(user=stakeholder, product=product)

    services.unsubscribe(token=selectors.unsubscribe_token(stakeholder.pk, product.pk))
    assert DigestSubscription.objects.get(user=stakeholder, product=product).frequency == Frequency.OFF

    result = services.deliver(delivery.pk, now=monday)
    assert result.outcome == "skipped"
    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.state == DigestDelivery.State.SKIPPED


def test_a_delivery_runs_once(product, stakeholder):
    make_items(product, 2)
    result, delivery = deliver_new(stakeholder, product)
    assert result.outcome == "sent"
    assert services.deliver(delivery.pk).outcome == "busy"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [stakeholder.email]
    assert message.extra_headers["Message-ID"] == delivery.message_id
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message.extra_headers["List-Unsubscribe"]
        == f"<{selectors.build_digest(stakeholder, product)['links']['unsubscribe']}>"
    )


# --- What counts as a move -----------------------------------------------------------------------


def test_archiving_the_top_item_shifts_the_others_but_moves_none(product, po, stakeholder, twelve):
    deliver_new(stakeholder, product)
    backlog_services.archive_item(item=twelve[0], by=po)

    digest = selectors.build_digest(stakeholder, product)

    changes = [(e["key"], e["change"], e["previous_position"], e["position"]) for e in digest["top"]]
    assert changes[:9] == [(item.key, "shifted", n + 2, n + 1) for n, item in enumerate(twelve[1:10])]
    assert changes[9] == (twelve[10].key, "new", None, 10)
    assert [(e["key"], e["reason"]) for e in digest["left_top"]] == [(twelve[0].key, "archived")]
    text = digest_email.compose(
        digest_email.digest_data(stakeholder, product), DigestDelivery(pk=1, period="x", kind="weekly")
    ).body
    assert "[up from" not in text and "[down from" not in text


def test_an_item_moved_down_within_the_top_is_the_one_that_moved(product, po, stakeholder, twelve):
    deliver_new(stakeholder, product)
    backlog_services.move_item(item=twelve[1], by=po, position=8)

    digest = selectors.build_digest(stakeholder, product)

    moved = {e["key"]: (e["change"], e["previous_position"], e["position"]) for e in digest["top"]}
    assert moved[twelve[1].key] == ("down", 2, 8)
    assert {moved[item.key][0] for item in twelve[2:8]} == {"shifted"}
    assert {moved[item.key][0] for item in (twelve[0], *twelve[8:10])} == {"same"}
    assert digest["changed"] is True
