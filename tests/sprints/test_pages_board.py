"""The sprint board in HTML: moves between columns with and without htmx, adding and removing
items (added and removed scope), who sees which controls, and constant query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sprints.models import SprintEvent, SprintItem

from .conftest import make_ready_item, make_sprint, move, plan, start

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
DONE, DOING, TODO = SprintItem.Column.DONE, SprintItem.Column.IN_PROGRESS, SprintItem.Column.TODO


def detail(client, user, sprint):
    client.force_login(user)
    return client.get(reverse("sprints:sprint-detail", args=[sprint.pk]))


def column_of(html: str, key: str) -> str:
    """The column a card is in, read from the rendered board."""
    for column, body in re.findall(r'data-column="(\w+)">(.*?)</section>', html, flags=re.S):
        if f'data-key="{key}"' in body:
            return column
    raise AssertionError(f"{key} is not on the board")


def set_column(client, user, sprint, item, column, *, htmx=False):
    client.force_login(user)
    url = reverse("sprints:sprint-column", args=[sprint.pk, item.key])
    return client.post(url, {"column": column}, **(HTMX if htmx else {}))


def test_the_board_leads_with_the_goal_then_days_left_and_points(client, po, active_sprint):
    html = detail(client, po, active_sprint).content.decode()
    goal = html.index("Ship the one-page checkout")
    assert goal < html.index("Days left") < html.index('id="sprint-board"')
    assert re.search(r"<dt>Done</dt><dd>0 <span class=\"unit\">of 16 pts committed", html)


def test_each_card_sits_in_its_column(client, po, active_sprint, ready_items):
    a, b, c = ready_items
    move(active_sprint, b, DOING, po)
    move(active_sprint, c, DONE, po)
    html = detail(client, po, active_sprint).content.decode()
    assert [column_of(html, item.key) for item in (a, b, c)] == ["todo", "in_progress", "done"]


def test_a_move_without_javascript_redirects_to_the_card_with_a_message(client, developer, active_sprint, ready_items):
    item = ready_items[0]
    response = set_column(client, developer, active_sprint, item, DOING)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/sprints/{active_sprint.pk}/#card-{item.key}")
    html = client.get(response["Location"]).content.decode()
    assert f"{item.key} moved to In progress." in html
    assert column_of(html, item.key) == "in_progress"


def test_an_htmx_move_returns_the_board_and_the_announcement(client, po, active_sprint, ready_items):
    item = ready_items[1]
    response = set_column(client, po, active_sprint, item, DONE, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="board-status" hx-swap-oob="innerHTML">' in html
    assert f"{item.key} moved to Done." in html
    assert column_of(html, item.key) == "done"
    assert "<html" not in html
    # The numbers above the board follow the move too.
    assert re.search(r"<dt>Done</dt><dd>5 ", html)


def test_a_refused_move_is_announced_as_an_error(client, po, active_sprint, product):
    outside = make_ready_item(product, 2)
    response = set_column(client, po, active_sprint, outside, DONE, htmx=True)
    html = response.content.decode()
    assert "announcement is-error" in html
    assert f"{outside.key} was not moved: {outside.key} is not in" in html


def test_a_stakeholder_sees_the_board_without_controls(client, stakeholder, active_sprint):
    html = detail(client, stakeholder, active_sprint).content.decode()
    assert 'id="sprint-board"' in html
    assert "data-card-move" not in html and "drag-handle" not in html
    assert 'aria-label="Remove' not in html


def test_a_stakeholder_may_not_move_a_card(client, stakeholder, active_sprint, ready_items):
    assert set_column(client, stakeholder, active_sprint, ready_items[0], DONE).status_code == 403


def test_a_developer_moves_cards_but_does_not_add_or_remove(client, developer, active_sprint):
    html = detail(client, developer, active_sprint).content.decode()
    assert "data-card-move" in html
    assert "Add an item to the sprint" not in html
    assert 'aria-label="Remove' not in html


def test_adding_to_an_active_sprint_is_recorded_as_added_scope(client, po, product, active_sprint):
    extra = make_ready_item(product, 2)
    client.force_login(po)
    response = client.post(reverse("sprints:sprint-add", args=[active_sprint.pk]), {"ready": extra.key})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert f"{extra.key} added to Sprint {active_sprint.number} (recorded as added scope)." in html
    assert SprintEvent.objects.filter(sprint=active_sprint, item=extra, kind=SprintEvent.Kind.ADDED).exists()
    assert re.search(rf'id="card-{extra.key}".*?scope-added', html, flags=re.S)


def test_adding_an_unknown_key_says_so_and_changes_nothing(client, po, active_sprint):
    client.force_login(po)
    response = client.post(reverse("sprints:sprint-add", args=[active_sprint.pk]), {"key": "SHOP-999"}, follow=True)
    assert "There is no item SHOP-999 in SHOP." in response.content.decode()
    assert active_sprint.sprint_items.count() == 3


def test_adding_with_no_key_asks_for_one(client, po, active_sprint):
    client.force_login(po)
    response = client.post(reverse("sprints:sprint-add", args=[active_sprint.pk]), {}, follow=True)
    assert "Type an item&#x27;s key or choose a ready item." in response.content.decode()


def test_removing_from_an_active_sprint_is_recorded_as_removed_scope(client, po, active_sprint, ready_items):
    item = ready_items[2]
    client.force_login(po)
    response = client.post(reverse("sprints:sprint-remove", args=[active_sprint.pk, item.key]), follow=True)
    html = response.content.decode()
    assert f"{item.key} removed from Sprint {active_sprint.number} (recorded as removed scope)." in html
    assert f'data-key="{item.key}"' not in html
    assert re.search(r"<dt>Removed</dt><dd>8 ", html)


def test_a_planned_sprint_links_to_its_planning_page(client, po, sprint):
    html = detail(client, po, sprint).content.decode()
    assert reverse("sprints:sprint-planning", args=[sprint.pk]) in html
    assert 'id="sprint-board"' not in html


def _board_queries(client, user, product, count) -> int:
    sprint = make_sprint(product, user)
    items = [make_ready_item(product, 3, labels=["checkout"]) for _ in range(count)]
    make_ready_item(product, 2, labels=["later"])  # a candidate to add, in both cases
    plan(sprint, items, user)
    start(sprint, user)
    for item in items[: count // 3]:
        move(sprint, item, DOING, user)
    for item in items[count // 3 : count // 2]:
        move(sprint, item, DONE, user)
    client.force_login(user)
    url = reverse("sprints:sprint-detail", args=[sprint.pk])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_board_page_runs_the_same_queries_for_5_and_50_items(client, po, product):
    small = _board_queries(client, po, product, 5)
    from sprints import services

    active = product.sprints.get(status="active")
    services.close_sprint(sprint=active, by=po, goal_outcome="met")
    assert _board_queries(client, po, product, 50) == small


def test_an_htmx_move_runs_the_same_queries_for_5_and_50_items(client, po, product):
    counts = []
    for count in (5, 50):
        sprint = make_sprint(product, po)
        items = [make_ready_item(product, 3) for _ in range(count)]
        plan(sprint, items, po)
        start(sprint, po)
        client.force_login(po)
        with CaptureQueriesContext(connection) as queries:
            set_column(client, po, sprint, items[0], DOING, htmx=True)
        counts.append(len(queries))
        from sprints import services

        services.close_sprint(sprint=sprint, by=po, goal_outcome="met")
    assert counts[0] == counts[1]
