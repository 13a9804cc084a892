"""Real services for the tests that need them: an SMTP server (aiosmtpd) that records what it
receives and can refuse, be slow or hold a message, a Celery broker on a test Redis database,
and a real Celery worker running in a thread of the test process, against PostgreSQL.

Nothing here is autouse: conftest modules import the fixtures they use. A real worker has its
own database connections, so its tests are transactional (what the test writes is committed for
the worker to see) and need PostgreSQL. Without Redis or PostgreSQL they skip locally and fail
under CI=true (see `tests.conftest.need`).

The Redis database (ORDO_TEST_REDIS_URL, default redis://127.0.0.1:6379/14) belongs to the tests:
it is emptied before and after each test that uses it. Under pytest-xdist each worker takes the
next database after it (gw1: 15, …), as each takes a test database of its own in PostgreSQL:
one worker's flush must not take another's queued tasks.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import random
import socket
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import connection, connections

import accounts.tasks  # noqa: F401 - registers the outbox tasks with the app the worker runs
import digests.tasks  # noqa: F401 - registers the digest tasks with the app the worker runs
from config.celery import app
from tests.conftest import need


def _test_redis_url() -> str:
    base = os.environ.get("ORDO_TEST_REDIS_URL") or "redis://127.0.0.1:6379/14"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    server, _, number = base.rpartition("/")
    offset = int(worker[2:]) if worker[2:].isdigit() else 0
    return f"{server}/{(int(number or 0) + offset) % 16}"


TEST_REDIS_URL = _test_redis_url()


# --- Waiting ------------------------------------------------------------------------------------


def wait_until(predicate: Callable[[], object], *, timeout: float, message: str | Callable[[], str], step=0.02):
    """Poll `predicate` until it returns something truthy (returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:g} s: {message() if callable(message) else message}")
        time.sleep(step)


# --- SMTP -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt: tuple[str, ...]
    message: Message
    at: float  # time.monotonic() when the server accepted it

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


@dataclass
class RecordingHandler:
    """aiosmtpd handler: records every accepted message with its envelope; refuses recipients it
    was told to (a reply like "451 4.3.0 …" a number of times, or always); can be slow."""

    received: list[Received] = field(default_factory=list)
    refused: list[tuple[str, str, float]] = field(default_factory=list)  # (address, reply, at)
    rules: dict[str, list] = field(default_factory=dict)  # address -> [reply, remaining or None]
    delay: tuple[float, float] = (0.0, 0.0)
    lock: threading.Condition = field(default_factory=threading.Condition)
    # Cleared: every DATA waits until it is set again (the server "hangs" mid-message).
    gate: threading.Event = field(default_factory=threading.Event)
    waiting: int = 0  # messages held at the gate now

    def __post_init__(self):
        self.gate.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        with self.lock:
            rule = self.rules.get(address.lower())
            reply = None
            if rule is not None:
                reply, remaining = rule
                if remaining is not None:
                    rule[1] = remaining - 1
                    if rule[1] <= 0:
                        del self.rules[address.lower()]
                self.refused.append((address, reply, time.monotonic()))
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        low, high = self.delay
        if high:
            await asyncio.sleep(random.uniform(low, high))
        if not self.gate.is_set():
            with self.lock:
                self.waiting += 1
                self.lock.notify_all()
            while not self.gate.is_set():
                await asyncio.sleep(0.01)
            with self.lock:
                self.waiting -= 1
        # As a mail client reads it: headers unfolded (a long List-Unsubscribe is folded).
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message, time.monotonic()))
            self.lock.notify_all()
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    def __init__(self, controller: Controller, handler: RecordingHandler):
        self.controller, self.handler = controller, handler
        self.host, self.port = controller.hostname, controller.port

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def refused(self) -> list[tuple[str, str, float]]:
        with self.handler.lock:
            return list(self.handler.refused)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt]

    def refuse(self, address: str, reply: str, *, times: int | None = None) -> None:
        """Answer RCPT TO:<address> with `reply` (e.g. "451 4.3.0 Try again later") the next
        `times` times, or always."""
        with self.handler.lock:
            self.handler.rules[address.lower()] = [reply, times]

    def slow(self, low: float, high: float | None = None) -> None:
        """Take `low`–`high` seconds over each message before answering its DATA."""
        self.handler.delay = (low, high if high is not None else low)

    def hold(self) -> None:
        """From now on, keep every message at DATA, unanswered, until `release`."""
        self.handler.gate.clear()

    def release(self) -> None:
        self.handler.gate.set()

    def wait_until_holding(self, count: int = 1, *, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        with self.handler.lock:
            while self.handler.waiting < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} messages held at DATA within {timeout:g} s")
                self.handler.lock.wait(left)

    def wait_for(self, count: int, *, timeout: float) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.handler.lock:
            while len(self.handler.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [m.rcpt for m in self.handler.received]
                    raise AssertionError(f"expected {count} emails within {timeout:g} s, got {len(got)}: {got}")
                self.handler.lock.wait(left)
            return list(self.handler.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and a free port; Django sends to it (plain SMTP, no TLS)."""
    handler = RecordingHandler()
    for attempt in range(3):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=5)
        try:
            controller.start()
            break
        except Exception:  # the port was taken between probing and binding: take another
            if attempt == 2:
                raise
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield SmtpServer(controller, handler)
    finally:
        handler.gate.set()
        controller.stop()


# --- Celery broker and worker --------------------------------------------------------------------


def point_broker_at(url: str) -> None:
    """Publish to `url` from now on, over new connections. kombu keeps its connection and
    producer pools per URL for the whole process; they are emptied and forgotten here, so no
    connection (and no cached "queue already declared") outlives a test or a flushed database.
    (Draining a pool but keeping it would leave it empty: its next acquire blocks forever.)"""
    app.conf.broker_url = url
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@dataclass
class Broker:
    url: str
    client: redis.Redis

    def go_down(self) -> None:
        """Publishing fails from now on (a port nothing listens on); a running worker keeps its
        own connection to the real broker."""
        point_broker_at("redis://127.0.0.1:1/0")

    def come_back(self) -> None:
        point_broker_at(self.url)


@pytest.fixture
def celery_broker(celery_in_process):
    """Tasks go through the test Redis instead of running in-process. Depends on
    `celery_in_process` (tests/conftest.py, autouse, forces eager) so that it runs after it."""
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
    try:
        reachable = bool(client.ping())
    except redis.RedisError:
        reachable = False
    need(reachable, f"needs Redis at {TEST_REDIS_URL} (set ORDO_TEST_REDIS_URL)")
    client.flushdb()
    names = ("broker_url", "task_always_eager", "task_eager_propagates", "worker_hijack_root_logger")
    saved = {name: app.conf[name] for name in names}
    app.conf.task_always_eager = False
    app.conf.worker_hijack_root_logger = False  # keep pytest's log capture
    point_broker_at(TEST_REDIS_URL)
    try:
        yield Broker(TEST_REDIS_URL, client)
    finally:
        app.conf.update(saved)
        point_broker_at(saved["broker_url"])
        client.flushdb()
        client.close()


@dataclass(frozen=True)
class TaskRun:
    name: str
    args: tuple
    state: str  # SUCCESS, RETRY, FAILURE
    retval: object
    started: float
    finished: float


@dataclass
class RealWorker:
    controller: object
    runs: list[TaskRun] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def finished(self, name: str | None = None) -> list[TaskRun]:
        with self.lock:
            return [run for run in self.runs if name is None or run.name == name]

    def wait_for_runs(self, count: int, *, name: str | None = None, timeout: float = 15) -> list[TaskRun]:
        return wait_until(
            lambda: len(self.finished(name)) >= count and self.finished(name),
            timeout=timeout,
            message=lambda: f"expected {count} finished {name or 'task'} runs, got {self.finished(name)}",
        )


def close_leftover_connections(timeout: float = 3.0) -> None:
    """The test database is flushed and dropped after the tests: no other connection to it may
    be left. Wait briefly for any to go, then end them (with a warning: something leaked)."""
    if connection.vendor != "postgresql":
        return
    others = (
        "SELECT pid, application_name, state, query FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute(others)
            left = cursor.fetchall()
            if not left:
                return
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        cursor.execute(f"SELECT pg_terminate_backend(pid) FROM ({others}) other")
    warnings.warn(f"ended {len(left)} database connections left open on the test database: {left}", stacklevel=2)


@pytest.fixture
def celery_worker(request, celery_broker, smtp_server, on_postgres, transactional_db):
    """A real Celery worker (config.celery.app) in a thread of this process, consuming the test
    Redis. Solo pool, one at a time, unless parametrized indirectly, e.g.
    `@pytest.mark.parametrize("celery_worker", [{"pool": "threads", "concurrency": 2}], indirect=True)`.

    Yields a `RealWorker` whose `runs` lists every task it finished, with its outcome. The
    worker's database connections are closed after each task and checked at teardown."""
    options = {"pool": "solo", "concurrency": 1, **getattr(request, "param", {})}
    handle = RealWorker(controller=None)
    started: dict[str, float] = {}

    def before(task_id=None, task=None, **kwargs):
        if not task.request.is_eager:
            started[task_id] = time.monotonic()

    def after(task_id=None, task=None, args=None, retval=None, state=None, **kwargs):
        if task.request.is_eager:
            return
        try:
            run = TaskRun(task.name, tuple(args or ()), state, retval, started.pop(task_id, 0.0), time.monotonic())
            with handle.lock:
                handle.runs.append(run)
        finally:
            connections.close_all()  # this thread's: the worker's, not the test's

    root_level = logging.getLogger().level  # the worker sets it up for itself
    signals.task_prerun.connect(before, weak=False)
    signals.task_postrun.connect(after, weak=False)
    try:
        with start_worker(
            app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30, **options
        ) as controller:
            handle.controller = controller
            yield handle
    finally:
        signals.task_prerun.disconnect(before)
        signals.task_postrun.disconnect(after)
        logging.getLogger().setLevel(root_level)
        close_leftover_connections()
