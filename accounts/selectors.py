"""Reads of the accounts app that others share (the outbox's, for the digests' tick and the
pages that show what became of an email)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

from .models import OutboxMessage

Outbox = OutboxMessage.State


def emails_to_hand_out(now: dt.datetime, *, limit: int = 500) -> list[int]:
    """Outbox messages that are due and that no broker holds: pending and never queued (or
    queued longer ago than MAIL_REQUEUE_AFTER: the broker may have lost the message), or claimed
    by a sender that died (claimed longer ago than MAIL_STUCK_AFTER). Oldest first, one query."""
    requeue = now - dt.timedelta(seconds=settings.MAIL_REQUEUE_AFTER)
    abandoned = now - dt.timedelta(seconds=settings.MAIL_STUCK_AFTER)
    due = Q(state=Outbox.PENDING, next_attempt_at__lte=now) & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue))
    stuck = Q(state=Outbox.SENDING, claimed_at__lt=abandoned)
    return list(OutboxMessage.objects.filter(due | stuck).order_by("pk").values_list("pk", flat=True)[:limit])


def recent_email_times(*, kind: str, since: dt.datetime, to: str | None = None, sender=None) -> list[dt.datetime]:
    """When the emails of this kind, to this address or caused by this sender, were queued
    since `since`: newest first (for limits that count them)."""
    emails = OutboxMessage.objects.filter(kind=kind, created_at__gt=since)
    if to is not None:
        emails = emails.filter(to=to)
    if sender is not None:
        emails = emails.filter(sender=sender)
    return list(emails.order_by("-created_at").values_list("created_at", flat=True)[:1000])
