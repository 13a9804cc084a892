"""The backlog page in Chromium: every way to move an item, from mouse and keyboard, announced,
undoable, under the site's strict CSP; other roles see no controls; Markdown stays inert."""

import pytest
from playwright.sync_api import expect

from backlog import selectors
from tests.conftest import make_item, make_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def dom_order(page) -> list[str]:
    return page.locator("#backlog-rows tr[data-key]").evaluate_all("rows => rows.map(row => row.dataset.key)")


def db_order(product) -> list[str]:
    return list(selectors.backlog_items(product).values_list("key", flat=True))


def announced(page, text: str) -> None:
    expect(page.locator("#move-status")).to_contain_text(text)


def focused_label(page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('aria-label')")


def assert_clean(watch) -> None:
    assert watch.csp_violations == []
    assert watch.page_errors == []
    assert watch.dialogs == []


def test_a_product_owner_moves_items_with_each_button_and_the_order_holds(signed_in, product, po):
    make_items(product, 6)
    page, watch = signed_in(po)
    page.goto(f"/p/{product.key}/")

    page.get_by_role("button", name="Move SHOP-3 up").click()
    announced(page, "SHOP-3 moved to position 2 of 6.")
    page.get_by_role("button", name="Move SHOP-1 down").click()
    announced(page, "SHOP-1 moved to position 2 of 6.")
    page.get_by_role("button", name="Move SHOP-6 to the top").click()
    announced(page, "SHOP-6 moved to position 1 of 6.")
    page.get_by_role("button", name="Move SHOP-2 to the bottom").click()
    announced(page, "SHOP-2 moved to position 6 of 6.")
    page.get_by_label("New position for SHOP-5").fill("2")
    page.get_by_role("button", name="Move SHOP-5 to this position").click()
    announced(page, "SHOP-5 moved to position 2 of 6.")

    expected = ["SHOP-6", "SHOP-5", "SHOP-3", "SHOP-1", "SHOP-4", "SHOP-2"]
    assert dom_order(page) == expected
    assert page.locator("#backlog-rows td.pos").all_inner_texts() == ["1", "2", "3", "4", "5", "6"]
    page.reload()
    assert dom_order(page) == expected == db_order(product)
    assert_clean(watch)


def test_running_totals_follow_a_move_without_a_reload(signed_in, product, po):
    for points in (1, 2, 3):
        make_item(product, estimate=points)
    page, watch = signed_in(po)
    page.goto(f"/p/{product.key}/")
    page.get_by_role("button", name="Move SHOP-3 to the top").click()
    announced(page, "SHOP-3 moved to position 1 of 3.")
    assert page.locator("#backlog-rows td.running").all_inner_texts() == ["3", "4", "6"]
    assert_clean(watch)


def test_a_product_owner_moves_an_item_by_dragging_it(signed_in, product, po):
    make_items(product, 4)
    page, watch = signed_in(po)
    page.goto(f"/p/{product.key}/")
    target = page.locator('tr[data-key="SHOP-1"]')
    page.locator('tr[data-key="SHOP-4"] .drag-handle').drag_to(target, target_position={"x": 20, "y": 3})
    announced(page, "SHOP-4 moved to position 1 of 4.")
    page.locator('tr[data-key="SHOP-1"] .drag-handle').drag_to(
        page.locator('tr[data-key="SHOP-3"]'), target_position={"x": 20, "y": 30}
    )
    announced(page, "SHOP-1 moved to position 4 of 4.")
    page.reload()
    assert dom_order(page) == ["SHOP-4", "SHOP-2", "SHOP-3", "SHOP-1"] == db_order(product)
    assert_clean(watch)


def test_a_keyboard_only_move_is_announced_and_keeps_focus_on_the_control(signed_in, product, po):
    make_items(product, 5)
    page, watch = signed_in(po)
    page.goto(f"/p/{product.key}/")
    page.get_by_role("button", name="Move SHOP-4 up").focus()

    page.keyboard.press("Enter")
    announced(page, "SHOP-4 moved to position 3 of 5.")
    expect(page.get_by_role("button", name="Move SHOP-4 up")).to_be_focused()

    page.keyboard.press("Space")
    announced(page, "SHOP-4 moved to position 2 of 5.")
    expect(page.get_by_role("button", name="Move SHOP-4 up")).to_be_focused()

    assert focused_label(page) == "Move SHOP-4 up"
    assert db_order(product) == ["SHOP-1", "SHOP-4", "SHOP-2", "SHOP-3", "SHOP-5"]
    assert_clean(watch)


def test_a_keyboard_move_to_a_typed_position_keeps_focus_in_the_field(signed_in, product, po):
    make_items(product, 5)
    page, watch = signed_in(po)
    page.goto(f"/p/{product.key}/")
    field = page.get_by_label("New position for SHOP-1")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    announced(page, "SHOP-1 moved to position 4 of 5.")
    expect(page.get_by_label("New position for SHOP-1")).to_be_focused()
    assert_clean(watch)


def test_undo_puts_the_item_back_and_says_so(signed_in, product, po):
    make_items(product, 4)
    page, watch = signed_in(po)
    page.goto(f"/p/{product.key}/")
    page.get_by_role("button", name="Move SHOP-3 to the top").focus()
    page.keyboard.press("Enter")
    announced(page, "SHOP-3 moved to position 1 of 4.")
    page.get_by_role("button", name="Undo: move SHOP-3 back to position 3").click()
    announced(page, "SHOP-3 moved back to position 3 of 4.")
    assert dom_order(page) == ["SHOP-1", "SHOP-2", "SHOP-3", "SHOP-4"] == db_order(product)
    expect(page.get_by_role("button", name="Move SHOP-3 to the top")).to_be_focused()
    assert_clean(watch)


def test_moves_work_with_javascript_off(browser, live_server, product, po):
    from django.test import Client

    make_items(product, 3)
    client = Client()
    client.force_login(po)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"/p/{product.key}/")
    page.get_by_role("button", name="Move SHOP-3 to the top").click()
    expect(page.locator("#move-status")).to_contain_text("SHOP-3 moved to position 1 of 3.")
    page.get_by_role("button", name="Undo: move SHOP-3 back to position 3").click()
    expect(page.locator("#move-status")).to_contain_text("SHOP-3 moved back to position 3 of 3.")
    assert db_order(product) == ["SHOP-1", "SHOP-2", "SHOP-3"]
    context.close()


def test_show_more_appends_rows_and_a_move_keeps_them_all_loaded(signed_in, product, po):
    from tests.backlog.test_backlog_page import bulk_items

    bulk_items(product, 130)
    page, watch = signed_in(po)
    page.goto(f"/p/{product.key}/")
    expect(page.locator("#backlog-rows tr[data-key]")).to_have_count(100)
    page.get_by_role("link", name="Show more").click()
    expect(page.locator("#backlog-rows tr[data-key]")).to_have_count(130)
    expect(page.locator('tr[data-key="SHOP-101"] td.key a')).to_be_focused()
    page.get_by_role("button", name="Move SHOP-120 to the top").click()
    announced(page, "SHOP-120 moved to position 1 of 130.")
    expect(page.locator("#backlog-rows tr[data-key]")).to_have_count(130)
    assert dom_order(page)[:2] == ["SHOP-120", "SHOP-1"]
    assert page.locator('tr[data-key="SHOP-119"] td.pos').inner_text() == "120"
    assert_clean(watch)


def test_a_stakeholder_sees_the_order_but_no_move_controls(signed_in, product, stakeholder):
    make_items(product, 3)
    page, watch = signed_in(stakeholder)
    page.goto(f"/p/{product.key}/")
    assert dom_order(page) == ["SHOP-1", "SHOP-2", "SHOP-3"]
    expect(page.get_by_role("button", name="Move SHOP-2 up")).to_have_count(0)
    expect(page.locator(".drag-handle")).to_have_count(0)
    expect(page.locator("[draggable=true]")).to_have_count(0)
    assert_clean(watch)


def test_html_in_a_description_shows_as_text_and_runs_nothing(signed_in, product, po):
    item = make_item(
        product,
        title="<script>alert(1)</script>",
        description="<img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))",
    )
    page, watch = signed_in(po)
    page.goto(f"/items/{item.key}/")
    description = page.locator("section[aria-labelledby=description-heading] .markdown")
    expect(description).to_contain_text("<img src=x onerror=alert(1)>")
    expect(description).to_contain_text("<script>alert(1)</script>")
    expect(description.locator("img, script, a")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("<script>alert(1)</script>")
    page.goto(f"/p/{product.key}/")
    expect(page.locator('tr[data-key="SHOP-1"] td.col-title')).to_have_text("<script>alert(1)</script>")
    assert_clean(watch)
