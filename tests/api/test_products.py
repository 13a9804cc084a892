"""/api/v1/products/: only your products; create; read; change name or vision, never the key."""

import pytest

from backlog import services
from backlog.models import Membership, Product, Role
from tests.api.conftest import product_url, products_url
from tests.conftest import make_items

pytestmark = pytest.mark.django_db


def test_the_list_holds_only_the_callers_products(as_user, po, product, outsider):
    services.create_product(by=outsider, key="OTHER", name="Not yours")
    response = as_user(po).get(products_url())
    assert response.status_code == 200
    assert [row["key"] for row in response.json()["results"]] == ["SHOP"]


def test_a_listed_product_carries_role_counts_and_links(as_user, po, product):
    make_items(product, 2)
    row = as_user(po).get(products_url()).json()["results"][0]
    assert row["my_role"] == "product_owner"
    assert row["live_items"] == 2
    assert row["url"].endswith("/api/v1/products/SHOP/")
    assert row["items_url"].endswith("/api/v1/products/SHOP/items/")
    assert row["members_url"].endswith("/api/v1/products/SHOP/members/")


def test_the_product_list_is_paginated_by_key(as_user, po):
    for key in ["CC", "AA", "BB"]:
        services.create_product(by=po, key=key, name=key)
    client = as_user(po)
    first = client.get(products_url(), {"page_size": 2}).json()
    assert [row["key"] for row in first["results"]] == ["AA", "BB"]
    second = client.get(first["next"]).json()
    assert [row["key"] for row in second["results"]] == ["CC"]


def test_creating_a_product_makes_the_caller_its_owner(as_user, outsider):
    response = as_user(outsider).post(products_url(), {"key": "NEW", "name": "New one"}, format="json")
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/api/v1/products/NEW/")
    assert response.json()["my_role"] == "product_owner"
    assert Membership.objects.get(product__key="NEW", user=outsider).role == Role.PRODUCT_OWNER


def test_a_malformed_key_is_a_400_naming_key(as_user, po):
    response = as_user(po).post(products_url(), {"key": "no way", "name": "x"}, format="json")
    assert response.status_code == 400
    assert "key" in response.json()["fields"]


def test_a_taken_key_is_a_400_naming_key(as_user, po, product, outsider):
    response = as_user(outsider).post(products_url(), {"key": "SHOP", "name": "Mine"}, format="json")
    assert response.status_code == 400
    assert "key" in response.json()["fields"]


def test_a_taken_key_has_its_own_code(as_user, po, product, outsider):
    """A program can tell "choose another key" from a malformed request."""
    response = as_user(outsider).post(products_url(), {"key": "SHOP", "name": "Mine"}, format="json")
    assert response.json()["code"] == "key_taken"


def test_a_product_needs_a_name(as_user, po):
    response = as_user(po).post(products_url(), {"key": "NONAME"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def test_any_member_reads_a_product(as_user, stakeholder, product):
    response = as_user(stakeholder).get(product_url())
    assert response.status_code == 200
    assert response.json()["my_role"] == "stakeholder"
    assert response.json()["vision"] == "Sell *things*."


def test_an_outsider_gets_a_404_for_a_product(as_user, outsider, product):
    response = as_user(outsider).get(product_url())
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_product_is_a_404(as_user, po):
    assert as_user(po).get(product_url("NOPE")).status_code == 404


def test_the_product_owner_changes_name_and_vision(as_user, po, product):
    response = as_user(po).patch(product_url(), {"name": "Shop", "vision": "Sell more."}, format="json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.name, product.vision) == ("Shop", "Sell more.")


def test_changing_the_key_is_a_400_naming_key(as_user, po, product):
    response = as_user(po).patch(product_url(), {"key": "STORE"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["key"]
    assert Product.objects.filter(key="SHOP").exists()


def test_sending_the_same_key_back_is_harmless(as_user, po, product):
    response = as_user(po).patch(product_url(), {"key": "SHOP", "name": "Shop"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["scrum_master", "developer", "stakeholder"])
def test_other_roles_may_not_change_the_product(request, as_user, product, persona):
    user = request.getfixturevalue(persona)
    response = as_user(user).patch(product_url(), {"name": "Mine now"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_an_outsider_changing_a_product_gets_a_404(as_user, outsider, product):
    assert as_user(outsider).patch(product_url(), {"name": "x"}, format="json").status_code == 404


def test_an_unknown_field_in_a_product_patch_is_a_400(as_user, po, product):
    response = as_user(po).patch(product_url(), {"owner": "me"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"owner": ["Unknown field."]}


def test_a_blank_name_is_refused(as_user, po, product):
    response = as_user(po).patch(product_url(), {"name": "   "}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]
