"""The product goal: one active at a time, set and closed by the product owner, past goals kept."""

import pytest
from django.urls import reverse

from backlog import selectors, services
from backlog.models import ProductGoal
from config.errors import Forbidden, InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def test_the_product_owner_sets_the_active_goal(product, po):
    goal = services.set_product_goal(product=product, by=po, title="Mobile buyers convert like desktop ones")
    assert goal.status == ProductGoal.Status.ACTIVE and goal.created_by == po
    assert selectors.active_product_goal(product) == goal


def test_a_second_goal_waits_until_the_first_is_achieved_or_abandoned(product, po):
    first = services.set_product_goal(product=product, by=po, title="First")
    with pytest.raises(InvalidInput, match="mark the current goal achieved or abandoned first"):
        services.set_product_goal(product=product, by=po, title="Second")
    services.close_product_goal(goal=first, by=po, status="achieved")
    second = services.set_product_goal(product=product, by=po, title="Second")
    assert list(selectors.product_goals(product)) == [second, first]


def test_closing_a_goal_records_how_and_when(product, po):
    goal = services.set_product_goal(product=product, by=po, title="First")
    goal = services.close_product_goal(goal=goal, by=po, status="abandoned")
    assert goal.status == "abandoned" and goal.closed_at is not None
    assert selectors.active_product_goal(product) is None


def test_a_goal_ends_achieved_or_abandoned_and_only_once(product, po):
    goal = services.set_product_goal(product=product, by=po, title="First")
    with pytest.raises(InvalidInput) as error:
        services.close_product_goal(goal=goal, by=po, status="active")
    assert "status" in error.value.fields
    services.close_product_goal(goal=goal, by=po, status="achieved")
    with pytest.raises(InvalidInput, match="already achieved"):
        services.close_product_goal(goal=goal, by=po, status="abandoned")


def test_a_goal_needs_a_title(product, po):
    with pytest.raises(InvalidInput) as error:
        services.set_product_goal(product=product, by=po, title="  ")
    assert "title" in error.value.fields


def test_only_the_product_owner_sets_or_closes_goals(product, po, scrum_master, outsider):
    with pytest.raises(Forbidden):
        services.set_product_goal(product=product, by=scrum_master, title="Mine")
    with pytest.raises(NotFound):
        services.set_product_goal(product=product, by=outsider, title="Mine")
    goal = services.set_product_goal(product=product, by=po, title="First")
    with pytest.raises(Forbidden):
        services.close_product_goal(goal=goal, by=scrum_master, status="achieved")


def goal_url(product):
    return reverse("backlog:product-goal", args=[product.key])


def test_the_goal_page_shows_the_active_goal_and_past_ones_to_any_member(client, product, po, stakeholder):
    old = services.set_product_goal(product=product, by=po, title="Checkout people trust")
    services.close_product_goal(goal=old, by=po, status="achieved")
    services.set_product_goal(product=product, by=po, title="Mobile buyers convert like desktop ones")
    client.force_login(stakeholder)
    page = client.get(goal_url(product)).content.decode()
    assert "Mobile buyers convert like desktop ones" in page
    assert "Checkout people trust" in page and "achieved" in page
    assert "Set goal" not in page and "Mark achieved" not in page


def test_the_product_owner_sets_and_ends_the_goal_on_the_page(client, product, po):
    client.force_login(po)
    response = client.post(goal_url(product), {"action": "set", "title": "Faster search", "description": "*Fast*"})
    assert response.status_code == 302
    assert selectors.active_product_goal(product).title == "Faster search"
    response = client.post(goal_url(product), {"action": "close", "status": "abandoned"})
    assert response.status_code == 302
    assert selectors.active_product_goal(product) is None
    assert ProductGoal.objects.get().status == "abandoned"


def test_the_page_says_what_is_wrong_with_a_goal_without_title(client, product, po):
    client.force_login(po)
    response = client.post(goal_url(product), {"action": "set", "title": ""})
    assert response.status_code == 400
    assert not ProductGoal.objects.exists()


def test_the_backlog_header_shows_the_active_goal(client, product, po):
    services.set_product_goal(product=product, by=po, title="Mobile buyers convert like desktop ones")
    client.force_login(po)
    page = client.get(reverse("backlog:backlog", args=[product.key])).content.decode()
    assert "Mobile buyers convert like desktop ones" in page
