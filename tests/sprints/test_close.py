"""Closing a sprint: the goal outcome, where unfinished work goes, and the frozen outcome."""

import re

import pytest
from django.urls import reverse

from backlog import services as backlog_services
from backlog.models import HistoryEntry, Item
from config.errors import Forbidden, InvalidInput
from sprints import selectors, services
from sprints.models import Sprint, SprintItem

from .conftest import close, make_ready_item, make_sprint, move, plan, start

pytestmark = pytest.mark.django_db

DONE, DOING = SprintItem.Column.DONE, SprintItem.Column.IN_PROGRESS


def backlog_keys(product):
    return list(
        Item.objects.filter(product=product, archived_at__isnull=True).order_by("rank").values_list("key", flat=True)
    )


@pytest.fixture
def worked_sprint(product, po):
    """Items A (3), B (5), C (8), D (2) in backlog order below two others; the sprint holds
    B, C and D; B is done, C in progress, D to do."""
    make_ready_item(product, 1, title="Above 1")
    make_ready_item(product, 1, title="Above 2")
    a, b, c, d = (make_ready_item(product, points, title=t) for t, points in zip("ABCD", (3, 5, 8, 2), strict=True))
    sprint = make_sprint(product, po)
    plan(sprint, [b, c, d], po)
    start(sprint, po)
    move(sprint, b, DONE, po)
    move(sprint, c, DOING, po)
    return sprint, a, b, c, d


def test_closing_freezes_the_outcome(worked_sprint, po):
    sprint, _a, b, c, d = worked_sprint
    closed = close(sprint, po, goal_outcome="partly", goal_note="Search shipped, filters did not.")
    assert closed.status == Sprint.Status.CLOSED and closed.closed_by == po and closed.closed_at
    assert (closed.goal_outcome, closed.goal_note) == ("partly", "Search shipped, filters did not.")
    assert closed.outcome == {
        "committed_points": 15,
        "added_points": 0,
        "removed_points": 0,
        "completed_points": 5,
        "done": [{"key": b.key, "title": "B", "estimate": 5}],
        "not_done": [
            {"key": c.key, "title": "C", "estimate": 8, "placed": "top"},
            {"key": d.key, "title": "D", "estimate": 2, "placed": "top"},
        ],
        "removed": [],
    }
    assert HistoryEntry.objects.filter(event="sprints.sprint.closed").exists()


def test_added_and_removed_scope_is_part_of_the_outcome(worked_sprint, product, po):
    sprint, a, _b, c, _d = worked_sprint
    plan(sprint, [a], po)
    services.remove_from_sprint(sprint=sprint, item=c, by=po)
    outcome = close(sprint, po).outcome
    assert (outcome["committed_points"], outcome["added_points"], outcome["removed_points"]) == (15, 3, 8)
    assert [entry["key"] for entry in outcome["not_done"]] == [a.key, _d.key]


def test_editing_an_item_after_close_does_not_move_the_closed_sprints_numbers(worked_sprint, po):
    sprint, _a, b, c, _d = worked_sprint
    closed = close(sprint, po)
    before = (selectors.sprint_summary(closed), selectors.burndown(closed), selectors.velocity(closed.product))
    backlog_services.update_item(item=b, by=po, changes={"estimate": 13, "title": "B, renamed"})
    backlog_services.update_item(item=c, by=po, changes={"estimate": 1})
    closed.refresh_from_db()
    assert closed.outcome["done"] == [{"key": b.key, "title": "B", "estimate": 5}]
    assert (selectors.sprint_summary(closed), selectors.burndown(closed), selectors.velocity(closed.product)) == before


def test_unfinished_items_go_to_the_top_in_sprint_order_by_default(worked_sprint, product, po):
    sprint, _a, _b, c, d = worked_sprint
    close(sprint, po)
    assert backlog_keys(product)[:2] == [c.key, d.key]


def test_keep_leaves_an_item_where_it_was(worked_sprint, product, po):
    sprint, _a, _b, c, d = worked_sprint
    before = backlog_keys(product)
    close(sprint, po, placements={c.key: "keep", d.key: "keep"})
    assert backlog_keys(product) == before


def test_next_puts_an_item_into_the_next_planned_sprint(worked_sprint, product, po):
    sprint, _a, _b, c, d = worked_sprint
    soonest, later = make_sprint(product, po), make_sprint(product, po)
    closed = close(sprint, po, placements={c.key: "next", d.key: "keep"})
    assert list(SprintItem.objects.filter(sprint=soonest).values_list("item__key", "committed")) == [(c.key, True)]
    assert not SprintItem.objects.filter(sprint=later).exists()
    assert closed.outcome["not_done"][0]["placed"] == "next"


def test_next_without_a_planned_sprint_refuses_the_whole_close(worked_sprint, product, po):
    sprint, _a, _b, c, d = worked_sprint
    before = backlog_keys(product)
    with pytest.raises(InvalidInput, match=c.key) as error:
        close(sprint, po, placements={c.key: "next", d.key: "top"})
    assert "placements" in error.value.fields
    sprint.refresh_from_db()
    assert sprint.status == Sprint.Status.ACTIVE and sprint.outcome is None
    assert backlog_keys(product) == before


def test_placements_naming_unknown_items_or_places_are_refused(worked_sprint, po):
    sprint, a, b, c, _d = worked_sprint
    for placements in ({a.key: "top"}, {b.key: "top"}, {c.key: "bin"}, {"NOPE-1": "top"}, ["top"]):
        with pytest.raises(InvalidInput) as error:
            close(sprint, po, placements=placements)
        assert "placements" in error.value.fields


def test_one_item_placed_twice_at_different_places_is_refused(worked_sprint, product, po):
    sprint, _a, _b, c, _d = worked_sprint
    make_sprint(product, po)
    with pytest.raises(InvalidInput, match=f"{c.key} is given twice") as error:
        close(sprint, po, placements={c.key.lower(): "top", c.key: "next"})
    assert "placements" in error.value.fields
    sprint.refresh_from_db()
    assert sprint.status == Sprint.Status.ACTIVE
    # The same place twice is one choice.
    closed = close(sprint, po, placements={c.key.lower(): "keep", c.key: "keep"})
    assert closed.outcome["not_done"][0]["placed"] == "keep"


def test_the_goal_outcome_must_be_one_of_met_partly_not_met(worked_sprint, po):
    with pytest.raises(InvalidInput) as error:
        close(worked_sprint[0], po, goal_outcome="mostly")
    assert "goal_outcome" in error.value.fields


def test_a_planned_sprint_cannot_be_closed(sprint, po):
    with pytest.raises(InvalidInput) as error:
        close(sprint, po)
    assert "sprint" in error.value.fields


def test_a_closed_sprint_cannot_be_closed_again(active_sprint, po):
    close(active_sprint, po)
    with pytest.raises(InvalidInput):
        close(active_sprint, po)


def test_an_empty_sprint_closes_with_zeros(sprint, po):
    start(sprint, po)
    outcome = close(sprint, po, goal_outcome="not_met").outcome
    assert outcome["committed_points"] == outcome["completed_points"] == 0
    assert outcome["done"] == outcome["not_done"] == []


def test_a_scrum_master_can_place_unfinished_items_at_close(worked_sprint, product, scrum_master):
    sprint, _a, _b, c, d = worked_sprint
    close(sprint, scrum_master, placements={d.key: "top", c.key: "top"})
    assert backlog_keys(product)[:2] == [c.key, d.key]


def test_a_scrum_master_still_cannot_rank_otherwise(product, scrum_master):
    item = make_ready_item(product)
    with pytest.raises(Forbidden):
        backlog_services.move_item(item=item, by=scrum_master, position=1)


def test_a_developer_cannot_close_a_sprint(active_sprint, developer):
    with pytest.raises(Forbidden):
        close(active_sprint, developer)


def test_a_developer_cannot_use_the_sprint_close_way_to_rank(product, developer):
    item = make_ready_item(product)
    with pytest.raises(Forbidden):
        backlog_services.move_item(item=item, by=developer, position=1, for_sprint_close=True)


def test_an_unfinished_item_archived_during_the_sprint_stays_archived_and_is_recorded_so(worked_sprint, product, po):
    sprint, _a, _b, c, d = worked_sprint
    backlog_services.archive_item(item=c, by=po)
    before = backlog_keys(product)
    outcome = close(sprint, po, placements={d.key: "keep"}).outcome
    assert Item.objects.get(pk=c.pk).archived_at is not None
    assert {entry["key"]: entry["placed"] for entry in outcome["not_done"]} == {c.key: "archived", d.key: "keep"}
    assert backlog_keys(product) == before
    history = HistoryEntry.objects.get(event="sprints.sprint.closed")
    assert history.data["placements"][c.key] == "archived"


def test_an_archived_item_placed_keep_is_recorded_as_archived_too(worked_sprint, po):
    sprint, _a, _b, c, _d = worked_sprint
    backlog_services.archive_item(item=c, by=po)
    outcome = close(sprint, po, placements={c.key: "keep"}).outcome
    assert outcome["not_done"][0] == {"key": c.key, "title": "C", "estimate": 8, "placed": "archived"}


def test_an_archived_item_cannot_go_to_the_next_sprint(worked_sprint, product, po):
    sprint, _a, _b, c, _d = worked_sprint
    make_sprint(product, po)
    backlog_services.archive_item(item=c, by=po)
    with pytest.raises(InvalidInput, match=f"{c.key} is archived"):
        close(sprint, po, placements={c.key: "next"})


# --- Items taken out mid-sprint --------------------------------------------------------------------


def test_the_outcome_names_the_items_removed_mid_sprint_with_their_points_then(worked_sprint, product, po):
    sprint, a, _b, c, d = worked_sprint
    plan(sprint, [a], po)
    services.remove_from_sprint(sprint=sprint, item=d, by=po)
    services.remove_from_sprint(sprint=sprint, item=c, by=po)
    # Re-estimated after it left: the outcome keeps the points its removal took out.
    backlog_services.update_item(item=c, by=po, changes={"estimate": 13, "title": "C, renamed"})
    outcome = close(sprint, po).outcome
    assert outcome["removed_points"] == 10
    assert outcome["removed"] == [
        {"key": d.key, "title": "D", "estimate": 2},
        {"key": c.key, "title": "C, renamed", "estimate": 8},
    ]
    assert [entry["key"] for entry in outcome["not_done"]] == [a.key]


def test_an_item_removed_and_put_back_is_not_listed_as_removed(worked_sprint, po):
    sprint, _a, _b, c, d = worked_sprint
    services.remove_from_sprint(sprint=sprint, item=d, by=po)
    plan(sprint, [d], po)
    outcome = close(sprint, po).outcome
    assert outcome["removed"] == []
    assert {entry["key"] for entry in outcome["not_done"]} == {c.key, d.key}


def test_items_taken_out_while_planning_are_not_removed_scope(product, po):
    sprint = make_sprint(product, po)
    kept, dropped = make_ready_item(product, 3), make_ready_item(product, 5)
    plan(sprint, [kept, dropped], po)
    services.remove_from_sprint(sprint=sprint, item=dropped, by=po)
    start(sprint, po)
    outcome = close(sprint, po).outcome
    assert (outcome["removed_points"], outcome["removed"]) == (0, [])


# --- The closed sprint's page ----------------------------------------------------------------------


def outcome_section(client, sprint) -> str:
    html = client.get(reverse("sprints:sprint-detail", args=[sprint.pk])).content.decode()
    return re.search(r'<section aria-labelledby="outcome-heading".*?</section>', html, re.S).group(0)


def test_the_closed_sprint_page_says_an_item_was_archived_and_names_the_removed_ones(
    client, worked_sprint, product, po, stakeholder
):
    sprint, _a, _b, c, d = worked_sprint
    backlog_services.archive_item(item=c, by=po)
    services.remove_from_sprint(sprint=sprint, item=d, by=po)
    close(sprint, po)
    client.force_login(stakeholder)
    section = outcome_section(client, sprint)
    not_done = re.search(r'<table class="data-table outcome-not-done">.*?</table>', section, re.S).group(0)
    assert "Archived during the sprint" in not_done
    assert "Its old position" not in not_done
    removed = re.search(r'<table class="data-table outcome-removed">.*?</table>', section, re.S).group(0)
    assert f">{d.key}</a>" in removed and "><bdi>D</bdi></td>" in removed and '<td class="num">2</td>' in removed


def test_an_outcome_frozen_before_archived_and_removed_were_recorded_still_reads(
    client, worked_sprint, product, po, stakeholder
):
    sprint, _a, _b, c, d = worked_sprint
    services.remove_from_sprint(sprint=sprint, item=d, by=po)
    closed = close(sprint, po, placements={c.key: "keep"})
    old = {key: value for key, value in closed.outcome.items() if key != "removed"}
    Sprint.objects.filter(pk=sprint.pk).update(outcome=old)
    client.force_login(stakeholder)
    section = outcome_section(client, sprint)
    assert "Its old position" in section
    assert "outcome-removed" not in section
    assert "<dt>Removed</dt><dd>2 " in section
