"""HTML views: the sprint review (summary notes, the increment, feedback, hypothesis outcomes)
and the product's "what we learned" list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_service_errors
from backlog import selectors as backlog_selectors
from backlog.permissions import Action, access_product_for_user
from config.errors import InvalidInput, NotFound, StaleVersion

from .. import selectors, services
from ..forms import FeedbackForm, FeedbackToItemForm, HypothesisForm, ReviewNotesForm
from ..models import Feedback, Sprint
from .common import first_error, frame, sprint_for


def _review_url(sprint: Sprint, anchor: str = "") -> str:
    url = reverse("sprints:sprint-review", args=[sprint.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def sprint_review(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """The sprint review: notes, the increment, feedback, and hypothesis outcomes."""
    sprint = sprint_for(request, sprint_id)
    return _render_review(request, sprint)


def _render_review(
    request: HttpRequest,
    sprint: Sprint,
    *,
    notes_form: ReviewNotesForm | None = None,
    feedback_form: FeedbackForm | None = None,
    hypothesis_form: HypothesisForm | None = None,
    feedback_item: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review page; a refused form comes back bound, with its errors and what was typed."""
    context = frame(request, sprint.product, sprint=sprint, tab="review")
    data = selectors.review(sprint)
    items = [entry.item for entry in data.done if entry.item is not None]
    refused_key = hypothesis_form.data.get("item", "").upper() if hypothesis_form is not None else None
    context.update(
        review=data,
        notes_form=notes_form
        or ReviewNotesForm(initial={"review_notes": sprint.review_notes, "version": sprint.version}),
        feedback_form=feedback_form or FeedbackForm(items=items),
        # One form per item, each with its own ids (the field names stay the same).
        hypothesis_forms=[
            (
                item,
                hypothesis_form
                if item.key == refused_key
                else HypothesisForm(initial={"item": item.key}, auto_id=hypothesis_ids(item.key)),
            )
            for item in data.unjudged
        ],
        # {"id", "title", "position", "error"}: the feedback whose turning into an item was refused.
        feedback_item=feedback_item,
        live_count=backlog_selectors.live_count(sprint.product),
    )
    return render(request, "sprints/sprint_review.html", context, status=status)


def hypothesis_ids(key: str) -> str:
    return f"hypothesis-{key}-%s"


@login_required
@require_POST
def sprint_review_notes(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Save the review's summary notes; a stale save keeps the text typed and says so."""
    sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
    form = ReviewNotesForm(request.POST)
    if form.is_valid():
        try:
            services.update_sprint(
                sprint=sprint,
                by=request.user,
                changes={"review_notes": form.cleaned_data["review_notes"]},
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as exc:
            sprint = exc.current
            data = request.POST.copy()
            data["version"] = str(sprint.version)
            form = ReviewNotesForm(data)
            form.is_valid()
            form.add_error(
                None,
                "Someone changed this sprint while you were writing. The saved notes are shown above; "
                "your text is still in the form. Merge them and save again.",
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Review notes saved.")
            return redirect(_review_url(sprint, "notes"))
    return _render_review(request, sprint, notes_form=form, status=400)


@login_required
@require_POST
def sprint_feedback(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Add feedback to the review (any member), optionally about one of the done items."""
    sprint = sprint_for(request, sprint_id, Action.REVIEW_FEEDBACK)
    data = selectors.review(sprint)
    form = FeedbackForm(request.POST, items=[entry.item for entry in data.done if entry.item])
    if form.is_valid():
        about = None
        if form.cleaned_data["about"]:
            about = backlog_selectors.item_of_product(sprint.product, form.cleaned_data["about"].upper())
            if about is None:
                form.add_error("about", "Choose an item of this product, or none.")
        if not form.errors:
            try:
                feedback = services.add_feedback(
                    sprint=sprint, by=request.user, body=form.cleaned_data["body"], about=about
                )
            except InvalidInput as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Thank you: your feedback is on the review.")
                return redirect(_review_url(sprint, f"feedback-{feedback.pk}"))
    return _render_review(request, sprint, feedback_form=form, status=400)


def _feedback_of(sprint: Sprint, feedback_id: int) -> Feedback:
    feedback = Feedback.objects.select_related("author").filter(sprint=sprint, pk=feedback_id).first()
    if feedback is None:
        raise NotFound("No such feedback.")
    feedback.sprint = sprint
    return feedback


@login_required
@require_POST
def sprint_feedback_item(request: HttpRequest, sprint_id: int, feedback_id: int) -> HttpResponse:
    """The product owner turns feedback into a backlog item at a chosen position."""
    sprint = sprint_for(request, sprint_id, Action.RANK)
    feedback = _feedback_of(sprint, feedback_id)
    form = FeedbackToItemForm(request.POST)
    refused = {"id": feedback.pk, "title": request.POST.get("title", ""), "position": request.POST.get("position", "")}
    if not form.is_valid():
        return _render_review(request, sprint, feedback_item={**refused, "error": first_error(form)}, status=400)
    try:
        item = services.feedback_to_item(
            feedback=feedback,
            by=request.user,
            position=form.cleaned_data["position"],
            title=form.cleaned_data["title"] or None,
        )
    except InvalidInput as exc:
        return _render_review(request, sprint, feedback_item={**refused, "error": exc.message}, status=400)
    position = backlog_selectors.position_of(item)
    messages.success(request, f"{item.key} created from the feedback, at position {position} of the backlog.")
    return redirect(_review_url(sprint, f"feedback-{feedback.pk}"))


@login_required
@require_POST
def sprint_hypothesis(request: HttpRequest, sprint_id: int) -> HttpResponse:
    """Record what a done item's hypothesis turned out to be."""
    sprint = sprint_for(request, sprint_id, Action.PLAN_SPRINTS)
    key = request.POST.get("item", "").strip().upper()
    item = backlog_selectors.item_of_product(sprint.product, key) if key else None
    if item is None:
        # The hidden field names the item; without a known one there is no form to send back.
        messages.error(request, f"Item: no item {key} in {sprint.product.key}." if key else "Item: say which item.")
        return redirect(_review_url(sprint, "hypotheses"))
    form = HypothesisForm(request.POST, auto_id=hypothesis_ids(item.key))
    if form.is_valid():
        try:
            outcome = services.record_hypothesis_outcome(
                sprint=sprint,
                item=item,
                by=request.user,
                verdict=form.cleaned_data["verdict"],
                evidence=form.cleaned_data["evidence"],
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
    if form.errors and set(form.errors) <= {"verdict", "evidence"}:
        return _render_review(request, sprint, hypothesis_form=form, status=400)
    if form.errors:  # about the item itself (not done in this sprint, judged already): no form shows it
        messages.error(request, first_error(form))
        return redirect(_review_url(sprint, "hypotheses"))
    messages.success(request, f"{item.key}: hypothesis {outcome.get_verdict_display().lower()}.")
    return redirect(_review_url(sprint, "hypotheses"))


@login_required
@require_GET
def lessons(request: HttpRequest, key: str) -> HttpResponse:
    """What the product has learned: every hypothesis outcome, newest first."""
    product = access_product_for_user(request.user, key)
    context = frame(request, product, current="lessons")
    context["outcomes"] = list(selectors.lessons(product))
    return render(request, "sprints/lessons.html", context)


urlpatterns = [
    path("p/<str:key>/lessons/", lessons, name="lessons"),
    path("sprints/<int:sprint_id>/review/", sprint_review, name="sprint-review"),
    path("sprints/<int:sprint_id>/review/notes/", sprint_review_notes, name="sprint-review-notes"),
    path("sprints/<int:sprint_id>/review/feedback/", sprint_feedback, name="sprint-feedback"),
    path(
        "sprints/<int:sprint_id>/review/feedback/<int:feedback_id>/item/",
        sprint_feedback_item,
        name="sprint-feedback-item",
    ),
    path("sprints/<int:sprint_id>/review/hypotheses/", sprint_hypothesis, name="sprint-hypothesis"),
]
