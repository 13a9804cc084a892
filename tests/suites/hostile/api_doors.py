"""How to write each API operation that takes a string: its URL, a valid body for the rest, who
sends it, and for each string property either where it is stored (`stored`) or that it is a
reference, a credential or a choice (`refs`): a payload there is refused as a whole.

Choices (enums) and formatted strings (dates, email addresses) count as references without being
listed. An operation or a property the schema has and this table lacks fails test_coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from tests.conftest import PASSWORD

from . import targets as t


@dataclass(frozen=True)
class ApiDoor:
    method: str
    url: Callable
    stored: dict = field(default_factory=dict)
    refs: frozenset = frozenset()
    # Credentials refuse a payload with a 400 that, on purpose, does not say which one was wrong.
    credentials: frozenset = frozenset()
    base: Callable = lambda w, c: {}
    # The rest of the body when a reference or a credential takes a payload (default: `base`).
    probe_base: Callable | None = None
    persona: str | None = "product_owner"
    setup: Callable = t.nothing
    # One accepted write uses the target up (a sprint closes once): set it up again after one.
    used_up: bool = False


def _key(w, c):
    return {"key": w.product.key}


ITEM_TEXT = ("title", "description", "why", "acceptance_criteria", "hypothesis")

API_DOORS = {
    "auth_token_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-auth-token"),
        stored={"name": t.NEWEST_TOKEN},
        refs=frozenset({"email"}),
        credentials=frozenset({"password"}),
        base=lambda w, c: {"email": w.po.email, "password": PASSWORD},
        # A wrong password counts towards the sign-in lock of its address: one address per try.
        probe_base=lambda w, c: {"email": f"nobody{w.next_number()}@example.com", "password": PASSWORD},
        persona=None,
    ),
    "products_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-product-list"),
        stored=t.NEWEST_PRODUCT,
        refs=frozenset({"key"}),
        base=lambda w, c: {"key": f"H{w.next_number()}", "name": "A hostile product"},
    ),
    "products_partial_update": ApiDoor(
        "patch",
        lambda w, c: reverse("api-product-detail", kwargs=_key(w, c)),
        stored={name: t.product_attr(name) for name in ("name", "vision")},
        refs=frozenset({"key"}),
    ),
    "members_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-member-list", kwargs=_key(w, c)),
        base=lambda w, c: {"email": f"invitee{w.next_number()}@example.com", "role": "developer"},
    ),
    "members_partial_update": ApiDoor(
        "patch",
        lambda w, c: reverse("api-member-detail", kwargs={**_key(w, c), "user_id": c.member.pk}),
        base=lambda w, c: {"role": "stakeholder"},
        setup=t.a_leaving_member,
    ),
    "items_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-item-list", kwargs=_key(w, c)),
        stored={**{name: t.newest_item(name) for name in ITEM_TEXT}, "labels": t.NEWEST_ITEM_LABELS},
        refs=frozenset({"parent"}),
        base=lambda w, c: {"title": "A hostile item"},
    ),
    "items_partial_update": ApiDoor(
        "patch",
        lambda w, c: reverse("api-item-detail", kwargs={"key": c.item.key}),
        stored={**{name: t.target_item(name) for name in ITEM_TEXT}, "labels": t.TARGET_ITEM_LABELS},
        refs=frozenset({"parent"}),
        setup=t.an_item,
    ),
    "items_move": ApiDoor(
        "post",
        lambda w, c: reverse("api-item-move", kwargs={"key": c.item.key}),
        refs=frozenset({"after", "before"}),
        setup=t.two_items,
    ),
    "notes_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-note-list", kwargs={"key": c.item.key}),
        stored={"body": t.NEWEST_NOTE},
        setup=t.an_item,
        persona="developer",
    ),
    "goals_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-goal-list", kwargs=_key(w, c)),
        stored=t.NEWEST_GOAL,
        base=lambda w, c: {"title": "A hostile goal"},
        setup=t.no_active_goal,
        used_up=True,
    ),
    "goals_partial_update": ApiDoor(
        "patch", lambda w, c: reverse("api-goal-detail", kwargs={"goal_id": c.goal.pk}), setup=t.an_active_goal
    ),
    "sprints_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-sprint-list", kwargs=_key(w, c)),
        stored={"goal": t.NEWEST_SPRINT_GOAL},
        base=lambda w, c: {"start_date": "2030-01-07", "end_date": "2030-01-18"},
    ),
    "sprints_partial_update": ApiDoor(
        "patch",
        lambda w, c: reverse("api-sprint-detail", kwargs={"sprint_id": c.sprint.pk}),
        stored={"goal": t.sprint_attr("goal")},
        setup=t.a_planned_sprint,
    ),
    "sprint_items_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-sprint-item-list", kwargs={"sprint_id": c.sprint.pk}),
        refs=frozenset({"item"}),
        setup=t.a_planned_sprint,
    ),
    "sprint_items_column": ApiDoor(
        "post",
        lambda w, c: reverse("api-sprint-item-column", kwargs={"sprint_id": c.sprint.pk, "item_key": c.item.key}),
        setup=t.an_active_sprint,
    ),
    "sprints_close": ApiDoor(
        "post",
        lambda w, c: reverse("api-sprint-close", kwargs={"sprint_id": c.sprint.pk}),
        stored={"goal_note": t.sprint_attr("goal_note")},
        refs=frozenset({"placements"}),
        base=lambda w, c: {"goal_outcome": "partly"},
        setup=t.an_active_sprint,
        used_up=True,
    ),
    "reviews_partial_update": ApiDoor(
        "patch",
        lambda w, c: reverse("api-sprint-review", kwargs={"sprint_id": c.sprint.pk}),
        stored={"notes": t.sprint_attr("review_notes")},
        setup=t.an_active_sprint,
    ),
    "feedback_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-feedback-list", kwargs={"sprint_id": c.sprint.pk}),
        stored={"body": t.NEWEST_FEEDBACK},
        refs=frozenset({"about"}),
        base=lambda w, c: {"body": "Faster, please"},
        setup=t.an_active_sprint,
        persona="stakeholder",
    ),
    "feedback_to_item": ApiDoor(
        "post",
        lambda w, c: reverse("api-feedback-item", kwargs={"feedback_id": c.feedback.pk}),
        stored={"title": t.BECAME_TITLE},
        base=lambda w, c: {"position": 1},
        setup=t.feedback_given,
        used_up=True,
    ),
    "hypothesis_outcomes_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-hypothesis-list", kwargs={"sprint_id": c.sprint.pk}),
        stored={"evidence": t.OUTCOME_EVIDENCE},
        refs=frozenset({"item"}),
        base=lambda w, c: {"item": c.item.key, "verdict": "validated"},
        setup=t.a_done_hypothesis,
    ),
    "retro_cards_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-retro-card-list", kwargs={"sprint_id": c.sprint.pk}),
        stored={"body": t.NEWEST_CARD},
        base=lambda w, c: {"column": "ideas"},
        setup=t.an_active_sprint,
        persona="developer",
    ),
    "action_items_create": ApiDoor(
        "post",
        lambda w, c: reverse("api-action-item-list", kwargs={"sprint_id": c.sprint.pk}),
        stored={"title": t.NEWEST_ACTION},
        setup=t.an_active_sprint,
    ),
    "digest_subscription_update": ApiDoor(
        "put",
        lambda w, c: reverse("api-digest-subscription", kwargs=_key(w, c)),
        base=lambda w, c: {"frequency": "weekly", "weekday": 0, "hour": 7},
        persona="stakeholder",
    ),
}
