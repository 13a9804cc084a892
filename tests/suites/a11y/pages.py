"""Every HTML page of the site, in each state worth checking, as the accessibility suite visits it.

`PAGES` has an entry for every URL name of the URL configuration that answers a GET with a page
(tests/suites/a11y/test_page_table.py fails for a new one without an entry); who visits a page
is what the permission matrix says may read it, so a page a stakeholder may not read is not
visited as one (they get the 403 or 404 page, visited once in `ERROR_PAGES`). A state that
needs a failed submit names the form it submits (`fails`): every form a visited page shows for
typing into must have a failed state here (test_axe_on_every_page.py checks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import expect

from config.errors import database_unavailable_response
from tests.test_permission_matrix import MATRIX, PERSONAS

# What a page shows when a submit failed: a field's error, the form's errors, a refused move or
# a message saying why.
ERRORS = ".field-error, .form-errors, .errorlist, [role=alert], .announcement.is-error, .message-error"

# URL names that answer no GET with an HTML page, with the reason.
NOT_PAGES = {
    "admin": "Django's own admin, for staff; not Ordo's pages",
    "healthz": "JSON for the load balancer",
    "api-schema": "the OpenAPI document (YAML/JSON)",
    "api-not-found": "the API's JSON 404",
    "api-auth-token": "POST only, JSON",
    "accounts:logout": "POST only: a redirect",
}


@dataclass(frozen=True)
class Page:
    label: str
    path: Callable | None = None  # demo -> the path to open
    personas: tuple[str, ...] | None = None  # None: whoever the permission matrix lets read it
    then: Callable | None = None  # (page, demo) -> None: brings the page into its state
    fails: str | None = None  # the URL name of the form `then` submits with bad values
    shows: str | None = None  # a selector of what proves the state is there (for the first persona)
    visit: Callable | None = None  # (page, demo) -> response, instead of opening `path`
    status: int = 200
    phone: bool = False  # one of the main pages, visited at 390 px as well


def _submit(page, form, values: dict, *, navigates: bool) -> None:
    # The values go in through the DOM, past `required`, `maxlength` and `min`: what must refuse
    # them is the server, and the page it answers with is the state under test.
    script = """(form, values) => {
        form.noValidate = true;
        for (const [name, value] of Object.entries(values)) {
            const field = form.elements.namedItem(name);
            field.removeAttribute("maxlength");
            field.value = value;
        }
        form.requestSubmit(form.querySelector("[type=submit]"));
    }"""
    if navigates:
        with page.expect_navigation():
            form.evaluate(script, values)
    else:
        form.evaluate(script, values)


def fail(action: str, kwargs: Callable | None = None, values: dict | None = None, *, form: str = "", htmx=False):
    """A `then` that submits the form posting to `action` (or the one `form` selects) with
    `values` and waits for the errors it comes back with."""

    def then(page, demo) -> None:
        selector = form or f'form[action="{reverse(action, kwargs=kwargs(demo) if kwargs else None)}"]'
        _submit(page, page.locator(selector).first, values or {}, navigates=not htmx)
        expect(page.locator(ERRORS).first).to_be_visible()

    return then


def failed(label: str, path: Callable, action: str, kwargs=None, values=None, *, personas=("product_owner",), **kw):
    """The page at `path` after its `action` form came back with errors."""
    form_kw = {k: kw.pop(k) for k in ("form", "htmx") if k in kw}
    return Page(label, path, personas, then=fail(action, kwargs, values, **form_kw), fails=action, **kw)


def key(demo):
    return {"key": demo.product.key}


def other_key(demo):
    return {"key": demo.other.key}


def item_key(demo):
    return {"item_key": demo.item.key}


def sprint(which: str):
    return lambda demo: {"sprint_id": getattr(demo, which).pk}


def url(name: str, kwargs: Callable | None = None, query: str = "") -> Callable:
    return lambda demo: reverse(name, kwargs=kwargs(demo) if kwargs else None) + query


def link(name: str) -> Callable:
    return lambda demo: demo.links[name]


def _first_feedback(demo):
    return {"sprint_id": demo.active.pk, "feedback_id": demo.active.feedback.order_by("pk").first().pk}


ANONYMOUS = ("anonymous",)

PAGES: dict[str, list[Page]] = {
    # Products and members
    "backlog:product-list": [Page("your products, an invitation waiting", url("backlog:product-list"), phone=True)],
    "backlog:product-create": [
        Page("new product", url("backlog:product-create")),
        failed(
            "new product, refused", url("backlog:product-create"), "backlog:product-create", None, {"key": "no way!"}
        ),
    ],
    "backlog:product-settings": [
        Page("product settings", url("backlog:product-settings", key)),
        failed(
            "product settings, refused",
            url("backlog:product-settings", key),
            "backlog:product-settings",
            key,
            {"name": ""},
        ),
    ],
    "backlog:members": [
        Page(
            "members, invitations waiting",
            url("backlog:members", key),
            shows="text=550 5.1.1 No such mailbox",
            phone=True,
        ),
        failed(
            "members, invitation refused", url("backlog:members", key), "backlog:members", key, {"email": "not-email"}
        ),
    ],
    # The backlog and items
    "backlog:backlog": [
        # One label's items: every status, from new to discarded (the demo puts discarded ones last).
        Page(
            "backlog, every status",
            url("backlog:backlog", key, "?label=catalog"),
            shows=".status-discarded",
            phone=True,
        ),
        failed(
            "backlog, a refused move",
            url("backlog:backlog", key, "?label=catalog"),
            "backlog:item-move",
            values={"position": "0"},
            form="form.move-to",
            htmx=True,
        ),
    ],
    "backlog:archived": [Page("archived items", url("backlog:archived", key))],
    "backlog:item-create": [
        Page("new item", url("backlog:item-create", key), phone=True),
        failed(
            "new item, refused", url("backlog:item-create", key), "backlog:item-create", key, {"title": ""}, phone=True
        ),
    ],
    "backlog:item-detail": [
        Page("item with notes and history", url("backlog:item-detail", item_key), shows=".note", phone=True),
        failed(
            "item, a refused note", url("backlog:item-detail", item_key), "backlog:item-note", item_key, {"body": ""}
        ),
    ],
    "backlog:item-edit": [
        Page("edit item", url("backlog:item-edit", item_key)),
        failed("edit item, refused", url("backlog:item-edit", item_key), "backlog:item-edit", item_key, {"title": ""}),
    ],
    "backlog:product-goal": [
        Page("product goal and past goals", url("backlog:product-goal", key)),
        failed(  # the form shows while a product has no active goal: the demo's second one
            "product goal, refused",
            url("backlog:product-goal", other_key),
            "backlog:product-goal",
            values={"title": ""},
            form="form.stack-form",
        ),
    ],
    # One's own account
    "accounts:profile": [
        Page("profile", url("accounts:profile")),
        failed("profile, refused", url("accounts:profile"), "accounts:profile", None, {"display_name": "x" * 101}),
    ],
    "accounts:password-change": [
        Page("change password", url("accounts:password-change")),
        failed(
            "change password, refused",
            url("accounts:password-change"),
            "accounts:password-change",
            values={"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
            form="form.stack-form",
        ),
    ],
    "accounts:password-change-done": [Page("password changed", url("accounts:password-change-done"))],
    "accounts:tokens": [
        Page("API tokens", url("accounts:tokens")),
        failed("API tokens, refused", url("accounts:tokens"), "accounts:tokens", None, {"name": "x" * 300}),
    ],
    # Sprints
    "sprints:sprint-list": [
        Page("sprints", url("sprints:sprint-list", key), phone=True),
        failed(
            "sprints, a refused new sprint",
            url("sprints:sprint-list", key),
            "sprints:sprint-create",
            key,
            {"start_date": "2030-01-10", "end_date": "2030-01-01"},
        ),
    ],
    "sprints:velocity": [Page("velocity", url("sprints:velocity", key))],
    "sprints:lessons": [Page("what we learned", url("sprints:lessons", key))],
    "sprints:sprint-detail": [
        Page(
            "the active sprint's board",
            url("sprints:sprint-detail", sprint("active")),
            shows=".board .card",
            phone=True,
        ),
        Page(
            "a closed sprint's outcome",
            url("sprints:sprint-detail", sprint("closed")),
            shows=".goal-outcome",
            phone=True,
        ),
        Page("a planned sprint", url("sprints:sprint-detail", sprint("planned"))),
    ],
    "sprints:sprint-planning": [
        Page("planning", url("sprints:sprint-planning", sprint("planned")), phone=True),
        failed(
            "planning, refused dates",
            url("sprints:sprint-planning", sprint("planned")),
            "sprints:sprint-planning",
            sprint("planned"),
            {"start_date": "2030-01-10", "end_date": "2030-01-01"},
        ),
        failed(
            "planning, an unknown key",
            url("sprints:sprint-planning", sprint("planned")),
            "sprints:sprint-add",
            values={"key": "SHOP-99999"},
            form="form.add-item-form",
        ),
    ],
    "sprints:sprint-close": [
        Page("close the sprint", url("sprints:sprint-close", sprint("active")), phone=True),
        failed(
            "close the sprint, refused",
            url("sprints:sprint-close", sprint("active")),
            "sprints:sprint-close",
            sprint("active"),
            {"goal_note": "No outcome chosen"},
        ),
    ],
    "sprints:sprint-burndown": [
        Page("burndown, active sprint", url("sprints:sprint-burndown", sprint("active"))),
        Page("burndown, closed sprint", url("sprints:sprint-burndown", sprint("closed"))),
    ],
    "sprints:sprint-review": [
        Page(
            "review with feedback", url("sprints:sprint-review", sprint("closed")), shows="#feedback .note", phone=True
        ),
        Page("review of the active sprint", url("sprints:sprint-review", sprint("active"))),
        failed(
            "review, an outcome without a verdict",
            url("sprints:sprint-review", sprint("closed")),
            "sprints:sprint-hypothesis",
            sprint("closed"),
            {"evidence": "Nobody measured it."},
        ),
        failed(
            "review, refused feedback",
            url("sprints:sprint-review", sprint("active")),
            "sprints:sprint-feedback",
            sprint("active"),
            {"body": ""},
            personas=("product_owner", "stakeholder"),
        ),
        failed(
            "review, stale notes",
            url("sprints:sprint-review", sprint("active")),
            "sprints:sprint-review-notes",
            sprint("active"),
            {"review_notes": "Shown twice.", "version": "0"},
        ),
        failed(
            "review, feedback to a refused position",
            url("sprints:sprint-review", sprint("active")),
            "sprints:sprint-feedback-item",
            _first_feedback,
            {"position": "0"},
        ),
    ],
    "sprints:sprint-retro": [
        Page("retrospective with cards, votes and actions", url("sprints:sprint-retro", sprint("closed")), phone=True),
        Page("retrospective of the active sprint", url("sprints:sprint-retro", sprint("active"))),
        failed(
            "retrospective, a refused card",
            url("sprints:sprint-retro", sprint("active")),
            "sprints:sprint-retro-card",
            sprint("active"),
            {"body": ""},
        ),
        failed(
            "retrospective, a refused action item",
            url("sprints:sprint-retro", sprint("active")),
            "sprints:sprint-action",
            sprint("active"),
            {"title": ""},
        ),
    ],
    # Digests
    "digests:preferences": [Page("digest preferences", url("digests:preferences"), phone=True)],
    "digests:preview": [
        Page("digest preview", visit=lambda page, demo: _unsandboxed(page, url("digests:preview", key)(demo)))
    ],
    # Pages outside the permission matrix: signed links, signing in, the API's docs
    "accounts:login": [
        Page("sign in", url("accounts:login"), ANONYMOUS, phone=True),
        failed(
            "sign in, refused",
            url("accounts:login"),
            "accounts:login",
            None,
            {"username": "po@example.com", "password": "wrong"},
            personas=ANONYMOUS,
        ),
    ],
    "accounts:password-reset": [
        Page("password reset", url("accounts:password-reset"), ANONYMOUS),
        failed(
            "password reset, refused",
            url("accounts:password-reset"),
            "accounts:password-reset",
            values={"email": "not-email"},
            form="form.stack-form",
            personas=ANONYMOUS,
        ),
    ],
    "accounts:password-reset-done": [Page("password reset sent", url("accounts:password-reset-done"), ANONYMOUS)],
    "accounts:password-reset-confirm": [
        Page("choose a new password", link("password-reset"), ANONYMOUS),
        failed(
            "choose a new password, refused",
            link("password-reset"),
            "accounts:password-reset-confirm",
            values={"new_password1": "a", "new_password2": "b"},
            form="form.stack-form",
            personas=ANONYMOUS,
        ),
        Page("a used password-reset link", lambda demo: "/accounts/password/reset/MQ/bad-token/", ANONYMOUS),
    ],
    "accounts:password-reset-complete": [
        Page("password reset complete", url("accounts:password-reset-complete"), ANONYMOUS)
    ],
    "backlog:invitation-accept": [
        Page("an invitation, for a newcomer", link("invitation-newcomer"), ANONYMOUS, phone=True),
        Page("an invitation, for an account", link("invitation-known"), ANONYMOUS),
        failed(
            "an invitation, refused passwords",
            link("invitation-newcomer"),
            "backlog:invitation-accept",
            values={"display_name": "Nia", "password1": "a", "password2": "b"},
            form="form.stack-form",
            personas=ANONYMOUS,
        ),
        Page("a broken invitation link", lambda demo: "/invitations/not-a-token/", ANONYMOUS, status=400),
    ],
    "backlog:invitation-decline": [Page("decline an invitation", link("invitation-decline"), ANONYMOUS)],
    "digests:unsubscribe": [
        Page("unsubscribe", link("unsubscribe"), ANONYMOUS),
        Page("a broken unsubscribe link", lambda demo: "/unsubscribe/not-a-token/", ANONYMOUS, status=400),
    ],
    "api-docs": [Page("API docs", url("api-docs"), ("product_owner",), shows=".swagger-ui .info")],
}


def _unsandboxed(page, path: str):
    # The digest preview is the email as it arrives, under a policy with a `sandbox` that allows
    # no script, which stops axe's too. The rest of the policy stays (no script of the page's own
    # could run either way): only the sandbox directive is taken off, for this path.
    def without_sandbox(route):
        response = route.fetch()
        headers = dict(response.headers)
        policy = headers.pop("content-security-policy")
        assert "sandbox" in policy
        kept = "; ".join(part for part in policy.split(";") if not part.strip().startswith("sandbox"))
        route.fulfill(response=response, headers={**headers, "content-security-policy": kept})

    page.route(f"**{path}", without_sandbox)
    try:
        return page.goto(path)
    finally:
        page.unroute(f"**{path}")


def _unavailable(page, demo):
    # A database outage on the live server would take the test's own connection with it: the
    # browser gets exactly the response Ordo answers with (config.errors), served for this path.
    response = database_unavailable_response(RequestFactory().get("/"))
    page.route(
        "**/briefly-unavailable/",
        lambda route: route.fulfill(status=503, body=response.content, headers=dict(response.items())),
    )
    return page.goto("/briefly-unavailable/")


def _csrf_failure(page, demo):
    # A form whose CSRF cookie has gone (it expired, or the browser dropped it).
    page.goto(reverse("accounts:login"))
    page.context.clear_cookies(name="csrftoken")
    page.get_by_label("Email").fill("po@example.com")
    page.get_by_label("Password").fill("wrong")
    with page.expect_navigation() as navigation:
        page.get_by_label("Password").press("Enter")
    expect(page.locator("[role=alert]")).to_contain_text("This form had expired")
    return navigation.value


ERROR_PAGES = [
    Page("not found (404)", lambda demo: "/no-such-page/", ("product_owner",), status=404, phone=True),
    Page("not allowed (403)", url("backlog:product-settings", key), ("stakeholder",), status=403),
    Page("briefly unavailable (503)", personas=ANONYMOUS, visit=_unavailable, status=503),
    Page("form expired (CSRF failure)", personas=ANONYMOUS, visit=_csrf_failure, status=403),
]


def personas_of(name: str, page: Page) -> tuple[str, ...]:
    """Who visits the page: its own list, or everyone of the two personas the matrix lets read it."""
    if page.personas is not None or name == "error":
        return page.personas
    statuses = next(spec[3] for spec in MATRIX[name] if spec[0] == "get")
    return tuple(p for p in ("product_owner", "stakeholder") if statuses[PERSONAS.index(p)] == 200)


def visits(*, phone: bool):
    """(persona, url name, page) for every page state, in table order."""
    for name, pages in [*PAGES.items(), *(("error", [page]) for page in ERROR_PAGES)]:
        for page in pages:
            if phone and not page.phone:
                continue
            for persona in personas_of(name, page):
                yield persona, name, page
