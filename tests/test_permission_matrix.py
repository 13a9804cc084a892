"""Every HTML and API URL × every persona → the status DESIGN.md's permission table promises.

The table below is checked against the URL configuration itself: a new URL without an entry
here fails `test_every_url_has_an_entry_in_the_matrix`.
"""

import importlib
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from accounts.services import create_api_token
from backlog import services
from backlog.models import Membership, Role
from tests.conftest import make_item, make_user

PERSONAS = ("anonymous", "outsider", "stakeholder", "developer", "scrum_master", "product_owner")

# URLs whose answers do not depend on product roles; other tests cover them.
NOT_IN_MATRIX = {
    "admin",  # Django's admin, staff only
    "healthz",
    "api-schema",
    "api-docs",
    "api-not-found",  # the API's catch-all 404
    "api-auth-token",  # credentials, not roles: tests/api/test_auth_token.py
    "accounts:login",
    "accounts:logout",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "backlog:invitation-accept",  # a signed link, not a role: tests/backlog/test_invitations.py
    "backlog:invitation-decline",  # the same link: tests/backlog/test_invitation_answers.py
    "digests:unsubscribe",  # a signed link, not a role: tests/digests/test_unsubscribe.py
}


@dataclass
class World:
    product: object
    users: dict
    item: object
    other_item: object
    archived_item: object
    leaver: object  # a member whose removal or role change is the request under test
    tokens: dict = field(default_factory=dict)


@pytest.fixture
def world(db):
    po = make_user("po@example.com")
    product = services.create_product(by=po, key="SHOP", name="Shop")
    users = {"product_owner": po, "outsider": make_user("outsider@example.com")}
    for role in (Role.SCRUM_MASTER, Role.DEVELOPER, Role.STAKEHOLDER):
        users[str(role)] = make_user(f"{role}@example.com")
        Membership.objects.create(product=product, user=users[str(role)], role=role)
    leaver = make_user("leaver@example.com")
    Membership.objects.create(product=product, user=leaver, role=Role.DEVELOPER)
    item, other_item, archived_item = (make_item(product, title=t) for t in ("One", "Two", "Three"))
    services.archive_item(item=archived_item, by=po)
    archived_item.refresh_from_db()
    w = World(product, users, item, other_item, archived_item, leaver)
    for persona, user in users.items():
        w.tokens[persona] = create_api_token(by=user, name="matrix")[0]
    return w


# Statuses in the order of PERSONAS: anonymous, outsider, stakeholder, developer, scrum master,
# product owner. HTML sends anonymous people to the login page (302); the API answers 401.
READ_HTML = (302, 404, 200, 200, 200, 200)
EDIT_HTML = (302, 404, 403, 302, 302, 302)
EDIT_FORM = (302, 404, 403, 200, 200, 200)
OWNER_HTML = (302, 404, 403, 403, 403, 302)
OWNER_FORM = (302, 404, 403, 403, 403, 200)
OWN_ACCOUNT = (302, 200, 200, 200, 200, 200)
READ_API = (401, 404, 200, 200, 200, 200)


def key(w):
    return {"key": w.product.key}


def invitation_to_outsider(w):
    """An invitation waiting for the outsider's answer: theirs to accept, nobody else's."""
    invitation = services.invite_member(
        product=w.product, by=w.users["product_owner"], email=w.users["outsider"].email, role="developer"
    )
    return {"invitation_id": invitation.pk}


def invitation_of_product(w):
    return {**key(w), **invitation_to_outsider(w)}


# Only the invited address may answer; to everyone else the invitation does not exist.
INVITEE_HTML = (302, 302, 404, 404, 404, 404)


def item_key(w):
    return {"item_key": w.item.key}


def api_item_key(w):
    return {"key": w.item.key}


MATRIX = {
    # HTML: products and members
    "backlog:product-list": [("get", None, {}, OWN_ACCOUNT)],
    "backlog:product-create": [
        ("get", None, {}, OWN_ACCOUNT),
        ("post", None, {"key": "NEW", "name": "New"}, (302, 302, 302, 302, 302, 302)),
    ],
    "backlog:product-settings": [
        ("get", key, {}, OWNER_FORM),
        ("post", key, {"name": "Shop 2", "vision": "More."}, OWNER_HTML),
    ],
    "backlog:members": [
        ("get", key, {}, READ_HTML),
        ("post", key, {"email": "new@example.com", "role": "developer"}, OWNER_HTML),
    ],
    "backlog:member-role": [
        ("post", lambda w: {**key(w), "user_id": w.leaver.pk}, {"role": "stakeholder"}, OWNER_HTML),
    ],
    "backlog:member-remove": [
        ("post", lambda w: {**key(w), "user_id": w.leaver.pk}, {}, OWNER_HTML),
    ],
    "backlog:invitation-withdraw": [("post", key, {"email": "new@example.com"}, OWNER_HTML)],
    "backlog:invitation-resend": [("post", invitation_of_product, {}, OWNER_HTML)],
    "backlog:waiting-accept": [("post", invitation_to_outsider, {}, INVITEE_HTML)],
    "backlog:waiting-decline": [("post", invitation_to_outsider, {}, INVITEE_HTML)],
    # HTML: the backlog and items
    "backlog:backlog": [("get", key, {}, READ_HTML)],
    "backlog:archived": [("get", key, {}, READ_HTML)],
    "backlog:item-create": [
        ("get", key, {}, EDIT_FORM),
        ("post", key, {"title": "New", "kind": "story", "status": "new"}, EDIT_HTML),
    ],
    "backlog:item-detail": [("get", item_key, {}, READ_HTML)],
    "backlog:item-edit": [
        ("get", item_key, {}, EDIT_FORM),
        (
            "post",
            item_key,
            lambda w: {"title": "Renamed", "kind": "story", "status": "new", "version": w.item.version},
            EDIT_HTML,
        ),
    ],
    "backlog:item-move": [("post", lambda w: {"item_key": w.other_item.key}, {"position": "1"}, OWNER_HTML)],
    "backlog:item-archive": [("post", item_key, {}, OWNER_HTML)],
    "backlog:item-restore": [("post", lambda w: {"item_key": w.archived_item.key}, {}, OWNER_HTML)],
    "backlog:item-note": [("post", item_key, {"body": "A note."}, EDIT_HTML)],
    # HTML: the product goal
    "backlog:product-goal": [
        ("get", key, {}, READ_HTML),
        ("post", key, {"action": "set", "title": "Mobile buyers convert like desktop ones"}, OWNER_HTML),
    ],
    # HTML: one's own account
    "accounts:profile": [("get", None, {}, OWN_ACCOUNT)],
    "accounts:password-change": [("get", None, {}, OWN_ACCOUNT)],
    "accounts:password-change-done": [("get", None, {}, OWN_ACCOUNT)],
    "accounts:tokens": [("get", None, {}, OWN_ACCOUNT)],
    "accounts:token-revoke": [
        ("post", None, {}, (302, 302, 302, 302, 302, 302)),
    ],
    # API
    "api-product-list": [
        ("get", None, {}, (401, 200, 200, 200, 200, 200)),
        ("post", None, {"key": "NEW", "name": "New"}, (401, 201, 201, 201, 201, 201)),
    ],
    "api-product-detail": [
        ("get", key, {}, READ_API),
        ("patch", key, {"name": "Shop 2"}, (401, 404, 403, 403, 403, 200)),
    ],
    "api-member-list": [
        ("get", key, {}, READ_API),
        ("post", key, {"email": "new@example.com", "role": "developer"}, (401, 404, 403, 403, 403, 202)),
    ],
    "api-member-detail": [
        (
            "patch",
            lambda w: {**key(w), "user_id": w.leaver.pk},
            {"role": "stakeholder"},
            (401, 404, 403, 403, 403, 200),
        ),
        ("delete", lambda w: {**key(w), "user_id": w.leaver.pk}, None, (401, 404, 403, 403, 403, 204)),
    ],
    "api-item-list": [
        ("get", key, {}, READ_API),
        ("post", key, {"title": "New"}, (401, 404, 403, 201, 201, 201)),
    ],
    "api-item-detail": [
        ("get", api_item_key, {}, READ_API),
        ("patch", api_item_key, {"title": "Renamed"}, (401, 404, 403, 200, 200, 200)),
        ("delete", api_item_key, None, (401, 404, 403, 403, 403, 204)),
    ],
    "api-item-restore": [
        ("post", lambda w: {"key": w.archived_item.key}, {}, (401, 404, 403, 403, 403, 200)),
    ],
    "api-item-move": [
        ("post", lambda w: {"key": w.other_item.key}, {"position": 1}, (401, 404, 403, 403, 403, 200)),
    ],
    "api-invitation-list": [("get", None, {}, (401, 200, 200, 200, 200, 200))],
    "api-invitation-accept": [("post", invitation_to_outsider, {}, (401, 201, 404, 404, 404, 404))],
    "api-invitation-decline": [("post", invitation_to_outsider, {}, (401, 204, 404, 404, 404, 404))],
    "api-note-list": [
        ("get", api_item_key, {}, READ_API),
        ("post", api_item_key, {"body": "A note."}, (401, 404, 403, 201, 201, 201)),
    ],
}


# Later apps bring their own entries (tests/matrix_<app>.py defines ENTRIES in the same shape);
# each entry's kwargs callable may create what its URL needs from the world.
for _module in ("tests.matrix_sprints_html", "tests.matrix_sprints_api", "tests.matrix_digests"):
    try:
        MATRIX.update(importlib.import_module(_module).ENTRIES)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                yield "admin"
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"Every URL needs a name: {pattern.pattern}"
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_an_entry_in_the_matrix():
    """A new URL must say who may use it before it can land."""
    names = set(_url_names(get_resolver().url_patterns))
    missing = names - set(MATRIX) - NOT_IN_MATRIX
    stale = (set(MATRIX) | NOT_IN_MATRIX) - names
    assert not missing, f"URLs without a permission-matrix entry: {sorted(missing)}"
    assert not stale, f"Matrix entries for URLs that no longer exist: {sorted(stale)}"


CASES = [
    pytest.param(name, index, persona, id=f"{name}-{spec[0]}-{persona}")
    for name, specs in MATRIX.items()
    for index, spec in enumerate(specs)
    for persona in PERSONAS
]


@pytest.mark.parametrize(("name", "index", "persona"), CASES)
def test_the_url_answers_each_persona_as_the_policy_says(world, name, index, persona):
    method, kwargs, data, expected = MATRIX[name][index]
    kwargs = kwargs(world) if kwargs else {}
    if name == "accounts:token-revoke":
        kwargs = {"token_id": world.tokens.get(persona, world.tokens["product_owner"]).pk}
    url = reverse(name, kwargs=kwargs)
    data = data(world) if callable(data) else data
    client = APIClient()
    if persona != "anonymous":
        client.force_login(world.users[persona])
    if name.startswith("api-"):
        response = getattr(client, method)(url, data, format="json")
    else:
        response = getattr(client, method)(url, data or {})
    want = expected[PERSONAS.index(persona)]
    assert response.status_code == want, f"{method.upper()} {url} as {persona}: {response.status_code}, want {want}"
    if persona == "anonymous" and not name.startswith("api-"):
        assert reverse("accounts:login") in response["Location"]
