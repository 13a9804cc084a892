"""Where a request to A names another object in its body or query (an item's parent, a move's
neighbour, a sprint's item, the item feedback is about, an action item's owner…): the inputs,
found in the OpenAPI schema, the HTML forms and the views' raw reads, and for each one that
names an object, how to send it B's.

A new input is either in REFERENCES (with a probe) or in NOT_REFERENCES (with nothing of
another object in it); `test_every_input_that_names_an_object_has_a_probe` fails until it is.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from .world import APPS, Side

# Inputs that name nothing of another product: text, choices, numbers, one's own credentials.
NOT_REFERENCES = {
    # items and notes
    "title", "kind", "status", "estimate", "description", "why", "acceptance_criteria", "hypothesis",
    "at_top", "version", "body", "archived", "page_size", "cursor", "position", "to", "back", "shown",
    "offset", "show", "then", "undo", "next",
    # labels are names within the product the request is about: the same name in B is another label
    "labels",
    # products, members, goals, digests
    "name", "vision", "role", "action", "frequency", "weekday", "hour", "send_when_quiet", "format",
    # sprints, board, review, retrospective
    "start_date", "end_date", "goal", "goal_outcome", "goal_note", "column", "verdict", "evidence",
    "notes", "review_notes", "done",
    # one's own account: credentials and preferences, no product's objects
    "password", "display_name", "time_zone", "old_password", "new_password1", "new_password2",
    "password1", "password2", "username",
}  # fmt: skip
# Inputs that cannot say "B" by design, with why.
BY_DESIGN = {
    # Product keys are unique across the site, as usernames are: refusing a taken one is how a
    # key is chosen, and it says no more than that the key is taken (test_addresses_and_keys.py).
    ("api", "products_create", "key"),
    ("html", "ProductCreateForm", "key"),
    # An address, not an object: inviting B's member is inviting a person
    # (test_addresses_and_keys.py checks that it tells nothing of B).
    ("api", "members_create", "email"),
    ("html", "MemberAddForm", "email"),
    # Credentials and addresses for one's own account.
    ("api", "auth_token_create", "email"),
    ("html", "QueuedPasswordResetForm", "email"),
}


# Fields a form makes at run time, which its class does not list: the close form's placement
# of each unfinished item; the digest form's fields carry the product's key as their prefix.
DYNAMIC_INPUTS = {("html", "CloseForm", "place_<key>"), ("html", "PreferenceForm", "<key>-frequency")}
# The Django admin's forms: staff only, outside every product.
ADMIN_FORMS = {"AdminUserChangeForm", "AdminUserCreationForm"}


def api_inputs() -> set[tuple[str, str, str]]:
    """("api", operation id, name) for every request-body property and query parameter."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            op = operation["operationId"]
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    found.add(("api", op, parameter["name"]))
            for content in operation.get("requestBody", {}).get("content", {}).values():
                body = content.get("schema", {})
                if "$ref" in body:
                    body = components[body["$ref"].rsplit("/", 1)[1]]
                for name in body.get("properties", {}):
                    found.add(("api", op, name))
    return found


def _modules(prefix: str):
    """The apps' modules named `prefix…`, and those inside a package of that name."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part.startswith(prefix) for part in info.name.split(".")[1:]) and not info.ispkg:
                yield importlib.import_module(info.name)


def html_inputs() -> set[tuple[str, str, str]]:
    """("html", form class, field) for every form of the apps, and ("html", "request", name) for
    every value a view reads straight from request.POST or request.GET."""
    found = set()
    for module in _modules("forms"):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
                and cls.__name__ not in ADMIN_FORMS
            ):
                found |= {("html", cls.__name__, name) for name in cls.base_fields}
    raw = re.compile(r"request\.(?:POST|GET)(?:\.get\(|\[)\s*[\"']([^\"']+)[\"']")
    for module in _modules("views"):
        found |= {("html", "request", name) for name in raw.findall(Path(module.__file__).read_text())}
    return found | DYNAMIC_INPUTS


@dataclass(frozen=True)
class Ref:
    """Send the input B's identifier of `kind` in a request to A's `url` (kwargs of A's side)."""

    url: str
    kwargs: object  # Side → dict
    method: str
    body: object  # (Side, value) → dict (the query string for a GET)
    kind: str
    # Whether the answer must refuse it (400, 403, 404, or for HTML a redirect back to a page
    # that shows an error); a filter answers 200, as for a made-up name.
    refuses: bool = True
    # Whether A's own object in its place is accepted, showing that the probe reaches the check
    # it is meant for (test_each_probe_accepts_an_object_of_a_in_its_place).
    control: bool = True
    own: object = None  # Side → A's value for the control, where OWN's for the kind will not do


# A's own object of each kind, for those controls.
OWN = {
    "item_key": lambda side: side.items["second"].key,
    "user_id": lambda side: side.users["developer"].pk,
    "sprint_id": lambda side: side.sprints["planned"].pk,
    "goal_id": lambda side: side.goals["active"].pk,
    "product_key": lambda side: side.key,
    "label": lambda side: side.labels[0],
    "invited_email": lambda side: side.invitations["waiting"].email,
    "search": lambda side: side.items["second"].title,
}


def _days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def _key(side: Side) -> dict:
    return {"key": side.key}


def _sprint(state: str):
    return lambda side: {"sprint_id": side.sprints[state].pk}


def _item(name: str, kwarg: str = "key"):
    return lambda side: {kwarg: side.items[name].key}


def _planning(side: Side, value) -> dict:
    sprint = side.sprints["planned"]
    return {
        "start_date": sprint.start_date.isoformat(),
        "end_date": sprint.end_date.isoformat(),
        "goal": "Changed",
        "version": str(sprint.version),
        "product_goal": value,
    }


def _new_sprint(side: Side, value) -> dict:
    return {"start_date": _days(30), "end_date": _days(43), "goal": "Next", "product_goal": value}


def _done(side: Side) -> str:
    return side.items["first"].key  # done in the active sprint, with a hypothesis to judge


def _unfinished(side: Side) -> str:
    return side.items["board"].key  # in progress in the active sprint


REFERENCES = {
    # API: items
    ("api", "items_create", "parent"): [
        Ref("api-item-list", _key, "post", lambda s, v: {"title": "T", "parent": v}, "item_key")
    ],
    ("api", "items_partial_update", "parent"): [
        Ref("api-item-detail", _item("loose"), "patch", lambda s, v: {"parent": v}, "item_key")
    ],
    ("api", "items_move", "after"): [
        Ref("api-item-move", _item("loose"), "post", lambda s, v: {"after": v}, "item_key")
    ],
    ("api", "items_move", "before"): [
        Ref("api-item-move", _item("loose"), "post", lambda s, v: {"before": v}, "item_key")
    ],
    ("api", "items_list", "q"): [Ref("api-item-list", _key, "get", lambda s, v: {"q": v}, "search", refuses=False)],
    ("api", "items_list", "label"): [
        Ref("api-item-list", _key, "get", lambda s, v: {"label": v}, "label", refuses=False)
    ],
    ("api", "products_partial_update", "key"): [
        Ref("api-product-detail", _key, "patch", lambda s, v: {"key": v}, "product_key")
    ],
    # API: sprints
    ("api", "sprints_create", "product_goal"): [Ref("api-sprint-list", _key, "post", _new_sprint, "goal_id")],
    ("api", "sprints_partial_update", "product_goal"): [
        Ref("api-sprint-detail", _sprint("planned"), "patch", lambda s, v: {"product_goal": v}, "goal_id")
    ],
    ("api", "sprint_items_create", "item"): [
        Ref("api-sprint-item-list", _sprint("planned"), "post", lambda s, v: {"item": v}, "item_key"),
        Ref("api-sprint-item-list", _sprint("active"), "post", lambda s, v: {"item": v}, "item_key"),
    ],
    ("api", "sprints_close", "placements"): [
        Ref(
            "api-sprint-close",
            _sprint("active"),
            "post",
            lambda s, v: {"goal_outcome": "met", "placements": {v: "next"}},
            "item_key",
            own=_unfinished,
        )
    ],
    ("api", "feedback_create", "about"): [
        Ref("api-feedback-list", _sprint("active"), "post", lambda s, v: {"body": "B?", "about": v}, "item_key")
    ],
    ("api", "hypothesis_outcomes_create", "item"): [
        Ref(
            "api-hypothesis-list",
            _sprint("active"),
            "post",
            lambda s, v: {"item": v, "verdict": "validated"},
            "item_key",
            own=_done,
        )
    ],
    ("api", "action_items_create", "owner"): [
        Ref("api-action-item-list", _sprint("active"), "post", lambda s, v: {"title": "T", "owner": v}, "user_id")
    ],
    ("api", "action_items_create", "target_sprint"): [
        Ref(
            "api-action-item-list",
            _sprint("active"),
            "post",
            lambda s, v: {"title": "T", "target_sprint": v},
            "sprint_id",
        )
    ],
    ("api", "forecast_retrieve", "item"): [Ref("api-forecast", _key, "get", lambda s, v: {"item": v}, "item_key")],
    # HTML
    ("html", "MoveForm", "after"): [
        Ref("backlog:item-move", _item("loose", "item_key"), "post", lambda s, v: {"after": v}, "item_key")
    ],
    ("html", "MoveForm", "before"): [
        Ref("backlog:item-move", _item("loose", "item_key"), "post", lambda s, v: {"before": v}, "item_key")
    ],
    ("html", "BacklogFilterForm", "q"): [
        Ref("backlog:backlog", _key, "get", lambda s, v: {"q": v}, "search", refuses=False)
    ],
    ("html", "BacklogFilterForm", "label"): [
        Ref("backlog:backlog", _key, "get", lambda s, v: {"label": v}, "label", refuses=False)
    ],
    ("html", "AddItemForm", "key"): [
        Ref("sprints:sprint-add", _sprint("planned"), "post", lambda s, v: {"key": v}, "item_key"),
        Ref("sprints:sprint-add", _sprint("active"), "post", lambda s, v: {"key": v}, "item_key"),
    ],
    ("html", "AddItemForm", "ready"): [
        Ref("sprints:sprint-add", _sprint("planned"), "post", lambda s, v: {"ready": v}, "item_key")
    ],
    ("html", "FeedbackForm", "about"): [
        Ref("sprints:sprint-feedback", _sprint("active"), "post", lambda s, v: {"body": "B?", "about": v}, "item_key")
    ],
    ("html", "HypothesisForm", "item"): [
        Ref(
            "sprints:sprint-hypothesis",
            _sprint("active"),
            "post",
            lambda s, v: {"item": v, "verdict": "validated"},
            "item_key",
            own=_done,
        )
    ],
    ("html", "request", "item"): [],  # the hypothesis form's item, read raw by the view: probed above
    ("html", "ActionItemForm", "owner"): [
        Ref("sprints:sprint-action", _sprint("active"), "post", lambda s, v: {"title": "T", "owner": v}, "user_id")
    ],
    ("html", "ActionItemForm", "target_sprint"): [
        Ref(
            "sprints:sprint-action",
            _sprint("active"),
            "post",
            lambda s, v: {"title": "T", "target_sprint": v},
            "sprint_id",
        )
    ],
    ("html", "SprintForm", "product_goal"): [
        Ref("sprints:sprint-create", _key, "post", _new_sprint, "goal_id"),
        Ref("sprints:sprint-planning", _sprint("planned"), "post", _planning, "goal_id"),
    ],
    # The close form has a field per unfinished item of A's sprint and reads no other: B's key
    # beside a refused close (no outcome chosen) must not show in the form sent back.
    ("html", "CloseForm", "place_<key>"): [
        Ref(
            "sprints:sprint-close",
            _sprint("active"),
            "post",
            lambda s, v: {f"place_{v}": "next"},
            "item_key",
            control=False,
        )
    ],
    # The digest form's fields carry the product's key: B's prefix on A's form.
    ("html", "PreferenceForm", "<key>-frequency"): [
        Ref(
            "digests:preference-update",
            _key,
            "post",
            lambda s, v: {f"{v.lower()}-frequency": "off", f"{v.lower()}-weekday": "0", f"{v.lower()}-hour": "8"},
            "product_key",
        )
    ],
    # Withdrawing is idempotent: whatever the address, "withdrawn", and A's invitations only.
    ("html", "request", "email"): [
        Ref("backlog:invitation-withdraw", _key, "post", lambda s, v: {"email": v}, "invited_email", refuses=False)
    ],
}


def classify(inputs) -> tuple[list, list]:
    """(inputs with no place in the tables, table entries for inputs that no longer exist)."""
    known = set(REFERENCES) | BY_DESIGN
    missing = sorted(i for i in inputs if i not in known and i[2] not in NOT_REFERENCES)
    stale = sorted(known - set(inputs))
    return missing, stale
