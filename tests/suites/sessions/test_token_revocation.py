"""Revocation takes effect at once: a revoked API token, or the tokens and sessions of a
deactivated account, are refused on the very next request (nothing caches who a token is)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken
from accounts.services import create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(po, product):
    return create_api_token(by=po, name="release script")


def call(secret: str):
    return Client().get(reverse("api-product-list"), HTTP_AUTHORIZATION=f"Token {secret}")


def assert_refused(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"


def test_a_token_revoked_on_the_tokens_page_is_refused_on_the_next_request(token, po):
    row, secret = token
    assert call(secret).status_code == 200  # used, so any cache there were would be warm
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(po)
    browser.get(reverse("accounts:tokens"))
    response = browser.post(
        reverse("accounts:token-revoke", args=[row.pk]),
        {"csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value},
    )
    assert response.status_code == 302
    assert_refused(call(secret))


def test_a_revoked_token_cannot_write_either(token):
    row, secret = token
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=row.created_at)
    response = Client().post(
        reverse("api-item-list", kwargs={"key": "SHOP"}),
        {"title": "Sneaked in"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {secret}",
    )
    assert_refused(response)


def test_revoking_one_token_leaves_the_others_working(token, po):
    row, secret = token
    other = create_api_token(by=po, name="backup job")[1]
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=row.created_at)
    assert_refused(call(secret))
    assert call(other).status_code == 200


def test_a_deactivated_account_loses_its_tokens_and_sessions_at_once(token, po):
    _, secret = token
    browser = Client()
    browser.force_login(po)
    assert call(secret).status_code == 200
    assert browser.get(reverse("accounts:profile")).status_code == 200
    po.is_active = False
    po.save(update_fields=["is_active"])
    assert_refused(call(secret))
    assert browser.get(reverse("accounts:profile")).status_code == 302
    api = browser.get(reverse("api-product-list"))
    assert api.status_code == 401


def test_a_token_that_never_existed_gets_the_same_answer_as_a_revoked_one(token):
    row, secret = token
    made_up = call("ordo_" + "x" * 40)
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=row.created_at)
    revoked = call(secret)
    assert (made_up.status_code, made_up.json()) == (revoked.status_code, revoked.json())
