"""`Authorization: Token <secret>` for the API."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken, zone_named
from .tokens import digest

# last_used_at is written at most once a minute, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """The token's user, whose time zone then counts the request's days (a sprint's "today",
    its burndown's days), as the signed-in user's does on pages; TimezoneMiddleware resets it
    after the response."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=digest(key), revoked_at__isnull=True).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        timezone.activate(zone_named(token.user.time_zone))
        return token.user, token
