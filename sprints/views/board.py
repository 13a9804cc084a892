"""HTML views: the sprint board's writes. Moving a card between columns, adding an item to a
sprint and removing one. Without JavaScript each is a form that redirects back with a message;
with htmx a column move returns the board and the announcement for the live region."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from backlog import selectors as backlog_selectors
from backlog.permissions import Action
from config.errors import InvalidInput, NotFound

from .. import services
from ..forms import AddItemForm
from ..models import Sprint, SprintItem
from .common import first_error, frame, sprint_for
from .sprints import board_context

COLUMN_LABELS = dict(SprintItem.Column.choices)


def _item_in_product(sprint: Sprint, item_key: str):
    item = backlog_selectors.item_of_product(sprint.product, item_key)
    if item is None:
        raise NotFound(f"No item {item_key}.")
    return item


def _back(request: HttpRequest, sprint: Sprint, anchor: str = "") -> HttpResponse:
    """Back to the page the form was on: the planning page or the sprint page."""
    name = "sprints:sprint-planning" if request.POST.get("next") == "planning" else "sprints:sprint-detail"
    url = reverse(name, args=[sprint.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_POST
def sprint_column(request: HttpRequest, sprint_id: int, item_key: str) -> HttpResponse:
    """Move a card to another column of the active sprint's board."""
    sprint = sprint_for(request, sprint_id, Action.EDIT_ITEMS)
    item = _item_in_product(sprint, item_key)
    column = request.POST.get("column", "")
    try:
        # The service validates the column too; the form has nothing else to parse.
        services.set_column(sprint=sprint, item=item, by=request.user, column=column)
    except InvalidInput as exc:
        announcement, error = f"{item.key} was not moved: {exc.message}", True
    else:
        announcement, error = f"{item.key} moved to {COLUMN_LABELS[column]}.", False

    if not request.htmx:
        (messages.error if error else messages.success)(request, announcement)
        return redirect(reverse("sprints:sprint-detail", args=[sprint.pk]) + f"#card-{item.key}")
    context = frame(request, sprint.product, sprint=sprint)
    context.update(board_context(request, sprint))
    context.update(announcement=announcement, announcement_is_error=error, moved_key=item.key)
    return render(request, "sprints/_board_response.html", context)


@login_required
@require_POST
def sprint_add(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Add an item to a sprint, by key or picked from the ready items: planned into a planned
    sprint, recorded as added scope in an active one."""
    sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
    form = AddItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _back(request, sprint)
    item = backlog_selectors.item_of_product(sprint.product, form.cleaned_data["item_key"])
    if item is None:
        messages.error(request, f"There is no item {form.cleaned_data['item_key']} in {sprint.product.key}.")
        return _back(request, sprint)
    try:
        services.add_to_sprint(sprint=sprint, item=item, by=request.user)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return _back(request, sprint)
    if sprint.status == Sprint.Status.ACTIVE:
        messages.success(request, f"{item.key} added to Sprint {sprint.number} (recorded as added scope).")
    else:
        messages.success(request, f"{item.key} planned into Sprint {sprint.number}.")
    return _back(request, sprint, f"card-{item.key}")


@login_required
@require_POST
def sprint_remove(request: HttpRequest, sprint_id: int, item_key: str) -> HttpResponse:
    """Take an item out of a sprint (recorded as removed scope if the sprint is active)."""
    sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
    item = _item_in_product(sprint, item_key)
    try:
        services.remove_from_sprint(sprint=sprint, item=item, by=request.user)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return _back(request, sprint)
    if sprint.status == Sprint.Status.ACTIVE:
        messages.success(request, f"{item.key} removed from Sprint {sprint.number} (recorded as removed scope).")
    else:
        messages.success(request, f"{item.key} taken out of Sprint {sprint.number}.")
    return _back(request, sprint, f"candidate-{item.key}" if request.POST.get("next") == "planning" else "")


urlpatterns = [
    path("sprints/<int:sprint_id>/items/", sprint_add, name="sprint-add"),
    path("sprints/<int:sprint_id>/items/<str:item_key>/column/", sprint_column, name="sprint-column"),
    path("sprints/<int:sprint_id>/items/<str:item_key>/remove/", sprint_remove, name="sprint-remove"),
]
