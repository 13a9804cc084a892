"""Concurrent clicks on PostgreSQL (SQLite serialises writers anyway): votes and starts."""

import pytest

from config.errors import InvalidInput
from sprints import services
from sprints.models import RetroCard, RetroVote, Sprint
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
