"""The two inputs of A that may name what B holds by design, and must say no more than that:
an address to invite (one of B's members, B's invitee) answers as any address does, with or
without an account, and leaves B's rows as they were; a product key, unique across the site, is
refused in the same words whether B or A holds it."""

from __future__ import annotations

import re

from django.db import transaction
from django.urls import reverse

from tests.conftest import make_user

from .probe import TOKENS, client_for, comparable, indistinguishable, mismatch
from .world import differences, rows_of

# Dates and times shown on the members page: a minute may turn between two invitations.
_TIMES = re.compile(r"<time\b[^>]*>.*?</time>", re.DOTALL)


def _invite(client, key: str, email: str, *, api: bool) -> tuple:
    """The answer to inviting the address, in a savepoint rolled back (each starts from the same world)."""
    with transaction.atomic():
        if api:
            response = client.post(
                reverse("api-member-list", kwargs={"key": key}), {"email": email, "role": "developer"}, format="json"
            )
        else:
            response = client.post(
                reverse("backlog:members", kwargs={"key": key}), {"email": email, "role": "developer"}, follow=True
            )
        transaction.set_rollback(True)
    status, headers, location, body = comparable(response)
    body = _TIMES.sub("<time>", body)
    # The new invitation's own id (PostgreSQL does not hand an id back when a savepoint rolls back).
    body = re.sub(r"/invitations/[0-9]+/", "/invitations/<id>/", body)
    # The link's expiry is a moment, not a fact about the address.
    body = re.sub(r'"expires_at":"[^"]*"', '"expires_at":""', body)
    return status, headers, location, body


def test_inviting_an_address_b_knows_answers_as_for_any_address_and_leaves_b_as_it_was(world):
    """B's members and B's invitee, against an account in no product and an address with none."""
    a, b = world.a, world.b
    client = client_for(a.po)
    make_user("loner@example.com")
    known_to_b = [b.users["leaver"].email, b.po.email, b.invitations["waiting"].email]
    others = ["loner@example.com", "nobody@example.com"]
    before = rows_of(b.product)
    findings = []
    for api in (True, False):
        for theirs in known_to_b:
            real = _invite(client, a.key, theirs, api=api)
            for other in others:
                made = _invite(client, a.key, other, api=api)
                swaps = dict(zip(TOKENS.findall(theirs), TOKENS.findall(other), strict=False))
                if real[0] not in (200, 202) or not indistinguishable(real, made, swaps):
                    findings.append(mismatch("post", f"invite {theirs} (API: {api})", real, made))
    assert not findings, "Inviting an address B knows tells something:\n" + "\n".join(findings)
    # And for real this time: A's invitations are A's; B's invitee still has B's waiting.
    for theirs in known_to_b:
        assert (
            client.post(
                reverse("api-member-list", kwargs={"key": a.key}), {"email": theirs, "role": "developer"}, format="json"
            ).status_code
            == 202
        )
    assert not differences(before, rows_of(b.product))
    b.invitations["waiting"].refresh_from_db()
    assert b.invitations["waiting"].state == "waiting"


def test_a_taken_product_key_is_refused_the_same_whoever_holds_it(world):
    """Keys are unique across the site, so B's key is refused when A's member picks it, but in
    the very words that refuse A's own key: nothing about whose it is or what it holds."""
    a, b = world.a, world.b
    client = client_for(a.users["developer"])
    for api in (True, False):
        answers = {}
        for key in (b.key, a.key):
            with transaction.atomic():
                if api:
                    response = client.post(reverse("api-product-list"), {"key": key, "name": "Mine"}, format="json")
                else:
                    response = client.post(reverse("backlog:product-create"), {"key": key, "name": "Mine"})
                transaction.set_rollback(True)
            answers[key] = comparable(response)
        real, made = answers[b.key], answers[a.key]
        assert real[0] == 400
        assert indistinguishable(real, made, {b.key: a.key}), mismatch("post", f"create {b.key}", real, made)
