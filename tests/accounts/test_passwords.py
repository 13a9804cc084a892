"""Changing a password, and resetting a forgotten one by email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def link_path(body: str) -> str:
    """The path of the first absolute link in an email body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)


def test_a_user_changes_their_password(client, po):
    client.force_login(po)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-change-done")
    po.refresh_from_db()
    assert po.check_password(NEW_PASSWORD)


def test_changing_the_password_keeps_the_user_signed_in(client, po):
    client.force_login(po)
    client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.get(reverse("accounts:password-change-done")).status_code == 200


def test_a_wrong_old_password_changes_nothing(client, po):
    client.force_login(po)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()
    po.refresh_from_db()
    assert po.check_password(PASSWORD)


def test_a_password_reset_by_email_works_end_to_end(client, po):
    response = client.post(reverse("accounts:password-reset"), {"email": "PO@example.com"})
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [po.email]

    page = client.get(link_path(mail.outbox[0].body), follow=True)
    assert page.status_code == 200
    assert b"Choose a new password" in page.content
    response = client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("accounts:password-reset-complete")
    po.refresh_from_db()
    assert po.check_password(NEW_PASSWORD)


def test_a_reset_link_works_only_once(client, po):
    client.post(reverse("accounts:password-reset"), {"email": po.email})
    path = link_path(mail.outbox[0].body)
    page = client.get(path, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(path, follow=True)
    assert b"not valid any more" in again.content


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_the_reset_email_is_sent_by_a_task_not_by_the_request(client, po, monkeypatch):
    """Sending takes as long as the mail server does, and only for addresses with an account:
    done in the request, the reply's timing told who has an account. (With a broker: here the
    publishing is captured, and the worker's part run by hand.)"""
    from accounts import tasks

    tasks.send_password_reset.app.conf.task_always_eager = False  # conftest's fixture restores it
    queued = []
    monkeypatch.setattr(tasks.send_password_reset, "apply_async", lambda args, **kw: queued.append(args))
    client.post(reverse("accounts:password-reset"), {"email": po.email})
    client.post(reverse("accounts:password-reset"), {"email": "nobody@example.com"})
    assert queued == [(po.pk,)]
    assert mail.outbox == []  # nothing was sent inside the requests
    tasks.send_password_reset(po.pk)  # what the worker does
    assert mail.outbox[0].to == [po.email] and "/accounts/password/reset/" in mail.outbox[0].body


def test_with_the_broker_down_the_reset_email_is_still_sent(client, po, monkeypatch):
    from accounts import tasks

    tasks.send_password_reset.app.conf.task_always_eager = False  # conftest's fixture restores it

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_password_reset, "apply_async", down)
    response = client.post(reverse("accounts:password-reset"), {"email": po.email})
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox[0].to == [po.email]


def test_without_a_broker_the_reset_email_is_sent_once_in_the_request(client, po):
    """The embedded default: no worker, so the request sends it (once, even if SMTP fails)."""
    from accounts import tasks

    assert tasks.send_password_reset.app.conf.task_always_eager  # tests run tasks in-process
    client.post(reverse("accounts:password-reset"), {"email": po.email})
    assert [message.to for message in mail.outbox] == [[po.email]]
