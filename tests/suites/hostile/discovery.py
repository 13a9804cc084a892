"""What the suite covers, found in the code rather than listed by hand: every string property of
every request body in the OpenAPI schema, and every CharField of every form class the project
defines or a view uses. The door tables (api_doors, form_doors) say how to write each one; a
property or field they do not know makes tests/suites/hostile/test_coverage.py fail."""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from dataclasses import dataclass

from django import forms
from django.urls import URLPattern, URLResolver, get_resolver

APPS = ("accounts", "backlog", "sprints", "digests", "config")
# Module paths never imported to look for forms: migrations and commands have none, and importing
# every migration module is slow.
SKIPPED_MODULES = (".migrations", ".management")


# --- The OpenAPI schema ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiProperty:
    operation: str  # operationId
    method: str
    path: str
    name: str
    kind: str  # "text", "choice", "date", "email", "text-list", "text-map"
    max_length: int | None


@functools.cache
def schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _string_kind(node: dict) -> tuple[str, int | None] | None:
    """How a property takes a string, or None when it takes no string at all."""
    node = _resolve(node)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in node:
            kinds = [kind for part in node[combined] if (kind := _string_kind(part))]
            return kinds[0] if kinds else None
    if "enum" in node:
        values = [value for value in node["enum"] if value is not None]
        return ("choice", None) if values and all(isinstance(v, str) for v in values) else None
    kind = node.get("type")
    if kind == "string":
        return (node.get("format") or "text", node.get("maxLength"))
    if kind == "array" and (item := _string_kind(node.get("items", {}))):
        return (f"{item[0]}-list", item[1])
    if (
        kind == "object"
        and isinstance(node.get("additionalProperties"), dict)
        and _string_kind(node["additionalProperties"])
    ):
        return ("text-map", None)
    return None


@functools.cache
def api_properties() -> tuple[ApiProperty, ...]:
    """Every string property of every JSON request body of the API."""
    found = []
    for path, operations in schema()["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            for name, node in _resolve(body["schema"]).get("properties", {}).items():
                if _resolve(node).get("readOnly"):
                    continue
                if kind := _string_kind(node):
                    found.append(ApiProperty(operation["operationId"], method, path, name, kind[0], kind[1]))
    return tuple(found)


# --- The forms --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    form: str  # "backlog.forms.ItemForm"
    name: str
    field: forms.CharField


def qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _import_app_modules() -> None:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if not any(part in module.name for part in SKIPPED_MODULES):
                importlib.import_module(module.name)


def _subclasses(cls: type):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _view_form_classes(patterns=None):
    """Form classes of class-based views in the URL configuration (Django's own auth forms among
    them: the password change and reset views use them as they come)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _view_form_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            form_class = getattr(view_class, "form_class", None)
            if inspect.isclass(form_class) and issubclass(form_class, forms.BaseForm):
                yield form_class


@functools.cache
def form_classes() -> tuple[type, ...]:
    """Every form class defined in the project's apps, and every one a view of the URL
    configuration uses."""
    _import_app_modules()
    ours = {cls for cls in _subclasses(forms.BaseForm) if cls.__module__.split(".")[0] in APPS}
    ours |= set(_view_form_classes())
    return tuple(sorted(ours, key=qualified))


@functools.cache
def form_fields() -> tuple[FormField, ...]:
    """Every CharField (EmailField and the other text fields included) of those forms."""
    return tuple(
        FormField(qualified(cls), name, field)
        for cls in form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField)
    )


# --- The pages ----------------------------------------------------------------------------------------


def html_pages() -> list[str]:
    """The URL names of the permission matrix that answer GET with an HTML page."""
    from tests.test_permission_matrix import MATRIX

    return sorted(
        name
        for name, specs in MATRIX.items()
        if not name.startswith("api-") and any(method == "get" for method, *_ in specs)
    )
