"""Every model is browsable in the admin; domain models and tokens are read-only there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.models import ApiToken, OutboxMessage, User
from accounts.services import create_api_token
from backlog import services
from backlog.models import HistoryEntry, Invitation, Item, Label, Membership, Product, ProductGoal, RefinementNote
from tests.conftest import make_item

pytestmark = pytest.mark.django_db

MODELS = [
    User,
    ApiToken,
    OutboxMessage,
    Product,
    ProductGoal,
    Membership,
    Invitation,
    Label,
    Item,
    RefinementNote,
    HistoryEntry,
]
# Every model of Ordo's own apps, so that a new model cannot land without an admin page.
ALL_MODELS = [model for app in ("accounts", "backlog", "sprints") for model in apps.get_app_config(app).get_models()]


@pytest.fixture
def staff_client(client, db):
    boss = User.objects.create_superuser(email="admin@example.com", password="x-admin-pass-42")
    client.force_login(boss)
    return client


@pytest.fixture
def a_bit_of_everything(po, product):
    create_api_token(by=po, name="script")
    item = make_item(product, labels=["checkout"])
    services.add_refinement_note(item=item, by=po, body="Ask *why*.")
    services.set_product_goal(product=product, by=po, title="Checkout in one minute")
    services.invite_member(product=product, by=po, email="newbie@example.com", role="developer")


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_model_is_registered(model):
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_list_and_detail_page_opens(staff_client, a_bit_of_everything, model):
    opts = model._meta
    changelist = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.first()
    detail = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert detail.status_code == 200


@pytest.mark.parametrize(
    "model", [ApiToken, OutboxMessage, Product, Membership, Invitation, Label, Item, RefinementNote, HistoryEntry]
)
def test_domain_models_cannot_be_added_in_the_admin(staff_client, model):
    opts = model._meta
    assert staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403


def test_the_token_admin_shows_the_prefix_not_the_digest(staff_client, po):
    token, _ = create_api_token(by=po, name="script")
    body = staff_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert token.prefix in body
    assert token.digest not in body


def test_the_outbox_admin_does_not_show_the_text_of_an_email(staff_client, a_bit_of_everything):
    message = OutboxMessage.objects.get()
    body = staff_client.get(reverse("admin:accounts_outboxmessage_change", args=[message.pk])).content.decode()
    assert message.to in body
    assert "/invitations/" in message.body and "/invitations/" not in body


def test_an_admin_adds_a_user_by_email(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New@Example.com",
            "display_name": "New",
            "password1": "x-strong-pass-42",
            "password2": "x-strong-pass-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").check_password("x-strong-pass-42")
