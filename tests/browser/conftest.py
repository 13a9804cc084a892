"""Playwright (sync API) against system Chromium and pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls
from a thread with a running loop unless told that it is safe here (it is: one thread, no
concurrency between the two)."""

import os
import shutil

import pytest
from django.test import Client

from tests.conftest import need

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module; each test gets its own context (cookies, pages)."""
    path = os.environ.get("ORDO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    need(os.path.exists(path), "needs Chromium: apt-get install chromium (or set ORDO_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """What a page did that it should not have: dialogs, CSP violations, script errors."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _on_console(self, message):
        if message.type in ("error", "warning"):
            self.console_errors.append(message.text)

    @property
    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]


@pytest.fixture
def signed_in(browser, live_server, transactional_db):
    """Open a page signed in as a user: `page, watch = signed_in(user)`."""
    contexts = []

    def open_as(user):
        client = Client()
        client.force_login(user)
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page)

    yield open_as
    for context in contexts:
        context.close()
