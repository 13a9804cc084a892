"""The retrospective over the API: cards sorted by votes, 3 votes per member, action items that
follow the team; the Scrum team only (stakeholders get 404 for all of it)."""

import pytest

from sprints import services
from sprints.models import ActionItem, RetroVote
from tests.api_sprints.conftest import action_item_url, close, make_sprint, sprint_url, start, vote_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(active_sprint, developer):
    return services.add_retro_card(sprint=active_sprint, by=developer, column="went_well", body="Pairing on checkout")


@pytest.fixture
def action(active_sprint, scrum_master):
    return services.add_action_item(sprint=active_sprint, by=scrum_master, title="Fix the flaky build")


def test_a_team_member_adds_a_card(as_user, developer, active_sprint):
    body = {"column": "to_improve", "body": "Too many meetings"}
    response = as_user(developer).post(sprint_url(active_sprint, "cards"), body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["column"], data["body"], data["votes"], data["my_votes"]) == ("to_improve", "Too many meetings", 0, 0)
    assert data["author"]["email"] == developer.email


def test_cards_are_listed_most_voted_first(as_user, po, developer, active_sprint, card):
    other = services.add_retro_card(sprint=active_sprint, by=po, column="ideas", body="Mob on Fridays")
    services.vote(card=other, by=po)
    services.vote(card=other, by=developer)
    services.vote(card=card, by=po)
    rows = as_user(po).get(sprint_url(active_sprint, "cards")).json()
    assert [(row["id"], row["votes"], row["my_votes"]) for row in rows] == [(other.pk, 2, 1), (card.pk, 1, 1)]


@pytest.mark.parametrize("body", [{"column": "meh", "body": "x"}, {"column": "ideas"}, {"column": "ideas", "body": ""}])
def test_a_card_needs_a_known_column_and_a_body(as_user, po, active_sprint, body):
    response = as_user(po).post(sprint_url(active_sprint, "cards"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) <= {"column", "body"}


def test_a_planned_sprint_has_no_retrospective_yet(as_user, po, sprint):
    body = {"column": "ideas", "body": "Early"}
    response = as_user(po).post(sprint_url(sprint, "cards"), body, format="json")
    assert response.status_code == 400
    assert "sprint" in response.json()["fields"]


def test_a_vote_is_placed_and_the_votes_left_counted(as_user, po, card):
    response = as_user(po).post(vote_url(card), {}, format="json")
    assert response.status_code == 201
    assert (response.json()["card"]["votes"], response.json()["votes_left"]) == (1, 2)


def test_three_votes_may_go_to_one_card_and_a_fourth_is_a_400(as_user, po, card):
    client = as_user(po)
    for _ in range(3):
        assert client.post(vote_url(card), {}, format="json").status_code == 201
    response = client.post(vote_url(card), {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "no_votes_left"
    assert "card" in response.json()["fields"]
    assert RetroVote.objects.filter(voter=po).count() == 3


def test_delete_takes_back_one_of_your_votes(as_user, po, developer, card):
    services.vote(card=card, by=po)
    services.vote(card=card, by=po)
    services.vote(card=card, by=developer)
    response = as_user(po).delete(vote_url(card))
    assert response.status_code == 200
    assert (response.json()["card"]["votes"], response.json()["card"]["my_votes"]) == (2, 1)
    assert response.json()["votes_left"] == 2


def test_taking_back_a_vote_you_never_placed_changes_nothing(as_user, po, developer, card):
    services.vote(card=card, by=developer)
    response = as_user(po).delete(vote_url(card))
    assert response.status_code == 200
    assert response.json()["card"]["votes"] == 1


def test_a_vote_takes_no_body(as_user, po, card):
    response = as_user(po).post(vote_url(card), {"count": 3}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["count"]


def test_an_unknown_card_is_a_404(as_user, po, product):
    assert as_user(po).post(vote_url(999_999), {}, format="json").status_code == 404


def test_an_action_item_is_added_with_an_owner_and_target_sprint(as_user, scrum_master, developer, active_sprint):
    following = make_sprint(active_sprint.product)
    body = {"title": "Automate the release", "owner": developer.pk, "target_sprint": following.pk}
    response = as_user(scrum_master).post(sprint_url(active_sprint, "actions"), body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["owner"]["email"] == developer.email
    assert data["target_sprint"] == {"id": following.pk, "number": following.number}
    assert (data["done"], data["sprint"]["id"]) == (False, active_sprint.pk)


@pytest.mark.parametrize("field", ["owner", "target_sprint"])
def test_an_unknown_owner_or_target_sprint_is_a_400_naming_it(as_user, po, active_sprint, field):
    body = {"title": "Something", field: 999_999}
    response = as_user(po).post(sprint_url(active_sprint, "actions"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_a_stakeholder_cannot_own_an_action_item(as_user, po, stakeholder, active_sprint):
    body = {"title": "Something", "owner": stakeholder.pk}
    response = as_user(po).post(sprint_url(active_sprint, "actions"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["owner"]


def test_open_action_items_follow_the_team_into_the_next_retrospective(as_user, po, product, active_sprint, action):
    close(active_sprint)
    following = start(make_sprint(product))
    rows = as_user(po).get(sprint_url(following, "actions")).json()
    assert [row["id"] for row in rows] == [action.pk]


def test_an_action_item_is_marked_done_and_reopened(as_user, developer, action):
    client = as_user(developer)
    response = client.patch(action_item_url(action), {"done": True}, format="json")
    assert response.status_code == 200
    assert response.json()["done"] is True
    assert ActionItem.objects.get(pk=action.pk).done_at is not None
    assert client.patch(action_item_url(action), {"done": False}, format="json").json()["done"] is False


@pytest.mark.parametrize("body", [{}, {"done": "perhaps"}, {"done": None}, {"done": True, "title": "x"}])
def test_an_action_item_patch_takes_done_only(as_user, po, action, body):
    response = as_user(po).patch(action_item_url(action), body, format="json")
    assert response.status_code == 400


def test_stakeholders_get_404_for_every_part_of_the_retrospective(as_user, stakeholder, active_sprint, card, action):
    client = as_user(stakeholder)
    responses = [
        client.get(sprint_url(active_sprint, "cards")),
        client.post(sprint_url(active_sprint, "cards"), {"column": "ideas", "body": "x"}, format="json"),
        client.post(vote_url(card), {}, format="json"),
        client.delete(vote_url(card)),
        client.get(sprint_url(active_sprint, "actions")),
        client.post(sprint_url(active_sprint, "actions"), {"title": "x"}, format="json"),
        client.patch(action_item_url(action), {"done": True}, format="json"),
    ]
    assert [response.status_code for response in responses] == [404] * 7


def test_outsiders_get_404_for_cards_and_action_items_by_id(as_user, outsider, card, action):
    client = as_user(outsider)
    assert client.post(vote_url(card), {}, format="json").status_code == 404
    assert client.patch(action_item_url(action), {"done": True}, format="json").status_code == 404
