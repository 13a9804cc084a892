"""HTML views of the accounts app: sign-in and passwords (Django's views, our templates), the
profile and personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import InvalidInput

from . import services
from .forms import EmailAuthenticationForm, ProfileForm, QueuedPasswordResetForm, TokenCreateForm, add_service_errors
from .models import ApiToken


class LoginView(auth_views.LoginView):
    # The form calls authenticate(request, …), which django-axes' backend needs to count
    # failures per (email, address) pair; a locked pair gets the 429 page from the middleware.
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    # Django 5 accepts POST only: a link or an image tag cannot sign anyone out. Afterwards it
    # redirects to LOGOUT_REDIRECT_URL (the login page).
    http_method_names = ["post", "options"]


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    # The email is queued (accounts.tasks) and built on SITE_URL, not the Host header.
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "reset_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        # A valid link's token now waits in the session for the set-password form. In a session
        # whose id someone planted in this browser, they could post that form first and choose
        # the password: the token goes on under a new session id, and the old one is deleted.
        token = kwargs.get("token")
        if token != self.reset_url_token and self.request.session.get(INTERNAL_RESET_SESSION_TOKEN) == token:
            self.request.session.cycle_key()
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Display name and time zone."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.update_profile(
                    by=user,
                    display_name=form.cleaned_data["display_name"],
                    time_zone=form.cleaned_data["time_zone"],
                )
            except InvalidInput as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "time_zone": user.time_zone})
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)


def _tokens_page(request: HttpRequest, form: TokenCreateForm, *, new_token=None, secret: str = "", status=200):
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    context = {"form": form, "tokens": tokens, "new_token": new_token, "secret": secret}
    return render(request, "accounts/tokens.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's API tokens; POST creates one and shows its secret on this response only."""
    if request.method == "POST":
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                token, secret = services.create_api_token(by=request.user, name=form.cleaned_data["name"])
            except InvalidInput as error:
                add_service_errors(form, error)
            else:
                # Rendered, not redirected: the secret exists only in this response (never_cache
                # keeps it out of caches), and is never stored or shown again.
                return _tokens_page(request, TokenCreateForm(), new_token=token, secret=secret)
        return _tokens_page(request, form, status=400)
    return _tokens_page(request, TokenCreateForm())


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's tokens; someone else's is a 404."""
    token = services.revoke_api_token(by=request.user, token_id=token_id)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer opens the API.")
    return redirect("accounts:tokens")
