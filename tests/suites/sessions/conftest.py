"""Helpers of the sessions-and-headers suite: browsers that enforce CSRF as a real one does, and
sessions an attacker could have planted."""

import contextlib
import http.cookiejar
import json
import re
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.real_services import smtp_server  # noqa: F401 - a fixture, for the enumeration tests


@pytest.fixture
def browser():
    """A test client that checks CSRF tokens, as Django does for every real browser."""
    return Client(enforce_csrf_checks=True)


@contextlib.contextmanager
def rolled_back():
    """What happens inside is undone after it (a savepoint): many requests, one world each time."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


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


# --- Timing ---------------------------------------------------------------------------------------


def interleaved_medians(tries: dict, *, rounds: int) -> dict[str, float]:
    """The median time of each kind of try, the kinds taking turns (in an order that alternates
    every round), so a load spike on the shared machine hits every kind alike."""
    times: dict[str, list[float]] = {name: [] for name in tries}
    names = list(tries)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else reversed(names):
            started = time.perf_counter()
            tries[name]()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


# --- A real HTTP client for the live server -------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict
    body: str
    seconds: float  # until the whole body had arrived


class LiveBrowser:
    """A cookie-keeping HTTP client for the live server that follows no redirect. (The test
    client runs the work Ordo does after the response inside its own call: only a real client
    sees when the reply arrives.)"""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a, **k: None}),
        )

    def request(self, method: str, path: str, *, form=None, json_body=None, headers=None) -> Reply:
        data, headers = None, dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        elif json_body is not None:
            data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)  # noqa: S310 - the live server
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=20) as response:
                body = response.read().decode()
                return Reply(response.status, dict(response.headers), body, time.perf_counter() - started)
        except urllib.error.HTTPError as error:  # a 3xx not followed, or an error status
            body = error.read().decode()
            return Reply(error.code, dict(error.headers), body, time.perf_counter() - started)

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def csrf_token(self, path: str) -> str:
        """The token of the form on the page at `path` (it stays good for this browser's cookie)."""
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path).body).group(1)

    def sign_in(self, email: str, password: str) -> None:
        login = reverse("accounts:login")
        form = {"username": email, "password": password, "csrfmiddlewaretoken": self.csrf_token(login)}
        assert self.request("POST", login, form=form).status == 302


@pytest.fixture
def live(live_server, transactional_db):
    return LiveBrowser(live_server.url)
