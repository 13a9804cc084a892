"""HTML views of invitations: the product owner withdraws or resends one; the invited person
opens the link and accepts (a newcomer chooses a password) or declines, or answers from the home
page. Parse, call a service, respond."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import InvalidInput, NotFound, TooManyRequests

from .. import services
from ..forms_products import InvitationAcceptForm
from ..models import Invitation, Role
from ..permissions import Action, access_product_for_user

# The newcomer has just proved they own the address; sign them in without asking again.
# (django-axes' backend has no get_user, so the session must name the model backend.)
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Ids in URLs are bounded (see backlog.views.products.MEMBER_ID): a 30-digit id is a 404.
INVITATION_ID = r"(?P<invitation_id>[0-9]{1,18})"


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, key: str) -> HttpResponse:
    """The product owner withdraws the invitation waiting for an address: its link stops working."""
    product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
    email = request.POST.get("email", "").strip()
    if not email:
        messages.error(request, "Say which invitation to withdraw.")
    elif services.withdraw_invitation(product=product, by=request.user, email=email):
        messages.success(request, f"The invitation to {email} is withdrawn: its link no longer works.")
    else:
        messages.info(request, f"No invitation to {email} was waiting: there was nothing to withdraw.")
    return redirect("backlog:members", key=product.key)


@login_required
@require_POST
def invitation_resend(request: HttpRequest, key: str, invitation_id: str) -> HttpResponse:
    """The product owner sends a waiting invitation's email again (after it failed, say)."""
    product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
    invitation = product.invitations.filter(pk=int(invitation_id), state=Invitation.State.WAITING).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    try:
        services.resend_invitation(invitation=invitation, by=request.user)
    except (InvalidInput, TooManyRequests) as error:
        messages.error(request, f"The invitation to {invitation.email} was not sent again: {error.message}")
    else:
        messages.success(request, f"The invitation to {invitation.email} is on its way again.")
    return redirect("backlog:members", key=product.key)


def _invalid(request: HttpRequest, error: InvalidInput) -> HttpResponse:
    return render(request, "backlog/invitation_invalid.html", {"message": error.message}, status=400)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Shows the invitation's product, role and sender. A newcomer sets a name and password,
    joins and is signed in; someone with an account joins while signed in as the invited
    address. Either may decline instead."""
    try:
        link = services.read_invitation(token)
    except InvalidInput as error:
        return _invalid(request, error)

    newcomer = link.existing_user is None
    signed_in_as_invitee = request.user.is_authenticated and request.user.email == link.email
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None) if newcomer else None
    error_message = ""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if newcomer:
                membership = services.accept_invitation(
                    invitation=link.invitation,
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                )
            else:
                membership = services.accept_invitation(invitation=link.invitation, by=request.user)
        except InvalidInput as error:
            if form is not None and error.fields:
                for name, problems in error.fields.items():
                    for problem in problems:
                        form.add_error("password1" if name == "password" else name, problem)
            else:
                error_message = error.message
        else:
            if request.user.pk != membership.user_id:
                login(request, membership.user, backend=SESSION_BACKEND)
            messages.success(request, f"Welcome to {link.product.name}.")
            return redirect("backlog:backlog", key=link.product.key)

    context = {
        "invitation": link,
        "sender": link.invitation.invited_by,
        "role_label": Role(link.role).label.lower(),
        "newcomer": newcomer,
        "signed_in_as_invitee": signed_in_as_invitee,
        "form": form,
        "error_message": error_message,
        "decline_url": reverse("backlog:invitation-decline", args=[token]),
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.path})}",
    }
    failed = request.method == "POST"
    return render(request, "backlog/invitation_accept.html", context, status=400 if failed else 200)


@require_http_methods(["GET", "POST"])
def invitation_decline(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email: one button declines, without signing in (the link is the proof).
    Opening it changes nothing, so a mail scanner that follows links cannot decline for anyone."""
    try:
        link = services.read_invitation(token)
    except InvalidInput as error:
        return _invalid(request, error)
    if request.method == "POST":
        services.decline_invitation(invitation=link.invitation)
        return render(request, "backlog/invitation_declined.html", {"invitation": link})
    context = {"invitation": link, "sender": link.invitation.invited_by, "role_label": Role(link.role).label.lower()}
    return render(request, "backlog/invitation_decline.html", context)


@login_required
@require_POST
def waiting_invitation_accept(request: HttpRequest, invitation_id: str) -> HttpResponse:
    """Accept, from the home page, an invitation waiting for the signed-in user."""
    invitation = services.waiting_invitation_of(request.user, int(invitation_id))
    try:
        services.accept_invitation(invitation=invitation, by=request.user)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect("backlog:product-list")
    messages.success(request, f"Welcome to {invitation.product.name}.")
    return redirect("backlog:backlog", key=invitation.product.key)


@login_required
@require_POST
def waiting_invitation_decline(request: HttpRequest, invitation_id: str) -> HttpResponse:
    """Decline, from the home page, an invitation waiting for the signed-in user."""
    invitation = services.waiting_invitation_of(request.user, int(invitation_id))
    try:
        services.decline_invitation(invitation=invitation, by=request.user)
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You declined the invitation to {invitation.product.name}.")
    return redirect("backlog:product-list")


urlpatterns = [
    path("p/<str:key>/invitations/withdraw/", invitation_withdraw, name="invitation-withdraw"),
    re_path(rf"^p/(?P<key>[^/]+)/invitations/{INVITATION_ID}/resend/$", invitation_resend, name="invitation-resend"),
    re_path(rf"^invitations/waiting/{INVITATION_ID}/accept/$", waiting_invitation_accept, name="waiting-accept"),
    re_path(rf"^invitations/waiting/{INVITATION_ID}/decline/$", waiting_invitation_decline, name="waiting-decline"),
    path("invitations/<str:token>/", invitation_accept, name="invitation-accept"),
    path("invitations/<str:token>/decline/", invitation_decline, name="invitation-decline"),
]
