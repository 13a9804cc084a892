"""The members page: who is on the team, and the product owner's changes to it."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backlog import services
from backlog.models import Membership, Role
from config.errors import InvalidInput
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def members_url():
    return reverse("backlog:members", args=["SHOP"])


def role_url(user):
    return reverse("backlog:member-role", args=["SHOP", user.pk])


def remove_url(user):
    return reverse("backlog:member-remove", args=["SHOP", user.pk])


def role_of(product, user):
    return Membership.objects.filter(product=product, user=user).values_list("role", flat=True).first()


@pytest.mark.parametrize("persona", ["po", "scrum_master", "developer", "stakeholder"])
def test_any_member_sees_the_members(client, request, product, developer, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(members_url())
    assert response.status_code == 200
    assert "dev@example.com" in response.content.decode()
    assert "Paula Owner" in response.content.decode()


def test_only_the_product_owner_sees_the_controls(client, product, developer):
    client.force_login(developer)
    body = client.get(members_url()).content.decode()
    assert "Add or invite" not in body
    assert "/role/" not in body


def test_the_product_owner_sees_a_labelled_role_select_per_member(client, po, product, developer):
    client.force_login(po)
    body = client.get(members_url()).content.decode()
    assert f'<label for="id_member_{developer.pk}_role"' in body
    assert f'id="id_member_{developer.pk}_role"' in body


def test_the_members_page_runs_the_same_queries_for_any_team_size(client, po, product):
    client.force_login(po)
    with CaptureQueriesContext(connection) as small:
        client.get(members_url())
    for n in range(8):
        Membership.objects.create(product=product, user=make_user(f"m{n}@example.com"), role=Role.DEVELOPER)
    with CaptureQueriesContext(connection) as large:
        client.get(members_url())
    assert len(large) == len(small)


def test_an_outsider_gets_404(client, product, outsider):
    client.force_login(outsider)
    assert client.get(members_url()).status_code == 404


def test_the_members_page_sends_anonymous_visitors_to_login(client, product):
    assert client.get(members_url()).status_code == 302


def test_inviting_an_existing_account_does_not_add_it_without_consent(
    client, po, product, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    """Adding someone at once let anyone create a product and mail strangers its digests."""
    client.force_login(po)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(members_url(), {"email": "Outsider@Example.com", "role": "developer"}, follow=True)
    assert role_of(product, outsider) is None
    assert [message.to for message in mailoutbox] == [[outsider.email]]
    assert "An invitation to join as developer is on its way to outsider@example.com" in response.content.decode()


def test_the_members_page_says_the_same_for_an_account_and_an_unknown_address(
    client, po, product, outsider, django_capture_on_commit_callbacks
):
    client.force_login(po)
    said = []
    for address in (outsider.email, "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(members_url(), {"email": address, "role": "developer"}, follow=True)
        said.append(response.content.decode().replace(address, "ADDRESS").split('<ul class="messages"')[1][:300])
    assert said[0] == said[1]


def test_adding_someone_who_is_a_member_already_says_so(client, po, product, developer):
    client.force_login(po)
    response = client.post(members_url(), {"email": developer.email, "role": "stakeholder"})
    assert response.status_code == 400
    assert response.context["add_form"].errors["email"] == ["Already a member."]


def test_an_invalid_email_is_refused_on_its_field(client, po, product):
    client.force_login(po)
    response = client.post(members_url(), {"email": "not-an-address", "role": "developer"})
    assert response.status_code == 400
    assert "email" in response.context["add_form"].errors


def test_the_product_owner_changes_a_role(client, po, product, developer):
    client.force_login(po)
    response = client.post(role_url(developer), {"role": "scrum_master"})
    assert response.url == members_url()
    assert role_of(product, developer) == Role.SCRUM_MASTER


def test_the_product_owner_removes_a_member(client, po, product, developer):
    client.force_login(po)
    client.post(remove_url(developer))
    assert role_of(product, developer) is None


def test_the_last_product_owner_cannot_be_demoted(client, po, product):
    client.force_login(po)
    response = client.post(role_url(po), {"role": "developer"}, follow=True)
    assert role_of(product, po) == Role.PRODUCT_OWNER
    assert "at least one product owner" in response.content.decode()


def test_the_last_product_owner_cannot_be_removed(client, po, product):
    client.force_login(po)
    response = client.post(remove_url(po), follow=True)
    assert role_of(product, po) == Role.PRODUCT_OWNER
    assert "at least one product owner" in response.content.decode()


def test_a_product_owner_may_step_down_once_there_is_another(client, po, product, developer):
    client.force_login(po)
    client.post(role_url(developer), {"role": "product_owner"})
    client.post(role_url(po), {"role": "developer"})
    assert role_of(product, po) == Role.DEVELOPER


def test_an_unknown_role_changes_nothing(client, po, product, developer):
    client.force_login(po)
    response = client.post(role_url(developer), {"role": "king"}, follow=True)
    assert role_of(product, developer) == Role.DEVELOPER
    assert "Choose one of the roles" in response.content.decode()


@pytest.mark.parametrize("persona", ["scrum_master", "developer", "stakeholder"])
def test_members_who_are_not_the_product_owner_get_403_on_member_writes(
    client, request, po, product, outsider, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(members_url(), {"email": outsider.email, "role": "developer"}).status_code == 403
    assert client.post(role_url(po), {"role": "stakeholder"}).status_code == 403
    assert client.post(remove_url(po)).status_code == 403
    assert role_of(product, po) == Role.PRODUCT_OWNER
    assert role_of(product, outsider) is None


def test_an_outsider_gets_404_on_member_writes(client, po, product, outsider):
    client.force_login(outsider)
    assert client.post(members_url(), {"email": outsider.email, "role": "developer"}).status_code == 404
    assert client.post(role_url(po), {"role": "stakeholder"}).status_code == 404
    assert client.post(remove_url(po)).status_code == 404


def test_a_role_change_for_someone_who_is_not_a_member_is_404(client, po, product, outsider):
    client.force_login(po)
    assert client.post(role_url(outsider), {"role": "developer"}).status_code == 404


def test_a_member_may_leave_the_product(client, product, developer):
    client.force_login(developer)
    response = client.post(remove_url(developer))
    assert response.url == reverse("backlog:product-list")
    assert role_of(product, developer) is None


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_demotions_leave_one_product_owner(on_postgres):
    owner_a, owner_b = make_user("a@example.com"), make_user("b@example.com")
    product = services.create_product(by=owner_a, key="RACE", name="Race")
    services.add_member(product=product, by=owner_a, user=owner_b, role=Role.PRODUCT_OWNER)
    barrier = threading.Barrier(2)
    outcomes = []

    def step_down(owner):
        try:
            membership = Membership.objects.get(product=product, user=owner)
            barrier.wait(timeout=10)
            services.change_role(membership=membership, by=owner, role=Role.DEVELOPER)
            outcomes.append("demoted")
        except InvalidInput:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(owner,)) for owner in (owner_a, owner_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert Membership.objects.filter(product=product, role=Role.PRODUCT_OWNER).count() == 1
