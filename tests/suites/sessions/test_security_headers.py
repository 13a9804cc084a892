"""Security headers on every kind of response Ordo gives: pages and their errors (400, 403, 404,
405, 500, 503, the CSRF failure, the lockout), redirects, htmx answers, the API's JSON at every
status, the schema and its docs, static files, /healthz; and on every URL of the permission
matrix (tests/test_permission_matrix.py), which a new URL cannot skip. Cookies are HttpOnly where
scripts never need them and SameSite=Lax; HTTPS settings (HSTS, Secure cookies) are checked as
DJANGO_HTTPS=1 makes them, since the suite runs on plain HTTP."""

import json

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.urls import path, reverse
from rest_framework.test import APIClient

from accounts.services import create_api_token
from backlog.services.invitations import INVITATIONS_PER_ADDRESS
from config.urls import urlpatterns as site_urlpatterns
from tests.conftest import PASSWORD, make_item
from tests.test_permission_matrix import MATRIX, NOT_IN_MATRIX, world  # noqa: F401 - `world` is a fixture

from .conftest import csrf_token, rolled_back

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _boom(request):
    raise RuntimeError("a bug")


def _database_down(request):
    raise OperationalError("could not connect to server")


# The site, plus what no URL of the site does on purpose: fail.
urlpatterns = [
    path("test/boom/", _boom),
    path("test/database-down/", _database_down),
    path("api/test/database-down/", _database_down),
    *site_urlpatterns,
]

SAME_EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Directives every policy must hold as they are (or stricter: 'none' for 'self').
STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Documented exceptions, by URL name: the page widens the policy, and says why, where it does.
WIDER = {
    # config/api_urls.py: Swagger UI's stylesheet draws its icons as data: images.
    "api-docs": {"img-src": {"'self'", "data:"}},
}
# digests/views.py: the digest preview is the email's HTML, inline styles and all, shown in a
# sandbox that allows nothing else (no script, no request, no form).
PREVIEW_POLICY = {
    "default-src": {"'none'"},
    "script-src": {"'none'"},
    "style-src": {"'unsafe-inline'"},
    "img-src": {"'none'"},
    "form-action": {"'none'"},
}
LEAKY = ("Server", "X-Powered-By", "X-AspNet-Version", "X-Runtime", "X-Django-Version")


def policy(response) -> dict[str, set[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def problems_with(response, name: str | None = None) -> list[str]:
    """What is missing or wrong in a response's headers; empty when all is well."""
    found = [
        f"{header}: {response.get(header)!r}"
        for header, want in SAME_EVERYWHERE.items()
        if response.get(header) != want
    ]
    found += [f"leaks {header}: {response[header]}" for header in LEAKY if header in response]
    if "Strict-Transport-Security" in response:
        found.append("HSTS on plain HTTP")
    if "Content-Security-Policy" not in response:
        return [*found, "no Content-Security-Policy"]
    directives = policy(response)
    if name == "digests:preview":
        expected = PREVIEW_POLICY
        if "sandbox" not in directives:
            found.append("the preview is not sandboxed")
    else:
        expected = {**STRICT, **WIDER.get(name, {})}
        for directive, values in directives.items():
            wide = values & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"}
            if wide - WIDER.get(name, {}).get(directive, set()):
                found.append(f"{directive} allows {sorted(wide)}")
    found += [
        f"{directive} is {sorted(directives.get(directive, set()))}, not {sorted(values)}"
        for directive, values in expected.items()
        if directives.get(directive) != values
    ]
    return found


def cookie_problems(response) -> list[str]:
    found = []
    for cookie in response.cookies.values():
        if not cookie.value:  # a deletion
            continue
        if cookie["samesite"] != "Lax":
            found.append(f"{cookie.key}: SameSite={cookie['samesite']!r}")
        if cookie.key != settings.CSRF_COOKIE_NAME and not cookie["httponly"]:
            # The CSRF token reaches htmx through the page (base.html), so it too could be
            # HttpOnly; Django's default leaves it readable, which is safe (it is no secret to
            # the page) — every other cookie is none of a script's business.
            found.append(f"{cookie.key}: not HttpOnly")
        if bool(cookie["secure"]) != settings.HTTPS:
            found.append(f"{cookie.key}: Secure={cookie['secure']!r} with HTTPS={settings.HTTPS}")
    return found


# --- Every kind of response ---------------------------------------------------------------------------


@pytest.fixture
def team(po, product, stakeholder):
    item = make_item(product, title="Gift cards")
    return {"po": po, "stakeholder": stakeholder, "item": item, "product": product}


def signed_in(user, client_class=Client, **kwargs):
    client = client_class(**kwargs)
    client.force_login(user)
    return client


def lockout(path, data, **kwargs):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(path, data, REMOTE_ADDR="203.0.113.9", **kwargs)
    return response


def invite_too_often(t):
    """The fourth invitation to one address in a week (INVITATIONS_PER_ADDRESS)."""
    client = signed_in(t["po"], APIClient)
    for _ in range(INVITATIONS_PER_ADDRESS + 1):
        response = api_json(
            client, "post", reverse("api-member-list", args=["SHOP"]), {"email": "x@example.com", "role": "developer"}
        )
    return response


def api_json(client, method, url, body=None, **kwargs):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **kwargs)


KINDS = {
    # Pages
    "a page": (200, lambda t: signed_in(t["po"]).get(reverse("backlog:product-list"))),
    "a page for someone signed out": (200, lambda t: Client().get(reverse("accounts:login"))),
    "a HEAD request": (200, lambda t: Client().head(reverse("accounts:login"))),
    "a form with errors": (
        400,
        lambda t: signed_in(t["po"]).post(reverse("accounts:profile"), {"display_name": "", "time_zone": "Mars/Base"}),
    ),
    "a refused sign-in": (200, lambda t: Client().post(reverse("accounts:login"), {"username": "x@example.com"})),
    "the 403 page": (403, lambda t: signed_in(t["stakeholder"]).get(reverse("backlog:item-create", args=["SHOP"]))),
    "a Host header not allowed": (400, lambda t: Client().get(reverse("accounts:login"), HTTP_HOST="evil.example")),
    "the 404 page": (404, lambda t: Client().get("/no-such-page/")),
    "the 405 page": (405, lambda t: signed_in(t["po"]).get(reverse("accounts:logout"))),
    "the 500 page": (500, lambda t: Client(raise_request_exception=False).get("/test/boom/")),
    "the 503 page": (503, lambda t: Client(raise_request_exception=False).get("/test/database-down/")),
    "the CSRF failure page": (403, lambda t: Client(enforce_csrf_checks=True).post(reverse("accounts:login"))),
    "the lockout page": (
        429,
        lambda t: lockout(reverse("accounts:login"), {"username": t["po"].email, "password": "wrong"}),
    ),
    "a redirect to sign in": (302, lambda t: Client().get(reverse("accounts:profile"))),
    "a redirect after a form": (
        302,
        lambda t: signed_in(t["po"]).post(reverse("backlog:product-create"), {"key": "NEW", "name": "New"}),
    ),
    "a trailing-slash redirect": (301, lambda t: Client().get("/accounts/login")),
    "an htmx fragment": (
        200,
        lambda t: signed_in(t["po"]).get(
            reverse("backlog:backlog", args=["SHOP"]), {"offset": 0}, HTTP_HX_REQUEST="true"
        ),
    ),
    "an htmx redirect to sign in": (
        200,
        lambda t: Client().get(reverse("backlog:backlog", args=["SHOP"]), HTTP_HX_REQUEST="true"),
    ),
    "an invalid invitation link": (400, lambda t: Client().get(reverse("backlog:invitation-accept", args=["x:y:z"]))),
    "an invalid unsubscribe link": (400, lambda t: Client().get(reverse("digests:unsubscribe", args=["x:y"]))),
    "the admin's sign-in page": (200, lambda t: Client().get("/admin/login/")),
    # The API
    "API 200": (200, lambda t: signed_in(t["po"], APIClient).get(reverse("api-product-list"))),
    "API 201": (
        201,
        lambda t: api_json(
            signed_in(t["po"], APIClient), "post", reverse("api-item-list", args=["SHOP"]), {"title": "New"}
        ),
    ),
    "API 204": (204, lambda t: signed_in(t["po"], APIClient).delete(reverse("api-item-detail", args=[t["item"].key]))),
    "API 400": (
        400,
        lambda t: api_json(
            signed_in(t["po"], APIClient), "post", reverse("api-item-list", args=["SHOP"]), {"title": ""}
        ),
    ),
    "API 400, not JSON": (
        400,
        lambda t: signed_in(t["po"], APIClient).post(
            reverse("api-item-list", args=["SHOP"]), "{", content_type="application/json"
        ),
    ),
    "API 401": (401, lambda t: Client().get(reverse("api-product-list"))),
    "API 403": (
        403,
        lambda t: api_json(
            signed_in(t["stakeholder"], APIClient), "patch", reverse("api-product-detail", args=["SHOP"]), {"name": "X"}
        ),
    ),
    "API 403, CSRF": (
        403,
        lambda t: api_json(
            signed_in(t["po"], enforce_csrf_checks=True),
            "post",
            reverse("api-item-list", args=["SHOP"]),
            {"title": "X"},
        ),
    ),
    "API 404": (404, lambda t: signed_in(t["po"], APIClient).get(reverse("api-item-detail", args=["SHOP-999"]))),
    "API 404, no such endpoint": (404, lambda t: signed_in(t["po"]).get("/api/v1/nothing-here/")),
    "API 405": (405, lambda t: Client().get(reverse("api-auth-token"))),
    "API 412": (
        412,
        lambda t: api_json(
            signed_in(t["po"], APIClient),
            "patch",
            reverse("api-item-detail", args=[t["item"].key]),
            {"title": "X"},
            HTTP_IF_MATCH='"999"',
        ),
    ),
    "API 415": (
        415,
        lambda t: signed_in(t["po"], APIClient).post(
            reverse("api-item-list", args=["SHOP"]), "title=X", content_type="text/plain"
        ),
    ),
    "API 429, the lockout": (
        429,
        lambda t: lockout(
            reverse("api-auth-token"), {"email": t["po"].email, "password": "wrong"}, content_type="application/json"
        ),
    ),
    "API 429, a limit": (429, invite_too_often),
    "API 503": (503, lambda t: Client(raise_request_exception=False).get("/api/test/database-down/")),
    "API OPTIONS": (200, lambda t: signed_in(t["po"], APIClient).options(reverse("api-product-list"))),
    "API with a token": (
        200,
        lambda t: Client().get(
            reverse("api-product-list"), HTTP_AUTHORIZATION=f"Token {create_api_token(by=t['po'], name='h')[1]}"
        ),
    ),
    "the schema": (200, lambda t: Client().get(reverse("api-schema"))),
    "the schema as JSON": (200, lambda t: Client().get(reverse("api-schema"), {"format": "json"})),
    "the docs": (200, lambda t: Client().get(reverse("api-docs"))),
    "the docs' script": (200, lambda t: Client().get(reverse("api-docs"), {"script": ""})),
    # Around Django
    "a stylesheet": (200, lambda t: Client().get("/static/css/ordo.css")),
    "a script": (200, lambda t: Client().get("/static/js/backlog.js")),
    "an SVG image": (200, lambda t: Client().get("/static/img/favicon.svg")),
    "a library's static file": (200, lambda t: Client().get("/static/django_htmx/htmx-2.min.js")),
    "a missing static file": (404, lambda t: Client().get("/static/css/missing.css")),
    "healthz": (200, lambda t: Client().get("/healthz")),
}
# What the kinds are named for in WIDER, when they are one of its pages.
NAMED = {"the docs": "api-docs", "the docs' script": "api-docs"}


# What some kinds' bodies say, against a kind that tests something else than its name.
SAYS = {
    "the lockout page": "Too many failed sign-in attempts",
    "API 429, the lockout": "locked_out",
    "API 429, a limit": "too_many_requests",
    "the 503 page": "Ordo is briefly unavailable",
    "API 503": "database_unavailable",
    "the 500 page": "<html",
    "the CSRF failure page": "This form had expired",
    "API 403, CSRF": "CSRF",
    "API 412": "stale_version",
    "API 415": "unsupported_media_type",
}


def test_every_kind_of_response_carries_the_security_headers(team):
    """Each kind in a transaction rolled back after it, so that each meets the same team."""
    wrong = []
    for kind, (status, make) in KINDS.items():
        with rolled_back():
            response = make(team)
        found = problems_with(response, NAMED.get(kind)) + cookie_problems(response)
        if response.status_code != status:
            found.append(f"status {response.status_code}, expected {status}")
        if kind in SAYS and SAYS[kind] not in response.content.decode():
            found.append(f"does not say {SAYS[kind]!r}")
        if found:
            wrong.append((kind, found))
    assert wrong == [], "\n".join(map(repr, wrong))


def test_the_htmx_redirect_kind_is_one(team):
    assert "HX-Redirect" in KINDS["an htmx redirect to sign in"][1](team)


# --- Every URL -------------------------------------------------------------------------------------------


def test_every_url_of_the_matrix_carries_the_security_headers(world):  # noqa: F811
    """Each entry of the permission matrix once, as the product owner (and the outsider for
    what only an outsider may do): whatever the answer, its headers."""
    client = APIClient()
    wrong = []
    for name, specs in MATRIX.items():
        for method, kwargs, data, expected in specs:
            persona = "product_owner" if expected[-1] < 400 or expected[1] >= 400 else "outsider"
            client.force_login(world.users[persona])
            # Each request in a transaction rolled back after it: every one meets the same world.
            with rolled_back():
                kwargs = kwargs(world) if kwargs else {}
                if name == "accounts:token-revoke":  # as in the matrix's own test
                    kwargs = {"token_id": world.tokens["product_owner"].pk}
                url = reverse(name, kwargs=kwargs)
                body = data(world) if callable(data) else data
                if name.startswith("api-"):
                    response = getattr(client, method)(url, body, format="json")
                else:
                    response = getattr(client, method)(url, body or {})
            found = problems_with(response, name) + cookie_problems(response)
            if found:
                wrong.append((name, method, response.status_code, found))
    assert wrong == [], "\n".join(map(repr, wrong))


def test_the_urls_left_out_of_the_matrix_are_among_the_kinds_above():
    """Each URL the matrix leaves out is one of the kinds above, or one of the pages below."""
    covered = {
        "admin": "the admin's sign-in page",
        "healthz": "healthz",
        "api-schema": "the schema",
        "api-docs": "the docs",
        "api-not-found": "API 404, no such endpoint",
        "api-auth-token": "API 429, the lockout",
        "accounts:login": "a page for someone signed out",
        "accounts:logout": "the 405 page",
        "accounts:password-reset": None,
        "accounts:password-reset-done": None,
        "accounts:password-reset-confirm": None,
        "accounts:password-reset-complete": None,
        "backlog:invitation-accept": "an invalid invitation link",
        "backlog:invitation-decline": None,
        "digests:unsubscribe": "an invalid unsubscribe link",
    }
    assert set(covered) == NOT_IN_MATRIX
    assert {kind for kind in covered.values() if kind} <= set(KINDS)


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/MQ/bad-token/",
        "/accounts/password/reset/complete/",
        "/invitations/x:y:z/decline/",
    ],
)
def test_the_other_pages_left_out_of_the_matrix_carry_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code in {200, 400}
    assert problems_with(response) == []


def test_the_digest_preview_keeps_its_narrow_sandboxed_policy(client, po, product):
    client.force_login(po)
    response = client.get(reverse("digests:preview", args=["SHOP"]))
    assert response.status_code == 200
    assert problems_with(response, "digests:preview") == []


# --- Cookies ------------------------------------------------------------------------------------------


def test_every_cookie_ordo_sets_is_samesite_lax_and_httponly_but_the_csrf_token(po):
    """The CSRF cookie (a form), the session cookie (signing in), the messages cookie (a saved
    profile's "saved" message, kept in a cookie while it fits)."""
    client = Client()
    names = set()
    responses = [
        client.get(reverse("accounts:login")),
        client.post(
            reverse("accounts:login"),
            {"username": po.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(client)},
        ),
        client.post(reverse("accounts:profile"), {"display_name": "Paula", "time_zone": "UTC"}),
    ]
    for response in responses:
        assert cookie_problems(response) == []
        names |= {cookie.key for cookie in response.cookies.values() if cookie.value}
    assert names == {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"}


def test_the_api_with_a_token_healthz_and_the_schema_set_no_cookie(po, product):
    """Stateless doors set no cookie at all (a token client has no session to fix or steal)."""
    secret = create_api_token(by=po, name="x")[1]
    for response in (
        Client().get(reverse("api-product-list"), HTTP_AUTHORIZATION=f"Token {secret}"),
        Client().get("/healthz"),
        Client().get(reverse("api-schema")),
    ):
        assert not [cookie for cookie in response.cookies.values() if cookie.value]


def test_gunicorn_names_itself_without_its_version():
    """The one Server header a response gets comes from the WSGI server (the Dockerfile's
    gunicorn): its name, not a version to look up vulnerabilities for."""
    import gunicorn

    assert gunicorn.SERVER == "gunicorn"
