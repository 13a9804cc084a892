"""django-axes hooks: one username for the login form and the token endpoint, and a lockout
answer that says what happened and for how long."""

import ipaddress
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


def client_ip(request) -> str | None:
    """Where a sign-in attempt comes from. Directly: REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT
    proxies: the address the outermost one saw, which it appended to X-Forwarded-For; entries to
    its left are the client's own word and can be forged. Without it every client would share
    the proxy's address, and five bad passwords from anywhere would lock the account for all."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            try:
                # Not an address (a request that reached Ordo round the proxy): the column is an
                # IP address, and PostgreSQL would refuse the row.
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def forget_failures(request, username: str) -> None:
    """A successful sign-in clears the pair's failures, wherever it happened (the login form
    does this through django-axes' login signal; the token endpoint logs nobody in)."""
    from axes.helpers import get_client_ip_address
    from axes.utils import reset

    reset(ip=get_client_ip_address(request), username=str(username).strip().lower())


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
