"""Item edits outside the board while the item is in a sprint: a re-estimate mid-sprint is scope
added or removed, done-ness belongs to the board, and the numbers stay whole to the close."""

import pytest

from backlog import services as backlog_services
from backlog.models import Item
from config.errors import InvalidInput
from sprints import selectors, services
from sprints.models import SprintEvent, SprintItem

from .conftest import close, make_ready_item, make_sprint, move, plan

pytestmark = pytest.mark.django_db

DONE, TODO = SprintItem.Column.DONE, SprintItem.Column.TODO


def edit(item, by, **changes):
    return backlog_services.update_item(item=Item.objects.get(pk=item.pk), by=by, changes=changes)


def reestimates(sprint):
    return list(SprintEvent.objects.filter(sprint=sprint, reestimate=True).values_list("kind", "item__key", "points"))


def test_a_re_estimate_mid_sprint_is_scope_added_or_removed(active_sprint, ready_items, po, developer):
    three, five, _eight = ready_items
    edit(three, developer, estimate=5)
    edit(five, developer, estimate=2)
    assert reestimates(active_sprint) == [
        (SprintEvent.Kind.ADDED, three.key, 2),
        (SprintEvent.Kind.REMOVED, five.key, 3),
    ]
    summary = selectors.sprint_summary(active_sprint)
    assert (summary.committed_points, summary.added_points, summary.removed_points) == (16, 2, 3)
    assert (summary.scope_points, summary.remaining_points) == (15, 15)
    (day,) = selectors.burndown(active_sprint).days
    assert (day.remaining, [(c.key, c.points, c.reestimate) for c in day.added]) == (15, [(three.key, 2, True)])


def test_the_work_left_never_goes_below_zero_after_a_re_estimate(active_sprint, ready_items, po):
    """Before: committed at 3, re-estimated to 8 and done counted 8 of the 3: −5 left."""
    edit(ready_items[0], po, estimate=8)
    for item in ready_items:
        move(active_sprint, item, DONE, po)
    summary = selectors.sprint_summary(active_sprint)
    assert (summary.done_points, summary.remaining_points) == (21, 0)
    assert selectors.burndown(active_sprint).days[-1].remaining == 0
    outcome = close(active_sprint, po).outcome
    assert (outcome["committed_points"], outcome["added_points"], outcome["completed_points"]) == (16, 5, 21)


def test_a_done_items_estimate_is_kept_until_it_leaves_done(active_sprint, ready_items, po):
    """Its points counted when it was done; the close must count the same."""
    move(active_sprint, ready_items[1], DONE, po)
    with pytest.raises(InvalidInput, match="Move it out of Done to re-estimate it") as error:
        edit(ready_items[1], po, estimate=40)
    assert list(error.value.fields) == ["estimate"]
    assert Item.objects.get(pk=ready_items[1].pk).estimate == 5
    live = selectors.sprint_summary(active_sprint)
    closed = close(active_sprint, po)
    assert live.done_points == closed.outcome["completed_points"] == 5
    assert selectors.sprint_summary(closed).done_points <= selectors.sprint_summary(closed).scope_points


@pytest.mark.parametrize(
    "column, status, says",
    [(DONE, "ready", "move it out of Done there"), (TODO, "done", "move it to Done there")],
)
def test_done_ness_of_an_item_in_an_active_sprint_belongs_to_the_board(
    active_sprint, ready_items, po, column, status, says
):
    move(active_sprint, ready_items[0], column, po)
    with pytest.raises(InvalidInput, match=says) as error:
        edit(ready_items[0], po, status=status)
    assert error.value.code == "in_sprint" and list(error.value.fields) == ["status"]
    # Other edits of the same item are fine.
    assert edit(ready_items[0], po, title="Renamed").title == "Renamed"


def test_an_item_in_a_sprint_is_not_discarded_nor_done_while_planned(sprint, active_sprint, product, po):
    planned_item = make_ready_item(product, 2)
    following = make_sprint(product, po)
    plan(following, [planned_item], po)
    for status in ("discarded", "done"):
        with pytest.raises(InvalidInput, match="take it out of the sprint before") as error:
            edit(planned_item, po, status=status)
        assert list(error.value.fields) == ["status"]
    active_item = SprintItem.objects.filter(sprint=active_sprint).first().item
    with pytest.raises(InvalidInput, match="before discarding it"):
        edit(active_item, po, status="discarded")
    services.remove_from_sprint(sprint=following, item=planned_item, by=po)
    assert edit(planned_item, po, status="discarded").status == "discarded"


def test_a_planned_sprints_items_are_re_estimated_freely(sprint, product, po):
    item = make_ready_item(product, 3)
    plan(sprint, [item], po)
    assert edit(item, po, estimate=8).estimate == 8
    assert not SprintEvent.objects.filter(sprint=sprint).exists()
    assert selectors.sprint_summary(sprint).committed_points == 8


def test_after_the_close_an_item_is_edited_freely_and_the_record_stays(active_sprint, ready_items, po):
    move(active_sprint, ready_items[0], DONE, po)
    closed = close(active_sprint, po)
    before = selectors.sprint_summary(closed)
    assert edit(ready_items[0], po, estimate=13, status="ready").estimate == 13
    assert not reestimates(closed)
    assert selectors.sprint_summary(closed) == before
