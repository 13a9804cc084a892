"""Sprints, their items and the events that make their numbers, reviews and retrospectives.

A sprint's numbers come from recorded events (`SprintEvent`), never from today's state of the
items, and are frozen into `Sprint.outcome` when it closes: later edits to items cannot change
what a closed sprint says.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from backlog.models import Item, Product, ProductGoal


class Sprint(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    class GoalOutcome(models.TextChoices):
        MET = "met", "Met"
        PARTLY = "partly", "Partly met"
        NOT_MET = "not_met", "Not met"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="sprints")
    number = models.PositiveIntegerField()
    start_date = models.DateField()
    end_date = models.DateField()
    goal = models.TextField(blank=True, help_text="Why this sprint is worth doing; required to start.")
    product_goal = models.ForeignKey(
        ProductGoal, null=True, blank=True, on_delete=models.SET_NULL, related_name="sprints"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    goal_outcome = models.CharField(max_length=10, choices=GoalOutcome.choices, blank=True)
    goal_note = models.TextField(blank=True)
    # Frozen at close: {"committed_points", "added_points", "removed_points", "completed_points",
    # "done": [{"key", "title", "estimate"}], "not_done": [{"key", "title", "estimate", "placed"}],
    # "removed": [{"key", "title", "estimate"}]}; "placed" is top, next, keep or archived. Sprints
    # closed before "removed" was recorded have no such key.
    outcome = models.JSONField(null=True, blank=True)
    review_notes = models.TextField(blank=True)
    # Optimistic concurrency for the sprint's own fields (goal, dates, review notes).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["product", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="sprint_number_unique"),
            models.UniqueConstraint(fields=["product"], condition=Q(status="active"), name="one_active_sprint"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="sprint_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.product.key} Sprint {self.number}"

    @property
    def completed_points(self) -> int | None:
        """The velocity this sprint contributes: frozen at close, None before."""
        return self.outcome["completed_points"] if self.outcome else None


class SprintItem(models.Model):
    """An item's membership in a sprint. Removal during an active sprint keeps the row (removed
    scope is part of the record); removal while planning deletes it."""

    class Column(models.TextChoices):
        TODO = "todo", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="sprint_items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="sprint_items")
    column = models.CharField(max_length=12, choices=Column.choices, default=Column.TODO)
    # Committed at the start of the sprint, or added to it while it was active.
    committed = models.BooleanField(default=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["sprint", "item__rank"]
        constraints = [models.UniqueConstraint(fields=["sprint", "item"], name="sprint_item_unique")]

    def __str__(self) -> str:
        return f"{self.item.key} in {self.sprint}"


class SprintEvent(models.Model):
    """What changed a sprint's remaining work, when and by how many points: the burndown's
    source. Points are the item's estimate at the time of the event (a re-estimate's: the change)."""

    class Kind(models.TextChoices):
        COMMITTED = "committed", "Committed at start"
        ADDED = "added", "Added mid-sprint"
        REMOVED = "removed", "Removed mid-sprint"
        DONE = "done", "Done"
        REOPENED = "reopened", "Reopened"

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    points = models.PositiveSmallIntegerField(null=True, blank=True)
    # An estimate changed mid-sprint: recorded as scope added (points: the increase) or removed
    # (the decrease), so committed + added − removed − done stays the work left.
    reestimate = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["sprint", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.item.key} ({self.points}) in {self.sprint}"


class Feedback(models.Model):
    """Feedback at a sprint review, from anyone on the product, optionally about an item."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    about = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    # The backlog item the product owner made of it.
    became = models.OneToOneField(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="from_feedback")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Feedback on {self.sprint} by {self.author}"


class HypothesisOutcome(models.Model):
    """What a done item's hypothesis turned out to be, recorded at the sprint review."""

    class Verdict(models.TextChoices):
        VALIDATED = "validated", "Validated"
        INVALIDATED = "invalidated", "Invalidated"
        INCONCLUSIVE = "inconclusive", "Inconclusive"

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="hypothesis_outcomes")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="hypothesis_outcomes")
    hypothesis = models.TextField(help_text="The hypothesis as it read when judged.")
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    evidence = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["sprint", "item"], name="hypothesis_outcome_unique")]

    def __str__(self) -> str:
        return f"{self.item.key}: {self.verdict}"


class RetroCard(models.Model):
    class Column(models.TextChoices):
        WENT_WELL = "went_well", "Went well"
        TO_IMPROVE = "to_improve", "To improve"
        IDEAS = "ideas", "Ideas"

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="retro_cards")
    column = models.CharField(max_length=12, choices=Column.choices)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_column_display()}: {self.body[:40]}"


class RetroVote(models.Model):
    """One of a member's votes (3 per member per sprint) on a card; several may go to one card."""

    card = models.ForeignKey(RetroCard, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["voter", "card"], name="retro_vote_voter_idx")]

    def __str__(self) -> str:
        return f"Vote by {self.voter} on card {self.card_id}"


class ActionItem(models.Model):
    """An improvement the team commits to at a retrospective; open ones follow the team into
    later planning pages and retrospectives until done."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_sprint = models.ForeignKey(
        Sprint, null=True, blank=True, on_delete=models.SET_NULL, related_name="targeted_action_items"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title
