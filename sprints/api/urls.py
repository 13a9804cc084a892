"""API URLs of the sprints app (under /api/v1/). As in the backlog API, trailing slashes are
optional (config.api.api_path) and ids and keys are matched narrowly, so a 30-digit id or an odd
key falls through to the JSON 404 of config.api_urls instead of reaching the database."""

from config.api import api_path

from . import views

PRODUCT = r"products/(?P<key>[A-Za-z0-9]{1,10})"
SPRINT = r"sprints/(?P<sprint_id>[0-9]{1,18})"
SPRINT_ITEM = rf"{SPRINT}/items/(?P<item_key>[A-Za-z0-9]{{1,10}}-[0-9]{{1,10}})"

urlpatterns = [
    # Sprints and their lifecycle
    api_path(rf"^{PRODUCT}/sprints/$", views.SprintListView.as_view(), name="api-sprint-list"),
    api_path(rf"^{SPRINT}/$", views.SprintDetailView.as_view(), name="api-sprint-detail"),
    api_path(rf"^{SPRINT}/start/$", views.SprintStartView.as_view(), name="api-sprint-start"),
    api_path(rf"^{SPRINT}/close/$", views.SprintCloseView.as_view(), name="api-sprint-close"),
    # Sprint items and the board
    api_path(rf"^{SPRINT}/items/$", views.SprintItemListView.as_view(), name="api-sprint-item-list"),
    api_path(rf"^{SPRINT_ITEM}/$", views.SprintItemDetailView.as_view(), name="api-sprint-item-detail"),
    api_path(rf"^{SPRINT_ITEM}/column/$", views.SprintItemColumnView.as_view(), name="api-sprint-item-column"),
    api_path(rf"^{SPRINT}/burndown/$", views.BurndownView.as_view(), name="api-sprint-burndown"),
    # Review
    api_path(rf"^{SPRINT}/review/$", views.ReviewView.as_view(), name="api-sprint-review"),
    api_path(rf"^{SPRINT}/feedback/$", views.FeedbackListView.as_view(), name="api-feedback-list"),
    api_path(
        r"^feedback/(?P<feedback_id>[0-9]{1,18})/item/$", views.FeedbackItemView.as_view(), name="api-feedback-item"
    ),
    api_path(rf"^{SPRINT}/hypotheses/$", views.HypothesisOutcomeView.as_view(), name="api-hypothesis-list"),
    # Retrospective
    api_path(rf"^{SPRINT}/retro/cards/$", views.RetroCardListView.as_view(), name="api-retro-card-list"),
    api_path(r"^retro/cards/(?P<card_id>[0-9]{1,18})/vote/$", views.RetroVoteView.as_view(), name="api-retro-vote"),
    api_path(rf"^{SPRINT}/retro/actions/$", views.ActionItemListView.as_view(), name="api-action-item-list"),
    api_path(
        r"^retro/actions/(?P<action_id>[0-9]{1,18})/$",
        views.ActionItemDetailView.as_view(),
        name="api-action-item-detail",
    ),
    # Velocity, forecast and product goals
    api_path(rf"^{PRODUCT}/velocity/$", views.VelocityView.as_view(), name="api-velocity"),
    api_path(rf"^{PRODUCT}/forecast/$", views.ForecastView.as_view(), name="api-forecast"),
    api_path(rf"^{PRODUCT}/goals/$", views.ProductGoalListView.as_view(), name="api-goal-list"),
    api_path(r"^goals/(?P<goal_id>[0-9]{1,18})/$", views.ProductGoalDetailView.as_view(), name="api-goal-detail"),
]
