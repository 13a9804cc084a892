"""Digest delivery with the real parts: a Celery worker consuming Redis, an SMTP server receiving
the mail, PostgreSQL holding the ledger. No mocks: what is asserted is what a mail server got.

The clock is not patched: stakeholders joined eight days ago, so their role's default (weekly,
Monday 09:00 in their own time zone) has a slot due now, whatever day the suite runs.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.urls import reverse

from backlog import services as backlog_services
from backlog.models import Item
from digests import services
from digests.models import DigestDelivery, DigestSubscription, Frequency
from digests.tasks import send_delivery, tick
from tests.conftest import make_item
from tests.digests.conftest import make_due_stakeholders, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.timeout(60)]

State = DigestDelivery.State
THREE = [("ada@example.com", "Europe/Berlin"), ("bo@example.com", "America/New_York"), ("cy@example.com", "Asia/Tokyo")]
GOAL = "Checkout in one page"
TITLES = ["Pay by card", "Guest checkout", "Address autocomplete"]
THREADS = [{"pool": "threads", "concurrency": 2}]


@pytest.fixture
def shop(po, product):
    """The product with an active goal and three open items."""
    backlog_services.set_product_goal(product=product, by=po, title=GOAL, description="Fewer steps, more *sales*.")
    return product, [make_item(product, by=po, title=title) for title in TITLES]


def expected_week(at: dt.datetime, zone: str) -> str:
    """The ISO week of the latest Monday 09:00 (local) at or before `at`, worked out by hand."""
    local = at.astimezone(ZoneInfo(zone))
    monday = local.date() - dt.timedelta(days=local.weekday())
    if local.date() == monday and local.hour < 9:
        monday -= dt.timedelta(days=7)
    year, week, _ = monday.isocalendar()
    return f"week:{year}-W{week:02d}"


def parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if not part.is_multipart()
    }


def states() -> dict[str, str]:
    return dict(DigestDelivery.objects.values_list("user__email", "state"))


def wait_for_states(expected: dict[str, str], timeout: float = 15) -> None:
    wait_until(lambda: states() == expected, timeout=timeout, message=lambda: f"ledger is {states()}, not {expected}")


def run_together(*functions):
    """Start the functions on threads at the same moment; their results, in order. Each thread
    closes its own database connection."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except BaseException as error:  # re-raised below, in the test's thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f), daemon=True) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def test_a_tick_sends_each_due_digest_once_with_its_headers_and_both_parts(
    celery_worker, smtp_server, shop, settings, client
):
    settings.SITE_URL = "https://ordo.example.com"
    product, items = shop
    users = make_due_stakeholders(product, THREE)

    tick.delay()  # through the broker: the worker plans, then hands out the three deliveries
    received = smtp_server.wait_for(3, timeout=15)
    wait_for_states({user.email: State.SENT for user in users})

    assert celery_worker.finished("digests.tick")[0].retval == {"planned": 3, "reclaimed": 0, "queued": 3, "mail": 0}
    assert sorted(r for m in received for r in m.rcpt) == sorted(user.email for user in users)
    deliveries = {d.user.email: d for d in DigestDelivery.objects.select_related("user")}
    for user, (_, zone) in zip(users, THREE, strict=True):
        (got,) = smtp_server.to(user.email)
        message, delivery = got.message, deliveries[user.email]
        assert got.rcpt == (user.email,)
        assert (delivery.kind, delivery.attempts, delivery.error) == (DigestDelivery.Kind.WEEKLY, 1, "")
        assert delivery.period == expected_week(delivery.created_at, zone)
        assert delivery.shown["goal"] is not None and [e["key"] for e in delivery.shown["top"]] == [
            i.key for i in items
        ]
        assert message["To"] == user.email
        assert message["Subject"].startswith("[SHOP] ")
        assert message["Message-ID"] == delivery.message_id
        assert re.fullmatch(r"<https://ordo\.example\.com/unsubscribe/[^/\s]+/>", message["List-Unsubscribe"].strip())
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Auto-Submitted"] == "auto-generated"
        body = parts(message)
        assert set(body) == {"text/plain", "text/html"}
        assert GOAL in body["text/html"] and GOAL in body["text/plain"]
        for item in items:
            assert item.key in body["text/html"] and item.title in body["text/html"]
            assert item.title in body["text/plain"]

    # Nothing more is due: the next tick plans and hands out nothing, and no email follows.
    assert tick() == {"planned": 0, "reclaimed": 0, "queued": 0, "mail": 0}
    time.sleep(0.3)
    assert len(smtp_server.messages) == 3
    assert len(celery_worker.finished("digests.send_delivery")) == 3
    assert states() == {user.email: State.SENT for user in users}

    # The one-click unsubscribe link in the header works as a mail client would use it.
    link = smtp_server.to(users[0].email)[0].message["List-Unsubscribe"].strip().strip("<>")
    response = client.post(
        link.removeprefix("https://ordo.example.com"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert DigestSubscription.objects.get(user=users[0], product=product).frequency == Frequency.OFF


@pytest.mark.parametrize("celery_worker", THREADS, indirect=True)
def test_the_same_delivery_handed_out_twice_at_once_is_sent_once(celery_worker, smtp_server, shop):
    product, _ = shop
    (user,) = make_due_stakeholders(product, THREE[:1])
    delivery = DigestDelivery.objects.create(user=user, product=product, period="week:2026-W01", kind="weekly")
    smtp_server.slow(0.5)  # the first is still talking to the server when the second starts

    send_delivery.delay(delivery.pk)
    send_delivery.delay(delivery.pk)
    runs = celery_worker.wait_for_runs(2, name="digests.send_delivery")

    assert sorted(run.retval for run in runs) == ["busy", "sent"]
    sent = next(run for run in runs if run.retval == "sent")
    busy = next(run for run in runs if run.retval == "busy")
    assert busy.started < sent.finished, "the two runs did not overlap: the race was not tested"
    assert [m.rcpt for m in smtp_server.messages] == [(user.email,)]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.SENT, 1)


def test_two_senders_claiming_at_the_same_moment_send_once(smtp_server, shop, on_postgres):
    product, _ = shop
    (user,) = make_due_stakeholders(product, THREE[:1])
    delivery = DigestDelivery.objects.create(user=user, product=product, period="week:2026-W01", kind="weekly")
    smtp_server.slow(0.3)

    results = run_together(lambda: services.deliver(delivery.pk), lambda: services.deliver(delivery.pk))

    assert sorted(result.outcome for result in results) == ["busy", "sent"]
    assert [m.rcpt for m in smtp_server.messages] == [(user.email,)]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.SENT, 1)


@pytest.mark.parametrize("celery_worker", THREADS, indirect=True)
def test_two_ticks_at_once_send_one_email_per_recipient(celery_worker, smtp_server, shop):
    product, _ = shop
    users = make_due_stakeholders(product, THREE)

    results = run_together(tick, tick)

    handed_out = sum(result["queued"] for result in results)
    assert 3 <= handed_out <= 6, results  # each delivery at least once; a second message is harmless
    runs = celery_worker.wait_for_runs(handed_out, name="digests.send_delivery")
    wait_for_states({user.email: State.SENT for user in users})
    assert sorted(run.retval for run in runs) == ["busy"] * (handed_out - 3) + ["sent"] * 3
    assert sorted(r for m in smtp_server.messages for r in m.rcpt) == sorted(user.email for user in users)
    assert DigestDelivery.objects.count() == 3
    assert set(DigestDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_transient_refusal_is_retried_after_a_backoff_and_delivered_once(celery_worker, smtp_server, shop, settings):
    settings.DIGEST_RETRY_BASE_DELAY = 1  # read when the task retries: 1 s, not 30
    product, _ = shop
    (user,) = make_due_stakeholders(product, THREE[:1])
    smtp_server.refuse(user.email, "451 4.3.0 Mailbox busy, try again later", times=1)

    assert tick()["queued"] == 1

    # Between the attempts the delivery waits as pending, with the server's reason.
    wait_until(
        lambda: DigestDelivery.objects.filter(state=State.PENDING, error__contains="451 4.3.0 Mailbox busy").exists(),
        timeout=10,
        message=lambda: f"no pending delivery with the 451 reason: {list(DigestDelivery.objects.values())}",
    )
    (received,) = smtp_server.wait_for(1, timeout=15)
    wait_for_states({user.email: State.SENT})

    delivery = DigestDelivery.objects.get()
    assert (delivery.attempts, delivery.error) == (2, "")
    assert received.rcpt == (user.email,) and received.message_id == delivery.message_id
    (refusal,) = smtp_server.refused
    assert refusal[0] == user.email
    assert received.at - refusal[2] >= 0.9, "retried before the backoff"
    runs = celery_worker.wait_for_runs(2, name="digests.send_delivery")
    assert [(run.state, run.retval if run.state == "SUCCESS" else None) for run in runs] == [
        ("RETRY", None),
        ("SUCCESS", "sent"),
    ]
    assert len(smtp_server.messages) == 1


def test_a_permanent_refusal_fails_with_the_servers_reason_and_is_not_retried(
    celery_worker, smtp_server, shop, settings
):
    settings.DIGEST_RETRY_BASE_DELAY = 1
    product, _ = shop
    (user,) = make_due_stakeholders(product, THREE[:1])
    smtp_server.refuse(user.email, "550 5.1.1 Recipient address rejected: no such mailbox")

    assert tick()["queued"] == 1
    wait_for_states({user.email: State.FAILED})

    delivery = DigestDelivery.objects.get()
    assert delivery.attempts == 1
    assert "550" in delivery.error and "no such mailbox" in delivery.error and user.email in delivery.error
    (run,) = celery_worker.wait_for_runs(1, name="digests.send_delivery")
    assert (run.state, run.retval) == ("SUCCESS", "failed")
    time.sleep(1.5)  # longer than a first retry's backoff: none comes
    assert tick() == {"planned": 0, "reclaimed": 0, "queued": 0, "mail": 0}
    assert len(smtp_server.refused) == 1 and smtp_server.messages == []
    assert len(celery_worker.finished("digests.send_delivery")) == 1
    assert DigestDelivery.objects.get().state == State.FAILED


def test_with_redis_down_the_web_app_saves_and_the_next_tick_delivers(
    celery_worker, celery_broker, smtp_server, client, po, product, stakeholder
):
    celery_broker.go_down()

    client.force_login(stakeholder)
    started = time.monotonic()
    response = client.post(reverse("digests:send-preview", args=[product.key]))
    took = time.monotonic() - started
    assert response.status_code == 302, response.content[:500]
    assert took < 8, f"the request waited {took:.1f} s for the broker"
    preview = DigestDelivery.objects.get(user=stakeholder, product=product)
    assert (preview.kind, preview.state, preview.enqueued_at) == (DigestDelivery.Kind.PREVIEW, State.PENDING, None)

    client.force_login(po)
    response = client.post(
        reverse("backlog:item-create", args=[product.key]),
        {"title": "Works without Redis", "kind": "story", "status": "new", "estimate": ""},
    )
    assert response.status_code == 302, response.content[:500]
    assert Item.objects.filter(product=product, title="Works without Redis").exists()

    # A tick during the outage fails softly and hands out nothing.
    assert tick()["queued"] == 0
    assert DigestDelivery.objects.get(pk=preview.pk).enqueued_at is None

    celery_broker.come_back()
    assert tick()["queued"] == 1
    (received,) = smtp_server.wait_for(1, timeout=15)
    wait_for_states({stakeholder.email: State.SENT})
    assert received.rcpt == (stakeholder.email,)
    assert received.message["Subject"].startswith("[SHOP] Preview of your next digest")
    assert received.message_id == DigestDelivery.objects.get(pk=preview.pk).message_id
