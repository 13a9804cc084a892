"""Domain errors, and the two places that translate them: the API exception handler and the
HTML middleware. Services raise these; views never build error responses by hand."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class OrdoError(Exception):
    """Base of every domain error: a message for people, a stable code for programs."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class NotFound(OrdoError):
    """No such thing, or the user may not know it exists (not a member)."""

    status = 404
    code = "not_found"


class Forbidden(OrdoError):
    """A member whose role does not allow this."""

    status = 403
    code = "permission_denied"


class StaleVersion(OrdoError):
    """Someone saved the object since the caller read it; `current` is the object as it is now."""

    status = 412
    code = "stale_version"

    def __init__(self, message: str, *, current: Any):
        super().__init__(message)
        self.current = current


class InvalidInput(OrdoError):
    """Input that breaks a domain rule; `fields` names the offending fields."""


class TooManyRequests(OrdoError):
    """A limit kept in the database was reached; `retry_after`: seconds until it lifts."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, fields: dict[str, list[str]] | None = None):
        super().__init__(message, fields=fields)
        self.retry_after = max(int(retry_after), 1)


def error_body(detail: str, code: str, fields: dict | None = None) -> dict:
    return {"detail": detail, "code": code, "fields": fields or {}}


def _flatten_fields(data: Any) -> dict[str, list[str]]:
    """DRF nests errors (lists, dicts per field); the API promises {"field": ["message", ...]}."""
    if not isinstance(data, dict):
        return {}
    fields: dict[str, list[str]] = {}
    for name, errors in data.items():
        if isinstance(errors, dict):
            for sub, messages in _flatten_fields(errors).items():
                fields[f"{name}.{sub}"] = messages
        elif isinstance(errors, list):
            fields[name] = [str(e) for e in errors if not isinstance(e, (dict, list))] or [str(e) for e in errors]
        else:
            fields[name] = [str(errors)]
    return fields


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render every API error as {"detail", "code", "fields"} with the right status."""
    if isinstance(exc, OrdoError):
        body = error_body(exc.message, exc.code, exc.fields)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return Response(body, status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        data = exc.detail
        if isinstance(data, list):
            data = {"non_field_errors": data}
        fields = _flatten_fields(data)
        first = next(iter(fields.items()), None)
        detail = f"{first[0]}: {first[1][0]}" if first and first[1] else "Invalid input."
        response.data = error_body(detail, "invalid", fields)
    else:
        detail = exc.detail if isinstance(exc, drf_exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, drf_exceptions.APIException) else "error"
        response.data = error_body(str(detail), code if isinstance(code, str) else "error")
    return response


class OrdoErrorMiddleware:
    """The HTML side: a domain error that escapes a view becomes a page that says what happened."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OrdoError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        response = TemplateResponse(
            request,
            "error.html",
            {"message": exception.message, "status": exception.status},
            status=exception.status,
        )
        return response.render()


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's own page has an inline style, which the site's CSP refuses,
    and says nothing a user can act on. The API answers in its own JSON shape."""
    message = (
        "This form had expired, or was sent from another site, so nothing was saved. "
        "Go back, reload the page and try again."
    )
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message, "csrf_failed"), status=403)
    return TemplateResponse(request, "error.html", {"message": message, "status": 403}, status=403).render()
