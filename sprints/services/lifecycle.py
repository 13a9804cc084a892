"""Planning, the board and closing: the sprint from planned to closed."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone

from backlog import services as backlog_services
from backlog.models import Item, Product, ProductGoal
from backlog.permissions import Action, require
from backlog.services import record
from config.errors import InvalidInput, StaleVersion
from config.text import same_text

from ..models import Sprint, SprintEvent, SprintItem
from .common import (
    OPEN,
    PLACEMENTS,
    SPRINT_FIELD_LABELS,
    SPRINT_FIELDS,
    _as_date,
    _check_dates,
    _check_product_goal,
    _check_text,
    _invalid,
    _locked_sprint,
    _points,
)


@transaction.atomic
def create_sprint(
    *,
    product: Product,
    by,
    start_date: datetime.date,
    end_date: datetime.date,
    goal: str = "",
    product_goal: ProductGoal | None = None,
) -> Sprint:
    """Plan the product's next sprint (numbered last + 1). The end may not come before the start;
    the goal may wait until the sprint starts."""
    require(by, product, Action.PLAN_SPRINTS)
    start_date = _as_date(start_date, "start_date")
    end_date = _as_date(end_date, "end_date")
    _check_dates(start_date, end_date)
    goal = _check_text(goal, "goal", label=SPRINT_FIELD_LABELS["goal"])
    _check_product_goal(product, product_goal)
    # Numbers are handed out under the product's row lock, so two planners never share one.
    Product.objects.select_for_update(no_key=True).filter(pk=product.pk).first()
    number = (Sprint.objects.filter(product=product).aggregate(last=Max("number"))["last"] or 0) + 1
    sprint = Sprint.objects.create(
        product=product,
        number=number,
        start_date=start_date,
        end_date=end_date,
        goal=goal,
        product_goal=product_goal,
    )
    record(product=product, by=by, event="sprints.sprint.created", sprint=sprint.pk, number=number)
    return sprint


@transaction.atomic
def update_sprint(*, sprint: Sprint, by, changes: dict, expected_version: int | None = None) -> Sprint:
    """Edit a sprint's goal, dates, product goal or review notes. A closed sprint takes review
    notes only (its plan is history); an active one cannot lose its goal. With
    `expected_version`, a stale edit is refused; every accepted edit bumps the version."""
    require(by, sprint.product, Action.PLAN_SPRINTS)
    unknown = set(changes) - set(SPRINT_FIELDS)
    if unknown:
        raise InvalidInput(
            f"Unknown field: {', '.join(sorted(unknown))}.",
            fields={name: ["Unknown field."] for name in sorted(unknown)},
        )
    current = _locked_sprint(sprint)
    if expected_version is not None and expected_version != current.version:
        raise StaleVersion(
            f"Someone changed {current} since you opened it (now version {current.version}).", current=current
        )
    if current.status == Sprint.Status.CLOSED:
        frozen = sorted(set(changes) - {"review_notes"})
        if frozen:
            message = "A closed sprint keeps its plan; only the review notes can change."
            raise InvalidInput(message, code="sprint_closed", fields={name: [message] for name in frozen})
    clean: dict = {}
    for name in ("goal", "review_notes"):
        if name in changes:
            clean[name] = _check_text(changes[name], name, label=SPRINT_FIELD_LABELS[name])
    if "goal" in clean and not clean["goal"] and current.status == Sprint.Status.ACTIVE:
        raise _invalid("goal", "An active sprint keeps a sprint goal.")
    for name in ("start_date", "end_date"):
        if name in changes:
            clean[name] = _as_date(changes[name], name)
    _check_dates(clean.get("start_date", current.start_date), clean.get("end_date", current.end_date))
    if current.status == Sprint.Status.ACTIVE and "start_date" in clean and current.started_at is not None:
        started = timezone.localdate(current.started_at)
        if clean["start_date"] > max(started, current.start_date):
            # Its burndown counts from the start date: a later one would hide days already worked.
            raise _invalid("start_date", f"{current} started on {started:%-d %b %Y}; its start date cannot move later.")
    if "product_goal" in changes:
        clean["product_goal"] = _check_product_goal(
            sprint.product, changes["product_goal"], current_id=current.product_goal_id
        )
    values_now = {name: getattr(current, name) for name in clean if name != "product_goal"}
    values_now["product_goal"] = current.product_goal_id
    # A form saved unchanged sends CRLF where the API stored LF: not an edit (no version bump).
    changed = [
        name
        for name, value in clean.items()
        if not same_text(values_now[name], getattr(value, "pk", None) if name == "product_goal" else value)
    ]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, clean[name])
    current.version += 1
    current.save(update_fields=[*changed, "version"])
    record(product=sprint.product, by=by, event="sprints.sprint.updated", sprint=current.pk, fields=changed)
    return current


def _open_sprint_item(item: Item) -> SprintItem | None:
    """The item's live membership of a planned or active sprint, if any."""
    return (
        SprintItem.objects.select_related("sprint")
        .filter(
            item=item,
            removed_at__isnull=True,
            sprint__status__in=OPEN,
        )
        .first()
    )


@transaction.atomic
def add_to_sprint(*, sprint: Sprint, item: Item, by) -> SprintItem:
    """Put an item in a planned sprint (committed when it starts), or add it to an active one
    (recorded as added scope, with who and when). Refused for a closed sprint, an item of
    another product, an archived, done or discarded item, or one already in an open sprint."""
    require(by, sprint.product, Action.PLAN_SPRINTS)
    current = _locked_sprint(sprint)
    if current.status == Sprint.Status.CLOSED:
        raise _invalid("sprint", f"{current} is closed; plan the item into an open sprint.", code="sprint_closed")
    if not isinstance(item, Item) or item.product_id != current.product_id:
        raise _invalid("item", "Choose an item of this product's backlog.")
    # The item's row lock serialises two planners adding the same item to two sprints.
    fresh = Item.objects.select_for_update(of=("self",)).filter(pk=item.pk).first()
    if fresh is None:
        raise _invalid("item", "Choose an item of this product's backlog.")
    if fresh.archived_at is not None:
        raise _invalid("item", f"{fresh.key} is archived; restore it before planning it.", code="archived")
    if fresh.status in (Item.Status.DONE, Item.Status.DISCARDED):
        raise _invalid("item", f"{fresh.key} is {fresh.get_status_display().lower()}; there is no work left in it.")
    elsewhere = _open_sprint_item(fresh)
    if elsewhere is not None:
        where = "this sprint" if elsewhere.sprint_id == current.pk else f"Sprint {elsewhere.sprint.number}"
        raise _invalid("item", f"{fresh.key} is already in {where}.", code="already_planned")
    active = current.status == Sprint.Status.ACTIVE
    now = timezone.now()
    # An item removed from this active sprint earlier and added again reuses its row.
    sprint_item, _ = SprintItem.objects.update_or_create(
        sprint=current,
        item=fresh,
        defaults={
            "committed": not active,
            "column": SprintItem.Column.TODO,
            "added_at": now,
            "added_by": by,
            "removed_at": None,
            "removed_by": None,
        },
    )
    if active:
        SprintEvent.objects.create(
            sprint=current, item=fresh, kind=SprintEvent.Kind.ADDED, points=fresh.estimate, at=now, by=by
        )
    record(
        product=current.product,
        by=by,
        event="sprints.item.added",
        item=fresh,
        sprint=current.pk,
        mid_sprint=active,
    )
    sprint_item.item = fresh
    return sprint_item


def _live_sprint_item(sprint: Sprint, item: Item) -> SprintItem:
    sprint_item = (
        SprintItem.objects.select_related("item", "item__product")
        .filter(sprint=sprint, item_id=getattr(item, "pk", None), removed_at__isnull=True)
        .first()
    )
    if sprint_item is None:
        raise _invalid("item", f"{getattr(item, 'key', 'That item')} is not in {sprint}.", code="not_in_sprint")
    return sprint_item


@transaction.atomic
def remove_from_sprint(*, sprint: Sprint, item: Item, by) -> None:
    """Take an item out of a sprint: while planning it simply leaves; from an active sprint its
    remaining work is recorded as removed scope. An item in Done stays (its points are the
    sprint's done work), and a closed sprint's items are history."""
    require(by, sprint.product, Action.PLAN_SPRINTS)
    current = _locked_sprint(sprint)
    if current.status == Sprint.Status.CLOSED:
        raise _invalid("sprint", f"{current} is closed; its items are part of its record.", code="sprint_closed")
    sprint_item = _live_sprint_item(current, item)
    if current.status == Sprint.Status.PLANNED:
        sprint_item.delete()
    else:
        if sprint_item.column == SprintItem.Column.DONE:
            # Its points count as done in this sprint; taking it out would drop them from every record.
            raise _invalid(
                "item",
                f"{sprint_item.item.key} is done in {current}, and its points count there. "
                "To take it out, move it out of Done first.",
                code="item_done",
            )
        now = timezone.now()
        sprint_item.removed_at = now
        sprint_item.removed_by = by
        sprint_item.save(update_fields=["removed_at", "removed_by"])
        SprintEvent.objects.create(
            sprint=current,
            item=sprint_item.item,
            kind=SprintEvent.Kind.REMOVED,
            points=sprint_item.item.estimate,
            at=now,
            by=by,
        )
    record(
        product=current.product,
        by=by,
        event="sprints.item.removed",
        item=sprint_item.item,
        sprint=current.pk,
        mid_sprint=current.status == Sprint.Status.ACTIVE,
    )


def _live_items(sprint: Sprint) -> list[SprintItem]:
    return list(
        SprintItem.objects.select_related("item", "item__product")
        .filter(sprint=sprint, removed_at__isnull=True)
        .order_by("item__rank")
    )


@transaction.atomic
def start_sprint(*, sprint: Sprint, by) -> Sprint:
    """Start a planned sprint: it needs a sprint goal, and no other sprint of the product may be
    active. Each item's estimate is recorded as committed work."""
    require(by, sprint.product, Action.PLAN_SPRINTS)
    # The product's row lock serialises two starts in the product; the one_active_sprint
    # constraint backs it. FOR NO KEY UPDATE, as for numbering: a plain FOR UPDATE also blocks
    # the foreign-key checks of history rows, and an item edit that holds the item (which the
    # committed events below share-lock) and writes history deadlocked with a start.
    Product.objects.select_for_update(no_key=True).filter(pk=sprint.product_id).first()
    current = _locked_sprint(sprint)
    if current.status != Sprint.Status.PLANNED:
        raise _invalid("sprint", f"{current} is {current.get_status_display().lower()}; only a planned sprint starts.")
    if not current.goal.strip():
        raise _invalid("goal", "Set a sprint goal before starting: why is this sprint worth doing?", code="no_goal")
    other = Sprint.objects.filter(product_id=current.product_id, status=Sprint.Status.ACTIVE).first()
    message = "Sprint {} is still active; close it before starting another."
    if other is not None:
        raise _invalid("sprint", message.format(other.number), code="sprint_active")
    now = timezone.now()
    current.status = Sprint.Status.ACTIVE
    current.started_at = now
    current.started_by = by
    try:
        with transaction.atomic():
            current.save(update_fields=["status", "started_at", "started_by"])
    except IntegrityError:
        raise _invalid(
            "sprint", "Another sprint of this product is active; close it first.", code="sprint_active"
        ) from None
    sprint_items = _live_items(current)
    SprintEvent.objects.bulk_create(
        SprintEvent(
            sprint=current, item=si.item, kind=SprintEvent.Kind.COMMITTED, points=si.item.estimate, at=now, by=by
        )
        for si in sprint_items
    )
    SprintItem.objects.filter(pk__in=[si.pk for si in sprint_items]).update(committed=True)
    record(
        product=current.product,
        by=by,
        event="sprints.sprint.started",
        sprint=current.pk,
        number=current.number,
        committed_points=sum(_points(si.item.estimate) for si in sprint_items),
    )
    return current


def check_item_edit(*, item: Item, changes: dict, by, via_board: bool) -> None:
    """What an item edit means to the open sprint the item is in (backlog.extensions calls this
    inside the edit's transaction). The board owns an active sprint's item's done-ness: done and
    reopened only there. A change of estimate mid-sprint is recorded as scope added or removed,
    and refused for an item in Done, whose points already count as done. An item in a sprint is
    not discarded, nor marked done while planned: take it out of the sprint first."""
    if via_board or not {"status", "estimate"} & changes.keys():
        return
    sprint_item = _open_sprint_item(item)
    if sprint_item is None:
        return
    sprint = sprint_item.sprint
    status = changes.get("status")
    if status == Item.Status.DISCARDED or (status == Item.Status.DONE and sprint.status == Sprint.Status.PLANNED):
        doing = "discarding" if status == Item.Status.DISCARDED else "marking it done"
        message = f"{item.key} is in {sprint}: take it out of the sprint before {doing} it."
        raise _invalid("status", message, code="in_sprint")
    if sprint.status != Sprint.Status.ACTIVE:
        return
    if status is not None and Item.Status.DONE in (status, item.status):
        where = "to Done" if status == Item.Status.DONE else "out of Done"
        raise _invalid("status", f"{item.key} is on the board of {sprint}: move it {where} there.", code="in_sprint")
    if "estimate" not in changes:
        return
    if sprint_item.column == SprintItem.Column.DONE:
        raise _invalid(
            "estimate",
            f"{item.key} is done in {sprint}, counted at {_points(item.estimate)} points. "
            "Move it out of Done to re-estimate it.",
            code="in_sprint",
        )
    change = _points(changes["estimate"]) - _points(item.estimate)
    if change:
        _lock_for_reestimate(sprint)
        SprintEvent.objects.create(
            sprint=sprint,
            item=item,
            kind=SprintEvent.Kind.ADDED if change > 0 else SprintEvent.Kind.REMOVED,
            points=abs(change),
            reestimate=True,
            by=by,
        )


def _lock_for_reestimate(sprint: Sprint) -> None:
    """The sprint's row lock, so the event cannot land in a sprint that is closing. The edit
    already holds the item's lock, and the board and the close take the sprint's lock before an
    item's: waiting here could deadlock, so a sprint busy this instant is a clear refusal."""
    try:
        with transaction.atomic():
            still_active = (
                Sprint.objects.select_for_update(nowait=True, of=("self",))
                .filter(pk=sprint.pk, status=Sprint.Status.ACTIVE)
                .exists()
            )
    except OperationalError:
        still_active = None
    if not still_active:
        raise _invalid(
            "estimate",
            f"{sprint} is changing right now (a move on its board, or its close); try again.",
            code="sprint_busy",
        )


# --- The board -----------------------------------------------------------------------------------


@transaction.atomic
def set_column(*, sprint: Sprint, item: Item, by, column: str) -> SprintItem:
    """Move an item across the active sprint's board. Into Done records the item's points as
    done and makes the item done; out of Done records it reopened and makes it ready again."""
    require(by, sprint.product, Action.EDIT_ITEMS)
    if column not in SprintItem.Column.values:
        raise _invalid("column", f"Choose one of: {', '.join(SprintItem.Column.values)}.")
    current = _locked_sprint(sprint)
    if current.status != Sprint.Status.ACTIVE:
        raise _invalid("sprint", f"{current} is not active; its board cannot change.", code="sprint_not_active")
    sprint_item = _live_sprint_item(current, item)
    old = sprint_item.column
    if old == column:
        return sprint_item
    done = SprintItem.Column.DONE
    now = timezone.now()
    kind = SprintEvent.Kind.DONE if column == done else SprintEvent.Kind.REOPENED if old == done else None
    if kind is not None:
        status = Item.Status.DONE if column == done else Item.Status.READY
        # The item's status follows its column, through the same service as every edit.
        fresh = backlog_services.update_item(item=sprint_item.item, by=by, changes={"status": status}, via_board=True)
        SprintEvent.objects.create(sprint=current, item=fresh, kind=kind, points=fresh.estimate, at=now, by=by)
        sprint_item.item = fresh
    sprint_item.column = column
    sprint_item.save(update_fields=["column"])
    record(
        product=current.product,
        by=by,
        event="sprints.item.column_changed",
        item=sprint_item.item,
        sprint=current.pk,
        old=old,
        new=column,
    )
    return sprint_item


# --- Closing -------------------------------------------------------------------------------------


def next_planned(product_id: int) -> Sprint | None:
    """The planned sprint with the lowest number (the one unfinished work can go to)."""
    return Sprint.objects.filter(product_id=product_id, status=Sprint.Status.PLANNED).order_by("number").first()


def _event_totals(sprint: Sprint) -> dict[str, int]:
    totals = dict.fromkeys(SprintEvent.Kind.values, 0)
    for kind, points in SprintEvent.objects.filter(sprint=sprint).values_list("kind", "points"):
        totals[kind] += _points(points)
    return totals


def _removed_items(sprint: Sprint) -> list[dict]:
    """The items taken out of the active sprint (and not put back), in the order they left, each
    with the points its removal took out of the sprint. Two queries."""
    taken_out = (
        SprintItem.objects.select_related("item")
        .filter(sprint=sprint, removed_at__isnull=False)
        .order_by("removed_at", "pk")
    )
    removal_points = dict(
        SprintEvent.objects.filter(sprint=sprint, kind=SprintEvent.Kind.REMOVED, reestimate=False)
        .order_by("at", "pk")
        .values_list("item_id", "points")
    )  # an item taken out twice (put back in between) keeps its last removal's points
    return [
        {"key": si.item.key, "title": si.item.title, "estimate": removal_points.get(si.item_id, si.item.estimate)}
        for si in taken_out
    ]


@transaction.atomic
def close_sprint(
    *,
    sprint: Sprint,
    by,
    goal_outcome: str,
    goal_note: str = "",
    placements: dict[str, str] | None = None,
) -> Sprint:
    """Close the active sprint: say whether its goal was met, place each unfinished item (by its
    key: "top" of the backlog, the default, keeping sprint order; "next" planned sprint; or
    "keep" its old position), and freeze the outcome. An item archived during the sprint stays
    archived and is recorded as placed "archived". The outcome also names the items taken out
    while the sprint ran. Refused as a whole, with nothing changed, when an item is to go to a
    next sprint that does not exist (or an archived one is to go there)."""
    require(by, sprint.product, Action.PLAN_SPRINTS)
    if goal_outcome not in Sprint.GoalOutcome.values:
        raise _invalid("goal_outcome", "Was the sprint goal met? Choose met, partly or not met.")
    goal_note = _check_text(goal_note, "goal_note", label="The note on the goal")
    placements = placements if placements is not None else {}
    if not isinstance(placements, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in placements.items()
    ):
        raise _invalid("placements", "Placements map item keys to top, next or keep.")
    current = _locked_sprint(sprint)
    if current.status != Sprint.Status.ACTIVE:
        raise _invalid("sprint", f"{current} is {current.get_status_display().lower()}; only an active sprint closes.")

    sprint_items = _live_items(current)
    done = [si for si in sprint_items if si.column == SprintItem.Column.DONE]
    unfinished = [si for si in sprint_items if si.column != SprintItem.Column.DONE]
    keys = {si.item.key for si in unfinished}
    given, placements = placements, {}
    for key, value in given.items():
        if placements.setdefault(key.upper(), value) != value:
            # "shop-9" and "SHOP-9" are one item: two different places for it is no choice.
            raise _invalid("placements", f"Placements: {key.upper()} is given twice, at different places.")
    unknown = sorted(set(placements) - keys)
    bad = sorted(key for key, value in placements.items() if value not in PLACEMENTS)
    if unknown or bad:
        parts = []
        if unknown:
            parts.append(f"not unfinished items of {current}: {', '.join(unknown)}")
        if bad:
            parts.append(f"place {', '.join(bad)} at top, next or keep")
        raise _invalid("placements", "Placements: " + "; ".join(parts) + ".")
    chosen = {si.item.key: placements.get(si.item.key, "top") for si in unfinished}
    target = None
    if "next" in chosen.values():
        target = next_planned(current.product_id)
        if target is None:
            going = ", ".join(key for key, value in chosen.items() if value == "next")
            raise _invalid(
                "placements",
                f"There is no planned sprint for {going} to go to: plan the next sprint first, "
                "or put the item back in the backlog.",
                code="no_next_sprint",
            )
    for si in unfinished:
        if si.item.archived_at is not None:
            if chosen[si.item.key] == "next":
                raise _invalid("placements", f"{si.item.key} is archived; restore it or keep it where it is.")
            # It has no place in the backlog to go back to: the outcome says so, not "keep".
            chosen[si.item.key] = "archived"

    # Top of the backlog in sprint order: the first to position 1, each next one below it.
    previous = None
    for si in unfinished:
        placement = chosen[si.item.key]
        if placement == "top":
            if previous is None:
                backlog_services.move_item(item=si.item, by=by, position=1, for_sprint_close=True)
            else:
                backlog_services.move_item(item=si.item, by=by, after=previous, for_sprint_close=True)
            previous = si.item
        elif placement == "next":
            SprintItem.objects.create(sprint=target, item=si.item, committed=True, added_by=by)
            record(product=current.product, by=by, event="sprints.item.added", item=si.item, sprint=target.pk)

    totals = _event_totals(current)
    current.outcome = {
        "committed_points": totals[SprintEvent.Kind.COMMITTED],
        "added_points": totals[SprintEvent.Kind.ADDED],
        "removed_points": totals[SprintEvent.Kind.REMOVED],
        "completed_points": sum(_points(si.item.estimate) for si in done),
        "done": [{"key": si.item.key, "title": si.item.title, "estimate": si.item.estimate} for si in done],
        "not_done": [
            {"key": si.item.key, "title": si.item.title, "estimate": si.item.estimate, "placed": chosen[si.item.key]}
            for si in unfinished
        ],
        "removed": _removed_items(current),
    }
    current.status = Sprint.Status.CLOSED
    current.goal_outcome = goal_outcome
    current.goal_note = goal_note
    current.closed_at = timezone.now()
    current.closed_by = by
    current.save(update_fields=["outcome", "status", "goal_outcome", "goal_note", "closed_at", "closed_by"])
    record(
        product=current.product,
        by=by,
        event="sprints.sprint.closed",
        sprint=current.pk,
        number=current.number,
        goal_outcome=goal_outcome,
        completed_points=current.outcome["completed_points"],
        placements=chosen,
    )
    return current
