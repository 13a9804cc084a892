"""Moves that do not happen, in Chromium: a refusal (4xx, 5xx) or a lost connection is said in
the page's live region and focus stays on the button pressed; a card that has left the board
hands focus to the board's heading; an expired session leads to the login page and back."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from backlog.models import Membership, Role
from sprints import services as sprint_services
from tests.conftest import make_item, make_items, make_user
from tests.sprints.conftest import make_sprint, plan, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_RIGHT = "Not moved: you may no longer have the right to do this (403). Reload the page."
UNREACHABLE = "Not moved: the server could not be reached. Check your connection and try again."


def assert_clean(watch) -> None:
    assert watch.csp_violations == []
    assert watch.page_errors == []
    assert watch.dialogs == []


@pytest.fixture
def board(product, po):
    """An active sprint holding SHOP-1 and SHOP-2, both to do."""
    items = [make_item(product, status="ready", estimate=3) for _ in range(2)]
    sprint = make_sprint(product, po)
    plan(sprint, items, po)
    return start(sprint, po)


def open_board(signed_in, user, sprint):
    page, watch = signed_in(user)
    page.goto(f"/sprints/{sprint.pk}/")
    return page, watch


def test_a_board_move_refused_for_lost_rights_is_announced_and_focus_stays(signed_in, product, developer, board):
    page, watch = open_board(signed_in, developer, board)
    Membership.objects.filter(product=product, user=developer).update(role=Role.STAKEHOLDER)
    button = page.get_by_role("button", name="Move SHOP-1 to In progress")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#board-status")).to_have_text(NO_RIGHT)
    expect(button).to_be_focused()
    expect(page.locator('.board-column[data-column="todo"] li[data-key="SHOP-1"]')).to_have_count(1)
    assert_clean(watch)


def test_a_board_move_that_never_reaches_the_server_is_announced(signed_in, developer, board):
    page, watch = open_board(signed_in, developer, board)
    page.route("**/column/", lambda route: route.abort())
    button = page.get_by_role("button", name="Move SHOP-2 to Done")
    button.click()
    expect(page.locator("#board-status")).to_have_text(UNREACHABLE)
    expect(button).to_be_focused()
    assert_clean(watch)


def test_a_server_error_on_a_dragged_card_is_announced(signed_in, developer, board):
    page, watch = open_board(signed_in, developer, board)
    page.route("**/column/", lambda route: route.fulfill(status=500, body="Server error"))
    page.locator("#card-SHOP-1 .drag-handle").drag_to(page.locator('.board-column[data-column="done"]'))
    expect(page.locator("#board-status")).to_have_text(
        "Not moved: something went wrong on the server (500). Reload the page and try again."
    )
    assert_clean(watch)


def test_when_the_moved_card_has_left_the_board_focus_goes_to_the_boards_heading(signed_in, po, developer, board):
    page, watch = open_board(signed_in, developer, board)
    sprint_services.remove_from_sprint(sprint=board, item=board.sprint_items.get(item__key="SHOP-1").item, by=po)
    page.get_by_role("button", name="Move SHOP-1 to In progress").click()
    expect(page.locator("#board-status")).to_contain_text("SHOP-1 was not moved")
    expect(page.locator("#card-SHOP-1")).to_have_count(0)
    expect(page.get_by_role("heading", name="Board", exact=True)).to_be_focused()
    assert_clean(watch)


@pytest.fixture
def backlog(product, po):
    """Three items, and a second product owner, so the first can be demoted."""
    make_items(product, 3)
    Membership.objects.create(product=product, user=make_user("po2@example.com"), role=Role.PRODUCT_OWNER)
    return product


def test_a_backlog_move_refused_for_lost_rights_is_announced_and_focus_stays(signed_in, po, backlog):
    page, watch = signed_in(po)
    page.goto(f"/p/{backlog.key}/")
    Membership.objects.filter(product=backlog, user=po).update(role=Role.DEVELOPER)
    button = page.get_by_role("button", name="Move SHOP-2 up")
    button.click()
    expect(page.locator("#move-status")).to_have_text(NO_RIGHT)
    expect(button).to_be_focused()
    assert page.locator("#backlog-rows tr[data-key]").evaluate_all("rows => rows.map(r => r.dataset.key)") == [
        "SHOP-1",
        "SHOP-2",
        "SHOP-3",
    ]
    assert_clean(watch)


def test_an_undo_that_never_reaches_the_server_is_announced_and_keeps_its_button(signed_in, po, backlog):
    page, watch = signed_in(po)
    page.goto(f"/p/{backlog.key}/")
    page.get_by_role("button", name="Move SHOP-3 to the top").click()
    expect(page.locator("#move-status")).to_contain_text("SHOP-3 moved to position 1 of 3.")
    page.route("**/move/", lambda route: route.abort())
    undo = page.get_by_role("button", name="Undo: move SHOP-3 back to position 3")
    undo.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#move-status .announcement")).to_have_text(UNREACHABLE)
    expect(undo).to_be_focused()
    assert_clean(watch)


def test_a_move_after_the_session_expired_leads_to_the_login_page_and_back(signed_in, live_server, po, board):
    page, watch = open_board(signed_in, po, board)
    Session.objects.all().delete()
    page.get_by_role("button", name="Move SHOP-1 to In progress").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=%2Fsprints%2F{board.pk}%2F")
    expect(page.locator("#sprint-board")).to_have_count(0)
    assert_clean(watch)
