"""Withdrawing an address for which no invitation waits changes nothing: no history entry (an
address typed by mistake, or another product's invitee, does not land in the activity feed),
and the page says there was nothing to withdraw."""

import pytest

from backlog import services
from backlog.models import HistoryEntry

pytestmark = pytest.mark.django_db


def test_withdrawing_an_address_nobody_was_invited_at_records_nothing(product, po):
    before = HistoryEntry.objects.count()
    assert services.withdraw_invitation(product=product, by=po, email="nobody@example.com") is False
    assert HistoryEntry.objects.count() == before


def test_withdrawing_another_products_invitation_leaves_it_waiting(product, po):
    other = services.create_product(by=po, key="OTHER", name="Other")
    invitation = services.invite_member(product=other, by=po, email="guest@example.com", role="developer")
    assert services.withdraw_invitation(product=product, by=po, email="guest@example.com") is False
    invitation.refresh_from_db()
    assert invitation.state == "waiting"
    assert not HistoryEntry.objects.filter(product=product, event=HistoryEntry.INVITATION_WITHDRAWN).exists()


def test_the_members_page_says_there_was_nothing_to_withdraw(client, product, po):
    client.force_login(po)
    response = client.post(f"/p/{product.key}/invitations/withdraw/", {"email": "nobody@example.com"}, follow=True)
    html = response.content.decode()
    assert "No invitation to nobody@example.com was waiting" in html
    assert "is withdrawn" not in html
