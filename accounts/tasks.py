"""Background work of the accounts app: the password-reset email, sent outside the request so
that how long the request takes does not tell whether an address has an account."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="accounts.send_password_reset", ignore_result=True)
def send_password_reset(user_id: int) -> None:
    services.send_password_reset(user_id=user_id)


def queue_password_reset(user_id: int) -> None:
    """Hand the email to the worker. Without a broker (the embedded default) there is no worker:
    it is sent here, and the reply's timing is as before. With a broker that is down, it is sent
    here too rather than lost."""
    if send_password_reset.app.conf.task_always_eager:
        services.send_password_reset(user_id=user_id)
        return
    try:
        send_password_reset.apply_async((user_id,), retry=False)
    except Exception:  # the broker's errors are many (kombu, redis, socket)
        log.exception("password reset for user %s: could not be queued; sending it now", user_id)
        services.send_password_reset(user_id=user_id)
