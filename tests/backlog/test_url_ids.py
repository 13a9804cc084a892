"""Numeric ids in the backlog's HTML URLs are bounded like the API's (at most 18 digits): an
absurd id is a 404, never a 500 from the database (SQLite raises OverflowError past 2**63)."""

import pytest
from django.test import Client
from django.urls import URLPattern, converters

from backlog import urls as backlog_urls

HUGE = "99999999999999999999999"


@pytest.fixture
def po_client(po, product):
    client = Client(raise_request_exception=False)
    client.force_login(po)
    return client


@pytest.mark.parametrize("route", ["role", "remove"])
def test_a_member_id_too_large_for_the_database_is_not_found(po_client, route):
    """The product owner posting to a member route with a 23-digit id gets a 404."""
    response = po_client.post(f"/p/SHOP/members/{HUGE}/{route}/", {"role": "developer"})
    assert response.status_code == 404


@pytest.mark.parametrize("route", ["role", "remove"])
def test_a_member_id_of_eighteen_digits_reaches_the_view_and_is_not_found(po_client, route):
    """The bound is the API's: 18 digits still resolve, and an unknown member is a 404."""
    response = po_client.post(f"/p/SHOP/members/{'9' * 18}/{route}/", {"role": "developer"})
    assert response.status_code == 404


def test_a_known_member_id_still_works(po_client, product, developer):
    """Bounding the pattern does not change the happy path: the id arrives as a number."""
    response = po_client.post(f"/p/SHOP/members/{developer.pk}/role/", {"role": "scrum_master"})
    assert response.status_code == 302
    assert product.memberships.get(user=developer).role == "scrum_master"


def test_no_backlog_html_route_takes_an_unbounded_number():
    """Every backlog route that takes a number bounds it with a regex, not `<int:…>`."""
    unbounded = [
        str(pattern.pattern)
        for pattern in backlog_urls.urlpatterns
        if isinstance(pattern, URLPattern)
        and any(isinstance(c, converters.IntConverter) for c in pattern.pattern.converters.values())
    ]
    assert unbounded == []
