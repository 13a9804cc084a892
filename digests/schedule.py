"""When a weekly digest is due, in the member's own time zone, and when a delivery that failed
for a while is tried again. Pure functions: no database.

A weekly subscription names a weekday and an hour. Its slots are that local wall-clock time in
each week; the due slot is the latest one at or before now, and its period is the ISO week of
the slot's local date — so changing the weekday within a week cannot send a second digest that
week, and a tick that ran late (or after Redis was down) still finds the slot it missed.

Across a daylight-saving change the slot keeps its local hour: 09:00 in Berlin is 07:00 UTC in
summer and 08:00 UTC in winter. An hour that does not exist on the day the clocks go forward
(02:30 in Berlin) is read as if the clocks had not moved yet, so it falls an hour later in local
time (03:30); an hour that happens twice is its first occurrence.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts import mail


def local_slot(day: dt.date, hour: int, tz: ZoneInfo) -> dt.datetime:
    """The aware UTC moment of `hour`:00 on `day` in `tz` (see the module's DST note)."""
    naive = dt.datetime.combine(day, dt.time(hour))
    return naive.replace(tzinfo=tz).astimezone(dt.UTC)


def latest_weekly_slot(now: dt.datetime, *, weekday: int, hour: int, tz: ZoneInfo) -> dt.datetime:
    """The latest slot (weekday 0 = Monday, hour 0–23, local to `tz`) at or before `now`."""
    local_today = now.astimezone(tz).date()
    day = local_today - dt.timedelta(days=(local_today.weekday() - weekday) % 7)
    slot = local_slot(day, hour, tz)
    if slot > now:
        slot = local_slot(day - dt.timedelta(days=7), hour, tz)
    return slot


def week_period(slot: dt.datetime, tz: ZoneInfo) -> str:
    """`week:2026-W49`: the ISO week of the slot's local date."""
    year, week, _ = slot.astimezone(tz).date().isocalendar()
    return f"week:{year}-W{week:02d}"


def next_weekly_slot(now: dt.datetime, *, weekday: int, hour: int, tz: ZoneInfo) -> dt.datetime:
    """The first slot after `now` (for "your next digest: Monday 09:00")."""
    latest = latest_weekly_slot(now, weekday=weekday, hour=hour, tz=tz)
    local_day = latest.astimezone(tz).date() + dt.timedelta(days=7)
    return local_slot(local_day, hour, tz)


def retry_delay(attempt: int) -> int:
    """Seconds to wait after the `attempt`-th try failed for a while: 30 s, 60 s, 120 s, 240 s…
    capped at DIGEST_RETRY_MAX_DELAY (well inside the broker's visibility timeout)."""
    return mail.retry_delay(attempt, base=settings.DIGEST_RETRY_BASE_DELAY, cap=settings.DIGEST_RETRY_MAX_DELAY)
