"""axe-core on every page of the site, in each of its states (tests/suites/a11y/pages.py), as a
product owner, as a stakeholder and signed out, at 1440×900 and at 390×844: nothing serious or
critical. One browser context per persona, under the site's strict CSP (nothing bypasses it:
axe is injected over the DevTools protocol); the pages must not break it either.

ORDO_SCREENSHOTS=<dir> saves a full-page screenshot of every visit, to look at; ORDO_A11Y_ONLY=<text>
visits only the states whose label holds the text (while fixing a page: not for CI)."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from tests.browser.axe import SERIOUS, describe
from tests.suites.a11y.pages import PAGES, personas_of, visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = os.environ.get("ORDO_SCREENSHOTS", "")
ONLY = os.environ.get("ORDO_A11Y_ONLY", "")

# The forms a page shows for typing into (a failed submit has a state to check), by the path
# they post to (the attribute: `form.action` is the field of that name where a form has one).
TYPED_FORMS = """() => [...document.querySelectorAll("form")]
    .filter(form => form.method === "post")
    .filter(form => [...form.elements].some(field => !field.disabled && (field.tagName === "TEXTAREA"
        || (field.tagName === "INPUT" && !["hidden", "checkbox", "radio", "submit", "button"].includes(field.type)))))
    .map(form => new URL(form.getAttribute("action") || "", location.href).pathname)"""


# axe-core as an init script of each persona's context: every page has it from the start, once,
# instead of 550 kB sent over the DevTools protocol before each run (tests/browser/axe.py's way).
# It is injected over that protocol all the same, outside the reach of the page's CSP.
AXE_SCRIPT = Axe().axe_script


def serious_violations(page) -> list[str]:
    """The page's serious and critical axe violations, described."""
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [describe(v) for v in found if v["impact"] in SERIOUS]


def _url_name(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return f"unresolved {path}"
    return match.view_name


def _shoot(page, viewport: str, persona: str, label: str) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        name = "".join(c if c.isalnum() else "-" for c in f"{viewport}-{persona}-{label}")
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


class Visitor:
    """One persona's browser context, and the page it has open."""

    def __init__(self, opened, viewport: str):
        self.page, self.watch = opened
        self.page.set_viewport_size(VIEWPORTS[viewport])
        self.page.context.add_init_script(script=AXE_SCRIPT)
        self.showing = None  # the path whose GET is on screen, untouched

    def bring_about(self, demo, persona: str, name: str, spec) -> int | None:
        """Open the page and bring it into the state the table describes; the status it was
        answered with (None for a state brought about by a submit)."""
        page, status = self.page, None
        path = spec.path(demo) if spec.path else None
        if spec.visit:
            response = spec.visit(page, demo)
            status = response.status if response is not None else None
        elif not (spec.then and path == self.showing):  # a failed submit starts from the page as it is
            status = page.goto(path).status
        self.showing = path if not (spec.visit or spec.then) else None
        if spec.then:
            spec.then(page, demo)
        if spec.shows and persona == personas_of(name, spec)[0]:  # the first one sees the most
            expect(page.locator(spec.shows).first).to_be_visible()
        return status


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_no_page_has_a_serious_or_critical_axe_violation(demo, signed_in, anonymous, viewport):
    visitors = {
        "product_owner": Visitor(signed_in(demo.users["product_owner"]), viewport),
        "stakeholder": Visitor(signed_in(demo.users["stakeholder"]), viewport),
        "anonymous": Visitor(anonymous(), viewport),
    }
    found, wrong_status, typed_forms = {}, {}, set()
    for persona, name, spec in visits(phone=viewport == "phone"):
        if ONLY not in spec.label:
            continue
        visitor, label = visitors[persona], f"{persona}: {spec.label}"
        try:
            status = visitor.bring_about(demo, persona, name, spec)
        except Exception as error:
            raise AssertionError(f"{label}: {error}") from error
        if status not in (None, spec.status):
            wrong_status[label] = status
        found[label] = serious_violations(visitor.page)
        typed_forms |= {_url_name(path) for path in visitor.page.evaluate(TYPED_FORMS)}
        _shoot(visitor.page, viewport, persona, spec.label)

    report = "\n".join(f"{label}:\n  " + "\n  ".join(problems) for label, problems in found.items() if problems)
    assert not report, report
    assert wrong_status == {}
    if viewport == "desktop" and not ONLY:  # where every state is visited
        failed_states = {page.fails for pages in PAGES.values() for page in pages if page.fails}
        assert typed_forms - failed_states == set(), "forms to type into with no failed state in the page table"
    for persona, visitor in visitors.items():
        watch = visitor.watch
        assert (persona, watch.csp_violations, watch.page_errors, watch.dialogs) == (persona, [], [], [])
