"""Items: create, edit (with optimistic concurrency), archive, restore, refinement notes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import InvalidInput, StaleVersion
from config.text import one_line, require_storable, same_text, single_line_error, text_error

from .. import extensions, ranking
from ..models import (
    ESTIMATE_SCALE,
    Item,
    Label,
    Product,
    RefinementNote,
)
from ..permissions import Action, may_create_at_top, may_set_status, require
from .common import (
    ITEM_FIELD_LABELS,
    ITEM_FIELDS,
    ITEM_TEXT_FIELDS,
    LABEL_MAX,
    LABELS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    _lock_ranking,
    record,
)


def _clean_item_fields(
    product: Product, role: str, changes: dict, current: Item | None = None, *, via_board: bool = False
) -> dict:
    """Validate a set of item field changes, naming the field in every error."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(
            f"Unknown field: {', '.join(sorted(unknown))}.",
            fields={name: ["Unknown field."] for name in sorted(unknown)},
        )
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name in ITEM_TEXT_FIELDS:
        if name in changes:
            value = changes[name]
            value = "" if value is None else str(value)
            if name == "title":
                value = value.strip()
                if not value:
                    errors[name] = ["A title is required."]
                elif len(value) > TITLE_MAX:
                    errors[name] = [f"A title has at most {TITLE_MAX} characters."]
                elif problem := single_line_error(value, label=ITEM_FIELD_LABELS[name]):
                    errors[name] = [problem]
            elif len(value) > TEXT_MAX:
                errors[name] = [f"At most {TEXT_MAX} characters."]
            elif problem := text_error(value, label=ITEM_FIELD_LABELS[name]):
                errors[name] = [problem]
            clean[name] = value
    if "kind" in changes:
        if changes["kind"] not in Item.Kind.values:
            errors["kind"] = [f"Choose one of: {', '.join(Item.Kind.values)}."]
        clean["kind"] = changes["kind"]
    if "status" in changes:
        status = changes["status"]
        if status not in Item.Status.values:
            errors["status"] = [f"Choose one of: {', '.join(Item.Status.values)}."]
        elif not may_set_status(role, status, via_board=via_board) and (current is None or current.status != status):
            # Saving an already-ready item unchanged is fine for a developer; setting it is not.
            errors["status"] = [f"Only the product owner may mark an item {status}."]
        clean["status"] = status
    if "estimate" in changes:
        estimate = changes["estimate"]
        if estimate in ("", None):
            estimate = None
        elif (
            isinstance(estimate, bool)
            or not isinstance(estimate, (int, str))
            or str(estimate) not in {str(p) for p in ESTIMATE_SCALE}
        ):
            errors["estimate"] = [f"Estimates are points on the scale {', '.join(map(str, ESTIMATE_SCALE))}, or none."]
        else:
            estimate = int(estimate)
        clean["estimate"] = estimate
    if "labels" in changes:
        labels = changes["labels"] or []
        if isinstance(labels, str) or not all(isinstance(label, str) for label in labels):
            errors["labels"] = ["Labels are a list of names."]
        else:
            names = sorted({label.strip() for label in labels if label.strip()})
            problems = [p for name in names if (p := single_line_error(name, label=f"The label “{one_line(name)}”"))]
            if len(names) > LABELS_MAX:
                errors["labels"] = [f"An item has at most {LABELS_MAX} labels."]
            elif any(len(name) > LABEL_MAX for name in names):
                errors["labels"] = [f"A label has at most {LABEL_MAX} characters."]
            elif any("," in name for name in names):
                # The item form lists labels separated by commas: "a,b" would come back as two.
                errors["labels"] = ["A label cannot contain a comma: commas separate labels."]
            elif problems:
                errors["labels"] = problems[:1]
            clean["labels"] = names
    if "parent" in changes:
        parent = changes["parent"]
        if parent is not None and (not isinstance(parent, Item) or parent.product_id != product.pk):
            errors["parent"] = ["The parent must be an item of the same product."]
        elif parent is not None and current is not None and _descends_from(parent, current):
            errors["parent"] = [f"{parent.key} is {current.key} itself or one of its slices; it cannot be its parent."]
        clean["parent"] = parent
    if errors:
        field, messages = next(iter(errors.items()))
        raise InvalidInput(f"{field}: {messages[0]}", fields=errors)
    return clean


def _descends_from(item: Item, ancestor: Item) -> bool:
    """Whether `item` is `ancestor` or lies below it in the slicing lineage."""
    seen: set[int] = set()
    node_id: int | None = item.pk
    while node_id is not None and node_id not in seen:
        if node_id == ancestor.pk:
            return True
        seen.add(node_id)
        node_id = Item.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()
    return False


def _set_labels(item: Item, names: Iterable[str]) -> None:
    labels = []
    for name in names:
        label, _ = Label.objects.get_or_create(product_id=item.product_id, name=name)
        labels.append(label)
    item.labels.set(labels)


@transaction.atomic
def create_item(*, product: Product, by, title: str, at_top: bool = False, **fields) -> Item:
    """Create an item with the next key (SHOP-43), at the bottom of the backlog, or at the top
    when a product owner asks. Developers may not create ready or discarded items."""
    role = require(by, product, Action.EDIT_ITEMS)
    if at_top and not may_create_at_top(role):
        raise InvalidInput(
            "Only the product owner may put a new item at the top.", fields={"at_top": ["Not allowed for your role."]}
        )
    clean = _clean_item_fields(product, role, {"title": title, **fields})
    labels = clean.pop("labels", [])
    # The row lock of this UPDATE serialises concurrent creations: keys never repeat.
    Product.objects.filter(pk=product.pk).update(last_item_number=F("last_item_number") + 1)
    number = Product.objects.filter(pk=product.pk).values_list("last_item_number", flat=True).get()
    _lock_ranking(product)
    edge = (
        Item.objects.filter(product=product)
        .order_by("rank" if at_top else "-rank")
        .values_list("rank", flat=True)
        .first()
    )
    rank = ranking.rank_between(None, edge) if at_top else ranking.rank_between(edge, None)
    now = timezone.now()
    item = Item.objects.create(
        product=product,
        number=number,
        key=f"{product.key}-{number}",
        rank=rank,
        created_by=by,
        created_at=now,
        updated_at=now,
        **clean,
    )
    if labels:
        _set_labels(item, labels)
    record(product=product, by=by, event="backlog.item.created", item=item, at_top=at_top)
    return item


@transaction.atomic
def update_item(*, item: Item, by, changes: dict, expected_version: int | None = None, via_board: bool = False) -> Item:
    """Edit an item's fields. With `expected_version`, a stale edit is refused (StaleVersion
    carries the item as it is now); every accepted edit bumps the version. `via_board`: the
    change is the status that follows a move on the sprint board (sprints.services.set_column),
    which lets any editor set done or ready."""
    role = require(by, item.product, Action.EDIT_ITEMS, not_found=f"No item {item.key}.")
    # The item's row only: locking the joined product row too deadlocked against a writer that
    # holds the sprint and records history (its foreign keys share-lock product, then item).
    current = Item.objects.select_for_update(of=("self",)).select_related("product").get(pk=item.pk)
    if expected_version is not None and expected_version != current.version:
        raise StaleVersion(
            f"Someone changed {current.key} since you opened it (now version {current.version}).",
            current=current,
        )
    if current.archived_at is not None:
        raise InvalidInput(f"{current.key} is archived; restore it before editing.", code="archived")
    clean = _clean_item_fields(current.product, role, changes, current, via_board=via_board)
    labels = clean.pop("labels", None)
    # A form saved unchanged sends CRLF where the API stored LF: not an edit (no version, no history).
    changed = [name for name, value in clean.items() if not same_text(getattr(current, name), value)]
    for check in extensions.item_edit_checks():
        check(item=current, changes={name: clean[name] for name in changed}, by=by, via_board=via_board)
    for name in changed:
        setattr(current, name, clean[name])
    if labels is not None and sorted(current.labels.values_list("name", flat=True)) != labels:
        _set_labels(current, labels)
        changed.append("labels")
    if not changed:
        return current
    current.version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=[f for f in changed if f != "labels"] + ["version", "updated_at"])
    record(product=current.product, by=by, event="backlog.item.updated", item=current, fields=changed)
    return current


@transaction.atomic
def archive_item(*, item: Item, by) -> Item:
    """Archive (the interface's delete): the item leaves the backlog but keeps its rank."""
    require(by, item.product, Action.RANK, not_found=f"No item {item.key}.")
    current = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if current.archived_at is None:
        current.archived_at = timezone.now()
        current.save(update_fields=["archived_at"])
        record(product=item.product, by=by, event="backlog.item.archived", item=current)
    return current


@transaction.atomic
def restore_item(*, item: Item, by) -> Item:
    """Bring an archived item back where it was: it kept its rank."""
    require(by, item.product, Action.RANK, not_found=f"No item {item.key}.")
    current = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if current.archived_at is not None:
        current.archived_at = None
        current.save(update_fields=["archived_at"])
        record(product=item.product, by=by, event="backlog.item.restored", item=current)
    return current


@transaction.atomic
def add_refinement_note(*, item: Item, by, body: str) -> RefinementNote:
    """Add a refinement note (Markdown) to an item."""
    require(by, item.product, Action.EDIT_ITEMS, not_found=f"No item {item.key}.")
    body = (body or "").strip()
    if not body:
        raise InvalidInput("A note needs some text.", fields={"body": ["Required."]})
    if len(body) > TEXT_MAX:
        raise InvalidInput("The note is too long.", fields={"body": [f"At most {TEXT_MAX} characters."]})
    require_storable(body, field="body", label="A note")
    note = RefinementNote.objects.create(item=item, author=by, body=body)
    record(product=item.product, by=by, event="backlog.item.noted", item=item, note=note.pk)
    return note
