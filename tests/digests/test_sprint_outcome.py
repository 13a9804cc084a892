"""A closed sprint in the digest, told as truly as its frozen outcome: an unfinished item archived
during the sprint is said to be archived (not "back to its place in the backlog"), and the items
taken out mid-sprint are named, in the HTML and text parts and the API. Outcomes frozen before
these were recorded still read."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from backlog import services as backlog_services
from digests import selectors
from sprints import services as sprint_services
from sprints.models import Sprint, SprintItem
from tests.conftest import make_items
from tests.digests.test_content import deliver_new, html_of
from tests.sprints.conftest import close, make_ready_item, make_sprint, move, plan, start

DIGEST = "/api/v1/products/SHOP/digest/"


@pytest.fixture
def worked(product, po, stakeholder):
    """After the stakeholder's baseline digest: a sprint holding Card form (5, done), Saved cards
    (3, archived mid-sprint), Receipts (2, unfinished) and Refunds (8, taken out mid-sprint)."""
    make_items(product, 2)
    deliver_new(stakeholder, product)
    sprint = make_sprint(product, po, goal="Buyers pay by card")
    done, archived, unfinished, removed = (
        make_ready_item(product, points, title=title)
        for points, title in ((5, "Card form"), (3, "Saved cards"), (2, "Receipts"), (8, "Refunds"))
    )
    plan(sprint, [done, archived, unfinished, removed], po)
    start(sprint, po)
    move(sprint, done, SprintItem.Column.DONE, po)
    backlog_services.archive_item(item=archived, by=po)
    sprint_services.remove_from_sprint(sprint=sprint, item=removed, by=po)
    return sprint, done, archived, unfinished, removed


def test_an_item_archived_during_the_sprint_is_told_as_archived(product, po, stakeholder, worked):
    sprint, _done, archived, unfinished, _removed = worked
    close(sprint, po, placements={unfinished.key: "keep"})

    (told,) = selectors.build_digest(stakeholder, product)["closed_sprints"]
    assert {entry["key"]: entry["placed"] for entry in told["not_done"]} == {
        archived.key: "archived",
        unfinished.key: "keep",
    }
    deliver_new(stakeholder, product, period="week:2026-W02")
    text, html = mail.outbox[-1].body, html_of(mail.outbox[-1])
    assert f"  - {archived.key} Saved cards (3 pts, archived during the sprint)" in text
    assert f"  - {unfinished.key} Receipts (2 pts, back to its place in the backlog)" in text
    told = '<span style="color:#555;">(3 pts, archived during the sprint)</span>'
    assert f"{archived.key} <bdi>Saved cards</bdi> {told}" in html
    for part in (text, html):
        assert part.count("back to its place in the backlog") == 1


def test_the_items_taken_out_mid_sprint_are_named(product, po, stakeholder, worked):
    sprint, *_, removed = worked
    close(sprint, po)

    (told,) = selectors.build_digest(stakeholder, product)["closed_sprints"]
    assert told["removed_points"] == 8
    assert told["removed"] == [{"key": removed.key, "title": "Refunds", "estimate": 8}]
    deliver_new(stakeholder, product, period="week:2026-W02")
    text, html = mail.outbox[-1].body, html_of(mail.outbox[-1])
    assert "8 removed." in text
    assert f"Removed during the sprint (1):\n  - {removed.key} Refunds (8 pts)" in text
    assert "Removed during the sprint (1)</h3>" in html
    assert f"<li>{removed.key} <bdi>Refunds</bdi> <span" in html


def test_the_api_names_them_too(product, po, stakeholder, worked):
    sprint, _done, archived, _unfinished, removed = worked
    close(sprint, po)
    client = APIClient()
    client.force_login(stakeholder)
    (told,) = client.get(DIGEST).json()["closed_sprints"]
    assert told["removed"] == [{"key": removed.key, "title": "Refunds", "estimate": 8}]
    assert {entry["key"]: entry["placed"] for entry in told["not_done"]}[archived.key] == "archived"


def test_an_outcome_frozen_before_the_removed_list_still_reads(product, po, stakeholder, worked):
    sprint, _done, archived, _unfinished, removed = worked
    closed = close(sprint, po)
    old = {key: value for key, value in closed.outcome.items() if key != "removed"}
    old["not_done"] = [
        {**entry, "placed": "keep"} if entry["key"] == archived.key else entry for entry in old["not_done"]
    ]
    Sprint.objects.filter(pk=sprint.pk).update(outcome=old)

    (told,) = selectors.build_digest(stakeholder, product)["closed_sprints"]
    assert told["removed"] is None
    assert told["removed_points"] == 8
    result, _ = deliver_new(stakeholder, product, period="week:2026-W02")
    assert result.outcome == "sent"
    text = mail.outbox[-1].body
    assert "8 removed." in text
    assert "Removed during the sprint" not in text
    assert "back to its place in the backlog" in text
    assert removed.key not in text.split("TOP OF THE BACKLOG")[0]
