"""The Scrum loop from the keyboard alone: rank an item, plan and start a sprint, move a card
across the board, add a retrospective card, close the sprint. Only key presses (Tab, Enter,
Space, arrows, typing): no clicks, no element.click(). The DOM is read only to know when to stop
pressing Tab. After each action the outcome is in the database, the focus is somewhere that
makes sense (never dropped to <body>), and pages with a live region announce what happened."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backlog import selectors
from sprints.models import RetroCard, Sprint, SprintItem
from tests.conftest import make_item
from tests.sprints.conftest import make_sprint, plan, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}


def tab_to(page, target, *, limit: int = 120) -> int:
    """Press Tab until `target` has the focus; the presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{limit} Tabs never reached {target}")


def press_and_load(page, key: str = "Enter") -> None:
    """A key press that submits a plain form or follows a link: wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def open_page(signed_in, user, path: str):
    page, watch = signed_in(user)
    page.set_viewport_size(DESKTOP)
    page.goto(path)
    return page, watch


def assert_clean(watch) -> None:
    assert (watch.csp_violations, watch.page_errors, watch.dialogs) == ([], [], [])


def test_a_product_owner_ranks_items_from_the_keyboard(signed_in, product, po):
    for title in ("Guest checkout", "Saved baskets", "Delivery dates", "Gift wrap"):
        make_item(product, title=title)
    page, watch = open_page(signed_in, po, f"/p/{product.key}/")

    up = page.get_by_role("button", name="Move SHOP-3 up")
    tab_to(page, up)
    page.keyboard.press("Enter")
    expect(page.locator("#move-status")).to_contain_text("SHOP-3 moved to position 2 of 4.")
    expect(page.get_by_role("button", name="Move SHOP-3 up")).to_be_focused()  # the same control, re-rendered

    position = page.get_by_label("New position for SHOP-4")
    tab_to(page, position)
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(page.locator("#move-status")).to_contain_text("SHOP-4 moved to position 1 of 4.")
    expect(page.get_by_label("New position for SHOP-4")).to_be_focused()

    assert list(selectors.backlog_items(product).values_list("key", flat=True)) == [
        "SHOP-4",
        "SHOP-1",
        "SHOP-3",
        "SHOP-2",
    ]
    assert_clean(watch)


def test_a_product_owner_plans_and_starts_a_sprint_from_the_keyboard(signed_in, product, po):
    for title, points in (("Guest checkout", 3), ("Saved baskets", 5), ("Gift wrap", 2)):
        make_item(product, title=title, status="ready", estimate=points)
    page, watch = open_page(signed_in, po, f"/p/{product.key}/sprints/")

    tab_to(page, page.get_by_label("Sprint goal"))
    page.keyboard.type("Let guests buy without an account")
    tab_to(page, page.get_by_role("button", name="Plan the sprint"))
    press_and_load(page)
    sprint = Sprint.objects.get(product=product)
    assert (sprint.status, sprint.goal) == (Sprint.Status.PLANNED, "Let guests buy without an account")
    expect(page.locator(".messages")).to_contain_text("Sprint 1 planned.")
    expect(page.locator(".messages-region")).to_be_focused()  # what happened, then on into the page

    for key in ("SHOP-1", "SHOP-2"):
        tab_to(page, page.get_by_role("button", name=f"Add {key} to the sprint"))
        press_and_load(page)
        expect(page.locator(".messages")).to_contain_text(f"{key} planned into Sprint 1.")
        expect(page.locator(f"#card-{key}")).to_be_focused()  # its row in the sprint, scrolled to
    assert sorted(sprint.sprint_items.values_list("item__key", flat=True)) == ["SHOP-1", "SHOP-2"]

    tab_to(page, page.get_by_role("button", name="Start Sprint 1"))
    press_and_load(page)
    sprint.refresh_from_db()
    assert sprint.status == Sprint.Status.ACTIVE
    expect(page.locator("#board-status")).to_contain_text("Sprint 1 started.")  # the board's live region
    expect(page.locator("#board-status")).to_be_focused()
    assert_clean(watch)


@pytest.fixture
def running(product, po):
    """An active sprint of two ready items, both still to do."""
    items = [make_item(product, title=t, status="ready", estimate=3) for t in ("Guest checkout", "Saved baskets")]
    sprint = make_sprint(product, po, goal="Let guests buy without an account")
    plan(sprint, items, po)
    return start(sprint, po)


def test_a_card_crosses_the_board_from_the_keyboard(signed_in, po, running):
    page, watch = open_page(signed_in, po, f"/sprints/{running.pk}/")

    tab_to(page, page.get_by_role("button", name="Move SHOP-1 to In progress"))
    page.keyboard.press("Enter")
    expect(page.locator("#board-status")).to_contain_text("SHOP-1 moved to In progress.")
    # Still on the moved card, on the button that carries it on.
    expect(page.get_by_role("button", name="Move SHOP-1 to Done")).to_be_focused()
    assert SprintItem.objects.get(sprint=running, item__key="SHOP-1").column == SprintItem.Column.IN_PROGRESS

    page.keyboard.press("Space")
    expect(page.locator("#board-status")).to_contain_text("SHOP-1 moved to Done.")
    expect(page.locator("#card-SHOP-1 [data-control]").first).to_be_focused()
    assert SprintItem.objects.get(sprint=running, item__key="SHOP-1").column == SprintItem.Column.DONE
    expect(page.locator('.board-column[data-column="done"] #card-SHOP-1')).to_be_visible()
    assert_clean(watch)


def test_a_team_member_adds_a_retrospective_card_from_the_keyboard(signed_in, po, running):
    page, watch = open_page(signed_in, po, f"/sprints/{running.pk}/retro/")

    tab_to(page, page.get_by_label("Column"))
    page.keyboard.press("ArrowDown")  # a closed select steps to the next option: "To improve"
    tab_to(page, page.get_by_label("Card", exact=True), limit=3)
    page.keyboard.type("CI takes 25 minutes")
    tab_to(page, page.get_by_role("button", name="Add card"), limit=3)
    press_and_load(page)

    card = RetroCard.objects.get(sprint=running)
    assert (card.column, card.body) == (RetroCard.Column.TO_IMPROVE, "CI takes 25 minutes")
    expect(page.locator(".messages")).to_contain_text("Card added to “To improve”.")
    expect(page.locator(f"#card-{card.pk}")).to_be_focused()  # the new card, which the page scrolled to
    assert_clean(watch)


def test_a_product_owner_closes_a_sprint_from_the_keyboard(signed_in, po, running):
    page, watch = open_page(signed_in, po, f"/sprints/{running.pk}/")

    tab_to(page, page.get_by_role("link", name="Close the sprint"))
    press_and_load(page)
    tab_to(page, page.get_by_label("Met", exact=True))  # into the radio group, on its first choice
    page.keyboard.press("ArrowDown")  # arrows choose within the group
    expect(page.get_by_label("Partly met")).to_be_checked()
    tab_to(page, page.get_by_label("Note on the goal"), limit=3)
    page.keyboard.type("Guests can buy; saved baskets slipped.")
    tab_to(page, page.get_by_role("button", name="Close Sprint 1"))
    press_and_load(page)

    running.refresh_from_db()
    assert (running.status, running.goal_outcome) == (Sprint.Status.CLOSED, Sprint.GoalOutcome.PARTLY)
    assert running.goal_note == "Guests can buy; saved baskets slipped."
    expect(page.locator(".messages")).to_contain_text("Sprint 1 closed.")
    expect(page.locator(".messages-region")).to_be_focused()
    assert_clean(watch)
