"""Four API clients make 500 random moves and edits each on one backlog at the same time, each on
its own database connection (PostgreSQL: real row locks and a real ranking lock). At the end the
backlog is one strict total order, every refused stale edit was a 412, no accepted edit was lost,
and nothing answered 5xx."""

from __future__ import annotations

import itertools
import random
import threading
from collections import defaultdict

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.services import create_api_token
from backlog.models import Item
from tests.conftest import make_items

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]

CLIENTS, ACTIONS, ITEMS = 4, 500, 40


class Client:
    """One API client: its own HTTP client, what it believes each item's version is, and a record
    of every answer."""

    def __init__(self, token: str, keys: list[str], seed: int):
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.keys, self.rng, self.seed = keys, random.Random(seed), seed
        self.seen: dict[str, int] = {}
        self.statuses: list[int] = []
        self.accepted: list[tuple[str, str, object, int]] = []  # key, field, value, version it made
        self.refused = 0

    def run(self) -> None:
        try:
            for step in range(ACTIONS):
                if self.rng.random() < 0.5:
                    self.move()
                else:
                    self.edit(step)
        finally:
            connection.close()

    def move(self) -> None:
        key, anchor = self.rng.sample(self.keys, 2)
        kind = self.rng.choice(["after", "before", "position"])
        body = {"position": self.rng.randint(1, ITEMS + 3)} if kind == "position" else {kind: anchor}
        response = self.api.post(f"/api/v1/items/{key}/move/", body, format="json")
        self.statuses.append(response.status_code)

    def edit(self, step: int) -> None:
        key = self.rng.choice(self.keys)
        if key not in self.seen:
            read = self.api.get(f"/api/v1/items/{key}/")
            self.statuses.append(read.status_code)
            self.seen[key] = read.json()["version"]
        field, value = (
            ("title", f"Edited by {self.seed} at {step}")
            if self.rng.random() < 0.5
            else ("estimate", self.rng.choice([1, 2, 3, 5, 8, 13]))
        )
        sent = self.seen[key]
        response = self.api.patch(f"/api/v1/items/{key}/", {field: value}, format="json", HTTP_IF_MATCH=f'"{sent}"')
        self.statuses.append(response.status_code)
        if response.status_code == 200:
            version = response.json()["version"]
            if version == sent:  # the field had that value already: nothing changed, nothing bumped
                assert response.json()[field] == value
            else:
                assert version == sent + 1, f"{key}: accepted with If-Match {sent}, now {version}"
                self.accepted.append((key, field, value, version))
            self.seen[key] = version
        elif response.status_code == 412:
            self.refused += 1
            self.seen[key] = response.json()["version"]  # the item as it is now: merge and go on


def test_four_clients_moving_and_editing_at_once_lose_nothing(on_postgres, product, po):
    keys = [item.key for item in make_items(product, ITEMS)]
    token = create_api_token(by=po, name="load")[1]
    clients = [Client(token, keys, seed) for seed in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)
    errors: list[BaseException] = []

    def run(client: Client) -> None:
        try:
            barrier.wait(timeout=30)
            client.run()
        except BaseException as error:  # every error is a finding
            errors.append(error)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=200)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    assert not errors, errors

    statuses = [status for client in clients for status in client.statuses]
    assert set(statuses) <= {200, 412}, sorted(set(statuses))
    assert sum(client.refused for client in clients) > 0, "no edit ever collided: the test proved nothing"

    # One strict total order, every item still there.
    rows = list(Item.objects.filter(product=product).order_by("rank").values_list("key", "rank"))
    assert sorted(key for key, _ in rows) == sorted(keys)
    assert all(a < b for (_, a), (_, b) in itertools.pairwise(rows))
    listed = APIClient()
    listed.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    page = listed.get("/api/v1/products/SHOP/items/?page_size=200").json()["results"]
    assert [row["position"] for row in page] == list(range(1, ITEMS + 1))
    assert [row["key"] for row in page] == [key for key, _ in rows]

    # No lost edit: each field holds the value of the accepted edit that came last (the highest
    # version that set it), and each item's version counts every accepted edit.
    last: dict[tuple[str, str], tuple[int, object]] = {}
    edits = defaultdict(int)
    for client in clients:
        for key, field, value, version in client.accepted:
            edits[key] += 1
            if version > last.get((key, field), (0, None))[0]:
                last[(key, field)] = (version, value)
    final = {item.key: item for item in Item.objects.filter(product=product)}
    for (key, field), (_, value) in last.items():
        assert getattr(final[key], field) == value, f"{key}.{field}: an accepted edit was lost"
    for key, count in edits.items():
        assert final[key].version == 1 + count, f"{key}: {count} accepted edits, version {final[key].version}"
