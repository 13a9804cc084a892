"""The sprint review: feedback, feedback turned into items, hypothesis outcomes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backlog import services as backlog_services
from backlog.models import Item
from backlog.permissions import Action, require
from backlog.services import record
from config.errors import NotFound
from config.text import one_line

from ..models import Feedback, HypothesisOutcome, Sprint, SprintItem
from .common import (
    _check_text,
    _invalid,
)


@transaction.atomic
def add_feedback(*, sprint: Sprint, by, body: str, about: Item | None = None) -> Feedback:
    """Give feedback at a sprint's review (any member, stakeholders included), optionally about
    an item of the product. A planned sprint has had no review yet."""
    require(by, sprint.product, Action.REVIEW_FEEDBACK)
    if Sprint.objects.filter(pk=sprint.pk, status=Sprint.Status.PLANNED).exists():
        raise _invalid("sprint", f"{sprint} has not started: feedback comes at its review.", code="sprint_planned")
    body = _check_text(body, "body", label="Feedback")
    if not body:
        raise _invalid("body", "Feedback needs some text.")
    if about is not None and (not isinstance(about, Item) or about.product_id != sprint.product_id):
        raise _invalid("about", "Choose an item of this product, or none.")
    feedback = Feedback.objects.create(sprint=sprint, author=by, body=body, about=about)
    record(product=sprint.product, by=by, event="sprints.feedback.added", item=about, sprint=sprint.pk)
    return feedback


def _quote(feedback: Feedback, sprint: Sprint) -> str:
    author = feedback.author.name if feedback.author else "a former member"
    quoted = "\n".join(f"> {line}" if line else ">" for line in feedback.body.splitlines())
    return f"{quoted}\n\n— feedback from {author} at the review of Sprint {sprint.number}."


def _title_from(body: str) -> str:
    """A title made of the feedback's first line: on one line (the body may hold control
    characters a title refuses) and, when the line is longer than a title may be, shortened at a
    word with an ellipsis that shows it was (the whole feedback is quoted in the description)."""
    first_line = one_line(body.strip().splitlines()[0]) if body.strip() else ""
    limit = backlog_services.TITLE_MAX
    if len(first_line) > limit:
        cut = first_line[: limit - 1]
        word = cut.rsplit(" ", 1)[0]
        first_line = (word if len(word) > limit // 2 else cut).rstrip() + "…"
    return first_line or "Feedback"


@transaction.atomic
def feedback_to_item(*, feedback: Feedback, by, position: int, title: str | None = None, kind: str = "story") -> Item:
    """Turn review feedback into a backlog item at a chosen position; the item quotes the
    feedback and the two link to each other. Feedback becomes an item once."""
    sprint = feedback.sprint
    require(by, sprint.product, Action.RANK)
    current = Feedback.objects.select_for_update(of=("self",)).select_related("author").filter(pk=feedback.pk).first()
    if current is None:
        raise NotFound("No such feedback.")
    if current.became_id is not None:
        raise _invalid("feedback", "This feedback is a backlog item already.", code="already_an_item")
    if title is None or not str(title).strip():
        title = _title_from(current.body)
    item = backlog_services.create_item(
        product=sprint.product, by=by, title=title, kind=kind, description=_quote(current, sprint)
    )
    backlog_services.move_item(item=item, by=by, position=position)
    current.became = item
    current.save(update_fields=["became"])
    record(product=sprint.product, by=by, event="sprints.feedback.became_item", item=item, feedback=current.pk)
    return item


def _done_keys(sprint: Sprint) -> set[str]:
    if sprint.status == Sprint.Status.CLOSED:
        return {entry["key"] for entry in (sprint.outcome or {}).get("done", [])}
    return set(
        SprintItem.objects.filter(sprint=sprint, removed_at__isnull=True, column=SprintItem.Column.DONE).values_list(
            "item__key", flat=True
        )
    )


@transaction.atomic
def record_hypothesis_outcome(*, sprint: Sprint, item: Item, by, verdict: str, evidence: str = "") -> HypothesisOutcome:
    """Record at the review what a done item's hypothesis turned out to be (validated,
    invalidated or inconclusive, with evidence); recording again updates it."""
    require(by, sprint.product, Action.PLAN_SPRINTS)
    if verdict not in HypothesisOutcome.Verdict.values:
        raise _invalid("verdict", f"Choose one of: {', '.join(HypothesisOutcome.Verdict.values)}.")
    evidence = _check_text(evidence, "evidence", label="The evidence")
    if not isinstance(item, Item) or item.product_id != sprint.product_id or item.key not in _done_keys(sprint):
        raise _invalid("item", f"Only items done in Sprint {sprint.number} can have their hypothesis judged.")
    if not item.hypothesis.strip():
        raise _invalid("item", f"{item.key} carries no hypothesis to judge.")
    outcome, created = HypothesisOutcome.objects.update_or_create(
        sprint=sprint,
        item=item,
        defaults={
            "hypothesis": item.hypothesis,
            "verdict": verdict,
            "evidence": evidence,
            "recorded_by": by,
            "recorded_at": timezone.now(),
        },
    )
    record(
        product=sprint.product,
        by=by,
        event="sprints.hypothesis.recorded",
        item=item,
        sprint=sprint.pk,
        verdict=verdict,
        updated=not created,
    )
    return outcome
