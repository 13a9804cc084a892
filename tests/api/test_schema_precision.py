"""The schema states what the API enforces, so a request it calls valid is one the API takes and
one it calls invalid is refused: undeclared keys, the fields a PATCH needs, a move's one target,
page sizes, the cursor's shape, If-Match, product keys and single-line text. (The fuzzing suite,
tests/suites/fuzz/, checks the same both ways at random.)"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from backlog.models import PRODUCT_KEY_PATTERN
from config.api import CURSOR_SHAPE, if_match_versions
from config.openapi import WHITESPACE
from tests.api.conftest import member_url, products_url
from tests.api_sprints.conftest import action_item_url, goal_url, sprint_url
from tests.conftest import make_item
from tests.sprints.conftest import make_sprint, start

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = SCHEMA["components"]["schemas"]


def operations():
    for path, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def body_schema(operation) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    schema = content["schema"]
    return COMPONENTS[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema


def operation(operation_id: str) -> dict:
    return next(op for _, _, op in operations() if op["operationId"] == operation_id)


def test_every_request_body_refuses_keys_it_does_not_declare():
    open_bodies = [
        op["operationId"]
        for _, _, op in operations()
        if body_schema(op) and body_schema(op).get("additionalProperties") is not False
    ]
    assert open_bodies == []


@pytest.mark.parametrize(
    ("operation_id", "field"),
    [
        ("members_partial_update", "role"),
        ("goals_partial_update", "status"),
        ("action_items_partial_update", "done"),
        ("reviews_partial_update", "notes"),
    ],
)
def test_a_patch_body_lists_the_fields_the_api_requires(operation_id, field):
    assert field in body_schema(operation(operation_id)).get("required", [])
    assert operation(operation_id)["requestBody"].get("required") is True


def test_a_patch_without_the_role_is_the_400_the_schema_promises(as_user, po, developer):
    response = as_user(po).patch(member_url(developer), {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["role"]


def test_a_move_body_is_required_and_holds_exactly_one_key():
    move = operation("items_move")
    assert move["requestBody"]["required"] is True
    assert (body_schema(move)["minProperties"], body_schema(move)["maxProperties"]) == (1, 1)


def test_a_move_without_a_body_is_a_400(as_user, po, product):
    response = as_user(po).post(f"/api/v1/items/{make_item(product).key}/move/", format="json")
    assert response.status_code == 400


def test_every_list_documents_page_sizes_from_one_and_the_cursors_shape():
    lists = [op for _, _, op in operations() if any(p["name"] == "page_size" for p in op.get("parameters", []))]
    assert len(lists) >= 4
    for op in lists:
        parameters = {p["name"]: p["schema"] for p in op["parameters"]}
        assert parameters["page_size"]["minimum"] == 1, op["operationId"]
        assert parameters["cursor"]["pattern"] == f"^{CURSOR_SHAPE.pattern}$", op["operationId"]


def test_a_page_size_of_zero_is_the_400_the_schema_promises(as_user, po, product):
    assert as_user(po).get(products_url(), {"page_size": 0}).status_code == 400


def if_match_patterns() -> set[str]:
    return {
        p["schema"]["pattern"] for _, _, op in operations() for p in op.get("parameters", []) if p["name"] == "If-Match"
    }


@pytest.mark.parametrize(
    ("header", "read"),
    [
        ('"3"', True),
        ('W/"3"', True),
        ("*", True),
        (' "1", "2"', True),
        ('""', True),
        ("", False),
        ("3", False),
        ('"1",', False),
        ('"a,b"', False),
        ('"1" "2"', False),
        ('\x0b"1"', False),
        ("\x0b*", False),
    ],
)
def test_the_if_match_pattern_accepts_what_the_api_reads(header, read):
    """A header the pattern accepts is read (no 400), one it refuses is the documented 400."""
    (pattern,) = if_match_patterns()
    request = APIRequestFactory().patch("/", HTTP_IF_MATCH=header)
    try:
        if_match_versions(request)
        api_reads = True
    except exceptions.ValidationError:
        api_reads = False
    assert api_reads is read
    assert (re.fullmatch(pattern, header) is not None) is read


def test_every_sprint_and_item_patch_documents_the_if_match_pattern():
    patched = {
        op["operationId"] for _, _, op in operations() if any(p["name"] == "If-Match" for p in op.get("parameters", []))
    }
    assert patched == {"items_partial_update", "sprints_partial_update", "reviews_partial_update"}


def test_a_product_key_takes_the_pattern_the_model_declares():
    assert COMPONENTS["ProductCreateRequest"]["properties"]["key"]["pattern"] == PRODUCT_KEY_PATTERN


def test_a_lowercase_product_key_is_a_400_naming_key(as_user, po):
    """The schema's pattern is uppercase; the API no longer takes "shop" and makes it "SHOP"."""
    response = as_user(po).post(products_url(), {"key": "shop", "name": "Shop"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"key": ["A product key is 2–10 uppercase letters or digits, like SHOP."]}


def takes(schema: dict, text: str) -> bool:
    """Whether a string property's schema (drf-spectacular's `oneOf` with "" included) takes `text`."""
    parts = schema.get("oneOf", [schema])
    return any(
        re.fullmatch(part.get("pattern", ".*"), text, re.DOTALL) and len(text) <= part.get("maxLength", len(text))
        for part in parts
    )


SINGLE_LINE = [
    ("ProductCreateRequest", "name"),
    ("PatchedProductUpdateRequest", "name"),
    ("ItemCreateRequest", "title"),
    ("PatchedItemUpdateRequest", "title"),
    ("ProductGoalCreateRequest", "title"),
    ("ActionItemCreateRequest", "title"),
    ("FeedbackToItemRequest", "title"),
    ("TokenRequestRequest", "name"),
]


@pytest.mark.parametrize(("component", "field"), SINGLE_LINE)
def test_single_line_text_refuses_line_breaks_and_control_characters_in_the_schema(component, field):
    schema = COMPONENTS[component]["properties"][field]
    assert takes(schema, "Checkout\ton one page")
    assert not any(takes(schema, f"Checkout{char}page") for char in "\n\r\x1b\x85\u2028\x00")


def test_labels_are_single_line_text_too():
    labels = COMPONENTS["ItemCreateRequest"]["properties"]["labels"]["items"]
    assert takes(labels, "mobile") and not takes(labels, "mo\nbile")


@pytest.mark.parametrize(
    ("component", "field"),
    [("NoteCreateRequest", "body"), ("ItemCreateRequest", "description"), ("RetroCardCreateRequest", "body")],
)
def test_multi_line_text_takes_line_breaks_but_no_nul(component, field):
    schema = COMPONENTS[component]["properties"][field]
    assert takes(schema, "Ask the *shop* team.\n\n- first\n- second")
    assert not takes(schema, "Ask\x00 the team.")


@pytest.mark.parametrize(
    ("component", "field"),
    [("ItemCreateRequest", "title"), ("NoteCreateRequest", "body"), ("ProductCreateRequest", "name")],
)
def test_text_that_may_not_be_blank_needs_more_than_whitespace(component, field):
    schema = COMPONENTS[component]["properties"][field]
    assert takes(schema, " A title ")
    assert not any(takes(schema, blank) for blank in ("", "   ", "\t\u3000"))


def test_text_that_may_be_blank_takes_the_empty_string():
    assert takes(COMPONENTS["ItemCreateRequest"]["properties"]["description"], "")
    assert takes(COMPONENTS["TokenRequestRequest"]["properties"]["name"], "")


def test_the_schemas_whitespace_is_what_str_strip_removes():
    whitespace = re.compile(f"[{WHITESPACE}]")
    disagree = [
        hex(point) for point in range(0x110000) if bool(whitespace.fullmatch(chr(point))) != chr(point).isspace()
    ]
    assert disagree == []


@pytest.mark.parametrize("body", [{"title": "   "}, {"title": "Fine", "description": "A\x00B"}])
def test_text_the_schema_refuses_is_refused(as_user, po, product, body):
    assert as_user(po).post(f"/api/v1/products/{product.key}/items/", body, format="json").status_code == 400


def test_a_goal_patch_without_a_status_is_a_400(as_user, po, product):
    from backlog import services

    goal = services.set_product_goal(product=product, by=po, title="Sell abroad")
    response = as_user(po).patch(goal_url(goal), {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["status"]


def test_an_action_item_patch_without_done_is_a_400(as_user, po, product):
    from sprints import services

    action = services.add_action_item(sprint=start(make_sprint(product, po)), by=po, title="Fix the build")
    response = as_user(po).patch(action_item_url(action), {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["done"]


def test_a_review_patch_without_notes_is_a_400(as_user, po, product):
    response = as_user(po).patch(sprint_url(start(make_sprint(product, po)), "review"), {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["notes"]


def test_an_empty_boolean_in_the_query_is_a_400_naming_it(as_user, po, product):
    """DRF reads `?archived=` as a form field left empty, hence "not given"; it is given, and no boolean."""
    response = as_user(po).get(f"/api/v1/products/{product.key}/items/", {"archived": "", "kind": "chore"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"archived": ["Must be a valid boolean."]}


def test_an_empty_position_for_a_forecast_is_a_400_naming_it(as_user, po, product):
    response = as_user(po).get(f"/api/v1/products/{product.key}/forecast/", {"position": ""})
    assert response.status_code == 400
    assert response.json()["fields"] == {"position": ["A valid integer is required."]}


def test_an_empty_filter_that_may_be_blank_still_means_any(as_user, po, product):
    make_item(product)
    response = as_user(po).get(f"/api/v1/products/{product.key}/items/", {"kind": "", "status": ""})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
