"""A move that changes no live position is no move: nothing is written or recorded, it is said
as "stays at position N", and archived items keep their places between their live neighbours
(so a restore puts them back where they were)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from backlog import selectors, services
from backlog.models import HistoryEntry, Item
from tests.conftest import make_items

HTMX = {"HTTP_HX_REQUEST": "true"}


def keys(product):
    return list(selectors.backlog_items(product).values_list("key", flat=True))


def moves(product) -> int:
    return HistoryEntry.objects.filter(product=product, event="backlog.item.moved").count()


def rank_of(item) -> str:
    return Item.objects.values_list("rank", flat=True).get(pk=item.pk)


@pytest.fixture
def archived_between(product, po):
    """SHOP-1, SHOP-2 (archived), SHOP-3: SHOP-3 is live position 2, right below SHOP-1."""
    first, middle, last = make_items(product, 3)
    services.archive_item(item=middle, by=po)
    return first, middle, last


@pytest.mark.parametrize(
    "target",
    [
        lambda first, last: {"position": 2},
        lambda first, last: {"after": first},
    ],
    ids=["position", "after"],
)
def test_a_move_to_the_place_below_an_archived_item_is_no_move(product, po, archived_between, target):
    """The item below an archived one, moved to its own live place, keeps its rank."""
    first, middle, last = archived_between
    rank = rank_of(last)
    result = services.move_item(item=last, by=po, **target(first, last))
    assert result.moved is False
    assert rank_of(last) == rank
    assert moves(product) == 0


def test_a_move_above_its_own_live_neighbour_past_an_archived_item_is_no_move(product, po, archived_between):
    """`before` the live item below it, with an archived item in between: no move either."""
    first, middle, last = archived_between
    rank = rank_of(first)
    result = services.move_item(item=first, by=po, before=last)
    assert result.moved is False
    assert rank_of(first) == rank
    assert moves(product) == 0


def test_a_move_to_position_one_past_archived_items_above_is_no_move(product, po):
    """An archived item above the first live one does not make "to the top" a move."""
    first, second, third = make_items(product, 3)
    services.archive_item(item=first, by=po)
    result = services.move_item(item=second, by=po, position=1)
    assert result.moved is False
    assert moves(product) == 0


def test_after_an_in_place_move_a_restore_puts_the_archived_item_back_between_its_neighbours(
    product, po, archived_between
):
    """The QA case: restoring the archived item puts it between its live neighbours again."""
    first, middle, last = archived_between
    services.move_item(item=last, by=po, position=2)
    services.restore_item(item=middle, by=po)
    assert keys(product) == [first.key, middle.key, last.key]


def test_a_real_move_past_an_archived_item_still_moves(product, po, archived_between):
    """Only live positions decide: moving the top item to the bottom is a move."""
    first, middle, last = archived_between
    result = services.move_item(item=first, by=po, position=2)
    assert result.moved is True
    assert keys(product) == [last.key, first.key]
    services.restore_item(item=middle, by=po)
    assert keys(product) == [middle.key, last.key, first.key]


def test_the_page_says_the_item_stays_and_offers_no_undo(client, po, product, archived_between):
    """HTML: "stays at position 2 of 2", no Undo, no history entry; restore order intact."""
    first, middle, last = archived_between
    client.force_login(po)
    response = client.post(reverse("backlog:item-move", args=[last.key]), {"position": "2"}, **HTMX)
    html = response.content.decode()
    assert "SHOP-3 stays at position 2 of 2." in html
    assert "moved to position" not in html
    assert "Undo" not in html
    assert moves(product) == 0
    client.post(reverse("backlog:item-restore", args=[middle.key]))
    assert keys(product) == [first.key, middle.key, last.key]


def test_without_javascript_the_message_says_the_item_stays(client, po, product, archived_between):
    """No-JS: the redirect's message says it stays, and no Undo is kept for the next page."""
    first, middle, last = archived_between
    client.force_login(po)
    response = client.post(reverse("backlog:item-move", args=[last.key]), {"position": "2"})
    html = client.get(response.url).content.decode()
    assert "SHOP-3 stays at position 2 of 2." in html
    assert "Undo" not in html


def test_the_api_answers_an_in_place_move_with_the_unchanged_item(po, product, archived_between):
    """API: `after` the live item directly above is a 200 with the same position, nothing written."""
    first, middle, last = archived_between
    client = APIClient()
    client.force_authenticate(po)
    rank = rank_of(last)
    response = client.post(reverse("api-item-move", kwargs={"key": last.key}), {"after": first.key}, format="json")
    assert response.status_code == 200
    assert response.json()["position"] == 2
    assert rank_of(last) == rank
    assert moves(product) == 0
