"""CSRF: every write a browser's session can make needs the CSRF token, in the API as in the
pages; a token-authenticated API call needs none (no browser sends an Authorization header by
itself). The API's writes are read from its OpenAPI schema, their example requests from the
permission matrix (tests/test_permission_matrix.py): a new write without an entry there fails."""

import json

from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

from accounts.services import create_api_token
from tests.conftest import PASSWORD
from tests.test_permission_matrix import MATRIX, PERSONAS, world  # noqa: F401 - `world` is a fixture

from .conftest import rolled_back

WRITES = ("post", "put", "patch", "delete")
# Credentials in the body, no session authentication at all: a session neither helps nor demands
# a token there (tests/api/test_auth_token.py); a browser's cookie cannot sign anyone in with it.
NO_SESSION = {"api-auth-token"}


def _names_by_view(patterns) -> dict:
    names = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names.update(_names_by_view(pattern.url_patterns))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names[pattern.callback] = pattern.name
    return names


def schema_writes() -> list[tuple[str, str, str]]:
    """(method, schema path, URL name) of every write operation the OpenAPI schema documents."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    names = _names_by_view(get_resolver().url_patterns)
    views = {(path, method.lower()): view for path, _, method, view in EndpointEnumerator().get_api_endpoints()}
    return [
        (method, path, names[views[path, method]])
        for path, operations in sorted(paths.items())
        for method in operations
        if method in WRITES
    ]


WRITE_OPERATIONS = [write for write in schema_writes() if write[2] not in NO_SESSION]


def example(name: str, method: str):
    """The matrix's example of this write, and a persona it lets through (a product owner if it
    can); None when the matrix has none."""
    for spec_method, kwargs, data, expected in MATRIX.get(name, []):
        if spec_method != method:
            continue
        allowed = [p for p in reversed(PERSONAS) if 200 <= expected[PERSONAS.index(p)] < 300]
        if allowed:
            return kwargs, data, allowed[0], expected[PERSONAS.index(allowed[0])]
    return None


def request(client: Client, method: str, url: str, data, **headers):
    body = {} if data is None else data
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


def signed_in(user) -> tuple[Client, str]:
    """A browser signed in as `user`, and the CSRF token its pages give it."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))  # the lightest page with a form; signing in keeps the cookie here
    client.force_login(user)
    return client, client.cookies[settings.CSRF_COOKIE_NAME].value


def each_write(w, check) -> list:
    """`check(method, url, body, user, allowed_status)` for every write operation, each in a
    transaction rolled back after it (every write meets the same world); what went wrong."""
    wrong = []
    for method, path, name in WRITE_OPERATIONS:
        found = example(name, method)
        if found is None:
            wrong.append(f"{method.upper()} {path} ({name}): the permission matrix has no example a persona may send")
            continue
        kwargs, data, persona, allowed = found
        with rolled_back():
            url = reverse(name, kwargs=kwargs(w) if kwargs else {})
            wrong += check(method, url, data(w) if callable(data) else data, w.users[persona], allowed)
    return wrong


def test_the_schema_documents_writes_for_this_suite_to_check():
    """Against the enumeration silently finding nothing (a schema or URL layout change)."""
    assert len(WRITE_OPERATIONS) >= 30
    assert ("post", "/api/v1/products/{key}/items/", "api-item-list") in WRITE_OPERATIONS


def test_a_session_write_without_the_csrf_token_is_refused_and_with_it_goes_through(world):  # noqa: F811
    browsers = {user.pk: signed_in(user) for user in world.users.values()}  # before the savepoints

    def check(method, url, data, user, allowed):
        client, token = browsers[user.pk]
        said = f"{method.upper()} {url}"
        refused = request(client, method, url, data)
        if refused.status_code != 403 or "CSRF" not in refused.json().get("detail", ""):
            return [f"{said} without a CSRF token: {refused.status_code} {refused.content[:80]!r}"]
        wrong = request(client, method, url, data, HTTP_X_CSRFTOKEN="x" * 32)
        if wrong.status_code != 403:
            return [f"{said} with a wrong CSRF token: {wrong.status_code}"]
        response = request(client, method, url, data, HTTP_X_CSRFTOKEN=token)
        return [f"{said} with its CSRF token: {response.status_code}"] if response.status_code != allowed else []

    wrong = each_write(world, check)
    assert wrong == [], "\n".join(wrong)


def test_a_token_authenticated_write_needs_no_csrf_token(world):  # noqa: F811
    def check(method, url, data, user, allowed):
        secret = create_api_token(by=user, name="csrf suite")[1]
        client = Client(enforce_csrf_checks=True)
        response = request(client, method, url, data, HTTP_AUTHORIZATION=f"Token {secret}")
        return (
            [f"{method.upper()} {url} with a token: {response.status_code}"] if response.status_code != allowed else []
        )

    wrong = each_write(world, check)
    assert wrong == [], "\n".join(wrong)


def test_a_write_the_matrix_has_no_example_for_fails_the_suite(world, monkeypatch):  # noqa: F811
    """The tests above cannot pass over a new operation in silence."""
    monkeypatch.setattr("tests.suites.sessions.test_csrf.MATRIX", {})
    wrong = each_write(world, lambda *args: [])
    assert len(wrong) == len(WRITE_OPERATIONS)
    assert "has no example" in wrong[0]


def _html_views(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "api/")):
                continue
            yield from _html_views(pattern.url_patterns, ":".join(filter(None, [namespace, pattern.namespace or ""])))
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern.callback


# The unsubscribe link is its own authority (signed, one subscription, RFC 8058 one-click POST
# from mail clients, which carry no token): tests/digests/test_unsubscribe.py.
CSRF_EXEMPT_PAGES = {"digests:unsubscribe"}


def test_no_page_but_the_unsubscribe_link_is_exempt_from_the_csrf_check():
    """Every page takes its writes through Django's CSRF middleware; an exemption must be argued."""
    exempt = {name for name, view in _html_views(get_resolver().url_patterns) if getattr(view, "csrf_exempt", False)}
    assert exempt == CSRF_EXEMPT_PAGES


def test_a_page_form_sent_without_its_token_is_refused_with_ordos_page(po):
    client, token = signed_in(po)
    url = reverse("backlog:product-create")
    refused = client.post(url, {"key": "NEW", "name": "New"})
    assert refused.status_code == 403
    assert "This form had expired, or was sent from another site" in refused.content.decode()
    assert client.post(url, {"key": "NEW", "name": "New", "csrfmiddlewaretoken": token}).status_code == 302


def test_signing_out_needs_a_post_with_the_csrf_token(po):
    client, token = signed_in(po)
    logout = reverse("accounts:logout")
    assert client.get(logout).status_code == 405
    refused = client.post(logout)
    assert refused.status_code == 403
    assert "This form had expired, or was sent from another site" in refused.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in
    assert client.post(logout, {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_another_sites_form_cannot_sign_a_browser_in(outsider):
    """Login CSRF: another site's form posting the attacker's own credentials into this browser."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": outsider.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
