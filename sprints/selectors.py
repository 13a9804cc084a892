"""Reads of sprints shared by the HTML pages, the API and digests. Each runs a constant number of
queries whatever the number of items, cards or sprints; the numbers of a sprint come from its
events (and, once closed, from its frozen outcome), never from today's state of its items."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from backlog.models import Item, Label, Product, ProductGoal
from backlog.permissions import Action, can, require
from config.errors import NotFound

from .models import ActionItem, Feedback, HypothesisOutcome, RetroCard, Sprint, SprintEvent, SprintItem
from .services import VOTES_PER_MEMBER

OPEN_STATUSES = (Sprint.Status.PLANNED, Sprint.Status.ACTIVE)
CAPACITY_HISTORY = 3


# A sprint's start and end are calendar dates; its "today" and the day of each event are counted
# in the current time zone: the signed-in user's on pages and in the API (see accounts), the
# member's in their digest, UTC elsewhere.


def _labels() -> Prefetch:
    return Prefetch("item__labels", queryset=Label.objects.order_by("name"))


# --- Sprints -------------------------------------------------------------------------------------


def sprints_of(product: Product) -> QuerySet[Sprint]:
    """The product's sprints, newest first, with their product goals and live item counts."""
    return (
        Sprint.objects.filter(product=product)
        .select_related("product", "product_goal")
        .annotate(item_count=Count("sprint_items", filter=Q(sprint_items__removed_at__isnull=True)))
        .order_by("-number")
    )


def active_sprint(product: Product) -> Sprint | None:
    """The product's active sprint, or None."""
    return (
        Sprint.objects.filter(product=product, status=Sprint.Status.ACTIVE)
        .select_related("product", "product_goal")
        .first()
    )


def next_planned_sprint(product: Product) -> Sprint | None:
    """The planned sprint with the lowest number (where unfinished work can go), or None."""
    return (
        Sprint.objects.filter(product=product, status=Sprint.Status.PLANNED)
        .select_related("product", "product_goal")
        .order_by("number")
        .first()
    )


def sprint_for_user(user, sprint_id, action: Action = Action.READ) -> Sprint:
    """The sprint with this id and its product, if the user may take the action on the
    product; NotFound for unknown sprints and non-members (Forbidden for a member without the
    right, NotFound where the action is hidden, as for retrospectives)."""
    try:
        pk = int(sprint_id)
    except (TypeError, ValueError):
        raise NotFound(f"No sprint {sprint_id}.") from None
    sprint = Sprint.objects.select_related("product", "product_goal").filter(pk=pk).first()
    if sprint is None:
        raise NotFound(f"No sprint {sprint_id}.")
    require(user, sprint.product, action, not_found=f"No sprint {sprint_id}.")
    return sprint


def sprint_items(sprint: Sprint, *, include_removed: bool = False) -> QuerySet[SprintItem]:
    """The sprint's live items (with `include_removed`, removed scope too) in backlog order, with items and labels."""
    rows = SprintItem.objects.filter(sprint=sprint)
    if not include_removed:
        rows = rows.filter(removed_at__isnull=True)
    return (
        rows.select_related("item", "item__product", "added_by", "removed_by")
        .prefetch_related(_labels())
        .order_by("item__rank")
    )


# --- The board -----------------------------------------------------------------------------------


@dataclass
class BoardColumn:
    key: str  # a SprintItem.Column value
    label: str
    sprint_items: list[SprintItem] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(si.item.estimate or 0 for si in self.sprint_items)


def board(sprint: Sprint) -> list[BoardColumn]:
    """The sprint's live items by column (To do, In progress, Done), each in backlog order."""
    columns = {key: BoardColumn(key, label) for key, label in SprintItem.Column.choices}
    for sprint_item in sprint_items(sprint):
        columns[sprint_item.column].sprint_items.append(sprint_item)
    return list(columns.values())


@dataclass(frozen=True)
class SprintSummary:
    days_left: int | None  # None unless active: whole days from today to the end date
    committed_points: int
    added_points: int
    removed_points: int
    done_points: int
    remaining_points: int

    @property
    def scope_points(self) -> int:
        """Committed, plus added, less removed: the work the sprint holds now."""
        return self.committed_points + self.added_points - self.removed_points


def _totals(sprint: Sprint) -> dict[str, int]:
    totals = dict.fromkeys(SprintEvent.Kind.values, 0)
    for kind, points in SprintEvent.objects.filter(sprint=sprint).values_list("kind", "points"):
        totals[kind] += points or 0
    return totals


def sprint_summary(sprint: Sprint, today: datetime.date | None = None) -> SprintSummary:
    """Days left, committed, added, removed, done and remaining points: from the frozen outcome
    of a closed sprint, the events of an active one, and the plan of a planned one."""
    if sprint.status == Sprint.Status.CLOSED and sprint.outcome:
        outcome = sprint.outcome
        done = outcome["completed_points"]
        remaining = sum(entry["estimate"] or 0 for entry in outcome["not_done"])
        return SprintSummary(
            None, outcome["committed_points"], outcome["added_points"], outcome["removed_points"], done, remaining
        )
    if sprint.status == Sprint.Status.PLANNED:
        planned = sum(si.item.estimate or 0 for si in SprintItem.objects.filter(sprint=sprint).select_related("item"))
        return SprintSummary(None, planned, 0, 0, 0, planned)
    totals = _totals(sprint)
    done = totals[SprintEvent.Kind.DONE] - totals[SprintEvent.Kind.REOPENED]
    scope = totals[SprintEvent.Kind.COMMITTED] + totals[SprintEvent.Kind.ADDED] - totals[SprintEvent.Kind.REMOVED]
    days_left = max((sprint.end_date - (today or timezone.localdate())).days, 0)
    return SprintSummary(
        days_left,
        totals[SprintEvent.Kind.COMMITTED],
        totals[SprintEvent.Kind.ADDED],
        totals[SprintEvent.Kind.REMOVED],
        done,
        scope - done,
    )


# --- Burndown ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeChange:
    key: str
    points: int
    reestimate: bool = False  # the item's estimate changed (by `points`), not its place in the sprint


@dataclass
class BurndownDay:
    date: datetime.date
    remaining: int | None  # at the end of the day; None after the day a sprint closed early
    ideal: float  # at the end of the day
    working_day: bool
    added: list[ScopeChange] = field(default_factory=list)
    removed: list[ScopeChange] = field(default_factory=list)


@dataclass(frozen=True)
class Burndown:
    committed_points: int
    days: list[BurndownDay]

    @property
    def max_points(self) -> int:
        """The top of the chart's scale."""
        return max([self.committed_points, *(day.remaining or 0 for day in self.days)], default=0)


# What each kind of event does to the remaining work.
_EFFECT = {
    SprintEvent.Kind.COMMITTED: 1,
    SprintEvent.Kind.ADDED: 1,
    SprintEvent.Kind.REMOVED: -1,
    SprintEvent.Kind.DONE: -1,
    SprintEvent.Kind.REOPENED: 1,
}


def burndown(sprint: Sprint, today: datetime.date | None = None) -> Burndown:
    """Remaining points at the end of each day (in the current time zone) from the start to the
    end date (to `today` for an active sprint), against the ideal line: committed points falling
    evenly to zero over the working days (Monday to Friday). Scope changes are listed on their
    day. Only events are used, so a closed sprint's burndown never moves; events before the start
    count on the first day, events after the last day shown on the last. A sprint closed before
    its end date has no remaining points after the day it closed: nothing was left to burn."""
    if sprint.status == Sprint.Status.PLANNED:
        return Burndown(0, [])
    last = sprint.end_date
    if sprint.status == Sprint.Status.ACTIVE:
        last = max(min(today or timezone.localdate(), sprint.end_date), sprint.start_date)
    closed_on = None
    if sprint.status == Sprint.Status.CLOSED and sprint.closed_at is not None:
        closed_on = max(timezone.localdate(sprint.closed_at), sprint.start_date)
        if closed_on >= sprint.end_date:
            closed_on = None  # closed on or after its end date: every day has its figure
    dates = [sprint.start_date + datetime.timedelta(days=n) for n in range((last - sprint.start_date).days + 1)]
    whole = [
        sprint.start_date + datetime.timedelta(days=n) for n in range((sprint.end_date - sprint.start_date).days + 1)
    ]
    working = {day for day in whole if day.weekday() < 5} or set(whole)

    change = defaultdict(int)
    added: dict[datetime.date, list[ScopeChange]] = defaultdict(list)
    removed: dict[datetime.date, list[ScopeChange]] = defaultdict(list)
    committed = 0
    rows = (
        SprintEvent.objects.filter(sprint=sprint)
        .order_by("at", "id")
        .values_list("kind", "points", "at", "item__key", "reestimate")
    )
    for kind, points, at, key, reestimate in rows:
        day = max(timezone.localdate(at), sprint.start_date)
        if closed_on is not None:
            day = min(day, closed_on)
        if day > last:
            if last < sprint.end_date:
                continue  # after the day asked for
            day = last  # after the end date: the sprint closed late
        change[day] += _EFFECT[kind] * (points or 0)
        if kind == SprintEvent.Kind.COMMITTED:
            committed += points or 0
        elif kind == SprintEvent.Kind.ADDED:
            added[day].append(ScopeChange(key, points or 0, reestimate))
        elif kind == SprintEvent.Kind.REMOVED:
            removed[day].append(ScopeChange(key, points or 0, reestimate))

    days, remaining, elapsed = [], 0, 0
    for day in dates:
        remaining += change[day]
        if day in working:
            elapsed += 1
        ideal = round(committed * (1 - elapsed / len(working)), 2)
        shown = None if closed_on is not None and day > closed_on else remaining
        days.append(BurndownDay(day, shown, ideal, day.weekday() < 5, added[day], removed[day]))
    return Burndown(committed, days)


# --- Velocity and capacity -----------------------------------------------------------------------


@dataclass(frozen=True)
class VelocityPoint:
    sprint_id: int
    number: int
    end_date: datetime.date
    committed_points: int
    completed_points: int
    goal_outcome: str


def velocity(product: Product) -> list[VelocityPoint]:
    """Closed sprints in order, with committed and completed points from their frozen outcome."""
    closed = (
        Sprint.objects.filter(product=product, status=Sprint.Status.CLOSED, outcome__isnull=False)
        .order_by("number")
        .values_list("pk", "number", "end_date", "outcome", "goal_outcome")
    )
    return [
        VelocityPoint(pk, number, end_date, outcome["committed_points"], outcome["completed_points"], goal_outcome)
        for pk, number, end_date, outcome, goal_outcome in closed
    ]


def capacity_range(product: Product) -> tuple[int, int] | None:
    """(lowest, highest) completed points of the last 3 closed sprints; None: no history yet."""
    recent = (
        Sprint.objects.filter(product=product, status=Sprint.Status.CLOSED, outcome__isnull=False)
        .order_by("-number")
        .values_list("outcome", flat=True)[:CAPACITY_HISTORY]
    )
    completed = [outcome["completed_points"] for outcome in recent]
    return (min(completed), max(completed)) if completed else None


# --- Planning ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanningRow:
    item: Item
    running_points: int
    over_capacity: bool  # the running sum passes the high end of the capacity range


@dataclass(frozen=True)
class Planning:
    sprint_items: list[PlanningRow]  # what the sprint holds, in backlog order
    candidates: list[PlanningRow]  # ready items to add; running sums go on from the sprint's total
    planned_points: int
    capacity: tuple[int, int] | None
    has_more: bool

    @property
    def over_capacity(self) -> bool:
        """A warning, not a block: the sprint holds more than the best recent sprint completed."""
        return self.capacity is not None and self.planned_points > self.capacity[1]


def planning_candidates(product: Product, sprint: Sprint, *, limit: int = 100) -> Planning:
    """What the planning page needs: the sprint's items with a running sum of points, the ready
    live items from the top of the backlog that are in no open sprint (their running sum goes
    on from the sprint's total: "add everything down to here and the sprint holds N"), and the
    capacity range to warn against."""
    capacity = capacity_range(product)
    high = capacity[1] if capacity else None
    rows, total = [], 0
    for sprint_item in sprint_items(sprint):
        total += sprint_item.item.estimate or 0
        rows.append(PlanningRow(sprint_item.item, total, high is not None and total > high))
    in_open_sprint = SprintItem.objects.filter(
        item=OuterRef("pk"), removed_at__isnull=True, sprint__status__in=OPEN_STATUSES
    )
    ready = list(
        Item.objects.filter(product=product, archived_at__isnull=True, status=Item.Status.READY)
        .exclude(Exists(in_open_sprint))
        .select_related("product")
        .prefetch_related(Prefetch("labels", queryset=Label.objects.order_by("name")))
        .order_by("rank")[: limit + 1]
    )
    candidates, running = [], total
    for item in ready[:limit]:
        running += item.estimate or 0
        candidates.append(PlanningRow(item, running, high is not None and running > high))
    return Planning(rows, candidates, total, capacity, len(ready) > limit)


def open_action_items(product: Product) -> QuerySet[ActionItem]:
    """Action items not done yet, from any sprint of the product, oldest first, with their
    owner, target sprint and the sprint whose retrospective made them."""
    return (
        ActionItem.objects.filter(sprint__product=product, done_at__isnull=True)
        .select_related("owner", "target_sprint", "sprint")
        .order_by("created_at", "id")
    )


def open_action_items_for_user(user, product: Product) -> list[ActionItem] | None:
    """The open action items, for someone the policy lets see retrospectives; None for anyone
    else (a stakeholder), so a page that reads only for the team has nothing to show by mistake."""
    if not can(user, product, Action.RETROSPECTIVE):
        return None
    return list(open_action_items(product))


# --- Retrospective -------------------------------------------------------------------------------


@dataclass
class RetroColumn:
    key: str  # a RetroCard.Column value
    label: str
    cards: list[RetroCard] = field(default_factory=list)


@dataclass(frozen=True)
class Retro:
    columns: list[RetroColumn]
    votes_left: int  # the user's remaining votes in this sprint
    action_items: list[ActionItem]  # this sprint's, then the open ones of earlier sprints


def retro(sprint: Sprint, user) -> Retro:
    """The retrospective: cards by column, most votes first then oldest, each with `vote_count`
    and `my_votes` (the user's); the user's votes left; this sprint's action items, then the
    open ones that followed the team from earlier sprints (never from later ones)."""
    cards = (
        RetroCard.objects.filter(sprint=sprint)
        .select_related("author")
        .annotate(vote_count=Count("votes"), my_votes=Count("votes", filter=Q(votes__voter=user)))
        .order_by("-vote_count", "created_at", "id")
    )
    columns = {key: RetroColumn(key, label) for key, label in RetroCard.Column.choices}
    used = 0
    for card in cards:
        columns[card.column].cards.append(card)
        used += card.my_votes
    earlier_open = Q(sprint__product_id=sprint.product_id, sprint__number__lt=sprint.number, done_at__isnull=True)
    actions = sorted(
        ActionItem.objects.filter(Q(sprint=sprint) | earlier_open).select_related("owner", "target_sprint", "sprint"),
        key=lambda action: (action.sprint_id != sprint.pk, action.created_at, action.id),
    )
    return Retro(list(columns.values()), max(VOTES_PER_MEMBER - used, 0), actions)


# --- Review --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoneEntry:
    key: str
    title: str  # as it read when done (frozen at close)
    estimate: int | None
    item: Item | None  # the item as it is now (None if gone)


@dataclass(frozen=True)
class Review:
    done: list[DoneEntry]
    feedback: list[Feedback]
    outcomes: list[HypothesisOutcome]
    unjudged: list[Item]  # done items with a hypothesis and no recorded outcome yet


def review(sprint: Sprint) -> Review:
    """The sprint review: the increment (the frozen done list of a closed sprint, the Done
    column of an active one), feedback with authors and linked items, hypothesis outcomes, and
    the done items whose hypothesis is still to be judged."""
    if sprint.status == Sprint.Status.CLOSED and sprint.outcome:
        frozen = sprint.outcome["done"]
        items = {
            item.key: item
            for item in Item.objects.filter(product_id=sprint.product_id, key__in=[entry["key"] for entry in frozen])
        }
        done = [DoneEntry(e["key"], e["title"], e["estimate"], items.get(e["key"])) for e in frozen]
    else:
        rows = (
            SprintItem.objects.filter(sprint=sprint, removed_at__isnull=True, column=SprintItem.Column.DONE)
            .select_related("item")
            .order_by("item__rank")
        )
        done = [DoneEntry(si.item.key, si.item.title, si.item.estimate, si.item) for si in rows]
    feedback = list(
        Feedback.objects.filter(sprint=sprint).select_related("author", "about", "became").order_by("created_at", "id")
    )
    outcomes = list(
        HypothesisOutcome.objects.filter(sprint=sprint).select_related("item", "recorded_by").order_by("item__rank")
    )
    judged = {outcome.item_id for outcome in outcomes}
    unjudged = [
        entry.item
        for entry in done
        if entry.item is not None and entry.item.hypothesis.strip() and entry.item.pk not in judged
    ]
    return Review(done, feedback, outcomes, unjudged)


def lessons(product: Product) -> QuerySet[HypothesisOutcome]:
    """Every hypothesis outcome of the product over time ("what we learned"), newest first."""
    return (
        HypothesisOutcome.objects.filter(sprint__product=product)
        .select_related("item", "sprint", "recorded_by")
        .order_by("-recorded_at", "-id")
    )


# --- Lookups by id -------------------------------------------------------------------------------
# Rows reached by their own id in a URL (not under a sprint's) are checked against the policy of
# their product: NotFound for unknown ids and non-members alike, so nothing leaks, then Forbidden.


def _row_for_user(rows: QuerySet, row_id, user, action: Action, *, what: str, product_of):
    try:
        pk = int(row_id)
    except (TypeError, ValueError):
        raise NotFound(f"No {what} {row_id}.") from None
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotFound(f"No {what} {row_id}.")
    require(user, product_of(row), action, not_found=f"No {what} {row_id}.")
    return row


def feedback_for_user(user, feedback_id, action: Action = Action.READ) -> Feedback:
    """The feedback with this id, its sprint and product, if the user may take the action there."""
    rows = Feedback.objects.select_related("sprint__product", "author", "about", "became")
    return _row_for_user(rows, feedback_id, user, action, what="feedback", product_of=lambda row: row.sprint.product)


def retro_card_for_user(user, card_id) -> RetroCard:
    """The retrospective card with this id, its sprint and product, if the user is on the Scrum team."""
    rows = RetroCard.objects.select_related("sprint__product", "author")
    return _row_for_user(
        rows, card_id, user, Action.RETROSPECTIVE, what="card", product_of=lambda row: row.sprint.product
    )


def action_item_for_user(user, action_item_id, action: Action = Action.RETROSPECTIVE) -> ActionItem:
    """The action item with this id, its owner and sprints, if the user may take the action there."""
    rows = ActionItem.objects.select_related("sprint__product", "owner", "target_sprint")
    return _row_for_user(
        rows, action_item_id, user, action, what="action item", product_of=lambda row: row.sprint.product
    )


def product_goal_for_user(user, goal_id, action: Action = Action.READ) -> ProductGoal:
    """The product goal with this id and its product, if the user may take the action there."""
    rows = ProductGoal.objects.select_related("product")
    return _row_for_user(rows, goal_id, user, action, what="goal", product_of=lambda row: row.product)


# --- Rows named in a request body, within a product ----------------------------------------------


def product_goal_of(product: Product, goal_id: int) -> ProductGoal | None:
    """The product's goal with this id, or None."""
    return ProductGoal.objects.filter(product=product, pk=goal_id).first()


def sprint_of(product: Product, sprint_id: int) -> Sprint | None:
    """The product's sprint with this id, or None."""
    return Sprint.objects.filter(product=product, pk=sprint_id).first()


def feedback_of(sprint: Sprint) -> QuerySet[Feedback]:
    """The sprint's review feedback, oldest first, with authors and the items it is about or became."""
    return (
        Feedback.objects.filter(sprint=sprint).select_related("author", "about", "became").order_by("created_at", "id")
    )


def action_items_of(sprint: Sprint) -> QuerySet[ActionItem]:
    """The action items raised in the sprint's retrospective, oldest first, with owners and sprints."""
    return (
        ActionItem.objects.filter(sprint=sprint)
        .select_related("owner", "sprint", "target_sprint")
        .order_by("created_at", "id")
    )
