"""Permission-matrix entries for the sprints HTML pages (merged into
tests/test_permission_matrix.py). Each kwargs callable creates, through the services, the
sprint objects its URL needs in the matrix's `world`."""

import datetime

from django.utils import timezone

from backlog import services as backlog_services
from sprints import services

# Statuses in the matrix's persona order: anonymous, outsider, stakeholder, developer, scrum
# master, product owner.
READ = (302, 404, 200, 200, 200, 200)
PLAN = (302, 404, 403, 403, 302, 302)
PLAN_FORM = (302, 404, 403, 403, 200, 200)
WORK = (302, 404, 403, 302, 302, 302)  # the board: whoever edits items
FEEDBACK = (302, 404, 302, 302, 302, 302)
RANKER = (302, 404, 403, 403, 403, 302)
RETRO_PAGE = (302, 404, 404, 200, 200, 200)  # hidden from stakeholders
RETRO = (302, 404, 404, 302, 302, 302)


def _po(w):
    return w.users["product_owner"]


def _planned(w, *, goal="Matrix goal", items=()):
    today = timezone.localdate()
    sprint = services.create_sprint(
        product=w.product, by=_po(w), start_date=today, end_date=today + datetime.timedelta(days=13), goal=goal
    )
    for item in items:
        services.add_to_sprint(sprint=sprint, item=item, by=_po(w))
    return sprint


def _active(w):
    return services.start_sprint(sprint=_planned(w, items=[w.item]), by=_po(w))


def key(w):
    return {"key": w.product.key}


def planned(w):
    return {"sprint_id": _planned(w).pk}


def planned_with_item(w):
    return {"sprint_id": _planned(w, items=[w.item]).pk, "item_key": w.item.key}


def active(w):
    return {"sprint_id": _active(w).pk}


def active_item(w):
    return {"sprint_id": _active(w).pk, "item_key": w.item.key}


def feedback(w):
    sprint = _active(w)
    given = services.add_feedback(sprint=sprint, by=_po(w), body="Make it faster")
    return {"sprint_id": sprint.pk, "feedback_id": given.pk}


def done_with_hypothesis(w):
    backlog_services.update_item(item=w.item, by=_po(w), changes={"hypothesis": "We believe it sells."})
    sprint = _active(w)
    services.set_column(sprint=sprint, item=w.item, by=_po(w), column="done")
    return {"sprint_id": sprint.pk}


def card(w):
    sprint = _active(w)
    made = services.add_retro_card(sprint=sprint, by=_po(w), column="ideas", body="Pair more")
    return {"sprint_id": sprint.pk, "card_id": made.pk}


def voted_card(w):
    sprint = _active(w)
    made = services.add_retro_card(sprint=sprint, by=_po(w), column="ideas", body="Pair more")
    for user in w.users.values():
        if user != w.users["outsider"] and user != w.users["stakeholder"]:
            services.vote(card=made, by=user)
    return {"sprint_id": sprint.pk, "card_id": made.pk}


def action(w, *, done=False):
    sprint = _active(w)
    made = services.add_action_item(sprint=sprint, by=_po(w), title="Automate the release")
    if done:
        services.complete_action_item(action_item=made, by=_po(w))
    return {"sprint_id": sprint.pk, "action_id": made.pk}


def sprint_form(w):
    today = timezone.localdate()
    return {"start_date": f"{today:%Y-%m-%d}", "end_date": f"{today + datetime.timedelta(days=13):%Y-%m-%d}"}


ENTRIES = {
    "sprints:sprint-list": [("get", key, {}, READ)],
    "sprints:sprint-create": [("post", key, lambda w: {**sprint_form(w), "goal": "New"}, PLAN)],
    "sprints:velocity": [("get", key, {}, READ)],
    "sprints:lessons": [("get", key, {}, READ)],
    "sprints:sprint-detail": [("get", active, {}, READ)],
    "sprints:sprint-planning": [
        ("get", planned, {}, READ),
        ("post", planned, lambda w: {**sprint_form(w), "goal": "Changed", "version": "1"}, PLAN),
    ],
    "sprints:sprint-start": [("post", planned, {}, PLAN)],
    "sprints:sprint-close": [
        ("get", active, {}, PLAN_FORM),
        ("post", active, {"goal_outcome": "met"}, PLAN),
    ],
    "sprints:sprint-burndown": [("get", active, {}, READ)],
    "sprints:sprint-column": [("post", active_item, {"column": "in_progress"}, WORK)],
    "sprints:sprint-add": [("post", planned, lambda w: {"key": w.other_item.key}, PLAN)],
    "sprints:sprint-remove": [("post", planned_with_item, {}, PLAN)],
    "sprints:sprint-review": [("get", active, {}, READ)],
    "sprints:sprint-review-notes": [("post", active, {"review_notes": "Shown.", "version": "1"}, PLAN)],
    "sprints:sprint-feedback": [("post", active, {"body": "Nice"}, FEEDBACK)],
    "sprints:sprint-feedback-item": [("post", feedback, {"position": "1"}, RANKER)],
    "sprints:sprint-hypothesis": [
        ("post", done_with_hypothesis, lambda w: {"item": w.item.key, "verdict": "validated"}, PLAN)
    ],
    "sprints:sprint-retro": [("get", active, {}, RETRO_PAGE)],
    "sprints:sprint-retro-card": [("post", active, {"column": "ideas", "body": "Pair more"}, RETRO)],
    "sprints:sprint-retro-vote": [("post", card, {}, RETRO)],
    "sprints:sprint-retro-unvote": [("post", voted_card, {}, RETRO)],
    "sprints:sprint-action": [("post", active, {"title": "Automate the release"}, RETRO)],
    "sprints:sprint-action-done": [("post", action, {}, RETRO)],
    "sprints:sprint-action-reopen": [("post", lambda w: action(w, done=True), {}, RETRO)],
}
