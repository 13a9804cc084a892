"""The digest email: built from the same serialized digest the API returns, as its recipient.

HTML and plain-text parts; no images, no scripts, no external resources, a few inline styles
for mail clients that drop <style>. User-written text is escaped by the templates, Markdown goes
through the same sanitising renderer as the pages, and its relative links are made absolute
against SITE_URL (`links`), in both parts. Headers: a Message-ID derived from the
delivery (a resend after a crash is the same message), RFC 8058 one-click unsubscribe, and the
auto-generated markers that keep out-of-office replies away.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import threading
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import zone_named
from config.text import header_safe

from .api.serializers import DigestSerializer
from .models import DigestDelivery
from .selectors import build_digest


def digest_data(user, product, *, now: dt.datetime | None = None) -> dict:
    """The member's digest as the API gives it (serialized), plus the raw `shown` baseline.
    Times are in the member's own time zone, as the API gives them to them (the worker has no
    request that would activate it)."""
    with timezone.override(zone_named(user.time_zone)):
        return DigestSerializer(build_digest(user, product, now=now)).data


def subject(digest: dict, kind: str) -> str:
    key = digest["product"]["key"]
    closed = digest["closed_sprints"]
    if kind == DigestDelivery.Kind.PREVIEW:
        lead = "Preview of your next digest"
    elif closed:
        last = closed[-1]
        outcome = f" — goal {last['goal_outcome_label'].lower()}" if last["goal_outcome_label"] else ""
        lead = f"Sprint {last['number']} closed{outcome}"
    else:
        lead = "Weekly digest"
    moves = sum(entry["change"] in ("new", "up", "down") for entry in digest["top"]) + len(digest["left_top"])
    tail = f", {moves} change{'s' if moves != 1 else ''} at the top" if moves else ""
    return header_safe(f"[{key}] {lead}{tail}")


def _list_id(name: str, key: str, host: str) -> str:
    """`Online shop digest <shop.digest.example.com>` (RFC 2919). The phrase is left out when the
    name is not plain ASCII: an encoded header would swallow the brackets strict parsers need.
    The name is made header-safe first: one stored before names refused control characters
    may hold a line break or an escape."""
    phrase = header_safe(name.translate(str.maketrans("", "", '<>"\\()')))[:80].rstrip()
    identifier = f"<{key}.digest.{host}>"
    return f"{phrase} digest {identifier}" if phrase.isascii() and phrase else identifier


def compose(digest: dict, delivery: DigestDelivery) -> EmailMultiAlternatives:
    """The email for one delivery of a digest."""
    context = {"digest": digest, "kind": delivery.kind, "is_preview": delivery.kind == DigestDelivery.Kind.PREVIEW}
    text = render_to_string("digests/email/digest.txt", context)
    html = render_to_string("digests/email/digest.html", context)
    unsubscribe = digest["links"]["unsubscribe"]
    key = digest["product"]["key"].lower()
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    message = EmailMultiAlternatives(
        subject=subject(digest, delivery.kind),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest["recipient"]["email"]],
        headers={
            "Message-ID": delivery.message_id,
            "List-Id": _list_id(digest["product"]["name"], key, host),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Precedence": "bulk",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# --- Sending -------------------------------------------------------------------------------------

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_held = threading.local()


def _smtp_settings() -> tuple:
    return (
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
    )


def _drop_held() -> None:
    connection = getattr(_held, "connection", None)
    _held.connection = _held.key = None
    if connection is not None:
        # Closing a broken connection may fail too; it is gone either way.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()


def send(message: EmailMultiAlternatives) -> None:
    """Send one digest. With SMTP, over a connection this thread keeps open between digests: a
    worker sending a batch pays the connect (and TLS) once, not per message. A connection the
    server closed while idle is noticed at the next MAIL command, before anything was accepted,
    so that message is sent once more over a fresh one; any other failure drops the connection
    and propagates (the caller decides between retry and failed)."""
    if settings.EMAIL_BACKEND != SMTP_BACKEND:
        message.send(fail_silently=False)
        return
    key = _smtp_settings()
    for attempt in (1, 2):
        if getattr(_held, "key", None) != key:
            _drop_held()
            connection = get_connection(SMTP_BACKEND, fail_silently=False)
            connection.open()
            _held.connection, _held.key = connection, key
        message.connection = _held.connection
        try:
            message.send(fail_silently=False)
            return
        except smtplib.SMTPServerDisconnected:
            _drop_held()
            if attempt == 2:
                raise
        except BaseException:
            _drop_held()
            raise
