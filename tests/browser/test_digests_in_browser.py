"""Digests in Chromium: a stakeholder changes their digest by keyboard alone, previews it (a
hostile item title stays text), sends themselves a preview, and unsubscribes from the emailed
link without being signed in; all under the site's CSP, without dialogs."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from digests.models import DigestSubscription, Frequency
from tests.conftest import make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def assert_clean(watch) -> None:
    assert watch.csp_violations == []
    assert watch.page_errors == []
    assert watch.dialogs == []


def test_a_stakeholder_sets_previews_and_leaves_their_digest(signed_in, browser, live_server, product, stakeholder):
    make_item(product, title=f"Checkout {HOSTILE}", estimate=3)
    page, watch = signed_in(stakeholder)
    page.goto("/")
    page.get_by_role("link", name="Digests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your digests")
    section = page.locator("#digest-SHOP")
    expect(section).to_contain_text("Weekly")
    expect(section).to_contain_text("default for your role")

    # By keyboard only: pick "After each sprint closes", then Tab to the save button and press Enter.
    after_sprint = section.get_by_label("After each sprint closes")
    after_sprint.focus()
    page.keyboard.press("Space")
    expect(after_sprint).to_be_checked()
    save = section.get_by_role("button", name="Save SHOP digest settings")
    for _ in range(10):
        if save.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("digest settings for Online shop are saved")
    row = DigestSubscription.objects.get(user=stakeholder, product=product)
    assert row.frequency == Frequency.SPRINT

    # The preview is the email itself: the hostile title is text, nothing runs.
    page.locator("#digest-SHOP").get_by_role("link", name="Preview your next digest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Online shop")
    expect(page.get_by_text(re.compile(r"Checkout <img src=x"))).to_be_visible()
    assert page.locator("img").count() == 0
    page.go_back()

    page.locator("#digest-SHOP").get_by_role("button", name="Send me a preview now").click()
    expect(page.locator(".messages")).to_contain_text("on its way to stakeholder@example.com")
    assert [message.to for message in mail.outbox] == [["stakeholder@example.com"]]
    unsubscribe = re.search(r"Unsubscribe: (\S+)", mail.outbox[0].body).group(1)
    assert_clean(watch)

    # From the emailed link, in a browser that is not signed in: one button, no login.
    context = browser.new_context()
    stranger = context.new_page()
    stranger.goto(unsubscribe.replace("http://127.0.0.1:8000", live_server.url))
    stranger.get_by_role("button", name="Unsubscribe").click()
    expect(stranger.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    context.close()
    row.refresh_from_db()
    assert row.frequency == Frequency.OFF
