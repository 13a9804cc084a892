"""Personal API tokens: created with the secret shown once, listed, revoked."""

import re

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from accounts.services import create_api_token

pytestmark = pytest.mark.django_db


def create(client, name="release script"):
    return client.post(reverse("accounts:tokens"), {"name": name})


def secret_in(body: str) -> str:
    match = re.search(r'value="(ordo_[^"]+)"', body)
    return match.group(1) if match else ""


def test_creating_a_token_shows_its_secret_on_the_response(client, po):
    client.force_login(po)
    response = create(client)
    assert response.status_code == 200
    secret = secret_in(response.content.decode())
    assert secret.startswith("ordo_")
    assert "only time it is shown" in response.content.decode()
    assert ApiToken.objects.get(user=po).prefix == secret[len("ordo_") : len("ordo_") + 8]


def test_the_secret_is_never_shown_again(client, po):
    client.force_login(po)
    secret = secret_in(create(client).content.decode())
    later = client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in later
    assert secret_in(later) == ""


def test_the_secret_is_not_stored(client, po):
    client.force_login(po)
    secret = secret_in(create(client).content.decode())
    token = ApiToken.objects.get(user=po)
    assert secret not in (token.digest, token.prefix, token.name)


def test_the_response_with_the_secret_is_not_cached(client, po):
    client.force_login(po)
    assert "no-store" in create(client)["Cache-Control"]


def test_the_list_shows_name_created_and_last_used(client, po):
    create_api_token(by=po, name="release script")
    client.force_login(po)
    body = client.get(reverse("accounts:tokens")).content.decode()
    assert "release script" in body
    assert "Created" in body and "Last used" in body
    assert "never" in body


def test_the_list_shows_only_the_users_own_tokens(client, po, outsider):
    create_api_token(by=outsider, name="someone else's")
    client.force_login(po)
    assert "someone else" not in client.get(reverse("accounts:tokens")).content.decode()


def test_revoking_a_token_marks_it_revoked(client, po):
    token, _ = create_api_token(by=po, name="old")
    client.force_login(po)
    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.url == reverse("accounts:tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in client.get(reverse("accounts:tokens")).content.decode()


def test_revoking_takes_a_post(client, po):
    token, _ = create_api_token(by=po, name="old")
    client.force_login(po)
    assert client.get(reverse("accounts:token-revoke", args=[token.pk])).status_code == 405


def test_someone_elses_token_cannot_be_revoked(client, po, outsider):
    token, _ = create_api_token(by=outsider, name="theirs")
    client.force_login(po)
    assert client.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_opens_the_api_until_it_is_revoked(client, api_client_factory, po):
    token, secret = create_api_token(by=po, name="script")
    api = api_client_factory(secret)
    assert api.get("/api/v1/products/").status_code == 200
    client.force_login(po)
    client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert api.get("/api/v1/products/").status_code == 401


@pytest.fixture
def api_client_factory():
    from django.test import Client

    def make(secret):
        return Client(HTTP_AUTHORIZATION=f"Token {secret}")

    return make
