"""The board, the planning page's reads and the retrospective run a constant number of queries
whatever the number of items and cards."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sprints import selectors, services
from sprints.models import SprintItem

from .conftest import make_ready_item, make_sprint, move, plan, start

pytestmark = pytest.mark.django_db


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = call()
        # Touch what a page renders: items, labels, authors.
        repr(result)
    return len(captured.captured_queries)


def grow(product, po, active, planned, size: int, *, votes: bool = True) -> None:
    """Give the active sprint `size` items spread over the columns (some removed), the planned
    sprint `size` items, the backlog `size` ready candidates, and the retro `size` voted cards."""
    for n in range(size):
        item = make_ready_item(product, 3, labels=["checkout", f"l{n % 3}"])
        plan(active, [item], po)
        if n % 3 == 1:
            move(active, item, SprintItem.Column.DONE, po)
        elif n % 5 == 2:
            services.remove_from_sprint(sprint=active, item=item, by=po)
        plan(planned, [make_ready_item(product, 2, labels=["search"])], po)
        make_ready_item(product, 5, labels=["mobile"])
        card = services.add_retro_card(sprint=active, by=po, column=["went_well", "ideas"][n % 2], body=f"Card {n}")
        if votes and n < 3:
            services.vote(card=card, by=po)


@pytest.fixture
def sprints(product, po):
    active = start(make_sprint(product, po), po)
    planned = make_sprint(product, po)
    return active, planned


def counts(active, planned, po):
    return (
        queries(
            lambda: [
                (si.item.key, [label.name for label in si.item.labels.all()])
                for c in selectors.board(active)
                for si in c.sprint_items
            ]
        ),
        queries(lambda: selectors.planning_candidates(planned.product, planned)),
        queries(lambda: [(c.author, c.vote_count) for col in selectors.retro(active, po).columns for c in col.cards]),
        queries(lambda: (selectors.review(active), selectors.burndown(active), selectors.sprint_summary(active))),
    )


def test_the_reads_cost_the_same_for_5_and_for_50_items(sprints, product, po):
    active, planned = sprints
    grow(product, po, active, planned, 5)
    small = counts(active, planned, po)
    grow(product, po, active, planned, 45, votes=False)
    assert counts(active, planned, po) == small


def test_planning_lists_ready_items_not_in_an_open_sprint_with_running_sums(closed_sprints, product, po):
    planned = make_sprint(product, po)
    other = make_sprint(product, po)
    taken = make_ready_item(product, 8)
    plan(other, [taken], po)
    inside = make_ready_item(product, 13)
    plan(planned, [inside], po)
    free = [make_ready_item(product, points) for points in (5, 3)]
    page = selectors.planning_candidates(product, planned)
    assert [(row.item, row.running_points) for row in page.sprint_items] == [(inside, 13)]
    # The unfinished items the closed sprints sent back to the top (3 points each) come first.
    assert [(row.item.estimate, row.running_points) for row in page.candidates] == [(3, 16), (3, 19), (5, 24), (3, 27)]
    assert [row.item for row in page.candidates][-2:] == free
    assert page.capacity == (18, 23) and not page.over_capacity
    assert [row.over_capacity for row in page.candidates] == [False, False, True, True]
    plan(planned, free, po)
    assert selectors.planning_candidates(product, planned).planned_points == 21
    plan(planned, [make_ready_item(product, 5)], po)
    assert selectors.planning_candidates(product, planned).over_capacity
