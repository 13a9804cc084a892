"""`manage.py seed_demo`: the SHOP demo product and four demo users, idempotently."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from backlog.models import HistoryEntry, Item, Membership, Product, ProductGoal, RefinementNote, Role
from sprints import selectors as sprint_selectors
from sprints.models import ActionItem, Feedback, HypothesisOutcome, RetroCard, RetroVote, Sprint, SprintEvent

pytestmark = pytest.mark.django_db

DEMO_USERS = {
    "po@example.com": Role.PRODUCT_OWNER,
    "sm@example.com": Role.SCRUM_MASTER,
    "dev@example.com": Role.DEVELOPER,
    "stakeholder@example.com": Role.STAKEHOLDER,
}


def seed(**options):
    call_command("seed_demo", allow_demo_users=True, stdout=open("/dev/null", "w"), **options)  # noqa: SIM115


def snapshot():
    return (
        User.objects.count(),
        Product.objects.count(),
        Item.objects.count(),
        RefinementNote.objects.count(),
        HistoryEntry.objects.count(),
        Sprint.objects.count(),
        SprintEvent.objects.count(),
        RetroVote.objects.count(),
        list(Membership.objects.order_by("pk").values_list("user__email", "role")),
    )


def test_without_debug_or_the_flag_it_refuses(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-demo-users"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_in_debug_it_needs_no_flag(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Product.objects.filter(key="SHOP").exists()


def test_it_creates_the_four_demo_users_with_their_roles():
    seed()
    product = Product.objects.get(key="SHOP")
    for email, role in DEMO_USERS.items():
        user = User.objects.get(email=email)
        assert user.check_password("demo-password")
        assert user.display_name
        assert Membership.objects.get(product=product, user=user).role == role


def test_it_creates_about_140_items_across_kinds_and_statuses():
    seed()
    items = Item.objects.filter(product__key="SHOP")
    assert 110 <= items.count() <= 150
    assert set(items.values_list("kind", flat=True)) == set(Item.Kind.values)
    assert set(items.values_list("status", flat=True)) == set(Item.Status.values)
    assert items.filter(estimate__isnull=True).exists()
    assert items.filter(estimate__isnull=False).count() > items.count() // 2
    assert items.filter(parent__isnull=False).count() >= 10
    assert items.filter(archived_at__isnull=False).exists()
    assert items.exclude(why="").count() >= 20
    assert items.filter(labels__isnull=False).distinct().count() > 50


def test_items_get_sequential_keys_and_distinct_ranks():
    seed()
    items = list(Item.objects.filter(product__key="SHOP").order_by("number"))
    assert [item.key for item in items] == [f"SHOP-{n}" for n in range(1, len(items) + 1)]
    assert len({item.rank for item in items}) == len(items)


def test_some_items_carry_refinement_notes():
    seed()
    assert RefinementNote.objects.values("item").distinct().count() >= 10


def test_running_it_twice_changes_nothing():
    seed()
    before = snapshot()
    seed()
    assert snapshot() == before


def test_an_existing_demo_user_keeps_their_password():
    User.objects.create_user(email="po@example.com", password="my-own-secret-pass")
    seed()
    assert User.objects.get(email="po@example.com").check_password("my-own-secret-pass")


def test_it_prints_the_demo_logins(capsys):
    call_command("seed_demo", allow_demo_users=True)
    out = capsys.readouterr().out
    assert all(email in out for email in DEMO_USERS)
    assert "demo-password" in out


def test_it_plays_five_closed_sprints_with_realistic_outcomes():
    seed()
    product = Product.objects.get(key="SHOP")
    closed = list(Sprint.objects.filter(product=product, status="closed").order_by("number"))
    assert len(closed) == 5
    assert all(18 <= sprint.outcome["completed_points"] <= 26 for sprint in closed)
    assert "partly" in {sprint.goal_outcome for sprint in closed}
    placed = [entry["placed"] for sprint in closed for entry in sprint.outcome["not_done"]]
    assert len(placed) >= 2 and "next" in placed
    today = timezone.localdate()
    assert all(sprint.end_date < today for sprint in closed)
    assert all((b.start_date - a.start_date).days == 14 for a, b in itertools.pairwise(closed))
    assert sprint_selectors.capacity_range(product) is not None


def test_the_active_sprint_runs_today_with_items_in_every_column():
    seed()
    product = Product.objects.get(key="SHOP")
    active = sprint_selectors.active_sprint(product)
    today = timezone.localdate()
    assert active.goal and active.start_date <= today <= active.end_date
    assert all(column.sprint_items for column in sprint_selectors.board(active))
    assert active.events.filter(kind="added").exists()
    assert sprint_selectors.next_planned_sprint(product) is not None


def test_the_review_retro_and_goals_are_filled_in():
    seed()
    product = Product.objects.get(key="SHOP")
    assert Feedback.objects.filter(sprint__product=product).count() >= 2
    assert Feedback.objects.filter(became__isnull=False).count() == 1
    assert HypothesisOutcome.objects.exists()
    assert RetroCard.objects.count() >= 3 and RetroVote.objects.exists()
    assert ActionItem.objects.filter(done_at__isnull=True).exists()
    goals = ProductGoal.objects.filter(product=product).order_by("status").values_list("status", flat=True)
    assert list(goals) == ["achieved", "active"]
