"""Plumbing shared by every app's API: a JSON parser that never fails with a 500, input
serializers that refuse undeclared keys and values of the wrong JSON type, query serializers
that read query strings, cursor pagination that answers bad input with a 400, and the error
body as a schema.

DRF imports the parser while `rest_framework.views` is still loading: this module must not
import DRF's views (the API's own views live in config/api_urls.py and the apps)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from django.http import QueryDict
from django.urls import URLPattern
from django.urls.resolvers import RegexPattern
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import _UnvalidatedField  # private: what a ListField or DictField without a child holds
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

# --- Routes --------------------------------------------------------------------------------------


class OptionalSlashPattern(RegexPattern):
    """A route that ends in a slash but also matches without it, and reverses with it. Django's
    APPEND_SLASH answers a slashless POST, PATCH or DELETE with a redirect it cannot follow
    (RuntimeError in debug, a lost body otherwise); `/?$` would match but reverse without the slash."""

    def match(self, path):
        return super().match(path if path.endswith("/") else f"{path}/")


def api_path(regex: str, view, name: str) -> URLPattern:
    """An API endpoint whose trailing slash is optional: `api_path(r"^items/(?P<key>…)/$", …)`."""
    if not regex.endswith("/$"):
        raise ValueError(f"API routes end in '/$': {regex}")
    return URLPattern(OptionalSlashPattern(regex, name=name, is_endpoint=True), view, name=name)


# --- Parsing -------------------------------------------------------------------------------------


class SafeJSONParser(JSONParser):
    """JSONParser that turns every failure into a 400: deeply nested input makes Python's json
    module raise RecursionError (not a ValueError), which DRF would let through as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (RecursionError, ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(
                "JSON parse error: the body is not valid JSON or is nested too deeply."
            ) from exc


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """The API speaks JSON only. DRF negotiates before it authenticates, so an anonymous call
    with a browser's or an XML client's Accept header got 406 where DESIGN.md orders 401 first;
    with nothing acceptable it now answers in JSON (HTTP allows disregarding Accept)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


# --- Input: JSON types of request bodies ---------------------------------------------------------

# DRF's fields coerce what they are given: 0 becomes the string "0" or False, "1" and 1.0 the
# integer 1, "yes" True. A body is JSON, which has types of its own, and the schema promises
# them: a value of another type is a client's mistake that must be a 400 naming the field, not
# a guess. Query strings are another matter (every value there is a string): QuerySerializer.

STRING, BOOLEAN, INTEGER = frozenset({"string"}), frozenset({"boolean"}), frozenset({"integer"})
ARRAY, OBJECT = frozenset({"array"}), frozenset({"object"})
# A JSON number may be written without a fraction: 3 is a number too.
NUMBER = frozenset({"integer", "number"})
ANY = None

TYPE_NAMES = {
    "null": "null",
    "boolean": "a boolean (true or false)",
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}


def _names(types: frozenset[str]) -> str:
    """'a string', 'a number' (integers included), 'a string or an integer'."""
    names = [name for name in TYPE_NAMES if name in types and not (name == "integer" and "number" in types)]
    return " or ".join(TYPE_NAMES[name] for name in names)


def json_type(value) -> str:
    """The JSON type of a value as Python's json module parses it. 1.0 is a "number", not an
    "integer": OpenAPI 3.0's JSON Schema (Wright draft 00) defines an integer as "a JSON number
    without a fraction or exponent part", and no JSON encoder writes a whole number as 1.0
    unless it holds a float, so an integer field refuses 1.0 like 1.5."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is a subclass of int
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__  # nothing JSON parses to


def _choice_types(field: serializers.ChoiceField) -> frozenset[str] | None:
    # drf-spectacular types an enum by its choices' values (plumbing.build_choice_field): the
    # Fibonacci estimates are integers, item kinds strings.
    types = {json_type(choice) for choice in field.choices} - {"null"}
    if field.allow_blank:
        types.add("string")
    if "number" in types:
        types.add("integer")
    return frozenset(types) or ANY


def accepted_json_types(field: serializers.Field) -> frozenset[str] | None:
    """The JSON types a field takes in a request body (None: any), as drf-spectacular documents
    the field class in the schema. Subclasses come before their bases (an EmailField is a
    CharField, a MultipleChoiceField a ChoiceField). A field class it does not know is a
    TypeError when the serializer is declared: say here which JSON type it takes."""
    if isinstance(field, (serializers.JSONField, _UnvalidatedField)):
        return ANY  # a JSONField takes any JSON; a ListField or DictField without a child, any items
    if isinstance(field, (serializers.ListSerializer, serializers.ListField, serializers.MultipleChoiceField)):
        return ARRAY
    if isinstance(field, (serializers.Serializer, serializers.DictField)):
        return OBJECT
    if isinstance(field, serializers.BooleanField):
        return BOOLEAN
    if isinstance(field, serializers.IntegerField):
        return INTEGER
    if isinstance(field, serializers.FloatField):
        return NUMBER
    if isinstance(field, serializers.DecimalField):
        # Documented as a string (format: decimal) while decimals render as strings.
        return STRING if getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING) else NUMBER
    if isinstance(field, serializers.ChoiceField):
        return _choice_types(field)
    if isinstance(
        field,
        (
            serializers.CharField,
            serializers.UUIDField,
            serializers.DateField,
            serializers.DateTimeField,
            serializers.TimeField,
            serializers.DurationField,
        ),
    ):
        return STRING
    raise TypeError(
        f"config.api does not know which JSON type {type(field).__name__} takes in a request body: "
        "add it to accepted_json_types()."
    )


def _nested(field: serializers.Field, value) -> tuple[serializers.Field, list] | None:
    """The child field of a list, dict or serializer field, with the values it judges."""
    if isinstance(field, (serializers.ListSerializer, serializers.ListField)):
        return field.child, list(enumerate(value))
    if isinstance(field, serializers.DictField):
        return field.child, [(str(key), item) for key, item in value.items()]
    return None


def _type_error(field: serializers.Field, value):
    """What is wrong with the JSON types in `value` for `field`, shaped as DRF shapes its own
    errors (a list of messages, or a dict by key or index for what is inside), or None."""
    if value is None:
        return None  # null: allow_null is the field's to judge, with its own message
    accepted, got = accepted_json_types(field), json_type(value)
    if accepted is not None and got not in accepted:
        said = "a number" if got in NUMBER else "a boolean" if got == "boolean" else TYPE_NAMES.get(got, "a value")
        return [ErrorDetail(f"Expected {_names(accepted)}, got {said}.", code="type")]
    if isinstance(field, serializers.Serializer):
        return type_errors(field.fields, value) or None
    nested = _nested(field, value)
    if nested is None:
        return None
    child, items = nested
    errors = {key: error for key, item in items if (error := _type_error(child, item)) is not None}
    return errors or None


def type_errors(fields: Mapping[str, serializers.Field], data: Mapping) -> dict:
    """Per key of `data` whose value (or anything inside it) is not of the JSON type its field
    takes: the messages. Keys without a field are not judged here."""
    errors = {}
    for name, field in fields.items():
        if name in data and not field.read_only:
            error = _type_error(field, data[name])
            if error is not None:
                errors[name] = error
    return errors


def _check_declared(field: serializers.Field) -> None:
    if field.read_only:
        return
    accepted_json_types(field)
    if isinstance(field, serializers.Serializer):
        for inner in field.fields.values():
            _check_declared(inner)
    elif isinstance(field, (serializers.ListSerializer, serializers.ListField, serializers.DictField)):
        _check_declared(field.child)


class SingleLineField(serializers.CharField):
    """A CharField for single-line text (a name, a title, a label): the services refuse control
    characters and line breaks in it (config.text); the schema says so with a pattern
    (config.openapi). `also_refused`: more characters its service refuses, as a regular
    expression character class body."""

    also_refused = ""


class ParseOnlySerializer(serializers.Serializer):
    """Validates; writes go through services."""

    def create(self, validated_data):  # pragma: no cover - writes go through services
        raise NotImplementedError("Input serializers validate only; call a service.")

    def update(self, instance, validated_data):  # pragma: no cover - writes go through services
        raise NotImplementedError("Input serializers validate only; call a service.")


class InputSerializer(ParseOnlySerializer):
    """Validates a request body and nothing else: no save(), and keys it does not declare are
    an error that names them (a typo must not be silently ignored)."""

    # Every value must be of the JSON type its field takes (see accepted_json_types): the one
    # check for every body of the API, so a new serializer cannot leave it out. The docstring
    # above is what the schema shows for request bodies without their own: keep it as it is.

    default_error_messages = {"unknown": "Unknown field."}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A field class whose JSON type is unknown fails here, at import, not in a request.
        for field in cls._declared_fields.values():
            _check_declared(field)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields or self.fields[name].read_only)
            errors = {name: [self.error_messages["unknown"]] for name in unknown}
            errors.update(type_errors(self.fields, data))
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class QuerySerializer(ParseOnlySerializer):
    """Validates query parameters. Every value in a query string is a string, so each field
    takes its documented string form (`true`/`false`, digits); parameters it does not declare
    (cursor, page_size) belong to others and pass."""

    def to_internal_value(self, data):
        # DRF reads a QueryDict as an HTML form, where an empty value means "not given" (and the
        # default applies). In a query string `?archived=` is given, and is no boolean.
        if isinstance(data, QueryDict):
            blank = {
                name: [field.error_messages.get("blank") or field.error_messages["invalid"]]
                for name, field in self.fields.items()
                if data.get(name) == "" and not getattr(field, "allow_blank", False)
            }
            if blank:
                raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


def parse(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
    """Validate `data` with the serializer and return its validated data (400 otherwise). A JSON
    `null` body arrives as None and is refused like any other body that is not an object."""
    # A query serializer coerces, so it must never judge a body; a body serializer would refuse
    # every "true" of a query string. Both are a programming error, not the client's. (A
    # bodiless request with a form content type has an empty QueryDict as its data.)
    for_query = issubclass(serializer_class, QuerySerializer)
    if data and for_query != isinstance(data, QueryDict):
        raise TypeError(f"{serializer_class.__name__} parses {'query strings' if for_query else 'JSON bodies'}.")
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class OutputSerializer(serializers.Serializer):
    """Renders; never validates or saves."""

    def create(self, validated_data):  # pragma: no cover
        raise NotImplementedError

    def update(self, instance, validated_data):  # pragma: no cover
        raise NotImplementedError


# --- Errors --------------------------------------------------------------------------------------


class ErrorSerializer(OutputSerializer):
    detail = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="What went wrong, for programs (e.g. `invalid`, `stale_version`).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per offending field; empty when no one field is at fault.",
    )


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an endpoint can answer."""
    descriptions = {
        400: "Invalid input: `fields` names every offending field (unknown fields included).",
        401: "Not authenticated: send `Authorization: Token <secret>` or a session cookie.",
        403: "A member of the product whose role does not allow this (or a session write without CSRF token).",
        404: "No such thing, or you are not a member of its product.",
        412: "Stale `If-Match`: the body holds the item as it is now.",
        415: "The body is not JSON.",
        429: "Too many failed sign-in attempts for this account from this address.",
    }
    return {status: OpenApiResponse(ErrorSerializer, description=descriptions[status]) for status in statuses}


# --- Pagination ----------------------------------------------------------------------------------


CURSOR_SHAPE = re.compile(r"[A-Za-z0-9+/]{1,300}={0,2}")


class OrdoCursorPagination(CursorPagination):
    """Cursor pagination whose bad input is a 400 naming the parameter: DRF answers a malformed
    cursor with a 404 and silently ignores a bad page size. `position_pattern` says what a
    decoded cursor position may look like, so a forged one never reaches the database."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    page_size_query_description = "Items per page: 1 to 200 (larger values are capped at 200). Default 50."
    cursor_query_description = "Opaque cursor from a `next` or `previous` link."
    position_pattern = re.compile(r"[0-9A-Za-z]{1,64}")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return min(size, self.max_page_size)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        # b64decode skips characters outside its alphabet: "%%%" would pass as an empty cursor.
        if encoded is not None and not CURSOR_SHAPE.fullmatch(encoded):
            raise exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from exc
        if cursor is not None and cursor.position is not None and not self.position_pattern.fullmatch(cursor.position):
            raise exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        return cursor

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})


# The query parameters OrdoCursorPagination reads, as every paginated list documents them.
PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        {"type": "string", "pattern": f"^{CURSOR_SHAPE.pattern}$"},
        description=OrdoCursorPagination.cursor_query_description,
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1},
        description=OrdoCursorPagination.page_size_query_description,
    ),
]


def page_serializer(name: str, item_serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of one page of a cursor-paginated list of `item_serializer`."""
    return type(
        name,
        (OutputSerializer,),
        {
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last."),
            "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null on the first."),
            "results": item_serializer(many=True),
            "__module__": item_serializer.__module__,
        },
    )


# --- Optimistic concurrency: ETag, If-Match and the 412 ---------------------------------------

# Around a tag: RFC 9110's optional whitespace, spaces and tabs (not Python's \s, which the
# schema's pattern cannot say the same way).
ENTITY_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e]*)"[ \t]*')
# If-Match as if_match_versions() reads it, for the schema: `*`, or entity tags separated by
# commas (the header is split on them first, so no tag holds one).
_TAG = r'(W/)?"[\x21\x23-\x2b\x2d-\x7e]*"'
IF_MATCH_PATTERN = rf"^[ \t]*(\*|{_TAG}[ \t]*(,[ \t]*{_TAG}[ \t]*)*)$"


def etag(obj) -> str:
    """The strong ETag of a versioned object: its version, quoted."""
    return f'"{obj.version}"'


def if_match_versions(request) -> set[int] | None:
    """The versions an If-Match header accepts: None when absent or `*` (no check). Weak tags
    never match (If-Match compares strongly). A header that is not a list of tags is a 400."""
    header = request.headers.get("If-Match")
    if header is None or header.strip(" \t") == "*":
        return None
    versions: set[int] = set()
    for part in header.split(","):
        match = ENTITY_TAG.fullmatch(part)
        if match is None:
            raise exceptions.ValidationError({"If-Match": ['Send the ETag as you got it, quoted: "3".']})
        weak, value = match.groups()
        if not weak and value.isdigit() and len(value) < 12:
            versions.add(int(value))
    return versions


def precondition_failed(data: Mapping, message: str, current) -> Response:
    """412 with the object as it is now (`data`), so the client can merge and retry with its ETag."""
    body = {**data, "detail": message, "code": "stale_version", "fields": {}}
    return Response(body, status=412, headers={"ETag": etag(current)})
