"""The people and the product the door tests write into, with an API token and a signed-in
browserless client for each of them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import create_api_token
from backlog import services
from backlog.models import Membership, Role
from tests.browser.conftest import browser, signed_in  # noqa: F401 - the shared browser fixtures
from tests.conftest import make_user


@dataclass
class DoorWorld:
    product: object
    users: dict
    tokens: dict = field(default_factory=dict)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _clients: dict = field(default_factory=dict)

    @property
    def po(self):
        return self.users["product_owner"]

    def api(self, persona: str | None) -> APIClient:
        """An API client authenticated by the persona's token (anonymous for None)."""
        key = ("api", persona)
        if key not in self._clients:
            client = APIClient()
            if persona is not None:
                client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[persona]}")
            self._clients[key] = client
        return self._clients[key]

    def html(self, persona: str | None) -> Client:
        """A test client signed in as the persona (anonymous for None)."""
        key = ("html", persona)
        if key not in self._clients:
            client = Client()
            if persona is not None:
                client.force_login(self.users[persona])
            self._clients[key] = client
        return self._clients[key]

    def next_number(self) -> int:
        return next(self.counter)


@pytest.fixture
def door_world(db) -> DoorWorld:
    po = make_user("po@example.com", display_name="Paula Owner")
    product = services.create_product(by=po, key="SHOP", name="Shop", vision="Sell things.")
    users = {"product_owner": po}
    for role in (Role.SCRUM_MASTER, Role.DEVELOPER, Role.STAKEHOLDER):
        users[str(role)] = make_user(f"{role}@example.com")
        Membership.objects.create(product=product, user=users[str(role)], role=role)
    world = DoorWorld(product, users)
    for persona, user in users.items():
        world.tokens[persona] = create_api_token(by=user, name="hostile")[1]
    return world
