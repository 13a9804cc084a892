"""Where the focus goes after a plain form's redirect (the keyboard walk-through covers planning,
starting, the retro card and closing): on the element the URL's fragment names, which is what
the form added or changed, or else on the message saying what happened. Never on <body>, which
would send a keyboard or screen-reader user back to the top of the page."""

from __future__ import annotations

import pytest

from backlog import services as backlog_services
from sprints import services
from sprints.models import SprintItem
from tests.conftest import make_item
from tests.sprints.conftest import make_sprint, move, plan, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the focus is after a page load: the fragment's element when there is one, else a
# message region; what the page shows otherwise, for the assertion message.
FOCUS = """() => {
    const el = document.activeElement, id = decodeURIComponent(location.hash.slice(1));
    if (id ? el && el.id === id : el && el.matches(".messages-region, [role=status]")) return "as it should";
    return `${location.pathname}${location.hash}: ${el === document.body ? "BODY" : el.tagName + "#" + el.id}`;
}"""


@pytest.fixture
def sprint_with_everything(product, po, developer):
    """An active sprint with a done item carrying a hypothesis, a card, and a planned next sprint
    holding one item; the developer subscribed to nothing yet."""
    bet = make_item(product, title="One-tap reorder", status="ready", estimate=3)
    backlog_services.update_item(item=bet, by=po, changes={"hypothesis": "We believe reorders double."})
    other = make_item(product, title="Gift wrap", status="ready", estimate=2)
    sprint = make_sprint(product, po)
    plan(sprint, [bet], po)
    start(sprint, po)
    move(sprint, bet, SprintItem.Column.DONE, po)
    card = services.add_retro_card(sprint=sprint, by=developer, column="ideas", body="Pair more")
    following = make_sprint(product, po, goal="Gift options")
    plan(following, [other], po)
    return sprint, bet, card, following, other


def _actions(product, sprint, bet, card, following, other):
    """(what, the page, the form's CSS selector, {field label: value}) for each form."""
    return [
        ("a refinement note", f"/items/{bet.key}/", "form.note-form", {"Add a refinement note": "Ask support."}),
        ("review notes", f"/sprints/{sprint.pk}/review/", "#notes form", {"Summary notes": "Shown to support."}),
        ("feedback", f"/sprints/{sprint.pk}/review/", "#feedback form.stack-form", {"Your feedback": "Lovely."}),
        ("a hypothesis outcome", f"/sprints/{sprint.pk}/review/", "#hypotheses form", {"Validated": True}),
        ("a vote", f"/sprints/{sprint.pk}/retro/", f"#card-{card.pk} form", {}),
        ("an action item", f"/sprints/{sprint.pk}/retro/", "#action-items form", {"Action item": "Pair on CI"}),
        ("an item out of planning", f"/sprints/{following.pk}/plan/", f"#card-{other.key} form", {}),
        ("a digest setting", "/digests/", f"#digest-{product.key} form.stack-form", {"Weekly": True}),
    ]


def test_after_a_form_the_focus_is_on_what_it_changed_or_on_its_message(signed_in, product, po, sprint_with_everything):
    page, watch = signed_in(po)
    page.set_viewport_size({"width": 1440, "height": 900})
    wrong = []
    for what, path, selector, values in _actions(product, *sprint_with_everything):
        page.goto(path)
        form = page.locator(selector)
        for label, value in values.items():
            field = form.get_by_label(label, exact=True)
            field.check() if value is True else field.fill(value)
        form.locator("[type=submit]").last.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if (where := page.evaluate(FOCUS)) != "as it should":
            wrong.append(f"after {what}, {where}")
    assert wrong == []
    assert (watch.csp_violations, watch.page_errors) == ([], [])
