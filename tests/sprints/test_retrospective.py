"""The retrospective: team-only cards, three votes per member, action items that follow the
team until done."""

import pytest

from config.errors import InvalidInput, NotFound
from sprints import selectors, services
from sprints.models import RetroVote

from .conftest import close, make_sprint, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(active_sprint, developer):
    return services.add_retro_card(sprint=active_sprint, by=developer, column="went_well", body="Pairing")


def test_team_members_add_cards_in_three_columns(active_sprint, po, scrum_master, developer):
    for user, column in ((po, "went_well"), (scrum_master, "to_improve"), (developer, "ideas")):
        services.add_retro_card(sprint=active_sprint, by=user, column=column, body="A thought")
    assert active_sprint.retro_cards.count() == 3


def test_a_card_needs_a_known_column_and_text(active_sprint, developer):
    with pytest.raises(InvalidInput) as error:
        services.add_retro_card(sprint=active_sprint, by=developer, column="gripes", body="x")
    assert "column" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.add_retro_card(sprint=active_sprint, by=developer, column="ideas", body="")
    assert "body" in error.value.fields


def test_stakeholders_do_not_learn_the_retrospective_exists(active_sprint, card, stakeholder):
    calls = [
        lambda: services.add_retro_card(sprint=active_sprint, by=stakeholder, column="ideas", body="x"),
        lambda: services.vote(card=card, by=stakeholder),
        lambda: services.unvote(card=card, by=stakeholder),
        lambda: services.add_action_item(sprint=active_sprint, by=stakeholder, title="x"),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()


def test_a_member_has_three_votes_per_sprint_and_may_stack_them(card, developer):
    for _ in range(3):
        services.vote(card=card, by=developer)
    with pytest.raises(InvalidInput, match="all 3"):
        services.vote(card=card, by=developer)
    assert RetroVote.objects.filter(voter=developer).count() == 3


def test_taking_a_vote_back_frees_it(card, developer):
    for _ in range(3):
        services.vote(card=card, by=developer)
    services.unvote(card=card, by=developer)
    services.vote(card=card, by=developer)
    assert card.votes.count() == 3


def test_taking_back_a_vote_one_never_gave_changes_nothing(card, po):
    services.vote(card=card, by=card.author)
    assert services.unvote(card=card, by=po) is False
    assert card.votes.count() == 1
    assert services.unvote(card=card, by=card.author) is True
    assert card.votes.count() == 0


def test_votes_are_counted_per_sprint(card, product, po, developer):
    for _ in range(3):
        services.vote(card=card, by=developer)
    close(card.sprint, po)
    later = start(make_sprint(product, po), po)
    other = services.add_retro_card(sprint=later, by=po, column="ideas", body="More tests")
    assert services.vote(card=other, by=developer)


def test_the_retro_sorts_cards_by_votes_then_age_and_counts_my_votes(active_sprint, po, developer):
    first = services.add_retro_card(sprint=active_sprint, by=po, column="went_well", body="First")
    second = services.add_retro_card(sprint=active_sprint, by=po, column="went_well", body="Second")
    third = services.add_retro_card(sprint=active_sprint, by=po, column="went_well", body="Third")
    services.vote(card=third, by=developer)
    services.vote(card=third, by=po)
    services.vote(card=second, by=developer)
    page = selectors.retro(active_sprint, developer)
    went_well = page.columns[0]
    assert [c.body for c in went_well.cards] == ["Third", "Second", "First"]
    assert [(c.vote_count, c.my_votes) for c in went_well.cards] == [(2, 1), (1, 1), (0, 0)]
    assert page.votes_left == 1 and first in went_well.cards


def test_an_action_items_owner_must_be_on_the_team(active_sprint, po, stakeholder):
    with pytest.raises(InvalidInput) as error:
        services.add_action_item(sprint=active_sprint, by=po, title="Fix CI", owner=stakeholder)
    assert "owner" in error.value.fields


def test_an_action_items_target_must_be_an_open_sprint_of_the_product(active_sprint, product, po):
    close(active_sprint, po)
    with pytest.raises(InvalidInput) as error:
        services.add_action_item(sprint=active_sprint, by=po, title="Fix CI", target_sprint=active_sprint)
    assert "target_sprint" in error.value.fields


def test_open_action_items_follow_the_team_until_done(active_sprint, product, po, developer):
    following = make_sprint(product, po)
    action = services.add_action_item(
        sprint=active_sprint, by=po, title="Keep the build under 10 minutes", owner=developer, target_sprint=following
    )
    close(active_sprint, po)
    assert list(selectors.open_action_items(product)) == [action]
    start(following, po)
    assert action in selectors.retro(following, po).action_items
    services.complete_action_item(action_item=action, by=developer)
    assert list(selectors.open_action_items(product)) == []
    assert action not in selectors.retro(following, po).action_items
    services.reopen_action_item(action_item=action, by=developer)
    assert list(selectors.open_action_items(product)) == [action]


def test_a_retro_shows_its_own_action_items_first_and_none_from_later_sprints(active_sprint, product, po):
    following = make_sprint(product, po)
    earlier = services.add_action_item(sprint=active_sprint, by=po, title="Pair on reviews", owner=po)
    close(active_sprint, po)
    start(following, po)
    own = services.add_action_item(sprint=following, by=po, title="Write the runbook", owner=po)
    assert selectors.retro(following, po).action_items == [own, earlier]
    later = services.add_action_item(sprint=following, by=po, title="Fix flaky test", owner=po)
    assert selectors.retro(active_sprint, po).action_items == [earlier]
    assert later not in selectors.retro(active_sprint, po).action_items
