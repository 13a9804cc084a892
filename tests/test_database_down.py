"""A database that is down, refusing or out of connections is a 503 with Retry-After, never a 500,
and Ordo answers again by itself once the database is back.

"Down" is the default connection pointed where nothing answers: a closed port on PostgreSQL, a
file in a missing directory on SQLite. The tests need their own connection handling
(`transactional_db`): inside pytest-django's per-test transaction the connection cannot go away.
"""

import socket

import psycopg2
import pytest
from django.db import close_old_connections, connections
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path, reverse

from accounts.models import User
from accounts.services import create_api_token
from config.urls import urlpatterns as site_urlpatterns
from tests.conftest import PASSWORD


def _csrf_token_then_query(request):
    # A page that asked for its CSRF token (the cookie is due on the way out) and then queried.
    get_token(request)
    return HttpResponse(f"{User.objects.count()} users")


def _session_write(request):
    # An anonymous visitor's first session write: only SessionMiddleware, on the way out, queries.
    request.session["seen"] = True
    return HttpResponse("noted")


# The site, plus two pages that fail late (@pytest.mark.urls(__name__)).
urlpatterns = [
    path("test/csrf-then-query/", _csrf_token_then_query),
    path("test/session-write/", _session_write),
    *site_urlpatterns,
]


class Outage:
    """Takes the default connection's database away, and brings it back."""

    def __init__(self, tmp_path):
        self.connection = connections["default"]
        self.saved = dict(self.connection.settings_dict)
        self.tmp_path = tmp_path
        self.kept = None

    def start(self):
        if self.connection.vendor == "sqlite":
            # The test database lives in memory for as long as a connection to it is open: set
            # that connection aside, so the next query opens a file that cannot be opened.
            self.kept = self.connection.connection
            self.connection.connection = None
            self.connection.settings_dict["NAME"] = str(self.tmp_path / "missing" / "ordo.sqlite3")
        else:
            self.connection.close()
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                free_port = probe.getsockname()[1]
            self.connection.settings_dict.update(HOST="127.0.0.1", PORT=free_port)

    def end(self):
        self.connection.close()
        self.connection.settings_dict.clear()
        self.connection.settings_dict.update(self.saved)
        if self.kept is not None:
            self.connection.connection, self.kept = self.kept, None


@pytest.fixture
def outage(transactional_db, tmp_path):
    outage = Outage(tmp_path)
    yield outage
    outage.end()


@pytest.fixture
def signed_in(po, product):
    """A browser with a session: every page loads the session, in middleware, before any view."""
    client = Client(raise_request_exception=False)
    client.force_login(po)
    return client


@pytest.fixture
def token(po, product):
    return create_api_token(by=po, name="CI")[1]


def assert_unavailable(response, content_type):
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"].startswith(content_type)
    assert "no-store" in response["Cache-Control"]
    # The outermost answer still carries the site's security headers, and sets no cookie.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


def assert_unavailable_page(response):
    assert_unavailable(response, "text/html")
    assert "Ordo is briefly unavailable" in response.content.decode()


def assert_unavailable_json(response):
    assert_unavailable(response, "application/json")
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert body["fields"] == {}
    assert "database" in body["detail"]


def test_a_page_for_a_signed_in_user_is_a_503_page(outage, signed_in):
    """The session is read in middleware: the 503 comes from outside it, as Ordo's own page."""
    outage.start()
    assert_unavailable_page(signed_in.get(reverse("backlog:product-list")))


def test_the_login_page_of_a_signed_in_browser_is_a_503_page(outage, signed_in):
    outage.start()
    assert_unavailable_page(signed_in.get(reverse("accounts:login")))


def test_signing_in_is_a_503_page(outage, po):
    outage.start()
    response = Client(raise_request_exception=False).post(
        reverse("accounts:login"), {"username": po.email, "password": PASSWORD}
    )
    assert_unavailable_page(response)


def test_an_api_call_with_a_token_is_a_503_in_the_api_error_shape(outage, token):
    """The token is looked up inside DRF: its exception handler lets the error through to the 503."""
    outage.start()
    response = Client(raise_request_exception=False).get(
        reverse("api-product-list"), HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert_unavailable_json(response)


def test_an_api_write_with_a_session_is_a_503_in_the_api_error_shape(outage, signed_in):
    outage.start()
    response = signed_in.post(
        reverse("api-item-list", kwargs={"key": "SHOP"}), {"title": "Gift cards"}, content_type="application/json"
    )
    assert_unavailable_json(response)


def test_healthz_is_a_503_with_retry_after(outage):
    outage.start()
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {"status": "unavailable"}


@pytest.mark.urls(__name__)
def test_a_cookie_set_before_the_database_failed_is_not_sent(outage, signed_in):
    outage.start()
    assert_unavailable_page(signed_in.get("/test/csrf-then-query/"))


@pytest.mark.urls(__name__)
def test_a_session_that_cannot_be_saved_is_a_503_page(outage):
    """SessionMiddleware saves on the way out: a failure there is answered outside it, too."""
    outage.start()
    assert_unavailable_page(Client(raise_request_exception=False).get("/test/session-write/"))


def test_in_debug_the_answer_is_still_the_503_not_the_technical_page(outage, signed_in, settings):
    settings.DEBUG = True
    outage.start()
    assert_unavailable_page(signed_in.get(reverse("backlog:product-list")))


def test_the_same_clients_are_answered_again_once_the_database_is_back(outage, signed_in, token):
    outage.start()
    assert signed_in.get(reverse("backlog:product-list")).status_code == 503
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api-product-list")).status_code == 503
    outage.end()
    page = signed_in.get(reverse("backlog:product-list"))
    assert page.status_code == 200
    assert "Online shop" in page.content.decode()
    assert api.get(reverse("api-product-list")).json()["results"][0]["key"] == "SHOP"
    assert Client().get("/healthz").status_code == 200


def test_a_persistent_connection_the_server_dropped_is_replaced_before_the_request_uses_it(
    on_postgres, transactional_db, signed_in, monkeypatch
):
    """Under gunicorn (DJANGO_CONN_MAX_AGE=60) a connection outlives its request: one whose server
    restarted (or killed it) fails its health check at the first query of the next request, and
    that request gets a fresh connection, not a 503."""
    connection = connections["default"]
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    assert signed_in.get(reverse("backlog:product-list")).status_code == 200
    dropped = connection.connection.get_backend_pid()
    admin = psycopg2.connect(**connection.get_connection_params())
    with admin, admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    admin.close()
    # What the WSGI handler does at the start of each request (the test client leaves it out);
    # the connection is not old enough to be closed here.
    close_old_connections()
    assert connection.connection is not None
    assert signed_in.get(reverse("backlog:product-list")).status_code == 200
    assert connection.connection.get_backend_pid() != dropped
    connection.close()
