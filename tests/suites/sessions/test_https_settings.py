"""HTTPS: the suite runs with DJANGO_HTTPS=0, so what HTTPS turns on is checked here, from the
settings module as the environment makes it: HSTS for a year (subdomains, preload), Secure
cookies, the redirect to https:// (but not for the container's health check), and Django's own
deployment check passing at warning level."""

import os
import runpy
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HTTPS_SETTINGS = (
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_REDIRECT_EXEMPT",
)


def settings_under(**env) -> dict:
    """config/settings.py as it comes out of this environment (None: the variable is unset)."""
    changed = {name: value for name, value in env.items() if value is not None}
    with mock.patch.dict(os.environ, changed):
        for name in (name for name, value in env.items() if value is None):
            os.environ.pop(name, None)
        module = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))
    return {name: module[name] for name in HTTPS_SETTINGS}


@pytest.fixture
def https(settings):
    """The site as DJANGO_HTTPS=1 configures it."""
    for name, value in settings_under(DJANGO_HTTPS="1").items():
        setattr(settings, name, value)
    return settings


def test_https_is_on_by_default_outside_debug_and_turns_everything_on():
    made = settings_under(DJANGO_HTTPS=None, DJANGO_DEBUG="0")
    assert made == settings_under(DJANGO_HTTPS="1")
    assert made["HTTPS"] and made["SECURE_SSL_REDIRECT"]
    assert made["SESSION_COOKIE_SECURE"] and made["CSRF_COOKIE_SECURE"]
    assert made["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert made["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and made["SECURE_HSTS_PRELOAD"]


def test_over_https_every_response_carries_hsts(https):
    for url in (reverse("accounts:login"), "/no-such-page/", reverse("api-product-list"), "/static/css/ordo.css"):
        response = Client().get(url, secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", url


def test_over_https_the_session_and_csrf_cookies_are_secure(https, po):
    client = Client()
    client.get(reverse("accounts:login"), secure=True)
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("accounts:login"),
        {"username": po.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",
    )
    assert response.status_code == 302
    for name in (django_settings.SESSION_COOKIE_NAME, django_settings.CSRF_COOKIE_NAME):
        cookie = response.cookies[name]
        assert cookie["secure"] and cookie["samesite"] == "Lax", name
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["httponly"]


def test_plain_http_is_sent_to_https_but_the_health_check_is_not(https):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert Client().get("/healthz").status_code == 200


def test_djangos_deployment_check_passes_at_warning_level_with_https(https, monkeypatch):
    # The browser tests set it for the whole test process (Playwright under pytest-django); a
    # deployment never does, and the check rightly refuses it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    call_command("check", deploy=True, fail_level="WARNING", verbosity=0)


def test_the_deployment_check_would_see_https_turned_off(settings, monkeypatch):
    """The check above can fail: with DJANGO_HTTPS=0 (as in this suite) it does."""
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    for name, value in settings_under(DJANGO_HTTPS="0").items():
        setattr(settings, name, value)
    with pytest.raises(CommandError):
        call_command("check", deploy=True, fail_level="WARNING", verbosity=0)
