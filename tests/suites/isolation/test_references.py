"""A member of A names B's objects from inside A: B's item as a parent, a move's neighbour, a
sprint's item, the subject of feedback or of a hypothesis outcome, a placement at close; B's
member as an action item's owner; B's sprint as its target; B's goal as a sprint's; B's label or
words in a filter. Each is refused (or, for a filter, finds nothing) exactly as a made-up one
is, names nothing of B, and writes nothing anywhere.

The inputs come from the OpenAPI schema, the HTML forms and the views' raw reads
(tests/suites/isolation/references.py); a new one must be placed there before this passes.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse

from backlog.models import Role

from .probe import TOKENS, client_for, comparable, describe, identifiers, indistinguishable, made_up, mismatch
from .references import OWN, REFERENCES, api_inputs, classify, html_inputs
from .world import ROLES, all_rows, differences


def test_every_input_that_names_an_object_has_a_probe():
    """Every request-body property, query parameter and form field is a probed reference, or says why not."""
    missing, stale = classify(api_inputs() | html_inputs())
    assert not missing, f"Inputs neither probed nor declared free of references: {missing}"
    assert not stale, f"Entries for inputs that no longer exist: {stale}"


def _pairs(side) -> dict[str, list[tuple]]:
    """For each kind, (B's value, a made-up one in its place) pairs."""
    fake = made_up(side)
    pairs = {kind: [(value, fake[kind]) for value in values] for kind, values in identifiers(side).items()}
    pairs["label"] = [(label, "nosuch-label") for label in side.labels]
    pairs["invited_email"] = [(side.invitations["waiting"].email, "nobody@example.com")]
    # What a search for B's things would type: an item's key, its title, the product's word and
    # key; the made-up search is the same with another word.
    words = [side.items["first"].key, side.items["first"].title, side.word, side.key]
    pairs["search"] = [(word, re.sub(side.word, "nosuch", word, flags=re.IGNORECASE)) for word in words]
    return pairs


def _answer(client, ref, a, value):
    url = reverse(ref.url, kwargs=ref.kwargs(a))
    data = ref.body(a, value)
    if ref.method == "get":
        response = client.get(url, data)
    elif ref.url.startswith("api-"):
        response = getattr(client, ref.method)(url, data, format="json")
    else:
        # HTML forms redirect back with a message: the page they land on is the answer.
        response = client.post(url, data, follow=True)
    status, headers, _, body = comparable(response)
    chain = " ".join(f"{code} {where}" for where, code in getattr(response, "redirect_chain", []))
    return f"{url} {data}", (status, headers, chain, body)


def _refused(seen: tuple) -> bool:
    status, _, chain, body = seen
    return status in (400, 403, 404) or bool(chain and "message-error" in body)


@pytest.mark.parametrize("role", [str(role) for role in ROLES])
def test_objects_of_b_named_inside_a_are_refused_as_made_up_ones_are(world, role):
    """Every reference input × B's objects of its kind: the made-up answer, refused, nothing written."""
    a, b = world.a, world.b
    client = client_for(a.users[role])
    pairs = _pairs(b)
    before = all_rows()
    findings = []
    for where, refs in REFERENCES.items():
        for ref in refs:
            made_up_answers = {}
            # A's product owner tries each of B's objects of the kind; the other roles the first.
            for theirs, fake in pairs[ref.kind][: None if role == Role.PRODUCT_OWNER else 1]:
                what, real = _answer(client, ref, a, theirs)
                if fake not in made_up_answers:
                    made_up_answers[fake] = _answer(client, ref, a, fake)[1]
                made = made_up_answers[fake]
                # Token by token: "bravo first" against "nosuch first" swaps one word.
                swaps = dict(zip(TOKENS.findall(str(theirs)), TOKENS.findall(str(fake)), strict=False))
                if not indistinguishable(real, made, swaps) or (ref.refuses and not _refused(real)):
                    findings.append(f"{where}: " + mismatch(ref.method, what, real, made))
    changed = differences(before, all_rows())
    assert not findings, f"{len(findings)} references to B differ from made-up ones:\n" + "\n".join(findings)
    assert not changed, "The probes changed rows:\n" + "\n".join(changed)


def _accepted(seen: tuple) -> bool:
    status, _, chain, body = seen
    return 200 <= status < 300 and "message-error" not in body and 'class="errorlist' not in body


def test_each_probe_accepts_an_object_of_a_in_its_place(world):
    """With A's own object where B's was, each probe succeeds: it reaches the check it is meant
    for, instead of being refused for a reason of its own."""
    a, b = world.a, world.b
    client = client_for(a.po)
    pairs = _pairs(b)
    findings = []
    for where, refs in REFERENCES.items():
        for ref in refs:
            if not ref.control:
                continue
            own = (ref.own or OWN[ref.kind])(a)
            # Each control in a savepoint rolled back: they all start from the same world.
            with transaction.atomic():
                what, seen = _answer(client, ref, a, own)
                if not ref.refuses:
                    # A filter finds A's own things, where a made-up word finds nothing.
                    _, made = _answer(client, ref, a, pairs[ref.kind][0][1])
                    if seen == made:
                        findings.append(f"{where}: {what} finds no more than a made-up value")
                transaction.set_rollback(True)
            if not _accepted(seen):
                findings.append(f"{where}: {what}: {describe(seen)}")
    assert not findings, "Probes refused even with A's own object:\n" + "\n".join(findings)
