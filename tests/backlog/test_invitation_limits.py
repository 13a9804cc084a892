"""Ordo's mail cannot be turned on strangers: invitations are limited per inviter and per address
(kept in the database, so every web process counts the same), and the product owner sees what
became of each invitation's email."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import OutboxMessage
from backlog import services
from backlog.models import Invitation
from backlog.services.invitations import INVITATIONS_PER_ADDRESS, INVITATIONS_PER_SENDER
from config.errors import TooManyRequests

pytestmark = pytest.mark.django_db


def invite(product, by, email, role="developer"):
    return services.invite_member(product=product, by=by, email=email, role=role)


def test_an_inviter_sends_at_most_twenty_a_day(po, product):
    for n in range(INVITATIONS_PER_SENDER):
        invite(product, po, f"person{n}@example.com")
    with pytest.raises(TooManyRequests) as refused:
        invite(product, po, "one-more@example.com")
    assert "20 invitations in the last 24 hours" in refused.value.message
    assert 23 * 3600 < refused.value.retry_after <= 24 * 3600
    assert not Invitation.objects.filter(email="one-more@example.com").exists()


def test_the_limit_lifts_as_the_oldest_invitation_leaves_the_day(po, product):
    for n in range(INVITATIONS_PER_SENDER):
        invite(product, po, f"person{n}@example.com")
    OutboxMessage.objects.filter(to="person0@example.com").update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert invite(product, po, "one-more@example.com").state == Invitation.State.WAITING


def test_an_address_gets_at_most_three_a_week_across_products(po, product):
    from tests.conftest import make_user

    others = [services.create_product(by=make_user(f"owner{n}@example.com"), key=f"P{n}", name=f"P{n}") for n in "AB"]
    invite(product, po, "target@example.com")
    invite(product, po, "target@example.com", role="stakeholder")  # again: it counts
    invite(others[0], others[0].memberships.get().user, "target@example.com")
    with pytest.raises(TooManyRequests) as refused:
        invite(others[1], others[1].memberships.get().user, "Target@Example.com")
    assert list(refused.value.fields) == ["email"]
    assert f"{INVITATIONS_PER_ADDRESS} invitations to Ordo this week" in refused.value.message
    assert 6 * 86400 < refused.value.retry_after <= 7 * 86400


def test_over_the_limit_the_api_answers_429_with_retry_after(po, product):
    for n in range(INVITATIONS_PER_SENDER):
        invite(product, po, f"person{n}@example.com")
    api = APIClient()
    api.force_authenticate(po)
    response = api.post(
        "/api/v1/products/SHOP/members/", {"email": "x@example.com", "role": "developer"}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests"
    assert 0 < int(response.headers["Retry-After"]) <= 24 * 3600


def test_over_the_limit_the_form_says_so_on_the_email_field(client, po, product):
    for _ in range(INVITATIONS_PER_ADDRESS):
        invite(product, po, "target@example.com")
    client.force_login(po)
    response = client.post(
        reverse("backlog:members", args=["SHOP"]), {"email": "target@example.com", "role": "developer"}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "invitations to Ordo this week" in response.context["add_form"].errors["email"][0]


# --- What became of the email ----------------------------------------------------------------------


def members_page(client, po):
    client.force_login(po)
    html = client.get(reverse("backlog:members", args=["SHOP"])).content.decode()
    return html.split('id="invitations-heading"')[1]


def test_the_members_page_shows_a_sent_invitation(client, po, product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(product, po, "newbie@example.com")
    assert "Sent <time" in members_page(client, po)


def test_a_refused_invitation_shows_the_reason_and_resend_sends_a_new_email(
    client, po, product, settings, django_capture_on_commit_callbacks
):
    invitation = invite(product, po, "newbie@example.com")
    OutboxMessage.objects.filter(pk=invitation.message_id).update(
        state=OutboxMessage.State.FAILED, error="550 5.1.1 No such mailbox", body=""
    )
    page = members_page(client, po)
    assert "Failed</strong>: 550 5.1.1 No such mailbox" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backlog:invitation-resend", args=["SHOP", invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.message.state == OutboxMessage.State.SENT
    assert [message.to for message in mail.outbox] == [["newbie@example.com"]]
    assert "/invitations/" in mail.outbox[0].body  # the text was built again


def test_a_retrying_invitation_says_when_it_is_tried_next(client, po, product):
    invitation = invite(product, po, "newbie@example.com")
    later = timezone.now() + dt.timedelta(minutes=5)
    OutboxMessage.objects.filter(pk=invitation.message_id).update(
        attempts=1, next_attempt_at=later, error="Mail server unreachable: [Errno 111] Connection refused"
    )
    page = members_page(client, po)
    assert "Retrying, next try at" in page and "Connection refused" in page


def test_resending_a_retrying_invitation_tries_it_now_without_a_second_email(
    client, po, product, django_capture_on_commit_callbacks
):
    invitation = invite(product, po, "newbie@example.com")
    OutboxMessage.objects.filter(pk=invitation.message_id).update(
        attempts=1, next_attempt_at=timezone.now() + dt.timedelta(hours=1)
    )
    client.force_login(po)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backlog:invitation-resend", args=["SHOP", invitation.pk]))
    assert OutboxMessage.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["newbie@example.com"]]


def test_only_a_product_owner_resends(client, po, product, developer):
    invitation = invite(product, po, "newbie@example.com")
    client.force_login(developer)
    assert client.post(reverse("backlog:invitation-resend", args=["SHOP", invitation.pk])).status_code == 403
