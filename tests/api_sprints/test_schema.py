"""The sprints endpoints in /api/v1/schema/: every route and method documented, with request
bodies, error responses and the stale-version answer; the whole schema still valid OpenAPI 3
and generated without warnings. (tests/api/test_schema.py checks the backlog's part; the two
OPERATIONS tables together are the whole API.)"""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.api.test_schema import OPERATIONS as BACKLOG_OPERATIONS

pytestmark = pytest.mark.django_db

SPRINT_OPERATIONS = {
    "/api/v1/products/{key}/sprints/": {"get", "post"},
    "/api/v1/sprints/{sprint_id}/": {"get", "patch"},
    "/api/v1/sprints/{sprint_id}/start/": {"post"},
    "/api/v1/sprints/{sprint_id}/close/": {"post"},
    "/api/v1/sprints/{sprint_id}/items/": {"get", "post"},
    "/api/v1/sprints/{sprint_id}/items/{item_key}/": {"get", "delete"},
    "/api/v1/sprints/{sprint_id}/items/{item_key}/column/": {"post"},
    "/api/v1/sprints/{sprint_id}/burndown/": {"get"},
    "/api/v1/sprints/{sprint_id}/review/": {"get", "patch"},
    "/api/v1/sprints/{sprint_id}/feedback/": {"get", "post"},
    "/api/v1/feedback/{feedback_id}/item/": {"post"},
    "/api/v1/sprints/{sprint_id}/hypotheses/": {"post"},
    "/api/v1/sprints/{sprint_id}/retro/cards/": {"get", "post"},
    "/api/v1/retro/cards/{card_id}/vote/": {"post", "delete"},
    "/api/v1/sprints/{sprint_id}/retro/actions/": {"get", "post"},
    "/api/v1/retro/actions/{action_id}/": {"patch"},
    "/api/v1/products/{key}/velocity/": {"get"},
    "/api/v1/products/{key}/forecast/": {"get"},
    "/api/v1/products/{key}/goals/": {"get", "post"},
    "/api/v1/goals/{goal_id}/": {"get", "patch"},
}
# The retrospective hides itself from stakeholders: 404, never 403.
RETRO = ("/retro/",)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def sprint_operations(schema):
    for path in SPRINT_OPERATIONS:
        for method, operation in schema["paths"][path].items():
            if method != "parameters":
                yield path, method, operation


def test_the_schema_is_valid_openapi_3(schema):
    validate_schema(schema)


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_every_sprints_endpoint_and_method_is_documented(schema):
    documented = {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items()}
    assert documented == {**BACKLOG_OPERATIONS, **SPRINT_OPERATIONS}


def test_every_api_route_is_in_the_schema(schema):
    def routes(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from routes(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name not in {"api-schema", "api-docs", "api-not-found"}:
                yield prefix + str(entry.pattern)

    api_routes = [route for route in routes(get_resolver()) if route.startswith("api/v1/")]
    as_paths = {
        "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route).replace("^", "").rstrip("$") for route in api_routes
    }
    assert as_paths == set(BACKLOG_OPERATIONS) | set(SPRINT_OPERATIONS)


def test_every_sprints_operation_documents_its_errors(schema):
    for path, method, operation in sprint_operations(schema):
        codes = set(operation["responses"])
        assert any(code.startswith("2") for code in codes), (method, path)
        assert {"401", "404"} <= codes, (method, path)
        if method in {"post", "patch"}:
            assert {"400", "415"} <= codes, (method, path)
        if method != "get" and not any(part in path for part in RETRO):
            assert "403" in codes, (method, path)
        if any(part in path for part in RETRO):
            assert "403" not in codes, (method, path)


def test_sprints_writes_document_their_request_bodies(schema):
    for path, method, operation in sprint_operations(schema):
        if method in {"post", "patch"}:
            assert "requestBody" in operation, (method, path)


def test_every_sprints_operation_has_a_summary_and_a_tag(schema):
    for path, method, operation in sprint_operations(schema):
        assert operation.get("summary"), (method, path)
        assert operation.get("tags"), (method, path)


def test_actions_without_a_body_say_so(schema):
    for path in ("/api/v1/sprints/{sprint_id}/start/", "/api/v1/retro/cards/{card_id}/vote/"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert (body["type"], body["maxProperties"]) == ("object", 0)


def test_the_stale_sprint_answer_is_documented(schema):
    for path in ("/api/v1/sprints/{sprint_id}/", "/api/v1/sprints/{sprint_id}/review/"):
        patch = schema["paths"][path]["patch"]
        assert "412" in patch["responses"]
        assert any(parameter["name"] == "If-Match" for parameter in patch["parameters"])


def test_the_sprint_list_says_it_is_cursor_paginated(schema):
    get = schema["paths"]["/api/v1/products/{key}/sprints/"]["get"]
    assert {parameter["name"] for parameter in get["parameters"]} >= {"cursor", "page_size"}


def test_the_forecast_documents_its_query_parameters(schema):
    get = schema["paths"]["/api/v1/products/{key}/forecast/"]["get"]
    assert {parameter["name"] for parameter in get["parameters"]} >= {"position", "item"}
