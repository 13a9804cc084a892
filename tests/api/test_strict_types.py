"""Request bodies take JSON types as the schema states them: a value of another JSON type (0 for a
string, "true" for a boolean, "1" for an integer) is a 400 naming the field, never coerced, never
a 500. Query strings keep their documented string forms (`?archived=true`).

The cases come from the OpenAPI schema itself: every property of every JSON request body gets
values of the wrong type, inside a request that EXAMPLES makes valid. A new operation with a
body and no example fails `test_every_operation_with_a_json_body_has_an_example`."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient

from backlog import services
from backlog.models import Item, Membership, Role
from config.api import InputSerializer
from tests import matrix_sprints_api as sprint_world
from tests.api.conftest import item_url, items_url
from tests.conftest import PASSWORD, make_item, make_user

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = SCHEMA["components"]["schemas"]

# Values of the wrong JSON type, by the type the schema gives a property.
WRONG = {
    "string": [0, False],
    "boolean": [0, "true"],
    "integer": ["1", True],
    "number": ["1", True],
    "array": ["x"],
    "object": [[]],
}


# --- The world the requests need ------------------------------------------------------------------


@dataclass
class World:
    """What tests/matrix_sprints_api.py's path builders read: a product, its owner, two items."""

    product: object
    users: dict
    item: object
    other_item: object
    leaver: object


@pytest.fixture
def world(db):
    po = make_user("po@example.com")
    product = services.create_product(by=po, key="SHOP", name="Shop")
    leaver = make_user("leaver@example.com")
    Membership.objects.create(product=product, user=leaver, role=Role.DEVELOPER)
    item, other_item = make_item(product, title="One"), make_item(product, title="Two")
    return World(product, {"product_owner": po}, item, other_item, leaver)


def key(w):
    return {"key": w.product.key}


def item(w):
    return {"key": w.item.key}


def archived(w):
    services.archive_item(item=w.other_item, by=w.users["product_owner"])
    return {"key": w.other_item.key}


def invitation_to_owner(w):
    """An invitation to the product owner's address from a product it is not in."""
    inviter = make_user("inviter@example.com")
    elsewhere = services.create_product(by=inviter, key="ELSE", name="Elsewhere")
    invitation = services.invite_member(
        product=elsewhere, by=inviter, email=w.users["product_owner"].email, role="developer"
    )
    return {"invitation_id": invitation.pk}


@dataclass(frozen=True)
class Example:
    """A request that succeeds: path parameters and body built from the world, sent by the
    product owner (who may do anything) or by nobody (the token endpoint)."""

    path: Callable[[World], dict] | None
    body: dict | Callable[[World], dict]
    anonymous: bool = False

    def url(self, template: str, w: World) -> str:
        return template.format(**(self.path(w) if self.path else {}))

    def data(self, w: World) -> dict:
        return dict(self.body(w) if callable(self.body) else self.body)

    def client(self, w: World) -> APIClient:
        client = APIClient()
        if not self.anonymous:
            client.force_authenticate(w.users["product_owner"])
        return client


EXAMPLES = {
    "auth_token_create": Example(None, lambda w: {"email": w.users["product_owner"].email, "password": PASSWORD}, True),
    "products_create": Example(None, {"key": "NEW", "name": "New"}),
    "products_partial_update": Example(key, {"name": "Shop 2"}),
    "members_create": Example(key, {"email": "new@example.com", "role": "developer"}),
    "members_partial_update": Example(lambda w: {**key(w), "user_id": w.leaver.pk}, {"role": "stakeholder"}),
    "items_create": Example(key, {"title": "New"}),
    "items_partial_update": Example(item, {"title": "Renamed"}),
    "items_move": Example(lambda w: {"key": w.other_item.key}, {"position": 1}),
    "items_restore": Example(archived, {}),
    "invitations_accept": Example(invitation_to_owner, {}),
    "invitations_decline": Example(invitation_to_owner, {}),
    "notes_create": Example(item, {"body": "A note."}),
    "digest_subscription_update": Example(key, {"frequency": "weekly"}),
    "goals_create": Example(key, {"title": "Sell abroad"}),
    "goals_partial_update": Example(sprint_world.goal, {"status": "achieved"}),
    "sprints_create": Example(key, sprint_world.new_sprint),
    "sprints_partial_update": Example(sprint_world.planned, {"goal": "Ship faster"}),
    "sprints_start": Example(sprint_world.planned, {}),
    "sprints_close": Example(sprint_world.active, {"goal_outcome": "met"}),
    "sprint_items_create": Example(sprint_world.planned, sprint_world.plan_other_item),
    "sprint_items_column": Example(sprint_world.active_with_item, {"column": "in_progress"}),
    "reviews_partial_update": Example(sprint_world.active, {"notes": "Demoed checkout."}),
    "feedback_create": Example(sprint_world.active, {"body": "Looks good"}),
    "feedback_to_item": Example(sprint_world.feedback, {"position": 1}),
    "hypothesis_outcomes_create": Example(
        sprint_world.with_judgeable_item, lambda w: {"item": w.item.key, "verdict": "validated"}
    ),
    "retro_cards_create": Example(sprint_world.active, {"column": "went_well", "body": "Pairing"}),
    "retro_votes_create": Example(sprint_world.card, {}),
    "action_items_create": Example(sprint_world.active, {"title": "Automate the release"}),
    "action_items_partial_update": Example(sprint_world.action_item, {"done": True}),
}


# --- Reading the schema ---------------------------------------------------------------------------


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def resolve(schema: dict) -> dict:
    return COMPONENTS[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema


def types_of(schema: dict) -> set[str]:
    """The JSON types a property schema admits: its `type`, its enum's values, what its
    allOf/oneOf/anyOf parts admit (drf-spectacular wraps enums in them), null when nullable."""
    schema = resolve(schema)
    types = {schema["type"]} if "type" in schema else {json_type(value) for value in schema.get("enum", [])}
    for part in (*schema.get("allOf", []), *schema.get("oneOf", []), *schema.get("anyOf", [])):
        types |= types_of(part)
    if schema.get("nullable"):
        types.add("null")
    return types


def wrong_values(types: set[str]) -> list:
    """Values of a JSON type the property does not admit (an integer is a number, too)."""
    admitted = types | ({"integer"} if "number" in types else set())
    values = [value for kind in sorted(types - {"null"}) for value in WRONG[kind]]
    return [value for value in values if json_type(value) not in admitted]


def wrong_cases(name: str, schema: dict) -> list[tuple[object, str]]:
    """(wrong value, the field the 400 must name): for the property, and for what an array or
    an object property holds."""
    schema = resolve(schema)
    cases = [(value, name) for value in wrong_values(types_of(schema))]
    if "items" in schema:
        cases += [([value], f"{name}.0") for value in wrong_values(types_of(schema["items"]))]
    if isinstance(schema.get("additionalProperties"), dict):
        inner = wrong_values(types_of(schema["additionalProperties"]))
        cases += [({"SHOP-1": value}, f"{name}.SHOP-1") for value in inner]
    return cases


def json_body_operations() -> dict[str, tuple[str, str, dict]]:
    """operationId → (method, path, request body schema) for every operation with a JSON body."""
    operations = {}
    for path, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                operations[operation["operationId"]] = (method, path, resolve(content["application/json"]["schema"]))
    return operations


OPERATIONS = json_body_operations()
PROPERTIES = [
    pytest.param(operation_id, name, id=f"{operation_id}-{name}")
    for operation_id, (_, _, body) in OPERATIONS.items()
    for name in body.get("properties", {})
]


def request_to(operation_id: str, w: World) -> Callable[[dict], object]:
    """send(body) -> the response. The path's objects are made once: builders make a sprint per call."""
    method, path, _ = OPERATIONS[operation_id]
    example = EXAMPLES[operation_id]
    url, client = example.url(path, w), example.client(w)
    return lambda body: getattr(client, method)(url, body, format="json")


# --- Derived from the schema ----------------------------------------------------------------------


def test_every_operation_with_a_json_body_has_an_example():
    """A new endpoint with a body is covered by the cases below once it says what a valid call is."""
    assert set(OPERATIONS) - set(EXAMPLES) == set(), "add a valid request for these operations to EXAMPLES"
    assert set(EXAMPLES) - set(OPERATIONS) == set(), "EXAMPLES names operations that no longer exist"


@pytest.mark.parametrize("operation_id", sorted(EXAMPLES))
def test_the_example_request_succeeds(world, operation_id):
    """So a 400 below is the wrong type's doing, not the rest of the request's."""
    response = request_to(operation_id, world)(EXAMPLES[operation_id].data(world))
    assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize(("operation_id", "name"), PROPERTIES)
def test_a_value_of_another_json_type_is_a_400_naming_the_field(world, operation_id, name):
    property_schema = OPERATIONS[operation_id][2]["properties"][name]
    cases = wrong_cases(name, property_schema)
    assert cases, f"no wrong values for {name}: {property_schema}; teach WRONG its type"
    send, body = request_to(operation_id, world), EXAMPLES[operation_id].data(world)
    for value, field in cases:
        response = send({**body, name: value})
        assert response.status_code == 400, (value, response.status_code, response.content)
        answer = response.json()
        assert set(answer) == {"detail", "code", "fields"}
        assert answer["code"] == "invalid"
        assert field in answer["fields"], (value, answer)
        assert answer["fields"][field][0].startswith("Expected "), (value, answer)


# --- The headline cases ---------------------------------------------------------------------------


def test_a_number_for_a_title_is_a_400_naming_title(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": 0}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"title": ["Expected a string, got a number."]}
    assert not Item.objects.exists()


def test_a_number_for_at_top_is_a_400_naming_at_top(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": "New", "at_top": 0}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"at_top": ["Expected a boolean (true or false), got a number."]}


def test_the_string_true_for_a_boolean_in_a_body_is_a_400(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": "New", "at_top": "true"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"at_top": ["Expected a boolean (true or false), got a string."]}


def test_digits_in_a_string_are_not_an_integer(as_user, po, product):
    make_item(product)
    target = make_item(product)
    response = as_user(po).post(item_url(target, "move"), {"position": "1"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"position": ["Expected an integer, got a string."]}


def test_a_whole_number_written_with_a_fraction_is_not_an_integer(as_user, po, product):
    """1.0 is a JSON number with a fraction part: OpenAPI 3.0's integer is one without."""
    make_item(product)
    target = make_item(product)
    response = as_user(po).post(item_url(target, "move"), {"position": 1.0}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"position": ["Expected an integer, got a number."]}


def test_a_number_in_a_list_of_strings_names_its_index(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": "New", "labels": ["web", 7]}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"labels.1": ["Expected a string, got a number."]}


def test_null_for_a_nullable_field_is_still_taken(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": "New", "estimate": None, "parent": None}, format="json")
    assert response.status_code == 201


def test_a_wrong_type_and_an_unknown_field_are_named_together(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": 0, "titel": "New"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"title", "titel"}


def test_archived_true_in_the_query_string_still_lists_archived_items(as_user, po, product):
    archived = make_item(product)
    services.archive_item(item=archived, by=po)
    response = as_user(po).get(items_url(), {"archived": "true"})
    assert response.status_code == 200
    assert [row["key"] for row in response.json()["results"]] == [archived.key]


def test_digits_in_the_query_string_are_still_a_forecast_position(as_user, po, product):
    make_item(product)
    response = as_user(po).get(f"/api/v1/products/{product.key}/forecast/", {"position": "1"})
    assert response.status_code == 200
    assert response.json()["position"] == 1


def test_a_body_field_whose_json_type_is_unknown_fails_when_declared():
    """Strictness cannot be forgotten: a field class config.api cannot type stops the import."""
    with pytest.raises(TypeError, match="PrimaryKeyRelatedField"):

        class OwnerSerializer(InputSerializer):
            owner = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.all())
