"""Single-line fields (titles, names, labels, token and display names) refuse control characters
and line breaks, through their services, the API and the HTML forms: a clear 400 or form error
naming the field, nothing saved, never a 500. Multi-line text keeps its newlines and tabs but
refuses what no database column can store (NUL, lone surrogates). A title derived from feedback
is made one line and shortened visibly, never cut silently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from accounts import services as account_services
from accounts.models import ApiToken, User
from backlog import services
from backlog.models import Item, Label, Product, ProductGoal, RefinementNote
from config.errors import InvalidInput
from config.text import control_characters, single_line_error, text_error
from sprints import services as sprint_services
from sprints.models import ActionItem, Feedback, HypothesisOutcome, RetroCard, Sprint, SprintItem
from tests.conftest import make_item
from tests.sprints.conftest import make_ready_item, make_sprint, move

pytestmark = pytest.mark.django_db

# Line feed, carriage return, NUL, escape, line and paragraph separators, NEXT LINE (C1).
FORBIDDEN = ["\n", "\r", "\x00", "\x1b", "\u2028", "\u2029", "\x85"]


def code(char: str) -> str:
    return f"U+{ord(char):04X}"


@dataclass(frozen=True)
class Field:
    """A text field reached through its service: `write(world, text)` writes it, `stored(world)`
    is what the field's table holds, so "nothing saved" can be checked without putting the
    refused text into a query (PostgreSQL refuses a NUL even in a WHERE clause)."""

    name: str
    field: str
    write: Callable
    stored: Callable
    needs_sprint: bool = False


class World:
    """The product, its owner, and an active sprint when a field needs one (made on demand)."""

    def __init__(self, request):
        self.request = request
        self.po = request.getfixturevalue("po")
        self.product = request.getfixturevalue("product")

    @property
    def sprint(self) -> Sprint:
        return self.request.getfixturevalue("active_sprint")

    @property
    def item(self) -> Item:
        return Item.objects.filter(product=self.product).first() or make_item(self.product, title="Existing")

    def prepare(self, target: Field) -> None:
        """Make what the write needs before the snapshot, so only the write could change it."""
        assert self.item
        if target.needs_sprint:
            assert self.sprint


@pytest.fixture
def world(request):
    return World(request)


def titles():
    return sorted(Item.objects.values_list("title", flat=True))


def _label_names():
    return [*sorted(Label.objects.values_list("name", flat=True)), *titles()]


SINGLE_LINE = [
    Field("item title", "title", lambda w, t: services.create_item(product=w.product, by=w.po, title=t), titles),
    Field(
        "item title, edited",
        "title",
        lambda w, t: services.update_item(item=w.item, by=w.po, changes={"title": t}),
        titles,
    ),
    Field(
        "label",
        "labels",
        lambda w, t: services.create_item(product=w.product, by=w.po, title="Labelled", labels=["ok", t]),
        _label_names,
    ),
    Field(
        "product name",
        "name",
        lambda w, t: services.create_product(by=w.po, key="NEW", name=t),
        lambda: sorted(Product.objects.values_list("name", flat=True)),
    ),
    Field(
        "product name, renamed",
        "name",
        lambda w, t: services.update_product(product=w.product, by=w.po, name=t),
        lambda: sorted(Product.objects.values_list("name", flat=True)),
    ),
    Field(
        "product goal title",
        "title",
        lambda w, t: services.set_product_goal(product=w.product, by=w.po, title=t),
        lambda: sorted(ProductGoal.objects.values_list("title", flat=True)),
    ),
    Field(
        "action item title",
        "title",
        lambda w, t: sprint_services.add_action_item(sprint=w.sprint, by=w.po, title=t),
        lambda: sorted(ActionItem.objects.values_list("title", flat=True)),
        needs_sprint=True,
    ),
    Field(
        "API token name",
        "name",
        lambda w, t: account_services.create_api_token(by=w.po, name=t),
        lambda: sorted(ApiToken.objects.values_list("name", flat=True)),
    ),
    Field(
        "display name",
        "display_name",
        lambda w, t: account_services.update_profile(by=w.po, display_name=t, time_zone="UTC"),
        lambda: sorted(User.objects.values_list("display_name", flat=True)),
    ),
]


def _done_item_with_hypothesis(w: World) -> Item:
    item = make_ready_item(w.product, hypothesis="We believe guests buy more.")
    sprint = w.sprint
    sprint_services.add_to_sprint(sprint=sprint, item=item, by=w.po)
    move(sprint, item, SprintItem.Column.DONE)
    return item


def _item_field(name: str) -> Field:
    return Field(
        f"item {name}",
        name,
        lambda w, t: services.create_item(product=w.product, by=w.po, title="Text", **{name: t}),
        lambda: sorted(Item.objects.values_list(name, flat=True)),
    )


MULTI_LINE = [
    *(_item_field(name) for name in ("description", "why", "acceptance_criteria", "hypothesis")),
    Field(
        "product vision",
        "vision",
        lambda w, t: services.update_product(product=w.product, by=w.po, vision=t),
        lambda: sorted(Product.objects.values_list("vision", flat=True)),
    ),
    Field(
        "refinement note",
        "body",
        lambda w, t: services.add_refinement_note(item=w.item, by=w.po, body=t),
        lambda: sorted(RefinementNote.objects.values_list("body", flat=True)),
    ),
    Field(
        "product goal description",
        "description",
        lambda w, t: services.set_product_goal(product=w.product, by=w.po, title="Goal", description=t),
        lambda: sorted(ProductGoal.objects.values_list("description", flat=True)),
    ),
    Field(
        "sprint goal",
        "goal",
        lambda w, t: make_sprint(w.product, w.po, goal=t),
        lambda: sorted(Sprint.objects.values_list("goal", flat=True)),
    ),
    Field(
        "review notes",
        "review_notes",
        lambda w, t: sprint_services.update_sprint(sprint=w.sprint, by=w.po, changes={"review_notes": t}),
        lambda: sorted(Sprint.objects.values_list("review_notes", flat=True)),
        needs_sprint=True,
    ),
    Field(
        "note on the sprint goal",
        "goal_note",
        lambda w, t: sprint_services.close_sprint(sprint=w.sprint, by=w.po, goal_outcome="met", goal_note=t),
        lambda: sorted(Sprint.objects.values_list("goal_note", flat=True)),
        needs_sprint=True,
    ),
    Field(
        "review feedback",
        "body",
        lambda w, t: sprint_services.add_feedback(sprint=w.sprint, by=w.po, body=t),
        lambda: sorted(Feedback.objects.values_list("body", flat=True)),
        needs_sprint=True,
    ),
    Field(
        "hypothesis evidence",
        "evidence",
        lambda w, t: sprint_services.record_hypothesis_outcome(
            sprint=w.sprint, item=_done_item_with_hypothesis(w), by=w.po, verdict="validated", evidence=t
        ),
        lambda: sorted(HypothesisOutcome.objects.values_list("evidence", flat=True)),
        needs_sprint=True,
    ),
    Field(
        "retrospective card",
        "body",
        lambda w, t: sprint_services.add_retro_card(sprint=w.sprint, by=w.po, column="went_well", body=t),
        lambda: sorted(RetroCard.objects.values_list("body", flat=True)),
        needs_sprint=True,
    ),
]


def by_name(fields):
    return pytest.mark.parametrize("target", fields, ids=[f.name for f in fields])


# --- The rule itself -----------------------------------------------------------------------------


def test_single_line_text_refuses_c0_c1_and_separators_but_not_tab_or_format_characters():
    text = "a\tb\nc\rd\x00e\x1bf\x7fg\x85h\u2028i\u2029j\u202ek\u200dl\u00e9"
    assert control_characters(text) == ["\n", "\r", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"]


def test_the_single_line_message_names_the_field_and_the_characters():
    assert single_line_error("Fix\nlogin", label="A title") == (
        "A title cannot contain control characters or line breaks (found U+000A)."
    )
    assert single_line_error("Fix login", label="A title") is None


def test_multi_line_text_refuses_only_nul_and_lone_surrogates():
    assert text_error("one\r\ntwo\tthree\x1b", label="The description") is None
    assert text_error("one\x00two", label="The description") == (
        "The description cannot contain NUL or unpaired surrogate characters (found U+0000)."
    )
    assert "U+DC00" in text_error("one\udc00", label="The description")


# --- Services ------------------------------------------------------------------------------------


@by_name(SINGLE_LINE)
@pytest.mark.parametrize("char", FORBIDDEN, ids=code)
def test_a_single_line_field_refuses_a_control_character_or_line_break_naming_the_field(world, target, char):
    world.prepare(target)
    before = target.stored()
    with pytest.raises(InvalidInput) as refused:
        target.write(world, f"Fix{char}login")
    assert list(refused.value.fields) == [target.field]
    assert f"found {code(char)}" in refused.value.fields[target.field][0]
    assert "cannot contain control characters or line breaks" in refused.value.message
    assert target.stored() == before


@by_name(SINGLE_LINE)
@pytest.mark.parametrize("text", ["Fix\tlogin", "Fix \u202egnp.exe login"], ids=["tab", "right-to-left override"])
def test_a_single_line_field_takes_a_tab_and_a_right_to_left_override(world, target, text):
    target.write(world, text)
    assert text in target.stored()


@by_name(MULTI_LINE)
@pytest.mark.parametrize("char", ["\x00", "\ud800"], ids=code)
def test_a_multi_line_field_refuses_what_no_database_can_store(world, target, char):
    world.prepare(target)
    before = target.stored()
    with pytest.raises(InvalidInput) as refused:
        target.write(world, f"First line{char}second")
    assert list(refused.value.fields) == [target.field]
    assert f"found {code(char)}" in refused.value.message
    assert target.stored() == before


@by_name(MULTI_LINE)
def test_a_multi_line_field_keeps_its_newlines_tabs_and_other_control_characters(world, target):
    text = "First line\r\nsecond\tline\x1b[1m bold\u2028third"
    target.write(world, text)
    assert text in target.stored()


def test_every_refused_character_of_a_value_is_named_once_in_order(po, product):
    with pytest.raises(InvalidInput) as refused:
        services.create_item(product=product, by=po, title="a\nb\r\nc\x1bd")
    assert refused.value.fields["title"] == [
        "A title cannot contain control characters or line breaks (found U+000A, U+000D, U+001B)."
    ]


# --- Titles made from feedback -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_item_made_from_feedback_gets_its_first_line_on_one_line_and_visibly_shortened(po, active_sprint):
    words = " ".join(["checkout"] * 40)  # 359 characters: longer than a title may be
    feedback = sprint_services.add_feedback(sprint=active_sprint, by=po, body=f"Pay\x1bwith {words}\n\nThanks")

    item = sprint_services.feedback_to_item(feedback=feedback, by=po, position=1)

    assert item.title.startswith("Pay with checkout checkout")
    assert item.title.endswith("checkout…")
    assert len(item.title) <= 200
    assert f"> Pay\x1bwith {words}" in item.description  # the whole feedback stays quoted
