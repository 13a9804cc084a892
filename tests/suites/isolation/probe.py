"""What the isolation probes share: the URL configuration read as (name, kwargs and what each
names), the identifiers of a product's objects by kind, ids that exist nowhere, one request
helper, and responses reduced to what a prober could tell apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.test_permission_matrix import World as MatrixWorld

from .world import Side

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


@dataclass(frozen=True)
class Route:
    name: str
    kinds: dict  # kwarg → kind ("product_key", "item_key", "sprint_id", …)

    @property
    def api(self) -> bool:
        return self.name.startswith("api-")


# What a kwarg names, by its name; `key` is a product key, or an item key where its pattern takes
# one (the API's /items/<key>/).
KWARG_KINDS = {
    "key": "product_key",
    "item_key": "item_key",
    "sprint_id": "sprint_id",
    "feedback_id": "feedback_id",
    "card_id": "card_id",
    "action_id": "action_id",
    "goal_id": "goal_id",
    "user_id": "user_id",
    "invitation_id": "invitation_id",
    "token_id": "token_id",
}
# Kinds that hold others: with A's container and B's object inside it, a URL asks "B's card in
# A's sprint".
CONTAINERS = {"product_key", "sprint_id"}


def _kind(name: str, regex: str) -> str | None:
    kind = KWARG_KINDS.get(name)
    group = re.search(rf"\(\?P<{name}>((?:[^()]|\([^()]*\))*)\)", regex)
    if kind == "product_key" and group and not re.fullmatch(group.group(1), "SHOP"):
        return "item_key"
    return kind


def routes(patterns=None, namespace: str = "") -> dict[str, tuple[Route, list[str]]]:
    """Every named URL → (its Route, the kwargs no kind is known for)."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            found.update(routes(pattern.url_patterns, inner))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            regex = pattern.pattern.regex.pattern
            kinds, unknown = {}, []
            for kwarg in pattern.pattern.regex.groupindex:
                kind = _kind(kwarg, regex)
                if kind is None:
                    unknown.append(kwarg)
                else:
                    kinds[kwarg] = kind
            found[name] = (Route(name, kinds), unknown)
    return found


def identifiers(side: Side) -> dict[str, list]:
    """The side's objects by kind, several of each where their state may matter (a planned, an
    active and a closed sprint; a live, an archived, a done and a sliced item; a key typed in
    lower case)."""
    items, sprints = side.items, side.sprints
    return {
        "product_key": [side.key, side.key.lower()],
        # Aligned with sprint_id: the item of the active sprint, of the planned one, of the closed one.
        "item_key": [
            items["first"].key,
            items["planned"].key,
            items["judged"].key,
            items["archived"].key,
            items["slice"].key,
            items["board"].key.lower(),
        ],
        "sprint_id": [sprints["active"].pk, sprints["planned"].pk, sprints["closed"].pk],
        "feedback_id": [side.feedback["active"].pk, side.feedback["closed"].pk, side.feedback["became"].pk],
        "card_id": [side.cards["active"].pk, side.cards["closed"].pk],
        "action_id": [side.actions["open"].pk, side.actions["done"].pk],
        "goal_id": [side.goals["active"].pk, side.goals["past"].pk],
        "user_id": [side.users["leaver"].pk, side.po.pk, side.users["stakeholder"].pk],
        "invitation_id": [side.invitations["waiting"].pk],
        "token_id": [side.tokens["developer"].pk],
    }


def made_up(side: Side) -> dict:
    """For each kind, an identifier of nothing at all (an item number the product never reached)."""
    return {
        "product_key": "NOSUCH",
        "item_key": f"{side.key}-99999",
        **{kind: 900_000_000 + n for n, kind in enumerate(KWARG_KINDS.values()) if kind.endswith("_id")},
    }


def variants(route: Route, side: Side) -> list[dict]:
    """The route's kwargs filled with the side's identifiers: as many variants as its kind with
    the most identifiers has, the others cycling."""
    ids = identifiers(side)
    count = max((len(ids[kind]) for kind in route.kinds.values()), default=0)
    return [{kwarg: ids[kind][n % len(ids[kind])] for kwarg, kind in route.kinds.items()} for n in range(count)]


def matrix_world(side: Side) -> MatrixWorld:
    """The side dressed as tests/test_permission_matrix.py's world, so its bodies can be reused."""
    return MatrixWorld(
        product=side.product,
        users=side.users,
        item=side.items["first"],
        other_item=side.items["loose"],
        archived_item=side.items["archived"],
        leaver=side.users["leaver"],
    )


def client_for(user) -> APIClient:
    # A 500 is a finding to report with the others, not an exception that ends the probe.
    client = APIClient(raise_request_exception=False)
    client.force_login(user)
    return client


def send(client: APIClient, method: str, url: str, data, *, api: bool, headers: dict | None = None):
    headers = headers or {}
    if method in ("head", "options"):
        return getattr(client, method)(url, **headers)
    if api:
        if data is None:
            return getattr(client, method)(url, **headers)
        return getattr(client, method)(url, data, format="json", **headers)
    return getattr(client, method)(url, data or {}, **headers)


_CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b")  # Django's masked CSRF token, new on every response
_NONCE = re.compile(r'nonce="[^"]*"')
TOKENS = re.compile(r"[A-Za-z0-9_-]+|\s+|.", re.DOTALL)


_CSP_NONCE = re.compile(r"'nonce-[^']*'")
# Headers that differ between any two responses, or are compared apart (Location).
_UNCOMPARED = {"content-length", "date", "location", "set-cookie"}


def comparable(response) -> tuple:
    """What a prober sees: status, headers (with the names of the cookies set), where it is sent,
    and the body, less what changes on every response (CSRF tokens, nonces)."""
    body = response.content.decode("utf-8", errors="replace")
    body = _NONCE.sub('nonce=""', _CSRF.sub("<csrf>", body))
    headers = sorted(f"{name.lower()}: {value}" for name, value in response.items() if name.lower() not in _UNCOMPARED)
    headers.append(f"cookies: {sorted(response.cookies)}")
    headers = _CSP_NONCE.sub("'nonce-'", "\n".join(headers))
    return response.status_code, headers, response.get("Location", ""), body


def _same_but_ids(real: str, made: str, pairs: dict) -> bool:
    """The two texts are the same but where one names B's identifier and the other, in the same
    place, the made-up one (B's `No item BRAVO-3.` and `No item BRAVO-99999.`)."""
    if real == made:
        return True
    ours, theirs = TOKENS.findall(real), TOKENS.findall(made)
    if len(ours) != len(theirs):
        return False
    swaps = {(str(r).casefold(), str(m).casefold()) for r, m in pairs.items()}
    return all(x == y or (x.casefold(), y.casefold()) in swaps for x, y in zip(ours, theirs, strict=True))


def indistinguishable(real: tuple, made: tuple, pairs: dict) -> bool:
    """Whether the answer to B's identifiers tells anything the answer to made-up ones does not."""
    return real[0] == made[0] and all(_same_but_ids(x, y, pairs) for x, y in zip(real[1:], made[1:], strict=True))


def _text(body: str) -> str:
    return re.sub(r"\s+", " ", body)


def describe(seen: tuple, other: tuple | None = None) -> str:
    """The answer in one line; beside another answer, from just before where their bodies part."""
    status, headers, location, body = seen
    content_type = next((h for h in headers.splitlines() if h.startswith("content-type")), "")
    text, start = _text(body), 0
    if other is not None:
        theirs = _text(other[3])
        start = next(
            (n for n, (x, y) in enumerate(zip(text, theirs, strict=False)) if x != y), min(len(text), len(theirs))
        )
        start = max(0, start - 80)
    where = f" → {location}" if location else ""
    own = set(headers.splitlines()) - set(other[1].splitlines()) if other is not None else set()
    differing = f" [headers: {'; '.join(sorted(own))}]" if own else ""
    return f"{status}{where} {content_type}{differing} {'…' if start else ''}{text[start : start + 240]}"


def mismatch(method: str, url: str, real: tuple, made: tuple) -> str:
    return f"{method.upper()} {url}: {describe(real, made)}\n    made-up id: {describe(made, real)}"
