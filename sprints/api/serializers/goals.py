"""Product goals: the goal a product works towards, and a sprint's reference to it."""

from __future__ import annotations

from rest_framework import serializers

from backlog.api.serializers import stamp
from backlog.models import ProductGoal
from config.api import InputSerializer, OutputSerializer, SingleLineField

from .common import GOAL_STATUS_CHOICES, links_of

GOAL_CLOSE_CHOICES = [(ProductGoal.Status.ACHIEVED, "Achieved"), (ProductGoal.Status.ABANDONED, "Abandoned")]


class ProductGoalSerializer(OutputSerializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="PATCH it to mark the goal achieved or abandoned.")
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown.")
    status = serializers.ChoiceField(choices=GOAL_STATUS_CHOICES)
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, goal):
        return {
            "id": goal.pk,
            "url": links_of(self)("api-goal-detail", goal_id=goal.pk),
            "title": goal.title,
            "description": goal.description,
            "status": goal.status,
            "created_at": stamp(goal.created_at),
            "closed_at": stamp(goal.closed_at),
        }


class ProductGoalCreateSerializer(InputSerializer):
    title = SingleLineField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ProductGoalUpdateSerializer(InputSerializer):
    status = serializers.ChoiceField(choices=GOAL_CLOSE_CHOICES, help_text="A goal is closed once, for good.")


class GoalRefSerializer(OutputSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=GOAL_STATUS_CHOICES)
