"""Invitations: a product owner asks someone, by email, to join a product with a role."""

from __future__ import annotations

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
from config.errors import InvalidInput

from ..models import HistoryEntry, Membership, Product, Role
from ..permissions import Action, require
from .common import record
from .products import _check_role, add_member

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
