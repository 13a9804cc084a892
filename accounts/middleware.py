from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from .models import zone_named


class TimezoneMiddleware:
    """Show times, and count days, in the signed-in user's own time zone. (An API token is read
    later, by DRF: ApiTokenAuthentication activates its user's zone itself.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone_named(user.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # Leave nothing behind in this thread (a worker or a test that runs next).
            timezone.deactivate()


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has expired is redirected to log in like any other; the
    browser's XMLHttpRequest would follow that redirect itself and htmx would swap the login page
    into the board. Answer such a request with HX-Redirect instead: htmx then loads the login
    page as a page, and `next` brings the user back to the page they were on, never to the
    POST-only address of the move they made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") != "true"
            or not 300 <= response.status_code < 400
            or not response.has_header("Location")
            or getattr(request, "user", None) is None
            or request.user.is_authenticated
        ):
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != urlsplit(login_url).path:
            return response
        next_url = _page_of(request)
        if next_url:
            login_url = f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
        return HttpResponseClientRedirect(login_url)


def _page_of(request: HttpRequest) -> str | None:
    """Where to come back to after logging in: the page htmx says the browser shows (when it is
    this site's), else the address of a GET; nothing for a POST, whose address is no page."""
    current = request.headers.get("HX-Current-URL", "")
    if current and _on_this_site(request, current):
        parts = urlsplit(current)
        # Only its path and query, and only if they are still this site's on their own: the
        # path of http://ordo//evil.example/ is the address of another host.
        page = urlunsplit(("", "", parts.path, parts.query, ""))
        if parts.path.startswith("/") and _on_this_site(request, page):
            return page
    if request.method == "GET" and _on_this_site(request, request.get_full_path()):
        return request.get_full_path()
    return None


def _on_this_site(request: HttpRequest, url: str) -> bool:
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
