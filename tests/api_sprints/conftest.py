"""Helpers for the sprints API tests: the API clients of tests/api, the sprint fixtures and
helpers of tests/sprints, and URLs by name."""

from django.urls import reverse

from tests.api.conftest import api, as_user, fast_passwords  # noqa: F401 - fixtures
from tests.sprints.conftest import (  # noqa: F401 - fixtures and helpers
    active_sprint,
    close,
    closed_sprints,
    make_ready_item,
    make_sprint,
    move,
    plan,
    ready_items,
    sprint,
    start,
)


def sprints_url(key="SHOP"):
    return reverse("api-sprint-list", kwargs={"key": key})


SPRINT_URLS = {
    "": "api-sprint-detail",
    "start": "api-sprint-start",
    "close": "api-sprint-close",
    "items": "api-sprint-item-list",
    "burndown": "api-sprint-burndown",
    "review": "api-sprint-review",
    "feedback": "api-feedback-list",
    "hypotheses": "api-hypothesis-list",
    "cards": "api-retro-card-list",
    "actions": "api-action-item-list",
}


def sprint_url(sprint_or_id, action=""):
    sprint_id = getattr(sprint_or_id, "pk", sprint_or_id)
    return reverse(SPRINT_URLS[action], kwargs={"sprint_id": sprint_id})


def sprint_item_url(sprint_or_id, item_or_key, action=""):
    key = getattr(item_or_key, "key", item_or_key)
    name = "api-sprint-item-column" if action == "column" else "api-sprint-item-detail"
    return reverse(name, kwargs={"sprint_id": getattr(sprint_or_id, "pk", sprint_or_id), "item_key": key})


def feedback_item_url(feedback):
    return reverse("api-feedback-item", kwargs={"feedback_id": getattr(feedback, "pk", feedback)})


def vote_url(card):
    return reverse("api-retro-vote", kwargs={"card_id": getattr(card, "pk", card)})


def action_item_url(action):
    return reverse("api-action-item-detail", kwargs={"action_id": getattr(action, "pk", action)})


def velocity_url(key="SHOP"):
    return reverse("api-velocity", kwargs={"key": key})


def forecast_url(key="SHOP"):
    return reverse("api-forecast", kwargs={"key": key})


def goals_url(key="SHOP"):
    return reverse("api-goal-list", kwargs={"key": key})


def goal_url(goal):
    return reverse("api-goal-detail", kwargs={"goal_id": getattr(goal, "pk", goal)})
