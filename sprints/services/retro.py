"""The retrospective: cards, votes and action items (the Scrum team only)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backlog.models import Membership
from backlog.permissions import Action, require
from backlog.services import record
from config.errors import NotFound

from ..models import ActionItem, RetroCard, RetroVote, Sprint
from .common import (
    ACTION_TITLE_MAX,
    OPEN,
    TEAM_ROLES,
    VOTES_PER_MEMBER,
    _check_text,
    _invalid,
    _locked_sprint,
)


def _retro_open(sprint: Sprint) -> None:
    # Asked of the database: the caller's copy may predate the start.
    status = Sprint.objects.filter(pk=sprint.pk).values_list("status", flat=True).first()
    if status is None:
        raise NotFound("No such sprint.")
    if status == Sprint.Status.PLANNED:
        raise _invalid("sprint", f"{sprint} has not started; its retrospective comes at its end.")


@transaction.atomic
def add_retro_card(*, sprint: Sprint, by, column: str, body: str) -> RetroCard:
    """Add a card to the sprint's retrospective (team only: stakeholders get NotFound)."""
    require(by, sprint.product, Action.RETROSPECTIVE)
    _retro_open(sprint)
    if column not in RetroCard.Column.values:
        raise _invalid("column", f"Choose one of: {', '.join(RetroCard.Column.values)}.")
    body = _check_text(body, "body", label="A card")
    if not body:
        raise _invalid("body", "A card needs some text.")
    card = RetroCard.objects.create(sprint=sprint, column=column, body=body, author=by)
    record(product=sprint.product, by=by, event="sprints.retro.card_added", sprint=sprint.pk, card=card.pk)
    return card


def _card_sprint(card: RetroCard) -> Sprint:
    return Sprint.objects.select_related("product").get(pk=card.sprint_id)


@transaction.atomic
def vote(*, card: RetroCard, by) -> RetroVote:
    """Place one of the member's 3 votes of the sprint on a card (several may go to one card).
    Counted under the sprint's row lock, so two quick clicks cannot make a fourth."""
    sprint = _card_sprint(card)
    require(by, sprint.product, Action.RETROSPECTIVE)
    _locked_sprint(sprint)
    used = RetroVote.objects.filter(card__sprint=sprint, voter=by).count()
    if used >= VOTES_PER_MEMBER:
        raise _invalid(
            "card",
            f"You have placed all {VOTES_PER_MEMBER} of your votes; take one back to vote again.",
            code="no_votes_left",
        )
    return RetroVote.objects.create(card=card, voter=by)


@transaction.atomic
def unvote(*, card: RetroCard, by) -> bool:
    """Take back one of the member's votes on the card. False: there was none to take back (and
    nothing changed: taking back is idempotent, like a DELETE)."""
    sprint = _card_sprint(card)
    require(by, sprint.product, Action.RETROSPECTIVE)
    mine = RetroVote.objects.filter(card=card, voter=by).order_by("-created_at", "-id").first()
    if mine is None:
        return False
    mine.delete()
    return True


@transaction.atomic
def add_action_item(*, sprint: Sprint, by, title: str, owner=None, target_sprint: Sprint | None = None) -> ActionItem:
    """Commit to an improvement at the retrospective, with an owner from the team and the
    planned or active sprint it should land in; it follows the team until done."""
    require(by, sprint.product, Action.RETROSPECTIVE)
    _retro_open(sprint)
    title = _check_text(title, "title", label="An action item's title", limit=ACTION_TITLE_MAX, single_line=True)
    if not title:
        raise _invalid("title", "An action item needs a title.")
    if owner is not None:
        role = (
            Membership.objects.filter(product_id=sprint.product_id, user=owner).values_list("role", flat=True).first()
        )
        if role not in TEAM_ROLES:
            raise _invalid("owner", "The owner must be on the Scrum team of this product.")
    if target_sprint is not None and (
        not isinstance(target_sprint, Sprint)
        or not Sprint.objects.filter(pk=target_sprint.pk, product_id=sprint.product_id, status__in=OPEN).exists()
    ):
        raise _invalid("target_sprint", "Choose a planned or active sprint of this product.")
    action_item = ActionItem.objects.create(
        sprint=sprint, title=title, owner=owner, target_sprint=target_sprint, created_by=by
    )
    record(product=sprint.product, by=by, event="sprints.action_item.added", sprint=sprint.pk, action=action_item.pk)
    return action_item


def _set_action_done(action_item: ActionItem, by, done: bool) -> ActionItem:
    sprint = Sprint.objects.select_related("product").get(pk=action_item.sprint_id)
    require(by, sprint.product, Action.RETROSPECTIVE)
    current = ActionItem.objects.select_for_update().get(pk=action_item.pk)
    if (current.done_at is not None) != done:
        current.done_at = timezone.now() if done else None
        current.save(update_fields=["done_at"])
        event = "sprints.action_item.completed" if done else "sprints.action_item.reopened"
        record(product=sprint.product, by=by, event=event, sprint=sprint.pk, action=current.pk)
    return current


@transaction.atomic
def complete_action_item(*, action_item: ActionItem, by) -> ActionItem:
    """Mark an action item done: it stops following the team."""
    return _set_action_done(action_item, by, True)


@transaction.atomic
def reopen_action_item(*, action_item: ActionItem, by) -> ActionItem:
    """Open a done action item again."""
    return _set_action_done(action_item, by, False)
