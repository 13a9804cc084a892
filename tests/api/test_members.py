"""/api/v1/products/{KEY}/members/: any member reads; the product owner adds, invites, changes
roles and removes; the last product owner stays."""

import pytest
from django.core import mail

from backlog.models import Membership, Role
from tests.api.conftest import member_url, members_url
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_any_member_lists_the_members(as_user, po, stakeholder, developer):
    response = as_user(stakeholder).get(members_url())
    assert response.status_code == 200
    rows = response.json()
    assert {row["email"] for row in rows} == {po.email, stakeholder.email, developer.email}
    owner = next(row for row in rows if row["user_id"] == po.pk)
    assert owner["role"] == "product_owner"
    assert owner["url"].endswith(f"/api/v1/products/SHOP/members/{po.pk}/")


def test_an_outsider_gets_a_404_for_the_members(as_user, outsider, product):
    assert as_user(outsider).get(members_url()).status_code == 404


def test_inviting_an_existing_account_is_the_same_202_and_adds_no_one(
    as_user, po, product, outsider, django_capture_on_commit_callbacks
):
    """It was a 201 with the user's id and display name: an account enumerator, and consent skipped."""
    answers = []
    for address in (outsider.email, "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = as_user(po).post(members_url(), {"email": address, "role": "developer"}, format="json")
        assert response.status_code == 202
        answers.append({key: str(value).replace(address, "ADDRESS") for key, value in response.json().items()})
    assert answers[0].keys() == answers[1].keys() == {"detail", "email", "expires_at"}
    assert answers[0]["detail"] == answers[1]["detail"]
    assert not Membership.objects.filter(product=product, user=outsider).exists()
    assert [message.to for message in mail.outbox] == [[outsider.email], ["nobody@example.com"]]


def test_a_new_address_gets_an_invitation_email(as_user, po, product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(po).post(members_url(), {"email": "New@Example.com", "role": "stakeholder"}, format="json")
    assert response.status_code == 202
    assert response.json()["email"] == "new@example.com"
    assert response.json()["detail"].startswith("Invitation sent")
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    assert not Membership.objects.filter(product=product, user__email="new@example.com").exists()


def test_adding_someone_already_there_is_a_400(as_user, po, developer):
    response = as_user(po).post(members_url(), {"email": developer.email, "role": "developer"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


def test_someone_already_there_has_its_own_code(as_user, po, developer):
    """A program can tell "a member already" from an address that is not one."""
    response = as_user(po).post(members_url(), {"email": developer.email, "role": "developer"}, format="json")
    assert response.json()["code"] == "already_member"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "role": "developer"}, "email"),
        ({"email": "x@example.com", "role": "boss"}, "role"),
        ({"role": "developer"}, "email"),
        ({"email": "x@example.com", "role": "developer", "admin": True}, "admin"),
    ],
)
def test_bad_member_input_is_a_400_naming_the_field(as_user, po, product, body, field):
    response = as_user(po).post(members_url(), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize("persona", ["scrum_master", "developer", "stakeholder"])
def test_only_the_product_owner_adds_members(request, as_user, product, outsider, persona):
    user = request.getfixturevalue(persona)
    response = as_user(user).post(members_url(), {"email": outsider.email, "role": "developer"}, format="json")
    assert response.status_code == 403


def test_the_product_owner_changes_a_role(as_user, po, developer):
    response = as_user(po).patch(member_url(developer), {"role": "scrum_master"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "scrum_master"
    assert Membership.objects.get(user=developer).role == Role.SCRUM_MASTER


def test_demoting_the_last_product_owner_is_a_400(as_user, po, product):
    response = as_user(po).patch(member_url(po), {"role": "developer"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "last_product_owner"


def test_a_second_owner_lets_the_first_step_down(as_user, po, developer):
    client = as_user(po)
    client.patch(member_url(developer), {"role": "product_owner"}, format="json")
    assert client.patch(member_url(po), {"role": "developer"}, format="json").status_code == 200


def test_a_developer_may_not_change_roles(as_user, developer, stakeholder):
    response = as_user(developer).patch(member_url(stakeholder), {"role": "developer"}, format="json")
    assert response.status_code == 403


def test_changing_the_role_of_a_non_member_is_a_404(as_user, po, product, outsider):
    assert as_user(po).patch(member_url(outsider), {"role": "developer"}, format="json").status_code == 404


def test_an_unknown_role_in_a_change_is_a_400(as_user, po, developer):
    response = as_user(po).patch(member_url(developer), {"role": "king"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()["fields"]


def test_the_product_owner_removes_a_member(as_user, po, developer):
    assert as_user(po).delete(member_url(developer)).status_code == 204
    assert not Membership.objects.filter(user=developer).exists()


def test_removing_the_last_product_owner_is_a_400(as_user, po, product):
    response = as_user(po).delete(member_url(po))
    assert response.status_code == 400
    assert response.json()["code"] == "last_product_owner"


def test_a_member_may_leave(as_user, stakeholder):
    assert as_user(stakeholder).delete(member_url(stakeholder)).status_code == 204
    assert not Membership.objects.filter(user=stakeholder).exists()


def test_a_developer_may_not_remove_someone_else(as_user, developer, stakeholder):
    assert as_user(developer).delete(member_url(stakeholder)).status_code == 403


def test_an_outsider_removing_a_member_gets_a_404(as_user, outsider, developer):
    assert as_user(outsider).delete(member_url(developer)).status_code == 404


def test_removing_someone_who_is_not_a_member_is_a_404(as_user, po, product):
    stranger = make_user("stranger@example.com")
    assert as_user(po).delete(member_url(stranger)).status_code == 404
