"""Sprints API views, by domain: parse, ask the policy, call a service or selector, respond.

Status precedence is the backlog API's: 401 (DRF authentication), 404 (not a member, or no such
thing), 403 (a role without the right), 412 (stale If-Match), 400 (the body). So every view asks
the policy for the action it is about to take before it reads the body; the service asks again.
Lifecycle refusals (starting a sprint without a goal, adding to a closed sprint) come from the
services as InvalidInput: a 400 naming the field.
"""

from .board import BurndownView, SprintItemColumnView, SprintItemDetailView, SprintItemListView
from .goals import ProductGoalDetailView, ProductGoalListView
from .insights import ForecastView, VelocityView
from .retro import ActionItemDetailView, ActionItemListView, RetroCardListView, RetroVoteView
from .review import FeedbackItemView, FeedbackListView, HypothesisOutcomeView, ReviewView
from .sprints import SprintCloseView, SprintDetailView, SprintListView, SprintStartView

__all__ = [
    "ActionItemDetailView",
    "ActionItemListView",
    "BurndownView",
    "FeedbackItemView",
    "FeedbackListView",
    "ForecastView",
    "HypothesisOutcomeView",
    "ProductGoalDetailView",
    "ProductGoalListView",
    "RetroCardListView",
    "RetroVoteView",
    "ReviewView",
    "SprintCloseView",
    "SprintDetailView",
    "SprintItemColumnView",
    "SprintItemDetailView",
    "SprintItemListView",
    "SprintListView",
    "SprintStartView",
    "VelocityView",
]
