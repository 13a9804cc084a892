"""/api/v1/schema/ and /api/v1/docs/: public, valid OpenAPI 3, every endpoint documented, and
a Swagger page that works under the strict Content-Security-Policy."""

import importlib
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/products/": {"get", "post"},
    "/api/v1/products/{key}/": {"get", "patch"},
    "/api/v1/products/{key}/members/": {"get", "post"},
    "/api/v1/products/{key}/members/{user_id}/": {"patch", "delete"},
    "/api/v1/products/{key}/items/": {"get", "post"},
    "/api/v1/items/{key}/": {"get", "patch", "delete"},
    "/api/v1/items/{key}/restore/": {"post"},
    "/api/v1/items/{key}/move/": {"post"},
    "/api/v1/items/{key}/notes/": {"get", "post"},
    "/api/v1/invitations/": {"get"},
    "/api/v1/invitations/{invitation_id}/accept/": {"post"},
    "/api/v1/invitations/{invitation_id}/decline/": {"post"},
    # digests
    "/api/v1/products/{key}/digest/": {"get"},
    "/api/v1/products/{key}/digest/subscription/": {"get", "put"},
}
# Later apps document their own endpoints (tests/api_<app>/test_schema.py); together they are the API.
OPERATIONS_OF_LATER_APPS = ("tests.api_sprints.test_schema",)


def all_operations() -> dict:
    operations = dict(OPERATIONS)
    for module in OPERATIONS_OF_LATER_APPS:
        operations.update(importlib.import_module(module).SPRINT_OPERATIONS)
    return operations


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_public(api):
    response = api.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_every_endpoint_and_method_is_documented(schema):
    documented = {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items()}
    assert documented == all_operations()


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
    assert as_paths == set(all_operations())


def test_every_operation_documents_its_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), (method, path)
            assert "400" in codes or method in {"get", "delete"}, (method, path)
            if path != "/api/v1/auth/token/":
                assert "401" in codes, (method, path)


def test_writes_document_their_request_bodies(schema):
    for path, operations in schema["paths"].items():
        if path.endswith(("/restore/", "/accept/", "/decline/")):
            continue  # takes no body
        for method in {"post", "patch"} & set(operations):
            assert "requestBody" in operations[method], (method, path)


def test_the_stale_version_answer_is_documented(schema):
    patch = schema["paths"]["/api/v1/items/{key}/"]["patch"]
    assert "412" in patch["responses"]
    assert any(parameter["name"] == "If-Match" for parameter in patch["parameters"])


def test_the_docs_page_is_public(api):
    assert api.get(reverse("api-docs")).status_code == 200


def test_the_docs_page_has_no_inline_script_or_style(api):
    html = api.get(reverse("api-docs")).content.decode()
    assert "<style" not in html
    assert " style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, content in scripts:
        assert 'src="' in attributes
        assert content.strip() == ""


def test_the_docs_page_runs_under_a_csp_without_unsafe_inline(api):
    policy = api.get(reverse("api-docs")).headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self'" in policy


def test_the_docs_init_script_is_served_as_javascript(api):
    html = api.get(reverse("api-docs")).content.decode()
    init = [src for src in re.findall(r'<script src="([^"]+)"', html) if "script" in src.split("?")[-1]]
    assert len(init) == 1
    response = api.get(init[0].replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()
    assert reverse("api-schema") in response.content.decode()


def test_the_docs_assets_are_served_from_this_site(api):
    html = api.get(reverse("api-docs")).content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
