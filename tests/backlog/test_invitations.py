"""Inviting people by email: the link, joining with a password, and links that do not work."""

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from accounts.models import User
from backlog.models import Membership, Role
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEWCOMER = "newbie@example.com"
NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def invite(client, po, product, mailoutbox, django_capture_on_commit_callbacks):
    """The product owner invites someone from the members page; returns the link's path."""

    def send(email=NEWCOMER, role="developer"):
        client.force_login(po)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("backlog:members", args=["SHOP"]), {"email": email, "role": role})
        assert response.status_code == 302
        client.logout()
        match = re.search(r"https?://[^/\s]+(/invitations/\S+)", mailoutbox[-1].body)
        return match.group(1)

    return send


def join(client, path, password=NEW_PASSWORD, again=None, name="Newbie"):
    return client.post(path, {"display_name": name, "password1": password, "password2": again or password})


def test_inviting_a_new_address_sends_an_email_with_a_link(invite, mailoutbox):
    path = invite()
    assert mailoutbox[0].to == [NEWCOMER]
    assert "Online shop" in mailoutbox[0].subject
    assert path.startswith("/invitations/")


def test_the_members_page_says_the_invitation_is_on_its_way(client, po, product, django_capture_on_commit_callbacks):
    client.force_login(po)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backlog:members", args=["SHOP"]), {"email": NEWCOMER, "role": "stakeholder"}, follow=True
        )
    assert f"An invitation to join as stakeholder is on its way to {NEWCOMER}" in response.content.decode()


def test_the_invitation_page_shows_product_and_role(client, invite):
    body = client.get(invite(role="scrum_master")).content.decode()
    assert "Online shop" in body and "SHOP" in body
    assert "scrum master" in body
    assert NEWCOMER in body


def test_a_newcomer_sets_a_password_and_joins_with_the_role(client, invite, product):
    path = invite(role="developer")
    response = join(client, path)
    assert response.status_code == 302
    assert response.url == "/p/SHOP/"
    user = User.objects.get(email=NEWCOMER)
    assert user.check_password(NEW_PASSWORD)
    assert user.display_name == "Newbie"
    assert Membership.objects.get(product=product, user=user).role == Role.DEVELOPER


def test_a_newcomer_is_signed_in_after_joining(client, invite):
    join(client, invite())
    assert client.session["_auth_user_id"] == str(User.objects.get(email=NEWCOMER).pk)
    assert client.get(reverse("backlog:product-list")).status_code == 200


def test_differing_passwords_are_refused_on_the_second_field(client, invite):
    response = join(client, invite(), again="something-else-entirely")
    assert response.status_code == 400
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(email=NEWCOMER).exists()


def test_a_weak_password_is_refused_with_the_reason(client, invite):
    response = join(client, invite(), password="12345678")
    assert response.status_code == 400
    assert "too common" in " ".join(response.context["form"].errors["password1"])
    assert not User.objects.filter(email=NEWCOMER).exists()


def test_an_expired_link_gets_a_clear_message(client, invite, monkeypatch):
    real_time = time.time
    # Sign the invitation eight days ago: the link lives for seven.
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 8 * 24 * 3600)
    path = invite()
    monkeypatch.setattr(signing.time, "time", real_time)
    response = client.get(path)
    assert response.status_code == 400
    assert "This invitation has expired" in response.content.decode()
    assert join(client, path).status_code == 400
    assert not User.objects.filter(email=NEWCOMER).exists()


def test_a_tampered_link_gets_a_clear_message(client, invite):
    path = invite()
    token = path.rstrip("/").rsplit("/", 1)[1]
    payload, rest = token.split(":", 1)
    forged = f"/invitations/{payload[:-2]}xy:{rest}/"
    response = client.get(forged)
    assert response.status_code == 400
    assert "This invitation link is not valid" in response.content.decode()


def test_a_made_up_link_gets_a_clear_message(client, db):
    response = client.get("/invitations/not-a-token/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_an_existing_account_must_sign_in_to_accept(client, invite, product):
    path = invite()
    make_user(NEWCOMER)  # the account appeared after the invitation was sent
    page = client.get(path).content.decode()
    assert "Sign in as newbie@example.com" in page
    response = client.post(path)
    assert response.status_code == 400
    assert not Membership.objects.filter(product=product, user__email=NEWCOMER).exists()


def test_signed_in_as_the_invited_address_one_joins_with_a_click(client, invite, product):
    path = invite(role="stakeholder")
    user = make_user(NEWCOMER)
    client.force_login(user)
    response = client.post(path)
    assert response.url == "/p/SHOP/"
    assert Membership.objects.get(product=product, user=user).role == Role.STAKEHOLDER


def test_signed_in_as_someone_else_one_cannot_accept(client, invite, product, outsider):
    path = invite()
    make_user(NEWCOMER)
    client.force_login(outsider)
    assert "This invitation is for newbie@example.com" in client.get(path).content.decode()
    assert client.post(path).status_code == 400
    assert not Membership.objects.filter(product=product, user=outsider).exists()


def test_a_used_link_does_not_make_a_second_account(client, invite):
    path = invite()
    join(client, path)
    client.logout()
    response = join(client, path, password=PASSWORD)
    assert response.status_code == 400
    assert User.objects.filter(email=NEWCOMER).count() == 1
    assert User.objects.get(email=NEWCOMER).check_password(NEW_PASSWORD)
