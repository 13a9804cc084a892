"""Domain errors, and the two places that translate them: the API exception handler and the
HTML middleware. Services raise these; views never build error responses by hand. Also the
answer when the database cannot be reached (a 503, never a 500), and to a request Django itself
refuses (the 400 of a body that is too large)."""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
from typing import Any

import psycopg2
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
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


# A lone surrogate: JSON may carry one ("\\ud800"), Python keeps it, UTF-8 has no form for it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", str(text))


def error_body(detail: str, code: str, fields: dict | None = None) -> dict:
    """The API's error shape. Messages may quote the input ("… is not a valid choice", an unknown
    field's name): a lone surrogate quoted from it becomes U+FFFD, or rendering the 400 fails."""
    fields = {
        _encodable(name): [_encodable(message) for message in messages] for name, messages in (fields or {}).items()
    }
    return {"detail": _encodable(detail), "code": code, "fields": fields}


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
    if is_database_unavailable(exc):
        # Not ours to answer: DRF re-raises it, and DatabaseUnavailableMiddleware answers the 503
        # for it as for a failure in the session middleware, with the same body.
        return None
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


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a request Django refuses before any view reads it, chiefly a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE (or a form of more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields).
    Django's own page says nothing and the API's clients expect JSON, so: the API's error shape
    under /api/, Ordo's page elsewhere, each saying what happened."""
    if isinstance(exception, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        message, code = f"The request is larger than Ordo accepts ({megabytes:.1f} MB); nothing was saved.", "too_large"
    elif isinstance(exception, TooManyFieldsSent):
        message, code = "The request has more fields than Ordo accepts; nothing was saved.", "too_many_fields"
    else:
        message, code = "Ordo could not read this request; nothing was saved.", "bad_request"
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message, code), status=400)
    return TemplateResponse(request, "error.html", {"message": message, "status": 400}, status=400).render()


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


# --- The database is unreachable ----------------------------------------------------------------

# How long a client should wait before it tries again: a PostgreSQL restart, or a moment with
# every connection taken, is over in seconds.
RETRY_AFTER_SECONDS = 10
DATABASE_UNAVAILABLE = "Ordo cannot reach its database at the moment. Try again in a few seconds."

# Refused, down, out of connections ("too many clients"), dropped mid-query, an SQLite file that
# cannot be opened: Django wraps the driver's errors in its own classes; a driver's error raised
# outside a Django cursor arrives unwrapped.
_UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    psycopg2.OperationalError,
    psycopg2.InterfaceError,
    sqlite3.OperationalError,
    sqlite3.InterfaceError,
)


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether the exception, or one it was raised from, says the database cannot be used."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, _UNAVAILABLE):
            return True
        seen.add(id(exc))
        exc = exc.__cause__
    return False


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for a request the database failed: JSON under /api/, Ordo's page elsewhere."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body(DATABASE_UNAVAILABLE, "database_unavailable"), status=503)
    else:
        # Rendered without the request, so without the context processors: the user, the session
        # and the messages would each query the database that is not there.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # A cache in front must not go on serving the outage once the database is back.
    add_never_cache_headers(response)
    return response


def _note_database_error(sender, request: HttpRequest | None = None, **kwargs) -> None:
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    """A request the database failed gets a 503 with Retry-After, never a 500, and Ordo
    recovers by itself when the database returns (Django connects afresh when a request needs it).

    The first query runs in middleware (TimezoneMiddleware asks whether the user is signed in,
    which loads the session), and Django turns an exception into a response where it is raised,
    in the wrapper around each middleware: an outer middleware never sees the exception, only the
    500 (or, in debug, the technical page). got_request_exception is sent for each one, debug or
    not, before that response is built: the receiver notes a database error on the request, and
    this middleware, outside every middleware that queries (session, authentication, time zone,
    messages) and inside the ones that add the security headers and the CSP, answers for the
    request instead. The inner response is dropped with any cookie set on it."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_note_database_error, dispatch_uid="ordo-database-unavailable")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "database_unavailable", False):
            return database_unavailable_response(request)
        return response
