"""Open redirects: whatever a link puts in `next` (signing in, signing out, htmx's current page,
a path that looks like a host), Ordo never sends the browser to another site."""

import itertools
import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOST = "testserver"
# Each is read by at least one browser as "go to evil.example" (or to run a script).
OFF_SITE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "http:\\\\evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https:///evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "//evil%2Eexample",
    "//%65vil.example",
    "http://testserver@evil.example/",
    "http://testserver:80@evil.example/",
    "http://evil.example\\@testserver/",
    "http://evil.example#@testserver/",
    "http://evil.example?@testserver/",
    "http://testserver.evil.example/",
    "http://evil.example/testserver",
    "//testserver@evil.example",
    "http://[::1]@evil.example/",
    "\x00//evil.example",
]
# Encoded once more: a browser stays here with them, but code that decodes twice would not.
ENCODED = ["%2F%2Fevil.example", "/%2F%2Fevil.example", "%2f%5cevil.example", "https%3A%2F%2Fevil.example"]
ELSEWHERE = OFF_SITE + ENCODED


C0_AND_SPACE = "".join(map(chr, range(0x21)))


def leaves_the_site(location: str) -> bool:
    """Whether a browser following `location` (from a page of this site) would leave it. Browsers
    drop tabs and newlines and leading spaces and control characters, and read a backslash as a
    slash in http(s) URLs."""
    url = re.sub(r"[\t\n\r]", "", location).strip(C0_AND_SPACE)
    # Any run of slashes after the scheme, or opening a schemeless URL, introduces the host.
    url = re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*:)?/{2,}", r"\1//", url.replace("\\", "/"))
    parts = urlsplit(url)
    if parts.scheme and parts.scheme.lower() not in {"http", "https"}:
        return True
    if parts.scheme and not url.lower().startswith(f"{parts.scheme.lower()}://{HOST}/"):
        return True  # "https:evil.example" is read as https://evil.example/
    return parts.netloc not in {"", HOST}


def test_the_judge_tells_elsewhere_from_here():
    """The check the tests below rely on, checked itself."""
    assert [target for target in OFF_SITE if not leaves_the_site(target)] == []
    for here in ("/p/SHOP/", "p/SHOP/", "/accounts/login/?next=/x", "http://testserver/p/", "?a=b", "#top", *ENCODED):
        assert not leaves_the_site(here), here


def sign_in(client, next_url, *, where="post"):
    url = reverse("accounts:login")
    data = {"username": "po@example.com", "password": PASSWORD}
    if where == "query":
        url += "?" + urlencode({"next": next_url})
    else:
        data["next"] = next_url
    return client.post(url, data, REMOTE_ADDR="10.0.0.1")


# Each test tries every target and lists every one that got out, rather than a test per target:
# the list is long and each try is one request.


def test_signing_in_never_follows_next_off_the_site(client, po):
    escaped = []
    for target, where in itertools.product(ELSEWHERE, ("post", "query")):
        client.logout()
        response = sign_in(client, target, where=where)
        assert response.status_code == 302, (target, where, response.status_code)
        if leaves_the_site(response["Location"]):
            escaped.append((target, where, response["Location"]))
    assert escaped == []


def test_the_login_page_of_a_signed_in_browser_never_follows_next_off_the_site(client, po):
    client.force_login(po)
    escaped = []
    for target in ELSEWHERE:
        response = client.get(reverse("accounts:login"), {"next": target})
        assert response.status_code == 302
        if leaves_the_site(response["Location"]):
            escaped.append((target, response["Location"]))
    assert escaped == []


def test_the_login_form_never_carries_an_off_site_next(client):
    escaped = []
    for target in ELSEWHERE:
        body = client.get(reverse("accounts:login"), {"next": target}).content.decode()
        carried = [unescape(value) for value in re.findall(r'name="next" value="([^"]*)"', body)]
        escaped += [(target, value) for value in carried if leaves_the_site(value)]
    assert escaped == []


def test_signing_out_never_follows_next_off_the_site(client, po):
    escaped = []
    for target, where in itertools.product(ELSEWHERE, ("post", "query")):
        client.force_login(po)
        url = reverse("accounts:logout")
        if where == "query":
            response = client.post(f"{url}?{urlencode({'next': target})}")
        else:
            response = client.post(url, {"next": target})
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session
        if leaves_the_site(response["Location"]):
            escaped.append((target, where, response["Location"]))
    assert escaped == []


# What htmx may send as the page it is on: another site, or this host with a path that is
# another host's (http://testserver//evil.example/ is evil.example's address once the host goes).
HTMX_PAGES = [
    *ELSEWHERE,
    *(f"http://{HOST}{path}" for path in ("//evil.example/x", "///evil.example", "/\\evil.example")),
]


def test_an_htmx_request_after_the_session_expired_never_brings_the_browser_off_the_site(client, po, product):
    """The middleware's HX-Redirect, the `next` it carries, and where signing in then leads."""
    escaped = []
    backlog = reverse("backlog:backlog", args=[product.key])
    for current in HTMX_PAGES:
        client.logout()
        response = client.get(backlog, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=current)
        redirect = response["HX-Redirect"]
        carried = parse_qs(urlsplit(redirect).query).get("next", [])
        escaped += [(current, url) for url in (redirect, *carried) if leaves_the_site(url)]
        for value in carried:
            client.logout()
            landed = sign_in(client, value)["Location"]
            if leaves_the_site(landed):
                escaped.append((current, landed))
    assert escaped == []


def test_an_htmx_post_after_the_session_expired_carries_only_a_page_of_this_site(client, product):
    escaped = []
    move = reverse("backlog:item-move", args=[f"{product.key}-1"])
    for current in HTMX_PAGES:
        redirect = client.post(move, {"position": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=current)
        carried = parse_qs(urlsplit(redirect["HX-Redirect"]).query).get("next", [])
        escaped += [(current, value) for value in carried if leaves_the_site(value)]
    assert escaped == []


def test_a_path_that_looks_like_a_host_is_not_redirected_to_it(client):
    """CommonMiddleware's trailing-slash redirect, and the login redirect, of such a path. (Sent
    as the raw path: the test client would read a leading // as a host of its own.)"""
    escaped, redirected = [], 0
    paths = ("//evil.example", "//evil.example/", "///evil.example", "/\\evil.example", "//evil.example/p", "//p/SHOP")
    for path in (*paths, "/accounts/login", "/accounts/profile/"):
        response = client.request(PATH_INFO=path, REQUEST_METHOD="GET")
        if response.status_code in {301, 302}:
            redirected += 1
            location = response["Location"]
            carried = parse_qs(urlsplit(location).query).get("next", [])
            escaped += [(path, url) for url in (location, *carried) if leaves_the_site(url)]
    assert escaped == []
    assert redirected >= 2  # the last two are redirected: the check above did look at redirects


def test_the_admins_sign_in_never_follows_next_off_the_site(client, po):
    po.is_staff = True
    po.save(update_fields=["is_staff"])
    escaped = []
    for target in ELSEWHERE:
        client.logout()
        response = client.post(
            f"/admin/login/?{urlencode({'next': target})}",
            {"username": po.email, "password": PASSWORD, "next": target},
            REMOTE_ADDR="10.0.0.1",
        )
        assert response.status_code == 302, (target, response.status_code)
        if leaves_the_site(response["Location"]):
            escaped.append((target, response["Location"]))
    assert escaped == []
