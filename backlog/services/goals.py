"""The product goal: one active at a time, past goals kept."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from config.errors import InvalidInput, NotFound
from config.text import single_line_error, text_error

from ..models import (
    Product,
    ProductGoal,
)
from ..permissions import Action, require
from .common import (
    TEXT_MAX,
    record,
)
from .products import (
    _locked_product,
)

GOAL_TITLE_MAX = ProductGoal._meta.get_field("title").max_length


@transaction.atomic
def set_product_goal(*, product: Product, by, title: str, description: str = "") -> ProductGoal:
    """Set the product's active goal. Refused while another goal is active: it has to be marked
    achieved or abandoned first, so that past goals keep an honest ending."""
    require(by, product, Action.MANAGE_PRODUCT)
    title = (title or "").strip()
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["A product goal needs a title."]
    elif len(title) > GOAL_TITLE_MAX:
        errors["title"] = [f"A title has at most {GOAL_TITLE_MAX} characters."]
    elif problem := single_line_error(title, label="A goal's title"):
        errors["title"] = [problem]
    if len(description) > TEXT_MAX:
        errors["description"] = [f"At most {TEXT_MAX} characters."]
    elif problem := text_error(description, label="The goal's description"):
        errors["description"] = [problem]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    # Under the product's row lock: two owners setting a goal at once cannot make two active.
    product = _locked_product(product)
    current = ProductGoal.objects.filter(product=product, status=ProductGoal.Status.ACTIVE).first()
    if current is not None:
        message = f"“{current.title}” is the active goal: mark the current goal achieved or abandoned first."
        raise InvalidInput(message, code="goal_active", fields={"title": [message]})
    goal = ProductGoal.objects.create(product=product, title=title, description=description, created_by=by)
    record(product=product, by=by, event="backlog.goal.set", goal=goal.pk, title=title)
    return goal


@transaction.atomic
def close_product_goal(*, goal: ProductGoal, by, status: str) -> ProductGoal:
    """Mark the active product goal achieved or abandoned; it stays visible as a past goal."""
    require(by, goal.product, Action.MANAGE_PRODUCT)
    closing = {ProductGoal.Status.ACHIEVED, ProductGoal.Status.ABANDONED}
    if status not in closing:
        raise InvalidInput(
            "A goal ends achieved or abandoned.", fields={"status": ["Choose one of: achieved, abandoned."]}
        )
    current = ProductGoal.objects.select_for_update().filter(pk=goal.pk).first()
    if current is None:
        raise NotFound("No such product goal.")
    if current.status != ProductGoal.Status.ACTIVE:
        message = f"This goal is already {current.get_status_display().lower()}."
        raise InvalidInput(message, code="goal_closed", fields={"status": [message]})
    current.status = status
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at"])
    record(product=goal.product, by=by, event="backlog.goal.closed", goal=current.pk, status=status)
    return current
