"""A sprint in Chromium: plan it (add ready items), start it, move cards across the board with
buttons, the keyboard and by dragging, close it with carry-over, and see the frozen outcome;
all under the site's strict CSP, without dialogs."""

import os

import pytest
from playwright.sync_api import expect

from sprints.models import Sprint, SprintItem
from tests.conftest import make_item
from tests.sprints.conftest import make_sprint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ORDO_SCREENSHOTS", "")


def announced(page, text: str) -> None:
    expect(page.locator("#board-status")).to_contain_text(text)


def column_keys(page, column: str) -> list[str]:
    return page.locator(f'.board-column[data-column="{column}"] li[data-key]').evaluate_all(
        "cards => cards.map(card => card.dataset.key)"
    )


def assert_clean(watch) -> None:
    assert watch.csp_violations == []
    assert watch.page_errors == []
    assert watch.dialogs == []


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_team_plans_works_and_closes_a_sprint_in_the_browser(signed_in, product, po):
    for title, points in (("Guest checkout", 3), ("Saved baskets", 5), ("Delivery dates", 8), ("Gift wrap", 2)):
        make_item(product, title=title, status="ready", estimate=points)
    page, watch = signed_in(po)

    # Plan: a goal, then ready items from the top of the backlog.
    page.goto(f"/p/{product.key}/sprints/")
    page.get_by_label("Sprint goal").fill("Let guests buy without an account")
    page.get_by_role("button", name="Plan the sprint").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sprint 1")
    for key in ("SHOP-1", "SHOP-2", "SHOP-3"):
        page.get_by_role("button", name=f"Add {key} to the sprint").click()
        expect(page.get_by_role("button", name=f"Remove {key} from the sprint")).to_be_visible()
    expect(page.locator("#sprint-rows td.running")).to_have_text(["3", "8", "16"])
    expect(page.locator(".planning-summary")).to_contain_text("no history yet")

    # Start it: the board leads with the goal.
    page.get_by_role("button", name="Start Sprint 1").click()
    expect(page.locator(".sprint-goal-text")).to_have_text("Let guests buy without an account")
    assert column_keys(page, "todo") == ["SHOP-1", "SHOP-2", "SHOP-3"]

    # Buttons: announced, and focus stays on the moved card.
    page.get_by_role("button", name="Move SHOP-1 to In progress").click()
    announced(page, "SHOP-1 moved to In progress.")
    expect(page.get_by_role("button", name="Move SHOP-1 to Done")).to_be_focused()
    page.keyboard.press("Enter")
    announced(page, "SHOP-1 moved to Done.")
    expect(page.locator("#card-SHOP-1 [data-control]").first).to_be_focused()

    # Drag: an enhancement posting the same form.
    page.locator("#card-SHOP-2 .drag-handle").drag_to(page.locator('.board-column[data-column="done"]'))
    announced(page, "SHOP-2 moved to Done.")
    page.locator("#card-SHOP-3 .drag-handle").drag_to(page.locator('.board-column[data-column="in_progress"]'))
    announced(page, "SHOP-3 moved to In progress.")
    assert column_keys(page, "done") == ["SHOP-1", "SHOP-2"]
    assert column_keys(page, "in_progress") == ["SHOP-3"]
    expect(page.locator("#sprint-numbers")).to_contain_text("8 of 16 pts committed")
    page.reload()
    assert column_keys(page, "done") == ["SHOP-1", "SHOP-2"]
    shoot(page, "sprint-board")

    # Close, carrying SHOP-3 into the next sprint.
    following = make_sprint(product, po, goal="Gift options")
    page.get_by_role("link", name="Close the sprint").click()
    page.get_by_label("Partly met").check()
    page.get_by_label("Note on the goal").fill("Guests can buy; delivery dates slipped.")
    page.get_by_role("group", name="SHOP-3 Delivery dates").get_by_label("Next sprint").check()
    page.get_by_role("button", name="Close Sprint 1").click()

    # The frozen outcome.
    expect(page.locator(".messages")).to_contain_text("Sprint 1 closed.")
    expect(page.locator(".goal-outcome")).to_have_text("Goal partly met")
    expect(page.locator(".outcome-done tbody tr")).to_have_count(2)
    expect(page.locator(".outcome-not-done tbody tr")).to_have_text(["SHOP-3Delivery dates8Next sprint"])
    assert Sprint.objects.get(pk=following.pk).sprint_items.get().item.key == "SHOP-3"
    page.get_by_role("link", name="Burndown").click()
    expect(page.locator("svg.chart-svg[role=img]")).to_be_visible()
    shoot(page, "sprint-burndown")
    assert_clean(watch)


def test_a_card_moves_with_javascript_off(browser, live_server, product, po):
    from django.test import Client

    from tests.sprints.conftest import plan, start

    item = make_item(product, status="ready", estimate=3)
    sprint = make_sprint(product, po)
    plan(sprint, [item], po)
    start(sprint, po)
    client = Client()
    client.force_login(po)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"/sprints/{sprint.pk}/")
    page.get_by_role("button", name=f"Move {item.key} to Done").click()
    expect(page.locator("#board-status")).to_contain_text(f"{item.key} moved to Done.")
    assert SprintItem.objects.get(sprint=sprint).column == "done"
    context.close()


def test_a_stakeholder_sees_the_board_without_controls_or_a_retro(signed_in, product, po, stakeholder):
    from tests.sprints.conftest import plan, start

    sprint = make_sprint(product, po)
    plan(sprint, [make_item(product, status="ready", estimate=3)], po)
    start(sprint, po)
    page, watch = signed_in(stakeholder)
    page.goto(f"/sprints/{sprint.pk}/")
    expect(page.locator("#sprint-board li[data-key]")).to_have_count(1)
    expect(page.locator("[draggable=true]")).to_have_count(0)
    expect(page.get_by_role("link", name="Retrospective")).to_have_count(0)
    assert_clean(watch)
