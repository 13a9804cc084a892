"""Products, their members and invitations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from config.errors import InvalidInput, NotFound

from ..models import (
    PRODUCT_KEY_PATTERN,
    HistoryEntry,
    Membership,
    Product,
    Role,
)
from ..permissions import Action, require
from .common import (
    TEXT_MAX,
    record,
)


@transaction.atomic
def create_product(*, by, key: str, name: str, vision: str = "") -> Product:
    """Create a product; its creator becomes its product owner. The key can never change."""
    key = (key or "").strip().upper()
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(PRODUCT_KEY_PATTERN, key):
        errors["key"] = ["A product key is 2–10 uppercase letters or digits, like SHOP."]
    elif Product.objects.filter(key=key).exists():
        errors["key"] = [f"The key {key} is taken; choose another."]
    if not name:
        errors["name"] = ["A product needs a name."]
    elif len(name) > 200:
        errors["name"] = ["A name has at most 200 characters."]
    if len(vision or "") > TEXT_MAX:
        errors["vision"] = [f"The vision has at most {TEXT_MAX} characters."]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
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
        if not name or len(name) > 200:
            raise InvalidInput(
                "A product needs a name of at most 200 characters.",
                fields={"name": ["Required, at most 200 characters."]},
            )
        product.name = name
        fields.append("name")
    if vision is not None:
        if len(vision) > TEXT_MAX:
            raise InvalidInput("The vision is too long.", fields={"vision": [f"At most {TEXT_MAX} characters."]})
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
    """Add an existing user to the product with a role."""
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
    record(product=product, by=by, event=MEMBER_REMOVED, user=membership.user_id)


INVITATION_SALT = "ordo.invitation"
INVITED, INVITATION_WITHDRAWN = HistoryEntry.INVITED, HistoryEntry.INVITATION_WITHDRAWN
MEMBER_REMOVED = HistoryEntry.MEMBER_REMOVED


def _invitation_token(*, product: Product, email: str, role: str, by) -> str:
    # "t": when it was sent, so a later invitation, removal or withdrawal can make it stale.
    data = {"p": product.pk, "e": email, "r": role, "by": by.pk, "t": timezone.now().timestamp()}
    return signing.dumps(data, salt=INVITATION_SALT)


def _send_invitation(*, product: Product, email: str, role: str, by) -> None:
    token = _invitation_token(product=product, email=email, role=role, by=by)
    link = f"{settings.SITE_URL}{reverse('backlog:invitation-accept', args=[token])}"
    days = settings.INVITATION_MAX_AGE.days
    body = (
        f"{by.name} invites you to {product.name} ({product.key}) on Ordo as {Role(role).label.lower()}.\n\n"
        f"Set your password and join here (the link works for {days} days):\n{link}\n\n"
        "If you did not expect this, ignore this email."
    )
    send_mail(f"Join {product.name} on Ordo", body, None, [email])


@transaction.atomic
def invite_member(*, product: Product, by, email: str, role: str) -> Membership | None:
    """Add the person with this email at once if they have an account (returns the
    membership); otherwise email a signed link, valid for INVITATION_MAX_AGE, that lets them set
    a password and join with the role (returns None)."""
    require(by, product, Action.MANAGE_PRODUCT)
    _check_role(role)
    email = User.objects.normalize_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Enter a valid email address.", fields={"email": ["Enter a valid email address."]}) from exc
    user = User.objects.filter(email=email).first()
    if user is not None:
        return add_member(product=product, by=by, user=user, role=role)
    # Sent after the commit: a rolled-back invitation must not reach anyone.
    transaction.on_commit(lambda: _send_invitation(product=product, email=email, role=role, by=by))
    record(product=product, by=by, event=INVITED, email=email, role=role)
    return None


@dataclass(frozen=True)
class Invitation:
    product: Product
    email: str
    role: str
    existing_user: object | None


def read_invitation(token: str) -> Invitation:
    """Decode an invitation link; an expired, tampered or stale one is InvalidInput."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidInput("This invitation has expired; ask the product owner for a new one.", code="expired") from exc
    except signing.BadSignature as exc:
        raise InvalidInput("This invitation link is not valid.", code="bad_invitation") from exc
    product = Product.objects.filter(pk=data.get("p")).first()
    if product is None or data.get("r") not in Role.values:
        raise InvalidInput("This invitation link is not valid.", code="bad_invitation")
    invitation = Invitation(
        product=product,
        email=data["e"],
        role=data["r"],
        existing_user=User.objects.filter(email=data["e"]).first(),
    )
    _refuse_if_stale(invitation, sent_by=data.get("by"), sent_at=data.get("t") or _signed_at(token))
    return invitation


def _signed_at(token: str) -> float:
    """When a link made before links carried "t" was signed: the signature's own timestamp
    (whole seconds), rounded up so the link's own invitation never counts as a newer one."""
    return signing.b62_decode(token.rsplit(":", 2)[-2]) + 1.0


def _refuse_if_stale(invitation: Invitation, *, sent_by, sent_at: float) -> None:
    """A link stops working when its sender no longer manages the product, when a newer
    invitation went to the same address, when the product owner withdrew it, or when the person
    was removed from (or left) the product after it was sent: a removal must stick."""
    product = invitation.product
    again = f"Ask a product owner of {product.name} for a new one."
    if not Membership.objects.filter(product=product, user_id=sent_by, role=Role.PRODUCT_OWNER).exists():
        raise InvalidInput(
            f"This invitation no longer works: its sender no longer manages {product.name}. {again}",
            code="stale_invitation",
        )
    later = HistoryEntry.objects.filter(product=product, created_at__gt=datetime.fromtimestamp(sent_at, tz=UTC))
    if later.filter(event=INVITED, data__email=invitation.email).exists():
        raise InvalidInput(
            "A newer invitation was sent to this address: use the link in the latest email.", code="stale_invitation"
        )
    if later.filter(event=INVITATION_WITHDRAWN, data__email=invitation.email).exists():
        raise InvalidInput(f"This invitation was withdrawn. {again}", code="stale_invitation")
    user = invitation.existing_user
    if user is not None and later.filter(event=MEMBER_REMOVED, data__user=user.pk).exists():
        raise InvalidInput(
            f"You left {product.name}, or were removed, after this invitation was sent. {again}",
            code="stale_invitation",
        )


@transaction.atomic
def withdraw_invitation(*, product: Product, by, email: str) -> None:
    """Make the links already sent to this address stop working (a new invitation can follow)."""
    require(by, product, Action.MANAGE_PRODUCT)
    email = User.objects.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Enter a valid email address.", fields={"email": ["Enter a valid email address."]}) from exc
    record(product=product, by=by, event=INVITATION_WITHDRAWN, email=email)


@transaction.atomic
def accept_invitation(*, token: str, password: str | None = None, display_name: str = "", by=None) -> Membership:
    """Join the product of an invitation. A newcomer sets a password (validated like any
    other); someone who has an account by now must be signed in as that account. Accepting
    twice keeps the first membership."""
    invitation = read_invitation(token)
    user = invitation.existing_user
    if user is None:
        try:
            validate_password(password or "", User(email=invitation.email))
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), fields={"password": list(exc.messages)}) from exc
        user = User.objects.create_user(
            email=invitation.email, password=password, display_name=display_name.strip()[:100]
        )
    elif by is None or by.pk != user.pk:
        raise InvalidInput(f"Sign in as {invitation.email} to accept this invitation.", code="sign_in_required")
    membership, created = Membership.objects.get_or_create(
        product=invitation.product, user=user, defaults={"role": invitation.role}
    )
    if created:
        record(product=invitation.product, by=user, event="backlog.member.joined", user=user.pk, role=invitation.role)
    return membership
