"""django-axes hooks: one username for the login form and the token endpoint, and a lockout
answer that says what happened and for how long."""

import json

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def username_from_request(request, credentials=None) -> str:
    """The account being tried, lower-cased, whether it came from the form, JSON or authenticate()."""
    username = ""
    if credentials:
        username = credentials.get("username") or credentials.get("email") or ""
    if not username:
        username = request.POST.get("username") or request.POST.get("email") or ""
    if not username and request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
            username = body.get("email", "") if isinstance(body, dict) else ""
        except (ValueError, UnicodeDecodeError, RecursionError):
            username = ""
    return str(username).strip().lower()


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, *args, **kwargs):
    message = (
        f"Too many failed sign-in attempts for this account from your address. "
        f"Try again in {lockout_minutes()} minutes, or reset your password."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out", "fields": {}}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
