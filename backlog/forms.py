"""HTML forms of the backlog app. They parse and validate input only; every write goes through
backlog.services, so the HTML pages and the API keep the same rules."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from .models import ESTIMATE_SCALE, Item, Product
from .permissions import RANKER_STATUSES
from .selectors import BacklogFilter, product_labels
from .services import LABEL_MAX, LABELS_MAX

PAGE_SIZE = 100
# However many rows a page may be asked to show at once (a "show more" link, a move that
# re-renders the loaded rows): enough for any real backlog, bounded so a URL cannot ask for more.
MAX_ROWS = 10_000
BOTTOM = 2**31 - 1  # a position past the end: the service reads it as "the bottom"
LABEL_SEPARATOR = ", "


class BacklogFilterForm(forms.Form):
    """The backlog page's filters (a GET form) and how many rows to show."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Item.Status.choices])
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Item.Kind.choices])
    label = forms.ChoiceField(label="Label", required=False)
    show = forms.IntegerField(required=False, min_value=1, max_value=MAX_ROWS, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict | None, *, product: Product):
        super().__init__(data)
        labels = list(product_labels(product).values_list("name", flat=True))
        self.fields["label"].choices = [("", "Any label"), *((name, name) for name in labels)]
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Title, text or key"})

    def _value(self, name: str, default=None):
        # A bad value in one filter is ignored, not an error page: filters come from URLs people
        # edit and share.
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    @property
    def filters(self) -> BacklogFilter:
        return BacklogFilter(
            status=self._value("status", ""),
            kind=self._value("kind", ""),
            label=self._value("label", ""),
            q=(self._value("q", "") or "").strip(),
        )

    @property
    def rows_to_show(self) -> int:
        return self._value("show", PAGE_SIZE)

    def query(self, **extra) -> str:
        """The filters as a query string (for links and for returning after a move)."""
        filters = self.filters
        params = {name: getattr(filters, name) for name in ("q", "status", "kind", "label")}
        params.update(extra)
        return urlencode({name: value for name, value in params.items() if value not in ("", None)})


class MoveForm(forms.Form):
    """A move: `to` (up, down, top, bottom), a `position`, or a neighbour (`after`/`before`,
    what drag and drop sends). `back` is the backlog's filter query: it only shapes the response."""

    to = forms.ChoiceField(required=False, choices=[(v, v) for v in ("up", "down", "top", "bottom")])
    position = forms.IntegerField(required=False, min_value=1, error_messages={"min_value": "Positions start at 1."})
    after = forms.CharField(required=False, max_length=21)
    before = forms.CharField(required=False, max_length=21)
    back = forms.CharField(required=False, max_length=1000)

    def clean_position(self):
        position = self.cleaned_data["position"]
        # Past the end means the bottom; a 40-digit number too.
        return min(position, BOTTOM) if position is not None else None

    def clean(self):
        data = super().clean()
        given = [name for name in ("to", "position", "after", "before") if data.get(name) not in (None, "")]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError("Say where to move the item: up, down, top, bottom or a position.")
        return data


def estimate_choices() -> list[tuple[str, str]]:
    return [("", "Not estimated"), *((str(points), str(points)) for points in ESTIMATE_SCALE)]


class ItemForm(forms.Form):
    """Create or edit an item. Status choices depend on the role: only a product owner may mark
    an item ready or discarded (the service refuses it anyway)."""

    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Item.Kind.choices, initial=Item.Kind.STORY)
    status = forms.ChoiceField(choices=Item.Status.choices, initial=Item.Status.NEW)
    estimate = forms.ChoiceField(label="Estimate (points)", choices=estimate_choices, required=False)
    labels = forms.CharField(
        required=False,
        # As many labels as an item may have, at their longest, as item_initial() joins them: an
        # item labelled through the API must stay editable here.
        max_length=LABELS_MAX * (LABEL_MAX + len(LABEL_SEPARATOR)),
        help_text="Separated by commas, like: checkout, mobile",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown.")
    why = forms.CharField(
        label="Why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The value: why this matters, and to whom.",
    )
    acceptance_criteria = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown."
    )
    hypothesis = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="We believe … We will know when …",
    )
    at_top = forms.BooleanField(label="Put it at the top of the backlog", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, may_rank: bool, creating: bool, current_status: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_rank:
            # Keep an item's current ready/discarded status selectable so that editing other
            # fields does not silently change it; the service refuses a change *to* them.
            allowed = [
                (v, label) for v, label in Item.Status.choices if v not in RANKER_STATUSES or v == current_status
            ]
            self.fields["status"].choices = allowed
        if not (creating and may_rank):
            del self.fields["at_top"]
        if creating:
            del self.fields["version"]
        else:
            self.fields["version"].required = True

    def clean_labels(self) -> list[str]:
        names = [name.strip() for name in self.cleaned_data["labels"].split(",")]
        return sorted({name for name in names if name})

    def clean_estimate(self) -> int | None:
        value = self.cleaned_data["estimate"]
        return None if value in ("", None) else int(value)

    def changes(self) -> dict:
        """The cleaned fields as the services take them."""
        data = self.cleaned_data
        return {name: data[name] for name in ITEM_FORM_FIELDS}


ITEM_FORM_FIELDS = (
    "title",
    "kind",
    "status",
    "estimate",
    "labels",
    "description",
    "why",
    "acceptance_criteria",
    "hypothesis",
)


def item_initial(item: Item) -> dict:
    """An item's fields as the item form shows them."""
    initial = {name: getattr(item, name) for name in ITEM_FORM_FIELDS if name != "labels"}
    initial["estimate"] = "" if item.estimate is None else str(item.estimate)
    initial["labels"] = LABEL_SEPARATOR.join(label.name for label in item.labels.all())
    initial["version"] = item.version
    return initial


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Add a refinement note",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. Questions, answers, decisions: what the team learned.",
    )
