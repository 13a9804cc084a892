"""Account enumeration on sign-in: a wrong password for an account and any password for an
address without one get the same answer (status, page, lockout) and take the same time, on the
login form and on the token endpoint."""

import re

import pytest
from django.conf import global_settings, settings
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD, make_user

from .conftest import interleaved_medians

pytestmark = pytest.mark.django_db

UNKNOWN = "nobody@example.com"


def normalised(response, typed: str) -> tuple[int, str]:
    """Status and body, with what differs by nature taken out: the CSRF token (masked anew on
    every page) and the address typed (echoed back in the form)."""
    body = re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF-TOKEN", response.content.decode())
    return response.status_code, body.replace(typed, "ADDRESS")


def sign_in(email: str, password: str, address: str = "10.0.0.1", client: Client | None = None):
    return (client or Client()).post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_a_wrong_password_and_an_unknown_address_get_the_same_page(po):
    inactive = make_user("gone@example.com", is_active=False)
    answers = {
        "wrong password": normalised(sign_in(po.email, "wrong-password"), po.email),
        "unknown address": normalised(sign_in(UNKNOWN, "wrong-password"), UNKNOWN),
        "deactivated account, right password": normalised(sign_in(inactive.email, PASSWORD), inactive.email),
    }
    assert answers["wrong password"][0] == 200
    assert "That email and password do not match an account" in answers["wrong password"][1]
    assert answers["unknown address"] == answers["wrong password"]
    assert answers["deactivated account, right password"] == answers["wrong password"]


def test_the_token_endpoint_answers_a_wrong_password_and_an_unknown_address_alike(po):
    def ask(email, password):
        response = Client().post(
            reverse("api-auth-token"), {"email": email, "password": password}, content_type="application/json"
        )
        return response.status_code, response.json()

    wrong = ask(po.email, "wrong-password")
    assert wrong[0] == 400
    assert ask(UNKNOWN, "wrong-password") == wrong
    assert ask(make_user("gone@example.com", is_active=False).email, PASSWORD) == wrong


def test_an_unknown_address_is_locked_out_like_an_account(po):
    """django-axes counts failures for any address typed, so the lock tells nothing either."""

    def fail_until_locked(email):
        client = Client()
        answers = [sign_in(email, "wrong-password", "203.0.113.7", client) for _ in range(settings.AXES_FAILURE_LIMIT)]
        answers.append(sign_in(email, PASSWORD, "203.0.113.7", client))
        return [normalised(answer, email) for answer in answers]

    account, unknown = fail_until_locked(po.email), fail_until_locked(UNKNOWN)
    assert [status for status, _ in account] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]
    assert unknown == account


@pytest.fixture
def real_hashing(settings):
    """Django's own hasher at its full strength: the suite's MD5 would hide a missing hash."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


def test_signing_in_takes_as_long_for_an_unknown_address_as_for_a_wrong_password(real_hashing, monkeypatch):
    """ModelBackend hashes the typed password for an unknown address too. A third kind of try, an
    address the backend is made to refuse without hashing (the bug this guards against), shows
    that the measure would see the difference."""
    user = User.objects.create_user(email="hashed@example.com", password=PASSWORD)
    assert user.password.startswith("pbkdf2_sha256$")
    leaky = "leaky@example.com"
    authenticate = ModelBackend.authenticate

    def authenticate_leaking_for_one_address(self, request, username=None, password=None, **kwargs):
        if username == leaky:
            return None
        return authenticate(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", authenticate_leaking_for_one_address)
    counter = iter(range(1, 10_000))

    def try_as(email):
        def attempt():
            # From a new address each time, so that no lock (failures per pair) cuts a try short.
            number = next(counter)
            sign_in(email, "wrong-password", address=f"10.9.{number // 250}.{number % 250 + 1}")

        return attempt

    medians = interleaved_medians(
        {"wrong password": try_as(user.email), "unknown address": try_as(UNKNOWN), "leak": try_as(leaky)},
        rounds=5,
    )
    # What a leak would save: one hash at full strength, a tenth of a second or more on any
    # machine of today. The two real kinds must be closer than half of it.
    one_hash = medians["wrong password"] - medians["leak"]
    assert one_hash > 0.05, medians
    assert abs(medians["wrong password"] - medians["unknown address"]) < one_hash / 2, medians
