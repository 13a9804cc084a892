"""Celery tasks of the digests app. Beat runs `tick` on a static schedule; the tick plans what is
due and hands each delivery to `send_delivery`. Both take ids and call services; both are safe
to run twice, concurrently, or after a crash.

Enqueuing never breaks the caller: a broker that is down at enqueue time is logged, the
delivery stays `pending`, and the next tick after the broker returns hands it out again.

Without a broker (no REDIS_URL) "publishing" runs the task in-process, at once. Such a delivery
is not marked queued: no message waits anywhere, and one that failed for a while is left
pending for the first tick after its backoff, instead of for DIGEST_REQUEUE_AFTER.
"""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from celery.result import EagerResult
from django.db import transaction
from django.utils import timezone

from accounts import tasks as account_tasks

from . import schedule, selectors, services

log = logging.getLogger(__name__)


QUEUED, RAN = "queued", "ran"


def _publish(delivery_id: int) -> str | None:
    """QUEUED: a message is with the broker. RAN: there is no broker, the task ran in-process
    and its outcome is in the row. None: the broker refused it."""
    try:
        result = send_delivery.apply_async((delivery_id,), retry=False)
    except Exception:  # the broker's errors are many (kombu, redis, socket); none may escape
        log.exception("digest delivery %s: could not be queued (or run); the next tick will retry", delivery_id)
        return None
    return RAN if isinstance(result, EagerResult) else QUEUED


def _publish_and_mark(delivery_id: int) -> None:
    if _publish(delivery_id) == QUEUED:
        services.mark_enqueued([delivery_id], timezone.now())


def enqueue_delivery(delivery_id: int) -> None:
    """Queue the delivery once the current transaction commits, and mark it queued (so the tick
    does not queue it again). Unlike `delay_on_commit`, a broker outage is logged, never raised
    into the request that already committed; the row stays unmarked for the next tick."""
    transaction.on_commit(partial(_publish_and_mark, delivery_id), robust=True)


@shared_task(name="digests.tick", ignore_result=True)
def tick() -> dict:
    """Plan the digests that are due, reclaim deliveries whose worker died, and hand out every
    pending delivery not yet queued (or queued long ago, when the broker may have lost it).
    The outbox of the accounts app (invitations, password resets) is handed out the same way:
    one beat, one schedule."""
    now = timezone.now()
    planned = services.plan_due(now)
    reclaimed = services.reclaim_stuck(now)
    handed_out, queued = 0, []
    for delivery_id in selectors.deliveries_to_enqueue(now):
        published = _publish(delivery_id)
        if published is None:
            break  # the broker is down: what is left stays pending for the next tick
        handed_out += 1
        if published == QUEUED:
            queued.append(delivery_id)
    # One UPDATE per batch, after publishing: a row marked but never published would wait
    # DIGEST_REQUEUE_AFTER for nothing; one published but not marked is only queued again. One
    # run in-process is not marked: if it is pending again, it failed and waits for its retry.
    for start in range(0, len(queued), 500):
        services.mark_enqueued(queued[start : start + 500], now)
    result = {"planned": planned, "reclaimed": reclaimed, "queued": handed_out, "mail": account_tasks.hand_out_due(now)}
    log.info("digest tick: %s", result)
    return result


@shared_task(name="digests.send_delivery", bind=True, ignore_result=True, acks_late=True, max_retries=None)
def send_delivery(self, delivery_id: int) -> str:
    """Send one delivery (see services.deliver). Transient failures retry with backoff; in-process
    (no broker) they wait for the first tick after the same backoff instead of blocking the
    caller."""
    result = services.deliver(delivery_id, may_retry=not self.request.is_eager)
    if result.outcome == "retry" and not self.request.is_eager:
        attempts = self.request.retries + 1
        raise self.retry(countdown=schedule.retry_delay(attempts))
    return result.outcome
