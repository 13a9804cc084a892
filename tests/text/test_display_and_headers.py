"""User text where it is shown or sent: isolated in <bdi> beside keys and in lists (a
right-to-left override inside a title cannot reorder the key next to it), and made header-safe
in email headers (text stored before the single-line rule cannot break a message)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from backlog import services as backlog_services
from backlog.models import Membership, Product, Role
from config.text import control_characters, header_safe
from digests import services as digest_services
from digests.models import DigestDelivery
from tests.conftest import make_item, make_user

RLO = "\u202e"
SPOOF = f"Invoice {RLO}fdp.exe"


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_title_with_a_right_to_left_override_is_isolated_beside_its_key_on_the_backlog(client, po, product):
    item = make_item(product, title=SPOOF, labels=[f"{RLO}lebal"])
    client.force_login(po)
    html = client.get(reverse("backlog:backlog", args=[product.key])).content.decode()
    assert f'<td class="key"><a href="/items/{item.key}/">{item.key}</a></td>' in html
    assert f'class="title-link"><bdi>{SPOOF}</bdi></a>' in html
    assert f'<span class="label"><bdi>{RLO}lebal</bdi></span>' in html
    assert f"<h1><bdi>{product.name}</bdi> " in html


@pytest.mark.django_db
def test_a_board_card_isolates_its_title(client, po, product, active_sprint):
    sprint_item = active_sprint.sprint_items.select_related("item").first()
    sprint_item.item.title = SPOOF  # written as it was before titles were checked: the page must cope
    sprint_item.item.save(update_fields=["title"])
    client.force_login(po)
    html = client.get(reverse("sprints:sprint-detail", args=[active_sprint.pk])).content.decode()
    assert f'<p class="card-title"><bdi>{SPOOF}</bdi></p>' in html


@pytest.mark.django_db
def test_the_product_list_isolates_names_and_goal_titles(client, po, product):
    Product.objects.filter(pk=product.pk).update(name=SPOOF)
    backlog_services.set_product_goal(product=product, by=po, title=f"Grow {RLO}UE")
    client.force_login(po)
    html = client.get(reverse("backlog:product-list")).content.decode()
    assert f"><bdi>{SPOOF}</bdi></a></th>" in html
    assert f"<td><bdi>Grow {RLO}UE</bdi></td>" in html


# --- Email headers -------------------------------------------------------------------------------


def test_header_safe_text_is_one_line_without_control_characters():
    assert header_safe(" Online\r\nshop\t\x1b  UK\u2028 ") == "Online shop UK"
    assert header_safe(f"Caf\u00e9 {RLO}x") == f"Caf\u00e9 {RLO}x"


@pytest.mark.django_db
def test_a_digest_for_a_product_whose_legacy_name_holds_a_line_break_is_sent_with_clean_headers(po, product):
    # Stored before names refused line breaks: written around the service, as old rows are.
    Product.objects.filter(pk=product.pk).update(name="Online\r\nshop\x1b")
    stakeholder = make_user("stakeholder@example.com")
    Membership.objects.create(product=product, user=stakeholder, role=Role.STAKEHOLDER)
    make_item(product, title="Guest checkout")
    delivery = DigestDelivery.objects.create(
        user=stakeholder, product=product, period="week:2026-W01", kind=DigestDelivery.Kind.WEEKLY
    )

    result = digest_services.deliver(delivery.pk)

    assert result.outcome == "sent"
    headers = dict(mail.outbox[-1].message().items())
    assert headers["List-Id"].startswith("Online shop digest <shop.digest.")
    for name, value in headers.items():
        assert not control_characters(value), f"{name}: {value!r}"
