"""The single-line rule seen from the two doors: the API answers 400 naming the field, the HTML
forms show the error beside the field (400), and nothing is saved; never a 500 — a NUL byte
included, which PostgreSQL refuses in any text."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from backlog.models import Item, Label, Product, ProductGoal
from sprints.models import ActionItem
from tests.api_sprints.conftest import goals_url, sprint_url
from tests.conftest import PASSWORD, make_item

pytestmark = pytest.mark.django_db

FORBIDDEN = ["\n", "\r", "\x00", "\x1b", "\u2028", "\u2029", "\x85"]


def code(char: str) -> str:
    return f"U+{ord(char):04X}"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_refused(response, field: str, char: str) -> None:
    """A 400 in the API's error shape naming `field`; a NUL is refused by the parser's own
    check before the service sees it, with its own message."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == [field]
    if char != "\x00":
        assert f"found {code(char)}" in body["fields"][field][0]


# --- API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", FORBIDDEN, ids=code)
def test_the_api_refuses_an_item_title_with_a_control_character(po, product, char):
    response = api_as(po).post(
        reverse("api-item-list", kwargs={"key": product.key}), {"title": f"Fix{char}login"}, format="json"
    )
    assert_refused(response, "title", char)
    assert not Item.objects.exists()


@pytest.mark.parametrize("char", FORBIDDEN, ids=code)
def test_the_api_refuses_a_title_edit_with_a_control_character(po, product, char):
    item = make_item(product, title="Fix login")
    response = api_as(po).patch(
        reverse("api-item-detail", kwargs={"key": item.key}), {"title": f"Fix{char}login"}, format="json"
    )
    assert_refused(response, "title", char)
    item.refresh_from_db()
    assert (item.title, item.version) == ("Fix login", 1)


def test_the_api_refuses_a_label_with_a_line_break(po, product):
    response = api_as(po).post(
        reverse("api-item-list", kwargs={"key": product.key}),
        {"title": "Fix login", "labels": ["ok", "check\nout"]},
        format="json",
    )
    assert_refused(response, "labels", "\n")
    assert not Item.objects.exists() and not Label.objects.exists()


@pytest.mark.parametrize("char", FORBIDDEN, ids=code)
def test_the_api_refuses_a_product_name_with_a_control_character(po, char):
    response = api_as(po).post(reverse("api-product-list"), {"key": "NEW", "name": f"Shop{char}UK"}, format="json")
    assert_refused(response, "name", char)
    assert not Product.objects.exists()


def test_the_api_refuses_renaming_a_product_with_a_line_break(po, product):
    response = api_as(po).patch(
        reverse("api-product-detail", kwargs={"key": product.key}), {"name": "Online\r\nshop"}, format="json"
    )
    assert_refused(response, "name", "\r")
    product.refresh_from_db()
    assert product.name == "Online shop"


def test_the_api_refuses_a_product_goal_title_with_a_line_break(po, product):
    response = api_as(po).post(goals_url(product.key), {"title": "Sell\u2028abroad"}, format="json")
    assert_refused(response, "title", "\u2028")
    assert not ProductGoal.objects.exists()


def test_the_api_refuses_an_action_item_title_with_a_line_break(po, active_sprint):
    response = api_as(po).post(sprint_url(active_sprint, "actions"), {"title": "Pair\nmore"}, format="json")
    assert_refused(response, "title", "\n")
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("char", ["\n", "\x00"], ids=code)
def test_the_api_refuses_a_token_name_with_a_control_character(po, char):
    response = APIClient().post(
        reverse("api-auth-token"), {"email": po.email, "password": PASSWORD, "name": f"CI{char}job"}, format="json"
    )
    assert_refused(response, "name", char)
    assert not ApiToken.objects.exists()


def test_the_api_refuses_a_nul_in_a_description_with_a_400(po, product):
    response = api_as(po).post(
        reverse("api-item-list", kwargs={"key": product.key}),
        {"title": "Fix login", "description": "Steps\x00"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["description"]
    assert not Item.objects.exists()


def test_the_api_keeps_a_tab_in_a_title(po, product):
    response = api_as(po).post(
        reverse("api-item-list", kwargs={"key": product.key}), {"title": "Fix\tlogin"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["title"] == "Fix\tlogin"


# --- HTML forms ----------------------------------------------------------------------------------


def assert_form_error(response, field: str, char: str, *, form: str = "form") -> None:
    """A 400 page whose form carries the error on `field`, shown beside it."""
    assert response.status_code == 400
    errors = response.context[form].errors
    assert list(errors) == [field]
    message = errors[field][0]
    if char != "\x00":  # Django's form field refuses NUL itself, in its own words
        assert f"found {code(char)}" in message
    assert message in response.content.decode().replace("&#x27;", "'")


ITEM_FORM = {"kind": "story", "status": "new", "estimate": "", "labels": ""}


@pytest.mark.parametrize("char", FORBIDDEN, ids=code)
def test_the_item_form_shows_a_control_character_in_the_title_beside_the_title(client, po, product, char):
    client.force_login(po)
    response = client.post(
        reverse("backlog:item-create", args=[product.key]), {**ITEM_FORM, "title": f"Fix{char}login"}
    )
    assert_form_error(response, "title", char)
    assert not Item.objects.exists()


def test_the_item_form_shows_a_label_with_a_line_break_beside_the_labels(client, po, product):
    client.force_login(po)
    response = client.post(
        reverse("backlog:item-create", args=[product.key]),
        {**ITEM_FORM, "title": "Fix login", "labels": "ok, check\u2029out"},
    )
    assert_form_error(response, "labels", "\u2029")
    assert not Item.objects.exists()


@pytest.mark.parametrize("char", ["\r", "\x00", "\x85"], ids=code)
def test_the_new_product_form_shows_a_control_character_in_the_name_beside_the_name(client, po, char):
    client.force_login(po)
    response = client.post(reverse("backlog:product-create"), {"key": "NEW", "name": f"Shop{char}UK"})
    assert_form_error(response, "name", char)
    assert not Product.objects.exists()


def test_the_settings_form_shows_a_line_break_in_the_name_beside_the_name(client, po, product):
    client.force_login(po)
    response = client.post(
        reverse("backlog:product-settings", args=[product.key]), {"name": "Online\nshop", "vision": ""}
    )
    assert_form_error(response, "name", "\n")
    product.refresh_from_db()
    assert product.name == "Online shop"


def test_the_goal_form_shows_a_line_break_in_the_title_beside_the_title(client, po, product):
    client.force_login(po)
    response = client.post(
        reverse("backlog:product-goal", args=[product.key]), {"action": "set", "title": "Sell\nabroad"}
    )
    assert_form_error(response, "title", "\n")
    assert not ProductGoal.objects.exists()


def test_the_action_item_form_shows_an_escape_in_the_title_beside_the_title(client, po, active_sprint):
    client.force_login(po)
    response = client.post(reverse("sprints:sprint-action", args=[active_sprint.pk]), {"title": "Pair\x1bmore"})
    assert_form_error(response, "title", "\x1b", form="action_form")
    assert not ActionItem.objects.exists()


def test_the_token_form_shows_a_line_break_in_the_name_beside_the_name(client, po):
    client.force_login(po)
    response = client.post(reverse("accounts:tokens"), {"name": "CI\njob"})
    assert_form_error(response, "name", "\n")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("char", ["\n", "\x00", "\u2028"], ids=code)
def test_the_profile_form_shows_a_control_character_in_the_name_beside_the_name(client, po, char):
    client.force_login(po)
    response = client.post(reverse("accounts:profile"), {"display_name": f"Paula{char}Owner", "time_zone": "UTC"})
    assert_form_error(response, "display_name", char)
    po.refresh_from_db()
    assert po.display_name == "Paula Owner"
