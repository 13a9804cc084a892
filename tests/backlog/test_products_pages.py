"""The products list, creating a product, and its settings."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from backlog import services
from backlog.models import Membership, Product, Role
from tests.conftest import make_items

pytestmark = pytest.mark.django_db


def test_the_product_list_shows_the_users_products_with_role_and_item_count(client, product, developer):
    make_items(product, 3)
    client.force_login(developer)
    response = client.get(reverse("backlog:product-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Online shop" in body
    assert "<td>Developer</td>" in body
    assert "<td>3</td>" in body
    assert 'href="/products/new/"' in body


def test_the_product_list_leaves_out_other_peoples_products(client, product, outsider):
    client.force_login(outsider)
    assert "Online shop" not in client.get(reverse("backlog:product-list")).content.decode()


def test_the_product_list_runs_a_fixed_number_of_queries(client, po, django_assert_max_num_queries):
    from backlog import services

    for n in range(5):
        services.create_product(by=po, key=f"P{n}X", name=f"Product {n}")
    client.force_login(po)
    with django_assert_max_num_queries(6):
        client.get(reverse("backlog:product-list"))


def test_the_product_list_sends_anonymous_visitors_to_login(client, db):
    response = client.get(reverse("backlog:product-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_creating_a_product_makes_the_creator_its_product_owner(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("backlog:product-create"), {"key": "CRM", "name": "Customer desk", "vision": "Happy *customers*."}
    )
    assert response.status_code == 302
    assert response.url == "/p/CRM/"
    product = Product.objects.get(key="CRM")
    assert Membership.objects.get(product=product, user=outsider).role == Role.PRODUCT_OWNER


def test_a_lower_case_key_is_upper_cased(client, outsider):
    client.force_login(outsider)
    client.post(reverse("backlog:product-create"), {"key": "crm2", "name": "Customer desk"})
    assert Product.objects.filter(key="CRM2").exists()


@pytest.mark.parametrize("key", ["A", "ELEVENCHARS", "SH OP", "SHÖP", "SHOP-1", ""])
def test_a_key_breaking_the_rules_is_refused_on_the_key_field(client, outsider, key):
    client.force_login(outsider)
    response = client.post(reverse("backlog:product-create"), {"key": key, "name": "Customer desk"})
    assert response.status_code == 400
    assert "key" in response.context["form"].errors
    assert not Product.objects.exists()


def test_a_taken_key_is_refused_with_a_message(client, product, outsider):
    client.force_login(outsider)
    response = client.post(reverse("backlog:product-create"), {"key": "shop", "name": "Another shop"})
    assert response.status_code == 400
    assert response.context["form"].errors["key"] == ["The key SHOP is taken; choose another."]


def test_a_product_needs_a_name(client, outsider):
    client.force_login(outsider)
    response = client.post(reverse("backlog:product-create"), {"key": "CRM", "name": "  "})
    assert "name" in response.context["form"].errors


def test_the_product_owner_edits_name_and_vision(client, po, product):
    client.force_login(po)
    response = client.post(
        reverse("backlog:product-settings", args=["SHOP"]), {"name": "Web shop", "vision": "Sell **more**."}
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.vision) == ("Web shop", "Sell **more**.")


def test_the_settings_page_shows_the_key_but_no_field_for_it(client, po, product):
    client.force_login(po)
    body = client.get(reverse("backlog:product-settings", args=["SHOP"])).content.decode()
    assert "<strong>SHOP</strong>" in body
    assert 'name="key"' not in body


def test_the_key_cannot_change_through_the_settings(client, po, product):
    client.force_login(po)
    client.post(reverse("backlog:product-settings", args=["SHOP"]), {"key": "NEW", "name": "Shop", "vision": ""})
    product.refresh_from_db()
    assert product.key == "SHOP"
    assert not Product.objects.filter(key="NEW").exists()


@pytest.mark.parametrize("persona", ["scrum_master", "developer", "stakeholder"])
def test_members_who_are_not_the_product_owner_get_403_on_settings(client, request, product, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("backlog:product-settings", args=["SHOP"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Hijacked"}).status_code == 403
    product.refresh_from_db()
    assert product.name == "Online shop"


def test_an_outsider_gets_404_on_settings(client, product, outsider):
    client.force_login(outsider)
    assert client.get(reverse("backlog:product-settings", args=["SHOP"])).status_code == 404


OWN_TEMPLATES = [
    *sorted((Path(settings.BASE_DIR) / "accounts/templates/accounts").glob("*.html")),
    *sorted((Path(settings.BASE_DIR) / "backlog/templates/backlog").glob("product_*.html")),
    *sorted((Path(settings.BASE_DIR) / "backlog/templates/backlog").glob("members*.html")),
    *sorted((Path(settings.BASE_DIR) / "backlog/templates/backlog").glob("invitation*.html")),
]


@pytest.mark.parametrize("template", OWN_TEMPLATES, ids=lambda p: p.name)
def test_pages_carry_no_inline_script_style_or_handler(template):
    """The CSP forbids them; they would silently not work."""
    text = template.read_text()
    assert "<script" not in text
    assert "<style" not in text
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text)


def test_the_product_list_shows_each_products_active_goal(client, po, product):
    services.set_product_goal(product=product, by=po, title="Checkout in one minute")
    client.force_login(po)
    response = client.get(reverse("backlog:product-list"))
    assert "Checkout in one minute" in response.content.decode()
