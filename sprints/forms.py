"""HTML forms of the sprints app. They parse and validate input only; every write goes through
sprints.services, so the HTML pages and the API keep the same rules."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from backlog.services import TEXT_MAX

from .models import HypothesisOutcome, RetroCard, Sprint, SprintItem

# Multi-line text takes what the services take (TEXT_MAX): a form with a lower limit of its own
# refused, on the planning page, a goal the API had saved, when only the dates were edited.

PLACEMENTS = [
    ("top", "Top of the backlog"),
    ("next", "Next sprint"),
    ("keep", "Keep its old position"),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SprintForm(forms.Form):
    """Plan a sprint, or change a planned one's goal and dates (with the version it was opened
    at, so a stale save is refused instead of overwriting someone else's)."""

    start_date = forms.DateField(label="Starts", widget=DateInput())
    end_date = forms.DateField(label="Ends", widget=DateInput())
    goal = forms.CharField(
        label="Sprint goal",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this sprint is worth doing. Needed before the sprint can start.",
    )
    product_goal = forms.TypedChoiceField(
        label="Towards the product goal", required=False, coerce=int, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, goals: Iterable = (), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = {goal.pk: goal for goal in goals}
        self.fields["product_goal"].choices = [("", "None"), *((pk, goal.title) for pk, goal in self.goals.items())]
        if editing:
            self.fields["version"].required = True
        else:
            del self.fields["version"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The sprint cannot end before it starts.")
        return data

    def changes(self) -> dict:
        """The cleaned fields as the services take them."""
        data = self.cleaned_data
        return {
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "goal": data["goal"].strip(),
            "product_goal": self.goals.get(data["product_goal"]) if data.get("product_goal") else None,
        }


def sprint_initial(sprint: Sprint) -> dict:
    return {
        "start_date": sprint.start_date,
        "end_date": sprint.end_date,
        "goal": sprint.goal,
        "product_goal": sprint.product_goal_id or "",
        "version": sprint.version,
    }


class ColumnForm(forms.Form):
    column = forms.ChoiceField(choices=SprintItem.Column.choices)


class AddItemForm(forms.Form):
    """An item to add to a sprint: typed by key, or picked from the ready items."""

    key = forms.CharField(label="Item key", required=False, max_length=21)
    # A select, parsed as text: whatever was posted goes to the service, which decides.
    ready = forms.CharField(label="Or a ready item", required=False, max_length=21, widget=forms.Select)

    def __init__(self, *args, candidates: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].widget.attrs.update({"placeholder": "SHOP-12", "autocomplete": "off"})
        choices = [(item.key, f"{item.key} {item.title}"[:120]) for item in candidates]
        self.fields["ready"].widget.choices = [("", "Choose a ready item"), *choices]

    def clean(self):
        data = super().clean()
        key = (data.get("key") or "").strip().upper() or (data.get("ready") or "").strip().upper()
        if not key and not self.errors:
            raise forms.ValidationError("Type an item's key or choose a ready item.")
        data["item_key"] = key
        return data


class CloseForm(forms.Form):
    """Close a sprint: was the goal met, and where each unfinished item goes."""

    goal_outcome = forms.ChoiceField(
        label="Was the sprint goal met?", choices=Sprint.GoalOutcome.choices, widget=forms.RadioSelect
    )
    goal_note = forms.CharField(
        label="Note on the goal",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was met, what was not, and why. Stakeholders read this.",
    )

    def __init__(self, *args, unfinished: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.unfinished = list(unfinished)
        for item in self.unfinished:
            self.fields[self.placement_field(item.key)] = forms.ChoiceField(
                label=f"{item.key} {item.title}",
                choices=PLACEMENTS,
                initial="top",
                required=False,  # not said: the top of the backlog, as the service does
                widget=forms.RadioSelect,
            )

    @staticmethod
    def placement_field(key: str) -> str:
        return f"place_{key}"

    def placement_fields(self) -> list:
        return [self[self.placement_field(item.key)] for item in self.unfinished]

    def outcome_fields(self) -> list:
        return [self["goal_outcome"], self["goal_note"]]

    def placements(self) -> dict[str, str]:
        return {item.key: self.cleaned_data[self.placement_field(item.key)] or "top" for item in self.unfinished}


class FeedbackForm(forms.Form):
    body = forms.CharField(
        label="Your feedback", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown."
    )
    # A select of the increment, parsed as a key: any item of the product will do (the service
    # checks it).
    about = forms.CharField(label="About an item", required=False, max_length=21, widget=forms.Select)

    def __init__(self, *args, items: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "The sprint as a whole"), *((i.key, f"{i.key} {i.title}"[:120]) for i in items)]
        self.fields["about"].widget.choices = choices


class FeedbackToItemForm(forms.Form):
    title = forms.CharField(label="Title of the new item", max_length=200, required=False)
    position = forms.IntegerField(
        label="At backlog position", min_value=1, initial=1, error_messages={"min_value": "Positions start at 1."}
    )


class HypothesisForm(forms.Form):
    item = forms.CharField(widget=forms.HiddenInput, max_length=21)
    verdict = forms.ChoiceField(
        label="Outcome",
        choices=HypothesisOutcome.Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the hypothesis turned out to be."},
    )
    evidence = forms.CharField(
        label="Evidence", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewNotesForm(forms.Form):
    review_notes = forms.CharField(
        label="Summary notes",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown. What was shown, what was decided.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RetroCardForm(forms.Form):
    column = forms.ChoiceField(label="Column", choices=RetroCard.Column.choices)
    body = forms.CharField(label="Card", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class ActionItemForm(forms.Form):
    title = forms.CharField(label="Action item", max_length=200)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    target_sprint = forms.TypedChoiceField(label="Target sprint", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, members: Iterable = (), sprints: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {m.user.pk: m.user for m in members}
        self.sprints = {s.pk: s for s in sprints}
        self.fields["owner"].choices = [("", "Nobody yet"), *((pk, u.name) for pk, u in self.members.items())]
        self.fields["target_sprint"].choices = [
            ("", "No sprint yet"),
            *((pk, f"Sprint {s.number}") for pk, s in self.sprints.items()),
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "owner": self.members.get(data["owner"]) if data.get("owner") else None,
            "target_sprint": self.sprints.get(data["target_sprint"]) if data.get("target_sprint") else None,
        }
