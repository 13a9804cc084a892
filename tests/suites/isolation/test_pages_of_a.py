"""Nothing of B shows in what A's members read: every page and API answer of A that the matrix
reads (with A's identifiers in every variant), their own account pages, and the digest, as a
page, as text, through the API and as the email it sends. Every text of B carries the word
"bravo" (its key, names, addresses, titles), so a grep catches its texts; B's ids cannot be
grepped, so every link in those answers is resolved and checked against B's objects.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import Resolver404, resolve, reverse

from backlog.models import Invitation, Item, Membership
from sprints.models import ActionItem, Feedback, RetroCard, Sprint
from tests.test_permission_matrix import MATRIX

from .probe import client_for, comparable, matrix_world, routes, variants
from .world import ROLES, work_on

LINK = re.compile(r"""(?:href|action|src|hx-get|hx-post|hx-put|hx-patch|hx-delete|data-[a-z-]+)=["']([^"']+)["']""")


def _everything_of(side) -> dict[str, set[str]]:
    """Every identifier of the side's objects, by kind, as a URL would carry it."""
    product = side.product
    ids = {
        "product_key": {product.key},
        "item_key": set(Item.objects.filter(product=product).values_list("key", flat=True)),
        "sprint_id": set(Sprint.objects.filter(product=product).values_list("pk", flat=True)),
        "feedback_id": set(Feedback.objects.filter(sprint__product=product).values_list("pk", flat=True)),
        "card_id": set(RetroCard.objects.filter(sprint__product=product).values_list("pk", flat=True)),
        "action_id": set(ActionItem.objects.filter(sprint__product=product).values_list("pk", flat=True)),
        "goal_id": set(product.goals.values_list("pk", flat=True)),
        "user_id": set(Membership.objects.filter(product=product).values_list("user_id", flat=True)),
        "invitation_id": set(Invitation.objects.filter(product=product).values_list("pk", flat=True)),
        "token_id": {token.pk for token in side.tokens.values()},
    }
    return {kind: {str(value).upper() for value in values} for kind, values in ids.items()}


def _links(text: str, is_json: bool) -> list[str]:
    if is_json:
        found = []

        def walk(value):
            if isinstance(value, dict):
                for inner in value.values():
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)
            elif isinstance(value, str) and (value.startswith("/") or value.startswith("http")):
                found.append(value)

        walk(json.loads(text))
        return found
    return LINK.findall(text)


def _leaks(text: str, *, is_json: bool, theirs: dict, kinds: dict) -> list[str]:
    """What of B the text shows: its word anywhere, or a link to one of its objects."""
    leaks = [f"…{m.group(0)}…" for m in re.finditer(r".{0,60}bravo.{0,60}", text, re.IGNORECASE)]
    for link in _links(text, is_json):
        try:
            match = resolve(urlparse(link).path)
        except Resolver404:
            continue
        route = kinds.get(match.view_name)
        for kwarg, value in match.kwargs.items():
            kind = route.kinds.get(kwarg) if route else None
            if kind and str(value).upper() in theirs[kind]:
                leaks.append(f"a link to B's {kind} {value}: {link}")
    return leaks


HTMX = {"HTTP_HX_REQUEST": "true"}


def _pages_of_a(a) -> list[tuple[str, dict, dict]]:
    """(URL, query, headers) for every GET the matrix makes, with A's identifiers in each
    variant, the text form of the digest preview and the backlog's "show more" rows (htmx)."""
    known = {name: route for name, (route, _) in routes().items()}
    body_world = matrix_world(a)
    pages = []
    for name, specs in MATRIX.items():
        for method, _, data, _ in specs:
            if method != "get":
                continue
            query = data(body_world) if callable(data) else (data or {})
            route = known[name]
            for kwargs in variants(route, a) or [{}]:
                pages.append((reverse(name, kwargs=kwargs), query, {}))
    pages.append((reverse("digests:preview", kwargs={"key": a.key}), {"format": "text"}, {}))
    pages.append((reverse("backlog:backlog", kwargs={"key": a.key}), {"offset": "0"}, HTMX))
    return pages


@pytest.mark.parametrize("role", [str(role) for role in ROLES])
def test_no_page_a_member_of_a_reads_shows_anything_of_b(world, role):
    """Every GET of the matrix, as each role of A: B's word nowhere, no link to B's objects."""
    client = client_for(world.a.users[role])
    theirs, kinds = _everything_of(world.b), {name: route for name, (route, _) in routes().items()}
    leaks, read = [], set()
    for url, query, headers in _pages_of_a(world.a):
        response = client.get(url, query, **headers)
        if response.status_code != 200:
            continue
        read.add(url)
        text = response.content.decode()
        is_json = response.get("Content-Type", "").startswith("application/json")
        leaks += [f"GET {url} {query}: {leak}" for leak in _leaks(text, is_json=is_json, theirs=theirs, kinds=kinds)]
    assert not leaks, "A's pages show B:\n" + "\n".join(leaks)
    # The probe read A's pages, not a row of error pages: the backlog, its items, its sprints.
    assert {f"/p/{world.a.key}/", f"/items/{world.a.items['first'].key}/", "/api/v1/products/"} <= read


@pytest.mark.parametrize("role", [str(role) for role in ROLES])
def test_the_digest_a_member_of_a_is_sent_holds_nothing_of_b(world, role, django_capture_on_commit_callbacks):
    """The preview email itself: subject, headers, text and HTML name nothing of B."""
    user = world.a.users[role]
    client = client_for(user)
    theirs, kinds = _everything_of(world.b), {name: route for name, (route, _) in routes().items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("digests:send-preview", kwargs={"key": world.a.key}))
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    parts = [message.subject, json.dumps(message.extra_headers), message.body, message.alternatives[0][0]]
    leaks = [leak for part in parts for leak in _leaks(part, is_json=False, theirs=theirs, kinds=kinds)]
    assert world.a.key in message.subject
    assert not leaks, "The digest shows B:\n" + "\n".join(leaks)


# Moments shown on pages and in the API: a second may turn between two readings.
_MOMENTS = re.compile(
    r"<time\b[^>]*>.*?</time>|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?", re.DOTALL
)


def test_what_a_member_of_a_reads_stays_the_same_while_b_works(world):
    """Every page and API answer of A, read by its product owner (who reads the most) before
    and after a day of work in B: the same, to the byte but for the moment it was read. Nothing
    of B counts in A's counts, positions, velocity, forecasts or digest, not even as a number."""
    client = client_for(world.a.po)
    pages = _pages_of_a(world.a)

    def read():
        return {
            (url, repr(query), repr(headers)): _MOMENTS.sub(
                "<moment>", comparable(client.get(url, query, **headers))[3]
            )
            for url, query, headers in pages
        }

    before = read()
    work_on(world.b)
    after = read()
    changed = [" ".join(("GET", *asked)) for asked, body in before.items() if after[asked] != body]
    assert not changed, "A's answers changed while only B did:\n" + "\n".join(changed)
