"""Sprints API serializers. Input serializers validate shapes and types only (the services hold
the lifecycle rules and do the writing); output serializers render what the selectors loaded,
never querying per row."""

from __future__ import annotations

from rest_framework import serializers

from backlog.api.serializers import AuthorSerializer, absolute, stamp
from backlog.models import Item, ProductGoal
from config.api import InputSerializer, OutputSerializer, page_serializer

from ..models import ActionItem, HypothesisOutcome, RetroCard, Sprint, SprintItem

# Ids in paths and bodies are bounded like the routes' (18 digits): a bigger number would
# overflow the database's integer before any lookup could say "no such thing".
ID_MAX = 10**18 - 1
ITEM_KEY_MAX = Item._meta.get_field("key").max_length
POSITION_MAX = 10**9
# Choice sets by name: fields named `status` or `column` carry different sets, so the schema names
# each set (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] points here; a nested class such as
# Sprint.Status cannot be imported by path).
SPRINT_STATUS_CHOICES = Sprint.Status.choices
GOAL_STATUS_CHOICES = ProductGoal.Status.choices
BOARD_COLUMN_CHOICES = SprintItem.Column.choices
RETRO_COLUMN_CHOICES = RetroCard.Column.choices
PLACEMENT_CHOICES = [("top", "Top of the backlog"), ("next", "Into the next sprint"), ("keep", "Its old position")]
GOAL_CLOSE_CHOICES = [(ProductGoal.Status.ACHIEVED, "Achieved"), (ProductGoal.Status.ABANDONED, "Abandoned")]


def person(user) -> dict | None:
    """A user as the API shows an author or owner, or None when the account is gone."""
    if user is None:
        return None
    return {"id": user.pk, "email": user.email, "name": user.name}


def iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None


class LinkMaker:
    """Absolute URLs for many rows with one reverse() per URL name, not per row: each name is
    reversed once with placeholders, which rows then replace with their own values."""

    # Placeholders that the routes accept and that cannot occur inside each other.
    ID, KEY = "8080808080808", "QQQQQQQQQQ-7"

    def __init__(self, request):
        self.request = request
        self.templates: dict[str, str] = {}

    def __call__(self, name: str, **kwargs) -> str:
        if name not in self.templates:
            placeholders = {arg: self.ID if arg.endswith("_id") else self.KEY for arg in kwargs}
            self.templates[name] = absolute(self.request, name, **placeholders)
        url = self.templates[name]
        for arg, value in kwargs.items():
            url = url.replace(self.ID if arg.endswith("_id") else self.KEY, str(value), 1)
        return url


def links_of(serializer: serializers.Serializer) -> LinkMaker:
    maker = serializer.context.get("_links")
    if maker is None:
        maker = serializer.context["_links"] = LinkMaker(serializer.context.get("request"))
    return maker


# --- Product goals -------------------------------------------------------------------------------


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
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ProductGoalUpdateSerializer(InputSerializer):
    status = serializers.ChoiceField(choices=GOAL_CLOSE_CHOICES, help_text="A goal is closed once, for good.")


class GoalRefSerializer(OutputSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=GOAL_STATUS_CHOICES)


# --- Sprints -------------------------------------------------------------------------------------


class OutcomeItemSerializer(OutputSerializer):
    key = serializers.CharField()
    title = serializers.CharField()
    estimate = serializers.IntegerField(allow_null=True, help_text="Points as they were at close.")
    placed = serializers.ChoiceField(
        choices=PLACEMENT_CHOICES, required=False, help_text="Unfinished items only: where the close put it."
    )


class OutcomeSerializer(OutputSerializer):
    """A closed sprint's record, frozen when it closed: later edits to items do not move it."""

    committed_points = serializers.IntegerField()
    added_points = serializers.IntegerField()
    removed_points = serializers.IntegerField()
    completed_points = serializers.IntegerField(help_text="The velocity this sprint contributes.")
    done = OutcomeItemSerializer(many=True)
    not_done = OutcomeItemSerializer(many=True)


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
            "outcome": sprint.outcome if sprint.status == Sprint.Status.CLOSED else None,
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


class EmptySerializer(InputSerializer):
    """A write that takes no body: any key is an unknown field."""


# --- Sprint items --------------------------------------------------------------------------------


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
    return [{"item": change.key, "points": change.points} for change in changes]


class ScopeChangeSerializer(OutputSerializer):
    item = serializers.CharField(help_text="The item's key.")
    points = serializers.IntegerField()


class BurndownDaySerializer(OutputSerializer):
    date = serializers.DateField()
    remaining = serializers.IntegerField(help_text="Remaining points at the end of the day (UTC).")
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


# --- Review --------------------------------------------------------------------------------------


class FeedbackSerializer(OutputSerializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    author = AuthorSerializer(allow_null=True)
    about = serializers.CharField(allow_null=True, help_text="The key of the item it is about, if any.")
    became = serializers.CharField(allow_null=True, help_text="The key of the backlog item made of it, if any.")
    became_url = serializers.URLField(allow_null=True)
    to_item_url = serializers.URLField(help_text="POST here to turn the feedback into a backlog item.")
    created_at = serializers.DateTimeField()

    def to_representation(self, feedback):
        link = links_of(self)
        about, became = feedback.about, feedback.became
        return {
            "id": feedback.pk,
            "body": feedback.body,
            "author": person(feedback.author),
            "about": about.key if about else None,
            "became": became.key if became else None,
            "became_url": link("api-item-detail", key=became.key) if became else None,
            "to_item_url": link("api-feedback-item", feedback_id=feedback.pk),
            "created_at": stamp(feedback.created_at),
        }


class FeedbackCreateSerializer(InputSerializer):
    body = serializers.CharField(trim_whitespace=False)
    about = serializers.CharField(
        required=False, allow_null=True, max_length=ITEM_KEY_MAX, help_text="Key of an item of this product."
    )


class FeedbackToItemSerializer(InputSerializer):
    position = serializers.IntegerField(
        min_value=1,
        max_value=POSITION_MAX,
        help_text="Where the new item goes: 1 is the top; past the end, the bottom.",
    )
    title = serializers.CharField(required=False, max_length=200, help_text="Defaults to the feedback's first line.")
    kind = serializers.ChoiceField(choices=Item.Kind.choices, required=False, default=Item.Kind.STORY)


class HypothesisOutcomeSerializer(OutputSerializer):
    item = serializers.CharField(help_text="The item's key.")
    title = serializers.CharField()
    hypothesis = serializers.CharField(help_text="The hypothesis as it read when judged.")
    verdict = serializers.ChoiceField(choices=HypothesisOutcome.Verdict.choices)
    evidence = serializers.CharField()
    recorded_by = AuthorSerializer(allow_null=True)
    recorded_at = serializers.DateTimeField()

    def to_representation(self, outcome):
        return {
            "item": outcome.item.key,
            "title": outcome.item.title,
            "hypothesis": outcome.hypothesis,
            "verdict": outcome.verdict,
            "evidence": outcome.evidence,
            "recorded_by": person(outcome.recorded_by),
            "recorded_at": stamp(outcome.recorded_at),
        }


class HypothesisOutcomeCreateSerializer(InputSerializer):
    item = serializers.CharField(max_length=ITEM_KEY_MAX, help_text="Key of a done item of the sprint.")
    verdict = serializers.ChoiceField(choices=HypothesisOutcome.Verdict.choices)
    evidence = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class DoneItemSerializer(OutputSerializer):
    key = serializers.CharField()
    title = serializers.CharField(help_text="As it read when done (frozen at close).")
    estimate = serializers.IntegerField(allow_null=True)
    hypothesis = serializers.CharField(help_text="The item's hypothesis now; empty when it carries none.")
    hypothesis_judged = serializers.BooleanField(help_text="Whether its hypothesis outcome is recorded.")


class ReviewSerializer(OutputSerializer):
    """The sprint review from selectors.review, with the sprint in `context["sprint"]`."""

    sprint = serializers.IntegerField(help_text="The sprint's id.")
    notes = serializers.CharField(help_text="Summary notes (Markdown).")
    version = serializers.IntegerField(help_text="The sprint's version (review notes are the sprint's); the ETag.")
    done_items = DoneItemSerializer(many=True, help_text="The increment.")
    feedback = FeedbackSerializer(many=True)
    hypothesis_outcomes = HypothesisOutcomeSerializer(many=True)

    def to_representation(self, review):
        sprint = self.context["sprint"]
        judged = {outcome.item.key for outcome in review.outcomes}
        return {
            "sprint": sprint.pk,
            "notes": sprint.review_notes,
            "version": sprint.version,
            "done_items": [
                {
                    "key": entry.key,
                    "title": entry.title,
                    "estimate": entry.estimate,
                    "hypothesis": entry.item.hypothesis if entry.item is not None else "",
                    "hypothesis_judged": entry.key in judged,
                }
                for entry in review.done
            ],
            "feedback": FeedbackSerializer(review.feedback, many=True, context=self.context).data,
            "hypothesis_outcomes": HypothesisOutcomeSerializer(review.outcomes, many=True).data,
        }


class StaleReviewSerializer(ReviewSerializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ReviewUpdateSerializer(InputSerializer):
    notes = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="Markdown.")


# --- Retrospective -------------------------------------------------------------------------------


class RetroCardSerializer(OutputSerializer):
    """`votes` and `my_votes` are annotated by the selector."""

    id = serializers.IntegerField()
    column = serializers.ChoiceField(choices=RETRO_COLUMN_CHOICES)
    body = serializers.CharField()
    author = AuthorSerializer(allow_null=True)
    votes = serializers.IntegerField()
    my_votes = serializers.IntegerField(help_text="How many of your votes are on this card.")
    vote_url = serializers.URLField(help_text="POST to add one of your votes, DELETE to take one back.")
    created_at = serializers.DateTimeField()

    def to_representation(self, card):
        return {
            "id": card.pk,
            "column": card.column,
            "body": card.body,
            "author": person(card.author),
            "votes": getattr(card, "vote_count", 0),
            "my_votes": getattr(card, "my_votes", 0),
            "vote_url": links_of(self)("api-retro-vote", card_id=card.pk),
            "created_at": stamp(card.created_at),
        }


class RetroCardCreateSerializer(InputSerializer):
    column = serializers.ChoiceField(choices=RETRO_COLUMN_CHOICES)
    body = serializers.CharField(trim_whitespace=False)


class VotesSerializer(OutputSerializer):
    card = RetroCardSerializer()
    votes_left = serializers.IntegerField(help_text="Your votes left to place in this sprint's retrospective.")


class SprintRefSerializer(OutputSerializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class ActionItemSerializer(OutputSerializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="PATCH `done` here.")
    title = serializers.CharField()
    owner = AuthorSerializer(allow_null=True)
    sprint = SprintRefSerializer(help_text="The retrospective that raised it.")
    target_sprint = SprintRefSerializer(allow_null=True)
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, action):
        target = action.target_sprint
        return {
            "id": action.pk,
            "url": links_of(self)("api-action-item-detail", action_id=action.pk),
            "title": action.title,
            "owner": person(action.owner),
            "sprint": {"id": action.sprint_id, "number": action.sprint.number},
            "target_sprint": {"id": target.pk, "number": target.number} if target else None,
            "done": action.done_at is not None,
            "done_at": stamp(action.done_at),
            "created_at": stamp(action.created_at),
        }


class ActionItemCreateSerializer(InputSerializer):
    title = serializers.CharField(max_length=ActionItem._meta.get_field("title").max_length)
    owner = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX, help_text="User id of a team member."
    )
    target_sprint = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX, help_text="Id of a sprint of this product."
    )


class ActionItemUpdateSerializer(InputSerializer):
    done = serializers.BooleanField()


# --- Velocity and forecast -----------------------------------------------------------------------


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


class ForecastQuerySerializer(InputSerializer):
    position = serializers.IntegerField(
        required=False, min_value=1, max_value=POSITION_MAX, help_text="A backlog position (1 is the top)."
    )
    item = serializers.CharField(required=False, max_length=ITEM_KEY_MAX, help_text="An item key, e.g. SHOP-42.")

    def to_internal_value(self, data):
        # Query strings may carry other parameters; only ours are validated here.
        return super(InputSerializer, self).to_internal_value(data)

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
