"""Throwaway benchmark data: a product owner and products of any size, bulk-created with evenly
spaced ranks (10,000 service calls would only measure item creation)."""

from __future__ import annotations

import random
import time

from django.db import connection

from accounts.models import ApiToken, User
from accounts.tokens import digest, new_secret
from backlog import ranking, services
from backlog.models import ESTIMATE_SCALE, Item, Label, Product

WORDS = (  # noqa: SIM905 - a sentence of words reads better than a column of them
    "checkout basket payment refund invoice search filter catalogue review rating wishlist coupon "
    "shipping tracking returns account login address newsletter stock warehouse export report"
).split()
LABELS = ("mobile", "payments", "ux", "tech-debt", "security", "seo")


def stamp() -> str:
    """A short base-36 stamp, so each run's products and users are new."""
    number, digits = int(time.time() * 10), "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text[-7:]


def make_owner(tag: str) -> User:
    return User.objects.create_user(email=f"bench-{tag.lower()}@example.com", password=None, display_name="Bench PO")


def make_token(user: User) -> str:
    """A personal API token for the user; returns the secret."""
    secret = new_secret()
    ApiToken.objects.create(user=user, name="bench", digest=digest(secret), prefix=secret[:8])
    return secret


def build_product(*, owner: User, key: str, count: int, seed: int) -> Product:
    """A product whose backlog holds `count` items with labels, estimates and statuses."""
    rng = random.Random(seed)
    product = services.create_product(by=owner, key=key, name=f"Bench {count}")
    ranks = ranking.initial_ranks(count)
    items = [
        Item(
            product=product,
            number=n,
            key=f"{key}-{n}",
            title=" ".join(rng.choices(WORDS, k=4)).capitalize(),
            description="As a shopper I want to " + " ".join(rng.choices(WORDS, k=12)) + ".",
            why="So that " + " ".join(rng.choices(WORDS, k=6)) + ".",
            kind=rng.choice(Item.Kind.values),
            status=rng.choice(Item.Status.values[:3]),
            estimate=rng.choice([None, *ESTIMATE_SCALE[:7]]),
            rank=ranks[n - 1],
            created_by=owner,
        )
        for n in range(1, count + 1)
    ]
    Item.objects.bulk_create(items, batch_size=2000)
    labels = [Label.objects.create(product=product, name=name) for name in LABELS]
    through = Item.labels.through
    links = [
        through(item_id=item.pk, label_id=label.pk)
        for item in items
        for label in rng.sample(labels, rng.choice([0, 0, 1, 1, 2]))
    ]
    through.objects.bulk_create(links, batch_size=5000)
    Product.objects.filter(pk=product.pk).update(last_item_number=count)
    with connection.cursor() as cursor:
        # As after any bulk load: fresh planner statistics and visibility map.
        cursor.execute(f"VACUUM ANALYZE {Item._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {through._meta.db_table}")
    return product


# --- Digests: a product with a sprint history, and its members -----------------------------------


def build_digest_product(*, owner: User, key: str, name: str, count: int, seed: int, today) -> Product:
    """A product as a digest reads it: `count` items (a sixth done, a few discarded, a few
    unestimated, one of each near the top), an active product goal, four closed sprints with
    frozen outcomes (forecasts need three), the last closed two days ago with review notes and
    feedback that became items, and an active sprint with committed work."""
    import datetime as dt

    from backlog.models import ProductGoal
    from sprints.models import Feedback, Sprint, SprintEvent, SprintItem

    rng = random.Random(seed)
    product = build_product(owner=owner, key=key, count=count, seed=seed)
    Product.objects.filter(pk=product.pk).update(name=name)
    product.name = name
    items = list(Item.objects.filter(product=product).order_by("number"))
    for item in items:
        item.estimate = None if item.number % 97 == 4 else rng.choice((1, 2, 3, 3, 5, 5, 8, 13))
        if item.number % 6 == 2:
            item.status = Item.Status.DONE
        elif item.number % 41 == 0:
            item.status = Item.Status.DISCARDED
    Item.objects.bulk_update(items, ["estimate", "status"], batch_size=1000)
    done = [item for item in items if item.status == Item.Status.DONE]
    open_items = [item for item in items if item.status not in (Item.Status.DONE, Item.Status.DISCARDED)]

    goal = ProductGoal.objects.create(
        product=product,
        title="Checkout people finish",
        description="Raise **checkout completion** from 61% to 70% by the end of the quarter.\n\n"
        "- one-page checkout\n- saved payment methods",
        created_by=owner,
    )
    sprints = []
    for number in range(1, 5):
        end = today - dt.timedelta(days=2 + 14 * (4 - number))
        finished = done[(number - 1) * 5 : number * 5]
        unfinished = rng.sample(open_items[20:], 2)
        placements = ("top", "next")
        completed = sum(item.estimate or 0 for item in finished)
        added = finished[0].estimate or 0
        outcome = {
            "committed_points": completed - added + sum(item.estimate or 0 for item in unfinished),
            "added_points": added,
            "removed_points": 0,
            "completed_points": completed,
            "done": [{"key": i.key, "title": i.title, "estimate": i.estimate} for i in finished],
            "not_done": [
                {"key": i.key, "title": i.title, "estimate": i.estimate, "placed": placed}
                for i, placed in zip(unfinished, placements, strict=True)
            ],
        }
        closed_at = dt.datetime.combine(end, dt.time(16), tzinfo=dt.UTC)
        sprints.append(
            Sprint(
                product=product,
                number=number,
                start_date=end - dt.timedelta(days=13),
                end_date=end,
                goal=f"Sprint {number}: " + " ".join(rng.choices(WORDS, k=6)),
                product_goal=goal,
                status=Sprint.Status.CLOSED,
                started_at=closed_at - dt.timedelta(days=13, hours=7),
                started_by=owner,
                closed_at=closed_at,
                closed_by=owner,
                goal_outcome=rng.choice(Sprint.GoalOutcome.values),
                goal_note="The payment provider's sandbox was down for two days.",
                outcome=outcome,
                review_notes="Shown: the new **basket**. Stakeholders asked for\n\n- coupon codes\n- a guest checkout",
            )
        )
    start = today - dt.timedelta(days=1)
    sprints.append(
        Sprint(
            product=product,
            number=5,
            start_date=start,
            end_date=start + dt.timedelta(days=13),
            goal="Guest checkout for first-time shoppers",
            product_goal=goal,
            status=Sprint.Status.ACTIVE,
            started_at=dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC),
            started_by=owner,
        )
    )
    Sprint.objects.bulk_create(sprints)
    active, last_closed = sprints[-1], sprints[-2]
    committed = open_items[:8]
    SprintItem.objects.bulk_create(SprintItem(sprint=active, item=item, added_by=owner) for item in committed)
    SprintEvent.objects.bulk_create(
        SprintEvent(sprint=active, item=item, kind=SprintEvent.Kind.COMMITTED, points=item.estimate, by=owner)
        for item in committed
    )
    Feedback.objects.bulk_create(
        Feedback(
            sprint=last_closed,
            author=owner,
            body=f"Could we {' '.join(rng.choices(WORDS, k=5))}?",
            became=item,
            created_at=last_closed.closed_at - dt.timedelta(hours=2),
        )
        for item in open_items[30:32]
    )
    return product


def add_members(*, product: Product, emails: list[str], role: str, joined) -> list[User]:
    """Members of the product (bulk-created users in UTC, no usable password) who joined at
    `joined`."""
    from django.contrib.auth.hashers import make_password

    from backlog.models import Membership

    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=email, display_name=email.split("@")[0].replace("-", " ").title(), password=password)
            for email in emails
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(product=product, user=user, role=role, created_at=joined) for user in users], batch_size=1000
    )
    return users
