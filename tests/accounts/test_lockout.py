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


def test_tries_during_a_lock_do_not_restart_the_cool_off(client, po):
    """Else one request every 14 minutes would keep the real user out for good."""
    fail_until_locked(client, po.email)
    locked_at = timezone.now() - settings.AXES_COOLOFF_TIME + timezone.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=locked_at)
    assert sign_in(client, po.email, "wrong-password", ATTACKER).status_code == 429
    assert sign_in(client, po.email, PASSWORD, ATTACKER).status_code == 429
    # The lock still ends when it would have: a minute from now.
    assert list(AccessAttempt.objects.values_list("attempt_time", flat=True)) == [locked_at]


def test_behind_a_proxy_the_lock_is_per_client_address_not_the_proxys(client, po, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    balancer = "10.0.0.2"

    def through_proxy(password, client_address, forged=""):
        header = f"{forged}, {client_address}" if forged else client_address
        return client.post(
            reverse("accounts:login"),
            {"username": po.email, "password": password},
            REMOTE_ADDR=balancer,
            HTTP_X_FORWARDED_FOR=header,
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = through_proxy("wrong-password", ATTACKER)
    assert last.status_code == 429
    # The attacker cannot get round the lock by forging the header's left part...
    assert through_proxy(PASSWORD, ATTACKER, forged=ELSEWHERE).status_code == 429
    # ...and the real user elsewhere, through the same balancer, still signs in.
    assert through_proxy(PASSWORD, ELSEWHERE).status_code == 302


def test_a_token_obtained_with_the_right_password_clears_earlier_failures(client, po):
    url = reverse("api-auth-token")
    body = {"email": po.email, "password": "wrong-password"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, body, content_type="application/json", REMOTE_ADDR=ATTACKER).status_code == 400
    good = {"email": po.email, "password": PASSWORD}
    assert client.post(url, good, content_type="application/json", REMOTE_ADDR=ATTACKER).status_code == 201
    # As after a sign-in on the form: the count starts again.
    assert client.post(url, body, content_type="application/json", REMOTE_ADDR=ATTACKER).status_code == 400


def test_behind_a_proxy_a_forwarded_value_that_is_no_address_counts_the_connection(client, po, settings):
    """A request round the proxy can say anything in X-Forwarded-For; the lock's column is an IP."""
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.post(
        reverse("accounts:login"),
        {"username": po.email, "password": "wrong-password"},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]
