"""Ordo's own OpenAPI schema, loaded into Schemathesis for in-process fuzzing, with what the suite
binds, excludes and tunes — each exclusion saying why the finding it would report is wrong.

The schema and every explicit example are built when pytest collects, before any database
exists: path parameters and the token are placeholders then, and `bind()` swaps in the persona's
real keys, ids and token when an example runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.core.failures import AcceptedNegativeData, Failure
from schemathesis.openapi.checks import RejectedPositiveData, UseAfterFree

from config.wsgi import application

SEED = 20261104
# Fuzzing-phase examples per operation, valid and invalid ones together, on top of the coverage
# phase's deterministic boundary cases (12 to 156 an operation today, 33 the median).
MAX_EXAMPLES = 10
PLACEHOLDER_TOKEN = "fuzz-persona-token"
PLACEHOLDERS = {"integer": 0, "string": "BOUND"}

RAW_SCHEMA = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def operations() -> list[tuple[str, str, dict]]:
    """(path, method, operation) for every operation of the schema."""
    return [
        (path, method, operation)
        for path, methods in RAW_SCHEMA["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def path_parameters(operation: dict) -> dict[str, str]:
    """Path parameter name -> its JSON type."""
    return {p["name"]: p["schema"]["type"] for p in operation.get("parameters", []) if p["in"] == "path"}


# Operations the fuzzing leaves out, and why; each has its own tests (test_excluded_operations.py).
EXCLUDED = {
    # Wrong credentials are its documented 400, which Schemathesis counts as valid data refused,
    # and every failure counts towards the sign-in lock of django-axes (a 429 for the pair).
    "auth_token_create": "credentials, not data: tests/suites/fuzz/test_excluded_operations.py",
}


@dataclass(frozen=True)
class Refusal:
    """A 400 that schema-valid input gets for a reason no request schema can state. It covers an
    answer to one of `operations` (None: any) whose error names only `fields` (None: whichever)
    and, if `codes` is given, carries one of those codes."""

    operations: frozenset[str] | None
    fields: frozenset[str] | None
    codes: frozenset[str] | None = None
    why: str = ""

    def covers(self, operation_id: str, body) -> bool:
        if not isinstance(body, dict) or (self.operations is not None and operation_id not in self.operations):
            return False
        if self.codes is not None and body.get("code") not in self.codes:
            return False
        named = set(body.get("fields") or {})
        return self.fields is None or (bool(named) and named <= self.fields)


def _ids(*names: str) -> frozenset[str]:
    return frozenset(names)


# Schemathesis reports a 400 to schema-valid input as "valid data rejected". These are the 400s
# whose reason a request schema cannot express; any other 400 to valid input still fails.
REFUSALS = (
    Refusal(
        None,
        None,
        _ids(
            "already_an_item",
            "already_member",
            "already_planned",
            "archived",
            "goal_active",
            "goal_closed",
            "in_sprint",
            "item_done",
            "key_taken",
            "last_product_owner",
            "no_goal",
            "no_next_sprint",
            "no_votes_left",
            "not_in_sprint",
            "sprint_active",
            "sprint_busy",
            "sprint_closed",
            "sprint_not_active",
            "sprint_planned",
        ),
        why="The state of things forbids it now (a closed sprint, the one active goal, the last product owner, "
        "feedback that became an item already, a product key taken, a member already there): a schema "
        "describes requests, not the state they meet. Each code is a documented domain rule; the stateful "
        "phase walks into them on purpose.",
    ),
    Refusal(
        _ids("products_list", "items_list", "notes_list", "sprints_list"),
        _ids("cursor"),
        why="A cursor is opaque: one that no `next` or `previous` link gave out is refused, and its shape "
        "(the schema's pattern) cannot tell the two apart.",
    ),
    Refusal(
        _ids("items_create", "items_partial_update"),
        _ids("parent"),
        why="A reference the schema can only type: an item key that names no item of the product is refused.",
    ),
    Refusal(_ids("items_move"), _ids("after", "before"), _ids("invalid_target"), why="The same: no such live item."),
    Refusal(_ids("feedback_create"), _ids("about"), why="The same: no such item."),
    Refusal(_ids("sprint_items_create", "hypothesis_outcomes_create"), _ids("item"), why="The same: no such item."),
    Refusal(_ids("sprints_create", "sprints_partial_update"), _ids("product_goal"), why="The same: no such goal."),
    Refusal(_ids("action_items_create"), _ids("owner", "target_sprint"), why="The same: no such member or sprint."),
    Refusal(
        _ids("sprints_close"),
        _ids("placements"),
        why="The same: placements are keyed by the sprint's unfinished items, which a schema cannot list.",
    ),
    Refusal(
        _ids("forecast_retrieve"),
        _ids("item", "position"),
        why="No such item; or both or neither of `item` and `position`: OpenAPI 3.0 has no way to say that "
        "exactly one of two query parameters is required.",
    ),
    Refusal(
        _ids("products_partial_update"),
        _ids("key"),
        why="The key is read-only: the one value accepted is the product's own key, which a schema shared by "
        "every product cannot state.",
    ),
    Refusal(
        _ids("sprints_create", "sprints_partial_update"),
        _ids("start_date", "end_date"),
        why="Sprint dates: the end not before the start, at most so many days apart, years 1970 to 2999. "
        "JSON Schema can neither compare two fields nor bound a date.",
    ),
)


@dataclass(frozen=True)
class Known:
    """A finding that is wrong: `failure` on one of `operations` (operation ids; for a resource used
    after its DELETE, the DELETE's), answered with one of `statuses` (None: whichever)."""

    failure: type[Failure]
    operations: frozenset[str]
    statuses: frozenset[int] | None
    why: str

    def covers(self, failure: Failure, operation_id: str, status: int) -> bool:
        if not isinstance(failure, self.failure):
            return False
        if isinstance(failure, UseAfterFree):
            operation_id = OPERATION_IDS.get(failure.operation, "")
        return operation_id in self.operations and (self.statuses is None or status in self.statuses)


OPERATION_IDS = {f"{method.upper()} {path}": operation["operationId"] for path, method, operation in operations()}
# The operations that take If-Match, as the schema says.
IF_MATCH_OPERATIONS = frozenset(
    operation["operationId"]
    for _, _, operation in operations()
    if any(p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", []))
)

KNOWN = (
    Known(
        AcceptedNegativeData,
        IF_MATCH_OPERATIONS,
        frozenset({412}),
        why="A stale If-Match is answered 412 before the body is read, as DESIGN.md orders it (401, 404, 403, "
        "412, then 400): an invalid body sent with a made-up, so stale, tag gets the 412.",
    ),
    Known(
        RejectedPositiveData,
        IF_MATCH_OPERATIONS,
        frozenset({412}),
        why="A made-up entity tag is stale: 412 with the object as it is now is the documented answer to that.",
    ),
    Known(
        UseAfterFree,
        frozenset({"items_destroy"}),
        None,
        why="DELETE archives an item, by design (DESIGN.md): nothing is destroyed, the item stays readable "
        "with its archived_at, and it can be restored.",
    ),
    Known(
        UseAfterFree,
        frozenset({"sprint_items_destroy"}),
        None,
        why="Taking an item out of an active sprint records it as removed scope, which the sprint's items "
        "still show (`removed`): the burndown and the review need it.",
    ),
)


def _declared(operation: dict) -> frozenset[str]:
    """The names a request to the operation may hold: its parameters and its body's properties."""
    names = {p["name"] for p in operation.get("parameters", [])}
    components = RAW_SCHEMA["components"]["schemas"]
    for media in operation.get("requestBody", {}).get("content", {}).values():
        body = components.get(media["schema"].get("$ref", "").rsplit("/", 1)[-1], media["schema"])
        names |= set(body.get("properties", {}))
    return frozenset(names)


DECLARED = {operation["operationId"]: _declared(operation) for _, _, operation in operations()}


def about_the_object_in_the_path(operation_id: str, body) -> bool:
    """A 400 naming only what no request to the operation holds: it is about the object the path
    names (`sprint`: it has not started, or is not active; `feedback`: it is an item already),
    the state of things again. (`non_field_errors` names the body as a whole, so it does not count.)"""
    named = set(body.get("fields") or {}) if isinstance(body, dict) else set()
    return bool(named) and "non_field_errors" not in named and not named & DECLARED.get(operation_id, frozenset())


def _keep(context, failure, case, response) -> bool:
    """filter_failure: drop the findings that REFUSALS and KNOWN say are wrong, keep the rest."""
    operation_id = case.operation.definition.raw["operationId"]
    if isinstance(failure, RejectedPositiveData) and response.status_code == 400:
        try:
            body = response.json()
        except ValueError:
            return True
        if any(refusal.covers(operation_id, body) for refusal in REFUSALS):
            return False
        if about_the_object_in_the_path(operation_id, body):
            return False
    return not any(known.covers(failure, operation_id, response.status_code) for known in KNOWN)


def _operation_entries() -> list[dict]:
    entries = []
    for _path, _method, operation in operations():
        operation_id = operation["operationId"]
        if operation_id in EXCLUDED:
            entries.append({"include-operation-id": operation_id, "enabled": False})
            continue
        pinned = {f"path.{name}": PLACEHOLDERS[kind] for name, kind in path_parameters(operation).items()}
        if pinned:
            entries.append({"include-operation-id": operation_id, "parameters": pinned})
    return entries


def load_schema(*, coverage: bool = True):
    """The schema as Schemathesis fuzzes it: seeded, derandomized, bounded, against the WSGI app;
    without the coverage phase if told so."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "phases": {"coverage": {"enabled": coverage}},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "auth": {"openapi": {"tokenAuth": {"api_key": f"Token {PLACEHOLDER_TOKEN}"}}},
            "operations": _operation_entries(),
        }
    )
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(RAW_SCHEMA)), config=config)
    schema.app = application
    schema.hook("filter_failure")(_keep)
    return schema


def bind(case, world, *, keep=frozenset()) -> None:
    """Swap the placeholders of a case for the persona's token and the values its path
    parameters are bound to (all but those in `keep`: a stateful step keeps what a link gave it).
    A credential the case left out or garbled on purpose stays so."""
    operation = case.operation
    operation_id = operation.definition.raw["operationId"]
    if case.path_parameters:
        case.path_parameters = {
            name: value if name in keep else world.bound(operation_id, operation.path, name)
            for name, value in case.path_parameters.items()
        }
    if case.headers and case.headers.get("Authorization") == f"Token {PLACEHOLDER_TOKEN}":
        case.headers = {**case.headers, "Authorization": f"Token {world.token}"}
