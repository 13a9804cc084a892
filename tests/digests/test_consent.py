"""No digest goes to anyone who has not agreed to be a member: people an owner added directly,
before invitations needed an answer, get none until they sign in."""

import datetime

from django.core import mail
from django.utils import timezone

from backlog.models import Membership, Role
from digests import selectors, tasks
from digests.models import DigestDelivery
from tests.conftest import make_items, make_user


def added_without_asking(product, email: str):
    """A stakeholder as the data migration leaves one added by the old path: not accepted."""
    user = make_user(email)
    joined = timezone.now() - datetime.timedelta(days=30)
    Membership.objects.create(product=product, user=user, role=Role.STAKEHOLDER, created_at=joined, accepted_at=None)
    return user


def due_users(now=None) -> set[int]:
    return {due.user_id for due in selectors.due_deliveries(now or timezone.now())}


def test_a_member_added_without_asking_and_never_signed_in_gets_no_digest(product):
    make_items(product, 2)
    user = added_without_asking(product, "added@example.com")
    assert user.pk not in due_users()
    tasks.tick()
    assert not DigestDelivery.objects.filter(user=user).exists()
    assert mail.outbox == []


def test_signing_in_after_being_added_counts_as_agreeing(product):
    user = added_without_asking(product, "added@example.com")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert user.pk in due_users()


def test_a_sign_in_from_before_being_added_does_not_count(product):
    user = added_without_asking(product, "added@example.com")
    user.last_login = timezone.now() - datetime.timedelta(days=60)
    user.save(update_fields=["last_login"])
    assert user.pk not in due_users()


def test_a_delivery_planned_before_is_skipped_when_sent(product):
    """A row planned by an older tick, or by hand, still sends nothing."""
    make_items(product, 2)
    user = added_without_asking(product, "added@example.com")
    delivery = DigestDelivery.objects.create(user=user, product=product, period="week:2026-W01", kind="weekly")
    from digests import services

    assert services.deliver(delivery.pk).outcome == "skipped"
    assert mail.outbox == []
