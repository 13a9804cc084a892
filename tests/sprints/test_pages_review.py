"""The sprint review and "what we learned" in HTML: notes, the increment, feedback from anyone
on the product, feedback turned into a backlog item, and hypothesis outcomes."""

import re

import pytest
from django.urls import reverse

from backlog import selectors as backlog_selectors
from sprints import services
from sprints.models import Feedback, HypothesisOutcome, SprintItem
from tests.aria import assert_aria_references_resolve

from .conftest import close, make_ready_item, make_sprint, move, plan, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(product, po):
    """A closed sprint: A (with a hypothesis) and B done, C not done."""
    a = make_ready_item(product, 3, title="A", hypothesis="We believe a guest checkout sells more.")
    b = make_ready_item(product, 5, title="B")
    c = make_ready_item(product, 8, title="C")
    sprint = make_sprint(product, po)
    plan(sprint, [a, b, c], po)
    sprint = start(sprint, po)
    move(sprint, a, SprintItem.Column.DONE, po)
    move(sprint, b, SprintItem.Column.DONE, po)
    return close(sprint, po), a, b, c


def review_url(sprint):
    return reverse("sprints:sprint-review", args=[sprint.pk])


def test_the_review_shows_the_increment_from_the_frozen_outcome(client, stakeholder, reviewed):
    sprint, a, b, c = reviewed
    client.force_login(stakeholder)
    html = client.get(review_url(sprint)).content.decode()
    increment = html[html.index('id="increment-heading"') : html.index('id="hypotheses-heading"')]
    assert a.key in increment and b.key in increment and c.key not in increment
    assert "2 items done" in increment


def test_a_stakeholder_gives_feedback_about_an_item(client, stakeholder, reviewed):
    sprint, a, *_ = reviewed
    client.force_login(stakeholder)
    response = client.post(reverse("sprints:sprint-feedback", args=[sprint.pk]), {"body": "Love it", "about": a.key})
    feedback = Feedback.objects.get()
    assert response["Location"] == review_url(sprint) + f"#feedback-{feedback.pk}"
    assert (feedback.author, feedback.about) == (stakeholder, a)
    html = client.get(response["Location"]).content.decode()
    assert "your feedback is on the review" in html and "Love it" in html


def test_empty_feedback_is_refused_in_the_form(client, developer, reviewed):
    client.force_login(developer)
    response = client.post(reverse("sprints:sprint-feedback", args=[reviewed[0].pk]), {"body": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_stakeholder_sees_no_controls_for_notes_hypotheses_or_new_items(client, stakeholder, reviewed):
    sprint, *_ = reviewed
    services.add_feedback(sprint=sprint, by=stakeholder, body="Faster please")
    client.force_login(stakeholder)
    html = client.get(review_url(sprint)).content.decode()
    assert "Save notes" not in html and "Record the outcome" not in html and "Turn into a backlog item" not in html
    assert "Add feedback" in html


def test_the_product_owner_turns_feedback_into_an_item_at_a_position_and_both_link(client, po, product, reviewed):
    sprint, *_ = reviewed
    feedback = services.add_feedback(sprint=sprint, by=po, body="Show delivery dates\nin the basket")
    client.force_login(po)
    url = reverse("sprints:sprint-feedback-item", args=[sprint.pk, feedback.pk])
    response = client.post(url, {"position": "2", "title": ""}, follow=True)
    html = response.content.decode()
    feedback.refresh_from_db()
    item = feedback.became
    assert item.title == "Show delivery dates"
    assert backlog_selectors.position_of(item) == 2
    assert f"{item.key} created from the feedback, at position 2 of the backlog." in html
    assert f'Became <a href="{reverse("backlog:item-detail", args=[item.key])}">' in html
    assert "Show delivery dates" in item.description  # the item quotes the feedback


def test_a_refused_feedback_to_item_keeps_what_was_typed_beside_the_error(client, po, reviewed):
    feedback = services.add_feedback(sprint=reviewed[0], by=po, body="Gift wrapping")
    client.force_login(po)
    url = reverse("sprints:sprint-feedback-item", args=[reviewed[0].pk, feedback.pk])
    response = client.post(url, {"position": "0", "title": "Wrap gifts at checkout"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="feedback-{feedback.pk}-error"' in html and "Positions start at 1." in html
    assert 'value="Wrap gifts at checkout"' in html
    assert f'aria-describedby="feedback-{feedback.pk}-error"' in html
    assert_aria_references_resolve(html)
    feedback.refresh_from_db()
    assert feedback.became is None


def test_a_scrum_master_may_not_turn_feedback_into_an_item(client, scrum_master, reviewed):
    feedback = services.add_feedback(sprint=reviewed[0], by=scrum_master, body="Idea")
    client.force_login(scrum_master)
    url = reverse("sprints:sprint-feedback-item", args=[reviewed[0].pk, feedback.pk])
    assert client.post(url, {"position": "1"}).status_code == 403


def test_feedback_of_another_sprint_is_not_found_here(client, po, product, reviewed):
    other = make_sprint(product, po)
    feedback = services.add_feedback(sprint=reviewed[0], by=po, body="Idea")
    client.force_login(po)
    url = reverse("sprints:sprint-feedback-item", args=[other.pk, feedback.pk])
    assert client.post(url, {"position": "1"}).status_code == 404


def test_recording_a_hypothesis_outcome_shows_it_here_and_in_what_we_learned(client, scrum_master, product, reviewed):
    sprint, a, *_ = reviewed
    client.force_login(scrum_master)
    html = client.get(review_url(sprint)).content.decode()
    assert "What did SHOP-1’s hypothesis turn out to be?" in html
    data = {"item": a.key, "verdict": "validated", "evidence": "Conversion up 4%"}
    response = client.post(reverse("sprints:sprint-hypothesis", args=[sprint.pk]), data, follow=True)
    assert f"{a.key}: hypothesis validated." in response.content.decode()
    assert HypothesisOutcome.objects.get().evidence == "Conversion up 4%"
    lessons = client.get(reverse("sprints:lessons", args=[product.key])).content.decode()
    assert "Conversion up 4%" in lessons and "We believe a guest checkout sells more." in lessons
    assert 'class="badge verdict-validated"' in lessons


def test_a_hypothesis_outcome_without_a_verdict_keeps_the_evidence_beside_the_error(client, po, reviewed):
    sprint, a, *_ = reviewed
    client.force_login(po)
    data = {"item": a.key, "evidence": "Conversion up 4% over two weeks"}
    response = client.post(reverse("sprints:sprint-hypothesis", args=[sprint.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Conversion up 4% over two weeks</textarea>" in html
    assert f'aria-describedby="hypothesis-{a.key}-verdict_error"' in html
    assert f'id="hypothesis-{a.key}-verdict_error"' in html
    assert "Choose what the hypothesis turned out to be" in html
    assert_aria_references_resolve(html)
    assert not HypothesisOutcome.objects.exists()


def test_a_hypothesis_for_an_item_not_done_is_refused_with_a_message(client, po, reviewed):
    sprint, _a, _b, c = reviewed
    client.force_login(po)
    data = {"item": c.key, "verdict": "validated"}
    response = client.post(reverse("sprints:sprint-hypothesis", args=[sprint.pk]), data, follow=True)
    assert "Only items done in Sprint 1 can have their hypothesis judged." in response.content.decode()


def test_review_notes_save_and_a_stale_save_keeps_the_text(client, po, scrum_master, reviewed):
    sprint, *_ = reviewed
    url = reverse("sprints:sprint-review-notes", args=[sprint.pk])
    client.force_login(po)
    assert client.post(url, {"review_notes": "We *showed* search.", "version": sprint.version}).status_code == 302
    client.force_login(scrum_master)
    stale = client.post(url, {"review_notes": "My own notes", "version": sprint.version})
    html = stale.content.decode()
    assert stale.status_code == 400
    assert "Someone changed this sprint while you were writing." in html
    assert re.search(r">\s*My own notes</textarea>", html)
    assert "<em>showed</em>" in html


def test_lessons_without_outcomes_says_so(client, developer, product):
    client.force_login(developer)
    html = client.get(reverse("sprints:lessons", args=[product.key])).content.decode()
    assert "Nothing judged yet." in html


def test_an_item_made_from_feedback_links_back_to_it(client, po, reviewed):
    sprint, *_ = reviewed
    feedback = services.add_feedback(sprint=sprint, by=po, body="Show delivery dates")
    item = services.feedback_to_item(feedback=feedback, by=po, position=1)
    client.force_login(po)
    html = client.get(reverse("backlog:item-detail", args=[item.key])).content.decode()
    assert f'{review_url(sprint)}#feedback-{feedback.pk}"' in html
    assert "at the review of Sprint 1" in html
