"""The digest API: `GET /api/v1/products/{KEY}/digest/` (your next digest as JSON) and
`GET/PUT …/digest/subscription/`; both in the OpenAPI schema; and the email says what the API
says, since both render `DigestSerializer`."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from backlog import services as backlog_services
from digests import email, services
from digests.api.serializers import DigestSerializer
from digests.models import DigestDelivery, DigestSubscription
from tests.conftest import make_items
from tests.sprints.conftest import make_ready_item, make_sprint, plan, run_sprint, start

DIGEST = "/api/v1/products/SHOP/digest/"
SUBSCRIPTION = "/api/v1/products/SHOP/digest/subscription/"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def busy_product(product, po, stakeholder):
    """A goal, a closed sprint, an active one, and a backlog of 12."""
    backlog_services.set_product_goal(product=product, by=po, title="Mobile buyers convert", description="*Why*")
    run_sprint(product, [3, 5], 1, by=po)
    make_items(product, 12)
    sprint = make_sprint(product, po, goal="Pay by card")
    plan(sprint, [make_ready_item(product, 3)], po)
    start(sprint, po)
    return product


# --- GET digest ------------------------------------------------------------------------------------


def test_a_stakeholder_reads_their_next_digest(busy_product, stakeholder):
    response = as_user(stakeholder).get(DIGEST)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(DigestSerializer().fields)
    assert body["product"] == {"key": "SHOP", "name": "Online shop", "url": "http://127.0.0.1:8000/p/SHOP/"}
    assert body["recipient"] == {"email": stakeholder.email, "name": stakeholder.email, "role": "stakeholder"}
    assert (body["first"], body["changed"], body["since"]) == (True, True, None)
    assert body["product_goal"]["title"] == "Mobile buyers convert"
    assert body["active_sprint"]["goal"] == "Pay by card"
    assert len(body["closed_sprints"]) == 1
    assert len(body["top"]) == 10
    assert set(body["top"][0]) == {
        "key",
        "title",
        "status",
        "estimate",
        "position",
        "previous_position",
        "change",
        "forecast_85",
        "counts_unestimated",
        "url",
    }
    assert body["top"][0]["url"].startswith("http://127.0.0.1:8000/items/SHOP-")
    assert body["forecast"]["available"] is False
    assert body["links"]["unsubscribe"].startswith("http://127.0.0.1:8000/unsubscribe/")
    assert body["shown"]["top"] == [{"key": e["key"], "position": e["position"]} for e in body["top"]]
    assert body["next_review"]["sprint_id"] == body["active_sprint"]["id"]


def test_reading_the_digest_is_not_a_delivery(busy_product, stakeholder):
    client = as_user(stakeholder)
    client.get(DIGEST)
    assert client.get(DIGEST).json()["first"] is True
    assert not DigestDelivery.objects.exists()
    assert mail.outbox == []


def test_every_member_reads_their_own_digest(busy_product, po, scrum_master, developer):
    for user, role in ((po, "product_owner"), (scrum_master, "scrum_master"), (developer, "developer")):
        response = as_user(user).get(DIGEST)
        assert response.status_code == 200
        assert response.json()["recipient"]["role"] == role


def test_an_outsider_gets_404_and_anonymous_401(busy_product, outsider):
    response = as_user(outsider).get(DIGEST)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "Mobile" not in response.content.decode()
    assert APIClient().get(DIGEST).status_code == 401
    assert as_user(outsider).get("/api/v1/products/NOPE/digest/").status_code == 404


def test_the_trailing_slash_is_optional(busy_product, stakeholder):
    assert as_user(stakeholder).get(DIGEST.rstrip("/")).status_code == 200


# --- Subscription ----------------------------------------------------------------------------------


def test_the_subscription_shows_the_role_default_until_chosen(product, stakeholder, developer):
    response = as_user(stakeholder).get(SUBSCRIPTION)
    assert response.status_code == 200
    assert response.json() == {
        "product": "SHOP",
        "role": "stakeholder",
        "frequency": "weekly",
        "weekday": 0,
        "hour": 9,
        "send_when_quiet": False,
        "chosen": False,
    }
    assert as_user(developer).get(SUBSCRIPTION).json()["frequency"] == "off"


def test_put_saves_the_choice_and_keeps_what_is_left_out(product, stakeholder):
    client = as_user(stakeholder)
    response = client.put(SUBSCRIPTION, {"frequency": "weekly", "weekday": 4, "hour": 17}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "product": "SHOP",
        "role": "stakeholder",
        "frequency": "weekly",
        "weekday": 4,
        "hour": 17,
        "send_when_quiet": False,
        "chosen": True,
    }
    row = DigestSubscription.objects.get(user=stakeholder, product=product)
    assert (row.frequency, row.weekday, row.hour, row.send_when_quiet) == ("weekly", 4, 17, False)

    response = client.put(SUBSCRIPTION, {"frequency": "sprint", "send_when_quiet": True}, format="json")
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.frequency, row.weekday, row.hour, row.send_when_quiet) == ("sprint", 4, 17, True)
    assert client.get(SUBSCRIPTION).json()["frequency"] == "sprint"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"frequency": "weekly", "colour": "red"}, "colour"),
        ({"frequency": "weekly", "hour": 25}, "hour"),
        ({"frequency": "weekly", "hour": -1}, "hour"),
        ({"frequency": "weekly", "hour": "nine"}, "hour"),
        ({"frequency": "weekly", "hour": 10**30}, "hour"),
        ({"frequency": "weekly", "weekday": 7}, "weekday"),
        ({"frequency": "daily"}, "frequency"),
        ({"hour": 9}, "frequency"),
        ({"frequency": "weekly", "send_when_quiet": "perhaps"}, "send_when_quiet"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(product, stakeholder, body, field):
    response = as_user(stakeholder).put(SUBSCRIPTION, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not DigestSubscription.objects.exists()


@pytest.mark.parametrize("body", ["[]", "null", '"weekly"', "{", "[" * 5000])
def test_a_body_that_is_not_an_object_is_a_400(product, stakeholder, body):
    response = as_user(stakeholder).put(SUBSCRIPTION, body, content_type="application/json")
    assert response.status_code == 400
    assert not DigestSubscription.objects.exists()


def test_the_subscription_is_404_for_outsiders_and_401_for_anonymous(product, outsider):
    assert as_user(outsider).get(SUBSCRIPTION).status_code == 404
    assert as_user(outsider).put(SUBSCRIPTION, {"frequency": "off"}, format="json").status_code == 404
    assert APIClient().get(SUBSCRIPTION).status_code == 401
    assert APIClient().put(SUBSCRIPTION, {"frequency": "off"}, format="json").status_code == 401
    assert not DigestSubscription.objects.exists()


# --- The schema -------------------------------------------------------------------------------------


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_digest_and_subscription_are_in_the_schema(schema):
    paths = schema["paths"]
    digest = paths["/api/v1/products/{key}/digest/"]
    subscription = paths["/api/v1/products/{key}/digest/subscription/"]
    assert set(digest) - {"parameters"} == {"get"}
    assert set(subscription) - {"parameters"} == {"get", "put"}

    ref = digest["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert ref.endswith("/Digest")
    assert set(component["properties"]) == set(DigestSerializer().fields)
    assert {"401", "404"} <= set(digest["get"]["responses"])

    top = component["properties"]["top"]
    item_ref = top["items"]["$ref"]
    entry = schema["components"]["schemas"][item_ref.rsplit("/", 1)[1]]
    assert {"key", "position", "previous_position", "change", "forecast_85"} <= set(entry["properties"])

    put = subscription["put"]
    body_ref = put["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert set(body["properties"]) == {"frequency", "weekday", "hour", "send_when_quiet"}
    assert body["required"] == ["frequency"]
    assert {"200", "400", "401", "404"} <= set(put["responses"])
    out_ref = put["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    out = schema["components"]["schemas"][out_ref.rsplit("/", 1)[1]]
    assert {"frequency", "weekday", "hour", "send_when_quiet", "chosen", "role", "product"} == set(out["properties"])


# --- The email says what the API says --------------------------------------------------------------


def test_the_email_is_rendered_from_the_same_data_the_api_returns(busy_product, po, stakeholder):
    client = as_user(stakeholder)
    data = client.get(DIGEST).json()
    computed = email.digest_data(stakeholder, busy_product)
    assert {**data, "generated_at": None} == {**computed, "generated_at": None}

    delivery = DigestDelivery.objects.create(
        user=stakeholder, product=busy_product, period="week:2026-W01", kind="weekly"
    )
    assert services.deliver(delivery.pk).outcome == "sent"
    text = mail.outbox[-1].body
    html = mail.outbox[-1].alternatives[0][0]

    for part in (text, html):
        offsets = [part.index(entry["key"]) for entry in data["top"]]
        assert offsets == sorted(offsets), "the top is in the same order"
        for entry in data["top"]:
            assert entry["title"] in part
            assert f"#{entry['position']}" in part
        assert data["product_goal"]["title"] in part
        assert data["active_sprint"]["goal"] in part
        assert data["forecast"]["message"] in part
        assert data["links"]["unsubscribe"] in part
        for sprint in data["closed_sprints"]:
            assert f"{sprint['completed_points']} points done of {sprint['committed_points']} committed" in part
    lines = [line for line in text.splitlines() if re.match(r"^#\d+ ", line)]
    assert [line.split()[1] for line in lines] == [entry["key"] for entry in data["top"]]

    # After the email, the API's next digest compares with it, and says nothing changed.
    after = client.get(DIGEST).json()
    assert (after["first"], after["changed"]) == (False, False)
    assert after["since"] is not None
    assert after["top"] == [{**entry, "previous_position": entry["position"]} for entry in data["top"]]


def test_the_api_and_the_email_agree_for_a_member_outside_utc(busy_product, stakeholder):
    stakeholder.time_zone = "America/New_York"
    stakeholder.save(update_fields=["time_zone"])
    delivery = DigestDelivery.objects.create(
        user=stakeholder, product=busy_product, period="week:2026-W01", kind="weekly"
    )
    services.deliver(delivery.pk)
    client = APIClient()
    client.force_login(stakeholder)  # a session: the member's time zone is active, as in the browser
    data = client.get(DIGEST).json()
    assert data["since"].endswith(("-04:00", "-05:00"))
    with timezone.override(None):  # as in the worker: no request, no active time zone
        computed = email.digest_data(stakeholder, busy_product)
    assert {**data, "generated_at": None} == {**computed, "generated_at": None}


def test_changes_read_the_same_in_the_api_and_the_email(product, po, stakeholder):
    items = make_items(product, 11)
    delivery = DigestDelivery.objects.create(user=stakeholder, product=product, period="week:2026-W01", kind="weekly")
    services.deliver(delivery.pk)
    backlog_services.move_item(item=items[9], by=po, position=1)
    backlog_services.update_item(item=items[0], by=po, changes={"status": "done"})

    data = as_user(stakeholder).get(DIGEST).json()
    assert data["top"][0] == {**data["top"][0], "key": items[9].key, "change": "up", "previous_position": 10}
    assert data["left_top"] == [
        {
            "key": items[0].key,
            "title": items[0].title,
            "previous_position": 1,
            "reason": "done",
            "position": None,
            "url": f"http://127.0.0.1:8000/items/{items[0].key}/",
        }
    ]
    second = DigestDelivery.objects.create(user=stakeholder, product=product, period="week:2026-W02", kind="weekly")
    services.deliver(second.pk)
    text = mail.outbox[-1].body
    assert f"#1 {items[9].key} {items[9].title} [up from #10]" in text
    assert f"{items[0].key} {items[0].title} (was #1): done" in text
    # One up, one new at #11, one that left; the eight in between only shifted, so they are not
    # changes (nor marked as moves in the text).
    assert mail.outbox[-1].subject == "[SHOP] Weekly digest, 3 changes at the top"
    assert "[down from" not in text
