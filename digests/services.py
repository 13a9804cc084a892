"""Every write of the digests app: members' choices, unsubscribing, planning the due digests and
the delivery ledger's state changes.

The ledger's promise — one email per member, product and period — rests on two database facts:
the unique `(user, product, period)` row (planning twice plans once), and the claim, a single
conditional UPDATE from `pending` (or a `sending` abandoned past `DIGEST_STUCK_AFTER`) to
`sending` (two workers running the same delivery: one wins, the other sees zero rows).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import mail
from backlog.models import Membership, Product
from backlog.permissions import Action, remember_role, require
from config.errors import InvalidInput

from . import email, selectors
from .models import DigestDelivery, DigestSubscription, Frequency

log = logging.getLogger(__name__)
State = DigestDelivery.State


# --- Members' choices --------------------------------------------------------------------------


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@transaction.atomic
def update_subscription(
    *, user, product: Product, frequency: str, weekday: int, hour: int, send_when_quiet: bool
) -> DigestSubscription:
    """Save the member's own choice for the product. A changed schedule starts from now: no slot
    or sprint before it is due (so moving Monday's digest to Friday does not send one at once)."""
    require(user, product, Action.SUBSCRIBE)
    errors = {}
    if frequency not in Frequency.values:
        errors["frequency"] = ["Choose weekly, after each sprint, or off."]
    if not _whole(weekday) or not 0 <= weekday <= 6:
        errors["weekday"] = ["The weekday is 0 (Monday) to 6 (Sunday)."]
    if not _whole(hour) or not 0 <= hour <= 23:
        errors["hour"] = ["The hour is 0 to 23, in your time zone."]
    if errors:
        raise InvalidInput("The digest settings are not valid.", fields=errors)
    now = timezone.now()
    row = DigestSubscription.objects.select_for_update().filter(user=user, product=product).first()
    if row is None:
        return DigestSubscription.objects.create(
            user=user,
            product=product,
            frequency=frequency,
            weekday=int(weekday),
            hour=int(hour),
            send_when_quiet=send_when_quiet,
            since=now,
            updated_at=now,
        )
    if (row.frequency, row.weekday, row.hour) != (frequency, weekday, hour):
        row.since = now
    row.frequency, row.weekday, row.hour, row.send_when_quiet, row.updated_at = (
        frequency,
        int(weekday),
        int(hour),
        send_when_quiet,
        now,
    )
    row.save()
    return row


@dataclass(frozen=True)
class Unsubscribed:
    product: Product
    email: str
    changed: bool  # False: it was off already


@transaction.atomic
def unsubscribe(*, token: str) -> Unsubscribed:
    """Turn off the digest a signed link names: no login needed, and the signature means it can
    name only the subscription it was made for. The link does not expire; after someone has left
    the product it still answers (and there is nothing left to send)."""
    named = selectors.unsubscribe_target(token)
    if named is None:
        raise InvalidInput("This unsubscribe link is not valid: it may have been cut short or changed.")
    user, product = named
    row = DigestSubscription.objects.select_for_update().filter(user=user, product=product).first()
    now = timezone.now()
    if row is None:
        DigestSubscription.objects.create(
            user=user, product=product, frequency=Frequency.OFF, since=now, updated_at=now
        )
        role = Membership.objects.filter(user=user, product=product).values_list("role", flat=True).first()
        changed = role is not None and selectors.role_default(role) != Frequency.OFF
    else:
        changed = row.frequency != Frequency.OFF
        row.frequency, row.since, row.updated_at = Frequency.OFF, now, now
        row.save(update_fields=["frequency", "since", "updated_at"])
    return Unsubscribed(product=product, email=user.email, changed=changed)


@transaction.atomic
def request_preview(*, user, product: Product) -> tuple[DigestDelivery, bool]:
    """Plan a preview of the member's next digest to their own address. At most one a minute
    (the period is the minute), so a double click sends one. Returns (delivery, created); the
    caller queues a created one with `tasks.enqueue_delivery`."""
    require(user, product, Action.SUBSCRIBE)
    period = "preview:" + timezone.now().strftime("%Y-%m-%dT%H:%M")
    delivery, created = DigestDelivery.objects.get_or_create(
        user=user,
        product=product,
        period=period,
        defaults={"kind": DigestDelivery.Kind.PREVIEW},
    )
    return delivery, created


# --- Planning (the tick) -----------------------------------------------------------------------


def plan_due(now: dt.datetime) -> int:
    """Create a pending delivery for every digest due at `now`; returns how many. Safe to run
    concurrently: a row another tick created first is skipped by the unique constraint."""
    due = selectors.due_deliveries(now)
    DigestDelivery.objects.bulk_create(
        [
            DigestDelivery(user_id=d.user_id, product_id=d.product_id, period=d.period, kind=d.kind, created_at=now)
            for d in due
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    return len(due)


def reclaim_stuck(now: dt.datetime) -> int:
    """Hand deliveries whose worker died mid-send back to `pending`, so they are sent again
    (with the same Message-ID) — unless workers have died on one `DIGEST_MAX_ATTEMPTS` times:
    then it is failed, and the product owner sees it, instead of killing workers forever."""
    stuck = selectors.stuck_deliveries(now)
    stuck.filter(attempts__gte=settings.DIGEST_MAX_ATTEMPTS).update(
        state=State.FAILED, error="The worker sending it stopped before it finished, every time it was tried."
    )
    return stuck.update(state=State.PENDING, enqueued_at=None)


def mark_enqueued(delivery_ids: list[int], now: dt.datetime) -> None:
    DigestDelivery.objects.filter(pk__in=delivery_ids, state=State.PENDING).update(enqueued_at=now)


# --- Sending (the task) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    outcome: str  # sent, skipped, busy, retry, failed
    detail: str = ""


def claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take the delivery for this worker: one conditional UPDATE, so of two workers running the
    same delivery exactly one gets it."""
    abandoned = now - dt.timedelta(seconds=settings.DIGEST_STUCK_AFTER)
    taken = DigestDelivery.objects.filter(
        Q(state=State.PENDING) | Q(state=State.SENDING, claimed_at__lt=abandoned), pk=delivery_id
    ).update(state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return taken == 1


def _finish(delivery_id: int, claimed_at: dt.datetime, **fields) -> None:
    """Record the outcome, if the delivery is still this worker's: a worker that stalled past
    DIGEST_STUCK_AFTER and lost its claim to another must not overwrite the other's outcome."""
    DigestDelivery.objects.filter(pk=delivery_id, state=State.SENDING, claimed_at=claimed_at).update(**fields)


def deliver(delivery_id: int, *, now: dt.datetime | None = None, may_retry: bool = True) -> Result:
    """Send one delivery if it is still to be sent: claim it, build the digest as its recipient,
    skip it when nothing changed (unless they want quiet digests, or it is a preview), send it
    and record what was shown. A transient SMTP failure puts it back to pending (the caller
    retries with backoff, or the next tick does) until `DIGEST_MAX_ATTEMPTS`; a permanent one
    marks it failed with the server's reason."""
    now = now or timezone.now()
    if not claim(delivery_id, now):
        return Result("busy", "already sent, being sent, or finished")
    delivery = DigestDelivery.objects.select_related("user", "product").get(pk=delivery_id)
    user, product = delivery.user, delivery.product
    membership = Membership.objects.filter(user=user, product=product).select_related("user").first()
    role = membership.role if membership else None
    remember_role(product, user, role)  # build_digest's permission check needs no second query
    if role is None or not user.is_active:
        _finish(delivery_id, now, state=State.SKIPPED, error="No longer a member of the product.")
        return Result("skipped", "not a member")
    if not membership.has_agreed and delivery.kind != DigestDelivery.Kind.PREVIEW:
        _finish(delivery_id, now, state=State.SKIPPED, error="Added without being asked, and not signed in since.")
        return Result("skipped", "not agreed")
    row = DigestSubscription.objects.filter(user=user, product=product).first()
    is_preview = delivery.kind == DigestDelivery.Kind.PREVIEW
    if not is_preview and (row.frequency if row else selectors.role_default(role)) == Frequency.OFF:
        _finish(delivery_id, now, state=State.SKIPPED, error="Unsubscribed before it was sent.")
        return Result("skipped", "unsubscribed")
    try:
        digest = email.digest_data(user, product, now=now)
        if not (is_preview or digest["changed"] or (row is not None and row.send_when_quiet)):
            _finish(delivery_id, now, state=State.SKIPPED, error="")
            return Result("skipped", "nothing changed")
        message = email.compose(digest, delivery)
    except Exception as error:  # a bug must not leave the delivery claimed forever, nor loop
        log.exception("digest delivery %s: could not build the digest", delivery_id)
        return _failed_or_retry(
            delivery, now, f"Could not build the digest: {type(error).__name__}", transient=True, may_retry=may_retry
        )
    try:
        email.send(message)
    except Exception as error:
        failure = mail.failure_of(error)
        if failure is None:
            raise
        return _failed_or_retry(delivery, now, failure.reason, transient=failure.transient, may_retry=may_retry)
    _finish(delivery_id, now, state=State.SENT, sent_at=timezone.now(), shown=digest["shown"], error="")
    return Result("sent")


def _failed_or_retry(
    delivery: DigestDelivery, claimed_at: dt.datetime, reason: str, *, transient: bool, may_retry: bool
) -> Result:
    attempts = delivery.attempts  # read after the claim counted this one
    if transient and attempts < settings.DIGEST_MAX_ATTEMPTS:
        # Back to pending. With a broker the task retries it after a backoff (and if that message
        # is lost, the tick hands it out again after DIGEST_REQUEUE_AFTER). In-process it is left
        # unqueued: the first tick after the same backoff (counted from the claim) runs it again.
        enqueued_at = timezone.now() if may_retry else None
        _finish(delivery.pk, claimed_at, state=State.PENDING, error=reason, enqueued_at=enqueued_at)
        log.warning("digest delivery %s: transient failure (attempt %s): %s", delivery.pk, attempts, reason)
        return Result("retry", reason)
    _finish(delivery.pk, claimed_at, state=State.FAILED, error=reason)
    log.error("digest delivery %s failed: %s", delivery.pk, reason)
    return Result("failed", reason)
