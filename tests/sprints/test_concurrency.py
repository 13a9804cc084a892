"""Concurrent clicks on PostgreSQL (SQLite serialises writers anyway): votes, starts, and
re-estimates beside board moves."""

import threading

import pytest

from config.errors import InvalidInput
from sprints import selectors, services
from sprints.models import RetroCard, RetroVote, Sprint, SprintEvent
from tests.backlog.test_concurrency import run_together

from .conftest import make_sprint

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_quick_votes_cannot_make_a_fourth(on_postgres, active_sprint, developer):
    card = services.add_retro_card(sprint=active_sprint, by=developer, column="ideas", body="Mob on Fridays")
    services.vote(card=card, by=developer)
    services.vote(card=card, by=developer)
    for _ in range(5):
        fresh = RetroCard.objects.get(pk=card.pk)
        results, errors = run_together(
            lambda c=fresh: services.vote(card=c, by=developer), lambda c=fresh: services.vote(card=c, by=developer)
        )
        assert all(isinstance(error, InvalidInput) for error in errors), errors
        assert RetroVote.objects.filter(voter=developer).count() == 3
        RetroVote.objects.filter(voter=developer).order_by("-id").first().delete()


def test_two_sprints_started_at_once_leave_one_active(on_postgres, product, po, scrum_master):
    first, second = make_sprint(product, po), make_sprint(product, po)
    results, errors = run_together(
        lambda: services.start_sprint(sprint=Sprint.objects.get(pk=first.pk), by=po),
        lambda: services.start_sprint(sprint=Sprint.objects.get(pk=second.pk), by=scrum_master),
    )
    assert len(errors) == 1 and isinstance(errors[0], InvalidInput), errors
    assert Sprint.objects.filter(product=product, status=Sprint.Status.ACTIVE).count() == 1


def test_a_re_estimate_while_the_sprint_is_locked_is_a_clear_refusal(on_postgres, active_sprint, ready_items, po):
    """The edit holds the item's lock; the board and the close take the sprint's lock first.
    Waiting for the sprint could deadlock, so a sprint busy this instant refuses, by name."""
    from django.db import connection, transaction

    from backlog import services as backlog_services
    from backlog.models import Item

    locked, edited = threading.Event(), threading.Event()

    def hold_the_sprint():
        try:
            with transaction.atomic():
                Sprint.objects.select_for_update().get(pk=active_sprint.pk)
                locked.set()
                edited.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_sprint)
    holder.start()
    assert locked.wait(timeout=30)
    try:
        with pytest.raises(InvalidInput, match="changing right now") as error:
            backlog_services.update_item(item=Item.objects.get(pk=ready_items[0].pk), by=po, changes={"estimate": 8})
        assert error.value.code == "sprint_busy"
        assert Item.objects.get(pk=ready_items[0].pk).estimate == 3
    finally:
        edited.set()
        holder.join(timeout=30)
    backlog_services.update_item(item=Item.objects.get(pk=ready_items[0].pk), by=po, changes={"estimate": 8})
    assert SprintEvent.objects.filter(sprint=active_sprint, reestimate=True).count() == 1


def test_board_moves_and_re_estimates_of_one_item_at_once_never_deadlock(on_postgres, active_sprint, ready_items, po):
    from backlog import services as backlog_services
    from backlog.models import Item

    item = ready_items[0]
    # A board move records history (share-locking product, then item) while holding the sprint;
    # an edit locks the item. With the product row locked by the edit too, this deadlocked in
    # about one run in four.
    for round_ in range(30):
        column = "in_progress" if round_ % 2 == 0 else "todo"
        results, errors = run_together(
            lambda c=column: services.set_column(
                sprint=Sprint.objects.get(pk=active_sprint.pk), item=Item.objects.get(pk=item.pk), by=po, column=c
            ),
            lambda r=round_: backlog_services.update_item(
                item=Item.objects.get(pk=item.pk), by=po, changes={"estimate": (3, 5)[r % 2]}
            ),
        )
        assert all(isinstance(error, InvalidInput) and error.code == "sprint_busy" for error in errors), errors
    summary = selectors.sprint_summary(Sprint.objects.get(pk=active_sprint.pk))
    live = sum(Item.objects.get(pk=each.pk).estimate for each in ready_items)
    assert summary.scope_points == summary.remaining_points == live


def test_starting_a_sprint_while_its_items_are_edited_never_deadlocks(on_postgres, product, po):
    """A start locked the product FOR UPDATE (itself, and through the sprint's ordering, which
    joins it), then share-locked its items (committed events); an edit locks its item, then
    share-locks the product (history). Each waited for the other, in every run of this test."""
    from backlog import services as backlog_services
    from backlog.models import Item

    from .conftest import make_ready_item, plan

    for round_ in range(15):
        sprint = make_sprint(product, po)
        items = [make_ready_item(product, 3) for _ in range(3)]
        plan(sprint, items, po)
        results, errors = run_together(
            lambda s=sprint: services.start_sprint(sprint=Sprint.objects.get(pk=s.pk), by=po),
            lambda i=items[round_ % 3], r=round_: backlog_services.update_item(
                item=Item.objects.get(pk=i.pk), by=po, changes={"title": f"Edited {r}"}
            ),
        )
        assert errors == [], errors
        services.close_sprint(sprint=Sprint.objects.get(pk=sprint.pk), by=po, goal_outcome="met")
