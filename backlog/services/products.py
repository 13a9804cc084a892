"""Products and their members."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from config.errors import InvalidInput, NotFound
from config.text import require_single_line, require_storable, single_line_error, text_error

from ..models import (
    PRODUCT_KEY_PATTERN,
    HistoryEntry,
    Invitation,
    Membership,
    Product,
    Role,
)
from ..permissions import Action, require
from .common import (
    TEXT_MAX,
    record,
)

NAME_MAX = Product._meta.get_field("name").max_length
NAME_LABEL, VISION_LABEL = "A product name", "The vision"


@transaction.atomic
def create_product(*, by, key: str, name: str, vision: str = "") -> Product:
    """Create a product; its creator becomes its product owner. The key can never change."""
    key = (key or "").strip().upper()
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    taken = False
    if not re.fullmatch(PRODUCT_KEY_PATTERN, key):
        errors["key"] = ["A product key is 2–10 uppercase letters or digits, like SHOP."]
    elif taken := Product.objects.filter(key=key).exists():
        errors["key"] = [f"The key {key} is taken; choose another."]
    if not name:
        errors["name"] = ["A product needs a name."]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"A name has at most {NAME_MAX} characters."]
    elif problem := single_line_error(name, label=NAME_LABEL):
        errors["name"] = [problem]
    if len(vision or "") > TEXT_MAX:
        errors["vision"] = [f"The vision has at most {TEXT_MAX} characters."]
    elif problem := text_error(vision or "", label=VISION_LABEL):
        errors["vision"] = [problem]
    if errors:
        # A taken key alone is a clash with what exists, not a malformed request: its own code.
        code = "key_taken" if taken and list(errors) == ["key"] else None
        raise InvalidInput(next(iter(errors.values()))[0], code=code, fields=errors)
    product = Product.objects.create(key=key, name=name, vision=vision or "")
    Membership.objects.create(product=product, user=by, role=Role.PRODUCT_OWNER)
    record(product=product, by=by, event="backlog.product.created")
    return product


@transaction.atomic
def update_product(*, product: Product, by, name: str | None = None, vision: str | None = None) -> Product:
    """Change a product's name or vision (the key stays)."""
    require(by, product, Action.MANAGE_PRODUCT)
    fields = []
    if name is not None:
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise InvalidInput(
                f"A product needs a name of at most {NAME_MAX} characters.",
                fields={"name": [f"Required, at most {NAME_MAX} characters."]},
            )
        require_single_line(name, field="name", label=NAME_LABEL)
        product.name = name
        fields.append("name")
    if vision is not None:
        if len(vision) > TEXT_MAX:
            raise InvalidInput("The vision is too long.", fields={"vision": [f"At most {TEXT_MAX} characters."]})
        require_storable(vision, field="vision", label=VISION_LABEL)
        product.vision = vision
        fields.append("vision")
    if fields:
        product.save(update_fields=fields)
        record(product=product, by=by, event="backlog.product.updated", fields=fields)
    return product


def _locked_product(product: Product) -> Product:
    # "At least one product owner" is checked and changed under the product's row lock, or two
    # concurrent demotions could each see the other owner and leave none.
    # FOR NO KEY UPDATE: it serialises member changes without blocking the foreign-key checks
    # of every history row written meanwhile (a lock those writers may be waiting in).
    return Product.objects.select_for_update(no_key=True).get(pk=product.pk)


def _locked_membership(membership: Membership) -> Membership:
    # Someone may have removed the member meanwhile: that is a 404, not a crash.
    locked = Membership.objects.select_for_update(of=("self",)).select_related("user").filter(pk=membership.pk).first()
    if locked is None:
        raise NotFound("No such member.")
    return locked


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}.", fields={"role": [f"Choose one of: {', '.join(Role.values)}."]})


@transaction.atomic
def add_member(*, product: Product, by, user, role: str) -> Membership:
    """Add an existing user to the product with a role at once, without asking them: for demo
    data and administration only. People join through invitations (services.invite_member),
    which they accept or decline; no view or API calls this."""
    require(by, product, Action.MANAGE_PRODUCT)
    _check_role(role)
    membership, created = Membership.objects.get_or_create(product=product, user=user, defaults={"role": role})
    if not created:
        raise InvalidInput(f"{user.email} is already a member.", fields={"email": ["Already a member."]})
    record(product=product, by=by, event="backlog.member.added", user=user.pk, role=role)
    return membership


def _assert_keeps_an_owner(product: Product, membership: Membership) -> None:
    if membership.role != Role.PRODUCT_OWNER:
        return
    others = Membership.objects.filter(product=product, role=Role.PRODUCT_OWNER).exclude(pk=membership.pk)
    if not others.exists():
        raise InvalidInput(
            "A product always keeps at least one product owner: make someone else product owner first.",
            code="last_product_owner",
            fields={"role": ["This is the last product owner."]},
        )


@transaction.atomic
def change_role(*, membership: Membership, by, role: str) -> Membership:
    """Give a member another role; the last product owner cannot be demoted."""
    require(by, membership.product, Action.MANAGE_PRODUCT)
    _check_role(role)
    product = _locked_product(membership.product)
    # Asked again under the lock: a concurrent change may have demoted the actor meanwhile.
    require(by, product, Action.MANAGE_PRODUCT)
    membership = _locked_membership(membership)
    if role != Role.PRODUCT_OWNER:
        _assert_keeps_an_owner(product, membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record(product=product, by=by, event="backlog.member.role_changed", user=membership.user_id, old=old, new=role)
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, by) -> None:
    """Remove a member (members may also leave); the last product owner cannot go."""
    if membership.user_id != by.pk:
        require(by, membership.product, Action.MANAGE_PRODUCT)
    product = _locked_product(membership.product)
    if membership.user_id != by.pk:
        # Asked again under the lock: a concurrent change may have demoted the actor meanwhile.
        require(by, product, Action.MANAGE_PRODUCT)
    membership = _locked_membership(membership)
    _assert_keeps_an_owner(product, membership)
    membership.delete()
    # A removal sticks: links still waiting for their address stop working with it.
    product.invitations.filter(email=membership.user.email, state=Invitation.State.WAITING).update(
        state=Invitation.State.REVOKED, answered_at=timezone.now()
    )
    record(product=product, by=by, event=HistoryEntry.MEMBER_REMOVED, user=membership.user_id)
