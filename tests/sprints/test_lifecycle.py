"""Planning, starting and the board: the lifecycle rules of a sprint and every refusal."""

import datetime

import pytest

from backlog import services as backlog_services
from backlog.models import HistoryEntry, Item
from config.errors import Forbidden, InvalidInput, NotFound, StaleVersion
from sprints import services
from sprints.models import Sprint, SprintEvent, SprintItem
from tests.conftest import make_item

from .conftest import make_ready_item, make_sprint, move, plan, start, today

pytestmark = pytest.mark.django_db

DONE, TODO, DOING = SprintItem.Column.DONE, SprintItem.Column.TODO, SprintItem.Column.IN_PROGRESS


def events(sprint):
    return list(SprintEvent.objects.filter(sprint=sprint).values_list("kind", "item__key", "points"))


def test_sprints_are_numbered_one_after_another_per_product(product, po):
    assert [make_sprint(product, po).number for _ in range(3)] == [1, 2, 3]


def test_a_sprint_cannot_end_before_it_starts(product, po):
    with pytest.raises(InvalidInput) as error:
        make_sprint(product, po, start_date=today(), end_date=today() - datetime.timedelta(days=1))
    assert "end_date" in error.value.fields


def test_a_date_that_is_not_a_date_is_refused_by_name(product, po):
    with pytest.raises(InvalidInput) as error:
        services.create_sprint(product=product, by=po, start_date="soon", end_date=today())
    assert "start_date" in error.value.fields


@pytest.mark.parametrize("start, end", [("9999-12-17", "9999-12-30"), ("0001-01-01", "0001-01-14")])
def test_a_date_off_the_plausible_calendar_is_refused_by_name(product, po, start, end):
    """A sprint in year 9999 is a typo, and the forecast, counting sprints past it, would run off
    the calendar."""
    with pytest.raises(InvalidInput, match="between 1970 and 2999") as error:
        services.create_sprint(product=product, by=po, start_date=start, end_date=end)
    assert "start_date" in error.value.fields
    sprint = make_sprint(product, po)
    with pytest.raises(InvalidInput) as error:
        services.update_sprint(sprint=sprint, by=po, changes={"end_date": "3000-01-01"})
    assert "end_date" in error.value.fields


def test_a_scrum_master_may_plan_but_a_developer_may_not(product, scrum_master, developer):
    assert make_sprint(product, scrum_master).number == 1
    with pytest.raises(Forbidden):
        make_sprint(product, developer)


def test_an_outsider_does_not_learn_the_product_exists(product, outsider):
    with pytest.raises(NotFound):
        make_sprint(product, outsider)


def test_a_goal_of_another_product_is_refused(product, po):
    other = backlog_services.create_product(by=po, key="ZOO", name="Zoo")
    goal = backlog_services.set_product_goal(product=other, by=po, title="Happy animals")
    with pytest.raises(InvalidInput) as error:
        make_sprint(product, po, product_goal=goal)
    assert "product_goal" in error.value.fields


def test_a_sprint_links_the_active_goal_and_keeps_a_link_it_had(product, po):
    first = backlog_services.set_product_goal(product=product, by=po, title="Sell abroad")
    sprint = make_sprint(product, po, product_goal=first)
    backlog_services.close_product_goal(goal=first, by=po, status="achieved")
    first.refresh_from_db()
    with pytest.raises(InvalidInput, match="That goal is achieved") as error:
        make_sprint(product, po, product_goal=first)
    assert "product_goal" in error.value.fields
    # Its own link stays, and other edits go on.
    sprint = services.update_sprint(sprint=sprint, by=po, changes={"product_goal": first, "goal": "Go on"})
    assert (sprint.product_goal_id, sprint.goal) == (first.pk, "Go on")
    second = backlog_services.set_product_goal(product=product, by=po, title="Sell more")
    assert services.update_sprint(sprint=sprint, by=po, changes={"product_goal": second}).product_goal_id == second.pk


def test_update_sprint_bumps_the_version_and_refuses_a_stale_one(sprint, po):
    updated = services.update_sprint(sprint=sprint, by=po, changes={"goal": "Faster search"}, expected_version=1)
    assert (updated.goal, updated.version) == ("Faster search", 2)
    with pytest.raises(StaleVersion) as error:
        services.update_sprint(sprint=sprint, by=po, changes={"goal": "Other"}, expected_version=1)
    assert error.value.current.goal == "Faster search"


def test_the_same_goal_with_other_line_breaks_is_no_edit(sprint, po):
    """The planning form sends CRLF where the API stored LF: the version stays, no one goes stale."""
    sprint = services.update_sprint(sprint=sprint, by=po, changes={"goal": "Ship\nthe checkout"})
    again = services.update_sprint(sprint=sprint, by=po, changes={"goal": "Ship\r\nthe checkout"})
    assert again.version == sprint.version


def test_update_sprint_names_unknown_fields(sprint, po):
    with pytest.raises(InvalidInput) as error:
        services.update_sprint(sprint=sprint, by=po, changes={"number": 9})
    assert "number" in error.value.fields


def test_a_closed_sprint_takes_review_notes_only(active_sprint, po):
    closed = services.close_sprint(sprint=active_sprint, by=po, goal_outcome="met")
    with pytest.raises(InvalidInput) as error:
        services.update_sprint(sprint=closed, by=po, changes={"goal": "Rewritten history"})
    assert "goal" in error.value.fields
    closed = services.update_sprint(sprint=closed, by=po, changes={"review_notes": "Demoed to sales."})
    assert closed.review_notes == "Demoed to sales."


def test_an_active_sprint_cannot_lose_its_goal(active_sprint, po):
    with pytest.raises(InvalidInput) as error:
        services.update_sprint(sprint=active_sprint, by=po, changes={"goal": "  "})
    assert "goal" in error.value.fields


def test_items_planned_before_the_start_are_committed_without_events(sprint, product, po):
    (sprint_item,) = plan(sprint, [make_ready_item(product, 5)], po)
    assert sprint_item.committed and sprint_item.column == TODO
    assert events(sprint) == []


def test_an_archived_item_cannot_be_planned(sprint, product, po):
    item = make_ready_item(product)
    backlog_services.archive_item(item=item, by=po)
    with pytest.raises(InvalidInput, match="archived") as error:
        plan(sprint, [item], po)
    assert "item" in error.value.fields


@pytest.mark.parametrize("status", ["done", "discarded"])
def test_a_done_or_discarded_item_cannot_be_planned(sprint, product, po, status):
    with pytest.raises(InvalidInput) as error:
        plan(sprint, [make_item(product, status=status)], po)
    assert "item" in error.value.fields


def test_an_item_of_another_product_cannot_be_planned(sprint, po):
    other = backlog_services.create_product(by=po, key="ZOO", name="Zoo")
    with pytest.raises(InvalidInput) as error:
        plan(sprint, [make_item(other)], po)
    assert "item" in error.value.fields


def test_an_item_can_be_in_one_open_sprint_only(sprint, product, po):
    item = make_ready_item(product)
    plan(sprint, [item], po)
    with pytest.raises(InvalidInput, match="already in this sprint"):
        plan(sprint, [item], po)
    with pytest.raises(InvalidInput, match="already in Sprint 1"):
        plan(make_sprint(product, po), [item], po)


def test_removing_while_planning_deletes_the_row(sprint, product, po):
    item = make_ready_item(product)
    plan(sprint, [item], po)
    services.remove_from_sprint(sprint=sprint, item=item, by=po)
    assert not SprintItem.objects.filter(sprint=sprint).exists()


def test_removing_an_item_not_in_the_sprint_is_refused(sprint, product, po):
    with pytest.raises(InvalidInput) as error:
        services.remove_from_sprint(sprint=sprint, item=make_ready_item(product), by=po)
    assert "item" in error.value.fields


def test_a_sprint_does_not_start_without_a_goal(product, po):
    sprint = make_sprint(product, po, goal="")
    with pytest.raises(InvalidInput) as error:
        start(sprint, po)
    assert "goal" in error.value.fields
    sprint.refresh_from_db()
    assert sprint.status == Sprint.Status.PLANNED


def test_two_sprints_cannot_be_active_at_once(active_sprint, product, po):
    with pytest.raises(InvalidInput, match="Sprint 1 is still active"):
        start(make_sprint(product, po), po)


def test_only_a_planned_sprint_starts(active_sprint, po):
    with pytest.raises(InvalidInput) as error:
        start(active_sprint, po)
    assert "sprint" in error.value.fields


def test_a_developer_cannot_start_a_sprint(sprint, developer):
    with pytest.raises(Forbidden):
        start(sprint, developer)


def test_starting_records_each_items_estimate_as_committed(active_sprint, ready_items, po):
    assert sorted(events(active_sprint)) == sorted(
        (SprintEvent.Kind.COMMITTED, item.key, item.estimate) for item in ready_items
    )
    assert active_sprint.started_by == po and active_sprint.started_at is not None
    assert HistoryEntry.objects.filter(event="sprints.sprint.started").exists()


def test_an_item_added_mid_sprint_is_recorded_as_added_scope(active_sprint, product, po):
    item = make_ready_item(product, 2)
    (sprint_item,) = plan(active_sprint, [item], po)
    assert not sprint_item.committed and sprint_item.added_by == po
    assert events(active_sprint)[-1] == (SprintEvent.Kind.ADDED, item.key, 2)


def test_an_item_removed_mid_sprint_stays_on_record_as_removed_scope(active_sprint, ready_items, po):
    services.remove_from_sprint(sprint=active_sprint, item=ready_items[1], by=po)
    row = SprintItem.objects.get(sprint=active_sprint, item=ready_items[1])
    assert row.removed_at is not None and row.removed_by == po
    assert events(active_sprint)[-1] == (SprintEvent.Kind.REMOVED, ready_items[1].key, 5)


def test_a_done_item_stays_in_the_sprint_until_it_is_moved_out_of_done(active_sprint, ready_items, po):
    """Its points are the sprint's done work: removing it would drop them from the live numbers
    and the frozen outcome alike."""
    move(active_sprint, ready_items[0], DONE, po)
    before = events(active_sprint)
    with pytest.raises(InvalidInput, match="move it out of Done first") as error:
        services.remove_from_sprint(sprint=active_sprint, item=ready_items[0], by=po)
    assert error.value.code == "item_done" and "item" in error.value.fields
    assert events(active_sprint) == before
    move(active_sprint, ready_items[0], TODO, po)
    services.remove_from_sprint(sprint=active_sprint, item=ready_items[0], by=po)
    assert events(active_sprint)[-1] == (SprintEvent.Kind.REMOVED, ready_items[0].key, 3)


def test_an_item_removed_mid_sprint_can_come_back_as_added_scope(active_sprint, ready_items, po):
    services.remove_from_sprint(sprint=active_sprint, item=ready_items[1], by=po)
    (back,) = plan(active_sprint, [ready_items[1]], po)
    assert back.removed_at is None and not back.committed
    assert events(active_sprint)[-1][0] == SprintEvent.Kind.ADDED


def test_a_closed_sprint_takes_no_items_and_gives_none_back(active_sprint, ready_items, product, po):
    services.close_sprint(sprint=active_sprint, by=po, goal_outcome="met")
    with pytest.raises(InvalidInput, match="closed"):
        plan(active_sprint, [make_ready_item(product)], po)
    with pytest.raises(InvalidInput, match="closed"):
        services.remove_from_sprint(sprint=active_sprint, item=ready_items[0], by=po)


def test_a_developer_moving_an_item_into_done_makes_it_done(active_sprint, ready_items, developer):
    move(active_sprint, ready_items[0], DOING, developer)
    move(active_sprint, ready_items[0], DONE, developer)
    assert Item.objects.get(pk=ready_items[0].pk).status == Item.Status.DONE
    assert events(active_sprint)[-1] == (SprintEvent.Kind.DONE, ready_items[0].key, 3)


def test_a_developer_moving_an_item_out_of_done_makes_it_ready_again(active_sprint, ready_items, developer):
    move(active_sprint, ready_items[0], DONE, developer)
    move(active_sprint, ready_items[0], DOING, developer)
    assert Item.objects.get(pk=ready_items[0].pk).status == Item.Status.READY
    assert events(active_sprint)[-1] == (SprintEvent.Kind.REOPENED, ready_items[0].key, 3)


def test_between_to_do_and_in_progress_no_event_is_recorded(active_sprint, ready_items, developer):
    before = len(events(active_sprint))
    move(active_sprint, ready_items[0], DOING, developer)
    move(active_sprint, ready_items[0], TODO, developer)
    assert len(events(active_sprint)) == before


def test_outside_the_board_a_developer_still_cannot_mark_an_item_ready(product, developer):
    item = make_item(product, status="refining")
    with pytest.raises(InvalidInput) as error:
        backlog_services.update_item(item=item, by=developer, changes={"status": "ready"})
    assert "status" in error.value.fields


def test_the_board_way_covers_done_and_ready_only(product, developer):
    item = make_item(product, status="refining")
    with pytest.raises(InvalidInput):
        backlog_services.update_item(item=item, by=developer, changes={"status": "discarded"}, via_board=True)
    item = backlog_services.update_item(item=item, by=developer, changes={"status": "ready"}, via_board=True)
    assert item.status == "ready"


def test_stakeholders_cannot_work_the_board(active_sprint, ready_items, stakeholder):
    with pytest.raises(Forbidden):
        move(active_sprint, ready_items[0], DONE, stakeholder)


def test_the_board_of_a_planned_sprint_does_not_move(sprint, product, po):
    item = make_ready_item(product)
    plan(sprint, [item], po)
    with pytest.raises(InvalidInput) as error:
        move(sprint, item, DONE, po)
    assert "sprint" in error.value.fields


def test_an_unknown_column_is_refused_by_name(active_sprint, ready_items, po):
    with pytest.raises(InvalidInput) as error:
        move(active_sprint, ready_items[0], "blocked", po)
    assert "column" in error.value.fields


def test_an_active_sprints_start_date_cannot_move_past_the_day_it_started(active_sprint, po):
    later = active_sprint.start_date + datetime.timedelta(days=2)
    with pytest.raises(InvalidInput, match="cannot move later") as error:
        services.update_sprint(sprint=active_sprint, by=po, changes={"start_date": later})
    assert list(error.value.fields) == ["start_date"]
    earlier = active_sprint.start_date - datetime.timedelta(days=1)
    assert services.update_sprint(sprint=active_sprint, by=po, changes={"start_date": earlier}).start_date == earlier
