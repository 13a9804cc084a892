"""HTML views: the retrospective, for the Scrum team only (stakeholders and outsiders get 404:
the selector hides it). Cards in three columns sorted by votes, 3 votes per member, and action
items that follow the team until done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_service_errors
from backlog import selectors as backlog_selectors
from backlog.models import Role
from backlog.permissions import Action
from config.errors import InvalidInput, NotFound

from .. import selectors, services
from ..forms import ActionItemForm, RetroCardForm
from ..models import ActionItem, RetroCard, Sprint
from .common import frame, sprint_for

TEAM = (Role.PRODUCT_OWNER, Role.SCRUM_MASTER, Role.DEVELOPER)


def _retro_url(sprint: Sprint, anchor: str = "") -> str:
    url = reverse("sprints:sprint-retro", args=[sprint.pk])
    return f"{url}#{anchor}" if anchor else url


def _action_form(sprint: Sprint, data=None) -> ActionItemForm:
    team = [m for m in backlog_selectors.members_of(sprint.product) if m.role in TEAM]
    open_sprints = sorted(
        (s for s in selectors.sprints_of(sprint.product) if s.status != Sprint.Status.CLOSED), key=lambda s: s.number
    )
    return ActionItemForm(data, members=team, sprints=open_sprints)


@login_required
@require_GET
def sprint_retro(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """The retrospective board."""
    sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
    return _render_retro(request, sprint)


def _render_retro(
    request: HttpRequest,
    sprint: Sprint,
    *,
    card_form: RetroCardForm | None = None,
    action_form: ActionItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = frame(request, sprint.product, sprint=sprint, tab="retro")
    data = selectors.retro(sprint, request.user)
    context.update(
        retro=data,
        this_sprint_actions=[a for a in data.action_items if a.sprint_id == sprint.pk],
        earlier_actions=[a for a in data.action_items if a.sprint_id != sprint.pk],
        card_form=card_form or RetroCardForm(),
        action_form=action_form or _action_form(sprint),
        votes_per_member=services.VOTES_PER_MEMBER,
    )
    return render(request, "sprints/sprint_retro.html", context, status=status)


@login_required
@require_POST
def sprint_retro_card(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Add a card to the retrospective."""
    sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
    form = RetroCardForm(request.POST)
    if form.is_valid():
        try:
            card = services.add_retro_card(sprint=sprint, by=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Card added to “{card.get_column_display()}”.")
            return redirect(_retro_url(sprint, f"card-{card.pk}"))
    return _render_retro(request, sprint, card_form=form, status=400)


def _card_of(sprint: Sprint, card_id: int) -> RetroCard:
    card = RetroCard.objects.filter(sprint=sprint, pk=card_id).first()
    if card is None:
        raise NotFound("No such card.")
    return card


@login_required
@require_POST
def sprint_retro_vote(request: HttpRequest, sprint_id: int, card_id: int) -> HttpResponse:
    """Place one of the member's votes on a card."""
    sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
    card = _card_of(sprint, card_id)
    try:
        services.vote(card=card, by=request.user)
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Vote placed.")
    return redirect(_retro_url(sprint, f"card-{card.pk}"))


@login_required
@require_POST
def sprint_retro_unvote(request: HttpRequest, sprint_id: int, card_id: int) -> HttpResponse:
    """Take back one of the member's votes on a card."""
    sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
    card = _card_of(sprint, card_id)
    if services.unvote(card=card, by=request.user):
        messages.success(request, "Vote taken back.")
    else:
        messages.info(request, "You had no vote on that card to take back.")
    return redirect(_retro_url(sprint, f"card-{card.pk}"))


@login_required
@require_POST
def sprint_action(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Commit to an action item, with an owner and a target sprint."""
    sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
    form = _action_form(sprint, request.POST)
    if form.is_valid():
        try:
            action_item = services.add_action_item(sprint=sprint, by=request.user, **form.service_kwargs())
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Action item added: {action_item.title}")
            return redirect(_retro_url(sprint, f"action-{action_item.pk}"))
    return _render_retro(request, sprint, action_form=form, status=400)


def _action_of(sprint: Sprint, action_id: int) -> ActionItem:
    # Open action items of earlier sprints are shown (and completed) on later sprints' pages.
    action_item = ActionItem.objects.filter(sprint__product_id=sprint.product_id, pk=action_id).first()
    if action_item is None:
        raise NotFound("No such action item.")
    return action_item


def _after_action(request: HttpRequest, sprint: Sprint, action_item: ActionItem) -> HttpResponse:
    if request.POST.get("next") == "planning":
        return redirect(reverse("sprints:sprint-planning", args=[sprint.pk]) + "#action-items")
    return redirect(_retro_url(sprint, f"action-{action_item.pk}"))


@login_required
@require_POST
def sprint_action_done(request: HttpRequest, sprint_id: int, action_id: int) -> HttpResponse:
    """Mark an action item done."""
    sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
    action_item = services.complete_action_item(action_item=_action_of(sprint, action_id), by=request.user)
    messages.success(request, f"Done: {action_item.title}")
    return _after_action(request, sprint, action_item)


@login_required
@require_POST
def sprint_action_reopen(request: HttpRequest, sprint_id: int, action_id: int) -> HttpResponse:
    """Open a done action item again."""
    sprint = sprint_for(request, sprint_id, Action.RETROSPECTIVE)
    action_item = services.reopen_action_item(action_item=_action_of(sprint, action_id), by=request.user)
    messages.success(request, f"Reopened: {action_item.title}")
    return _after_action(request, sprint, action_item)


urlpatterns = [
    path("sprints/<int:sprint_id>/retro/", sprint_retro, name="sprint-retro"),
    path("sprints/<int:sprint_id>/retro/cards/", sprint_retro_card, name="sprint-retro-card"),
    path("sprints/<int:sprint_id>/retro/cards/<int:card_id>/vote/", sprint_retro_vote, name="sprint-retro-vote"),
    path("sprints/<int:sprint_id>/retro/cards/<int:card_id>/unvote/", sprint_retro_unvote, name="sprint-retro-unvote"),
    path("sprints/<int:sprint_id>/retro/actions/", sprint_action, name="sprint-action"),
    path("sprints/<int:sprint_id>/retro/actions/<int:action_id>/done/", sprint_action_done, name="sprint-action-done"),
    path(
        "sprints/<int:sprint_id>/retro/actions/<int:action_id>/reopen/",
        sprint_action_reopen,
        name="sprint-action-reopen",
    ),
]
