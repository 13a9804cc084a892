"""Writes to accounts: profiles, personal API tokens, and the outbox of emails (password resets,
and what higher apps queue: invitations)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.celery import app as celery_app
from config.errors import InvalidInput, NotFound
from config.text import header_safe, require_single_line

from . import background, mail
from .models import ApiToken, OutboxMessage, User, validate_time_zone
from .tokens import TOKEN_PREFIX, digest, new_secret

log = logging.getLogger(__name__)

TOKEN_NAME_MAX = ApiToken._meta.get_field("name").max_length
DISPLAY_NAME_MAX = User._meta.get_field("display_name").max_length


@transaction.atomic
def create_api_token(*, by: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and never stored."""
    name = (name or "").strip() or f"Token of {timezone.now():%Y-%m-%d %H:%M}"
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput("The token name is too long.", fields={"name": [f"At most {TOKEN_NAME_MAX} characters."]})
    require_single_line(name, field="name", label="A token name")
    secret = new_secret()
    token = ApiToken.objects.create(
        user=by, name=name, digest=digest(secret), prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8]
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, by: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent); someone else's is NotFound."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=by).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def clean_display_name(display_name: str) -> str:
    """A display name as typed, stripped; InvalidInput naming `display_name` when it is too long
    (never cut) or holds a line break or control character."""
    display_name = (display_name or "").strip()
    if len(display_name) > DISPLAY_NAME_MAX:
        raise InvalidInput(
            "The name is too long.", fields={"display_name": [f"At most {DISPLAY_NAME_MAX} characters."]}
        )
    return require_single_line(display_name, field="display_name", label="A display name")


@transaction.atomic
def update_profile(*, by: User, display_name: str, time_zone: str) -> User:
    """Change the user's display name and time zone."""
    display_name = clean_display_name(display_name)
    try:
        validate_time_zone(time_zone)
    except Exception as exc:
        raise InvalidInput(str(exc), fields={"time_zone": ["Choose a time zone from the list."]}) from exc
    by.display_name = display_name
    by.time_zone = time_zone
    by.save(update_fields=["display_name", "time_zone"])
    return by


# --- The outbox ---------------------------------------------------------------------------------

Outbox = OutboxMessage.State
SENT, BUSY, RETRY, FAILED = "sent", "busy", "retry", "failed"


@transaction.atomic
def queue_email(*, kind: str, to: str, subject: str, body: str, sender: User | None = None) -> OutboxMessage:
    """Put one email in the outbox. It leaves once the transaction commits: to the worker, or,
    without one, after the response has been sent (accounts.background)."""
    message = OutboxMessage.objects.create(kind=kind, to=to, subject=header_safe(subject), body=body, sender=sender)
    _hand_out(message.pk)
    return message


# The task that sends one message (accounts.tasks.send_email): named, not imported, since the
# tasks call these services.
SEND_EMAIL_TASK = "accounts.send_email"


def _hand_out(message_id: int) -> None:
    """Send the message once the transaction commits: through the worker, or without one after
    the response (accounts.background); a message a broker holds is marked so the tick leaves it."""

    def mark(published: bool) -> None:
        if published:
            mark_enqueued([message_id], timezone.now())

    background.dispatch(celery_app.tasks[SEND_EMAIL_TASK], message_id, then=mark)


@dataclass(frozen=True)
class Sent:
    outcome: str  # sent, busy (someone else has it, or it is done), retry, failed
    retry_at: dt.datetime | None = None


def _claim(message_id: int, now: dt.datetime) -> bool:
    """Take the message for this sender: one conditional UPDATE (row locks do nothing on
    SQLite), so of two workers given the same message exactly one sends it. A message claimed
    longer ago than MAIL_STUCK_AFTER lost its worker and may be taken again."""
    abandoned = now - dt.timedelta(seconds=settings.MAIL_STUCK_AFTER)
    taken = OutboxMessage.objects.filter(
        Q(state=Outbox.PENDING, next_attempt_at__lte=now) | Q(state=Outbox.SENDING, claimed_at__lt=abandoned),
        pk=message_id,
    ).update(state=Outbox.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return taken == 1


def _finish(message_id: int, claimed_at: dt.datetime, **fields) -> None:
    # Only while the claim is still this sender's: one that stalled past MAIL_STUCK_AFTER must
    # not overwrite the outcome of the one that took over.
    OutboxMessage.objects.filter(pk=message_id, state=Outbox.SENDING, claimed_at=claimed_at).update(**fields)


def send_email(message_id: int, *, now: dt.datetime | None = None, may_retry: bool = True) -> Sent:
    """Send one outbox message if it is due: claim it, hand it to the mail server, record what
    happened. A temporary failure puts it back to pending with a backoff (MAIL_RETRY_BASE_DELAY,
    doubling) until MAIL_MAX_ATTEMPTS; a refusal for good marks it failed with the server's
    reason. `may_retry`: a worker's task retries it itself after the backoff; otherwise (no
    worker) the next drain or digest tick after the backoff does."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return Sent(BUSY)
    message = OutboxMessage.objects.get(pk=message_id)
    email = EmailMessage(subject=message.subject, body=message.body, to=[message.to], headers=message.headers)
    try:
        email.send()
    except Exception as error:
        failure = mail.failure_of(error)
        if failure is None:  # not the server's doing: a retry would fail the same way
            log.exception("outbox message %s could not be sent", message_id)
            failure = mail.Failure(f"Could not be sent: {type(error).__name__}", transient=False)
        return _failed_or_retry(message, now, failure, may_retry=may_retry)
    _finish(message_id, now, state=Outbox.SENT, sent_at=timezone.now(), error="", body="", headers={})
    return Sent(SENT)


def _failed_or_retry(
    message: OutboxMessage, claimed_at: dt.datetime, failure: mail.Failure, *, may_retry: bool
) -> Sent:
    attempts = message.attempts  # read after the claim counted this one
    if failure.transient and attempts < settings.MAIL_MAX_ATTEMPTS:
        delay = mail.retry_delay(attempts, base=settings.MAIL_RETRY_BASE_DELAY, cap=settings.MAIL_RETRY_MAX_DELAY)
        retry_at = timezone.now() + dt.timedelta(seconds=delay)
        _finish(
            message.pk,
            claimed_at,
            state=Outbox.PENDING,
            error=failure.reason,
            next_attempt_at=retry_at,
            # With a worker its task retries it; the tick leaves it alone until MAIL_REQUEUE_AFTER.
            enqueued_at=timezone.now() if may_retry else None,
        )
        log.warning("outbox message %s: temporary failure (try %s): %s", message.pk, attempts, failure.reason)
        return Sent(RETRY, retry_at)
    _finish(message.pk, claimed_at, state=Outbox.FAILED, error=failure.reason, body="", headers={})
    log.error("outbox message %s failed: %s", message.pk, failure.reason)
    return Sent(FAILED)


def give_up_abandoned(now: dt.datetime) -> int:
    """Messages whose sender died mid-send MAIL_MAX_ATTEMPTS times are failed, not tried forever
    (something in them may be what kills the sender)."""
    abandoned = now - dt.timedelta(seconds=settings.MAIL_STUCK_AFTER)
    return OutboxMessage.objects.filter(
        state=Outbox.SENDING, claimed_at__lt=abandoned, attempts__gte=settings.MAIL_MAX_ATTEMPTS
    ).update(
        state=Outbox.FAILED,
        error="The worker sending it stopped before it finished, every time it was tried.",
        body="",
        headers={},
    )


def mark_enqueued(message_ids: list[int], now: dt.datetime) -> None:
    """The broker has these messages: the tick leaves them alone until MAIL_REQUEUE_AFTER."""
    OutboxMessage.objects.filter(pk__in=message_ids, state=Outbox.PENDING).update(enqueued_at=now)


@transaction.atomic
def send_email_now(*, message_id: int) -> bool:
    """Try a message that waits for its next try again at once; False when it is not waiting
    (sent, failed for good — its text is gone then —, or being sent)."""
    updated = OutboxMessage.objects.filter(pk=message_id, state=Outbox.PENDING).update(
        next_attempt_at=timezone.now(), enqueued_at=None
    )
    if updated:
        _hand_out(message_id)
    return bool(updated)


# --- Password resets -----------------------------------------------------------------------------


@transaction.atomic
def request_password_reset(*, email: str) -> int:
    """Queue a reset email for the active account with this address, if it has a usable
    password; returns how many were queued (0 or 1). Runs outside the request
    (accounts.tasks), so the reply is the same whether or not the address has an account."""
    user = User.objects.filter(email=User.objects.normalize_email(email), is_active=True).first()
    if user is None or not user.has_usable_password():
        return 0
    context = {
        "email": user.email,
        "site_url": settings.SITE_URL,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("accounts/password_reset_subject.txt", context)
    body = render_to_string("accounts/password_reset_email.txt", context)
    queue_email(kind=OutboxMessage.Kind.PASSWORD_RESET, to=user.email, subject=subject, body=body)
    return 1
