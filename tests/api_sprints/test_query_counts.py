"""Sprints API lists run a constant number of queries, whatever the row count (5 vs 50)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backlog.models import Membership
from sprints import services
from sprints.models import Sprint
from tests.api_sprints.conftest import make_ready_item, make_sprint, move, plan, sprint_url, sprints_url, start
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_sprint_list_costs_the_same_for_5_and_50_sprints(as_user, po, product):
    client = as_user(po)
    for _ in range(5):
        make_sprint(product)
    small = count_queries(client, sprints_url())
    for _ in range(45):
        make_sprint(product)
    Sprint.objects.filter(product=product).update(outcome={"committed_points": 1})
    assert count_queries(client, sprints_url()) == small


def test_the_sprint_items_list_costs_the_same_for_5_and_50_items(as_user, po, developer, product):
    client = as_user(po)
    sprint = make_sprint(product)
    plan(sprint, [make_ready_item(product) for _ in range(5)], po)
    start(sprint)
    small = count_queries(client, sprint_url(sprint, "items"))
    items = [make_ready_item(product) for _ in range(45)]
    plan(sprint, items, po)
    services.remove_from_sprint(sprint=sprint, item=items[0], by=po)
    move(sprint, items[1], "done", developer)
    assert count_queries(client, sprint_url(sprint, "items")) == small


def test_the_retro_cards_cost_the_same_for_5_and_50_cards(as_user, po, active_sprint):
    client = as_user(po)
    voters = [po] + [make_user(f"voter{n}@example.com") for n in range(3)]
    for voter in voters[1:]:
        Membership.objects.create(product=active_sprint.product, user=voter, role="developer")

    def add_cards(count, voted):
        """`count` cards in all columns; the first `voted` get a vote from their author."""
        columns = ("went_well", "to_improve", "ideas")
        for n in range(count):
            author = voters[n % 4]
            card = services.add_retro_card(sprint=active_sprint, by=author, column=columns[n % 3], body=f"Card {n}")
            if n < voted:
                services.vote(card=card, by=author)

    add_cards(5, voted=4)
    small = count_queries(client, sprint_url(active_sprint, "cards"))
    add_cards(45, voted=8)
    assert count_queries(client, sprint_url(active_sprint, "cards")) == small


def test_the_feedback_and_action_item_lists_cost_the_same_for_5_and_50(as_user, po, stakeholder, active_sprint):
    client = as_user(po)
    urls = [
        sprint_url(active_sprint, "feedback"),
        sprint_url(active_sprint, "actions"),
        sprint_url(active_sprint, "review"),
    ]

    def add(count):
        for n in range(count):
            services.add_feedback(sprint=active_sprint, by=stakeholder, body=f"Feedback {n}")
            services.add_action_item(sprint=active_sprint, by=po, title=f"Action {n}", owner=po)

    add(5)
    small = [count_queries(client, url) for url in urls]
    add(45)
    assert [count_queries(client, url) for url in urls] == small


def test_a_sprint_costs_a_handful_of_queries(as_user, po, active_sprint, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert as_user(po).get(sprint_url(active_sprint)).status_code == 200
