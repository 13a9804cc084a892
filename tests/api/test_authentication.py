"""Who the API thinks you are: token, session (with CSRF on writes), or nobody (401)."""

import pytest
from django.middleware.csrf import get_token
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts import services as account_services
from tests.api.conftest import items_url, products_url

pytestmark = pytest.mark.django_db


def test_an_anonymous_call_is_a_401_with_www_authenticate(api, product):
    response = api.get(items_url())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_an_anonymous_write_is_a_401_too(api, product):
    response = api.post(items_url(), {"title": "x"}, format="json")
    assert response.status_code == 401


def test_a_token_in_the_authorization_header_authenticates(po, product):
    _, secret = account_services.create_api_token(by=po, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.post(items_url(), {"title": "From a script"}, format="json")
    assert response.status_code == 201


def test_a_revoked_token_is_a_401(po, product):
    token, secret = account_services.create_api_token(by=po, name="old")
    account_services.revoke_api_token(by=po, token_id=token.pk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get(products_url())
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked token."


def test_an_unknown_token_is_a_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token ordo_not-a-real-token")
    assert client.get(products_url()).status_code == 401


def test_a_session_reads_without_a_csrf_token(po, product):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(po)
    assert client.get(items_url()).status_code == 200


def test_a_session_write_without_a_csrf_token_is_refused(po, product):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(po)
    response = client.post(items_url(), {"title": "Forged"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_write_with_the_csrf_token_goes_through(po, product):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(po)
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    response = client.post(items_url(), {"title": "From the browser"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
