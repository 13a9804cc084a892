"""Sprint items on the board, and the burndown."""

from __future__ import annotations

from rest_framework import serializers

from backlog.api.serializers import AuthorSerializer, stamp
from backlog.models import Item
from config.api import InputSerializer, OutputSerializer

from .common import BOARD_COLUMN_CHOICES, ITEM_KEY_MAX, iso_date, links_of, person


class SprintItemSerializer(OutputSerializer):
    item = serializers.CharField(help_text="The item's key.")
    item_url = serializers.URLField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Item.Kind.choices)
    status = serializers.ChoiceField(choices=Item.Status.choices, help_text="The item's backlog status.")
    estimate = serializers.IntegerField(allow_null=True)
    column = serializers.ChoiceField(choices=BOARD_COLUMN_CHOICES)
    committed = serializers.BooleanField(help_text="Committed at the start (false: added while the sprint was active).")
    added_at = serializers.DateTimeField()
    added_by = AuthorSerializer(allow_null=True)
    removed = serializers.BooleanField(help_text="Removed while the sprint was active; kept as removed scope.")
    removed_at = serializers.DateTimeField(allow_null=True)
    removed_by = AuthorSerializer(allow_null=True)
    url = serializers.URLField(help_text="DELETE it to remove the item from the sprint.")
    column_url = serializers.URLField()

    def to_representation(self, sprint_item):
        link = links_of(self)
        item = sprint_item.item
        url = link("api-sprint-item-detail", item_key=item.key, sprint_id=sprint_item.sprint_id)
        return {
            "item": item.key,
            "item_url": link("api-item-detail", key=item.key),
            "title": item.title,
            "kind": item.kind,
            "status": item.status,
            "estimate": item.estimate,
            "column": sprint_item.column,
            "committed": sprint_item.committed,
            "added_at": stamp(sprint_item.added_at),
            "added_by": person(sprint_item.added_by),
            "removed": sprint_item.removed_at is not None,
            "removed_at": stamp(sprint_item.removed_at),
            "removed_by": person(sprint_item.removed_by),
            "url": url,
            "column_url": link("api-sprint-item-column", item_key=item.key, sprint_id=sprint_item.sprint_id),
        }


class SprintItemAddSerializer(InputSerializer):
    item = serializers.CharField(max_length=ITEM_KEY_MAX, help_text="The item's key, e.g. SHOP-3.")


class ColumnSerializer(InputSerializer):
    column = serializers.ChoiceField(choices=BOARD_COLUMN_CHOICES)


# --- Burndown ------------------------------------------------------------------------------------


def scope_changes(changes) -> list[dict]:
    return [{"item": change.key, "points": change.points, "reestimate": change.reestimate} for change in changes]


class ScopeChangeSerializer(OutputSerializer):
    item = serializers.CharField(help_text="The item's key.")
    points = serializers.IntegerField()
    reestimate = serializers.BooleanField(
        help_text="The item's estimate changed by these points while in the sprint (not added or removed itself)."
    )


class BurndownDaySerializer(OutputSerializer):
    date = serializers.DateField(help_text="A day in your time zone (your profile's).")
    remaining = serializers.IntegerField(
        allow_null=True,
        help_text="Remaining points at the end of the day; null after the day a sprint closed before its end date.",
    )
    ideal = serializers.FloatField(help_text="The ideal line at the end of the day.")
    working_day = serializers.BooleanField(help_text="Monday to Friday: the ideal line only falls on these.")
    added = ScopeChangeSerializer(many=True, help_text="Scope added that day.")
    removed = ScopeChangeSerializer(many=True, help_text="Scope removed that day.")


class BurndownSerializer(OutputSerializer):
    """sprints.selectors.burndown: the chart's figures, from recorded events only."""

    sprint = serializers.IntegerField(help_text="The sprint's id.")
    committed_points = serializers.IntegerField()
    days = BurndownDaySerializer(many=True, help_text="From the start to the end date (to today while active).")

    def to_representation(self, burndown):
        return {
            "sprint": self.context["sprint"].pk,
            "committed_points": burndown.committed_points,
            "days": [
                {
                    "date": iso_date(day.date),
                    "remaining": day.remaining,
                    "ideal": day.ideal,
                    "working_day": day.working_day,
                    "added": scope_changes(day.added),
                    "removed": scope_changes(day.removed),
                }
                for day in burndown.days
            ],
        }
