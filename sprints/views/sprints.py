"""HTML views: the product's sprints, one sprint (board or frozen outcome), planning, start,
close, burndown and velocity. Parse, call a service or selector, respond; the services and
selectors ask backlog.permissions, and a refusal they raise becomes a 404 or 403 page through
config.errors.OrdoErrorMiddleware."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from backlog import selectors as backlog_selectors
from backlog.permissions import Action, access_product_for_user
from config.errors import InvalidInput, StaleVersion

from .. import charts, selectors, services
from ..forms import AddItemForm, CloseForm, SprintForm, sprint_initial
from ..models import Sprint, SprintItem
from .common import frame, sprint_for

SPRINT_LENGTH = datetime.timedelta(days=13)  # two weeks, the first and last day included


def _new_sprint_initial(sprints: list[Sprint], today: datetime.date) -> dict:
    """Dates for the next sprint: the day after the latest one ends (or today), two weeks."""
    latest = max((s.end_date for s in sprints), default=None)
    start = max(latest + datetime.timedelta(days=1), today) if latest else today
    return {"start_date": start, "end_date": start + SPRINT_LENGTH}


def _goals(product) -> list:
    goal = backlog_selectors.active_product_goal(product)
    return [goal] if goal else []


@login_required
@require_GET
def sprint_list(request: HttpRequest, key: str) -> HttpResponse:
    """The product goal, the active sprint, planned and closed sprints, and a form to plan one."""
    product = access_product_for_user(request.user, key)
    return _render_list(request, product, None)


def _render_list(request: HttpRequest, product, form: SprintForm | None, *, status: int = 200) -> HttpResponse:
    context = frame(request, product)
    sprints = list(selectors.sprints_of(product))
    if form is None and context["may_plan"]:
        initial = _new_sprint_initial(sprints, context["today"])
        if context["product_goal"]:
            initial["product_goal"] = context["product_goal"].pk
        form = SprintForm(initial=initial, goals=_goals(product))
    active = next((s for s in sprints if s.status == Sprint.Status.ACTIVE), None)
    context.update(
        sprints=sprints,
        active=active,
        active_summary=selectors.sprint_summary(active, today=context["today"]) if active else None,
        planned=sorted((s for s in sprints if s.status == Sprint.Status.PLANNED), key=lambda s: s.number),
        closed=[s for s in sprints if s.status == Sprint.Status.CLOSED],
        form=form,
    )
    return render(request, "sprints/sprint_list.html", context, status=status)


@login_required
@require_POST
def sprint_create(request: HttpRequest, key: str) -> HttpResponse:
    """Plan a new sprint; then on to its planning page."""
    product = access_product_for_user(request.user, key, Action.PLAN_SPRINTS)
    form = SprintForm(request.POST, goals=_goals(product))
    if form.is_valid():
        try:
            sprint = services.create_sprint(product=product, by=request.user, **form.changes())
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Sprint {sprint.number} planned. Add the items it will hold.")
            return redirect("sprints:sprint-planning", sprint_id=sprint.pk)
    return _render_list(request, product, form, status=400)


@login_required
@require_GET
def sprint_detail(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """A sprint: the team's board while active, the plan while planned, the frozen outcome once
    closed."""
    sprint = sprint_for(request, sprint_id)
    context = frame(request, sprint.product, sprint=sprint, tab="sprint")
    today = context["today"]
    context["summary"] = selectors.sprint_summary(sprint, today=today)
    if sprint.status == Sprint.Status.ACTIVE:
        context.update(board_context(request, sprint))
        context.update(_burndown_context(sprint, today))
        if context["may_plan"]:
            planning = selectors.planning_candidates(sprint.product, sprint, limit=50)
            context["add_form"] = AddItemForm(candidates=[row.item for row in planning.candidates])
    elif sprint.status == Sprint.Status.PLANNED:
        context["sprint_items"] = list(selectors.sprint_items(sprint))
    else:
        context.update(_burndown_context(sprint, today))
    return render(request, "sprints/sprint_detail.html", context)


def board_context(request: HttpRequest, sprint: Sprint) -> dict:
    """What the board partial needs; the htmx response renders the same partial."""
    return {
        "columns": selectors.board(sprint),
        "column_choices": SprintItem.Column.choices,
        "summary": selectors.sprint_summary(sprint, today=timezone.localdate()),
    }


def _burndown_context(sprint: Sprint, today: datetime.date) -> dict:
    active = sprint.status == Sprint.Status.ACTIVE
    # An active sprint's burndown is asked up to its end so the ideal line runs to the end;
    # the remaining line stops at today (no event can lie in the future).
    data = selectors.burndown(sprint, today=sprint.end_date if active else None)
    rows = charts.burndown_rows(data.days, today=today if active else None)
    return {"burndown": data, "burndown_rows": rows, "burndown_chart": charts.burndown_chart(rows)}


@login_required
@require_GET
def sprint_burndown(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """The burndown chart of a sprint with the same figures as a table."""
    sprint = sprint_for(request, sprint_id)
    context = frame(request, sprint.product, sprint=sprint, tab="burndown")
    context.update(_burndown_context(sprint, context["today"]))
    context["summary"] = selectors.sprint_summary(sprint, today=context["today"])
    return render(request, "sprints/sprint_burndown.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sprint_planning(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Plan a sprint: the ready items from the top of the backlog with a running sum against
    the capacity range, the open action items, and its goal and dates (a stale edit is refused
    and what the user typed stays in the form)."""
    sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS if request.method == "POST" else Action.READ)
    product = sprint.product
    if sprint.status != Sprint.Status.PLANNED:
        messages.info(request, f"Sprint {sprint.number} is {sprint.get_status_display().lower()}: its plan is set.")
        return redirect("sprints:sprint-detail", sprint_id=sprint.pk)
    goals = _goals(product)
    if sprint.product_goal and sprint.product_goal not in goals:
        goals.append(sprint.product_goal)
    status = 200
    if request.method == "POST":
        form = SprintForm(request.POST, goals=goals, editing=True)
        if form.is_valid():
            try:
                services.update_sprint(
                    sprint=sprint,
                    by=request.user,
                    changes=form.changes(),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersion as exc:
                sprint = exc.current
                data = request.POST.copy()
                data["version"] = str(sprint.version)
                form = SprintForm(data, goals=goals, editing=True)
                form.is_valid()
                form.add_error(
                    None,
                    f"Someone changed Sprint {sprint.number} while you were editing it. It now reads as shown "
                    "above the form; your changes are still in the form. Review them and save again.",
                )
            except InvalidInput as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Saved Sprint {sprint.number}.")
                return redirect("sprints:sprint-planning", sprint_id=sprint.pk)
        status = 400
    else:
        form = SprintForm(initial=sprint_initial(sprint), goals=goals, editing=True)
    return render(request, "sprints/sprint_planning.html", _planning_context(request, sprint, form), status=status)


def _planning_context(request: HttpRequest, sprint: Sprint, form: SprintForm) -> dict:
    context = frame(request, sprint.product, sprint=sprint, tab="planning")
    planning = selectors.planning_candidates(sprint.product, sprint)
    context.update(
        planning=planning,
        form=form,
        add_form=AddItemForm(),
        action_items=selectors.open_action_items_for_user(request.user, sprint.product),
        other_active=selectors.active_sprint(sprint.product),
    )
    return context


@login_required
@require_POST
def sprint_start(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Start a planned sprint; refused, with the reason, without a goal or while another runs."""
    sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
    try:
        sprint = services.start_sprint(sprint=sprint, by=request.user)
    except InvalidInput as exc:
        messages.error(request, f"Sprint {sprint.number} was not started: {exc.message}")
        return redirect("sprints:sprint-planning", sprint_id=sprint.pk)
    messages.success(request, f"Sprint {sprint.number} started. Its goal: {sprint.goal}")
    return redirect("sprints:sprint-detail", sprint_id=sprint.pk)


@login_required
@require_http_methods(["GET", "POST"])
def sprint_close(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Close the active sprint: was the goal met, and where each unfinished item goes. A refusal
    shows in the form with every choice kept."""
    sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
    if sprint.status != Sprint.Status.ACTIVE:
        messages.info(
            request, f"Sprint {sprint.number} is {sprint.get_status_display().lower()}; only an active sprint closes."
        )
        return redirect("sprints:sprint-detail", sprint_id=sprint.pk)
    columns = selectors.board(sprint)
    unfinished = [si.item for column in columns if column.key != SprintItem.Column.DONE for si in column.sprint_items]
    form = CloseForm(request.POST if request.method == "POST" else None, unfinished=unfinished)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_sprint(
                sprint=sprint,
                by=request.user,
                goal_outcome=form.cleaned_data["goal_outcome"],
                goal_note=form.cleaned_data["goal_note"],
                placements=form.placements(),
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Sprint {sprint.number} closed. Its outcome is recorded below.")
            return redirect("sprints:sprint-detail", sprint_id=sprint.pk)
    context = frame(request, sprint.product, sprint=sprint, tab="close")
    context.update(
        form=form,
        columns=columns,
        summary=selectors.sprint_summary(sprint, today=context["today"]),
        next_sprint=selectors.next_planned_sprint(sprint.product),
    )
    return render(request, "sprints/sprint_close.html", context, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_GET
def velocity(request: HttpRequest, key: str) -> HttpResponse:
    """Completed against committed points of every closed sprint, as a chart and a table."""
    product = access_product_for_user(request.user, key)
    rows = selectors.velocity(product)
    context = frame(request, product, current="velocity")
    context.update(rows=rows, chart=charts.velocity_chart(rows), capacity=selectors.capacity_range(product))
    return render(request, "sprints/velocity.html", context)


urlpatterns = [
    path("p/<str:key>/sprints/", sprint_list, name="sprint-list"),
    path("p/<str:key>/sprints/new/", sprint_create, name="sprint-create"),
    path("p/<str:key>/velocity/", velocity, name="velocity"),
    path("sprints/<int:sprint_id>/", sprint_detail, name="sprint-detail"),
    path("sprints/<int:sprint_id>/plan/", sprint_planning, name="sprint-planning"),
    path("sprints/<int:sprint_id>/start/", sprint_start, name="sprint-start"),
    path("sprints/<int:sprint_id>/close/", sprint_close, name="sprint-close"),
    path("sprints/<int:sprint_id>/burndown/", sprint_burndown, name="sprint-burndown"),
]
