"""A request body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused before any view reads it: a 400
in the API's JSON shape, or Ordo's page saying so, never Django's bare page; nothing is saved."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from backlog.models import Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_uploads(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000


def test_the_api_answers_a_body_over_the_upload_limit_with_a_json_400(po, product, small_uploads):
    client = APIClient()
    client.force_authenticate(po)
    body = json.dumps({"title": "Big", "description": "x" * 20_000})
    response = client.post(reverse("api-item-list", kwargs={"key": product.key}), body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"
    assert not Item.objects.exists()


def test_a_form_post_over_the_upload_limit_gets_a_page_that_says_so(client, po, product, small_uploads):
    client.force_login(po)
    data = urlencode({"title": "Big", "kind": "story", "status": "new", "description": "x" * 20_000})
    response = client.post(
        reverse("backlog:item-create", kwargs={"key": product.key}),
        data,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "larger than Ordo accepts" in response.content.decode()
    assert not Item.objects.exists()
