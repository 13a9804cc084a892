"""Retrospective content (cards, votes, action items) is the Scrum team's: a stakeholder finds
none of it on any page, in any API response or in their digest.

Every GET of the permission matrix (which tests/test_permission_matrix.py checks against the URL
configuration, so a new page lands here too) is requested as a stakeholder, in a world whose
retrospectives carry a marker in every card and action item: the marker must be in no answer.
The same requests as a developer must find it, or the test could not fail."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from digests import services as digest_services
from digests.models import DigestDelivery
from sprints import services
from sprints.models import RetroCard, Sprint, SprintItem
from tests.sprints.conftest import SPRINT_DAYS, make_ready_item, make_sprint, move, plan, start, today
from tests.test_permission_matrix import MATRIX, world  # noqa: F401 - the matrix's world fixture

MARKER = "RETRO-SECRET"


def _get_of(specs) -> tuple:
    """(kwargs callable, query) of the entry's GET; for a URL the matrix only posts to, its first
    request's kwargs with no query (a GET there is a 405 or a page; either way, no secrets)."""
    for method, kwargs, query, _want in specs:
        if method == "get":
            return kwargs, query
    return specs[0][1], None


# Every URL of the matrix, which is every URL of the configuration but a few that show no product.
GETS = {name: _get_of(specs) for name, specs in MATRIX.items()}


def _retro_content(sprint: Sprint, w) -> None:
    """A card in every column with votes on it, an open and a done action item, each carrying
    the marker (numbered by sprint, so a leak says where from)."""
    po, developer = w.users["product_owner"], w.users["developer"]
    for column in RetroCard.Column.values:
        body = f"{MARKER}-{sprint.pk}-{column}"
        card = services.add_retro_card(sprint=sprint, by=developer, column=column, body=body)
        services.vote(card=card, by=developer)
    services.add_action_item(sprint=sprint, by=po, title=f"{MARKER}-{sprint.pk}-open-action", owner=developer)
    done = services.add_action_item(sprint=sprint, by=po, title=f"{MARKER}-{sprint.pk}-done-action")
    services.complete_action_item(action_item=done, by=po)


@pytest.fixture
def secret_world(world):  # noqa: F811 - extends the imported fixture
    """The matrix's world, with a closed sprint before it whose retrospective was held: its open
    action item follows the team into every later planning page and retrospective."""
    begin = today() - datetime.timedelta(days=SPRINT_DAYS)
    closed = make_sprint(world.product, world.users["product_owner"], start_date=begin, goal="Earlier goal")
    done = make_ready_item(world.product, 5, title="Shipped earlier")
    plan(closed, [done])
    start(closed)
    move(closed, done, SprintItem.Column.DONE)
    _retro_content(closed, world)
    services.close_sprint(sprint=closed, by=world.users["product_owner"], goal_outcome="met")
    world.closed_sprint = closed
    return world


def _seed_new_sprints(w) -> None:
    """Retrospective content in every sprint the URL's kwargs callable started."""
    seeded = set(RetroCard.objects.values_list("sprint_id", flat=True))
    for sprint in Sprint.objects.filter(product=w.product).exclude(status=Sprint.Status.PLANNED).exclude(pk__in=seeded):
        _retro_content(sprint, w)


def _answers(w, name, persona) -> dict[str, str]:
    """Each URL the entry names (and, for a sprint's URL, the same one for the closed sprint),
    requested as the persona: {url: body}."""
    kwargs, query = GETS[name]
    kwargs = kwargs(w) if kwargs else {}
    if name == "accounts:token-revoke":  # as in the matrix: the persona's own token
        kwargs = {"token_id": w.tokens[persona].pk}
    _seed_new_sprints(w)
    urls = [reverse(name, kwargs=kwargs)]
    if "sprint_id" in kwargs:
        urls.append(reverse(name, kwargs={**kwargs, "sprint_id": w.closed_sprint.pk}))
    client = APIClient()
    client.force_login(w.users[persona])
    answers = {}
    for url in urls:
        response = client.get(url, query or {})
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        answers[url] = response.content.decode()
    return answers


@pytest.mark.parametrize("name", sorted(GETS))
def test_a_stakeholder_finds_no_retrospective_content_on_any_page_or_api_answer(secret_world, name):
    for url, body in _answers(secret_world, name, "stakeholder").items():
        assert MARKER not in body, f"GET {url} shows a stakeholder retrospective content"


@pytest.mark.parametrize(
    "name",
    ["sprints:sprint-retro", "sprints:sprint-planning", "api-retro-card-list", "api-action-item-list"],
)
def test_a_developer_finds_the_marker_where_the_team_reads_retrospectives(secret_world, name):
    """The other side: the marker is there to be found, so the stakeholder test can fail."""
    answers = _answers(secret_world, name, "developer")
    assert any(MARKER in body for body in answers.values()), f"no retrospective content in {list(answers)}"


def test_a_stakeholders_digest_holds_no_retrospective_content(secret_world):
    """The digest API, the preview page and the email (both parts) tell the closed sprint, not
    its retrospective."""
    w = secret_world
    stakeholder = w.users["stakeholder"]
    client = APIClient()
    client.force_login(stakeholder)
    # Before the delivery: once sent, the closed sprint is told and the next digest leaves it out.
    for url in (f"/api/v1/products/{w.product.key}/digest/", reverse("digests:preview", kwargs={"key": w.product.key})):
        response = client.get(url)
        assert response.status_code == 200
        assert "Earlier goal" in response.content.decode()  # the closed sprint is told
        assert MARKER not in response.content.decode()

    delivery = DigestDelivery.objects.create(
        user=stakeholder, product=w.product, period="week:2026-W01", kind=DigestDelivery.Kind.WEEKLY
    )
    digest_services.deliver(delivery.pk)
    (message,) = [m for m in mail.outbox if stakeholder.email in m.to]
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert "Earlier goal" in message.body
    for part in (message.subject, message.body, html):
        assert MARKER not in part
