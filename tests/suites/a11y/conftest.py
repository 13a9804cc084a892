"""The accessibility suite's world: the demo product (`seed_demo`: five closed sprints, the active
one, a planned one, a review with feedback, a retrospective with cards, votes and action items,
items of every status, labels, notes, archived items), plus what the demo lacks for the pages
to show each of their states: waiting invitations (one whose email failed), an invitation the
stakeholder has not answered yet, API tokens, a digest subscription, feedback and retro cards on
the active sprint, and real signed links (invitations, unsubscribe, password reset).

The browser fixtures are tests/browser's own; the contexts opened here add none of their own
settings (no `bypass_csp`), so the pages run under the site's real Content-Security-Policy."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import OutboxMessage, User
from accounts.services import create_api_token
from backlog import services as backlog_services
from backlog.models import Item, Product, Role
from backlog.services.invitations import invitation_token
from digests import selectors as digest_selectors
from digests import services as digest_services
from sprints import services as sprint_services
from sprints.models import RetroCard, Sprint
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import PageWatch

# tests/browser's fixtures, for this package too: one Chromium per module, a context per persona.
browser = browser_fixtures.browser
signed_in = browser_fixtures.signed_in

PERSONAS = {
    "product_owner": "po@example.com",
    "scrum_master": "sm@example.com",
    "developer": "dev@example.com",
    "stakeholder": "stakeholder@example.com",
}


@dataclass
class Demo:
    product: Product
    other: Product  # the product owner's second product: no goal, no sprints
    users: dict[str, User]
    closed: Sprint  # the last closed sprint: its review and retrospective are the demo's
    active: Sprint
    planned: Sprint
    item: Item  # an item with a description, a hypothesis, refinement notes and history
    links: dict[str, str] = field(default_factory=dict)  # signed links, by what they are for


def _password_reset_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/password/reset/{uid}/{default_token_generator.make_token(user)}/"


@pytest.fixture
def demo(transactional_db) -> Demo:
    call_command("seed_demo", allow_demo_users=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    product = Product.objects.get(key="SHOP")
    users = {persona: User.objects.get(email=email) for persona, email in PERSONAS.items()}
    po, stakeholder = users["product_owner"], users["stakeholder"]
    sprints = product.sprints.order_by("number")
    closed = sprints.filter(status=Sprint.Status.CLOSED).last()
    active = sprints.get(status=Sprint.Status.ACTIVE)
    planned = sprints.filter(status=Sprint.Status.PLANNED).first()
    item = (
        Item.objects.filter(product=product, archived_at__isnull=True, refinement_notes__isnull=False)
        .exclude(hypothesis="")
        .order_by("number")
        .first()
    )

    # The backlog filtered to one label shows every status (the demo's discarded catalogue item
    # is archived too, so one more is discarded).
    dropped = Item.objects.filter(product=product, labels__name="catalog", status=Item.Status.NEW).last()
    backlog_services.update_item(item=dropped, by=po, changes={"status": Item.Status.DISCARDED})

    # The members page: invitations waiting, one of them refused by the recipient's server.
    newcomer = backlog_services.invite_member(product=product, by=po, email="newcomer@example.com", role="developer")
    bounced = backlog_services.invite_member(product=product, by=po, email="bounced@example.com", role="stakeholder")
    OutboxMessage.objects.filter(pk=bounced.message_id).update(
        state=OutboxMessage.State.FAILED, error="550 5.1.1 No such mailbox", body=""
    )
    # Someone with an account, invited: the page asks them to sign in as that address.
    kim = User.objects.create_user(email="known@example.com", password="x-unused-password-x", display_name="Kim Known")
    known = backlog_services.invite_member(product=product, by=po, email="known@example.com", role="developer")
    # The stakeholder's home page: an invitation to another product, waiting for an answer.
    other = backlog_services.create_product(by=po, key="OPS", name="Operations", vision="Keep the lights on.")
    backlog_services.invite_member(product=other, by=po, email=stakeholder.email, role=Role.STAKEHOLDER)

    for user in (po, stakeholder):
        create_api_token(by=user, name="Release script")
    digest_services.update_subscription(
        user=stakeholder, product=product, frequency="weekly", weekday=0, hour=8, send_when_quiet=False
    )
    # The active sprint's review and retrospective with something on them.
    sprint_services.add_feedback(sprint=active, by=stakeholder, body="Wallet payment works on **my** phone.")
    for column, body in (("went_well", "The wallet spike paid off"), ("to_improve", "Too many meetings")):
        card = sprint_services.add_retro_card(sprint=active, by=users["developer"], column=column, body=body)
        sprint_services.vote(card=card, by=po)
    assert RetroCard.objects.filter(sprint=active).count() == 2

    links = {
        "invitation-newcomer": f"/invitations/{invitation_token(newcomer)}/",
        "invitation-known": f"/invitations/{invitation_token(known)}/",
        "invitation-decline": f"/invitations/{invitation_token(newcomer)}/decline/",
        "unsubscribe": f"/unsubscribe/{digest_selectors.unsubscribe_token(stakeholder.pk, product.pk)}/",
        # Not a persona's: signing one in (force_login) sets last_login, which voids the link.
        "password-reset": _password_reset_path(kim),
    }
    return Demo(product, other, users, closed, active, planned, item, links)


@pytest.fixture
def anonymous(browser, live_server):
    """Open a page as nobody signed in: `page, watch = anonymous()`."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page)

    yield open_page
    for context in contexts:
        context.close()
