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
