"""Redis — the broker — stops and starts again (a redis-server of the test's own, on a free port):
the web keeps working, mail that could not be handed to a worker still goes out after the
response, and once Redis is back the next tick catches up on the digests, each sent once."""

from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import OutboxMessage
from config.celery import app
from digests import tasks as digest_tasks
from digests.models import DigestDelivery
from tests.conftest import make_items, make_user, need
from tests.digests.conftest import make_due_stakeholders
from tests.faults.conftest import wait_for
from tests.real_services import close_leftover_connections, free_port, point_broker_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.timeout(120)]


class OwnRedis:
    def __init__(self):
        need(shutil.which("redis-server") is not None, "needs redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=15, what="redis-server to answer")

    def _answers(self) -> bool:
        result = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return result.stdout.strip() == "PONG"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None


@pytest.fixture
def own_redis(celery_in_process, on_postgres):
    redis = OwnRedis()
    redis.start()
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.worker_hijack_root_logger
    app.conf.task_always_eager, app.conf.worker_hijack_root_logger = False, False
    point_broker_at(redis.url)
    try:
        yield redis
    finally:
        redis.stop()
        app.conf.task_always_eager, app.conf.worker_hijack_root_logger = saved[1], saved[2]
        point_broker_at(saved[0])


@contextmanager
def worker():
    """A real worker on the broker the app points at now, in a thread of this process."""
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30):
        yield
    connections.close_all()
    close_leftover_connections()


def test_with_redis_down_the_web_works_and_afterwards_everything_catches_up(own_redis, smtp_server, po, product):
    make_items(product, 3)
    stakeholders = make_due_stakeholders(product, [("ada@example.com", "UTC"), ("bo@example.com", "Europe/Berlin")])
    make_user("reset@example.com")
    own_redis.stop()

    client = Client()
    client.force_login(po)
    assert client.get(reverse("backlog:backlog", args=["SHOP"])).status_code == 200
    invited = client.post(reverse("backlog:members", args=["SHOP"]), {"email": "new@example.com", "role": "developer"})
    assert invited.status_code == 302
    anonymous = Client()
    reset = anonymous.post(reverse("accounts:password-reset"), {"email": "reset@example.com"})
    assert reset.status_code == 302
    # No worker could be told: what the requests queued went out after their responses.
    assert {m.rcpt[0] for m in smtp_server.wait_for(2, timeout=20)} == {"new@example.com", "reset@example.com"}
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxMessage.State.SENT}
    # The tick cannot hand digests to the broker: they wait, pending.
    assert digest_tasks.tick()["queued"] == 0
    assert set(DigestDelivery.objects.values_list("state", flat=True)) == {DigestDelivery.State.PENDING}

    own_redis.start()
    point_broker_at(own_redis.url)  # forget the connections that died with it
    with worker():
        assert digest_tasks.tick()["queued"] == len(stakeholders)
        wait_for(
            lambda: DigestDelivery.objects.filter(state=DigestDelivery.State.SENT).count() == len(stakeholders),
            timeout=30,
            what="the digests to be sent",
        )
    received = [m.rcpt[0] for m in smtp_server.messages]
    assert sorted(received) == sorted(["new@example.com", "reset@example.com", *(u.email for u in stakeholders)])
