"""Background work of the accounts app: the outbox's sends and the password-reset request. Tasks
take ids (or the address typed), call services, and are safe to run twice or after a crash."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from . import background, selectors, services

log = logging.getLogger(__name__)


@shared_task(name=services.SEND_EMAIL_TASK, bind=True, ignore_result=True, acks_late=True, max_retries=None)
def send_email(self, message_id: int) -> str:
    """Send one outbox message (services.send_email); a temporary failure retries after its
    backoff. In-process (no broker) the next drain or tick after the backoff tries again."""
    sent = services.send_email(message_id, may_retry=not self.request.is_eager)
    if sent.outcome == services.RETRY and not self.request.is_eager:
        raise self.retry(countdown=max((sent.retry_at - timezone.now()).total_seconds(), 1))
    return sent.outcome


@shared_task(name="accounts.password_reset_requested", ignore_result=True)
def password_reset_requested(email: str) -> None:
    services.request_password_reset(email=email)


def request_password_reset(email: str) -> None:
    """Whoever typed this address asked for a reset: decide in the background whether it has an
    account (and send the email), so the request does the same work either way."""
    background.dispatch(password_reset_requested, email)


def hand_out_due(now: dt.datetime | None = None) -> int:
    """For the digests' tick: hand out every outbox message that is due and that no broker
    holds (never queued, queued so long ago the broker may have lost it, or whose sender
    died). Without a broker they are sent here, one after another. Returns how many."""
    now = now or timezone.now()
    services.give_up_abandoned(now)
    queued, count = [], 0
    for message_id in selectors.emails_to_hand_out(now):
        if send_email.app.conf.task_always_eager:
            services.send_email(message_id, now=timezone.now(), may_retry=False)
        else:
            try:
                send_email.apply_async((message_id,), retry=False)
            except Exception:  # the broker is down: what is left waits for the next tick
                log.exception("outbox message %s: could not be queued; the next tick will retry", message_id)
                break
            queued.append(message_id)
        count += 1
    services.mark_enqueued(queued, now)
    return count
