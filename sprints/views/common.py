"""What every sprints view shares: finding the sprint through the policy, and the context of
the product frame."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from backlog import selectors as backlog_selectors
from backlog.models import Product
from backlog.permissions import Action, can

from .. import selectors
from ..models import Sprint


def sprint_for(request: HttpRequest, sprint_id: int, action: Action = Action.READ) -> Sprint:
    """The sprint, if the user may take the action on its product (NotFound → 404, Forbidden →
    403 through config.errors.OrdoErrorMiddleware)."""
    return selectors.sprint_for_user(request.user, sprint_id, action)


def frame(request: HttpRequest, product: Product, current: str = "sprints", **extra) -> dict:
    """The context of a page in the product frame: what the user may do, today in their time
    zone, and the product goal the sprint pages lead with."""
    user = request.user
    return {
        "product": product,
        "current": current,
        "today": timezone.localdate(),
        "product_goal": backlog_selectors.active_product_goal(product),
        "may_manage": can(user, product, Action.MANAGE_PRODUCT),
        "may_plan": can(user, product, Action.PLAN_SPRINTS),
        "may_edit": can(user, product, Action.EDIT_ITEMS),
        "may_retro": can(user, product, Action.RETROSPECTIVE),
        "may_rank": can(user, product, Action.RANK),
        **extra,
    }


def first_error(form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return "Check the form."
