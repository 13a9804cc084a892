"""The outbox against real parts: an HTTP server, an SMTP server that can hang or be missing, and
a Celery worker on Redis. Mail never runs inside a request: the reply goes out first, whatever
the mail server does, and the same for every address."""

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import tasks
from accounts.models import OutboxMessage
from backlog import services
from backlog.models import Invitation
from tests.conftest import make_user
from tests.real_services import free_port, wait_until

State = OutboxMessage.State


class Browserless:
    """A cookie-keeping HTTP client for the live server (the test client runs the work after the
    response inside its own call, so it cannot show what a real client sees)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            # Redirects are answers in their own right here.
            type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a, **k: None}),
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post_form(self, path: str, data: dict) -> tuple[int, float]:
        """Post the form at `path` (with its CSRF token); the status and how long the reply took."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path)).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})  # noqa: S310 - the live server
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=10) as response:
                response.read()
                return response.status, time.monotonic() - started
        except urllib.error.HTTPError as error:  # a 3xx not followed, or an error status
            error.read()
            return error.code, time.monotonic() - started


@pytest.fixture
def on_the_live_server(live_server, transactional_db):
    return Browserless(live_server.url)


def test_the_reset_reply_goes_out_before_the_mail_server_answers(on_the_live_server, smtp_server):
    """The SMTP server holds the message: the reply has arrived all the same, and the email
    follows once the server answers."""
    user = make_user("ana@example.com")
    smtp_server.hold()
    status, _ = on_the_live_server.post_form(reverse("accounts:password-reset"), {"email": user.email})
    assert status == 302
    smtp_server.wait_until_holding(1)  # the send started after the reply, and is still stuck
    assert smtp_server.messages == []
    smtp_server.release()
    assert smtp_server.wait_for(1, timeout=10)[0].rcpt == (user.email,)


def test_with_the_mail_server_stalled_every_address_gets_the_same_quick_reply(on_the_live_server, smtp_server):
    make_user("ana@example.com")
    smtp_server.hold()
    known, known_took = on_the_live_server.post_form(reverse("accounts:password-reset"), {"email": "ana@example.com"})
    unknown, unknown_took = on_the_live_server.post_form(
        reverse("accounts:password-reset"), {"email": "nobody@example.com"}
    )
    assert known == unknown == 302
    # The stalled server would hold a reply that waited for it for EMAIL_TIMEOUT (10 s).
    assert known_took < 5 and unknown_took < 5
    smtp_server.release()


def test_with_the_mail_server_down_an_invitation_is_a_normal_reply_and_retried(transactional_db, settings, po):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    settings.MAIL_RETRY_BASE_DELAY = 0
    services.create_product(by=po, key="SHOP", name="Shop")
    client = Client()
    client.force_login(po)
    response = client.post(reverse("backlog:members", args=["SHOP"]), {"email": "new@example.com", "role": "developer"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    message = invitation.message
    assert message.state == State.PENDING and message.attempts == 1
    assert "Mail server unreachable" in message.error
    page = client.get(reverse("backlog:members", args=["SHOP"])).content.decode()
    assert "Retrying, next try at" in page


def test_an_invitation_refused_for_a_while_reaches_the_person_once_the_server_takes_it(
    transactional_db, settings, po, smtp_server
):
    settings.MAIL_RETRY_BASE_DELAY = 0
    services.create_product(by=po, key="SHOP", name="Shop")
    smtp_server.refuse("new@example.com", "451 4.3.0 Try again later", times=1)
    client = Client()
    client.force_login(po)
    client.post(reverse("backlog:members", args=["SHOP"]), {"email": "new@example.com", "role": "developer"})
    message = Invitation.objects.get().message
    message.refresh_from_db()
    assert message.state == State.PENDING and "451 4.3.0 Try again later" in message.error
    tasks.hand_out_due()  # the digest tick's part
    message.refresh_from_db()
    assert message.state == State.SENT
    assert [m.rcpt for m in smtp_server.wait_for(1, timeout=10)] == [("new@example.com",)]


def test_a_real_worker_sends_the_invitation_and_retries_a_refusal(celery_worker, smtp_server, settings, po):
    settings.MAIL_RETRY_BASE_DELAY = 1
    product = services.create_product(by=po, key="SHOP", name="Shop")
    smtp_server.refuse("new@example.com", "451 4.3.0 Try again later", times=1)
    invitation = services.invite_member(product=product, by=po, email="new@example.com", role="developer")
    received = smtp_server.wait_for(1, timeout=20)
    assert received[0].rcpt == ("new@example.com",)
    assert "/invitations/" in received[0].message.get_content()
    message = wait_until(
        lambda: OutboxMessage.objects.filter(pk=invitation.message_id, state=State.SENT).first(),
        timeout=10,
        message="the outbox row was not marked sent",
    )
    assert message.attempts == 2


def test_a_message_the_broker_lost_is_sent_after_the_next_tick(celery_worker, smtp_server, settings):
    from digests import tasks as digest_tasks

    long_ago = timezone.now() - timezone.timedelta(seconds=settings.MAIL_REQUEUE_AFTER + 60)
    lost = OutboxMessage.objects.create(kind="password_reset", to="ana@example.com", subject="Hi", body="Link")
    OutboxMessage.objects.filter(pk=lost.pk).update(enqueued_at=long_ago)
    digest_tasks.tick()
    assert smtp_server.wait_for(1, timeout=20)[0].rcpt == ("ana@example.com",)
