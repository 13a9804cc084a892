"""What the sprint services share: limits, input checks and the sprint row lock."""

from __future__ import annotations

import datetime

from backlog.models import Product, ProductGoal, Role
from backlog.services import TEXT_MAX
from config.errors import InvalidInput, NotFound
from config.text import require_single_line, require_storable

from ..models import ActionItem, Sprint

VOTES_PER_MEMBER = 3
OPEN = (Sprint.Status.PLANNED, Sprint.Status.ACTIVE)
PLACEMENTS = ("top", "next", "keep")
SPRINT_FIELDS = ("goal", "start_date", "end_date", "product_goal", "review_notes")
SPRINT_FIELD_LABELS = {"goal": "The sprint goal", "review_notes": "The review notes"}
ACTION_TITLE_MAX = ActionItem._meta.get_field("title").max_length
# The Scrum Guide's bound: a sprint lasts a month or less.
MAX_SPRINT_DAYS = 31
FIRST_YEAR, LAST_YEAR = 1970, 2999
TEAM_ROLES = frozenset({Role.PRODUCT_OWNER, Role.SCRUM_MASTER, Role.DEVELOPER})


def _invalid(field: str, message: str, *, code: str | None = None) -> InvalidInput:
    return InvalidInput(message, code=code, fields={field: [message]})


def _locked_sprint(sprint: Sprint) -> Sprint:
    """The sprint as it is now, under its row lock (its product attached)."""
    # OF the sprint only: its default ordering joins the product, whose row FOR UPDATE would block
    # the foreign-key checks of every history row (and deadlocked a start with an item edit).
    locked = Sprint.objects.select_for_update(of=("self",)).filter(pk=sprint.pk).first()
    if locked is None:
        raise NotFound("No such sprint.")
    locked.product = sprint.product
    return locked


def _as_date(value, field: str) -> datetime.date:
    """A date within FIRST_YEAR–LAST_YEAR: a sprint in year 9999 is a typo, and the forecast
    counts up to 100 sprints past the last one, which would run off the calendar."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    elif not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            raise _invalid(field, "Enter a date as YYYY-MM-DD.") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise _invalid(field, f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")
    return value


def _check_dates(start_date: datetime.date, end_date: datetime.date) -> None:
    if end_date < start_date:
        raise _invalid("end_date", "A sprint ends on or after the day it starts.")
    if (end_date - start_date).days + 1 > MAX_SPRINT_DAYS:
        raise _invalid("end_date", f"A sprint lasts at most {MAX_SPRINT_DAYS} days.")


def _check_text(value, field: str, *, label: str, limit: int = TEXT_MAX, single_line: bool = False) -> str:
    """The text stripped, within `limit`, storable; with `single_line`, free of line breaks and
    control characters too. `label` starts the message ("A card cannot contain …")."""
    value = "" if value is None else str(value).strip()
    if len(value) > limit:
        raise _invalid(field, f"At most {limit} characters.")
    if single_line:
        return require_single_line(value, field=field, label=label)
    return require_storable(value, field=field, label=label)


def _check_product_goal(product: Product, goal, *, current_id: int | None = None) -> ProductGoal | None:
    """A goal of this product, or None. A sprint links the active goal; a link it already has
    (`current_id`) stays valid after that goal is achieved or abandoned."""
    if goal is not None and (not isinstance(goal, ProductGoal) or goal.product_id != product.pk):
        raise _invalid("product_goal", "Choose a goal of this product, or none.")
    if goal is not None and goal.pk != current_id and goal.status != ProductGoal.Status.ACTIVE:
        raise _invalid(
            "product_goal",
            f"That goal is {goal.get_status_display().lower()}: link the product's active goal, or none.",
        )
    return goal


def _points(value: int | None) -> int:
    return value or 0
