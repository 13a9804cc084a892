"""The sprint review over the API: notes (with the sprint's ETag), the increment, feedback from
any member, feedback turned into a backlog item, hypothesis outcomes; and the burndown."""

import pytest

from backlog import selectors as backlog_selectors
from sprints import services
from sprints.models import Feedback
from tests.api_sprints.conftest import feedback_item_url, make_ready_item, move, plan, sprint_url, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback(active_sprint, stakeholder):
    return services.add_feedback(sprint=active_sprint, by=stakeholder, body="Let me pay with an invoice\nPlease.")


def test_the_review_shows_notes_done_items_feedback_and_outcomes(as_user, stakeholder, active_sprint, ready_items):
    move(active_sprint, ready_items[0], "done")
    services.add_feedback(sprint=active_sprint, by=stakeholder, body="Nice", about=ready_items[0])
    response = as_user(stakeholder).get(sprint_url(active_sprint, "review"))
    assert response.status_code == 200
    body = response.json()
    assert [entry["key"] for entry in body["done_items"]] == [ready_items[0].key]
    assert body["feedback"][0]["about"] == ready_items[0].key
    assert body["hypothesis_outcomes"] == []
    assert response.headers["ETag"] == f'"{body["version"]}"'


def test_the_scrum_master_writes_review_notes(as_user, scrum_master, active_sprint):
    url = sprint_url(active_sprint, "review")
    response = as_user(scrum_master).patch(url, {"notes": "Demoed checkout."}, format="json")
    assert response.status_code == 200
    assert response.json()["notes"] == "Demoed checkout."
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'


def test_review_notes_with_a_stale_etag_are_a_412_with_the_review_as_it_is(as_user, po, active_sprint):
    version = active_sprint.version
    services.update_sprint(sprint=active_sprint, by=po, changes={"review_notes": "Theirs"})
    url = sprint_url(active_sprint, "review")
    response = as_user(po).patch(url, {"notes": "Mine"}, format="json", HTTP_IF_MATCH=f'"{version}"')
    assert response.status_code == 412
    assert (response.json()["notes"], response.json()["code"]) == ("Theirs", "stale_version")


def test_a_developer_may_not_write_review_notes(as_user, developer, active_sprint):
    url = sprint_url(active_sprint, "review")
    assert as_user(developer).patch(url, {"notes": "x"}, format="json").status_code == 403


def test_review_notes_take_only_notes(as_user, po, active_sprint):
    response = as_user(po).patch(sprint_url(active_sprint, "review"), {"notes": "x", "goal": "y"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["goal"]


def test_review_notes_too_long_are_a_400_naming_notes(as_user, po, active_sprint):
    response = as_user(po).patch(sprint_url(active_sprint, "review"), {"notes": "x" * 20_001}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["notes"]


def test_a_stakeholder_gives_feedback(as_user, stakeholder, active_sprint, ready_items):
    body = {"body": "Invoices, please", "about": ready_items[1].key}
    response = as_user(stakeholder).post(sprint_url(active_sprint, "feedback"), body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["body"], data["about"], data["became"]) == ("Invoices, please", ready_items[1].key, None)
    assert data["author"]["email"] == stakeholder.email


def test_feedback_is_listed_oldest_first(as_user, po, feedback, active_sprint):
    services.add_feedback(sprint=active_sprint, by=po, body="Second")
    response = as_user(po).get(sprint_url(active_sprint, "feedback"))
    assert [row["body"] for row in response.json()] == [feedback.body, "Second"]


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"body": None}])
def test_feedback_needs_a_body(as_user, po, active_sprint, body):
    response = as_user(po).post(sprint_url(active_sprint, "feedback"), body, format="json")
    assert response.status_code == 400
    assert "body" in response.json()["fields"]


def test_feedback_about_an_unknown_item_is_a_400_naming_about(as_user, po, active_sprint):
    body = {"body": "Hm", "about": "SHOP-404"}
    response = as_user(po).post(sprint_url(active_sprint, "feedback"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["about"]


def test_the_product_owner_turns_feedback_into_an_item_at_a_position(as_user, po, product, feedback):
    response = as_user(po).post(feedback_item_url(feedback), {"position": 2, "kind": "bug"}, format="json")
    assert response.status_code == 201
    item = response.json()
    assert (item["title"], item["kind"], item["position"]) == ("Let me pay with an invoice", "bug", 2)
    assert "Let me pay with an invoice" in item["description"]
    assert response.headers["Location"] == item["url"]
    feedback.refresh_from_db()
    assert feedback.became.key == item["key"]
    listed = as_user(po).get(sprint_url(feedback.sprint, "feedback")).json()[0]
    assert (listed["became"], listed["became_url"]) == (item["key"], item["url"])


def test_feedback_becomes_an_item_with_the_title_given(as_user, po, feedback):
    response = as_user(po).post(feedback_item_url(feedback), {"position": 1, "title": "Invoice payment"}, format="json")
    assert response.json()["title"] == "Invoice payment"
    assert backlog_selectors.position_of(feedback.sprint.product.items.get(key=response.json()["key"])) == 1


def test_feedback_becomes_an_item_only_once(as_user, po, feedback):
    client = as_user(po)
    assert client.post(feedback_item_url(feedback), {"position": 1}, format="json").status_code == 201
    response = client.post(feedback_item_url(feedback), {"position": 1}, format="json")
    assert response.status_code == 400
    assert "feedback" in response.json()["fields"]


@pytest.mark.parametrize("body", [{}, {"position": 0}, {"position": -3}, {"position": 10**30}, {"position": "top"}])
def test_feedback_to_item_needs_a_sane_position(as_user, po, feedback, body):
    response = as_user(po).post(feedback_item_url(feedback), body, format="json")
    assert response.status_code == 400
    assert "position" in response.json()["fields"]


def test_only_the_product_owner_turns_feedback_into_items(as_user, scrum_master, feedback):
    assert as_user(scrum_master).post(feedback_item_url(feedback), {"position": 1}, format="json").status_code == 403


def test_unknown_feedback_is_a_404(as_user, po, product):
    assert as_user(po).post(feedback_item_url(999_999), {"position": 1}, format="json").status_code == 404


def test_an_outsider_gets_a_404_for_feedback_even_with_a_bad_body(as_user, outsider, feedback):
    assert as_user(outsider).post(feedback_item_url(feedback), {"x": 1}, format="json").status_code == 404


def test_a_hypothesis_outcome_is_recorded_for_a_done_item(as_user, po, product, sprint):
    item = make_ready_item(product, 3, hypothesis="We believe invoices sell more.")
    plan(sprint, [item])
    start(sprint)
    move(sprint, item, "done")
    body = {"item": item.key, "verdict": "validated", "evidence": "+12% orders"}
    response = as_user(po).post(sprint_url(sprint, "hypotheses"), body, format="json")
    assert response.status_code == 201
    assert response.json()["verdict"] == "validated"
    assert response.json()["hypothesis"] == "We believe invoices sell more."
    review = as_user(po).get(sprint_url(sprint, "review")).json()
    assert review["hypothesis_outcomes"][0]["item"] == item.key
    assert review["done_items"][0]["hypothesis_judged"] is True


def test_a_hypothesis_outcome_for_an_item_not_done_is_a_400_naming_item(as_user, po, active_sprint, ready_items):
    body = {"item": ready_items[0].key, "verdict": "validated"}
    response = as_user(po).post(sprint_url(active_sprint, "hypotheses"), body, format="json")
    assert response.status_code == 400
    assert "item" in response.json()["fields"]


def test_an_unknown_verdict_is_a_400_naming_verdict(as_user, po, active_sprint, ready_items):
    body = {"item": ready_items[0].key, "verdict": "proven"}
    response = as_user(po).post(sprint_url(active_sprint, "hypotheses"), body, format="json")
    assert list(response.json()["fields"]) == ["verdict"]


def test_a_developer_may_not_record_hypothesis_outcomes(as_user, developer, active_sprint, ready_items):
    body = {"item": ready_items[0].key, "verdict": "validated"}
    assert as_user(developer).post(sprint_url(active_sprint, "hypotheses"), body, format="json").status_code == 403


def test_the_burndown_gives_the_chart_s_figures(as_user, stakeholder, product, active_sprint, po):
    services.add_to_sprint(sprint=active_sprint, item=make_ready_item(product, 2), by=po)
    response = as_user(stakeholder).get(sprint_url(active_sprint, "burndown"))
    assert response.status_code == 200
    body = response.json()
    assert body["committed_points"] == 16
    first = body["days"][0]
    assert first["remaining"] == 18
    assert first["added"][0]["points"] == 2
    assert first["ideal"] <= 16


def test_a_planned_sprint_has_an_empty_burndown(as_user, po, sprint):
    assert as_user(po).get(sprint_url(sprint, "burndown")).json() == {
        "sprint": sprint.pk,
        "committed_points": 0,
        "days": [],
    }


def test_feedback_on_an_unknown_sprint_is_a_404(as_user, po, product):
    assert as_user(po).post(sprint_url(10**17, "feedback"), {"body": "x"}, format="json").status_code == 404


def test_feedback_rows_link_to_the_feedback_item_url(as_user, po, feedback):
    row = as_user(po).get(sprint_url(feedback.sprint, "feedback")).json()[0]
    assert row["to_item_url"].endswith(feedback_item_url(feedback))
    assert Feedback.objects.count() == 1
