"""Sprints: lists, one sprint with its numbers, its outcome once closed, and the bodies that plan,
edit and close it."""

from __future__ import annotations

from rest_framework import serializers

from backlog.api.serializers import stamp
from config.api import InputSerializer, OutputSerializer, page_serializer

from ...models import Sprint
from .common import ID_MAX, ITEM_KEY_MAX, SPRINT_STATUS_CHOICES, iso_date, links_of
from .goals import GoalRefSerializer

PLACEMENT_CHOICES = [("top", "Top of the backlog"), ("next", "Into the next sprint"), ("keep", "Its old position")]
# What a close recorded: the choices above, or an item archived during the sprint (it stays so).
PLACED_CHOICES = [*PLACEMENT_CHOICES, ("archived", "Archived during the sprint")]


class OutcomeItemSerializer(OutputSerializer):
    key = serializers.CharField()
    title = serializers.CharField()
    estimate = serializers.IntegerField(allow_null=True, help_text="Points as they were at close.")
    placed = serializers.ChoiceField(
        choices=PLACED_CHOICES, required=False, help_text="Unfinished items only: where the close put it."
    )


class OutcomeSerializer(OutputSerializer):
    """A closed sprint's record, frozen when it closed: later edits to items do not move it."""

    committed_points = serializers.IntegerField()
    added_points = serializers.IntegerField()
    removed_points = serializers.IntegerField()
    completed_points = serializers.IntegerField(help_text="The velocity this sprint contributes.")
    done = OutcomeItemSerializer(many=True)
    not_done = OutcomeItemSerializer(many=True)
    removed = OutcomeItemSerializer(
        many=True,
        allow_null=True,
        help_text="Items taken out while the sprint ran, with the points their removal took out; null for "
        "sprints closed before Ordo recorded them.",
    )


class SummarySerializer(OutputSerializer):
    """The sprint's numbers (sprints.selectors.sprint_summary): from the frozen outcome of a
    closed sprint, the recorded events of an active one, the plan of a planned one."""

    committed_points = serializers.IntegerField(help_text="Planned sprints: the points planned so far.")
    added_points = serializers.IntegerField(help_text="Added while the sprint was active.")
    removed_points = serializers.IntegerField(help_text="Removed while the sprint was active.")
    scope_points = serializers.IntegerField(help_text="Committed plus added less removed: the work it holds.")
    done_points = serializers.IntegerField()
    remaining_points = serializers.IntegerField()
    days_left = serializers.IntegerField(allow_null=True, help_text="Active sprints only; 0 on the last day.")


def summary_data(summary) -> dict:
    return {name: getattr(summary, name) for name in SummarySerializer._declared_fields}


class SprintSerializer(OutputSerializer):
    """A sprint as lists show it: no live summary (that costs queries per sprint); closed
    sprints carry their frozen outcome. Sprints come from selectors.sprints_of (product, goal
    and `item_count` loaded with them)."""

    id = serializers.IntegerField()
    url = serializers.URLField()
    product = serializers.CharField(help_text="The product's key.")
    number = serializers.IntegerField(help_text="1, 2, 3… per product.")
    status = serializers.ChoiceField(choices=SPRINT_STATUS_CHOICES)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    goal = serializers.CharField(help_text="The sprint goal; required before the sprint can start.")
    product_goal = GoalRefSerializer(allow_null=True)
    version = serializers.IntegerField(help_text="Bumped by every edit of goal, dates or review notes; the ETag.")
    started_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    goal_outcome = serializers.ChoiceField(
        choices=Sprint.GoalOutcome.choices, allow_null=True, help_text="Closed sprints: was the goal met?"
    )
    goal_note = serializers.CharField()
    item_count = serializers.IntegerField(help_text="Items in the sprint now (removed ones not counted).")
    outcome = OutcomeSerializer(allow_null=True, help_text="Closed sprints only: the record frozen at close.")
    items_url = serializers.URLField()
    burndown_url = serializers.URLField()
    review_url = serializers.URLField()

    def to_representation(self, sprint):
        link = links_of(self)
        goal = sprint.product_goal
        return {
            "id": sprint.pk,
            "url": link("api-sprint-detail", sprint_id=sprint.pk),
            "product": sprint.product.key,
            "number": sprint.number,
            "status": sprint.status,
            "start_date": iso_date(sprint.start_date),
            "end_date": iso_date(sprint.end_date),
            "goal": sprint.goal,
            "product_goal": {"id": goal.pk, "title": goal.title, "status": goal.status} if goal else None,
            "version": sprint.version,
            "started_at": stamp(sprint.started_at),
            "closed_at": stamp(sprint.closed_at),
            "goal_outcome": sprint.goal_outcome or None,
            "goal_note": sprint.goal_note,
            "item_count": sprint.item_count,
            "outcome": {**sprint.outcome, "removed": sprint.outcome.get("removed")}
            if sprint.status == Sprint.Status.CLOSED and sprint.outcome
            else None,
            "items_url": link("api-sprint-item-list", sprint_id=sprint.pk),
            "burndown_url": link("api-sprint-burndown", sprint_id=sprint.pk),
            "review_url": link("api-sprint-review", sprint_id=sprint.pk),
        }


SprintPageSerializer = page_serializer("SprintPage", SprintSerializer)


class SprintDetailSerializer(SprintSerializer):
    """One sprint: the list's fields and its numbers now. `context["summary"]` is the
    selector's summary."""

    summary = SummarySerializer()

    def to_representation(self, sprint):
        data = super().to_representation(sprint)
        data["summary"] = summary_data(self.context["summary"])
        return data


class StaleSprintSerializer(SprintDetailSerializer):
    """412: the sprint as it is now, with the error's detail and code."""

    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class SprintFieldsSerializer(InputSerializer):
    start_date = serializers.DateField(help_text="YYYY-MM-DD.")
    end_date = serializers.DateField(help_text="YYYY-MM-DD, not before the start.")
    goal = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    product_goal = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=ID_MAX,
        help_text="Id of a goal of this product, or null.",
    )


class SprintCreateSerializer(SprintFieldsSerializer):
    pass


class SprintUpdateSerializer(SprintFieldsSerializer):
    start_date = serializers.DateField(required=False, help_text="YYYY-MM-DD.")
    end_date = serializers.DateField(required=False, help_text="YYYY-MM-DD, not before the start.")


class SprintCloseSerializer(InputSerializer):
    goal_outcome = serializers.ChoiceField(choices=Sprint.GoalOutcome.choices)
    goal_note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    placements = serializers.DictField(
        child=serializers.ChoiceField(choices=PLACEMENT_CHOICES),
        required=False,
        help_text="Item key → where an unfinished item goes: `top` (the default), `next` (the next planned sprint) "
        "or `keep` (its old position). Keys that are not unfinished items of the sprint are a 400 naming them.",
    )

    def validate_placements(self, value: dict) -> dict:
        if len(value) > 1000:
            raise serializers.ValidationError("At most 1000 placements.")
        too_long = [key for key in value if len(key) > ITEM_KEY_MAX]
        if too_long:
            raise serializers.ValidationError(f"Not an item key: {too_long[0][:30]}.")
        return {key.upper(): placement for key, placement in value.items()}
