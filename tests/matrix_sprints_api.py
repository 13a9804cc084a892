"""Permission-matrix entries for the sprints API (merged into tests/test_permission_matrix.py's
MATRIX). Each kwargs callable builds, through the services, the sprint objects its URL needs
from the world's product, personas and items."""

import datetime

from django.utils import timezone

from backlog import services as backlog_services
from sprints import services

# Statuses in the order of PERSONAS: anonymous, outsider, stakeholder, developer, scrum master,
# product owner.
READ = (401, 404, 200, 200, 200, 200)
PLAN = (401, 404, 403, 403, 200, 200)
PLAN_CREATE = (401, 404, 403, 403, 201, 201)
PLAN_DELETE = (401, 404, 403, 403, 204, 204)
TEAM = (401, 404, 403, 200, 200, 200)
FEEDBACK = (401, 404, 201, 201, 201, 201)
OWNER = (401, 404, 403, 403, 403, 200)
OWNER_CREATE = (401, 404, 403, 403, 403, 201)
# The retrospective is hidden from stakeholders: 404, as for outsiders.
RETRO = (401, 404, 404, 200, 200, 200)
RETRO_CREATE = (401, 404, 404, 201, 201, 201)


def _owner(w):
    return w.users["product_owner"]


def _planned(w, *items):
    today = timezone.now().date()
    sprint = services.create_sprint(
        product=w.product, by=_owner(w), start_date=today, end_date=today + datetime.timedelta(days=13), goal="Ship"
    )
    for item in items:
        services.add_to_sprint(sprint=sprint, item=item, by=_owner(w))
    return sprint


def _active(w, *items):
    sprint = _planned(w, *items)
    return services.start_sprint(sprint=sprint, by=_owner(w))


def key(w):
    return {"key": w.product.key}


def planned(w):
    return {"sprint_id": _planned(w).pk}


def planned_with_item(w):
    return {"sprint_id": _planned(w, w.item).pk, "item_key": w.item.key}


def active(w):
    return {"sprint_id": _active(w, w.item).pk}


def active_with_item(w):
    return {"sprint_id": _active(w, w.item).pk, "item_key": w.item.key}


def plan_other_item(w):
    return {"item": w.other_item.key}


def with_judgeable_item(w):
    """An active sprint in which the world's item, carrying a hypothesis, is done."""
    backlog_services.update_item(item=w.item, by=_owner(w), changes={"hypothesis": "We believe…"})
    w.item.refresh_from_db()
    sprint = _active(w, w.item)
    services.set_column(sprint=sprint, item=w.item, by=_owner(w), column="done")
    return {"sprint_id": sprint.pk}


def feedback(w):
    sprint = _active(w)
    return {"feedback_id": services.add_feedback(sprint=sprint, by=_owner(w), body="Invoices, please").pk}


def card(w):
    sprint = _active(w)
    return {"card_id": services.add_retro_card(sprint=sprint, by=_owner(w), column="ideas", body="Pair more").pk}


def voted_card(w):
    sprint = _active(w)
    made = services.add_retro_card(sprint=sprint, by=_owner(w), column="ideas", body="Pair more")
    for persona in ("developer", "scrum_master", "product_owner"):
        services.vote(card=made, by=w.users[persona])
    return {"card_id": made.pk}


def action_item(w):
    sprint = _active(w)
    return {"action_id": services.add_action_item(sprint=sprint, by=_owner(w), title="Fix the build").pk}


def goal(w):
    return {"goal_id": backlog_services.set_product_goal(product=w.product, by=_owner(w), title="Sell abroad").pk}


def new_sprint(w):
    today = timezone.now().date()
    return {"start_date": today.isoformat(), "end_date": (today + datetime.timedelta(days=13)).isoformat()}


ENTRIES = {
    "api-sprint-list": [
        ("get", key, {}, READ),
        ("post", key, new_sprint, PLAN_CREATE),
    ],
    "api-sprint-detail": [
        ("get", planned, {}, READ),
        ("patch", planned, {"goal": "Ship faster"}, PLAN),
    ],
    "api-sprint-start": [("post", planned, {}, PLAN)],
    "api-sprint-close": [("post", active, {"goal_outcome": "met"}, PLAN)],
    "api-sprint-item-list": [
        ("get", active, {}, READ),
        ("post", planned, plan_other_item, PLAN_CREATE),
    ],
    "api-sprint-item-detail": [
        ("get", planned_with_item, {}, READ),
        ("delete", planned_with_item, None, PLAN_DELETE),
    ],
    "api-sprint-item-column": [("post", active_with_item, {"column": "in_progress"}, TEAM)],
    "api-sprint-burndown": [("get", active, {}, READ)],
    "api-sprint-review": [
        ("get", active, {}, READ),
        ("patch", active, {"notes": "Demoed checkout."}, PLAN),
    ],
    "api-feedback-list": [
        ("get", active, {}, READ),
        ("post", active, {"body": "Looks good"}, FEEDBACK),
    ],
    "api-feedback-item": [("post", feedback, {"position": 1}, OWNER_CREATE)],
    "api-hypothesis-list": [
        ("post", with_judgeable_item, lambda w: {"item": w.item.key, "verdict": "validated"}, PLAN_CREATE),
    ],
    "api-retro-card-list": [
        ("get", active, {}, RETRO),
        ("post", active, {"column": "went_well", "body": "Pairing"}, RETRO_CREATE),
    ],
    "api-retro-vote": [
        ("post", card, {}, RETRO_CREATE),
        ("delete", voted_card, None, RETRO),
    ],
    "api-action-item-list": [
        ("get", active, {}, RETRO),
        ("post", active, {"title": "Automate the release"}, RETRO_CREATE),
    ],
    "api-action-item-detail": [("patch", action_item, {"done": True}, RETRO)],
    "api-velocity": [("get", key, {}, READ)],
    "api-forecast": [("get", key, {"position": 1}, READ)],
    "api-goal-list": [
        ("get", key, {}, READ),
        ("post", key, {"title": "Sell abroad"}, OWNER_CREATE),
    ],
    "api-goal-detail": [("get", goal, {}, READ), ("patch", goal, {"status": "achieved"}, OWNER)],
}
