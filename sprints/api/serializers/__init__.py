"""Sprints API serializers, by domain. Input serializers validate shapes and types only (the
services hold the lifecycle rules and do the writing); output serializers render what the
selectors loaded, never querying per row."""

# SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] names these by their path in this package.
from .common import BOARD_COLUMN_CHOICES, GOAL_STATUS_CHOICES, RETRO_COLUMN_CHOICES, SPRINT_STATUS_CHOICES

__all__ = ["BOARD_COLUMN_CHOICES", "GOAL_STATUS_CHOICES", "RETRO_COLUMN_CHOICES", "SPRINT_STATUS_CHOICES"]
