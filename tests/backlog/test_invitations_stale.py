"""Invitation links stop working when they should: a removal sticks, a newer invitation or a
withdrawal replaces the old link, and a link from someone who no longer manages the product
is void."""

import re

import pytest

from backlog import services
from backlog.models import Invitation, Membership, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NEWCOMER = "newbie@example.com"
PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def invite(po, product, mailoutbox, django_capture_on_commit_callbacks):
    """Invite by the service, as the members page and the API do; returns the link's path."""

    def send(email=NEWCOMER, role="developer", by=po):
        with django_capture_on_commit_callbacks(execute=True):
            services.invite_member(product=product, by=by, email=email, role=role)
        return re.search(r"https?://[^/\s]+(/invitations/\S+)", mailoutbox[-1].body).group(1)

    return send


def join(client, path):
    return client.post(path, {"display_name": "Newbie", "password1": PASSWORD, "password2": PASSWORD})


def test_a_used_link_cannot_be_used_again_after_a_removal(client, invite, po, product):
    path = invite()
    assert join(client, path).status_code == 302
    membership = Membership.objects.get(product=product, user__email=NEWCOMER)
    services.remove_member(membership=membership, by=po)
    client.force_login(membership.user)
    response = client.post(path)
    assert response.status_code == 400
    assert "This invitation has been accepted already" in response.content.decode()
    assert not Membership.objects.filter(product=product, user__email=NEWCOMER).exists()


def test_removing_a_member_voids_the_link_still_waiting_for_their_address(client, invite, po, product):
    """Possible for people an owner added directly while an invitation to them was waiting."""
    path = invite()
    member = Membership.objects.create(product=product, user=make_user(NEWCOMER), role=Role.DEVELOPER)
    services.remove_member(membership=member, by=po)
    client.force_login(member.user)
    response = client.post(path)
    assert response.status_code == 400
    assert "were removed, after this invitation was sent" in response.content.decode()
    assert Invitation.objects.get().state == Invitation.State.REVOKED
    assert not Membership.objects.filter(product=product, user__email=NEWCOMER).exists()


def test_a_newer_invitation_replaces_the_older_link(client, invite):
    as_developer = invite(role="developer")
    as_stakeholder = invite(role="stakeholder")
    response = join(client, as_developer)
    assert response.status_code == 400
    assert "A newer invitation was sent to this address" in response.content.decode()
    assert join(client, as_stakeholder).status_code == 302


def test_a_withdrawn_invitation_no_longer_works(client, invite, po, product):
    path = invite()
    services.withdraw_invitation(product=product, by=po, email=NEWCOMER.upper())
    assert "This invitation was withdrawn" in client.get(path).content.decode()
    assert join(client, path).status_code == 400
    assert not Membership.objects.filter(product=product, user__email=NEWCOMER).exists()


def test_a_link_from_someone_no_longer_product_owner_is_void(client, invite, po, product):
    other_owner = make_user("second-po@example.com")
    Membership.objects.create(product=product, user=other_owner, role=Role.PRODUCT_OWNER)
    path = invite(by=other_owner)
    services.change_role(membership=Membership.objects.get(user=other_owner), by=po, role=Role.DEVELOPER)
    response = join(client, path)
    assert response.status_code == 400
    assert "its sender no longer manages Online shop" in response.content.decode()


def test_only_a_product_owner_withdraws_invitations(product, developer):
    from config.errors import Forbidden

    with pytest.raises(Forbidden):
        services.withdraw_invitation(product=product, by=developer, email=NEWCOMER)


def test_the_invitation_page_still_works_for_a_fresh_link(client, invite, product):
    path = invite()
    assert client.get(path).status_code == 200
    assert join(client, path).status_code == 302
    assert Membership.objects.get(product=product, user__email=NEWCOMER).role == Role.DEVELOPER


def test_the_members_page_lists_waiting_invitations_and_withdraws_one(client, invite, po, product, developer):
    invite(email="first@example.com", role="stakeholder")
    path = invite(email=NEWCOMER, role="developer")
    invite(email="joined@example.com", role="developer")
    Membership.objects.create(product=product, user=make_user("joined@example.com"), role=Role.DEVELOPER)
    client.force_login(po)
    html = client.get(f"/p/{product.key}/members/").content.decode()
    waiting = html[html.index('id="invitations-heading"') :]
    assert "first@example.com" in waiting and NEWCOMER in waiting and "joined@example.com" not in waiting
    assert "Stakeholder" in waiting and "by <bdi>Paula Owner</bdi>" in waiting
    response = client.post(f"/p/{product.key}/invitations/withdraw/", {"email": NEWCOMER}, follow=True)
    html = response.content.decode()
    assert f"The invitation to {NEWCOMER} is withdrawn" in html
    assert NEWCOMER not in html[html.index('id="invitations-heading"') :]
    client.logout()
    assert "This invitation was withdrawn" in client.get(path).content.decode()
    # The team sees members, not the invitations.
    client.force_login(developer)
    assert 'id="invitations-heading"' not in client.get(f"/p/{product.key}/members/").content.decode()


def test_a_link_made_before_links_carried_their_time_still_works(client, invite, po, product):
    """Links already in people's mailboxes when this shipped carry no "t"."""
    from django.core import signing

    from backlog.services.invitations import INVITATION_SALT

    invite()  # the history of the invitation those links came from
    legacy = signing.dumps({"p": product.pk, "e": NEWCOMER, "r": "developer", "by": po.pk}, salt=INVITATION_SALT)
    assert join(client, f"/invitations/{legacy}/").status_code == 302
    assert Membership.objects.filter(product=product, user__email=NEWCOMER).exists()


def test_the_waiting_list_leaves_out_links_that_no_longer_work(client, invite, po, product):
    from backlog import selectors

    def waiting():
        return [invitation.email for invitation in selectors.waiting_invitations(product)]

    assert join(client, invite(email=NEWCOMER)).status_code == 302
    assert NEWCOMER not in waiting()  # accepted
    second_owner = make_user("second-po@example.com")
    Membership.objects.create(product=product, user=second_owner, role=Role.PRODUCT_OWNER)
    invite(email="from-second@example.com", by=second_owner)
    assert "from-second@example.com" in waiting()
    services.change_role(membership=Membership.objects.get(user=second_owner), by=po, role=Role.DEVELOPER)
    assert "from-second@example.com" not in waiting()  # its sender no longer manages the product


def test_withdrawing_needs_an_email_address(product, po):
    from config.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        services.withdraw_invitation(product=product, by=po, email="x" * 300)
    assert list(error.value.fields) == ["email"]
