"""The outbox (accounts.OutboxMessage): one row per email, claimed once, retried with backoff,
failed with the server's reason, and handed out again by the digest tick when the broker lost it."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services, tasks
from accounts.models import OutboxMessage
from digests import tasks as digest_tasks

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


def queued(**fields) -> OutboxMessage:
    """A message as queue_email leaves it, without handing it out."""
    defaults = {"kind": OutboxMessage.Kind.PASSWORD_RESET, "to": "ana@example.com", "subject": "Hi", "body": "Link"}
    return OutboxMessage.objects.create(**{**defaults, **fields})


def failing_with(monkeypatch, error: Exception):
    def send(self, messages):
        raise error

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", send)


def test_a_queued_email_is_sent_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.queue_email(kind="password_reset", to="ana@example.com", subject="Hello", body="Text")
        assert mail.outbox == []  # not before the commit
    message.refresh_from_db()
    assert message.state == State.SENT and message.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Hello"]


def test_a_line_break_in_a_subject_cannot_break_the_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_email(kind="invitation", to="ana@example.com", subject="Join\r\nBcc: x@evil.test", body="T")
    assert mail.outbox[0].subject == "Join Bcc: x@evil.test"
    assert mail.outbox[0].to == ["ana@example.com"] and not mail.outbox[0].bcc


def test_a_sent_email_keeps_no_copy_of_its_text():
    message = queued(body="Reset: https://ordo.example.com/secret-link")
    services.send_email(message.pk)
    message.refresh_from_db()
    assert message.body == "" and message.state == State.SENT


def test_two_senders_of_one_message_send_it_once():
    message = queued()
    assert services.send_email(message.pk).outcome == services.SENT
    assert services.send_email(message.pk).outcome == services.BUSY
    assert len(mail.outbox) == 1


def test_an_unreachable_server_is_retried_with_a_doubling_backoff(monkeypatch, settings):
    failing_with(monkeypatch, ConnectionRefusedError(111, "Connection refused"))
    message = queued()
    first = services.send_email(message.pk, may_retry=False)
    message.refresh_from_db()
    assert first.outcome == services.RETRY
    assert message.state == State.PENDING and message.attempts == 1
    assert "Connection refused" in message.error
    wait = (message.next_attempt_at - timezone.now()).total_seconds()
    assert settings.MAIL_RETRY_BASE_DELAY - 2 < wait <= settings.MAIL_RETRY_BASE_DELAY
    assert services.send_email(message.pk).outcome == services.BUSY  # not before its time
    services.send_email(message.pk, now=message.next_attempt_at, may_retry=False)
    message.refresh_from_db()
    wait = (message.next_attempt_at - timezone.now()).total_seconds()
    assert 2 * settings.MAIL_RETRY_BASE_DELAY - 2 < wait <= 2 * settings.MAIL_RETRY_BASE_DELAY


def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails_with_the_reason(monkeypatch):
    failing_with(monkeypatch, smtplib.SMTPRecipientsRefused({"ana@example.com": (451, b"4.3.0 Try later")}))
    message = queued()
    assert services.send_email(message.pk).outcome == services.RETRY
    failing_with(monkeypatch, smtplib.SMTPRecipientsRefused({"ana@example.com": (550, b"5.1.1 No such user")}))
    later = timezone.now() + dt.timedelta(hours=1)
    assert services.send_email(message.pk, now=later).outcome == services.FAILED
    message.refresh_from_db()
    assert message.state == State.FAILED
    assert message.error == "Recipient refused — ana@example.com: 550 5.1.1 No such user"
    assert message.body == ""


def test_after_the_last_attempt_a_temporary_failure_fails(monkeypatch, settings):
    failing_with(monkeypatch, OSError("Network is unreachable"))
    message = queued(attempts=settings.MAIL_MAX_ATTEMPTS - 1)
    assert services.send_email(message.pk).outcome == services.FAILED


def test_a_message_that_cannot_be_built_fails_at_once_instead_of_looping(monkeypatch):
    failing_with(monkeypatch, ValueError("Header values may not contain linefeed or carriage return characters"))
    message = queued()
    assert services.send_email(message.pk).outcome == services.FAILED
    assert "ValueError" in OutboxMessage.objects.get(pk=message.pk).error


def test_the_digest_tick_hands_out_what_is_due_and_not_with_a_broker():
    never_queued = queued(to="one@example.com")
    lost = queued(to="two@example.com", enqueued_at=timezone.now() - dt.timedelta(hours=1))
    with_broker = queued(to="three@example.com", enqueued_at=timezone.now())
    not_yet = queued(to="four@example.com", next_attempt_at=timezone.now() + dt.timedelta(minutes=5), attempts=1)
    result = digest_tasks.tick()
    assert result["mail"] == 2
    sent = {m.to[0] for m in mail.outbox}
    assert sent == {never_queued.to, lost.to}
    assert OutboxMessage.objects.get(pk=with_broker.pk).state == State.PENDING
    assert OutboxMessage.objects.get(pk=not_yet.pk).state == State.PENDING


def test_a_message_whose_sender_died_is_sent_again_and_given_up_after_the_last_attempt(settings):
    long_ago = timezone.now() - dt.timedelta(seconds=settings.MAIL_STUCK_AFTER + 60)
    stuck = queued(to="one@example.com", state=State.SENDING, claimed_at=long_ago, attempts=1)
    doomed = queued(to="two@example.com", state=State.SENDING, claimed_at=long_ago, attempts=settings.MAIL_MAX_ATTEMPTS)
    tasks.hand_out_due()
    assert OutboxMessage.objects.get(pk=stuck.pk).state == State.SENT
    doomed.refresh_from_db()
    assert doomed.state == State.FAILED and "stopped before it finished" in doomed.error
    assert [m.to for m in mail.outbox] == [["one@example.com"]]


def test_with_a_broker_a_temporary_failure_is_left_to_the_task_not_the_tick(monkeypatch):
    failing_with(monkeypatch, ConnectionRefusedError(111, "Connection refused"))
    message = queued()
    services.send_email(message.pk, may_retry=True)
    message.refresh_from_db()
    assert message.enqueued_at is not None  # the task's own retry holds it
    assert message.pk not in tasks.selectors.emails_to_hand_out(message.next_attempt_at)
