"""Digests for 1,000 stakeholders of one product with a 2,000-item backlog, through the real
worker and a real SMTP server, for `make bench`. Needs Django set up on PostgreSQL and Redis.

- Data: a throwaway product (key `DG<stamp>`) with a 2,000-item backlog, four closed sprints with
  frozen outcomes, an active sprint and a product goal; 1,000 stakeholders (UTC, joined eight
  days ago, so this week's Monday 09:00 digest is due), plus members who must *not* be planned:
  stakeholders who unsubscribed and developers (off by default). A 200-item twin (`DS<stamp>`)
  for the backlog-size comparison; its one stakeholder joined just now, so it is not due.
  Each run first deletes what earlier runs of this section made (products named "Digest
  bench …", users `digest-bench-…@example.com`): the tick plans for every membership in the
  database.
- An aiosmtpd server on 127.0.0.1 in this process counts the messages; a Celery worker
  (prefork, 2 processes) runs as a subprocess on Redis DB 13, which is purged first.
- Measured: the tick in this process (plans and publishes), then the wall time to the 1,000th
  message at the SMTP server and all 1,000 ledger rows `sent`. Queries per digest are counted
  in this process around `services.deliver` (locmem email, in a transaction rolled back, so the
  ledger is untouched): 200 vs 2,000 items, the 1st vs the 1,000th recipient, and a 1,001st after
  the 1,000 were sent.

Run alone: `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/13"  # reserved for this bench; flushed before and after
RECIPIENTS = 1_000
UNSUBSCRIBED, DEVELOPERS = 50, 5  # members of the product who must not be planned
LARGE, SMALL = 2_000, 200
NAME_PREFIX = "Digest bench"
EMAIL_PREFIX = "digest-bench-"
BUILD_SAMPLES = 40
SEND_TIMEOUT = 240  # seconds for the worker to send all digests
WORKER_READY_TIMEOUT = 60


class Rollback(Exception):
    """Raised to roll a probe's transaction back."""


# --- The SMTP server ---------------------------------------------------------------------------


class Counter:
    """aiosmtpd handler: counts messages and recipients, and when the expected number arrived."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.lock = threading.Lock()
        self.count = 0
        self.recipients: dict[str, int] = {}
        self.sizes: list[int] = []
        self.first: float | None = None
        self.last: float | None = None
        self.sample: bytes = b""
        self.all_in = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        now = time.perf_counter()
        with self.lock:
            self.count += 1
            for address in envelope.rcpt_tos:
                self.recipients[address] = self.recipients.get(address, 0) + 1
            self.sizes.append(len(envelope.content or b""))
            self.first = self.first or now
            self.last = now
            if not self.sample:
                self.sample = envelope.original_content or envelope.content or b""
            if self.count >= self.expected:
                self.all_in.set()
        return "250 Message accepted for delivery"


# --- The worker --------------------------------------------------------------------------------


def start_worker(email_port: int, log_path: Path) -> subprocess.Popen:
    """The real worker: prefork, two processes, on the bench DB, Redis DB 13 and our SMTP server.
    Its own session, so that it and its children can be stopped by its process group."""
    from bench.database import database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{email_port}",
        "DJANGO_DEBUG": "0",
    }
    command = [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "--pool=prefork", "--concurrency=2"]
    command += ["--prefetch-multiplier=1", "--loglevel=WARNING"]
    with open(log_path, "wb") as log_file:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_worker(worker: subprocess.Popen) -> None:
    """Warm shutdown (SIGTERM to the worker), then SIGKILL to its process group."""
    if worker.poll() is None:
        worker.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)  # the group this bench started; children included
    worker.wait(timeout=10)


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until_ready(app, worker: subprocess.Popen, log_path: Path) -> float:
    started = time.monotonic()
    while time.monotonic() - started < WORKER_READY_TIMEOUT:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}:\n{log_tail(log_path)}")
        if app.control.ping(timeout=0.5):
            return time.monotonic() - started
    raise RuntimeError(f"the worker did not answer a ping within {WORKER_READY_TIMEOUT} s:\n{log_tail(log_path)}")


class CeleryOnRedis:
    """Point this process's Celery app at the bench's Redis DB, not eager (settings read
    REDIS_URL at import, and `make bench` runs without it); restore it afterwards."""

    KEYS = ("broker_url", "task_always_eager")

    def __init__(self, app) -> None:
        self.app = app
        self.saved = {key: app.conf[key] for key in self.KEYS}

    def _reset_pools(self) -> None:
        if self.app._pool is not None:
            self.app._pool.force_close_all()
            self.app._pool = None
        amqp = self.app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None

    def __enter__(self):
        self._reset_pools()
        self.app.conf.broker_url = REDIS_URL
        self.app.conf.task_always_eager = False
        return self

    def __exit__(self, *exc) -> None:
        self._reset_pools()
        for key, value in self.saved.items():
            self.app.conf[key] = value


def flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


# --- Data --------------------------------------------------------------------------------------


@dataclass
class Data:
    large: object
    small: object
    recipients: list  # the 1,000 due stakeholders, in id order
    small_reader: object
    timings: dict[str, float] = field(default_factory=dict)


def remove_previous(log: Callable[[str], None]) -> int:
    """Delete what earlier runs of this section made, and nothing else: products named "Digest
    bench …" with keys DG/DS…, and users digest-bench-…@example.com (their memberships,
    subscriptions and ledger rows go with them). Items protect their product, sprint items and
    events protect their items: sprints, then items, then products."""
    from accounts.models import User
    from backlog.models import Item, Product
    from sprints.models import Feedback, Sprint

    products = Product.objects.filter(name__startswith=NAME_PREFIX, key__regex=r"^D[GS][0-9A-Z]+$")
    ids = list(products.values_list("pk", flat=True))
    if ids:
        Feedback.objects.filter(sprint__product_id__in=ids).delete()
        Sprint.objects.filter(product_id__in=ids).delete()
        Item.objects.filter(product_id__in=ids).delete()
        Product.objects.filter(pk__in=ids).delete()
    users, _ = User.objects.filter(email__startswith=EMAIL_PREFIX, email__endswith="@example.com").delete()
    if ids or users:
        log(f"digests: removed {len(ids)} products and the users of earlier digest bench runs")
    return len(ids)


def build(log: Callable[[str], None]) -> Data:
    from django.utils import timezone

    from accounts.models import User
    from backlog.models import Role
    from digests.models import DigestSubscription, Frequency

    from .data import add_members, build_digest_product, stamp

    tag = stamp()
    now = timezone.now()
    today = now.date()
    email = f"{EMAIL_PREFIX}{tag.lower()}"
    owner = User.objects.create_user(email=f"{email}-owner@example.com", password=None, display_name="Digest PO")
    started = time.monotonic()
    large = build_digest_product(
        owner=owner, key=f"DG{tag}", name=f"{NAME_PREFIX} {LARGE}", count=LARGE, seed=11, today=today
    )
    small = build_digest_product(
        owner=owner, key=f"DS{tag}", name=f"{NAME_PREFIX} {SMALL}", count=SMALL, seed=12, today=today
    )
    joined = now - dt.timedelta(days=8)  # before the latest Monday 09:00 UTC, whatever today is
    recipients = add_members(
        product=large,
        emails=[f"{email}-{n:04d}@example.com" for n in range(1, RECIPIENTS + 1)],
        role=Role.STAKEHOLDER,
        joined=joined,
    )
    unsubscribed = add_members(
        product=large,
        emails=[f"{email}-off-{n:02d}@example.com" for n in range(1, UNSUBSCRIBED + 1)],
        role=Role.STAKEHOLDER,
        joined=joined,
    )
    DigestSubscription.objects.bulk_create(
        DigestSubscription(user=user, product=large, frequency=Frequency.OFF, since=joined, updated_at=joined)
        for user in unsubscribed
    )
    add_members(
        product=large,
        emails=[f"{email}-dev-{n}@example.com" for n in range(1, DEVELOPERS + 1)],
        role=Role.DEVELOPER,
        joined=joined,
    )
    # The small product's reader joined just now: not due, so the tick leaves it alone.
    (small_reader,) = add_members(
        product=small, emails=[f"{email}-small@example.com"], role=Role.STAKEHOLDER, joined=now
    )
    log(f"digests: built {large.key} ({LARGE} items) and {small.key} ({SMALL}) in {time.monotonic() - started:.1f} s")
    recipients.sort(key=lambda user: user.pk)
    return Data(large=large, small=small, recipients=recipients, small_reader=small_reader)


# --- In-process measurements ---------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    queries: int
    outcome: str
    seconds: float
    sql: tuple[str, ...]


def probe_deliver(user, product, *, join: str = "") -> Probe:
    """`services.deliver` for a new delivery to `user`, counted and timed, in a transaction that
    is rolled back (the ledger, and so the user's next digest, stay as they were). `join`: an
    email address; a new user with it joins as a stakeholder first (in the same transaction)."""
    from django.core import mail
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from accounts.models import User
    from backlog.models import Membership, Role
    from digests import services
    from digests.models import DigestDelivery

    result: Probe | None = None
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        try:
            with transaction.atomic():
                now = timezone.now()
                if join:
                    user = User.objects.create_user(email=join, password=None)
                    Membership.objects.create(
                        product=product, user=user, role=Role.STAKEHOLDER, created_at=now - dt.timedelta(days=8)
                    )
                delivery = DigestDelivery.objects.create(
                    user=user, product=product, period="week:bench-probe", kind=DigestDelivery.Kind.WEEKLY
                )
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    outcome = services.deliver(delivery.pk, now=now).outcome
                    seconds = time.perf_counter() - started
                result = Probe(len(queries), outcome, seconds, tuple(q["sql"] for q in queries.captured_queries))
                raise Rollback
        except Rollback:
            pass
        mail.outbox = []
    assert result is not None
    return result


def build_digest_ms(users, product_pk: int) -> float:
    """Median ms of `build_digest` for each user, the product read afresh each time (as the worker
    does per delivery, so nothing cached on it carries over)."""
    from backlog.models import Product
    from digests.selectors import build_digest

    times = []
    for user in users:
        product = Product.objects.get(pk=product_pk)
        started = time.perf_counter()
        build_digest(user, product)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


# --- The run -----------------------------------------------------------------------------------


@dataclass
class Sent:
    tick_s: float
    plan_s: float
    tick_queries: int
    tick_result: dict
    messages: int
    last_message_s: float | None
    ledger_s: float | None
    first_message_s: float | None
    states: dict[str, int]
    duplicates: int
    distinct: int
    mean_kb: float
    deliver_s: list[float]


def send_all(data: Data, counter: Counter, worker: subprocess.Popen, log_path: Path, log) -> Sent:
    """The tick in this process (timed, and the planning inside it), then wait for the worker."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from digests import services, tasks
    from digests.models import DigestDelivery

    plan_seconds: list[float] = []
    real_plan = services.plan_due

    def timed_plan(now):
        started = time.perf_counter()
        try:
            return real_plan(now)
        finally:
            plan_seconds.append(time.perf_counter() - started)

    services.plan_due = timed_plan  # tasks.tick calls services.plan_due through the module
    try:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            tick_result = tasks.tick()
        tick_done = time.perf_counter()
    finally:
        services.plan_due = real_plan
    log(f"digests: tick {tick_result} in {tick_done - started:.2f} s; waiting for the worker")

    deadline = started + SEND_TIMEOUT
    while not counter.all_in.wait(timeout=0.5):
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}:\n{log_tail(log_path)}")
        if time.perf_counter() > deadline:
            break
    sent = DigestDelivery.objects.filter(product=data.large, state=DigestDelivery.State.SENT)
    ledger_s = None
    while time.perf_counter() < deadline:
        if sent.count() >= RECIPIENTS:
            ledger_s = time.perf_counter() - started
            break
        time.sleep(0.02)
    durations = sorted(
        (sent_at - claimed_at).total_seconds()
        for sent_at, claimed_at in DigestDelivery.objects.filter(
            product=data.large, state=DigestDelivery.State.SENT
        ).values_list("sent_at", "claimed_at")
    )
    states = dict(
        DigestDelivery.objects.filter(product=data.large).values_list("state").annotate(n=Count("id")).order_by()
    )
    with counter.lock:
        messages = counter.count
        last = counter.last - started if counter.last and messages >= RECIPIENTS else None
        first = counter.first - started if counter.first else None
        duplicates = sum(n - 1 for n in counter.recipients.values() if n > 1)
        distinct = len(counter.recipients)
        mean_kb = statistics.mean(counter.sizes) / 1024 if counter.sizes else 0.0
    return Sent(
        tick_s=tick_done - started,
        plan_s=plan_seconds[0] if plan_seconds else float("nan"),
        tick_queries=len(queries),
        tick_result=tick_result,
        messages=messages,
        last_message_s=last,
        ledger_s=ledger_s,
        first_message_s=first,
        states=states,
        duplicates=duplicates,
        distinct=distinct,
        mean_kb=mean_kb,
        deliver_s=durations,
    )


def run(log: Callable[[str], None] = lambda message: None) -> tuple[str, list[str]]:
    from aiosmtpd.controller import Controller

    from bench.measures import free_port
    from config.celery import app

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's per-connection chatter
    section_started = time.monotonic()
    load_before = os.getloadavg()[0]
    flush_redis()
    remove_previous(log)
    counter = Counter(RECIPIENTS)
    port = free_port()
    # A fixed name: otherwise each SMTP session looks its own up with socket.getfqdn().
    controller = Controller(counter, hostname="127.0.0.1", port=port, server_hostname="digest-bench.localhost")
    log_path = Path(tempfile.mkstemp(prefix="digest-bench-worker-", suffix=".log")[1])
    worker = None
    try:
        controller.start()
        with CeleryOnRedis(app):
            worker = start_worker(port, log_path)  # starts while the data is built
            data = build(log)
            ready_s = wait_until_ready(app, worker, log_path)
            log(f"digests: worker answered its ping {ready_s:.1f} s after the data was built")

            # Warm: templates, and each product's forecast simulation (cached per velocity history).
            probe_deliver(data.recipients[1], data.large)
            probe_deliver(data.small_reader, data.small)
            small = probe_deliver(data.small_reader, data.small)
            first = probe_deliver(data.recipients[0], data.large)
            thousandth = probe_deliver(data.recipients[-1], data.large)
            build_large = build_digest_ms(data.recipients[2 : 2 + BUILD_SAMPLES], data.large.pk)
            build_small = build_digest_ms([data.small_reader] * BUILD_SAMPLES, data.small.pk)

            sent = send_all(data, counter, worker, log_path, log)

            after = probe_deliver(
                None, data.large, join=f"{data.recipients[0].email.rsplit('-', 1)[0]}-late@example.com"
            )
            load_after = os.getloadavg()[0]
    finally:
        if worker is not None:
            stop_worker(worker)
        controller.stop()
        try:
            flush_redis()
        finally:
            log_path.unlink(missing_ok=True)

    table, notes = report(data, sent, small, first, thousandth, after, build_large, build_small)
    notes.append(
        f"Digest section time {time.monotonic() - section_started:.0f} s; 1-minute load average "
        f"{load_before:.1f} before, {load_after:.1f} after ({os.cpu_count()} CPUs; other work on the machine "
        "slows the worker)."
    )
    return table, notes


# --- The table ---------------------------------------------------------------------------------


def report(data, sent: Sent, small, first, thousandth, after, build_large, build_small):
    due_members = f"{RECIPIENTS:,} due; {UNSUBSCRIBED} unsubscribed and {DEVELOPERS} developers not planned"
    other = {state: n for state, n in sent.states.items() if state != "sent"}
    all_sent = (
        sent.messages == RECIPIENTS
        and sent.distinct == RECIPIENTS
        and sent.duplicates == 0
        and sent.states.get("sent", 0) == RECIPIENTS
        and not other
    )
    total = sent.last_message_s
    rows = [
        (
            "Digests sent through worker + SMTP",
            f"{sent.messages:,}",
            f"{sent.distinct:,} recipients, {sent.duplicates} twice; ledger: "
            + ", ".join(f"{n:,} {state}" for state, n in sorted(sent.states.items())),
            "ok" if all_sent else "short",
        ),
        (
            "Total time (tick → last message)",
            f"{total:.1f} s" if total is not None else f"> {SEND_TIMEOUT} s",
            f"all ledger rows sent at {sent.ledger_s:.1f} s" if sent.ledger_s else "ledger not all sent",
            "ok" if total is not None and sent.ledger_s else "short",
        ),
        (
            "Digests per second",
            f"{RECIPIENTS / total:.0f}" if total else "–",
            "2 prefork processes on 2 cores"
            + (
                f"; {(sent.messages - 1) / (sent.last_message_s - sent.first_message_s):.0f}/s first → last message"
                if total and sent.first_message_s is not None and total > sent.first_message_s
                else ""
            ),
            "",
        ),
        (
            "Worker: deliver() median (claim → sent)",
            f"{statistics.median(sent.deliver_s) * 1000:.0f} ms" if sent.deliver_s else "–",
            (
                f"95th percentile {sent.deliver_s[int(len(sent.deliver_s) * 0.95)] * 1000:.0f} ms; "
                f"in this process (locmem) {first.seconds * 1000:.0f} ms"
            )
            if sent.deliver_s
            else "",
            "",
        ),
        (
            f"Tick: plan {RECIPIENTS:,} deliveries",
            f"{sent.plan_s * 1000:.0f} ms",
            f"whole tick {sent.tick_s:.2f} s (publishes {sent.tick_result.get('queued', 0):,}), "
            f"{sent.tick_queries:,} queries",
            "",
        ),
        (
            "Tick: deliveries planned",
            f"{sent.tick_result.get('planned', 0):,}",
            due_members,
            "ok" if sent.tick_result.get("planned") == RECIPIENTS else "wrong",
        ),
        (
            f"Queries per digest, {SMALL} vs {LARGE:,} items",
            f"{small.queries} / {first.queries}",
            "services.deliver, first digest",
            "ok" if small.queries == first.queries else "grows",
        ),
        (
            f"Queries per digest, 1st vs {RECIPIENTS:,}th recipient",
            f"{first.queries} / {thousandth.queries}",
            f"a {RECIPIENTS + 1:,}st after all {RECIPIENTS:,} were sent: {after.queries}",
            "ok" if first.queries == thousandth.queries == after.queries else "grows",
        ),
        (
            "build_digest median",
            f"{build_large:.1f} ms",
            f"{LARGE:,} items; {build_small:.1f} ms at {SMALL} items",
            "",
        ),
    ]
    header = ("Measure", "Value", "Target/Note", "Result")
    table = [header, *rows]
    widths = [max(len(row[n]) for row in table) for n in range(len(header))]
    lines = [
        "  ".join(
            cell.rjust(w) if n == 1 else cell.ljust(w) for n, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = [
        f"Digests: {data.large.key}, {LARGE:,} items, {RECIPIENTS:,} stakeholders; mean message {sent.mean_kb:.1f} KB. "
        f"In-process deliver() (locmem email): {first.seconds * 1000:.0f} ms for the 1st recipient, "
        f"{thousandth.seconds * 1000:.0f} ms for the {RECIPIENTS:,}th, {small.seconds * 1000:.0f} ms at {SMALL} items.",
    ]
    outcomes = {probe.outcome for probe in (small, first, thousandth, after)}
    if outcomes != {"sent"}:
        notes.append(f"Digests: the in-process probes ended {sorted(outcomes)}, not all 'sent'.")
    return "\n".join(lines), notes


def main() -> int:
    from bench.database import print_section, setup_django

    setup_django()
    print_section("Digests", run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
