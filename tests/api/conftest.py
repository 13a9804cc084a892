"""Helpers for the API tests: clients acting as a persona, and URLs by name."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Each sign-in hashes a password: the lockout tests make dozens. Real hashing is not what
    # these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def as_user():
    """as_user(user) -> an APIClient authenticated as that user (force_authenticate)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def products_url():
    return reverse("api-product-list")


def product_url(key="SHOP"):
    return reverse("api-product-detail", kwargs={"key": key})


def members_url(key="SHOP"):
    return reverse("api-member-list", kwargs={"key": key})


def member_url(user, key="SHOP"):
    return reverse("api-member-detail", kwargs={"key": key, "user_id": user.pk})


def items_url(key="SHOP"):
    return reverse("api-item-list", kwargs={"key": key})


def item_url(item_or_key, action=""):
    key = getattr(item_or_key, "key", item_or_key)
    name = {"": "api-item-detail", "move": "api-item-move", "restore": "api-item-restore", "notes": "api-note-list"}
    return reverse(name[action], kwargs={"key": key})


def keys_of(response):
    return [row["key"] for row in response.json()["results"]]
