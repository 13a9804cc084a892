"""`manage.py seed_demo`: the SHOP demo product and four demo users, idempotently."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from backlog.models import HistoryEntry, Item, Membership, Product, RefinementNote, Role

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


def test_it_creates_about_120_items_across_kinds_and_statuses():
    seed()
    items = Item.objects.filter(product__key="SHOP")
    assert 110 <= items.count() <= 130
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
