"""Work that must not run while a request does. A task goes to the worker once the transaction
commits; without a worker (the embedded default) or with a broker that is down, it runs after
the response has been sent — never inside the request, so neither the reply nor its timing can
depend on what the task finds (whether an address has an account) or on a slow mail server.

"After the response": Django sends `request_finished` when the server closes the response,
which happens once the whole body has been written to the client. Outside a request (a worker,
a management command, a test calling a service) the work runs at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction

log = logging.getLogger(__name__)

_local = threading.local()


def _request_started(**kwargs) -> None:
    _local.in_request, _local.later = True, []


def _request_finished(**kwargs) -> None:
    later = getattr(_local, "later", [])
    _local.in_request, _local.later = False, []
    for work in later:
        try:
            work()
        except Exception:  # one failure must not stop the rest, nor reach the server
            log.exception("work after the response failed: %r", work)
    if later:
        # The work may have opened a connection after Django closed the request's.
        close_old_connections()


def connect() -> None:
    """Called once from AccountsConfig.ready()."""
    request_started.connect(_request_started, dispatch_uid="accounts.background.started")
    request_finished.connect(_request_finished, dispatch_uid="accounts.background.finished")


def after_response(work: Callable[[], object]) -> None:
    """Run `work` once the current response has been sent, or now when there is no request."""
    if getattr(_local, "in_request", False):
        _local.later.append(work)
    else:
        work()


def publish(task, *args) -> bool:
    """Hand the task to the worker now; without a broker, or if the broker refuses it, run it
    after the response. True when a worker will run it."""
    if task.app.conf.task_always_eager:
        after_response(partial(task.apply, args))
        return False
    try:
        task.apply_async(args, retry=False)
    except Exception:  # the broker's errors are many (kombu, redis, socket); none may escape
        log.exception("%s%r could not be queued; it runs after the response instead", task.name, args)
        after_response(partial(task.apply, args))
        return False
    return True


def dispatch(task, *args, then: Callable[[bool], object] | None = None) -> None:
    """`publish` once the current transaction commits (a rolled-back change sends nothing);
    `then(published)` runs after publishing."""

    def go() -> None:
        published = publish(task, *args)
        if then is not None:
            then(published)

    transaction.on_commit(go, robust=True)
