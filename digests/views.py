"""HTML views of the digests app: a member's digest preferences (with a browser preview and a
"send me a preview now" button) and the one-click unsubscribe page, which needs no login."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from backlog.permissions import Action, access_product_for_user
from config.errors import InvalidInput

from . import email, selectors, services, tasks
from .forms import PreferenceForm
from .models import DigestDelivery, Frequency


def _form(preference: selectors.Preference, data=None) -> PreferenceForm:
    initial = {
        "frequency": preference.frequency,
        "weekday": preference.weekday,
        "hour": preference.hour,
        "send_when_quiet": preference.send_when_quiet,
    }
    return PreferenceForm(data, initial=initial, prefix=preference.product.key.lower())


def _page(request: HttpRequest, forms: dict | None = None, *, status: int = 200) -> HttpResponse:
    preferences = selectors.preferences_for_user(request.user)
    upcoming = selectors.next_weekly_digests(request.user, preferences, timezone.now())
    rows = []
    for preference in preferences:
        form = (forms or {}).get(preference.product.pk) or _form(preference)
        rows.append({"preference": preference, "form": form, "next": upcoming.get(preference.product.pk)})
    return render(request, "digests/preferences.html", {"rows": rows}, status=status)


@login_required
@require_GET
def preferences(request: HttpRequest) -> HttpResponse:
    """Every product of the member, with their digest choice for it."""
    return _page(request)


@login_required
@require_POST
def preference_update(request: HttpRequest, key: str) -> HttpResponse:
    product = access_product_for_user(request.user, key, Action.SUBSCRIBE)
    preference = selectors.preference_of(request.user, product)
    form = _form(preference, request.POST)
    if form.is_valid():
        try:
            services.update_subscription(user=request.user, product=product, **form.cleaned_data)
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Your digest settings for {product.name} are saved.")
            return redirect(f"{reverse('digests:preferences')}#digest-{product.key}")
    return _page(request, {product.pk: form}, status=400)


# The email's HTML is shown as it will arrive: its inline styles are allowed on this response
# only, nothing else (no scripts, no images, no requests), in a sandbox.
PREVIEW_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["'none'"],
    "script-src": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
    "sandbox": ["allow-popups", "allow-popups-to-escape-sandbox", "allow-top-navigation-by-user-activation"],
}


@login_required
@require_GET
@csp_replace(PREVIEW_CSP)
def preview(request: HttpRequest, key: str) -> HttpResponse:
    """Exactly the email the member would get next: the HTML part, or `?format=text`."""
    product = access_product_for_user(request.user, key, Action.SUBSCRIBE)
    preference = selectors.preference_of(request.user, product)
    kind = DigestDelivery.Kind.SPRINT if preference.frequency == Frequency.SPRINT else DigestDelivery.Kind.WEEKLY
    digest = email.digest_data(request.user, product)
    message = email.compose(digest, DigestDelivery(user=request.user, product=product, period="preview", kind=kind))
    if request.GET.get("format") == "text":
        return HttpResponse(message.body, content_type="text/plain; charset=utf-8")
    html = message.alternatives[0][0]
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@login_required
@require_POST
def send_preview(request: HttpRequest, key: str) -> HttpResponse:
    product = access_product_for_user(request.user, key, Action.SUBSCRIBE)
    delivery, created = services.request_preview(user=request.user, product=product)
    if created:
        tasks.enqueue_delivery(delivery.pk)
        messages.success(request, f"A preview of your {product.name} digest is on its way to {request.user.email}.")
    else:
        messages.info(request, "A preview was sent less than a minute ago; it should arrive shortly.")
    return redirect(f"{reverse('digests:preferences')}#digest-{product.key}")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (link scanners fetch links; a GET changes nothing). POST: the
    button, or a mail client's RFC 8058 one-click request (`List-Unsubscribe=One-Click`). No login
    and no CSRF token: the signed token is the authority, and it names one subscription. A link
    that names nobody (not signed here, or its account or product is gone) says so at once."""
    if selectors.unsubscribe_target(token) is None:
        return render(request, "digests/unsubscribe_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "digests/unsubscribe.html", {"token": token})
    try:
        result = services.unsubscribe(token=token)
    except InvalidInput:
        return render(request, "digests/unsubscribe_invalid.html", status=400)
    return render(request, "digests/unsubscribed.html", {"result": result})


urlpatterns = [
    path("digests/", preferences, name="preferences"),
    path("digests/<str:key>/", preference_update, name="preference-update"),
    path("digests/<str:key>/preview/", preview, name="preview"),
    path("digests/<str:key>/send-preview/", send_preview, name="send-preview"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
