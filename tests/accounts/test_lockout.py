"""Repeated failed sign-ins lock the (email, address) pair for a while, never the account
everywhere (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def sign_in(client, email, password, address):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(client, email):
    responses = [sign_in(client, email, "wrong-password", ATTACKER) for _ in range(settings.AXES_FAILURE_LIMIT)]
    return responses[-1]


def test_failures_below_the_limit_still_show_the_form(client, po):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, po.email, "wrong-password", ATTACKER).status_code == 200
    assert sign_in(client, po.email, PASSWORD, ATTACKER).status_code == 302


def test_the_last_allowed_failure_answers_429_with_a_clear_message(client, po):
    response = fail_until_locked(client, po.email)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "15 minutes" in body


def test_a_locked_pair_cannot_sign_in_even_with_the_right_password(client, po):
    fail_until_locked(client, po.email)
    response = sign_in(client, po.email, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_the_email_in_any_capitalisation(client, po):
    fail_until_locked(client, "PO@EXAMPLE.COM")
    assert sign_in(client, po.email, PASSWORD, ATTACKER).status_code == 429


def test_the_same_account_from_another_address_still_signs_in(client, po):
    fail_until_locked(client, po.email)
    response = sign_in(client, po.email, PASSWORD, ELSEWHERE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(po.pk)


def test_another_account_from_the_same_address_still_signs_in(client, po, outsider):
    fail_until_locked(client, po.email)
    assert sign_in(client, outsider.email, PASSWORD, ATTACKER).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, po):
    fail_until_locked(client, po.email)
    # Age the recorded failures past the cool-off instead of waiting 15 minutes.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
    assert sign_in(client, po.email, PASSWORD, ATTACKER).status_code == 302
