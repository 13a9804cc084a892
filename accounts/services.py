"""Writes to accounts: profiles, personal API tokens, and the password-reset email."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.errors import InvalidInput, NotFound
from config.text import header_safe, require_single_line

from .models import ApiToken, User, validate_time_zone
from .tokens import TOKEN_PREFIX, digest, new_secret

TOKEN_NAME_MAX = ApiToken._meta.get_field("name").max_length
DISPLAY_NAME_MAX = User._meta.get_field("display_name").max_length


@transaction.atomic
def create_api_token(*, by: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and never stored."""
    name = (name or "").strip() or f"Token of {timezone.now():%Y-%m-%d %H:%M}"
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput("The token name is too long.", fields={"name": [f"At most {TOKEN_NAME_MAX} characters."]})
    require_single_line(name, field="name", label="A token name")
    secret = new_secret()
    token = ApiToken.objects.create(
        user=by, name=name, digest=digest(secret), prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8]
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, by: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent); someone else's is NotFound."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=by).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def update_profile(*, by: User, display_name: str, time_zone: str) -> User:
    """Change the user's display name and time zone."""
    display_name = (display_name or "").strip()
    if len(display_name) > DISPLAY_NAME_MAX:
        raise InvalidInput(
            "The name is too long.", fields={"display_name": [f"At most {DISPLAY_NAME_MAX} characters."]}
        )
    require_single_line(display_name, field="display_name", label="A display name")
    try:
        validate_time_zone(time_zone)
    except Exception as exc:
        raise InvalidInput(str(exc), fields={"time_zone": ["Choose a time zone from the list."]}) from exc
    by.display_name = display_name
    by.time_zone = time_zone
    by.save(update_fields=["display_name", "time_zone"])
    return by


def send_password_reset(*, user_id: int) -> bool:
    """Email the user a link to choose a new password (built on SITE_URL, never the request's
    Host header). False: no active user with a usable password has that id any more."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    context = {
        "email": user.email,
        "site_url": settings.SITE_URL,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = header_safe(render_to_string("accounts/password_reset_subject.txt", context))
    body = render_to_string("accounts/password_reset_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return True
