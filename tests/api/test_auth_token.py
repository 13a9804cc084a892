"""POST /api/v1/auth/token/: email and password in, a personal token out; failures count
against the same (account, address) lock as the login form."""

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import digest
from tests.api.conftest import products_url
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def token_url():
    return reverse("api-auth-token")


def ask(api, email, password, address="127.0.0.1", **extra):
    return api.post(token_url(), {"email": email, "password": password, **extra}, format="json", REMOTE_ADDR=address)


def fail(api, email, times, address=ATTACKER):
    return [ask(api, email, "wrong-password", address) for _ in range(times)]


def test_right_credentials_get_a_new_token(api, po):
    response = ask(api, po.email, PASSWORD)
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("ordo_")
    assert body["name"]
    assert ApiToken.objects.filter(user=po, digest=digest(body["token"]), revoked_at=None).exists()


def test_the_token_can_be_named(api, po):
    response = ask(api, po.email, PASSWORD, name="CI script")
    assert response.json()["name"] == "CI script"


def test_the_new_token_authenticates_api_calls(api, po, product):
    secret = ask(api, po.email, PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get(products_url())
    assert response.status_code == 200
    assert [row["key"] for row in response.json()["results"]] == ["SHOP"]


def test_the_email_is_matched_in_any_capitalisation(api, po):
    assert ask(api, "PO@Example.COM", PASSWORD).status_code == 201


def test_a_wrong_password_is_a_400_that_does_not_say_whether_the_email_exists(api, po):
    wrong_password = ask(api, po.email, "wrong-password")
    unknown_email = ask(api, "nobody@example.com", "wrong-password")
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json()["code"] == "invalid_credentials"


def test_an_inactive_account_gets_no_token(api, po):
    po.is_active = False
    po.save(update_fields=["is_active"])
    response = ask(api, po.email, PASSWORD)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_missing_fields_are_named(api, db):
    response = api.post(token_url(), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"email", "password"}


def test_an_unknown_field_is_refused(api, po):
    response = ask(api, po.email, PASSWORD, scope="admin")
    assert response.status_code == 400
    assert response.json()["fields"] == {"scope": ["Unknown field."]}


def test_the_endpoint_answers_without_a_trailing_slash(api, po):
    response = api.post(token_url().rstrip("/"), {"email": po.email, "password": PASSWORD}, format="json")
    assert response.status_code == 201


def test_repeated_failures_lock_the_pair_out_with_a_429(api, po):
    responses = fail(api, po.email, settings.AXES_FAILURE_LIMIT)
    assert [r.status_code for r in responses[:-1]] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    locked = responses[-1]
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert "Too many failed sign-in attempts" in locked.json()["detail"]


def test_a_locked_pair_gets_no_token_even_with_the_right_password(api, po):
    fail(api, po.email, settings.AXES_FAILURE_LIMIT)
    response = ask(api, po.email, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert not ApiToken.objects.filter(user=po).exists()


def test_the_same_account_from_another_address_still_gets_a_token(api, po):
    fail(api, po.email, settings.AXES_FAILURE_LIMIT)
    assert ask(api, po.email, PASSWORD, ELSEWHERE).status_code == 201


def test_another_account_from_the_locked_address_still_gets_a_token(api, po, outsider):
    fail(api, po.email, settings.AXES_FAILURE_LIMIT)
    assert ask(api, outsider.email, PASSWORD, ATTACKER).status_code == 201


def test_login_form_failures_and_token_failures_count_together(api, client, po):
    form_failures = settings.AXES_FAILURE_LIMIT - 1
    for _ in range(form_failures):
        response = client.post(
            reverse("accounts:login"), {"username": po.email, "password": "wrong"}, REMOTE_ADDR=ATTACKER
        )
        assert response.status_code == 200
    assert ask(api, po.email, "wrong-password", ATTACKER).status_code == 429


def test_token_failures_lock_the_login_form_too(api, client, po):
    fail(api, po.email, settings.AXES_FAILURE_LIMIT)
    response = client.post(
        reverse("accounts:login"), {"username": po.email, "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429
