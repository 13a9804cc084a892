"""Every aria-describedby and aria-labelledby on the sprint pages names an element that is there,
whether the page is shown fresh or re-rendered with the errors of a refused form."""

import pytest
from django.urls import reverse

from sprints.models import SprintItem
from tests.aria import assert_aria_references_resolve, dangling_references

from .conftest import make_ready_item, make_sprint, move, plan, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(product, po):
    """An active sprint with one done item that carries a hypothesis (so the review has a form
    to judge it), one in progress and one to do; and a planned sprint after it."""
    items = [
        make_ready_item(product, 3, title="Guest checkout", hypothesis="We believe guests buy more."),
        make_ready_item(product, 5, title="Saved baskets"),
        make_ready_item(product, 8, title="Delivery dates"),
    ]
    sprint = make_sprint(product, po)
    plan(sprint, items, po)
    sprint = start(sprint, po)
    move(sprint, items[0], SprintItem.Column.DONE, po)
    move(sprint, items[1], SprintItem.Column.IN_PROGRESS, po)
    planned = make_sprint(product, po, goal="Gift options")
    return sprint, planned


def page(client, url: str, data: dict | None = None, status: int = 200) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_the_checker_finds_a_reference_to_a_missing_id():
    assert dangling_references('<input aria-describedby="here gone"><p id="here"></p>') == [
        ("aria-describedby", "gone", '<input aria-describedby="here gone">')
    ]


@pytest.mark.parametrize("name", ["sprint-detail", "sprint-close", "sprint-review", "sprint-retro", "sprint-burndown"])
def test_every_aria_reference_on_an_active_sprint_page_resolves(client, po, worked, name):
    sprint, _ = worked
    client.force_login(po)
    assert_aria_references_resolve(page(client, reverse(f"sprints:{name}", args=[sprint.pk])))


def test_every_aria_reference_on_the_planning_page_and_the_sprint_list_resolves(client, po, product, worked):
    _, planned = worked
    client.force_login(po)
    assert_aria_references_resolve(page(client, reverse("sprints:sprint-planning", args=[planned.pk])))
    assert_aria_references_resolve(page(client, reverse("sprints:sprint-list", args=[product.key])))


def test_every_aria_reference_on_the_board_resolves_for_a_developer(client, developer, worked):
    sprint, _ = worked
    client.force_login(developer)
    assert_aria_references_resolve(page(client, reverse("sprints:sprint-detail", args=[sprint.pk])))


def test_every_aria_reference_resolves_on_a_refused_close_form(client, po, worked):
    sprint, _ = worked
    client.force_login(po)
    html = page(client, reverse("sprints:sprint-close", args=[sprint.pk]), {"goal_note": "x" * 20_001}, status=400)
    assert 'aria-invalid="true"' in html
    assert_aria_references_resolve(html)


def test_every_aria_reference_resolves_on_a_refused_planning_form(client, po, worked):
    _, planned = worked
    client.force_login(po)
    data = {"start_date": "2030-01-10", "end_date": "2030-01-01", "goal": "x", "version": planned.version}
    html = page(client, reverse("sprints:sprint-planning", args=[planned.pk]), data, status=400)
    assert "The sprint cannot end before it starts." in html
    assert_aria_references_resolve(html)


def test_every_aria_reference_resolves_on_refused_review_forms(client, po, worked):
    sprint, _ = worked
    client.force_login(po)
    notes = page(
        client,
        reverse("sprints:sprint-review-notes", args=[sprint.pk]),
        {"review_notes": "x" * 20_001, "version": sprint.version},
        status=400,
    )
    assert_aria_references_resolve(notes)
    feedback = page(client, reverse("sprints:sprint-feedback", args=[sprint.pk]), {"body": ""}, status=400)
    assert_aria_references_resolve(feedback)


def test_every_aria_reference_resolves_on_refused_retro_forms(client, po, worked):
    sprint, _ = worked
    client.force_login(po)
    card = page(client, reverse("sprints:sprint-retro-card", args=[sprint.pk]), {"column": "nope", "body": ""}, 400)
    assert_aria_references_resolve(card)
    action = page(client, reverse("sprints:sprint-action", args=[sprint.pk]), {"title": ""}, status=400)
    assert_aria_references_resolve(action)
