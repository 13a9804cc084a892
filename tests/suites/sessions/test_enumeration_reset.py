"""Account enumeration on password reset: an address with an account and one without get the
same reply, just as quickly, whether the mail server is up (and slow), refuses connections or
takes them and never answers. Ordo looks the address up, and mails, only after the reply.

Measured on the live server with a real HTTP client, the two kinds of address taking turns; the
tolerance is half of what would differ if the work ran inside the request (the work itself,
timed here), and never less than 50 ms, the noise of a loaded two-core machine."""

import contextlib
import socket
import time

from django.urls import reverse

from accounts import services
from accounts.models import OutboxMessage
from tests.conftest import make_user
from tests.real_services import wait_until

from .conftest import interleaved_medians

ROUNDS = 6
NOISE = 0.05
# A mail server this slow makes a reply that waited for it plain, even on a loaded machine.
SLOW_MAIL = 1.0


@contextlib.contextmanager
def mail_server_in(state: str, smtp_server, settings):
    """Point Django at a mail server in this state: up and slow, refusing connections, or
    taking them and never answering."""
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    smtp_server.slow(SLOW_MAIL if state == "up and slow" else 0)
    # Long enough for the slow server; the one that never answers is given up after a second.
    settings.EMAIL_TIMEOUT = 1 if state == "not answering" else 5 * SLOW_MAIL
    if state == "up and slow":
        yield
        return
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
        if state == "not answering":
            listener.listen(64)  # the kernel takes the connections, and then nothing is said
        else:
            listener.close()  # nothing listens there
        yield


def test_a_reset_request_gets_the_same_reply_as_quickly_for_every_address(live, smtp_server, settings, on_postgres):
    """Each state of the mail server in turn (one live-server test: its database is emptied once).
    PostgreSQL: on SQLite's shared in-memory test database the work after a reply and the next
    request lock each other's tables."""
    settings.MAIL_RETRY_BASE_DELAY = 3600  # one try each: what is measured is the first
    known = make_user("ana@example.com")
    reset = reverse("accounts:password-reset")
    token = live.csrf_token(reset)
    asked = 0
    for state in ("up and slow", "refusing connections", "not answering"):
        with mail_server_in(state, smtp_server, settings):
            started = time.perf_counter()
            services.request_password_reset(email=known.email)  # the work, here: lookup, outbox, send
            work = time.perf_counter() - started
            replies: dict[str, list] = {"account": [], "no account": []}

            def ask(kind: str, email: str, replies=replies):
                return lambda: replies[kind].append(
                    live.request("POST", reset, form={"email": email, "csrfmiddlewaretoken": token})
                )

            medians = interleaved_medians(
                {"account": ask("account", known.email), "no account": ask("no account", "nobody@example.com")},
                rounds=ROUNDS,
            )
            every = replies["account"] + replies["no account"]
            assert {(reply.status, reply.headers.get("Location"), reply.body) for reply in every} == {
                (302, reverse("accounts:password-reset-done"), "")
            }
            assert len({tuple(sorted(set(reply.headers) - {"Date"})) for reply in every}) == 1
            tolerance = max(work / 2, NOISE)
            assert abs(medians["account"] - medians["no account"]) < tolerance, (state, work, medians)
            if work > 2 * NOISE:  # nor does the reply wait for the mail server
                assert max(medians.values()) < work / 2, (state, work, medians)

            # Every email was asked for, after its reply; all are tried before the server changes.
            asked += ROUNDS + 1
            wait_until(
                lambda asked=asked: (
                    OutboxMessage.objects.filter(to=known.email).count() == asked
                    and not OutboxMessage.objects.filter(attempts=0).exists()
                    and not OutboxMessage.objects.filter(state=OutboxMessage.State.SENDING).exists()
                ),
                timeout=15,
                message=f"{state}: the reset emails were not all tried",
            )
    assert not OutboxMessage.objects.exclude(to=known.email).exists()
    assert len(smtp_server.to(known.email)) == ROUNDS + 1
