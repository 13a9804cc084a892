"""The data migration that moves invitations out of history (backlog 0004): every link that
worked before keeps working, and stops when it would have; members added without being asked
get no digests until they sign in."""

import datetime as dt

import pytest
from django.core import signing
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from backlog import services
from backlog.services.invitations import INVITATION_SALT

BEFORE = [("backlog", "0002_productgoal"), ("accounts", "0001_initial")]
AFTER = [("backlog", "0004_invitations_from_history"), ("accounts", "0002_outbox")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_world(transactional_db):
    """History as the code before the change wrote it, then the migration run over it."""
    apps = migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    Product = apps.get_model("backlog", "Product")
    Membership = apps.get_model("backlog", "Membership")
    History = apps.get_model("backlog", "HistoryEntry")
    now = timezone.now()
    owner = User.objects.create(email="po@example.com", last_login=now)
    added = User.objects.create(email="added@example.com")  # never signed in
    came_back = User.objects.create(email="back@example.com", last_login=now)
    joined = User.objects.create(email="joined@example.com", last_login=now - dt.timedelta(days=2))
    product = Product.objects.create(key="SHOP", name="Shop")
    ago = {days: now - dt.timedelta(days=days) for days in range(1, 7)}
    Membership.objects.create(product=product, user=owner, role="product_owner", created_at=ago[6])
    for user in (added, came_back):
        Membership.objects.create(product=product, user=user, role="stakeholder", created_at=ago[5])
        History.objects.create(
            product=product, actor=owner, event="backlog.member.added", data={"user": user.pk}, created_at=ago[5]
        )
    Membership.objects.create(product=product, user=joined, role="developer", created_at=ago[2])

    def event(name, days, **data):
        History.objects.create(product=product, actor=owner, event=name, data=data, created_at=ago[days])

    event("backlog.member.invited", 6, email="first@example.com", role="developer")
    event("backlog.member.invited", 4, email="first@example.com", role="stakeholder")  # replaces the first
    event("backlog.member.invited", 5, email="gone@example.com", role="developer")
    event("backlog.member.invitation_withdrawn", 3, email="gone@example.com")
    event("backlog.member.invited", 3, email="joined@example.com", role="developer")
    History.objects.create(
        product=product, actor=joined, event="backlog.member.joined", data={"user": joined.pk}, created_at=ago[2]
    )
    migrate(AFTER)
    yield {"product_id": product.pk, "owner_id": owner.pk, "ago": ago}
    # Leave the database as the rest of the suite expects it (transactional_db flushes rows).


def legacy_link(world, email, role, *, days, carries_time=True) -> str:
    data = {"p": world["product_id"], "e": email, "r": role, "by": world["owner_id"]}
    if carries_time:
        data["t"] = (world["ago"][days] + dt.timedelta(seconds=1)).timestamp()
    return signing.dumps(data, salt=INVITATION_SALT)


def test_invitations_are_rows_in_the_state_history_left_them(old_world):
    from backlog.models import Invitation

    states = {(i.email, i.role): i.state for i in Invitation.objects.all()}
    assert states == {
        ("first@example.com", "developer"): "replaced",
        ("first@example.com", "stakeholder"): "waiting",
        ("gone@example.com", "developer"): "withdrawn",
        ("joined@example.com", "developer"): "accepted",
    }


def test_the_latest_link_sent_before_still_works(old_world):
    link = services.read_invitation(legacy_link(old_world, "first@example.com", "stakeholder", days=4))
    assert link.role == "stakeholder"


def test_an_older_link_to_the_same_address_stays_void(old_world):
    from config.errors import InvalidInput

    with pytest.raises(InvalidInput, match="A newer invitation was sent"):
        services.read_invitation(legacy_link(old_world, "first@example.com", "developer", days=6))


def test_a_withdrawn_link_stays_void(old_world):
    from config.errors import InvalidInput

    with pytest.raises(InvalidInput, match="withdrawn"):
        services.read_invitation(legacy_link(old_world, "gone@example.com", "developer", days=5))


def test_a_link_without_its_time_is_matched_by_its_signature(old_world, monkeypatch):
    import time

    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: old_world["ago"][4].timestamp() + 0.5)
    token = legacy_link(old_world, "first@example.com", "stakeholder", days=4, carries_time=False)
    monkeypatch.setattr(signing.time, "time", real)
    assert services.read_invitation(token).role == "stakeholder"


def test_members_added_without_asking_are_not_accepted_unless_they_signed_in_since(old_world):
    from backlog.models import Membership

    accepted = {m.user.email: m.accepted_at is not None for m in Membership.objects.select_related("user")}
    assert accepted == {
        "po@example.com": True,
        "added@example.com": False,
        "back@example.com": True,  # signed in since they were added
        "joined@example.com": True,
    }
    agreed = {m.user.email for m in Membership.objects.select_related("user") if m.has_agreed}
    assert agreed == {"po@example.com", "back@example.com", "joined@example.com"}


def test_the_migration_goes_back_and_forth(old_world):
    from backlog.models import Invitation

    migrate([("backlog", "0003_invitations")])
    assert migrate(AFTER) and Invitation.objects.count() == 4
