"""What the backlog services share: limits, history and the per-product ranking lock."""

from __future__ import annotations

from django.db import connection

from ..models import (
    HistoryEntry,
    Item,
    Label,
    Product,
)

# Namespace of the PostgreSQL advisory locks that serialise the ranking of one product.
RANK_LOCK_NAMESPACE = 4_2001

ITEM_TEXT_FIELDS = ("title", "description", "why", "acceptance_criteria", "hypothesis")
ITEM_FIELDS = (*ITEM_TEXT_FIELDS, "kind", "status", "estimate", "labels", "parent")
TITLE_MAX = Item._meta.get_field("title").max_length
LABEL_MAX = Label._meta.get_field("name").max_length
# Labels per item. The item form lists them in one field, so its length follows from this.
LABELS_MAX = 50
TEXT_MAX = 20_000
# How messages about an item's text fields start ("A title cannot contain …").
ITEM_FIELD_LABELS = {
    "title": "A title",
    "description": "The description",
    "why": "The why",
    "acceptance_criteria": "The acceptance criteria",
    "hypothesis": "The hypothesis",
}


def record(*, product: Product, by, event: str, item: Item | None = None, **data) -> None:
    """Append one history entry."""
    HistoryEntry.objects.create(product=product, item=item, actor=by, event=event, data=data)


def _lock_ranking(product: Product) -> None:
    """Serialise rank changes of one product until the transaction ends. PostgreSQL: an
    advisory transaction lock. SQLite: the IMMEDIATE transaction already holds the write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RANK_LOCK_NAMESPACE, product.pk])
