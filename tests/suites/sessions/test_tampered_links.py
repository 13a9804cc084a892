"""Tampered links: an unsubscribe or invitation link that was changed, cut short, signed for
something else or too old is a 400 page that says so, changes nothing, and is never a 500.

Every variant is made from a real link, the way someone editing it in a browser could make it;
the last group is signed with the site's key (nobody else can make them) with payloads the code
never writes, so that a future bug that did write one still gets a 400, not a 500."""

import base64
import json

import pytest
from django.apps import apps
from django.core import signing
from django.test import Client
from django.urls import reverse

from backlog import services
from backlog.models import Membership, Role
from backlog.services.invitations import INVITATION_SALT, invitation_token
from digests.selectors import UNSUBSCRIBE_SALT, unsubscribe_token
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"
# Rows that a request may write without anything having changed: the session, the sign-in log.
UNTRACKED_APPS = {"sessions", "axes", "admin", "contenttypes", "auth"}


def snapshot() -> dict:
    """Every row of Ordo's own tables, to compare before and after a request."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_models()
        if model._meta.app_label not in UNTRACKED_APPS
    }


def b64(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def tamperings(token: str, payload_changes: list) -> dict[str, str]:
    """Variants of a signed token (payload:[timestamp:]signature) a person could make without the key."""
    payload, _, signature = token.partition(":")
    rest, _, signature = token.rpartition(":")
    variants = {
        "the signature cut short by one": token[:-1],
        "the signature cut in half": token[: len(token) - len(signature) // 2],
        "no signature": rest,
        "no signature and no colon": rest.replace(":", ""),
        "an empty signature": rest + ":",
        "a signature of another link": f"{rest}:{'A' * len(signature)}",
        "the signature's case changed": f"{rest}:{signature.swapcase()}",
        "a character added": token + "A",
        "a character changed in the payload": ("B" if token[0] != "B" else "C") + token[1:],
        "only the payload": payload,
        "the parts swapped": f"{signature}:{rest}",
        "doubled": f"{token}:{token}",
        "empty parts": "::",
        "a very long token": token + "A" * 5000,
        "non-ASCII": token + "é",
        "a NUL character": token[:5] + "\x00" + token[5:],
        "percent signs": token + "%00%2F",
    }
    for name, data in payload_changes:
        variants[f"the payload changed to {name}, old signature kept"] = f"{b64(data)}:{token.split(':', 1)[1]}"
    return variants


class OldTimestampSigner(signing.TimestampSigner):
    """Signs as the site did `age` seconds ago."""

    def __init__(self, *args, age: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.age = age

    def timestamp(self):
        import time

        return signing.b62_encode(int(time.time() - self.age))


# --- The unsubscribe link -----------------------------------------------------------------------------


@pytest.fixture
def subscribed(product, stakeholder, po):
    """The stakeholder's link, and another member's ids to swap in."""
    other = make_user("other@example.com")
    Membership.objects.create(product=product, user=other, role=Role.STAKEHOLDER)
    return unsubscribe_token(stakeholder.pk, product.pk), stakeholder, other, product


def unsubscribe_variants(subscribed) -> dict[str, str]:
    token, stakeholder, other, product = subscribed
    swaps = [
        ("another member's ids", [other.pk, product.pk]),
        ("the ids swapped", [product.pk, stakeholder.pk]),
        ("the ids as strings", [str(stakeholder.pk), str(product.pk)]),
        ("a third id", [stakeholder.pk, product.pk, 1]),
    ]
    variants = tamperings(token, swaps)
    variants["signed for invitations"] = signing.Signer(salt=INVITATION_SALT).sign_object([stakeholder.pk, product.pk])
    variants["signed with a timestamp"] = signing.dumps([stakeholder.pk, product.pk], salt=UNSUBSCRIBE_SALT)
    # Signed here, shapes the code never makes: still a 400.
    unsubscribe_signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
    for name, value in {
        "ids as strings": [str(stakeholder.pk), str(product.pk)],
        "booleans": [True, True],
        "an id past any column": [10**30, product.pk],
        "a negative id": [-1, product.pk],
        "a dict": {"u": stakeholder.pk, "p": product.pk},
        "nothing": None,
        "ids that name nobody": [10**6, 10**6],
    }.items():
        variants[f"signed here, {name}"] = unsubscribe_signer.sign_object(value)
    return variants


def test_a_tampered_unsubscribe_link_is_a_400_page_that_changes_nothing(subscribed):
    variants = unsubscribe_variants(subscribed)
    client = Client(raise_request_exception=False)
    before = snapshot()
    wrong = []
    for name, token in variants.items():
        url = reverse("digests:unsubscribe", args=[token])
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 400 or "This unsubscribe link is not valid" not in response.content.decode():
                wrong.append((name, method, response.status_code))
    assert wrong == [], "\n".join(map(repr, wrong))
    assert snapshot() == before


def test_the_link_of_an_account_that_is_gone_says_so_before_the_button(subscribed, client):
    """Not only once the button is pressed: the page first offered to unsubscribe, then refused."""
    token, stakeholder, _, _ = subscribed
    stakeholder.delete()
    response = client.get(reverse("digests:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()


def test_the_real_unsubscribe_link_still_works_after_all_that(subscribed, client):
    """The tampered variants above are refused for what they are, not because every link is."""
    token = subscribed[0]
    assert client.post(reverse("digests:unsubscribe", args=[token])).status_code == 200


# --- The invitation link -----------------------------------------------------------------------------


@pytest.fixture
def invited(po, product):
    """A newcomer's invitation and another one (to swap ids with), both waiting."""
    invitation = services.invite_member(product=product, by=po, email="newbie@example.com", role="developer")
    other = services.invite_member(product=product, by=po, email="someone@example.com", role="stakeholder")
    return invitation, other


def invitation_variants(invitation, other) -> dict[str, str]:
    token = invitation_token(invitation)
    legacy = {"p": invitation.product_id, "e": invitation.email, "r": "developer", "t": 2_000_000_000}
    swaps = [
        ("another invitation's id", {"i": other.pk}),
        ("the id as a string", {"i": str(invitation.pk)}),
        ("a legacy payload", legacy),
    ]
    variants = tamperings(token, swaps)
    variants["signed for unsubscribing"] = signing.dumps({"i": invitation.pk}, salt=UNSUBSCRIBE_SALT)
    variants["signed with no salt"] = signing.dumps({"i": invitation.pk})
    variants["signed without a timestamp"] = signing.Signer(salt=INVITATION_SALT).sign_object({"i": invitation.pk})
    variants["eight days old"] = OldTimestampSigner(salt=INVITATION_SALT, age=8 * 86400).sign_object(
        {"i": invitation.pk}
    )
    legacy_token = signing.dumps({**legacy, "t": None}, salt=INVITATION_SALT)
    variants["a legacy link with its email changed"] = (
        f"{b64({**legacy, 'e': other.email})}:" + legacy_token.split(":", 1)[1]
    )
    # Signed here, shapes the code never makes: still a 400.
    for name, value in {
        "the id as a string": {"i": str(invitation.pk)},
        "the id as a boolean": {"i": True},
        "an id past any column": {"i": 10**30},
        "a negative id": {"i": -1},
        "an id that names nothing": {"i": 10**6},
        "a list": [invitation.pk],
        "nothing": None,
        "a legacy link to nothing": {**legacy, "p": 10**6},
        "a legacy link with an id past any column": {**legacy, "p": 10**30},
        "a legacy link from before any invitation": {**legacy, "t": 1},
        "a legacy link to another address": {**legacy, "e": "nobody@example.com"},
        "a legacy link from past the end of time": {**legacy, "t": 10**30},
        "a legacy link at a negative time": {**legacy, "t": -(10**15)},
        "a legacy link with a boolean time": {**legacy, "t": True},
        "a legacy link with no address": {**legacy, "e": None},
    }.items():
        variants[f"signed here, {name}"] = signing.dumps(value, salt=INVITATION_SALT)
    return variants


def test_a_tampered_invitation_link_is_a_400_page_that_changes_nothing(invited):
    invitation, other = invited
    client = Client(raise_request_exception=False)
    before = snapshot()
    wrong = []
    newcomer = {"display_name": "Newbie", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for name, token in invitation_variants(invitation, other).items():
        for view in ("backlog:invitation-accept", "backlog:invitation-decline"):
            url = reverse(view, args=[token])
            for method, data in (("get", {}), ("post", newcomer)):
                response = getattr(client, method)(url, data)
                body = response.content.decode()
                if response.status_code != 400 or "This invitation cannot be used" not in body:
                    wrong.append((name, view, method, response.status_code))
    assert wrong == [], "\n".join(map(repr, wrong))
    assert snapshot() == before


def test_an_expired_invitation_link_says_it_expired(invited, client):
    token = OldTimestampSigner(salt=INVITATION_SALT, age=8 * 86400).sign_object({"i": invited[0].pk})
    response = client.get(reverse("backlog:invitation-accept", args=[token]))
    assert response.status_code == 400
    assert "This invitation has expired" in response.content.decode()


def test_the_real_invitation_links_still_work_after_all_that(invited, client):
    invitation, other = invited
    assert client.get(reverse("backlog:invitation-accept", args=[invitation_token(invitation)])).status_code == 200
    assert client.post(reverse("backlog:invitation-decline", args=[invitation_token(other)])).status_code == 200
