"""The digest as JSON: the API's `GET /products/{KEY}/digest/` and the worker's email both render
`selectors.build_digest` through `DigestSerializer`, so they can never say different things."""

from __future__ import annotations

from rest_framework import serializers

from backlog.models import Item, ProductGoal, Role
from config.api import InputSerializer, OutputSerializer
from sprints.models import Sprint

from ..models import Frequency, Weekday

CHANGES = [
    ("new", "New in the top since the last digest"),
    ("up", "Moved up"),
    ("down", "Moved down"),
    ("shifted", "Not moved itself: its number changed because items above it came, went or moved"),
    ("same", "Where it was (or no earlier digest to compare with)"),
]
LEFT_REASONS = [
    ("done", "Done"),
    ("discarded", "Discarded"),
    ("archived", "Archived"),
    ("moved_down", "Moved down, out of the top"),
    ("gone", "No longer exists"),
]


class DigestProductSerializer(OutputSerializer):
    key = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField()


class DigestRecipientSerializer(OutputSerializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class DigestGoalSerializer(OutputSerializer):
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown, as written.")
    status = serializers.CharField()


class DigestEndedGoalSerializer(OutputSerializer):
    title = serializers.CharField()
    # The goal statuses' one enum in the schema; an ended goal is only ever achieved or abandoned.
    status = serializers.ChoiceField(
        choices=ProductGoal.Status.choices, help_text="Achieved or abandoned: an ended goal."
    )
    closed_at = serializers.DateTimeField(help_text="When it was marked achieved or abandoned.")


class DigestActiveSprintSerializer(OutputSerializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    goal = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    days_left = serializers.IntegerField()
    done_points = serializers.IntegerField()
    committed_points = serializers.IntegerField()
    scope_points = serializers.IntegerField(help_text="Committed, plus added, less removed.")
    url = serializers.URLField()
    review_url = serializers.URLField()


class DigestSprintItemSerializer(OutputSerializer):
    key = serializers.CharField()
    title = serializers.CharField(help_text="As it read when the sprint closed.")
    estimate = serializers.IntegerField(allow_null=True)


class DigestNotDoneSerializer(DigestSprintItemSerializer):
    placed = serializers.CharField(
        help_text=(
            "Where it went at close: top, next (sprint) or keep (old position); archived: it was archived during "
            "the sprint and stays archived."
        )
    )


class DigestFeedbackItemSerializer(OutputSerializer):
    feedback = serializers.CharField()
    item_key = serializers.CharField()
    item_title = serializers.CharField()
    url = serializers.URLField()


class DigestClosedSprintSerializer(OutputSerializer):
    number = serializers.IntegerField()
    goal = serializers.CharField()
    goal_outcome = serializers.ChoiceField(choices=Sprint.GoalOutcome.choices, allow_blank=True)
    goal_outcome_label = serializers.CharField(allow_blank=True)
    goal_note = serializers.CharField(allow_blank=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    closed_at = serializers.DateTimeField()
    committed_points = serializers.IntegerField()
    added_points = serializers.IntegerField()
    removed_points = serializers.IntegerField()
    completed_points = serializers.IntegerField()
    done = DigestSprintItemSerializer(many=True)
    not_done = DigestNotDoneSerializer(many=True, help_text="Listed as plainly as the done ones.")
    removed = DigestSprintItemSerializer(
        many=True,
        allow_null=True,
        help_text=(
            "Items taken out of the sprint while it ran, with their estimate when they were taken out; null for a "
            "sprint closed before its outcome named them (removed_points still counts them)."
        ),
    )
    review_notes = serializers.CharField(allow_blank=True, help_text="The review's summary, Markdown.")
    feedback_items = DigestFeedbackItemSerializer(many=True, help_text="Review feedback turned into backlog items.")
    url = serializers.URLField(help_text="The sprint's review page.")


class DigestTopEntrySerializer(OutputSerializer):
    key = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Item.Status.choices)
    estimate = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField(help_text="1-based, over all live items.")
    previous_position = serializers.IntegerField(allow_null=True, help_text="In your last digest; null if not there.")
    change = serializers.ChoiceField(choices=CHANGES)
    forecast_85 = serializers.CharField(
        allow_null=True, help_text='"85% likely by Sprint 14, 10 Feb"; null without enough history.'
    )
    counts_unestimated = serializers.BooleanField(help_text="The forecast counts unestimated items at the median.")
    url = serializers.URLField()


class DigestLeftSerializer(OutputSerializer):
    key = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    previous_position = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=LEFT_REASONS)
    position = serializers.IntegerField(allow_null=True, help_text="Where it is now, when it moved down.")
    url = serializers.URLField(allow_null=True)


class DigestForecastSerializer(OutputSerializer):
    available = serializers.BooleanField()
    history = serializers.IntegerField(help_text="Closed sprints the forecast rests on.")
    message = serializers.CharField()
    unestimated_note = serializers.CharField(
        allow_blank=True, help_text="Set when forecasts (marked *) count unestimated items at the median estimate."
    )


class DigestReviewSerializer(OutputSerializer):
    date = serializers.DateField(help_text="The next sprint review: the end of the active (or next planned) sprint.")
    sprint_id = serializers.IntegerField(allow_null=True)


class DigestLinksSerializer(OutputSerializer):
    product = serializers.URLField()
    feedback = serializers.URLField(help_text="Where to give feedback: the sprint review page.")
    preferences = serializers.URLField()
    unsubscribe = serializers.URLField(help_text="One-click unsubscribe; works without signing in.")


class DigestShownTopSerializer(OutputSerializer):
    key = serializers.CharField()
    position = serializers.IntegerField()


class DigestShownSerializer(OutputSerializer):
    top = DigestShownTopSerializer(many=True)
    sprints = serializers.ListField(child=serializers.IntegerField())
    goal = serializers.IntegerField(allow_null=True)
    ended_goals = serializers.ListField(child=serializers.IntegerField(), help_text="Ended product goals it told.")
    active_sprint = serializers.IntegerField(allow_null=True)


class DigestSerializer(OutputSerializer):
    """Your next digest of the product, exactly as the email would say it."""

    product = DigestProductSerializer()
    recipient = DigestRecipientSerializer()
    generated_at = serializers.DateTimeField()
    since = serializers.DateTimeField(allow_null=True, help_text="When your last digest was sent; null: none yet.")
    first = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="False: nothing new since your last digest (no email is sent).")
    product_goal = DigestGoalSerializer(allow_null=True, help_text="The active product goal; null: none is set.")
    ended_product_goals = DigestEndedGoalSerializer(
        many=True, help_text="Product goals achieved or abandoned since your last digest, oldest first."
    )
    active_sprint = DigestActiveSprintSerializer(allow_null=True)
    closed_sprints = DigestClosedSprintSerializer(many=True, help_text="Closed since your last digest, oldest first.")
    top = DigestTopEntrySerializer(many=True, help_text="The top 10 open items, with changes since your last digest.")
    left_top = DigestLeftSerializer(many=True, help_text="Items of your last digest's top 10 that left it, and why.")
    forecast = DigestForecastSerializer()
    next_review = DigestReviewSerializer(allow_null=True)
    links = DigestLinksSerializer()
    shown = DigestShownSerializer(help_text="What this digest shows that the next one compares with.")


class SubscriptionSerializer(OutputSerializer):
    product = serializers.CharField(source="product.key")
    role = serializers.ChoiceField(choices=Role.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 = Monday; used when weekly.")
    hour = serializers.IntegerField(min_value=0, max_value=23, help_text="In your time zone; used when weekly.")
    send_when_quiet = serializers.BooleanField()
    chosen = serializers.BooleanField(help_text="False: your role's default (stakeholders weekly, the team off).")


class SubscriptionInputSerializer(InputSerializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    weekday = serializers.ChoiceField(choices=Weekday.choices, required=False)
    hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    send_when_quiet = serializers.BooleanField(required=False)
