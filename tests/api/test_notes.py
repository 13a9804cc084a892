"""/api/v1/items/{KEY}/notes/: refinement notes, oldest first; team members add them."""

import pytest

from backlog import services
from tests.api.conftest import item_url
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(product):
    return make_item(product, title="Pay by card")


def test_notes_are_listed_oldest_first_with_author_and_time(as_user, po, developer, stakeholder, item):
    services.add_refinement_note(item=item, by=po, body="First")
    services.add_refinement_note(item=item, by=developer, body="Second")
    response = as_user(stakeholder).get(item_url(item, "notes"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["body"] for row in rows] == ["First", "Second"]
    assert rows[0]["author"] == {"id": po.pk, "email": po.email, "name": "Paula Owner"}
    assert rows[1]["created_at"] >= rows[0]["created_at"]


def test_notes_are_paginated(as_user, po, item):
    for number in range(3):
        services.add_refinement_note(item=item, by=po, body=f"Note {number}")
    client = as_user(po)
    first = client.get(item_url(item, "notes"), {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert [row["body"] for row in first["results"] + second["results"]] == ["Note 0", "Note 1", "Note 2"]


def test_a_forged_notes_cursor_is_a_400(as_user, po, item):
    response = as_user(po).get(item_url(item, "notes"), {"cursor": "cD1hYmM="})  # p=abc
    assert response.status_code == 400
    assert "cursor" in response.json()["fields"]


def test_an_outsider_gets_a_404_for_the_notes(as_user, outsider, item):
    assert as_user(outsider).get(item_url(item, "notes")).status_code == 404


@pytest.mark.parametrize("persona", ["po", "scrum_master", "developer"])
def test_team_members_add_notes(request, as_user, item, persona):
    user = request.getfixturevalue(persona)
    response = as_user(user).post(item_url(item, "notes"), {"body": "What about refunds?"}, format="json")
    assert response.status_code == 201
    assert response.json()["author"]["id"] == user.pk
    assert item.refinement_notes.count() == 1


def test_a_stakeholder_may_not_add_notes(as_user, stakeholder, item):
    assert as_user(stakeholder).post(item_url(item, "notes"), {"body": "Hi"}, format="json").status_code == 403


def test_an_outsider_adding_a_note_gets_a_404(as_user, outsider, item):
    assert as_user(outsider).post(item_url(item, "notes"), {"body": "Hi"}, format="json").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "body"), ({"body": ""}, "body"), ({"body": "   "}, "body"), ({"body": "x", "pin": 1}, "pin")],
)
def test_bad_note_input_is_a_400_naming_the_field(as_user, po, item, body, field):
    response = as_user(po).post(item_url(item, "notes"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
