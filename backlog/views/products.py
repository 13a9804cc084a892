"""HTML views: products, their settings and members. Parse, call a service or
selector, respond; the policy in backlog.permissions decides who may do what."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import add_service_errors
from config.errors import InvalidInput, NotFound, TooManyRequests

from .. import extension_render, selectors, services
from ..forms_products import (
    MemberAddForm,
    MemberRoleForm,
    ProductCreateForm,
    ProductSettingsForm,
)
from ..models import Membership, Role
from ..permissions import Action, access_product_for_user, can


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's products, with their role and item count, and the invitations
    waiting for their answer."""
    products = list(selectors.products_for_user(request.user))
    for product in products:
        product.my_role_label = Role(product.my_role).label
    invitations = list(selectors.invitations_waiting_for(request.user))
    return render(request, "backlog/product_list.html", {"products": products, "invitations": invitations})


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    """A new product; its creator becomes its product owner."""
    form = ProductCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(by=request.user, **form.cleaned_data)
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{product.key} is created, and you are its product owner.")
            return redirect("backlog:backlog", key=product.key)
    return render(request, "backlog/product_create.html", {"form": form}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def product_settings(request: HttpRequest, key: str) -> HttpResponse:
    """The product owner edits name and vision; the key is shown, never editable."""
    product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
    if request.method == "POST":
        # Only name and vision are read: a `key` in the POST is ignored, as the key never changes.
        form = ProductSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.update_product(product=product, by=request.user, **form.cleaned_data)
            except InvalidInput as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The product settings are saved.")
                return redirect("backlog:product-settings", key=product.key)
    else:
        form = ProductSettingsForm(initial={"name": product.name, "vision": product.vision})
    panels = extension_render.settings_panels(product=product, user=request.user)
    return render(
        request,
        "backlog/product_settings.html",
        {"product": product, "form": form, "extension_panels": panels},
        status=_status(form),
    )


def _members_page(request: HttpRequest, product, add_form: MemberAddForm, *, status: int = 200) -> HttpResponse:
    members = list(selectors.members_of(product))
    manage = can(request.user, product, Action.MANAGE_PRODUCT)
    for membership in members:
        # One small form per row, all with a field named `role`: ids must still be unique.
        membership.role_form = MemberRoleForm(
            initial={"role": membership.role}, auto_id=f"id_member_{membership.user_id}_%s"
        )
    context = {
        "product": product,
        "members": members,
        "manage": manage,
        "add_form": add_form,
        "roles": Role.choices,
        "invitations": list(selectors.waiting_invitations(product)) if manage else [],
        "invitation_days": settings.INVITATION_MAX_AGE.days,
    }
    return render(request, "backlog/members.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, key: str) -> HttpResponse:
    """Any member sees the team; the product owner invites people by email (POST)."""
    if request.method == "GET":
        product = access_product_for_user(request.user, key, Action.READ)
        return _members_page(request, product, MemberAddForm())
    product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        email, role = form.cleaned_data["email"], form.cleaned_data["role"]
        try:
            invitation = services.invite_member(product=product, by=request.user, email=email, role=role)
        except TooManyRequests as error:
            add_service_errors(form, error)
            response = _members_page(request, product, form, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            role_label = Role(role).label.lower()
            messages.success(
                request,
                f"An invitation to join as {role_label} is on its way to {invitation.email}; "
                "they join when they accept it.",
            )
            return redirect("backlog:members", key=product.key)
    return _members_page(request, product, form, status=400)


# Ids in URLs are bounded like the API's (backlog.api.urls): a 30-digit id is a 404 at the URL
# resolver, never an OverflowError (SQLite) or DataError (PostgreSQL) from the database. The
# pattern gives a string; the views turn it into an int.
MEMBER_ID = r"(?P<user_id>[0-9]{1,18})"


def _membership(product, user_id: int) -> Membership:
    membership = selectors.membership_of(product, user_id)
    if membership is None:
        raise NotFound("No such member.")
    return membership


@login_required
@require_POST
def member_role(request: HttpRequest, key: str, user_id: str) -> HttpResponse:
    """The product owner gives a member another role (never leaving the product without one)."""
    user_id = int(user_id)
    product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
    membership = _membership(product, user_id)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(membership=membership, by=request.user, role=form.cleaned_data["role"])
        except InvalidInput as error:
            messages.error(request, f"{membership.user.name} keeps their role: {error.message}")
        else:
            role_label = Role(form.cleaned_data["role"]).label.lower()
            messages.success(request, f"{membership.user.name} is now {role_label}.")
    else:
        messages.error(request, "Choose one of the roles.")
    return redirect("backlog:members", key=product.key)


@login_required
@require_POST
def member_remove(request: HttpRequest, key: str, user_id: str) -> HttpResponse:
    """The product owner removes a member; any member may remove themselves (leave)."""
    user_id = int(user_id)
    leaving = user_id == request.user.pk
    product = access_product_for_user(request.user, key, Action.READ if leaving else Action.MANAGE_PRODUCT)
    membership = _membership(product, user_id)
    try:
        services.remove_member(membership=membership, by=request.user)
    except InvalidInput as error:
        messages.error(request, f"{membership.user.name} stays: {error.message}")
        return redirect("backlog:members", key=product.key)
    if leaving:
        messages.success(request, f"You left {product.key}.")
        return redirect("backlog:product-list")
    messages.success(request, f"{membership.user.name} is no longer a member of {product.key}.")
    return redirect("backlog:members", key=product.key)


urlpatterns = [
    path("", product_list, name="product-list"),
    path("products/new/", product_create, name="product-create"),
    path("p/<str:key>/settings/", product_settings, name="product-settings"),
    path("p/<str:key>/members/", members, name="members"),
    re_path(rf"^p/(?P<key>[^/]+)/members/{MEMBER_ID}/role/$", member_role, name="member-role"),
    re_path(rf"^p/(?P<key>[^/]+)/members/{MEMBER_ID}/remove/$", member_remove, name="member-remove"),
]
