"""axe-core finds nothing serious on the pages where it once did: the discarded badge, the board's
column counts and the retrospective's column headings fell short of 4.5:1 contrast, and the
burndown table scrolled in a box the keyboard could not reach (scrollable-region-focusable)."""

import os

import pytest
from playwright.sync_api import expect

from backlog import services as backlog_services
from sprints import services
from sprints.models import RetroCard, SprintItem
from tests.browser.axe import SERIOUS, describe, violations
from tests.conftest import make_item
from tests.sprints.conftest import make_sprint, move, plan, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ORDO_SCREENSHOTS", "")
ONCE_FLAGGED = {"color-contrast", "scrollable-region-focusable"}
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def sprint_world(product, po, developer):
    """A backlog with a discarded item, and an active sprint of two weeks (a burndown table row
    per day, more than its box shows) with cards in every board and retrospective column."""
    items = [make_item(product, title=f"Story {n}", status="ready", estimate=n) for n in (1, 2, 3, 5)]
    backlog_services.update_item(item=make_item(product, title="Dropped idea"), by=po, changes={"status": "discarded"})
    sprint = make_sprint(product, po)
    plan(sprint, items, po)
    start(sprint, po)
    move(sprint, items[1], SprintItem.Column.IN_PROGRESS, po)
    move(sprint, items[2], SprintItem.Column.DONE, po)
    for column, label in RetroCard.Column.choices:
        card = services.add_retro_card(sprint=sprint, by=developer, column=column, body=f"A card under {label}")
        services.vote(card=card, by=developer)
    services.add_action_item(sprint=sprint, by=po, title="Pair on the release", owner=developer)
    return sprint


def _pages(product, sprint) -> dict[str, tuple[str, str]]:
    """{name: (url, a selector of what axe once flagged there)}."""
    return {
        "discarded items": (f"/p/{product.key}/?status=discarded", ".status-discarded"),
        "board": (f"/sprints/{sprint.pk}/", ".board-column-heading .muted"),
        "retrospective": (f"/sprints/{sprint.pk}/retro/", ".retro-column h3 .muted"),
        "burndown": (f"/sprints/{sprint.pk}/burndown/", ".chart-table-wrap"),
    }


def _shoot(page, name: str, viewport: str) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name.replace(' ', '-')}-{viewport}.png"), full_page=True)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_pages_once_flagged_have_no_serious_axe_violation(signed_in, product, po, sprint_world, viewport):
    page, watch = signed_in(po)
    page.set_viewport_size(VIEWPORTS[viewport])
    found, flagged_before = {}, {}
    for name, (url, carries) in _pages(product, sprint_world).items():
        page.goto(url)
        expect(page.locator(carries).first).to_be_visible()  # the element axe once flagged is there
        every = violations(page)
        found[name] = [describe(v) for v in every if v["impact"] in SERIOUS]
        flagged_before[name] = [describe(v) for v in every if v["id"] in ONCE_FLAGGED]
        _shoot(page, name, viewport)
    assert found == {name: [] for name in found}
    assert flagged_before == {name: [] for name in found}  # not even a minor one
    assert watch.csp_violations == []


def test_the_burndown_table_scrolls_from_the_keyboard(signed_in, product, po, sprint_world):
    page, _ = signed_in(po)
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(f"/sprints/{sprint_world.pk}/burndown/")
    region = page.get_by_role("region", name=f"Burndown of Sprint {sprint_world.number}, day by day")
    assert region.evaluate("box => box.scrollHeight > box.clientHeight"), "the table should scroll in its box"
    for _ in range(60):  # Tab through the page until the table's box has the focus
        page.keyboard.press("Tab")
        if region.evaluate("box => box === document.activeElement"):
            break
    expect(region).to_be_focused()
    assert region.evaluate("box => getComputedStyle(box).outlineStyle") != "none"  # focus shows
    page.keyboard.press("PageDown")
    page.wait_for_function("box => box.scrollTop > 0", arg=region.element_handle())
    _shoot(page, "burndown focused", "desktop")
