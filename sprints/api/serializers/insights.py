"""Velocity and the forecast."""

from __future__ import annotations

from rest_framework import serializers

from config.api import OutputSerializer, QuerySerializer

from ...models import Sprint
from .common import ITEM_KEY_MAX, POSITION_MAX, iso_date


class VelocitySprintSerializer(OutputSerializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    end_date = serializers.DateField()
    committed_points = serializers.IntegerField()
    completed_points = serializers.IntegerField(help_text="Frozen at close: the velocity.")
    goal_outcome = serializers.ChoiceField(choices=Sprint.GoalOutcome.choices, allow_null=True)


class CapacitySerializer(OutputSerializer):
    low = serializers.IntegerField()
    high = serializers.IntegerField()


class VelocitySerializer(OutputSerializer):
    """selectors.velocity and selectors.capacity_range, as `{"points": …, "capacity": …}`."""

    sprints = VelocitySprintSerializer(many=True, help_text="Closed sprints, oldest first.")
    capacity = CapacitySerializer(
        allow_null=True,
        help_text="Lowest and highest completed points of the last 3 closed sprints; null: no history yet.",
    )

    def to_representation(self, data):
        capacity = data["capacity"]
        return {
            "sprints": [
                {
                    "id": point.sprint_id,
                    "number": point.number,
                    "end_date": iso_date(point.end_date),
                    "committed_points": point.committed_points,
                    "completed_points": point.completed_points,
                    "goal_outcome": point.goal_outcome or None,
                }
                for point in data["points"]
            ],
            "capacity": {"low": capacity[0], "high": capacity[1]} if capacity else None,
        }


class ForecastQuerySerializer(QuerySerializer):
    position = serializers.IntegerField(
        required=False, min_value=1, max_value=POSITION_MAX, help_text="A backlog position (1 is the top)."
    )
    item = serializers.CharField(required=False, max_length=ITEM_KEY_MAX, help_text="An item key, e.g. SHOP-42.")

    def validate(self, attrs):
        if len(attrs) != 1:
            message = "Give exactly one of position or item."
            raise serializers.ValidationError({"position": [message], "item": [message]})
        return attrs


FORECAST_STATES = [
    ("forecast", "Forecast (see enough_history and estimable)"),
    ("done", "Done: no work left"),
    ("discarded", "Discarded: no work left"),
    ("archived", "Archived: not in the backlog"),
]


class ForecastLineSerializer(OutputSerializer):
    likelihood = serializers.IntegerField(help_text="50, 85 or 95 (percent).")
    sprints_ahead = serializers.IntegerField(
        allow_null=True, help_text="Sprints after the last closed one; null: not within the horizon."
    )
    sprint_number = serializers.IntegerField(
        allow_null=True, help_text="The sprint by whose end the work is done with that likelihood."
    )
    end_date = serializers.DateField(allow_null=True, help_text="That sprint's projected end date.")
    beyond = serializers.BooleanField(help_text="Not even the horizon's last sprint reaches the likelihood.")
    text = serializers.CharField(help_text='For people: "85% likely done by Sprint 14, 10 Feb".')


class ForecastSerializer(OutputSerializer):
    """sprints.forecast_display's forecast for one backlog position (the backlog page's)."""

    item = serializers.CharField(help_text="The key of the item at that position.")
    position = serializers.IntegerField(allow_null=True, help_text="Its backlog position; null when archived.")
    state = serializers.ChoiceField(choices=FORECAST_STATES)
    available = serializers.BooleanField(help_text="Whether `lines` holds a forecast.")
    enough_history = serializers.BooleanField(help_text="False: fewer than `min_history` closed sprints.")
    estimable = serializers.BooleanField(help_text="False: nothing in the backlog is estimated, so no size to assume.")
    history = serializers.IntegerField(help_text="How many closed sprints the forecast rests on.")
    velocity_trend = serializers.FloatField(
        allow_null=True,
        help_text=(
            "Points a sprint by which the velocity has clearly been changing (least squares over the history: at "
            "least 5 sprints, 2 standard errors from no change); null when the history shows no clear trend."
        ),
    )
    min_history = serializers.IntegerField()
    points = serializers.FloatField(
        allow_null=True, help_text="Remaining points down to and including the position, as counted."
    )
    unestimated_items = serializers.IntegerField(
        help_text="Unestimated items down to the position, each counted at the median estimate."
    )
    median_estimate = serializers.FloatField(allow_null=True)
    has_unestimated = serializers.BooleanField(help_text="Flag: the forecast leans on assumed sizes.")
    message = serializers.CharField(help_text='For people: the 85% line, "not enough history yet", or why none.')
    lines = ForecastLineSerializer(many=True, help_text="50%, 85% and 95%; empty when not available.")
