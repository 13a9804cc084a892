"""The digest pages: a member's preferences (each product with its effective choice, saving,
refusing bad input), "send me a preview now", the browser preview of the email under a sandboxing
CSP, and the failed deliveries on the product owner's settings page."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backlog import services as backlog_services
from backlog.models import Membership, Role
from digests import email, services
from digests.models import DigestDelivery, DigestSubscription, Frequency
from tests.aria import Elements, assert_aria_references_resolve
from tests.conftest import make_items


@pytest.fixture
def bookshop(po, stakeholder):
    """A second product where the stakeholder is a developer and has chosen digests after sprints."""
    product = backlog_services.create_product(by=po, key="BOOK", name="Bookshop")
    Membership.objects.create(product=product, user=stakeholder, role=Role.DEVELOPER)
    services.update_subscription(
        user=stakeholder, product=product, frequency="sprint", weekday=2, hour=16, send_when_quiet=False
    )
    return product


def section(html: str, key: str) -> str:
    match = re.search(rf'<section class="digest-preference" id="digest-{key}".*?</section>', html, re.S)
    assert match, f"no section for {key}"
    return match.group(0)


def checked_frequency(html: str, prefix: str) -> str:
    match = re.search(rf'<input type="radio" name="{prefix}-frequency" value="(\w+)"[^>]*checked', html)
    assert match, html
    return match.group(1)


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\d+)" selected>', select).group(1)


# --- Preferences -----------------------------------------------------------------------------------


def test_the_preferences_page_lists_each_product_with_the_effective_choice(client, product, stakeholder, bookshop):
    client.force_login(stakeholder)
    response = client.get(reverse("digests:preferences"))
    assert response.status_code == 200
    html = response.content.decode()

    shop = section(html, "SHOP")
    assert "Online shop" in shop and "(SHOP, stakeholder)" in shop
    assert "Weekly; the next one Monday" in shop and "09:00" in shop
    assert "That is the default for your role." in shop
    assert checked_frequency(shop, "shop") == "weekly"
    assert selected(shop, "shop-weekday") == "0"
    assert selected(shop, "shop-hour") == "9"

    book = section(html, "BOOK")
    assert "(BOOK, developer)" in book
    assert "After each sprint closes." in book
    assert "default for your role" not in book
    assert checked_frequency(book, "book") == "sprint"
    assert selected(book, "book-weekday") == "2"
    assert selected(book, "book-hour") == "16"
    assert html.index("digest-BOOK") < html.index("digest-SHOP")  # by product key


def test_the_next_digest_is_shown_in_the_members_time_zone(client, product, stakeholder):
    stakeholder.time_zone = "Pacific/Auckland"
    stakeholder.save(update_fields=["time_zone"])
    client.force_login(stakeholder)
    html = section(client.get(reverse("digests:preferences")).content.decode(), "SHOP")
    assert re.search(r"Weekly; the next one Monday \d{1,2} \w{3}, 09:00\.", html), html


def test_a_team_members_default_is_off_and_labelled(client, product, developer):
    client.force_login(developer)
    html = section(client.get(reverse("digests:preferences")).content.decode(), "SHOP")
    assert "Off: you get no digest for this product." in html
    assert "That is the default for your role." in html
    assert checked_frequency(html, "shop") == "off"


def test_someone_without_products_sees_an_empty_page(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("digests:preferences"))
    assert response.status_code == 200
    assert "You are not a member of any product yet." in response.content.decode()


def test_saving_a_valid_form_updates_the_members_row(client, product, stakeholder):
    client.force_login(stakeholder)
    data = {"shop-frequency": "weekly", "shop-weekday": "4", "shop-hour": "17", "shop-send_when_quiet": "on"}
    response = client.post(reverse("digests:preference-update", args=["SHOP"]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("digests:preferences") + "#digest-SHOP"
    row = DigestSubscription.objects.get(user=stakeholder, product=product)
    assert (row.frequency, row.weekday, row.hour, row.send_when_quiet) == ("weekly", 4, 17, True)

    page = client.get(response["Location"]).content.decode()
    assert "Your digest settings for Online shop are saved." in page
    assert "That is the default for your role." not in section(page, "SHOP")
    assert "Weekly; the next one Friday" in section(page, "SHOP")

    client.post(reverse("digests:preference-update", args=["SHOP"]), {**data, "shop-frequency": "off"})
    row.refresh_from_db()
    assert row.frequency == Frequency.OFF


# Tuesday 1 December 2026, 10:00 UTC: week 49, whose Monday digest went out yesterday.
TUESDAY_W49 = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


def test_a_weekday_moved_after_this_weeks_digest_shows_the_week_after_as_next(
    client, product, stakeholder, monkeypatch
):
    """One digest per ISO week: this week's Friday is skipped by the tick, so the page says so."""
    monkeypatch.setattr(timezone, "now", lambda: TUESDAY_W49)
    DigestDelivery.objects.create(
        user=stakeholder, product=product, period="week:2026-W49", kind="weekly", state=DigestDelivery.State.SENT
    )
    client.force_login(stakeholder)
    data = {"shop-frequency": "weekly", "shop-weekday": "4", "shop-hour": "9"}
    page = client.get(client.post(reverse("digests:preference-update", args=["SHOP"]), data)["Location"])

    assert "Weekly; the next one Friday 11 Dec, 09:00." in section(page.content.decode(), "SHOP")


def test_without_a_digest_this_week_the_next_slot_is_this_week(client, product, stakeholder, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: TUESDAY_W49)
    # Last week's and a preview this week do not hold this week's slot.
    for period, kind in (("week:2026-W48", "weekly"), ("preview:2026-12-01T09:00", "preview")):
        DigestDelivery.objects.create(user=stakeholder, product=product, period=period, kind=kind)
    services.update_subscription(
        user=stakeholder, product=product, frequency="weekly", weekday=4, hour=9, send_when_quiet=False
    )
    client.force_login(stakeholder)
    html = section(client.get(reverse("digests:preferences")).content.decode(), "SHOP")
    assert "Weekly; the next one Friday 4 Dec, 09:00." in html


def test_the_preferences_page_runs_the_same_queries_for_one_product_or_many(client, po, product, stakeholder):
    client.force_login(stakeholder)
    counts = []
    for key in ("BOOK", "CAFE", "DELI"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("digests:preferences")).status_code == 200
        counts.append(len(captured))
        other = backlog_services.create_product(by=po, key=key, name=key.title())
        Membership.objects.create(product=other, user=stakeholder, role=Role.STAKEHOLDER)
        DigestDelivery.objects.create(user=stakeholder, product=other, period="week:2026-W01", kind="weekly")
    assert counts[0] == counts[1] == counts[2], counts


@pytest.mark.parametrize(
    ("field", "value"),
    [("hour", "25"), ("hour", "-1"), ("hour", "nine"), ("frequency", "daily"), ("weekday", "7"), ("frequency", "")],
)
def test_invalid_input_is_a_400_naming_the_field_and_nothing_is_saved(client, product, stakeholder, field, value):
    client.force_login(stakeholder)
    data = {"shop-frequency": "weekly", "shop-weekday": "0", "shop-hour": "9", f"shop-{field}": value}
    response = client.post(reverse("digests:preference-update", args=["SHOP"]), data)
    assert response.status_code == 400
    form = next(row["form"] for row in response.context["rows"] if row["preference"].product.key == "SHOP")
    assert set(form.errors) == {field}
    html = section(response.content.decode(), "SHOP")
    assert f'<ul class="errorlist" id="id_shop-{field}_error">' in html
    error_html = str(form[field].errors)
    assert error_html in html
    assert not DigestSubscription.objects.exists()


def test_every_aria_reference_on_the_preferences_page_resolves(client, product, stakeholder, bookshop):
    client.force_login(stakeholder)
    assert_aria_references_resolve(client.get(reverse("digests:preferences")).content.decode())


def test_the_hour_is_described_by_its_help_text(client, product, stakeholder):
    client.force_login(stakeholder)
    page = Elements(client.get(reverse("digests:preferences")).content.decode())
    assert page.described_by(page.by_id["id_shop-hour"]) == ["In your time zone."]


@pytest.mark.parametrize("field", ["frequency", "weekday", "hour"])
def test_every_aria_reference_resolves_when_a_field_is_refused(client, product, stakeholder, field):
    client.force_login(stakeholder)
    data = {"shop-frequency": "weekly", "shop-weekday": "0", "shop-hour": "9", f"shop-{field}": "nonsense"}
    html = client.post(reverse("digests:preference-update", args=["SHOP"]), data).content.decode()
    assert_aria_references_resolve(html)
    page = Elements(html)
    field_or_group = page.by_id[f"id_shop-{field}_0" if field == "frequency" else f"id_shop-{field}"]
    if field == "frequency":
        field_or_group = field_or_group.ancestor("fieldset")
    assert page.text_of(f"id_shop-{field}_error") in page.described_by(field_or_group)


def test_saving_one_product_leaves_the_others_alone(client, product, stakeholder, bookshop):
    client.force_login(stakeholder)
    client.post(
        reverse("digests:preference-update", args=["SHOP"]),
        {"shop-frequency": "off", "shop-weekday": "0", "shop-hour": "9"},
    )
    book = DigestSubscription.objects.get(user=stakeholder, product=bookshop)
    assert (book.frequency, book.weekday, book.hour) == ("sprint", 2, 16)


# --- Send me a preview now -------------------------------------------------------------------------


def test_send_a_preview_emails_the_member_once_a_minute(
    client, product, stakeholder, monkeypatch, django_capture_on_commit_callbacks
):
    make_items(product, 3)
    client.force_login(stakeholder)
    frozen = timezone.now().replace(second=10, microsecond=0)
    monkeypatch.setattr("digests.services.timezone.now", lambda: frozen)
    url = reverse("digests:send-preview", args=["SHOP"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [stakeholder.email]
    assert "Preview" in mail.outbox[0].subject
    assert "PREVIEW of your next digest" in mail.outbox[0].body
    assert "on its way to stakeholder@example.com" in client.get(response["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)
    assert again.status_code == 302
    assert len(mail.outbox) == 1
    assert "less than a minute ago" in client.get(again["Location"]).content.decode()
    (delivery,) = DigestDelivery.objects.filter(user=stakeholder)
    assert (delivery.kind, delivery.state) == ("preview", "sent")

    # A minute later, another preview is another email.
    monkeypatch.setattr(
        "digests.services.timezone.now", lambda: frozen.replace(second=0) + timezone.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(mail.outbox) == 2


def test_a_preview_is_sent_even_to_a_member_whose_digest_is_off(
    client, product, developer, django_capture_on_commit_callbacks
):
    client.force_login(developer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("digests:send-preview", args=["SHOP"]))
    assert [message.to for message in mail.outbox] == [[developer.email]]


def test_send_a_preview_needs_a_post(client, stakeholder):
    client.force_login(stakeholder)
    assert client.get(reverse("digests:send-preview", args=["SHOP"])).status_code == 405
    assert mail.outbox == []


# --- The browser preview ---------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_the_preview_page_is_exactly_the_email_under_a_sandboxing_csp(client, product, po, stakeholder):
    make_items(product, 4)
    backlog_services.set_product_goal(product=product, by=po, title="Sell more", description="**Why**: growth")
    client.force_login(stakeholder)

    response = client.get(reverse("digests:preview", args=["SHOP"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    delivery = DigestDelivery(user=stakeholder, product=product, period="preview", kind=DigestDelivery.Kind.WEEKLY)
    message = email.compose(email.digest_data(stakeholder, product), delivery)
    assert response.content.decode() == message.alternatives[0][0]
    assert not DigestDelivery.objects.exists(), "looking at the preview is not a delivery"

    csp = csp_directives(response)
    assert "sandbox" in csp
    assert "allow-scripts" not in csp["sandbox"] and "allow-same-origin" not in csp["sandbox"]
    assert csp.get("script-src", csp.get("default-src")) == ["'none'"]
    assert csp["default-src"] == ["'none'"]
    assert csp["img-src"] == ["'none'"]
    assert not any("nonce" in value or "unsafe" in value for value in csp.get("script-src", []))

    text = client.get(reverse("digests:preview", args=["SHOP"]) + "?format=text")
    assert text.status_code == 200
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode() == message.body


def test_a_sprint_subscriber_previews_the_sprint_kind(client, product, stakeholder):
    services.update_subscription(
        user=stakeholder, product=product, frequency="sprint", weekday=0, hour=9, send_when_quiet=False
    )
    client.force_login(stakeholder)
    response = client.get(reverse("digests:preview", args=["SHOP"]))
    assert response.status_code == 200
    assert "This is a preview of your next digest" not in response.content.decode()


def test_the_site_csp_elsewhere_is_unchanged(client, stakeholder):
    client.force_login(stakeholder)
    csp = csp_directives(client.get(reverse("digests:preferences")))
    assert "sandbox" not in csp
    assert csp["script-src"] == ["'self'"]


# --- The product owner's settings page -------------------------------------------------------------


def test_the_owner_sees_failed_deliveries_on_the_settings_page(client, product, po, stakeholder, developer):
    DigestDelivery.objects.create(
        user=stakeholder,
        product=product,
        period="week:2026-W40",
        kind=DigestDelivery.Kind.WEEKLY,
        state=DigestDelivery.State.FAILED,
        attempts=5,
        error="550 5.1.1 <stakeholder@example.com>: mailbox unavailable",
    )
    DigestDelivery.objects.create(
        user=developer, product=product, period="week:2026-W41", kind="weekly", state=DigestDelivery.State.SENT
    )
    client.force_login(po)
    response = client.get(reverse("backlog:product-settings", args=["SHOP"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Digests that could not be delivered" in html
    assert "stakeholder@example.com" in html
    assert "week:2026-W40" in html
    assert "550 5.1.1 &lt;stakeholder@example.com&gt;: mailbox unavailable" in html
    assert "week:2026-W41" not in html
    assert "dev@example.com" not in html.split("Digests that could not be delivered")[1]


def test_with_no_failures_the_owner_is_told_so(client, product, po):
    client.force_login(po)
    html = client.get(reverse("backlog:product-settings", args=["SHOP"])).content.decode()
    assert "None: every digest so far was delivered" in html


@pytest.mark.parametrize("persona", ["stakeholder", "developer", "scrum_master"])
def test_only_the_owner_reaches_the_settings_page(client, product, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("backlog:product-settings", args=["SHOP"])).status_code == 403
