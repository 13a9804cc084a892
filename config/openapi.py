"""How the OpenAPI schema documents the request bodies that config.api's input serializers judge,
so that a body the schema calls valid is one the API takes (schemathesis checks both ways:
tests/suites/fuzz/).

drf-spectacular registers an extension when its class is defined: config/api_urls.py imports
this module, ahead of any schema generation."""

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension

from config.text import SINGLE_LINE_PATTERN


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


class SingleLineFieldSchema(OpenApiSerializerFieldExtension):
    """Single-line text: the pattern of the characters the services refuse in it."""

    target_class = "config.api.SingleLineField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        schema["pattern"] = SINGLE_LINE_PATTERN
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
