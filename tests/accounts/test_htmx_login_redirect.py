"""An expired session meets htmx: instead of the login page swapped into the board or the
backlog, the browser is sent to log in, and back to the page it was on afterwards."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tests.sprints.conftest import make_ready_item, make_sprint, plan, start

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def login_target(response) -> tuple[str, dict]:
    """The path and query of the login page an htmx response sends the browser to."""
    assert response.status_code in {200, 204}
    assert response.content == b""
    assert "Location" not in response
    url = urlparse(response["HX-Redirect"])
    assert (url.scheme, url.netloc) == ("", "")
    return url.path, parse_qs(url.query)


@pytest.fixture
def board(product, po):
    item = make_ready_item(product, 3)
    sprint = make_sprint(product, po)
    plan(sprint, [item], po)
    return start(sprint, po), item


def test_a_card_move_after_the_session_expired_sends_the_browser_to_log_in_and_back(client, board):
    sprint, item = board
    page = reverse("sprints:sprint-detail", args=[sprint.pk])
    response = client.post(
        reverse("sprints:sprint-column", args=[sprint.pk, item.key]),
        {"column": "done"},
        HTTP_HX_CURRENT_URL=f"http://testserver{page}?view=all",
        **HTMX,
    )
    assert login_target(response) == (reverse("accounts:login"), {"next": [f"{page}?view=all"]})


def test_a_backlog_move_after_the_session_expired_sends_the_browser_back_to_the_backlog(client, product):
    backlog = reverse("backlog:backlog", args=[product.key])
    response = client.post(
        reverse("backlog:item-move", args=["SHOP-1"]),
        {"position": "1"},
        HTTP_HX_CURRENT_URL=f"http://testserver{backlog}?status=ready&q=a+b",
        **HTMX,
    )
    assert login_target(response) == (reverse("accounts:login"), {"next": [f"{backlog}?status=ready&q=a+b"]})


def test_a_post_from_a_page_of_another_origin_carries_no_next(client, board):
    sprint, item = board
    response = client.post(
        reverse("sprints:sprint-column", args=[sprint.pk, item.key]),
        {"column": "done"},
        HTTP_HX_CURRENT_URL="https://evil.example/sprints/1/",
        **HTMX,
    )
    assert login_target(response) == (reverse("accounts:login"), {})


def test_a_post_without_the_current_url_never_comes_back_to_its_post_only_address(client, board):
    sprint, item = board
    response = client.post(reverse("sprints:sprint-column", args=[sprint.pk, item.key]), {"column": "done"}, **HTMX)
    assert login_target(response) == (reverse("accounts:login"), {})


def test_a_get_without_a_usable_current_url_comes_back_to_its_own_address(client, product):
    url = reverse("backlog:backlog", args=[product.key]) + "?offset=50"
    for current in ({}, {"HTTP_HX_CURRENT_URL": "https://evil.example/p/SHOP/"}):
        response = client.get(url, **current, **HTMX)
        assert login_target(response) == (reverse("accounts:login"), {"next": [url]})


def test_a_request_without_htmx_is_still_redirected_as_before(client, product):
    url = reverse("backlog:backlog", args=[product.key])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    assert "HX-Redirect" not in response


def test_a_signed_in_members_htmx_move_is_answered_as_before(client, po, board):
    sprint, item = board
    client.force_login(po)
    response = client.post(reverse("sprints:sprint-column", args=[sprint.pk, item.key]), {"column": "done"}, **HTMX)
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert f"{item.key} moved to Done." in response.content.decode()
