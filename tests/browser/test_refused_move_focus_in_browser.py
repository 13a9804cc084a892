"""Focus after a move the server refuses and answers with a list that lacks the row (Chromium):
it goes to the item's row, or the row that took its position, or the status region, never
falls to <body> or <main>."""

import pytest
from playwright.sync_api import expect

from backlog import services
from backlog.models import Item
from tests.conftest import make_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_clean(watch) -> None:
    assert watch.csp_violations == []
    assert watch.page_errors == []
    assert watch.dialogs == []


def archive(key: str, po) -> None:
    services.archive_item(item=Item.objects.get(key=key), by=po)


def focused_tag(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.tagName : ''")


@pytest.fixture
def backlog_page(signed_in, product, po):
    make_items(product, 4)
    page, watch = signed_in(po)
    page.goto(f"/p/{product.key}/")
    return page, watch


def test_when_the_moved_item_was_archived_elsewhere_focus_goes_to_the_row_that_took_its_place(backlog_page, po):
    page, watch = backlog_page
    archive("SHOP-2", po)
    page.get_by_role("button", name="Move SHOP-2 up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#move-status")).to_contain_text("SHOP-2 was not moved")
    expect(page.locator("#item-SHOP-2")).to_have_count(0)
    expect(page.locator("#item-SHOP-3 td.key a")).to_be_focused()
    assert_clean(watch)


def test_when_the_last_row_was_archived_elsewhere_focus_goes_to_the_status_region(backlog_page, po):
    page, watch = backlog_page
    archive("SHOP-4", po)
    page.get_by_role("button", name="Move SHOP-4 to the top").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#move-status")).to_contain_text("SHOP-4 was not moved")
    expect(page.locator("#move-status")).to_be_focused()
    expect(page.locator("#move-status")).to_have_attribute("tabindex", "-1")
    assert_clean(watch)


def test_when_a_drops_target_was_archived_meanwhile_focus_goes_to_the_dragged_row(backlog_page, po):
    page, watch = backlog_page
    archive("SHOP-1", po)
    page.locator('tr[data-key="SHOP-4"] .drag-handle').drag_to(
        page.locator('tr[data-key="SHOP-1"]'), target_position={"x": 20, "y": 3}
    )
    expect(page.locator("#move-status")).to_contain_text("SHOP-4 was not moved")
    expect(page.locator("#item-SHOP-1")).to_have_count(0)
    expect(page.locator("#item-SHOP-4 td.key a")).to_be_focused()
    assert focused_tag(page) == "A"
    assert_clean(watch)


def test_a_drop_whose_item_was_archived_meanwhile_focuses_the_row_that_took_its_place(backlog_page, po):
    page, watch = backlog_page
    archive("SHOP-3", po)
    page.locator('tr[data-key="SHOP-3"] .drag-handle').drag_to(
        page.locator('tr[data-key="SHOP-1"]'), target_position={"x": 20, "y": 3}
    )
    expect(page.locator("#move-status")).to_contain_text("SHOP-3 was not moved")
    expect(page.locator("#item-SHOP-4 td.key a")).to_be_focused()
    assert_clean(watch)


def test_a_refused_move_whose_row_is_still_listed_keeps_focus_on_its_control(backlog_page, po):
    """The move form's own refusal (a position below 1 bypassing the field's min) is unchanged."""
    page, watch = backlog_page
    field = page.get_by_label("New position for SHOP-2")
    field.evaluate("input => { input.removeAttribute('min'); input.value = '0'; }")
    field.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#move-status")).to_contain_text("SHOP-2 was not moved")
    expect(page.get_by_label("New position for SHOP-2")).to_be_focused()
    assert_clean(watch)
