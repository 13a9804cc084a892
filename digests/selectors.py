"""Reads of the digests app: whose digest is due, and what a member's digest says.

`build_digest(user, product)` is the one composition of a digest. The API returns it (through
`api.serializers.DigestSerializer`) and the worker renders the email from that same serialized
form, computed as the recipient: it reads only what the policy lets the recipient read, and
nothing from retrospectives. Its queries are constant: they grow neither with the backlog nor
with the number of recipients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import zone_named
from backlog import selectors as backlog_selectors
from backlog.models import Item, Membership, Product, ProductGoal, Role, agreed_memberships
from backlog.permissions import Action, require
from sprints import forecast_display
from sprints import selectors as sprint_selectors
from sprints.models import Feedback, Sprint

from . import schedule
from .models import DEFAULT_HOUR, DEFAULT_WEEKDAY, DigestDelivery, DigestSubscription, Frequency

TOP = 10
FINISHED = (Item.Status.DONE, Item.Status.DISCARDED)
UNSUBSCRIBE_SALT = "digests.unsubscribe"


# --- Subscriptions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Preference:
    """A member's effective choice for one product: their own row, or their role's default."""

    product: Product
    role: str
    frequency: str
    weekday: int
    hour: int
    send_when_quiet: bool
    since: dt.datetime
    chosen: bool  # False: the role's default (no row yet)

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def role_default(role: str) -> str:
    """Stakeholders read digests; the team sees the backlog every day and gets none by default."""
    return Frequency.WEEKLY if role == Role.STAKEHOLDER else Frequency.OFF


def _preference(product: Product, role: str, joined: dt.datetime, row: DigestSubscription | None) -> Preference:
    if row is None:
        return Preference(product, role, role_default(role), DEFAULT_WEEKDAY, DEFAULT_HOUR, False, joined, False)
    return Preference(product, role, row.frequency, row.weekday, row.hour, row.send_when_quiet, row.since, True)


def preferences_for_user(user) -> list[Preference]:
    """The member's choice for each of their products, by product key. Two queries."""
    memberships = list(Membership.objects.filter(user=user).select_related("product").order_by("product__key"))
    rows = {row.product_id: row for row in DigestSubscription.objects.filter(user=user)}
    return [_preference(m.product, m.role, m.created_at, rows.get(m.product_id)) for m in memberships]


def preference_of(user, product: Product) -> Preference:
    """The member's choice for one product (NotFound for non-members)."""
    role = require(user, product, Action.SUBSCRIBE)
    joined = Membership.objects.filter(user=user, product=product).values_list("created_at", flat=True).first()
    row = DigestSubscription.objects.filter(user=user, product=product).first()
    return _preference(product, role, joined or timezone.now(), row)


def next_weekly_digests(user, preferences: Iterable[Preference], now: dt.datetime) -> dict[int, dt.datetime]:
    """When each weekly digest of the member comes next, by product id, in their time zone. One
    delivery per ISO week: a slot in a week that already has a delivery row (the member moved
    their weekday after this week's digest was planned) is skipped, as the tick skips it. One
    query, whatever the number of products."""
    tz = zone_named(user.time_zone)
    candidates = {}
    for preference in preferences:
        if preference.frequency != Frequency.WEEKLY:
            continue
        slot = schedule.next_weekly_slot(now, weekday=preference.weekday, hour=preference.hour, tz=tz)
        following = schedule.local_slot(slot.astimezone(tz).date() + dt.timedelta(days=7), preference.hour, tz)
        candidates[preference.product.pk] = (slot, following)
    if not candidates:
        return {}
    periods = {schedule.week_period(slot, tz) for slots in candidates.values() for slot in slots}
    taken = set(
        DigestDelivery.objects.filter(user=user, product_id__in=candidates, period__in=periods).values_list(
            "product_id", "period"
        )
    )
    found = {}
    for product_id, slots in candidates.items():
        # Rows exist only for slots that have come: at most this week's is taken, never the next.
        slot = next((slot for slot in slots if (product_id, schedule.week_period(slot, tz)) not in taken), slots[-1])
        found[product_id] = slot.astimezone(tz)
    return found


def unsubscribe_token(user_id: int, product_id: int) -> str:
    """A signed, non-expiring token naming one member's subscription to one product."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([user_id, product_id])


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """The (user id, product id) a token names, or None when it was not signed here."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(part) is int for part in value)):
        return None
    return value[0], value[1]


def unsubscribe_target(token: str):
    """The (user, product) an unsubscribe link names, or None when it was not signed here or
    either no longer exists."""
    named = read_unsubscribe_token(token)
    if named is None:
        return None
    user = get_user_model().objects.filter(pk=named[0]).first()
    product = Product.objects.filter(pk=named[1]).first()
    return (user, product) if user is not None and product is not None else None


# --- What is due -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    user_id: int
    product_id: int
    period: str
    kind: str


def due_deliveries(now: dt.datetime) -> list[Due]:
    """Every digest due at `now` that has no delivery row yet. Four queries, whatever the number
    of members: memberships with their time zones, subscription rows, the last closed sprint of
    each product, and the existing rows for the periods found."""
    # Only people who agreed to be members: nobody gets mail about a product they never said yes to.
    memberships = Membership.objects.filter(agreed_memberships(), user__is_active=True).values_list(
        "user_id", "product_id", "role", "created_at", "user__time_zone"
    )
    # Rows that are off count too: without them the role's default would apply again.
    rows = {
        (row.user_id, row.product_id): row
        for row in DigestSubscription.objects.only("user_id", "product_id", "frequency", "weekday", "hour", "since")
    }
    closed = Sprint.objects.filter(product=OuterRef("pk"), status=Sprint.Status.CLOSED, closed_at__isnull=False)
    last_closed = {
        pk: (number, closed_at)
        for pk, number, closed_at in Product.objects.annotate(
            last_closed=Subquery(closed.order_by("-closed_at").values("number")[:1]),
            last_closed_at=Subquery(closed.order_by("-closed_at").values("closed_at")[:1]),
        )
        .filter(last_closed__isnull=False)
        .values_list("pk", "last_closed", "last_closed_at")
    }
    found: list[Due] = []
    for user_id, product_id, role, joined, tz_name in memberships:
        row = rows.get((user_id, product_id))
        frequency = row.frequency if row else role_default(role)
        since = row.since if row else joined
        if frequency == Frequency.WEEKLY:
            tz = zone_named(tz_name)
            weekday = row.weekday if row else DEFAULT_WEEKDAY
            hour = row.hour if row else DEFAULT_HOUR
            slot = schedule.latest_weekly_slot(now, weekday=weekday, hour=hour, tz=tz)
            if slot >= since:
                found.append(Due(user_id, product_id, schedule.week_period(slot, tz), DigestDelivery.Kind.WEEKLY))
        elif frequency == Frequency.SPRINT and product_id in last_closed:
            number, closed_at = last_closed[product_id]
            if closed_at >= since:
                found.append(Due(user_id, product_id, f"sprint:{number}", DigestDelivery.Kind.SPRINT))
    if not found:
        return []
    existing = set(
        DigestDelivery.objects.filter(period__in={due.period for due in found}).values_list(
            "user_id", "product_id", "period"
        )
    )
    return [due for due in found if (due.user_id, due.product_id, due.period) not in existing]


def stuck_deliveries(now: dt.datetime) -> QuerySet[DigestDelivery]:
    """Deliveries whose worker claimed them longer ago than any send can take: it died."""
    return DigestDelivery.objects.filter(
        state=DigestDelivery.State.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.DIGEST_STUCK_AFTER),
    )


def deliveries_to_enqueue(now: dt.datetime) -> list[int]:
    """Pending deliveries never handed to the broker, or handed long enough ago that the message
    may have been lost (Redis down at the time): a second message is harmless, the claim makes
    the send happen once. One that failed for a while in-process (no broker: tried, unqueued)
    waits for its backoff, counted from the attempt's claim, as a broker's retry would. One query."""
    cutoff = now - dt.timedelta(seconds=settings.DIGEST_REQUEUE_AFTER)
    pending = (
        DigestDelivery.objects.filter(state=DigestDelivery.State.PENDING)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff))
        .order_by("pk")
        .values_list("pk", "enqueued_at", "attempts", "claimed_at")
    )
    return [
        pk
        for pk, enqueued_at, attempts, claimed_at in pending
        if not (
            enqueued_at is None
            and attempts
            and claimed_at is not None
            and claimed_at + dt.timedelta(seconds=schedule.retry_delay(attempts)) > now
        )
    ]


def failed_deliveries(product: Product, *, limit: int = 20) -> QuerySet[DigestDelivery]:
    """The product's digests that could not be delivered, newest first (for its owner)."""
    return (
        DigestDelivery.objects.filter(product=product, state=DigestDelivery.State.FAILED)
        .select_related("user")
        .order_by("-created_at", "-pk")[:limit]
    )


def last_digest(user, product: Product) -> DigestDelivery | None:
    """The member's last digest that was sent (previews aside): the baseline of the next one."""
    return (
        DigestDelivery.objects.filter(user=user, product=product, state=DigestDelivery.State.SENT)
        .exclude(kind=DigestDelivery.Kind.PREVIEW)
        .order_by("-sent_at", "-pk")
        .only("pk", "sent_at", "claimed_at", "shown")
        .first()
    )


# --- What a digest says ------------------------------------------------------------------------


def _url(name: str, *args) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def _top_open(product: Product, limit: int = TOP) -> list[dict]:
    """The first `limit` open items (not done, not discarded) of the live backlog with their
    positions over all live items and the remaining work down to each: one query."""
    table = Item._meta.db_table
    open_row = "status NOT IN (%s, %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, key, title, status, estimate, pos, points, unestimated FROM (SELECT id, key, title, status, "
            f"estimate, rank, ROW_NUMBER() OVER (ORDER BY rank) AS pos, "
            f"SUM(CASE WHEN {open_row} THEN COALESCE(estimate, 0) ELSE 0 END) "
            f"OVER (ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS points, "
            f"SUM(CASE WHEN {open_row} AND estimate IS NULL THEN 1 ELSE 0 END) "
            f"OVER (ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS unestimated "
            f"FROM {table} WHERE product_id = %s AND archived_at IS NULL) numbered "
            f"WHERE {open_row} ORDER BY rank LIMIT %s",
            [*FINISHED, *FINISHED, product.pk, *FINISHED, limit],
        )
        columns = ("id", "key", "title", "status", "estimate", "position", "points", "unestimated")
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _kept_in_order(previous: dict[str, int], current: list[str]) -> set[str]:
    """The entries that kept their order relative to each other: the longest run of the items in
    both lists that is in the same order in both. The others were moved; these only shifted when
    something above them came, went or moved (archiving #1 moves nobody, it shifts everyone)."""
    before = sorted((key for key in current if key in previous), key=previous.__getitem__)
    after = [key for key in current if key in previous]
    # Longest common subsequence of two orders of the same ≤ 10 keys.
    lengths = [[0] * (len(after) + 1) for _ in range(len(before) + 1)]
    for i, a in enumerate(before):
        for j, b in enumerate(after):
            lengths[i + 1][j + 1] = lengths[i][j] + 1 if a == b else max(lengths[i][j + 1], lengths[i + 1][j])
    kept, i, j = set(), len(before), len(after)
    while i and j:
        if before[i - 1] == after[j - 1]:
            kept.add(before[i - 1])
            i, j = i - 1, j - 1
        elif lengths[i - 1][j] >= lengths[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return kept


def _top_entries(product: Product, previous: dict[str, int] | None) -> tuple[list[dict], dict]:
    """The top of the backlog with each entry's change since the previous digest, and the
    forecast's standing (enough history or not)."""
    rows = _top_open(product)
    forecaster = forecast_display.forecaster_for(product)
    median = forecast_display.backlog_estimates(product).median if forecaster.enough_history and rows else None
    entries = []
    kept = _kept_in_order(previous, [row["key"] for row in rows]) if previous is not None else set()
    for row in rows:
        before = previous.get(row["key"]) if previous is not None else None
        if previous is None:
            change = "same"
        elif before is None:
            change = "new"
        elif row["key"] in kept:
            change = "same" if row["position"] == before else "shifted"
        else:
            change = "up" if row["position"] < before else "down"
        forecast = None
        if forecaster.enough_history:
            result = forecaster.at(int(row["points"]), unestimated=int(row["unestimated"]), median=median)
            line = result.line(85) if result.available else None
            forecast = forecast_display.line_sentence(line, done=False) if line is not None else None
        entries.append(
            {
                "key": row["key"],
                "title": row["title"],
                "status": row["status"],
                "estimate": row["estimate"],
                "position": row["position"],
                "previous_position": before,
                "change": change,
                "forecast_85": forecast,
                "counts_unestimated": bool(int(row["unestimated"])) and forecast is not None,
                "url": _url("backlog:item-detail", row["key"]),
            }
        )
    if not forecaster.enough_history:
        message = (
            f"Not enough history yet: forecasts need {forecast_display.MIN_HISTORY} closed sprints, "
            f"there {'is' if forecaster.history == 1 else 'are'} {forecaster.history}."
        )
    else:
        message = f"Forecasts rest on the last {forecaster.history} closed sprints; 85% likely means 1 in 7 misses."
        if forecaster.trend is not None:
            message += " " + forecast_display.trend_text(forecaster.trend)
    counted = [entry for entry in entries if entry["counts_unestimated"]]
    note = ""
    if counted:
        unestimated = int(rows[len(entries) - 1]["unestimated"])
        note = (
            f"* Counts {unestimated} unestimated item{'s' if unestimated != 1 else ''} at the median estimate, "
            f"{median:g} points each."
        )
    standing = {
        "available": forecaster.enough_history,
        "history": forecaster.history,
        "message": message,
        "unestimated_note": note,
    }
    return entries, standing


def _left_top(product: Product, previous: dict[str, int] | None, current: Iterable[str]) -> list[dict]:
    """Entries of the previous digest's top that are not in it now, and why: done, discarded,
    archived, or moved down (with the position it is at now). Two queries at most."""
    if not previous:
        return []
    gone = [key for key in previous if key not in set(current)]
    if not gone:
        return []
    items = {item.key: item for item in Item.objects.filter(product=product, key__in=gone)}
    live_open = [item for item in items.values() if item.archived_at is None and item.status not in FINISHED]
    positions = backlog_selectors.positions_for(product, live_open, consecutive=False) if live_open else {}
    left = []
    for key in sorted(gone, key=lambda k: previous[k]):
        item = items.get(key)
        if item is None:
            reason, title, position = "gone", "", None
        elif item.archived_at is not None:
            reason, title, position = "archived", item.title, None
        elif item.status in FINISHED:
            reason, title, position = str(item.status), item.title, None
        else:
            reason, title, position = "moved_down", item.title, positions.get(item.pk)
        left.append(
            {
                "key": key,
                "title": title,
                "previous_position": previous[key],
                "reason": reason,
                "position": position,
                "url": _url("backlog:item-detail", key) if item is not None else None,
            }
        )
    return left


def _closed_sprints(product: Product, since: dt.datetime) -> list[dict]:
    """Sprints closed after `since`, oldest first, told plainly: the goal's outcome with the
    note, what was done and what was not, and the review's summary and the feedback that became
    backlog items. Two queries."""
    sprints = list(
        Sprint.objects.filter(product=product, status=Sprint.Status.CLOSED, closed_at__gt=since).order_by("closed_at")
    )
    if not sprints:
        return []
    turned = {}
    for feedback in (
        Feedback.objects.filter(sprint__in=sprints, became__isnull=False)
        .select_related("became")
        .order_by("created_at", "pk")
    ):
        turned.setdefault(feedback.sprint_id, []).append(
            {
                "feedback": feedback.body,
                "item_key": feedback.became.key,
                "item_title": feedback.became.title,
                "url": _url("backlog:item-detail", feedback.became.key),
            }
        )
    told = []
    for sprint in sprints:
        outcome = sprint.outcome or {}
        told.append(
            {
                "number": sprint.number,
                "goal": sprint.goal,
                "goal_outcome": sprint.goal_outcome,
                "goal_outcome_label": sprint.get_goal_outcome_display() if sprint.goal_outcome else "",
                "goal_note": sprint.goal_note,
                "start_date": sprint.start_date,
                "end_date": sprint.end_date,
                "closed_at": sprint.closed_at,
                "committed_points": outcome.get("committed_points", 0),
                "added_points": outcome.get("added_points", 0),
                "removed_points": outcome.get("removed_points", 0),
                "completed_points": outcome.get("completed_points", 0),
                "done": [
                    {"key": e["key"], "title": e["title"], "estimate": e["estimate"]} for e in outcome.get("done", [])
                ],
                "not_done": [
                    {"key": e["key"], "title": e["title"], "estimate": e["estimate"], "placed": e.get("placed", "")}
                    for e in outcome.get("not_done", [])
                ],
                # None: the sprint closed before its outcome named the items taken out.
                "removed": (
                    [{"key": e["key"], "title": e["title"], "estimate": e["estimate"]} for e in outcome["removed"]]
                    if "removed" in outcome
                    else None
                ),
                "review_notes": sprint.review_notes,
                "feedback_items": turned.get(sprint.pk, []),
                "url": _url("sprints:sprint-review", sprint.pk),
            }
        )
    return told


def _active_sprint(product: Product, today: dt.date) -> dict | None:
    sprint = sprint_selectors.active_sprint(product)
    if sprint is None:
        return None
    summary = sprint_selectors.sprint_summary(sprint, today)
    return {
        "id": sprint.pk,
        "number": sprint.number,
        "goal": sprint.goal,
        "start_date": sprint.start_date,
        "end_date": sprint.end_date,
        "days_left": summary.days_left,
        "done_points": summary.done_points,
        "committed_points": summary.committed_points,
        "scope_points": summary.scope_points,
        "url": _url("sprints:sprint-detail", sprint.pk),
        "review_url": _url("sprints:sprint-review", sprint.pk),
    }


def _product_goals(product: Product, ended_after: dt.datetime, told: set[int]) -> tuple[ProductGoal | None, list]:
    """The active product goal, and the goals achieved or abandoned after `ended_after` that no
    earlier digest told, oldest first. One query."""
    active, ended = None, []
    goals = ProductGoal.objects.filter(product=product).filter(
        Q(status=ProductGoal.Status.ACTIVE) | Q(closed_at__gt=ended_after)
    )
    for goal in goals.order_by("closed_at", "pk"):
        if goal.status == ProductGoal.Status.ACTIVE:
            active = goal
        elif goal.pk not in told:
            ended.append(goal)
    return active, ended


def build_digest(user, product: Product, *, now: dt.datetime | None = None) -> dict:
    """The member's next digest for the product, as they may read it (NotFound for anyone not a
    member). "Since the last digest" is since the last one this member was sent; the first one
    looks back `DIGEST_FIRST_LOOKBACK_DAYS`.

    `shown` is what this digest shows that the next one compares with; `changed` is False when
    there is nothing new since the last digest (then no email, unless the member asked for quiet
    ones too)."""
    role = require(user, product, Action.SUBSCRIBE)
    now = now or timezone.now()
    last = last_digest(user, product)
    shown_before = (last.shown or {}) if last is not None else None
    since = last.sent_at if last is not None else now - dt.timedelta(days=settings.DIGEST_FIRST_LOOKBACK_DAYS)
    previous_top = {entry["key"]: entry["position"] for entry in shown_before.get("top", [])} if last else None

    # The last digest was built when its worker claimed it and marked sent after the mail server
    # answered: sprints closed and goals ended in between were in neither, so look back to the
    # claim and leave out what that digest told.
    closed_since = (last.claimed_at or last.sent_at) if last is not None else since
    told_goals = set(shown_before.get("ended_goals", [])) if last is not None else set()
    goal, ended_goals = _product_goals(product, closed_since, told_goals)
    # Days left are counted from the member's own today, as the sprint page counts them for them.
    active = _active_sprint(product, now.astimezone(zone_named(user.time_zone)).date())
    told = set(shown_before.get("sprints", [])) if last is not None else set()
    closed = [sprint for sprint in _closed_sprints(product, closed_since) if sprint["number"] not in told]
    top, forecast = _top_entries(product, previous_top)
    left = _left_top(product, previous_top, [entry["key"] for entry in top])
    planned = sprint_selectors.next_planned_sprint(product) if active is None else None
    review_on = active["end_date"] if active else (planned.end_date if planned else None)
    review_sprint = active["id"] if active else None

    changed = last is None or bool(
        closed
        or ended_goals
        or left
        or any(entry["change"] in ("new", "up", "down") for entry in top)
        or shown_before.get("goal") != (goal.pk if goal else None)
        or shown_before.get("active_sprint") != (active["id"] if active else None)
    )
    feedback_url = (
        active["review_url"] if active else (closed[-1]["url"] if closed else _url("backlog:backlog", product.key))
    )
    return {
        "product": {"key": product.key, "name": product.name, "url": _url("backlog:backlog", product.key)},
        "recipient": {"email": user.email, "name": user.name, "role": role},
        "generated_at": now,
        "since": last.sent_at if last is not None else None,
        "first": last is None,
        "changed": changed,
        "product_goal": (
            {"title": goal.title, "description": goal.description, "status": goal.status} if goal is not None else None
        ),
        "ended_product_goals": [
            {"title": ended.title, "status": ended.status, "closed_at": ended.closed_at} for ended in ended_goals
        ],
        "active_sprint": active,
        "closed_sprints": closed,
        "top": top,
        "left_top": left,
        "forecast": forecast,
        "next_review": {"date": review_on, "sprint_id": review_sprint} if review_on else None,
        "links": {
            "product": _url("backlog:backlog", product.key),
            "feedback": feedback_url,
            "preferences": _url("digests:preferences"),
            "unsubscribe": _url("digests:unsubscribe", unsubscribe_token(user.pk, product.pk)),
        },
        "shown": {
            "top": [{"key": entry["key"], "position": entry["position"]} for entry in top],
            "sprints": [sprint["number"] for sprint in closed],
            "goal": goal.pk if goal else None,
            "ended_goals": [ended.pk for ended in ended_goals],
            "active_sprint": active["id"] if active else None,
        },
    }
