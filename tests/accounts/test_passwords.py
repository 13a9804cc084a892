"""Changing a password, and resetting a forgotten one by email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import OutboxMessage
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


@pytest.fixture
def ask_for_reset(client, django_capture_on_commit_callbacks):
    """Post the reset form, and let what it hands on run as it would after the response."""

    def ask(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:password-reset"), {"email": email})

    return ask


def test_a_password_reset_by_email_works_end_to_end(client, po, ask_for_reset):
    response = ask_for_reset("PO@example.com")
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


def test_a_reset_link_works_only_once(client, po, ask_for_reset):
    ask_for_reset(po.email)
    path = link_path(mail.outbox[0].body)
    page = client.get(path, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(path, follow=True)
    assert b"not valid any more" in again.content


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db, ask_for_reset):
    response = ask_for_reset("nobody@example.com")
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_the_request_only_hands_the_address_on_whether_or_not_it_has_an_account(po, ask_for_reset, monkeypatch):
    """Done in the request, looking the address up and sending took longer for an account than
    for none, and told who has one. The request now does the same for every address; the worker
    finds the account and sends. (With a broker: the publishing is captured here.)"""
    from accounts import tasks

    tasks.send_email.app.conf.task_always_eager = False  # conftest's fixture restores it
    queued = []
    monkeypatch.setattr(tasks.password_reset_requested, "apply_async", lambda args, **kw: queued.append(args))
    ask_for_reset(po.email)
    ask_for_reset("nobody@example.com")
    assert queued == [(po.email,), ("nobody@example.com",)]
    assert mail.outbox == [] and not OutboxMessage.objects.exists()


def test_the_worker_finds_the_account_and_sends_the_email(po, django_capture_on_commit_callbacks):
    from accounts import tasks

    with django_capture_on_commit_callbacks(execute=True):
        tasks.password_reset_requested("PO@Example.com")
        tasks.password_reset_requested("nobody@example.com")
    assert [message.to for message in mail.outbox] == [[po.email]]
    assert "/accounts/password/reset/" in mail.outbox[0].body
    sent = OutboxMessage.objects.get()
    assert sent.state == OutboxMessage.State.SENT and sent.body == ""  # the link is not kept


def test_with_the_broker_down_the_reset_email_is_still_sent(po, ask_for_reset, monkeypatch):
    from accounts import tasks

    tasks.send_email.app.conf.task_always_eager = False  # conftest's fixture restores it

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.password_reset_requested, "apply_async", down)
    monkeypatch.setattr(tasks.send_email, "apply_async", down)
    response = ask_for_reset(po.email)
    assert response.url == reverse("accounts:password-reset-done")
    assert [message.to for message in mail.outbox] == [[po.email]]


def test_without_a_broker_the_reset_email_is_sent_once(po, ask_for_reset):
    """The embedded default: no worker, so it is sent after the response (once, even if SMTP fails)."""
    from accounts import tasks

    assert tasks.send_email.app.conf.task_always_eager  # tests run tasks in-process
    ask_for_reset(po.email)
    assert [message.to for message in mail.outbox] == [[po.email]]
