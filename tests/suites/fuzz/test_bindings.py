"""What the fuzzing binds, excludes and tolerates stays in step with the schema: a new path
parameter without a binding, or a binding, exclusion or refusal for an operation that is gone,
fails here; and every bound path reaches a real object."""

from types import SimpleNamespace

import pytest
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.openapi.checks import RejectedPositiveData, UseAfterFree
from werkzeug.test import Client

from config.wsgi import application
from tests.suites.fuzz.conftest import rolled_back
from tests.suites.fuzz.schema import (
    EXCLUDED,
    KNOWN,
    OPERATION_IDS,
    REFUSALS,
    _keep,
    operations,
    path_parameters,
)
from tests.suites.fuzz.world import PERSONAS

FUZZED = [
    (path, method, operation) for path, method, operation in operations() if operation["operationId"] not in EXCLUDED
]
PARAMETERS = {operation["operationId"]: set(path_parameters(operation)) for _, _, operation in operations()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_path_parameter_of_every_fuzzed_operation_is_bound(worlds, db, persona):
    """A new path parameter must say which real object it names before it can be fuzzed."""
    world = worlds[persona]
    unbound = []
    for path, method, operation in FUZZED:
        for name in path_parameters(operation):
            try:
                world.bound(operation["operationId"], path, name)
            except KeyError:
                unbound.append(f"{method.upper()} {path}: {name}")
    assert unbound == [], "bind these in tests/suites/fuzz/world.py"


def test_every_binding_for_one_operation_names_an_operation_and_a_parameter_it_has(worlds, db):
    stale = [
        key
        for world in worlds.values()
        for key in world.bindings
        if isinstance(key, tuple) and key[1] not in PARAMETERS.get(key[0], set())
    ]
    assert stale == []


def test_every_exclusion_refusal_and_known_finding_names_operations_of_the_schema():
    named = set(EXCLUDED)
    for entry in (*REFUSALS, *KNOWN):
        named |= set(entry.operations or ())
    assert named - set(PARAMETERS) == set()


def test_every_operation_is_fuzzed_or_excluded_with_a_reason():
    assert all(EXCLUDED.values())
    assert {operation["operationId"] for _, _, operation in FUZZED} | set(EXCLUDED) == set(PARAMETERS)


@pytest.mark.parametrize(("path", "method", "operation"), FUZZED, ids=[f"{m.upper()} {p}" for p, m, _ in FUZZED])
def test_every_bound_path_reaches_its_object_for_the_product_owner(worlds, db, path, method, operation):
    """Bound to real objects, the requests get past the 404 (the product owner may see everything)."""
    world = worlds["product_owner"]
    url = path.format(
        **{name: world.bound(operation["operationId"], path, name) for name in path_parameters(operation)}
    )
    with rolled_back():
        response = Client(application).open(
            url, method=method.upper(), headers={"Authorization": f"Token {world.token}"}
        )
    assert response.status_code != 404, (url, response.get_data(as_text=True))


# --- The findings the suite drops, and only those ----------------------------------------------------


def fake(operation_id: str, status: int, body=None):
    """(case, response) as `_keep` reads them."""
    case = SimpleNamespace(operation=SimpleNamespace(definition=SimpleNamespace(raw={"operationId": operation_id})))
    response = SimpleNamespace(status_code=status, json=lambda: body)
    return case, response


def positive_rejected():
    return RejectedPositiveData(operation="", message="", status_code=400, allowed_statuses=[])


def test_a_400_to_valid_input_naming_a_field_the_schema_could_bound_is_kept():
    case, response = fake("products_list", 400, {"code": "invalid", "fields": {"page_size": ["…"]}})
    assert _keep(None, positive_rejected(), case, response)


def test_a_400_for_a_cursor_no_link_gave_out_is_dropped():
    case, response = fake("products_list", 400, {"code": "invalid", "fields": {"cursor": ["Invalid cursor."]}})
    assert not _keep(None, positive_rejected(), case, response)


def test_a_400_naming_a_cursor_and_another_field_is_kept():
    body = {"code": "invalid", "fields": {"cursor": ["…"], "page_size": ["…"]}}
    assert _keep(None, positive_rejected(), *fake("products_list", 400, body))


def test_a_400_for_the_state_of_things_is_dropped_on_any_operation():
    body = {"code": "sprint_closed", "fields": {"sprint": ["…"]}}
    assert not _keep(None, positive_rejected(), *fake("sprint_items_create", 400, body))


def test_a_400_about_the_sprint_in_the_path_is_dropped():
    body = {
        "code": "invalid",
        "fields": {"sprint": ["FUZZ Sprint 1 has not started; its retrospective comes at its end."]},
    }
    assert not _keep(None, positive_rejected(), *fake("action_items_create", 400, body))


def test_a_400_for_a_field_of_the_body_the_schema_does_not_require_is_kept():
    body = {"code": "invalid", "fields": {"role": ["This field is required."]}}
    assert _keep(None, positive_rejected(), *fake("members_partial_update", 400, body))


def test_a_400_for_the_body_as_a_whole_is_kept():
    body = {"code": "invalid", "fields": {"non_field_errors": ["Give exactly one of after, before or position."]}}
    assert _keep(None, positive_rejected(), *fake("items_move", 400, body))


def test_a_412_to_an_invalid_body_is_dropped_only_where_if_match_is_taken():
    failure = AcceptedNegativeData(operation="", message="", status_code=412, expected_statuses=[])
    assert not _keep(None, failure, *fake("items_partial_update", 412))
    assert _keep(None, failure, *fake("notes_create", 412))


def test_a_deleted_item_read_again_is_dropped_but_not_another_resource():
    def used_after(label):
        return UseAfterFree(operation=label, message="", free="", usage="")

    assert not _keep(None, used_after("DELETE /api/v1/items/{key}/"), *fake("items_retrieve", 200))
    assert _keep(None, used_after("DELETE /api/v1/retro/cards/{card_id}/vote/"), *fake("items_retrieve", 200))
    assert "DELETE /api/v1/items/{key}/" in OPERATION_IDS
