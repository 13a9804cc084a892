"""HTML views of invitations: the product owner withdraws one; the invited person opens the
link, and joins. Parse, call a service, respond."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import InvalidInput

from .. import services
from ..forms_products import InvitationAcceptForm
from ..models import Role
from ..permissions import Action, access_product_for_user

# The newcomer has just proved they own the address; sign them in without asking again.
# (django-axes' backend has no get_user, so the session must name the model backend.)
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, key: str) -> HttpResponse:
    """The product owner withdraws the invitation waiting for an address: its link stops working."""
    product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
    email = request.POST.get("email", "").strip()
    if not email:
        messages.error(request, "Say which invitation to withdraw.")
    else:
        services.withdraw_invitation(product=product, by=request.user, email=email)
        messages.success(request, f"The invitation to {email} is withdrawn: its link no longer works.")
    return redirect("backlog:members", key=product.key)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Shows the invitation's product and role. A newcomer sets a name and password, joins and is
    signed in; someone with an account joins while signed in as the invited address."""
    try:
        invitation = services.read_invitation(token)
    except InvalidInput as error:
        return render(request, "backlog/invitation_invalid.html", {"message": error.message}, status=400)

    newcomer = invitation.existing_user is None
    signed_in_as_invitee = request.user.is_authenticated and request.user.email == invitation.email
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None) if newcomer else None
    error_message = ""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if newcomer:
                membership = services.accept_invitation(
                    token=token,
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                )
            else:
                membership = services.accept_invitation(token=token, by=request.user)
        except InvalidInput as error:
            if form is not None and "password" in error.fields:
                for message in error.fields["password"]:
                    form.add_error("password1", message)
            else:
                error_message = error.message
        else:
            if request.user.pk != membership.user_id:
                login(request, membership.user, backend=SESSION_BACKEND)
            messages.success(request, f"Welcome to {invitation.product.name}.")
            return redirect("backlog:backlog", key=invitation.product.key)

    context = {
        "invitation": invitation,
        "role_label": Role(invitation.role).label.lower(),
        "newcomer": newcomer,
        "signed_in_as_invitee": signed_in_as_invitee,
        "form": form,
        "error_message": error_message,
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.path})}",
    }
    failed = request.method == "POST"
    return render(request, "backlog/invitation_accept.html", context, status=400 if failed else 200)


urlpatterns = [
    path("p/<str:key>/invitations/withdraw/", invitation_withdraw, name="invitation-withdraw"),
    path("invitations/<str:token>/", invitation_accept, name="invitation-accept"),
]
