"""The retrospective in HTML: for the Scrum team only, cards sorted by votes, 3 votes per
member, and action items that follow the team into later sprints."""

import re

import pytest
from django.urls import reverse

from sprints import services
from sprints.models import ActionItem, RetroCard
from tests.aria import Elements

pytestmark = pytest.mark.django_db


def retro_url(sprint):
    return reverse("sprints:sprint-retro", args=[sprint.pk])


def test_stakeholders_and_outsiders_get_404_for_the_retro_and_no_link(client, stakeholder, outsider, active_sprint):
    for user in (stakeholder, outsider):
        client.force_login(user)
        assert client.get(retro_url(active_sprint)).status_code == 404
        url = reverse("sprints:sprint-retro-card", args=[active_sprint.pk])
        assert client.post(url, {"column": "ideas", "body": "Hi"}).status_code == 404
    client.force_login(stakeholder)
    detail = client.get(reverse("sprints:sprint-detail", args=[active_sprint.pk])).content.decode()
    assert retro_url(active_sprint) not in detail


def test_a_developer_adds_a_card_without_javascript(client, developer, active_sprint):
    client.force_login(developer)
    url = reverse("sprints:sprint-retro-card", args=[active_sprint.pk])
    response = client.post(url, {"column": "to_improve", "body": "Fewer meetings"})
    card = RetroCard.objects.get()
    assert response["Location"] == retro_url(active_sprint) + f"#card-{card.pk}"
    html = client.get(response["Location"]).content.decode()
    column = html[html.index('id="retro-to_improve-heading"') : html.index('id="retro-ideas-heading"')]
    assert "Fewer meetings" in column


def test_cards_are_sorted_by_votes_and_votes_left_are_shown(client, po, developer, active_sprint):
    quiet = services.add_retro_card(sprint=active_sprint, by=po, column="ideas", body="Quiet idea")
    loud = services.add_retro_card(sprint=active_sprint, by=po, column="ideas", body="Loud idea")
    client.force_login(developer)
    for _ in range(2):
        client.post(reverse("sprints:sprint-retro-vote", args=[active_sprint.pk, loud.pk]))
    html = client.get(retro_url(active_sprint)).content.decode()
    assert html.index("Loud idea") < html.index("Quiet idea")
    assert "You have 1 of 3 votes left." in html
    assert '2 votes <span class="muted">(2 yours)</span>' in html
    assert quiet.votes.count() == 0


def test_a_fourth_vote_is_refused_with_a_message(client, developer, active_sprint):
    card = services.add_retro_card(sprint=active_sprint, by=developer, column="went_well", body="Pairing")
    client.force_login(developer)
    url = reverse("sprints:sprint-retro-vote", args=[active_sprint.pk, card.pk])
    for _ in range(3):
        client.post(url)
    html = client.post(url, follow=True).content.decode()
    assert "You have placed all 3 of your votes" in html
    assert card.votes.count() == 3
    assert re.search(r"<button[^>]*disabled[^>]*>\+1</button>", html)


def test_taking_a_vote_back_frees_it(client, developer, active_sprint):
    card = services.add_retro_card(sprint=active_sprint, by=developer, column="went_well", body="Pairing")
    services.vote(card=card, by=developer)
    client.force_login(developer)
    url = reverse("sprints:sprint-retro-unvote", args=[active_sprint.pk, card.pk])
    html = client.post(url, follow=True).content.decode()
    assert "Vote taken back." in html and "You have 3 of 3 votes left." in html
    html = client.post(url, follow=True).content.decode()
    assert "You had no vote on that card to take back." in html and "Vote taken back." not in html


def test_the_vote_buttons_names_start_with_the_text_they_show(client, developer, active_sprint):
    """WCAG 2.5.3: someone who says "click +1" to voice control reaches the button."""
    card = services.add_retro_card(sprint=active_sprint, by=developer, column="went_well", body="Pairing")
    services.vote(card=card, by=developer)
    client.force_login(developer)
    page = Elements(client.get(retro_url(active_sprint)).content.decode())
    buttons = [node for node in page.nodes if node.tag == "button" and node.ancestor("li") is not None]
    names = [(button.text(), button.attrs.get("aria-label") or button.text()) for button in buttons]
    assert names == [("+1", "+1, vote for: Pairing"), ("−1", "−1, take back a vote from: Pairing")]


def test_an_action_item_with_owner_and_target_follows_into_the_next_retro_until_done(
    client, po, developer, product, active_sprint
):
    from .conftest import close, make_sprint, start

    following = make_sprint(product, po, goal="Next")
    client.force_login(po)
    data = {"title": "Automate the release", "owner": developer.pk, "target_sprint": following.pk}
    response = client.post(reverse("sprints:sprint-action", args=[active_sprint.pk]), data)
    action = ActionItem.objects.get()
    assert (action.owner, action.target_sprint) == (developer, following)
    assert response["Location"].endswith(f"#action-{action.pk}")
    close(active_sprint, po)
    following = start(following, po)
    html = client.get(retro_url(following)).content.decode()
    assert "Still open from earlier sprints" in html and "Automate the release" in html
    done = reverse("sprints:sprint-action-done", args=[following.pk, action.pk])
    client.post(done)
    action.refresh_from_db()
    assert action.done_at is not None
    assert "Still open from earlier sprints" not in client.get(retro_url(following)).content.decode()
    reopened = client.post(reverse("sprints:sprint-action-reopen", args=[active_sprint.pk, action.pk]), follow=True)
    assert "Reopened: Automate the release" in reopened.content.decode()


def test_an_action_item_without_a_title_is_refused_in_the_form(client, developer, active_sprint):
    client.force_login(developer)
    response = client.post(reverse("sprints:sprint-action", args=[active_sprint.pk]), {"title": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_card_of_another_sprint_cannot_be_voted_through_this_one(client, po, product, active_sprint):
    from .conftest import make_sprint

    card = services.add_retro_card(sprint=active_sprint, by=po, column="ideas", body="Mine")
    other = make_sprint(product, po)
    client.force_login(po)
    assert client.post(reverse("sprints:sprint-retro-vote", args=[other.pk, card.pk])).status_code == 404
