"""Helpers of the sessions-and-headers suite: browsers that enforce CSRF as a real one does, and
sessions an attacker could have planted."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse


@pytest.fixture
def browser():
    """A test client that checks CSRF tokens, as Django does for every real browser."""
    return Client(enforce_csrf_checks=True)


def csrf_token(client: Client) -> str:
    """The CSRF token a page hands out: the login page sets the cookie, a form sends it back."""
    client.get(reverse("accounts:login"))
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie is not None and cookie.value else None


def plant_session(client: Client, **data) -> str:
    """A session an attacker created and made the victim's browser carry (a cookie set from a
    sibling subdomain, say): saved in the store, its id in the client's cookie."""
    store = SessionStore()
    for name, value in data.items():
        store[name] = value
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return store.session_key


def session_exists(key: str) -> bool:
    return SessionStore().exists(key)


def signed_in_user_id(key: str) -> str | None:
    """The user id a stored session is signed in as (what a client carrying its id would be)."""
    return SessionStore(session_key=key).load().get("_auth_user_id")
