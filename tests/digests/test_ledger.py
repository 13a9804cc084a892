"""The delivery ledger's own rules, in-process: a claim is one worker's, a stalled worker cannot
overwrite the outcome of the one that took its delivery over, and a delivery that kills its
worker every time ends as failed instead of circling forever. Without a broker, a delivery that
failed for a while is tried again by the first tick after its backoff."""

import datetime
import smtplib

from django.core import mail
from django.test import override_settings
from django.utils import timezone

from digests import email, services
from digests.models import DigestDelivery
from digests.tasks import enqueue_delivery, tick
from tests.conftest import make_items

State = DigestDelivery.State


def planned(user, product, **fields):
    return DigestDelivery.objects.create(
        user=user, product=product, period="week:2026-W01", kind=DigestDelivery.Kind.WEEKLY, **fields
    )


def test_a_claim_taken_over_after_a_stall_belongs_to_the_new_worker(product, stakeholder):
    delivery = planned(stakeholder, product)
    stalled = timezone.now() - datetime.timedelta(hours=1)
    assert services.claim(delivery.pk, stalled)
    # The stalled worker's claim is older than DIGEST_STUCK_AFTER: another worker takes it.
    assert services.claim(delivery.pk, timezone.now())
    # The stalled worker wakes up and records an outcome: it no longer holds the claim.
    services._finish(delivery.pk, stalled, state=State.FAILED, error="late")
    delivery.refresh_from_db()
    assert (delivery.state, delivery.error, delivery.attempts) == (State.SENDING, "", 2)


def test_a_fresh_claim_cannot_be_taken(product, stakeholder):
    delivery = planned(stakeholder, product)
    assert services.claim(delivery.pk, timezone.now())
    assert not services.claim(delivery.pk, timezone.now())


@override_settings(DIGEST_MAX_ATTEMPTS=3, DIGEST_STUCK_AFTER=60)
def test_the_tick_resends_a_delivery_whose_worker_died_and_fails_it_after_the_last_attempt(product, stakeholder):
    make_items(product, 2)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    retried = planned(stakeholder, product, state=State.SENDING, claimed_at=long_ago, attempts=1)
    exhausted = DigestDelivery.objects.create(
        user=stakeholder,
        product=product,
        period="week:2026-W02",
        kind=DigestDelivery.Kind.WEEKLY,
        state=State.SENDING,
        claimed_at=long_ago,
        attempts=3,
    )
    assert services.reclaim_stuck(timezone.now()) == 1
    retried.refresh_from_db()
    exhausted.refresh_from_db()
    assert retried.state == State.PENDING and retried.enqueued_at is None
    assert exhausted.state == State.FAILED and "stopped before it finished" in exhausted.error

    assert services.deliver(retried.pk).outcome == "sent"
    retried.refresh_from_db()
    assert (retried.state, retried.attempts) == (State.SENT, 2)
    # Same delivery, same Message-ID as the attempt that died.
    assert mail.outbox[-1].extra_headers["Message-ID"] == retried.message_id


def test_a_preview_is_sent_once_and_the_next_tick_leaves_it_alone(
    product, stakeholder, django_capture_on_commit_callbacks
):
    make_items(product, 1)
    with django_capture_on_commit_callbacks(execute=True):
        delivery, created = services.request_preview(user=stakeholder, product=product)
        enqueue_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert created and delivery.state == State.SENT
    assert tick()["queued"] == 0
    assert len(mail.outbox) == 1


# --- Retries without a broker ------------------------------------------------------------------------


class Clock:
    """timezone.now(), moved on by hand: a tick "later" without sleeping."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


def refuse_the_first_sends(monkeypatch, times: int) -> None:
    """The mail server drops the connection for the first `times` digests, then takes them."""
    real_send, calls = email.send, []

    def send(message):
        calls.append(message)
        if len(calls) <= times:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        real_send(message)

    monkeypatch.setattr(email, "send", send)


def test_in_process_a_failed_send_is_retried_by_the_first_tick_after_its_backoff(product, stakeholder, monkeypatch):
    make_items(product, 1)
    clock = Clock(monkeypatch)
    refuse_the_first_sends(monkeypatch, times=2)
    delivery = planned(stakeholder, product)

    assert tick()["queued"] == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.enqueued_at) == (State.PENDING, 1, None)
    clock.advance(10)
    assert tick()["queued"] == 0, "the first backoff (30 s) is not over"
    clock.advance(25)
    assert tick()["queued"] == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 2)
    clock.advance(35)
    assert tick()["queued"] == 0, "the second backoff is twice as long"
    clock.advance(30)
    assert tick()["queued"] == 1

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.SENT, 3)
    assert len(mail.outbox) == 1
    clock.advance(3600)
    assert tick()["queued"] == 0


@override_settings(DIGEST_MAX_ATTEMPTS=2)
def test_in_process_the_last_attempt_fails_the_delivery(product, stakeholder, monkeypatch):
    make_items(product, 1)
    clock = Clock(monkeypatch)
    refuse_the_first_sends(monkeypatch, times=5)
    delivery = planned(stakeholder, product)
    tick()
    clock.advance(60)
    tick()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.FAILED, 2)
    assert "Connection unexpectedly closed" in delivery.error


def test_a_preview_that_failed_in_process_is_sent_by_a_later_tick(
    product, stakeholder, monkeypatch, django_capture_on_commit_callbacks
):
    make_items(product, 1)
    clock = Clock(monkeypatch)
    refuse_the_first_sends(monkeypatch, times=1)
    with django_capture_on_commit_callbacks(execute=True):
        delivery, _ = services.request_preview(user=stakeholder, product=product)
        enqueue_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.enqueued_at) == (State.PENDING, None)

    clock.advance(31)
    assert tick()["queued"] == 1
    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert len(mail.outbox) == 1
