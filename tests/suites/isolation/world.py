"""Two products, A and B, each populated through the services with one of everything Ordo
stores: items (archived, done, sliced, labelled, with notes), product goals past and present,
sprints planned, active and closed with their items, reviews with feedback and hypothesis
outcomes, retrospective cards, votes and action items, members of every role, digest
subscriptions, waiting invitations and API tokens.

Every text of a product carries its word ("alpha", "bravo"), so a page that shows anything of
the other product can be caught by grepping for it. A's members are only in A, B's only in B.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import ForeignKey, ManyToManyField, OneToOneField, Q
from django.utils import timezone

from accounts.services import create_api_token
from backlog import services as backlog_services
from backlog.models import Membership, Product, Role
from digests import services as digest_services
from sprints import services as sprint_services
from tests.conftest import make_user

ROLES = (Role.PRODUCT_OWNER, Role.SCRUM_MASTER, Role.DEVELOPER, Role.STAKEHOLDER)


@dataclass
class Side:
    """One product and everything in it, by what the probes need to name."""

    word: str
    product: object
    users: dict  # role (str) → user; plus "leaver", a B-only developer, and "invited" (no account)
    items: dict = field(default_factory=dict)  # name → item
    sprints: dict = field(default_factory=dict)  # "closed", "active", "planned"
    goals: dict = field(default_factory=dict)  # "past", "active"
    feedback: dict = field(default_factory=dict)
    cards: dict = field(default_factory=dict)
    actions: dict = field(default_factory=dict)
    invitations: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    labels: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.product.key

    @property
    def po(self):
        return self.users[str(Role.PRODUCT_OWNER)]


def build_side(key: str, word: str) -> Side:
    """A product named `key` whose every text carries `word`."""
    users = {
        str(role): make_user(f"{word}-{role}@example.com", display_name=f"{word.title()} {role}") for role in ROLES
    }
    po = users[str(Role.PRODUCT_OWNER)]
    product = backlog_services.create_product(by=po, key=key, name=f"{word.title()} shop", vision=f"The {word} vision.")
    for role in ROLES[1:]:
        backlog_services.add_member(product=product, by=po, user=users[str(role)], role=role)
    users["leaver"] = make_user(f"{word}-leaver@example.com", display_name=f"{word.title()} leaver")
    backlog_services.add_member(product=product, by=po, user=users["leaver"], role=Role.DEVELOPER)
    side = Side(word=word, product=product, users=users)

    # Product goals: one achieved, one active.
    side.goals["past"] = backlog_services.set_product_goal(product=product, by=po, title=f"{word} past goal")
    backlog_services.close_product_goal(goal=side.goals["past"], by=po, status="achieved")
    side.goals["active"] = backlog_services.set_product_goal(
        product=product, by=po, title=f"{word} active goal", description=f"The {word} goal."
    )

    def item(name: str, **fields):
        made = backlog_services.create_item(
            product=product,
            by=po,
            title=f"{word} {name}",
            description=f"The {word} {name} description.",
            labels=[f"{word}-label"],
            estimate=3,
            **fields,
        )
        side.items[name] = made
        return made

    hypothesis = f"We believe {word} buyers want it."
    for name in ("first", "second", "carried", "judged", "board", "planned", "loose"):
        item(name, hypothesis=hypothesis)
    item("slice", parent=side.items["first"])
    item("archived")
    backlog_services.archive_item(item=side.items["archived"], by=po)
    backlog_services.add_refinement_note(item=side.items["first"], by=po, body=f"A {word} note.")
    side.labels = [f"{word}-label"]

    today = timezone.localdate()
    days = datetime.timedelta

    # Sprint 1, closed: one item done and judged, one carried back to the backlog; feedback
    # (one turned into an item), cards with votes, action items done and open.
    closed = sprint_services.create_sprint(
        product=product,
        by=po,
        start_date=today - days(28),
        end_date=today - days(15),
        goal=f"{word} first sprint goal",
        product_goal=side.goals["active"],
    )
    for name in ("judged", "carried"):
        sprint_services.add_to_sprint(sprint=closed, item=side.items[name], by=po)
    closed = sprint_services.start_sprint(sprint=closed, by=po)
    sprint_services.set_column(sprint=closed, item=side.items["judged"], by=po, column="done")
    side.feedback["closed"] = sprint_services.add_feedback(
        sprint=closed,
        by=users[str(Role.STAKEHOLDER)],
        body=f"{word} feedback, closed sprint",
        about=side.items["judged"],
    )
    became = sprint_services.add_feedback(sprint=closed, by=po, body=f"{word} feedback that became an item")
    sprint_services.feedback_to_item(feedback=became, by=po, position=2, title=f"{word} from feedback")
    side.feedback["became"] = became
    sprint_services.record_hypothesis_outcome(
        sprint=closed, item=side.items["judged"], by=po, verdict="validated", evidence=f"{word} evidence"
    )
    side.cards["closed"] = sprint_services.add_retro_card(
        sprint=closed, by=users[str(Role.DEVELOPER)], column="went_well", body=f"{word} card, closed sprint"
    )
    sprint_services.vote(card=side.cards["closed"], by=users[str(Role.DEVELOPER)])
    side.actions["done"] = sprint_services.add_action_item(sprint=closed, by=po, title=f"{word} done action")
    sprint_services.complete_action_item(action_item=side.actions["done"], by=po)
    closed = sprint_services.close_sprint(
        sprint=closed, by=po, goal_outcome="partly", goal_note=f"{word} goal note", placements={}
    )
    side.sprints["closed"] = closed

    # Sprint 2, active: one item on the board, one done; feedback, a voted card, an open action
    # item with an owner and a target sprint (the planned one).
    active = sprint_services.create_sprint(
        product=product, by=po, start_date=today - days(3), end_date=today + days(10), goal=f"{word} active goal"
    )
    planned = sprint_services.create_sprint(
        product=product, by=po, start_date=today + days(11), end_date=today + days(24), goal=f"{word} planned goal"
    )
    for name in ("board", "first"):
        sprint_services.add_to_sprint(sprint=active, item=side.items[name], by=po)
    active = sprint_services.start_sprint(sprint=active, by=po)
    sprint_services.set_column(sprint=active, item=side.items["first"], by=po, column="done")
    sprint_services.set_column(sprint=active, item=side.items["board"], by=po, column="in_progress")
    side.feedback["active"] = sprint_services.add_feedback(
        sprint=active, by=users[str(Role.STAKEHOLDER)], body=f"{word} feedback, active sprint"
    )
    side.cards["active"] = sprint_services.add_retro_card(
        sprint=active, by=po, column="ideas", body=f"{word} card, active sprint"
    )
    sprint_services.vote(card=side.cards["active"], by=users[str(Role.SCRUM_MASTER)])
    side.actions["open"] = sprint_services.add_action_item(
        sprint=active, by=po, title=f"{word} open action", owner=users[str(Role.DEVELOPER)], target_sprint=planned
    )
    side.sprints["active"] = active

    # Sprint 3, planned, with one item.
    sprint_services.add_to_sprint(sprint=planned, item=side.items["planned"], by=po)
    side.sprints["planned"] = planned

    # Digest subscriptions, invitations waiting for an answer, API tokens.
    for role in ROLES:
        digest_services.update_subscription(
            user=users[str(role)], product=product, frequency="weekly", weekday=0, hour=8, send_when_quiet=True
        )
    side.invitations["waiting"] = backlog_services.invite_member(
        product=product, by=po, email=f"{word}-invited@example.com", role=Role.DEVELOPER
    )
    for role in ROLES:
        side.tokens[str(role)] = create_api_token(by=users[str(role)], name=f"{word} token")[0]

    for name, made in side.items.items():
        made.refresh_from_db()
        side.items[name] = made
    for group in (side.sprints, side.feedback, side.cards, side.actions, side.goals, side.invitations):
        for made in group.values():
            made.refresh_from_db()
    side.product.refresh_from_db()
    return side


@dataclass
class World:
    a: Side
    b: Side


def build_world() -> World:
    return World(a=build_side("ALPHA", "alpha"), b=build_side("BRAVO", "bravo"))


# --- Snapshots -------------------------------------------------------------------------------------

# The project's own apps: every row they hold is compared before and after a probe.
APPS = ("accounts", "backlog", "sprints", "digests")
# Written by signing in (force_login), not by anything a probe asks for.
NOISE = {("accounts", "user"): {"last_login"}}


def _models():
    for app in APPS:
        yield from apps.get_app_config(app).get_models()


def _dump(rows) -> list:
    return [tuple(sorted((k, repr(v)) for k, v in row.items())) for row in rows]


def all_rows() -> dict:
    """Every row of every model of Ordo's apps (many-to-many tables included), noise left out."""
    snapshot = {}
    for model in _models():
        meta = model._meta
        skip = NOISE.get((meta.app_label, meta.model_name), set())
        names = [f.attname for f in meta.concrete_fields if f.attname not in skip]
        snapshot[meta.label] = _dump(model.objects.order_by("pk").values(*names))
        for m2m in meta.many_to_many:
            through = m2m.remote_field.through
            snapshot[through._meta.label] = _dump(through.objects.order_by("pk").values())
    return snapshot


def _paths_to_product(model, depth: int = 3, prefix: str = "") -> list[str]:
    """Lookups from the model to a Product (`product`, `sprint__product`, `card__sprint__product`…)."""
    if model is Product:
        return [prefix.rstrip("_") or "pk"]
    if depth == 0:
        return []
    found = []
    for f in model._meta.get_fields():
        if isinstance(f, ForeignKey | OneToOneField | ManyToManyField) and f.concrete and f.related_model:
            found += _paths_to_product(f.related_model, depth - 1, f"{prefix}{f.name}__")
    return found


def rows_of(product) -> dict:
    """Every row that belongs to the product or points into it (any foreign-key path of three
    steps or fewer), and its members' own rows (users, tokens, subscriptions)."""
    from accounts.models import User

    members = set(Membership.objects.filter(product=product).values_list("user_id", flat=True))
    snapshot = {}
    for model in _models():
        meta = model._meta
        skip = NOISE.get((meta.app_label, meta.model_name), set())
        names = [f.attname for f in meta.concrete_fields if f.attname not in skip]
        if model is User:
            rows = model.objects.filter(pk__in=members)
        else:
            paths = _paths_to_product(model)
            query = Q()
            for path in paths:
                query |= Q(**{path: product.pk})
            for f in meta.concrete_fields:
                if isinstance(f, ForeignKey) and f.related_model is User:
                    query |= Q(**{f"{f.name}__in": members})
            if not query:
                continue
            rows = model.objects.filter(query).distinct()
        snapshot[meta.label] = _dump(rows.order_by("pk").values(*names))
    return snapshot


def differences(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots, table by table, readable in a failure message."""
    changes = []
    for label in sorted(set(before) | set(after)):
        old, new = set(before.get(label, [])), set(after.get(label, []))
        for row in sorted(old - new):
            changes.append(f"{label}: changed or gone: {dict(row)}")
        for row in sorted(new - old):
            changes.append(f"{label}: new or changed: {dict(row)}")
    return changes


def work_on(side: Side) -> None:
    """A day's work in the side's product, through the services: new items, a note, moves, a
    sprint closed and the next started, feedback, cards, votes, an action item, a goal reached
    and a new one set, a new member, a new invitation, an archived item."""
    po, word, product = side.po, side.word, side.product
    made = [
        backlog_services.create_item(
            product=product, by=po, title=f"{word} more {n}", estimate=5, labels=[f"{word}-new"]
        )
        for n in range(3)
    ]
    backlog_services.move_item(item=made[-1], by=po, position=1)
    backlog_services.add_refinement_note(item=made[0], by=po, body=f"{word} more notes")
    backlog_services.archive_item(item=side.items["loose"], by=po)
    active = side.sprints["active"]
    sprint_services.close_sprint(sprint=active, by=po, goal_outcome="met", goal_note=f"{word} met", placements={})
    planned = sprint_services.start_sprint(sprint=side.sprints["planned"], by=po)
    sprint_services.add_to_sprint(sprint=planned, item=made[0], by=po)
    sprint_services.set_column(sprint=planned, item=made[0], by=po, column="done")
    sprint_services.add_feedback(sprint=planned, by=side.users[str(Role.STAKEHOLDER)], body=f"{word} more feedback")
    card = sprint_services.add_retro_card(sprint=planned, by=po, column="went_well", body=f"{word} more cards")
    sprint_services.vote(card=card, by=po)
    sprint_services.add_action_item(sprint=planned, by=po, title=f"{word} more actions")
    today = timezone.localdate()
    sprint_services.create_sprint(
        product=product,
        by=po,
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=43),
    )
    backlog_services.close_product_goal(goal=side.goals["active"], by=po, status="achieved")
    backlog_services.set_product_goal(product=product, by=po, title=f"{word} next goal")
    backlog_services.add_member(product=product, by=po, user=make_user(f"{word}-new@example.com"), role=Role.DEVELOPER)
    backlog_services.invite_member(
        product=product, by=po, email=f"{word}-also-invited@example.com", role=Role.STAKEHOLDER
    )
