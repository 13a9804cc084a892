"""Nobody joins a product without saying yes: invitations are accepted or declined by the
invited person, on the home page, from the email's links, or through the API."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from backlog import services
from backlog.models import HistoryEntry, Invitation, Membership, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(po, product, django_capture_on_commit_callbacks):
    """An existing account, invited as a developer by the product owner."""
    user = make_user("ana@example.com", display_name="Ana")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_member(product=product, by=po, email=user.email, role="developer")
    return user, invitation


def links(message) -> dict[str, str]:
    found = re.findall(r"https?://[^/\s]+(/invitations/\S+)", message.body)
    return {"accept": next(p for p in found if not p.endswith("/decline/")), "decline": found[-1]}


def test_the_email_says_who_invites_to_what_with_a_decline_link(invited):
    message = mail.outbox[-1]
    assert message.to == ["ana@example.com"]
    assert message.subject == "Paula Owner invites you to Online shop on Ordo"
    assert "Paula Owner (po@example.com) invites you to join Online shop (SHOP) on Ordo as developer" in message.body
    assert links(message)["decline"].endswith("/decline/")


def test_an_account_and_an_unknown_address_get_the_same_email(invited, po, product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(product=product, by=po, email="nobody@example.com", role="developer")
    known, unknown = (re.sub(r"/invitations/\S+", "LINK", m.body) for m in mail.outbox[-2:])
    assert known == unknown


def test_the_invited_account_sees_it_on_the_home_page_and_accepts(client, invited, product):
    user, invitation = invited
    client.force_login(user)
    home = client.get(reverse("backlog:product-list")).content.decode()
    assert "Waiting invitations" in home and "Online shop" in home and "developer" in home
    response = client.post(reverse("backlog:waiting-accept", args=[invitation.pk]))
    assert response.url == "/p/SHOP/"
    membership = Membership.objects.get(product=product, user=user)
    assert membership.role == Role.DEVELOPER and membership.accepted_at is not None
    assert "Waiting invitations" not in client.get(reverse("backlog:product-list")).content.decode()


def test_declining_on_the_home_page_adds_no_one_and_tells_the_inviter(client, invited, po, product):
    user, invitation = invited
    client.force_login(user)
    client.post(reverse("backlog:waiting-decline", args=[invitation.pk]))
    assert not Membership.objects.filter(product=product, user=user).exists()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED
    assert HistoryEntry.objects.filter(event=HistoryEntry.INVITATION_DECLINED, data__email=user.email).exists()
    client.force_login(po)
    page = client.get(reverse("backlog:members", args=["SHOP"])).content.decode()
    assert user.email not in page.split('id="invitations-heading"')[1]


def test_someone_else_cannot_answer_an_invitation_by_its_id(client, invited, outsider, product):
    _, invitation = invited
    client.force_login(outsider)
    assert client.post(reverse("backlog:waiting-accept", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("backlog:waiting-decline", args=[invitation.pk])).status_code == 404
    assert not Membership.objects.filter(product=product, user=outsider).exists()
    assert Invitation.objects.get(pk=invitation.pk).state == Invitation.State.WAITING


def test_opening_the_decline_link_changes_nothing(client, invited):
    """Mail scanners follow links: only the button declines."""
    _, invitation = invited
    page = client.get(links(mail.outbox[-1])["decline"])
    assert page.status_code == 200
    assert "Decline the invitation to" in page.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).state == Invitation.State.WAITING


def test_the_decline_button_works_without_signing_in_and_voids_the_link(client, invited, product):
    user, invitation = invited
    decline, accept = links(mail.outbox[-1])["decline"], links(mail.outbox[-1])["accept"]
    response = client.post(decline)
    assert response.status_code == 200
    assert "You declined the invitation" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).state == Invitation.State.DECLINED
    client.force_login(user)
    refused = client.post(accept)
    assert refused.status_code == 400 and "This invitation was declined" in refused.content.decode()
    assert not Membership.objects.filter(product=product, user=user).exists()


def test_the_accept_page_offers_to_decline(client, invited):
    page = client.get(links(mail.outbox[-1])["accept"]).content.decode()
    assert "Paula Owner" in page and "po@example.com" in page
    assert links(mail.outbox[-1])["decline"] in page


def test_a_newcomer_name_over_the_limit_is_refused_not_cut(client, po, product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(product=product, by=po, email="newbie@example.com", role="developer")
    password = "a-brand-new-passphrase-42"
    response = client.post(
        links(mail.outbox[-1])["accept"], {"display_name": "N" * 101, "password1": password, "password2": password}
    )
    assert response.status_code == 400
    assert "display_name" in response.context["form"].errors
    assert not Membership.objects.filter(user__email="newbie@example.com").exists()


# --- The API ----------------------------------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_the_invitations_waiting_for_the_caller(invited, outsider):
    user, invitation = invited
    rows = api_as(user).get("/api/v1/invitations/").json()
    assert [(row["id"], row["product"], row["role"], row["invited_by"]) for row in rows] == [
        (invitation.pk, "SHOP", "developer", "Paula Owner")
    ]
    assert api_as(outsider).get("/api/v1/invitations/").json() == []


def test_accepting_through_the_api_makes_a_member(invited, product):
    user, invitation = invited
    response = api_as(user).post(f"/api/v1/invitations/{invitation.pk}/accept/", format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "developer"
    assert response.headers["Location"].endswith(f"/api/v1/products/SHOP/members/{user.pk}/")
    assert Membership.objects.filter(product=product, user=user).exists()
    again = api_as(user).post(f"/api/v1/invitations/{invitation.pk}/accept/", format="json")
    assert again.status_code == 404


def test_declining_through_the_api(invited, product):
    user, invitation = invited
    assert api_as(user).post(f"/api/v1/invitations/{invitation.pk}/decline/", format="json").status_code == 204
    assert Invitation.objects.get(pk=invitation.pk).state == Invitation.State.DECLINED
    assert not Membership.objects.filter(product=product, user=user).exists()


def test_someone_elses_invitation_is_a_404_like_a_made_up_one(invited, outsider):
    _, invitation = invited
    theirs = api_as(outsider).post(f"/api/v1/invitations/{invitation.pk}/accept/", format="json")
    made_up = api_as(outsider).post("/api/v1/invitations/999999/accept/", format="json")
    assert theirs.status_code == made_up.status_code == 404
    assert theirs.json() == made_up.json()


def test_a_body_on_accept_is_a_400_naming_the_field(invited):
    user, invitation = invited
    response = api_as(user).post(f"/api/v1/invitations/{invitation.pk}/accept/", {"role": "owner"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()["fields"]
