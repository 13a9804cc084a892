"""The throwaway world each fuzzing persona works in, built through the services, and the real
value every path parameter of the schema is bound to.

Each persona has a product of its own, so what one persona's requests do (a demoted member, an
archived item, a closed sprint) never changes what the other finds. Every example and every
stateful scenario runs in a savepoint that is rolled back afterwards (see test_api_fuzz.py), so
each starts from the world as built here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.services import create_api_token
from backlog import services as backlog
from backlog.models import Role
from digests import services as digests
from sprints import services as sprints
from tests.conftest import make_user

PERSONAS = ("product_owner", "stakeholder")


@dataclass
class World:
    """A persona, its token (the secret), its product, and what the schema's path parameters name."""

    persona: str
    user: object
    token: str
    product: object
    # Path parameter -> its bound value; (operation id, parameter) -> a value for that operation only.
    bindings: dict[str | tuple[str, str], object] = field(default_factory=dict)

    def bound(self, operation_id: str, path: str, name: str) -> object:
        """The real value the path parameter `name` of the operation is bound to (KeyError: none)."""
        if (operation_id, name) in self.bindings:
            return self.bindings[(operation_id, name)]
        # `key` names an item on /items/{key}/... and a product everywhere else.
        if name == "key" and path.startswith("/api/v1/items/"):
            return self.bindings["item key"]
        return self.bindings[name]


def _days(n: int) -> datetime.date:
    return timezone.now().date() + datetime.timedelta(days=n)


def build_world(persona: str) -> World:
    """A product for `persona`: the product owner owns its product; the stakeholder is a member of
    one that someone else owns. Either way it holds items (open, done, archived), members, an
    invitation, a goal, a planned, an active and a closed sprint with their review, feedback,
    retrospective cards, votes and action items, and the persona's digest subscription."""
    tag = "PO" if persona == "product_owner" else "SH"
    user = make_user(f"fuzz-{tag.lower()}@example.com", display_name=f"Fuzz {persona}")
    owner = user if persona == "product_owner" else make_user(f"owner-{tag.lower()}@example.com")
    product = backlog.create_product(by=owner, key=f"FUZZ{tag}", name=f"Fuzzing {persona}", vision="Find bugs.")
    if persona == "stakeholder":
        backlog.add_member(product=product, by=owner, user=user, role=Role.STAKEHOLDER)
    developer = make_user(f"dev-{tag.lower()}@example.com")
    backlog.add_member(product=product, by=owner, user=developer, role=Role.DEVELOPER)
    # A member whose role the product owner changes, or whom it removes (never the persona itself:
    # a stakeholder leaving is tests/suites/fuzz/test_excluded_operations.py's).
    leaver = make_user(f"leaver-{tag.lower()}@example.com")
    backlog.add_member(product=product, by=owner, user=leaver, role=Role.DEVELOPER)
    backlog.invite_member(product=product, by=owner, email=f"invited-{tag.lower()}@example.com", role=Role.DEVELOPER)

    def item(title, **fields):
        return backlog.create_item(product=product, by=owner, title=title, **fields)

    open_item = item("Checkout on one page", estimate=3, hypothesis="We believe one page sells more.")
    item("Pay by invoice", estimate=5)
    archived = item("Fax orders")
    backlog.archive_item(item=archived, by=owner)
    backlog.add_refinement_note(item=open_item, by=owner, body="Ask the *shop* team.")
    goal = backlog.set_product_goal(product=product, by=owner, title="Sell abroad")

    closed = sprints.create_sprint(product=product, by=owner, start_date=_days(-28), end_date=_days(-15), goal="Ship")
    shipped = item("Ship to Norway", status="ready", estimate=2)
    sprints.add_to_sprint(sprint=closed, item=shipped, by=owner)
    sprints.start_sprint(sprint=closed, by=owner)
    sprints.set_column(sprint=closed, item=shipped, by=owner, column="done")
    sprints.close_sprint(sprint=closed, by=owner, goal_outcome="met")

    active = sprints.create_sprint(
        product=product, by=owner, start_date=_days(-7), end_date=_days(6), goal="One-page checkout", product_goal=goal
    )
    in_sprint = item("Address autocomplete", status="ready", estimate=3, hypothesis="We believe fewer typos.")
    done = item("Card payments", status="ready", estimate=5, hypothesis="We believe cards convert.")
    for planned_item in (in_sprint, done):
        sprints.add_to_sprint(sprint=active, item=planned_item, by=owner)
    sprints.start_sprint(sprint=active, by=owner)
    sprints.set_column(sprint=active, item=done, by=owner, column="done")
    feedback = sprints.add_feedback(sprint=active, by=owner, body="Invoices, please")
    card = sprints.add_retro_card(sprint=active, by=owner, column="went_well", body="Pairing")
    sprints.vote(card=card, by=owner)
    action = sprints.add_action_item(sprint=active, by=owner, title="Automate the release")

    planned = sprints.create_sprint(product=product, by=owner, start_date=_days(7), end_date=_days(20), goal="Next")
    later = item("Gift wrapping", status="ready", estimate=1)
    sprints.add_to_sprint(sprint=planned, item=later, by=owner)

    # Only one sprint of a product may be active: the sprint that the start operation starts
    # belongs to a second product of the same owner, with no active sprint in the way.
    spare = backlog.create_product(by=owner, key=f"FUZZ{tag}2", name=f"Spare of {persona}")
    if persona == "stakeholder":
        backlog.add_member(product=spare, by=owner, user=user, role=Role.STAKEHOLDER)
    startable = sprints.create_sprint(product=spare, by=owner, start_date=_days(0), end_date=_days(13), goal="Go")

    # An invitation to the persona, from a product it is not in, to accept or decline.
    inviter = make_user(f"inviter-{tag.lower()}@example.com")
    elsewhere = backlog.create_product(by=inviter, key=f"ELSE{tag}", name="Elsewhere")
    invitation = backlog.invite_member(product=elsewhere, by=inviter, email=user.email, role=Role.DEVELOPER)

    digests.update_subscription(
        user=user, product=product, frequency="weekly", weekday=0, hour=8, send_when_quiet=False
    )

    world = World(persona, user, create_api_token(by=user, name="fuzz")[1], product)
    world.bindings = {
        "key": product.key,
        "item key": open_item.key,
        "item_key": in_sprint.key,
        "sprint_id": active.pk,
        "user_id": leaver.pk,
        "invitation_id": invitation.pk,
        "feedback_id": feedback.pk,
        "card_id": card.pk,
        "action_id": action.pk,
        "goal_id": goal.pk,
        # Where the operation can succeed: an archived item to restore; a planned sprint to read, edit
        # and plan (its item to read and take out); a startable one to start. The active sprint is
        # the default: to close, review, give feedback on and hold the retrospective of.
        ("items_restore", "key"): archived.key,
        ("sprints_retrieve", "sprint_id"): planned.pk,
        ("sprints_partial_update", "sprint_id"): planned.pk,
        ("sprints_start", "sprint_id"): startable.pk,
        ("sprint_items_create", "sprint_id"): planned.pk,
        ("sprint_items_retrieve", "sprint_id"): planned.pk,
        ("sprint_items_destroy", "sprint_id"): planned.pk,
        ("sprint_items_retrieve", "item_key"): later.key,
        ("sprint_items_destroy", "item_key"): later.key,
    }
    return world
