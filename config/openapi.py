"""How the OpenAPI schema documents the request bodies that config.api's input serializers judge,
so that a body the schema calls valid is one the API takes (schemathesis checks both ways:
tests/suites/fuzz/).

drf-spectacular registers an extension when its class is defined: config/api_urls.py imports
this module, ahead of any schema generation."""

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension

from config.api import SingleLineField
from config.text import SINGLE_LINE_REFUSED


class InputSerializerSchema(OpenApiSerializerExtension):
    """An input serializer refuses keys it does not declare (`additionalProperties: false`) and
    needs its required fields in every write. drf-spectacular marks nothing required in a PATCH
    body, as DRF's partial updates need nothing; Ordo's views never parse partially. A serializer
    may add JSON Schema keywords its `validate()` enforces (`schema_keywords`)."""

    target_class = "config.api.InputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        serializer = self.target
        schema = auto_schema._map_serializer(serializer, direction, bypass_extensions=True)
        required = sorted(name for name, field in serializer.fields.items() if field.required and not field.read_only)
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        schema.update(getattr(serializer, "schema_keywords", {}))
        return schema


# What str.strip() removes, and so what DRF trims from a CharField: every character for which
# str.isspace() holds (ECMA's \\s differs: it has U+FEFF, not U+001C-U+001F or U+0085).
WHITESPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"


def text_pattern(field, refused: str) -> str:
    """A pattern for a CharField's text free of the `refused` characters (a character class body).
    A field that may be blank gets drf-spectacular's `oneOf` with the empty string, so its own
    pattern must not match "" too. One that may not be blank needs a character that is not
    whitespace: DRF trims it, or the service refuses text with nothing else (a note's body keeps
    its whitespace for Markdown, but "  " is no note). A password is whatever it is."""
    if field.allow_blank:
        return f"^[^{refused}]+$"
    if field.style.get("input_type") == "password":
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^{refused}{WHITESPACE}][^{refused}]*$"


class CharFieldSchema(OpenApiSerializerFieldExtension):
    """Text in a request, as DRF's CharField and the services take it: no NUL anywhere (DRF
    refuses it in every CharField), none of config.text's single-line characters in a
    SingleLineField, and more than whitespace where it may not be blank (text_pattern). Fields
    with a format or a pattern of their own keep theirs."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        own = "format" in schema or "enum" in schema or any(isinstance(v, RegexValidator) for v in field.validators)
        if direction == "request" and schema.get("type") == "string" and not own:
            refused = SINGLE_LINE_REFUSED + field.also_refused if isinstance(field, SingleLineField) else "\\x00"
            schema["pattern"] = text_pattern(field, refused)
        return schema


def require_bodies_that_need_a_key(result, generator, request, public):
    """POSTPROCESSING_HOOKS: a request body whose schema needs a key (`minProperties`, as a move's
    "exactly one of" does) is required, though no one field of it is: drf-spectacular calls a
    body required only when some field is."""
    schemas = result.get("components", {}).get("schemas", {})
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            for media in (body or {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                if schemas.get(ref.rsplit("/", 1)[-1], {}).get("minProperties"):
                    body["required"] = True
    return result
