"""Invitations: a product owner asks someone, by email, to join a product with a role, and that
person accepts or declines. Nobody joins a product without saying yes: not a newcomer, not
someone who has an account already.

What the inviter learns is the same whatever the address: no account is looked up on the way
in, and the email (one text for everyone, with a one-click decline) leaves through the outbox
after the response. Limits kept in the database stop Ordo being used to mail strangers:
INVITATIONS_PER_SENDER a day per inviter, INVITATIONS_PER_ADDRESS a week per address across all
products.

A link carries the invitation's id, signed. Links sent before invitations had their own rows
carry the product, address and the time they were sent (or only their signature's time); they
are matched to the latest invitation to that product and address sent at or before that time,
so every link that worked keeps working, and stops when its invitation does.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import OutboxMessage, User
from config.errors import InvalidInput, NotFound, TooManyRequests

from ..models import HistoryEntry, Invitation, Membership, Product, Role
from ..permissions import Action, require
from .common import record
from .products import _check_role, _locked_product

INVITATION_SALT = "ordo.invitation"
INVITATIONS_PER_SENDER, SENDER_WINDOW = 20, dt.timedelta(days=1)
INVITATIONS_PER_ADDRESS, ADDRESS_WINDOW = 3, dt.timedelta(days=7)
# Namespace of the PostgreSQL advisory locks that serialise invitations to one address.
ADDRESS_LOCK_NAMESPACE = 4_2002

Waiting = Invitation.State.WAITING


def _normal_email(email: str) -> str:
    email = User.objects.normalize_email(email or "")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Enter a valid email address.", fields={"email": ["Enter a valid email address."]}) from exc
    return email


# --- Sending ---------------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)


def _email_text(invitation: Invitation, by) -> tuple[str, str]:
    token = invitation_token(invitation)
    accept = f"{settings.SITE_URL}{reverse('backlog:invitation-accept', args=[token])}"
    decline = f"{settings.SITE_URL}{reverse('backlog:invitation-decline', args=[token])}"
    product, role = invitation.product, Role(invitation.role).label.lower()
    sender = f"{by.display_name} ({by.email})" if by.display_name else by.email
    subject = f"{by.name} invites you to {product.name} on Ordo"
    body = (
        f"{sender} invites you to join {product.name} ({product.key}) on Ordo as {role}.\n\n"
        f"Accept (if you are new to Ordo, you choose a password there):\n{accept}\n\n"
        f"Decline, with one click:\n{decline}\n\n"
        f"The invitation works for {settings.INVITATION_MAX_AGE.days} days. Until you accept it you "
        f"get no email about {product.name}, and if you ignore it, nothing more happens.\n"
    )
    return subject, body


def _send(invitation: Invitation, by) -> None:
    subject, body = _email_text(invitation, by)
    invitation.message = account_services.queue_email(
        kind=OutboxMessage.Kind.INVITATION, to=invitation.email, subject=subject, body=body, sender=by
    )
    invitation.save(update_fields=["message"])


def _wait_text(seconds: float) -> str:
    minutes = max(int(seconds // 60) + 1, 1)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"{hours} hours" if hours < 48 else f"{round(hours / 24)} days"


def _check_limits(*, by, email: str, now: datetime) -> None:
    """Every invitation email counts, resends included: the limits are about mail to strangers."""
    kind = OutboxMessage.Kind.INVITATION
    sent = account_selectors.recent_email_times(kind=kind, sender=by, since=now - SENDER_WINDOW)
    if len(sent) >= INVITATIONS_PER_SENDER:
        # The limit lifts when the oldest of the last INVITATIONS_PER_SENDER leaves the window.
        wait = (sent[INVITATIONS_PER_SENDER - 1] + SENDER_WINDOW - now).total_seconds()
        raise TooManyRequests(
            f"You have sent {INVITATIONS_PER_SENDER} invitations in the last 24 hours, as many as Ordo sends "
            f"for one person; you can send the next in {_wait_text(wait)}.",
            retry_after=wait,
        )
    sent = account_selectors.recent_email_times(kind=kind, to=email, since=now - ADDRESS_WINDOW)
    if len(sent) >= INVITATIONS_PER_ADDRESS:
        wait = (sent[INVITATIONS_PER_ADDRESS - 1] + ADDRESS_WINDOW - now).total_seconds()
        message = (
            f"{email} has been sent {INVITATIONS_PER_ADDRESS} invitations to Ordo this week, as many as Ordo "
            f"sends to one address; you can invite it again in {_wait_text(wait)}."
        )
        raise TooManyRequests(message, retry_after=wait, fields={"email": [message]})


def _serialise_invitations(*, by, email: str) -> None:
    """Invitations by one person, and to one address, one at a time: the limits are counted and
    kept under these locks (the sender's row; an advisory lock on the address on PostgreSQL —
    SQLite serialises writers anyway)."""
    User.objects.select_for_update(no_key=True).filter(pk=by.pk).first()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [ADDRESS_LOCK_NAMESPACE, zlib.crc32(email.encode()) - 2**31]
            )


@transaction.atomic
def invite_member(*, product: Product, by, email: str, role: str) -> Invitation:
    """Invite the person with this address to join with the role: one email with a link to
    accept (a newcomer chooses a password there) and one to decline. It replaces an invitation
    still waiting for the same address. The answer never says whether the address has an
    account; only a current member is refused (the inviter sees the members anyway)."""
    require(by, product, Action.MANAGE_PRODUCT)
    _check_role(role)
    email = _normal_email(email)
    # One waiting invitation per product and address, and "still manages the product" checked
    # again under the product's lock: a concurrent demotion of the inviter wins.
    product = _locked_product(product)
    require(by, product, Action.MANAGE_PRODUCT)
    if Membership.objects.filter(product=product, user__email=email).exists():
        raise InvalidInput(
            f"{email} is already a member.", code="already_member", fields={"email": ["Already a member."]}
        )
    _serialise_invitations(by=by, email=email)
    now = timezone.now()
    _check_limits(by=by, email=email, now=now)
    product.invitations.filter(email=email, state=Waiting).update(state=Invitation.State.REPLACED, answered_at=now)
    invitation = Invitation.objects.create(product=product, email=email, role=role, invited_by=by, created_at=now)
    _send(invitation, by)
    record(product=product, by=by, event=HistoryEntry.INVITED, email=email, role=role)
    return invitation


@transaction.atomic
def resend_invitation(*, invitation: Invitation, by) -> Invitation:
    """Send a waiting invitation's email again: at once if it is waiting for its next try, else
    as a new email with the same link (it counts towards the limits like a new invitation)."""
    require(by, invitation.product, Action.MANAGE_PRODUCT)
    invitation = _locked(invitation)
    _refuse_unless_open(invitation)
    if invitation.message_id and account_services.send_email_now(message_id=invitation.message_id):
        return invitation
    _serialise_invitations(by=by, email=invitation.email)
    _check_limits(by=by, email=invitation.email, now=timezone.now())
    _send(invitation, by)
    return invitation


@transaction.atomic
def withdraw_invitation(*, product: Product, by, email: str) -> bool:
    """Make the link waiting for this address stop working (a new invitation can follow).
    Whether one was waiting; when none was, nothing happened and history says nothing."""
    require(by, product, Action.MANAGE_PRODUCT)
    email = _normal_email((email or "").strip())
    withdrawn = product.invitations.filter(email=email, state=Waiting).update(
        state=Invitation.State.WITHDRAWN, answered_at=timezone.now()
    )
    if withdrawn:
        record(product=product, by=by, event=HistoryEntry.INVITATION_WITHDRAWN, email=email)
    return bool(withdrawn)


# --- Opening a link --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationLink:
    invitation: Invitation
    existing_user: User | None  # the account the invited address has now, if any

    @property
    def product(self) -> Product:
        return self.invitation.product

    @property
    def email(self) -> str:
        return self.invitation.email

    @property
    def role(self) -> str:
        return self.invitation.role


NOT_VALID = "This invitation link is not valid."


def read_invitation(token: str) -> InvitationLink:
    """The invitation of a link, if it can still be answered; InvalidInput saying why not."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidInput("This invitation has expired; ask the product owner for a new one.", code="expired") from exc
    except (signing.BadSignature, ValueError) as exc:
        # ValueError: a value signed with this salt but without a timestamp (never made here).
        raise InvalidInput(NOT_VALID, code="bad_invitation") from exc
    invitation = _invitation_of_link(data, token) if isinstance(data, dict) else None
    if invitation is None:
        raise InvalidInput(NOT_VALID, code="bad_invitation")
    _refuse_unless_open(invitation)
    return InvitationLink(invitation, User.objects.filter(email=invitation.email).first())


def _invitation_of_link(data: dict, token: str) -> Invitation | None:
    # Only what Ordo signs is looked up: an id is a row id (not a boolean, which Python counts as
    # an int, nor past the column), a time one that a datetime can hold.
    invitations = Invitation.objects.select_related("product")
    if "i" in data:
        return invitations.filter(pk=data["i"]).first() if _is_row_id(data["i"]) else None
    # A link from before invitations had rows: the latest invitation it can have come from.
    sent_at = data.get("t") or _signed_at(token)
    if not _is_row_id(data.get("p")) or not isinstance(data.get("e"), str) or type(sent_at) not in (int, float):
        return None
    try:
        sent = datetime.fromtimestamp(sent_at, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return (
        invitations.filter(product_id=data["p"], email=data["e"], created_at__lte=sent)
        .order_by("-created_at", "-id")
        .first()
    )


def _is_row_id(value) -> bool:
    return type(value) is int and 0 < value < 2**63


def _signed_at(token: str) -> float:
    """When a link made before links carried "t" was signed: the signature's own timestamp
    (whole seconds), rounded up so the link's own invitation is never later than it."""
    return signing.b62_decode(token.rsplit(":", 2)[-2]) + 1.0


def _refuse_unless_open(invitation: Invitation) -> None:
    """An invitation can be answered while it waits, until it expires, and while its sender
    still manages the product."""
    product = invitation.product
    again = f"Ask a product owner of {product.name} for a new one."
    State = Invitation.State
    refusals = {
        State.ACCEPTED: ("This invitation has been accepted already.", "used_invitation"),
        State.DECLINED: (f"This invitation was declined. {again}", "declined_invitation"),
        State.WITHDRAWN: (f"This invitation was withdrawn. {again}", "stale_invitation"),
        State.REPLACED: (
            "A newer invitation was sent to this address: use the link in the latest email.",
            "stale_invitation",
        ),
        State.REVOKED: (
            f"You left {product.name}, or were removed, after this invitation was sent. {again}",
            "stale_invitation",
        ),
    }
    if invitation.state in refusals:
        message, code = refusals[invitation.state]
        raise InvalidInput(message, code=code)
    if invitation.is_expired:
        raise InvalidInput("This invitation has expired; ask the product owner for a new one.", code="expired")
    if not Membership.objects.filter(
        product=product, user_id=invitation.invited_by_id, role=Role.PRODUCT_OWNER
    ).exists():
        raise InvalidInput(
            f"This invitation no longer works: its sender no longer manages {product.name}. {again}",
            code="stale_invitation",
        )


def _locked(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("product").filter(pk=invitation.pk)
    return locked.first() or invitation


# --- Answering -------------------------------------------------------------------------------------


def waiting_invitation_of(user, invitation_id: int) -> Invitation:
    """The invitation with this id, if it waits for this user's answer; NotFound otherwise
    (someone else's invitation is no different from one that does not exist)."""
    invitation = (
        Invitation.objects.select_related("product").filter(pk=invitation_id, email=user.email, state=Waiting).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if invitation is None or invitation.is_expired:
        raise NotFound("No such invitation.")
    return invitation


@transaction.atomic
def accept_invitation(
    *, invitation: Invitation, by=None, password: str | None = None, display_name: str = ""
) -> Membership:
    """Join the product of an invitation. A newcomer (`by` None) sets a password (validated like
    any other) and a display name; someone who has an account must be signed in as the invited
    address."""
    invitation = _locked(invitation)
    _refuse_unless_open(invitation)
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = _new_account(invitation.email, password=password, display_name=display_name)
    elif by is None or by.pk != user.pk:
        raise InvalidInput(f"Sign in as {invitation.email} to accept this invitation.", code="sign_in_required")
    now = timezone.now()
    membership, created = Membership.objects.get_or_create(
        product=invitation.product, user=user, defaults={"role": invitation.role, "accepted_at": now}
    )
    if not created and membership.accepted_at is None:
        membership.accepted_at = now
        membership.save(update_fields=["accepted_at"])
    invitation.state, invitation.answered_at = Invitation.State.ACCEPTED, now
    invitation.save(update_fields=["state", "answered_at"])
    if created:
        record(
            product=invitation.product, by=user, event=HistoryEntry.MEMBER_JOINED, user=user.pk, role=invitation.role
        )
    return membership


def _new_account(email: str, *, password: str | None, display_name: str) -> User:
    display_name = account_services.clean_display_name(display_name)
    try:
        validate_password(password or "", User(email=email, display_name=display_name))
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), fields={"password": list(exc.messages)}) from exc
    return User.objects.create_user(email=email, password=password, display_name=display_name)


@transaction.atomic
def decline_invitation(*, invitation: Invitation, by=None) -> Invitation:
    """Say no to an invitation: from the link in its email (no sign-in needed: the link is the
    proof), or signed in as the invited address. Its link stops working; the inviter sees it
    was declined."""
    invitation = _locked(invitation)
    if by is not None and by.email != invitation.email:
        raise NotFound("No such invitation.")
    if invitation.state == Invitation.State.DECLINED:
        return invitation
    _refuse_unless_open(invitation)
    invitation.state, invitation.answered_at = Invitation.State.DECLINED, timezone.now()
    invitation.save(update_fields=["state", "answered_at"])
    record(product=invitation.product, by=by, event=HistoryEntry.INVITATION_DECLINED, email=invitation.email)
    return invitation
