"""The product goal in the digest: one achieved or abandoned since the member's last digest is
told (title, when), in the HTML and the text part and the API, once; the active goal as before."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from backlog import services as backlog_services
from backlog.models import ProductGoal
from digests import selectors
from tests.conftest import make_items
from tests.digests.test_content import deliver_new, html_of

DIGEST = "/api/v1/products/SHOP/digest/"


@pytest.fixture
def goal(product, po):
    make_items(product, 2)
    return backlog_services.set_product_goal(product=product, by=po, title="Mobile buyers convert")


def end(goal, po, status="achieved") -> ProductGoal:
    return backlog_services.close_product_goal(goal=goal, by=po, status=status)


def test_a_goal_achieved_since_the_last_digest_is_told_with_when(product, po, stakeholder, goal):
    deliver_new(stakeholder, product, period="week:2026-W01")
    ended = end(goal, po)

    digest = selectors.build_digest(stakeholder, product)

    assert digest["changed"] is True
    assert digest["product_goal"] is None
    assert digest["ended_product_goals"] == [
        {"title": "Mobile buyers convert", "status": "achieved", "closed_at": ended.closed_at}
    ]
    result, _ = deliver_new(stakeholder, product, period="week:2026-W02")
    assert result.outcome == "sent"
    text, html = mail.outbox[-1].body, html_of(mail.outbox[-1])
    on = f"{ended.closed_at:%a} {ended.closed_at.day} {ended.closed_at:%b}"
    assert f'The product goal "Mobile buyers convert" was achieved on {on}.' in text
    assert f"The product goal <strong><bdi>Mobile buyers convert</bdi></strong> was achieved on {on}." in html
    for part in (text, html):
        assert "No product goal is set." not in part
        assert "No new product goal is set yet." in part


def test_an_abandoned_goal_is_told_beside_the_new_one_and_only_once(product, po, stakeholder, goal):
    deliver_new(stakeholder, product, period="week:2026-W01")
    end(goal, po, "abandoned")
    backlog_services.set_product_goal(product=product, by=po, title="Repeat buyers return")

    digest = selectors.build_digest(stakeholder, product)
    assert [(g["title"], g["status"]) for g in digest["ended_product_goals"]] == [
        ("Mobile buyers convert", "abandoned")
    ]
    assert digest["product_goal"]["title"] == "Repeat buyers return"
    deliver_new(stakeholder, product, period="week:2026-W02")
    assert "was abandoned on" in mail.outbox[-1].body
    assert "The new product goal: Repeat buyers return" in mail.outbox[-1].body

    later = selectors.build_digest(stakeholder, product)
    assert later["ended_product_goals"] == []
    assert later["changed"] is False


def test_a_goal_ended_before_the_last_digest_is_not_told_again(product, po, stakeholder, goal):
    end(goal, po)
    first = selectors.build_digest(stakeholder, product)
    assert len(first["ended_product_goals"]) == 1  # the first digest looks back two weeks
    deliver_new(stakeholder, product)
    assert selectors.build_digest(stakeholder, product)["ended_product_goals"] == []


def test_the_api_says_it_too(product, po, stakeholder, goal):
    deliver_new(stakeholder, product, period="week:2026-W01")
    end(goal, po)
    client = APIClient()
    client.force_login(stakeholder)
    body = client.get(DIGEST).json()
    (told,) = body["ended_product_goals"]
    assert (told["title"], told["status"]) == ("Mobile buyers convert", "achieved")
    assert told["closed_at"].endswith("Z") or "+" in told["closed_at"]
    assert body["shown"]["ended_goals"] == [goal.pk]


def test_the_schema_documents_the_ended_goals(db):
    components = APIClient().get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    ended = components["Digest"]["properties"]["ended_product_goals"]
    assert ended["type"] == "array"
    entry = components[ended["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(entry["properties"]) == {"title", "status", "closed_at"}
    assert "ended_goals" in components["DigestShown"]["properties"]
