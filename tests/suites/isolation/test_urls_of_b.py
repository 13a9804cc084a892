"""A member of product A, in each role, asks for every object of product B by its key or id:
every URL of the URL configuration that names one, with every method the permission matrix
sends it (and the others too), over HTML and the API. Each answer must be the 404 that an id
of nothing at all gets, the same status and the same body but for the id itself, and nothing
anywhere may change.

The URLs come from the URL configuration, their methods and bodies from
tests/test_permission_matrix.py's MATRIX, the identifiers from the world's B: a new URL, or a
new kind of identifier in one, fails `test_every_url_that_names_an_object_is_probed` until this
suite knows how to fill it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from backlog.models import Role
from tests.test_permission_matrix import MATRIX

from .probe import (
    CONTAINERS,
    METHODS,
    client_for,
    comparable,
    indistinguishable,
    made_up,
    matrix_world,
    mismatch,
    routes,
    send,
    variants,
)
from .world import ROLES, all_rows, differences

# URLs whose identifiers are not a product's objects: each is a signed link for one person,
# whose tampering the sessions suite covers (a B token is no more B's than any other string).
NOT_OBJECTS = {
    "accounts:password-reset-confirm": "a password-reset link for one account",
    "backlog:invitation-accept": "a signed invitation link",
    "backlog:invitation-decline": "a signed invitation link",
    "digests:unsubscribe": "a signed unsubscribe link",
}


def probed_routes():
    return {name: route for name, (route, _) in routes().items() if route.kinds and name not in NOT_OBJECTS}


def test_every_url_that_names_an_object_is_probed():
    """A URL with an identifier the suite cannot fill with B's, or without methods to send it, fails here."""
    problems = []
    for name, (route, unknown) in routes().items():
        if name in NOT_OBJECTS:
            continue
        if unknown:
            problems.append(f"{name}: no kind of object known for {unknown} (probe.KWARG_KINDS)")
        if route.kinds and name not in MATRIX:
            problems.append(f"{name}: not in the permission matrix, so no methods or bodies to probe it with")
    stale = set(NOT_OBJECTS) - set(routes())
    assert not problems, "\n".join(problems)
    assert not stale, f"NOT_OBJECTS names URLs that no longer exist: {sorted(stale)}"


# A stale entity tag: a 412 carries the object as it is now, so it must never come before the 404.
STALE = {"HTTP_IF_MATCH": '"999999"'}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _specs(name: str, api: bool) -> list[tuple[str, object, dict, bool]]:
    """(method, body, headers, whether the matrix sends it) for each method the matrix sends the
    URL (the API's writes also with a stale If-Match, the HTML reads also as htmx asks them),
    then every other method, empty."""
    specs = []
    for method, _, data, _ in MATRIX[name]:
        specs.append((method, data, {}, True))
        if api and method != "get":
            specs.append((method, data, STALE, True))
        if not api and method == "get":
            specs.append((method, data, HTMX, True))
    sent = {method for method, _, _, _ in specs}
    return specs + [(method, None, {}, False) for method in METHODS if method not in sent]


def _probe(client, route, spec, kwargs, fake_kwargs, seen: dict):
    """The answer to B's identifiers and the answer to made-up ones, each made comparable (the
    made-up one asked once: `seen` keeps it for the next variant)."""
    method, data, headers, _ = spec
    real_url, fake_url = reverse(route.name, kwargs=kwargs), reverse(route.name, kwargs=fake_kwargs)
    real = comparable(send(client, method, real_url, data, api=route.api, headers=headers))
    asked = (method, fake_url, repr(data), repr(headers))
    if asked not in seen:
        seen[asked] = comparable(send(client, method, fake_url, data, api=route.api, headers=headers))
    made = seen[asked]
    pairs = {kwargs[kwarg]: fake_kwargs[kwarg] for kwarg in kwargs}
    return real_url, real, made, indistinguishable(real, made, pairs)


@pytest.mark.parametrize("role", [str(role) for role in ROLES])
def test_every_object_of_b_is_a_404_to_a_member_of_a_as_a_made_up_id_is(world, role):
    """Every URL × every method × B's identifiers: 404, indistinguishable from nothing, nothing written."""
    prober = world.a.users[role]
    client = client_for(prober)
    b, body_world = world.b, matrix_world(world.b)
    fake = made_up(b)
    before = all_rows()
    findings, seen = [], {}
    for name, route in probed_routes().items():
        fake_kwargs = {kwarg: fake[kind] for kwarg, kind in route.kinds.items()}
        for method, data, headers, in_matrix in _specs(name, route.api):
            spec = (method, data(body_world) if callable(data) else data, headers, in_matrix)
            # Every variant of B's identifiers for what the matrix sends; one for the rest. Where a
            # URL names a member, the prober too: leaving B is no way into it. The product owner
            # of A tries everything; A's role can only matter where a view asks the policy about
            # the wrong product, which the first variant of each request shows as well (and keeps
            # the suite within its time in CI).
            if role != Role.PRODUCT_OWNER and (headers or not in_matrix):
                continue
            everything = in_matrix and not headers and role == Role.PRODUCT_OWNER
            tried = variants(route, b)[: None if everything else 1]
            tried += [{**tried[0], k: prober.pk} for k, kind in route.kinds.items() if kind == "user_id"]
            for kwargs in tried:
                url, real, made, same = _probe(client, route, spec, kwargs, fake_kwargs, seen)
                # OPTIONS describes the endpoint, not the object: the same 200 for every id.
                wanted = (404,) if in_matrix else (200, 404, 405) if method == "options" else (404, 405)
                if real[0] not in wanted or not same:
                    findings.append(mismatch(method, f"{url} {headers or ''}", real, made))
    changed = differences(before, all_rows())
    assert not findings, f"{len(findings)} answers about B differ from a 404 for nothing:\n" + "\n".join(findings)
    assert not changed, "The probes changed rows:\n" + "\n".join(changed)


def _mixed_routes():
    """Routes naming a container (a product, a sprint) and an object inside it."""
    for name, route in probed_routes().items():
        kinds = set(route.kinds.values())
        if kinds & CONTAINERS and kinds - CONTAINERS:
            yield name, route


@pytest.mark.parametrize("role", [str(role) for role in ROLES])
def test_objects_of_b_inside_a_url_of_a_are_no_different_from_made_up_ones(world, role):
    """A's product or sprint with B's item, card, feedback, action item, member or invitation in
    the same URL: the answer a made-up one gets, never a success, and nothing written."""
    client = client_for(world.a.users[role])
    a, b = world.a, world.b
    body_world = matrix_world(a)
    fake = made_up(b)
    before = all_rows()
    findings, seen = [], {}
    for name, route in _mixed_routes():
        for method, _, data, _ in MATRIX[name]:
            spec = (method, data(body_world) if callable(data) else data, {}, True)
            for own, theirs in zip(variants(route, a), variants(route, b), strict=True):
                kwargs = {k: own[k] if route.kinds[k] in CONTAINERS else theirs[k] for k in route.kinds}
                fake_kwargs = {k: own[k] if route.kinds[k] in CONTAINERS else fake[route.kinds[k]] for k in route.kinds}
                url, real, made, same = _probe(client, route, spec, kwargs, fake_kwargs, seen)
                if real[0] not in (403, 404) or not same:
                    findings.append(mismatch(method, url, real, made))
    changed = differences(before, all_rows())
    assert not findings, f"{len(findings)} answers about B's objects in A differ:\n" + "\n".join(findings)
    assert not changed, "The probes changed rows:\n" + "\n".join(changed)
