"""Sprint helpers and fixtures. Other test packages may import the helpers (and re-export the
fixtures with `from tests.sprints.conftest import *`)."""

import datetime

import pytest
from django.utils import timezone

from backlog.models import Item, Membership, Role
from sprints import services
from sprints.models import Sprint, SprintItem
from tests.conftest import make_item

SPRINT_DAYS = 14


def owner_of(product):
    return Membership.objects.filter(product=product, role=Role.PRODUCT_OWNER).first().user


def today() -> datetime.date:
    return timezone.now().date()


def make_sprint(product, by=None, *, start_date=None, end_date=None, goal="Ship the one-page checkout", **kw) -> Sprint:
    """A planned sprint through the service: two weeks from today unless told otherwise."""
    by = by or owner_of(product)
    start_date = start_date or today()
    end_date = end_date or start_date + datetime.timedelta(days=SPRINT_DAYS - 1)
    return services.create_sprint(product=product, by=by, start_date=start_date, end_date=end_date, goal=goal, **kw)


def make_ready_item(product, estimate: int | None = 3, **fields) -> Item:
    """A ready, estimated item, as planning wants them."""
    return make_item(product, status="ready", estimate=estimate, **fields)


def plan(sprint, items, by=None) -> list[SprintItem]:
    by = by or owner_of(sprint.product)
    return [services.add_to_sprint(sprint=sprint, item=item, by=by) for item in items]


def start(sprint, by=None) -> Sprint:
    return services.start_sprint(sprint=sprint, by=by or owner_of(sprint.product))


def move(sprint, item, column, by=None) -> SprintItem:
    return services.set_column(sprint=sprint, item=item, by=by or owner_of(sprint.product), column=column)


def close(sprint, by=None, goal_outcome="met", **kw) -> Sprint:
    return services.close_sprint(sprint=sprint, by=by or owner_of(sprint.product), goal_outcome=goal_outcome, **kw)


def run_sprint(product, estimates, done_count, *, by=None, **kw) -> Sprint:
    """A sprint planned with items of these estimates, started, the first `done_count` of them
    done, and closed (unfinished ones back to the top)."""
    sprint = make_sprint(product, by, **kw)
    items = [make_ready_item(product, estimate) for estimate in estimates]
    plan(sprint, items, by)
    start(sprint, by)
    for item in items[:done_count]:
        move(sprint, item, SprintItem.Column.DONE, by)
    return close(sprint, by)


@pytest.fixture
def sprint(product, po):
    """A planned sprint with a goal and no items."""
    return make_sprint(product, po)


@pytest.fixture
def ready_items(product, po):
    """Three ready items of 3, 5 and 8 points, in backlog order."""
    return [make_ready_item(product, estimate) for estimate in (3, 5, 8)]


@pytest.fixture
def active_sprint(product, po, ready_items):
    """An active sprint holding the three ready items (16 points committed)."""
    sprint = make_sprint(product, po)
    plan(sprint, ready_items, po)
    return start(sprint, po)


@pytest.fixture
def closed_sprints(product, po):
    """Three closed sprints that completed 18, 23 and 20 points (of 21, 26 and 20 committed)."""
    start_date = today() - datetime.timedelta(days=3 * SPRINT_DAYS)
    sprints = []
    for n, (estimates, done) in enumerate((([8, 5, 5, 3], 3), ([13, 5, 5, 3], 3), ([8, 5, 5, 2], 4))):
        begin = start_date + datetime.timedelta(days=n * SPRINT_DAYS)
        sprints.append(run_sprint(product, estimates, done, by=po, start_date=begin))
    return sprints
