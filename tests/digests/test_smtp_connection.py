"""A worker keeps one SMTP connection open between digests (connect and TLS paid once per
batch), and notices when the server dropped it while idle: the next digest goes out once, over
a fresh connection. Against a real SMTP server (aiosmtpd); no worker needed."""

import email
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from backlog.models import Membership, Role
from digests import services
from digests.models import DigestDelivery
from tests.conftest import make_items, make_user


class Counting:
    def __init__(self):
        self.sessions = 0
        self.received: list[email.message.Message] = []
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's hook
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        with self.lock:
            self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = free_port()
    servers = []

    def start():
        """A fresh server on the port, after stopping the one before (which drops its clients)."""
        if servers:
            servers.pop().stop()
        handler = Counting()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return handler

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield start
    for controller in servers:
        controller.stop()


def deliver_to(user, product, period):
    delivery = DigestDelivery.objects.create(user=user, product=product, period=period, kind="weekly")
    return services.deliver(delivery.pk).outcome


def test_a_batch_of_digests_shares_one_connection_and_survives_the_server_dropping_it(smtp, product):
    make_items(product, 3)
    people = [make_user(f"reader{n}@example.com") for n in range(4)]
    for person in people:
        Membership.objects.create(product=product, user=person, role=Role.STAKEHOLDER)
    server = smtp()

    assert [deliver_to(person, product, "week:2026-W01") for person in people[:3]] == ["sent"] * 3
    assert [m["To"] for m in server.received] == [p.email for p in people[:3]]
    assert server.sessions == 1

    # The server goes away and comes back (an idle timeout, a restart): the held connection is
    # dead. The next digest is sent once, over a new one, without a failed attempt.
    restarted = smtp()
    assert deliver_to(people[3], product, "week:2026-W01") == "sent"
    assert [m["To"] for m in restarted.received] == [people[3].email]
    assert restarted.sessions == 1
    delivery = DigestDelivery.objects.get(user=people[3])
    assert (delivery.state, delivery.attempts, delivery.error) == ("sent", 1, "")
