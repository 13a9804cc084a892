"""Crash safety: a worker killed with SIGKILL in the middle of sending 50 digests. A new worker and
the tick (which hands stuck `sending` deliveries back after DIGEST_STUCK_AFTER and re-queues
pending ones after DIGEST_REQUEUE_AFTER) finish the job: everyone gets their digest, never two
different ones. The one delivery the worker was in the middle of may reach its recipient twice,
with the same Message-ID, if the kill fell between the server's answer and the commit.

The workers are real `celery worker` processes on the test database (the test is transactional:
what it writes is committed); the killed one's message stays unacked in Redis for the visibility
timeout (an hour), so recovery has to come from the ledger, not from the broker.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from digests.models import DigestDelivery
from digests.tasks import tick
from tests.digests.conftest import close_leftover_connections, make_due_stakeholders, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.timeout(120)]

State = DigestDelivery.State
RECIPIENTS = 50
STUCK_AFTER = 3
REQUEUE_AFTER = 5
CELERY = Path(sys.executable).with_name("celery")
# As the Makefile's TEST_ENV.
TEST_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
    "DJANGO_HTTPS": "0",
    "DJANGO_MANIFEST_STATIC": "0",
}


def url_of_the_test_database() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


class Workers:
    """`celery worker` subprocesses, each in its own process group; all killed at the end."""

    def __init__(self, directory: Path, env: dict):
        self.directory, self.env, self.started = directory, env, []

    def start(self, name: str) -> subprocess.Popen:
        log = self.directory / f"{name}.log"
        process = subprocess.Popen(  # noqa: S603 - our own venv's celery, fixed arguments
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--prefetch-multiplier=1",
                "-Q",
                "celery",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
            ],
            cwd=django_settings.BASE_DIR,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):  # gone already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def kill_all(self) -> None:
        for process in self.started:
            self.kill(process)

    def logs(self) -> str:
        return "\n".join(f"--- {p.log.name}\n{p.log.read_text(errors='replace')[-3000:]}" for p in self.started)


@pytest.fixture
def workers(tmp_path, smtp_server, celery_broker, on_postgres, transactional_db):
    env = {
        **os.environ,
        **TEST_ENV,
        "DATABASE_URL": url_of_the_test_database(),
        "REDIS_URL": celery_broker.url,
        "EMAIL_URL": smtp_server.url,
        "DIGEST_STUCK_AFTER": str(STUCK_AFTER),
        "DIGEST_REQUEUE_AFTER": str(REQUEUE_AFTER),
    }
    started = Workers(tmp_path, env)
    try:
        yield started
    finally:
        started.kill_all()
        close_leftover_connections()


def ready(process: subprocess.Popen) -> bool:
    assert process.poll() is None, f"the worker exited with {process.returncode}:\n{process.log.read_text()}"
    return " ready." in process.log.read_text(errors="replace")


def test_a_worker_killed_mid_run_loses_no_digest_and_sends_none_twice(
    workers, smtp_server, celery_broker, product, settings, record_property
):
    # The tick runs here, in the test's process: the same timeouts as the workers'.
    settings.DIGEST_STUCK_AFTER, settings.DIGEST_REQUEUE_AFTER = STUCK_AFTER, REQUEUE_AFTER
    users = make_due_stakeholders(product, [(f"reader{n:02d}@example.com", "Europe/Berlin") for n in range(RECIPIENTS)])
    smtp_server.slow(0.05, 0.1)
    kill_after = random.randint(15, 25)

    first = workers.start("first")
    wait_until(lambda: ready(first), timeout=30, message=lambda: workers.logs())
    started = time.monotonic()
    assert tick() == {"planned": RECIPIENTS, "reclaimed": 0, "queued": RECIPIENTS, "mail": 0}

    smtp_server.wait_for(kill_after, timeout=30)
    # Right after a message arrived (between the server's answer and the commit, most likely),
    # or a little later (mid-send, or between two tasks): each run lands somewhere else.
    time.sleep(random.choice([0, random.uniform(0, 0.15)]))
    workers.kill(first)
    killed_at = time.monotonic()
    at_kill = len(smtp_server.messages)
    in_flight = list(DigestDelivery.objects.filter(state=State.SENDING).values_list("user__email", flat=True))

    workers.start("second")
    ticks = []

    def all_sent() -> bool:
        ticks.append(tick())
        return not DigestDelivery.objects.exclude(state=State.SENT).exists()

    wait_until(
        all_sent,
        timeout=60,
        step=0.5,
        message=lambda: (
            f"not sent: {list(DigestDelivery.objects.exclude(state=State.SENT).values())}\n{workers.logs()}"
        ),
    )
    took = time.monotonic() - started

    ledger = {d.user.email: d for d in DigestDelivery.objects.select_related("user")}
    assert len(ledger) == RECIPIENTS and {d.kind for d in ledger.values()} == {DigestDelivery.Kind.WEEKLY}
    assert len({d.period for d in ledger.values()}) == 1
    message_ids = defaultdict(list)
    for received in smtp_server.messages:
        assert len(received.rcpt) == 1, received.rcpt
        message_ids[received.rcpt[0]].append(received.message_id)

    assert set(message_ids) == {user.email for user in users}, "someone got no digest"
    different = {who: ids for who, ids in message_ids.items() if len(set(ids)) > 1}
    assert not different, f"two different digests for the same period: {different}"
    assert all(ids[0] == ledger[who].message_id for who, ids in message_ids.items())
    twice = sorted(who for who, ids in message_ids.items() if len(ids) > 1)
    report = (
        f"killed after {at_kill} emails (aimed at {kill_after}); in flight at the kill: {in_flight}; "
        f"same Message-ID received twice: {len(twice)} {twice}; "
        f"reclaimed by the ticks: {sum(t['reclaimed'] for t in ticks)}; "
        f"re-queued: {sum(t['queued'] for t in ticks)} over {len(ticks)} ticks; "
        f"recovery took {time.monotonic() - killed_at:.1f} s, all {took:.1f} s"
    )
    print(report)
    record_property("crash_duplicates", len(twice))
    record_property("crash_report", report)
    # One worker, one message at a time: only the delivery in flight can go out twice.
    assert len(twice) <= 1, report
    assert set(twice) <= set(in_flight), report
    assert len(smtp_server.messages) == RECIPIENTS + len(twice), report
