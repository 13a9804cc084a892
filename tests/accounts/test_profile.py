"""The profile page: display name and time zone, and times shown in that zone."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_the_profile_page_offers_the_time_zones_in_a_select(client, po):
    client.force_login(po)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert '<select name="time_zone"' in body
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in body


def test_a_user_changes_display_name_and_time_zone(client, po):
    client.force_login(po)
    response = client.post(reverse("accounts:profile"), {"display_name": "Paula O.", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    po.refresh_from_db()
    assert (po.display_name, po.time_zone) == ("Paula O.", "Asia/Tokyo")


def test_an_unknown_time_zone_is_refused_on_its_field(client, po):
    client.force_login(po)
    response = client.post(reverse("accounts:profile"), {"display_name": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    po.refresh_from_db()
    assert po.time_zone == "UTC"


@pytest.mark.parametrize("name", ["localtime", "Factory"])
def test_a_zone_that_is_no_place_is_neither_offered_nor_taken(client, po, name):
    """ "localtime" is the server machine's zone: a user's days must not depend on the server."""
    client.force_login(po)
    assert f'value="{name}"' not in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("accounts:profile"), {"display_name": "", "time_zone": name})
    assert response.status_code == 400
    po.refresh_from_db()
    assert po.time_zone == "UTC"


def test_times_show_in_the_users_time_zone(client, po):
    token = ApiToken.objects.create(user=po, name="ci", digest="x" * 64, prefix="ordo_abc")
    ApiToken.objects.filter(pk=token.pk).update(created_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    client.force_login(po)
    client.post(reverse("accounts:profile"), {"display_name": "", "time_zone": "Asia/Tokyo"})
    body = client.get(reverse("accounts:tokens")).content.decode()
    assert "2026-01-05 21:00 JST" in body
