"""Signing in with an email address, and signing out."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_form_labels_its_first_field_email(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert '<label for="id_username">Email' in response.content.decode()


def test_a_user_signs_in_with_their_email_in_any_capitalisation(client, po):
    response = client.post(
        reverse("accounts:login"), {"username": "  PO@Example.COM", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    assert response.url == reverse("backlog:product-list")
    assert client.session["_auth_user_id"] == str(po.pk)


def test_a_wrong_password_is_refused_with_a_clear_message(client, po):
    response = client.post(
        reverse("accounts:login"), {"username": po.email, "password": "nope"}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 200
    assert "That email and password do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_in_follows_next_to_the_page_asked_for(client, po):
    response = client.post(
        reverse("accounts:login") + "?next=/accounts/profile/",
        {"username": po.email, "password": PASSWORD, "next": "/accounts/profile/"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.url == "/accounts/profile/"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")


def test_signing_out_takes_a_post(client, po):
    client.force_login(po)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_signing_out_by_get_is_refused(client, po):
    client.force_login(po)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(po.pk)


def test_a_form_without_its_csrf_token_gets_ordos_page_that_says_what_to_do(po):
    """Django's stock page has an inline style the site's CSP refuses, and no way forward."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": po.email, "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form had expired, or was sent from another site" in html
    assert "<style" not in html and 'style="' not in html
