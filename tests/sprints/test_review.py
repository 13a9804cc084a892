"""The sprint review: feedback from anyone, feedback turned into backlog items, hypothesis
outcomes and what the product learned."""

import pytest

from backlog.models import Item
from config.errors import Forbidden, InvalidInput, NotFound
from sprints import selectors, services
from sprints.models import SprintItem
from tests.conftest import make_item

from .conftest import close, make_ready_item, make_sprint, move, plan, start

pytestmark = pytest.mark.django_db

HYPOTHESIS = "We believe wallets halve payment time. We will know when the median is under 40 s."


@pytest.fixture
def reviewed(product, po):
    """A closed sprint where W (with a hypothesis) and P (without) were done and U was not."""
    wallet = make_ready_item(product, 8, title="W", hypothesis=HYPOTHESIS)
    plain = make_ready_item(product, 3, title="P")
    undone = make_ready_item(product, 5, title="U", hypothesis=HYPOTHESIS)
    sprint = make_sprint(product, po)
    plan(sprint, [wallet, plain, undone], po)
    start(sprint, po)
    move(sprint, wallet, SprintItem.Column.DONE, po)
    move(sprint, plain, SprintItem.Column.DONE, po)
    return close(sprint, po), wallet, plain, undone


def test_a_stakeholder_can_give_feedback_about_an_item(reviewed, stakeholder):
    sprint, wallet, _p, _u = reviewed
    feedback = services.add_feedback(sprint=sprint, by=stakeholder, body="Works on my phone!", about=wallet)
    assert (feedback.author, feedback.about) == (stakeholder, wallet)


def test_feedback_needs_text_and_an_item_of_the_product(reviewed, po):
    sprint = reviewed[0]
    with pytest.raises(InvalidInput) as error:
        services.add_feedback(sprint=sprint, by=po, body="  ")
    assert "body" in error.value.fields
    other = make_item(__import__("backlog.services").services.create_product(by=po, key="ZOO", name="Zoo"))
    with pytest.raises(InvalidInput) as error:
        services.add_feedback(sprint=sprint, by=po, body="Hm", about=other)
    assert "about" in error.value.fields


def test_a_planned_sprint_takes_no_feedback_until_it_starts(sprint, stakeholder, client):
    with pytest.raises(InvalidInput, match="has not started") as error:
        services.add_feedback(sprint=sprint, by=stakeholder, body="Early thoughts")
    assert list(error.value.fields) == ["sprint"]
    client.force_login(stakeholder)
    html = client.get(f"/sprints/{sprint.pk}/review/").content.decode()
    assert "feedback comes at its review" in html and "Add feedback" not in html
    start(sprint)
    assert services.add_feedback(sprint=sprint, by=stakeholder, body="Now it counts").sprint == sprint


def test_an_outsider_cannot_give_feedback(reviewed, outsider):
    with pytest.raises(NotFound):
        services.add_feedback(sprint=reviewed[0], by=outsider, body="Hello")


def test_feedback_becomes_an_item_at_the_chosen_position_and_they_link_both_ways(reviewed, product, po, stakeholder):
    feedback = services.add_feedback(sprint=reviewed[0], by=stakeholder, body="Let me pay by bank.\nPlease.")
    item = services.feedback_to_item(feedback=feedback, by=po, position=2)
    live = list(Item.objects.filter(product=product, archived_at__isnull=True).order_by("rank"))
    assert live.index(item) == 1
    assert item.title == "Let me pay by bank."
    assert "> Let me pay by bank.\n> Please." in item.description
    feedback.refresh_from_db()
    assert feedback.became == item and Item.objects.get(pk=item.pk).from_feedback == feedback


def test_feedback_becomes_an_item_only_once(reviewed, po, stakeholder):
    feedback = services.add_feedback(sprint=reviewed[0], by=stakeholder, body="Dark mode")
    services.feedback_to_item(feedback=feedback, by=po, position=1, title="Dark mode", kind="story")
    with pytest.raises(InvalidInput, match="already"):
        services.feedback_to_item(feedback=feedback, by=po, position=1)


def test_only_the_product_owner_turns_feedback_into_items(reviewed, scrum_master, stakeholder):
    feedback = services.add_feedback(sprint=reviewed[0], by=stakeholder, body="Dark mode")
    with pytest.raises(Forbidden):
        services.feedback_to_item(feedback=feedback, by=scrum_master, position=1)


def test_a_bad_position_leaves_no_half_made_item(reviewed, product, po):
    feedback = services.add_feedback(sprint=reviewed[0], by=po, body="Dark mode")
    count = Item.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.feedback_to_item(feedback=feedback, by=po, position=0)
    assert "position" in error.value.fields
    assert Item.objects.count() == count


def test_a_done_items_hypothesis_outcome_is_recorded_and_can_be_revised(reviewed, po):
    sprint, wallet, _p, _u = reviewed
    services.record_hypothesis_outcome(sprint=sprint, item=wallet, by=po, verdict="inconclusive")
    outcome = services.record_hypothesis_outcome(
        sprint=sprint, item=wallet, by=po, verdict="validated", evidence="Median 31 s."
    )
    assert (outcome.verdict, outcome.evidence, outcome.hypothesis) == ("validated", "Median 31 s.", HYPOTHESIS)
    assert sprint.hypothesis_outcomes.count() == 1


def test_only_items_done_in_the_sprint_with_a_hypothesis_can_be_judged(reviewed, po):
    sprint, _w, plain, undone = reviewed
    for item in (plain, undone):
        with pytest.raises(InvalidInput) as error:
            services.record_hypothesis_outcome(sprint=sprint, item=item, by=po, verdict="validated")
        assert "item" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.record_hypothesis_outcome(sprint=sprint, item=reviewed[1], by=po, verdict="proven")
    assert "verdict" in error.value.fields


def test_a_developer_cannot_record_hypothesis_outcomes(reviewed, developer):
    with pytest.raises(Forbidden):
        services.record_hypothesis_outcome(sprint=reviewed[0], item=reviewed[1], by=developer, verdict="validated")


def test_the_review_shows_the_frozen_increment_feedback_and_what_is_still_to_judge(reviewed, po, stakeholder):
    sprint, wallet, plain, _u = reviewed
    services.add_feedback(sprint=sprint, by=stakeholder, body="Nice", about=plain)
    page = selectors.review(sprint)
    assert [(entry.key, entry.title, entry.estimate) for entry in page.done] == [
        (wallet.key, "W", 8),
        (plain.key, "P", 3),
    ]
    assert [f.body for f in page.feedback] == ["Nice"]
    assert page.unjudged == [wallet]
    services.record_hypothesis_outcome(sprint=sprint, item=wallet, by=po, verdict="invalidated")
    page = selectors.review(sprint)
    assert page.unjudged == [] and [o.verdict for o in page.outcomes] == ["invalidated"]


def test_lessons_list_every_outcome_of_the_product_newest_first(reviewed, product, po):
    sprint, wallet, _p, _u = reviewed
    services.record_hypothesis_outcome(sprint=sprint, item=wallet, by=po, verdict="validated")
    other = make_ready_item(product, 2, hypothesis=HYPOTHESIS)
    later = make_sprint(product, po)
    plan(later, [other], po)
    start(later, po)
    move(later, other, SprintItem.Column.DONE, po)
    services.record_hypothesis_outcome(sprint=later, item=other, by=po, verdict="invalidated")
    assert [(o.item, o.verdict) for o in selectors.lessons(product)] == [(other, "invalidated"), (wallet, "validated")]
