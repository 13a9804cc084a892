"""Every write to sprints: planning, the board, closing, reviews and retrospectives. Keyword-only,
atomic, the acting user passed as `by`; each service asks backlog.permissions itself.

A sprint's numbers are never recomputed from today's items: every change to its remaining work
records a SprintEvent (committed at start, added, removed, done, reopened; a re-estimate
mid-sprint as added or removed), and closing freezes the outcome. Changes to a sprint's items
take the sprint's row lock, so two planners cannot interleave a start, a close and an addition.

Split by domain (lifecycle, review, retro); callers use `sprints.services.<verb>`.
"""

from .common import MAX_SPRINT_DAYS, PLACEMENTS, VOTES_PER_MEMBER
from .lifecycle import (
    add_to_sprint,
    check_item_edit,
    close_sprint,
    create_sprint,
    next_planned,
    remove_from_sprint,
    set_column,
    start_sprint,
    update_sprint,
)
from .retro import add_action_item, add_retro_card, complete_action_item, reopen_action_item, unvote, vote
from .review import add_feedback, feedback_to_item, record_hypothesis_outcome

__all__ = [
    "MAX_SPRINT_DAYS",
    "PLACEMENTS",
    "VOTES_PER_MEMBER",
    "add_action_item",
    "add_feedback",
    "add_retro_card",
    "add_to_sprint",
    "check_item_edit",
    "close_sprint",
    "complete_action_item",
    "create_sprint",
    "feedback_to_item",
    "next_planned",
    "record_hypothesis_outcome",
    "remove_from_sprint",
    "reopen_action_item",
    "set_column",
    "start_sprint",
    "unvote",
    "update_sprint",
    "vote",
]
