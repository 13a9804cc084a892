"""The signed unsubscribe link: no login, a GET that changes nothing, a POST (the page's button or
a mail client's RFC 8058 one-click request, without a CSRF token) that turns off exactly the
subscription the token names, and a 400 for anything not signed here."""

import datetime

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from backlog import services as backlog_services
from backlog.models import Membership, Role
from digests import selectors, services
from digests.models import DigestDelivery, DigestSubscription, Frequency
from tests.conftest import make_items, make_user


@pytest.fixture
def other_stakeholder(product):
    user = make_user("other-stakeholder@example.com")
    Membership.objects.create(product=product, user=user, role=Role.STAKEHOLDER)
    return user


@pytest.fixture
def second_product(po, stakeholder):
    product = backlog_services.create_product(by=po, key="BOOK", name="Bookshop")
    Membership.objects.create(product=product, user=stakeholder, role=Role.STAKEHOLDER)
    return product


def link_from_email(user, product) -> str:
    """Send the member a digest and take the unsubscribe URL from the email, as they would."""
    make_items(product, 1)
    delivery = DigestDelivery.objects.create(user=user, product=product, period="week:2026-W01", kind="weekly")
    assert services.deliver(delivery.pk).outcome == "sent"
    message = mail.outbox[-1]
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    url = header[1:-1]
    assert url in message.body
    assert url in message.alternatives[0][0]
    path = url.removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/unsubscribe/")
    return path


def frequency(user, product):
    return DigestSubscription.objects.filter(user=user, product=product).values_list("frequency", flat=True).first()


def test_get_shows_one_button_and_changes_nothing(client, product, stakeholder):
    path = link_from_email(stakeholder, product)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<form") >= 1
    assert f'action="{path}"' in html
    assert html.count('<button type="submit">Unsubscribe</button>') == 1
    assert DigestSubscription.objects.count() == 0
    assert not response.wsgi_request.user.is_authenticated


def test_post_unsubscribes_without_login_and_a_second_post_says_so(client, product, stakeholder):
    path = link_from_email(stakeholder, product)
    response = client.post(path)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert stakeholder.email in response.content.decode()
    assert frequency(stakeholder, product) == Frequency.OFF

    again = client.post(path)
    assert again.status_code == 200
    assert "Already unsubscribed" in again.content.decode()
    assert DigestSubscription.objects.filter(user=stakeholder).count() == 1


def test_an_existing_choice_is_turned_off(client, product, stakeholder):
    services.update_subscription(
        user=stakeholder, product=product, frequency="sprint", weekday=3, hour=7, send_when_quiet=True
    )
    response = client.post(
        reverse("digests:unsubscribe", args=[selectors.unsubscribe_token(stakeholder.pk, product.pk)])
    )
    assert "You are unsubscribed" in response.content.decode()
    row = DigestSubscription.objects.get(user=stakeholder, product=product)
    assert (row.frequency, row.weekday, row.hour) == (Frequency.OFF, 3, 7)


def test_an_unsubscribed_member_is_no_longer_planned(client, product, stakeholder):
    path = link_from_email(stakeholder, product)
    Membership.objects.filter(user=stakeholder).update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    client.post(path)
    monday = datetime.datetime(2030, 1, 7, 9, 0, tzinfo=datetime.UTC)
    assert [due for due in selectors.due_deliveries(monday) if due.user_id == stakeholder.pk] == []
    assert services.plan_due(monday) == 0


def test_rfc_8058_one_click_needs_no_csrf_token(product, stakeholder):
    path = link_from_email(stakeholder, product)
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert frequency(stakeholder, product) == Frequency.OFF


def tampered(token: str) -> list[str]:
    """Every one-character change of the token (a character swapped for another of its alphabet)."""
    variants = []
    for index in (0, len(token) // 2, len(token) - 1, token.index(":") - 1, token.index(":") + 1):
        char = token[index]
        variants.append(token[:index] + ("A" if char != "A" else "B") + token[index + 1 :])
    return variants


def test_a_tampered_token_is_a_400_and_changes_nothing(client, product, stakeholder, other_stakeholder):
    token = selectors.unsubscribe_token(stakeholder.pk, product.pk)
    other_token = selectors.unsubscribe_token(other_stakeholder.pk, product.pk)
    payload, signature = token.split(":")
    other_payload, other_signature = other_token.split(":")
    forged = [
        *tampered(token),
        f"{other_payload}:{signature}",  # someone else's subscription under this signature
        f"{payload}:{other_signature}",
        signing.Signer(salt="backlog.invitation").sign_object([other_stakeholder.pk, product.pk]),
        signing.Signer(
            salt=selectors.UNSUBSCRIBE_SALT, key="another-secret-key-0123456789-abcdefghijklmnopqrst"
        ).sign_object([other_stakeholder.pk, product.pk]),
        signing.Signer(salt=selectors.UNSUBSCRIBE_SALT).sign_object({"user": other_stakeholder.pk}),
        signing.Signer(salt=selectors.UNSUBSCRIBE_SALT).sign_object([str(other_stakeholder.pk), product.pk]),
        "not-a-token",
    ]
    for bad in forged:
        assert bad != token
        url = reverse("digests:unsubscribe", args=[bad])
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 400, (bad, method)
            assert "not valid" in response.content.decode()
    assert DigestSubscription.objects.count() == 0


def test_a_token_for_a_user_or_product_that_no_longer_exists_is_a_400(client, product, stakeholder):
    token = selectors.unsubscribe_token(999_999, product.pk)
    assert client.post(reverse("digests:unsubscribe", args=[token])).status_code == 400
    token = selectors.unsubscribe_token(stakeholder.pk, 999_999)
    assert client.post(reverse("digests:unsubscribe", args=[token])).status_code == 400
    assert DigestSubscription.objects.count() == 0


def test_it_cannot_unsubscribe_anyone_else(client, product, stakeholder, other_stakeholder, second_product, developer):
    for user, chosen in ((other_stakeholder, product), (developer, product), (stakeholder, second_product)):
        services.update_subscription(
            user=user, product=chosen, frequency="weekly", weekday=1, hour=8, send_when_quiet=False
        )
    before = {
        row.pk: (row.frequency, row.weekday, row.hour, row.since, row.updated_at)
        for row in DigestSubscription.objects.all()
    }
    path = link_from_email(stakeholder, product)
    # Logged in as someone else makes no difference: the token names the subscription.
    client.force_login(other_stakeholder)
    response = client.post(path)
    assert response.status_code == 200
    assert stakeholder.email in response.content.decode()

    assert frequency(stakeholder, product) == Frequency.OFF
    after = {
        row.pk: (row.frequency, row.weekday, row.hour, row.since, row.updated_at)
        for row in DigestSubscription.objects.exclude(user=stakeholder, product=product)
    }
    assert after == before


def test_a_former_member_can_still_use_the_link(client, product, po, stakeholder):
    path = link_from_email(stakeholder, product)
    backlog_services.remove_member(membership=Membership.objects.get(user=stakeholder, product=product), by=po)
    response = client.post(path)
    assert response.status_code == 200
    assert "Already unsubscribed" in response.content.decode()


def test_other_methods_are_refused(client, product, stakeholder):
    path = link_from_email(stakeholder, product)
    assert client.put(path).status_code == 405
    assert client.delete(path).status_code == 405
    assert DigestSubscription.objects.count() == 0
