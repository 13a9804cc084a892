"""Invitations lived in history rows until now; this copies them into their own model, so that
every link in a mailbox keeps working as it did, and nothing reads history to judge a link.

Replayed per product in the order things happened:
- an invitation replaces the one still waiting for the same address (its link stopped working);
- a withdrawal closes the one waiting for that address;
- a removal (or someone leaving) closes the one waiting for that person's address: a removal
  sticks;
- joining accepts the one waiting for that person's address.
Expiry is not stored: it follows from the time an invitation was sent.

Members an owner added directly (a `backlog.member.added` event) never agreed to be there; unless
they have signed in since, their membership is marked not accepted and they get no digest until
they do. Everyone else's membership counts as accepted when it began.

Backwards: the invitation rows go (history still has every event) and memberships keep their
new column's values, which the older code ignores.
"""

from django.db import migrations
from django.db.models import F, Q

INVITED = "backlog.member.invited"
WITHDRAWN = "backlog.member.invitation_withdrawn"
REMOVED = "backlog.member.removed"
JOINED = "backlog.member.joined"
ADDED = "backlog.member.added"


def copy_invitations(apps, schema_editor):
    HistoryEntry = apps.get_model("backlog", "HistoryEntry")
    Invitation = apps.get_model("backlog", "Invitation")
    User = apps.get_model("accounts", "User")
    events = HistoryEntry.objects.filter(event__in=(INVITED, WITHDRAWN, REMOVED, JOINED)).order_by(
        "product_id", "created_at", "id"
    )
    user_ids = {
        entry.data.get("user") for entry in events.filter(event__in=(REMOVED, JOINED)) if entry.data.get("user")
    }
    email_of = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))
    waiting = {}  # (product id, email) -> the Invitation waiting for it
    for entry in events.iterator():
        data = entry.data or {}
        if entry.event == INVITED:
            email = (data.get("email") or "").strip().lower()
            if not email:
                continue
            _close(waiting, entry.product_id, email, "replaced", entry.created_at)
            waiting[(entry.product_id, email)] = Invitation.objects.create(
                product_id=entry.product_id,
                email=email,
                role=data.get("role") or "developer",
                invited_by_id=entry.actor_id,
                created_at=entry.created_at,
                state="waiting",
            )
        elif entry.event == WITHDRAWN:
            _close(waiting, entry.product_id, (data.get("email") or "").strip().lower(), "withdrawn", entry.created_at)
        else:
            email = email_of.get(data.get("user"))
            state = "revoked" if entry.event == REMOVED else "accepted"
            _close(waiting, entry.product_id, email, state, entry.created_at)


def _close(waiting, product_id, email, state, at):
    invitation = waiting.pop((product_id, email), None) if email else None
    if invitation is not None:
        invitation.state, invitation.answered_at = state, at
        invitation.save(update_fields=["state", "answered_at"])


def mark_memberships(apps, schema_editor):
    HistoryEntry = apps.get_model("backlog", "HistoryEntry")
    Membership = apps.get_model("backlog", "Membership")
    Membership.objects.update(accepted_at=F("created_at"))
    added = HistoryEntry.objects.filter(event=ADDED).values_list("product_id", "data")
    for product_id, data in added.iterator():
        user_id = (data or {}).get("user")
        if user_id is None:
            continue
        Membership.objects.filter(product_id=product_id, user_id=user_id).filter(
            Q(user__last_login__isnull=True) | Q(user__last_login__lt=F("created_at"))
        ).update(accepted_at=None)


def remove_invitations(apps, schema_editor):
    apps.get_model("backlog", "Invitation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("backlog", "0003_invitations")]

    operations = [
        migrations.RunPython(copy_invitations, remove_invitations),
        migrations.RunPython(mark_memberships, migrations.RunPython.noop),
    ]
