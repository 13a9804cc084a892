"""PostgreSQL stops while API clients are creating and moving items through gunicorn (persistent
connections, as in production), then comes back: while it is gone every answer is a 503 with
Retry-After — never a 500 —, nothing is half-written, and Ordo serves again without a restart."""

from __future__ import annotations

import random
import threading

from tests.faults.conftest import manage, wait_for

SETUP = """
from accounts.models import User
from accounts.services import create_api_token
from backlog import services
po = User.objects.create_user(email="po@example.com", password="not-used-here-42")
product = services.create_product(by=po, key="FAULT", name="Fault")
for n in range(20):
    services.create_item(product=product, by=po, title=f"Item {n}")
print(create_api_token(by=po, name="fault")[1])
"""

CLIENTS = 3


class Clients:
    """API clients in threads, each creating an item, moving one and reading the list, over and
    over, until told to stop; every answer is kept."""

    def __init__(self, server, token: str):
        self.server, self.token = server, token
        self.answers: list[tuple[str, int, dict | None, dict]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(CLIENTS)]

    def _call(self, what: str, method: str, path: str, body=None) -> tuple[int, dict | None]:
        try:
            status, data, headers = self.server.call(method, path, token=self.token, body=body)
        except OSError as error:  # a timeout or a reset: a finding, kept like an answer
            status, data, headers = 0, {"error": repr(error)}, {}
        with self.lock:
            self.answers.append((what, status, data, headers))
        return status, data

    def _run(self, n: int) -> None:
        rng = random.Random(n)
        made = 0
        while not self.stop.is_set():
            made += 1
            self._call("create", "POST", "/api/v1/products/FAULT/items/", {"title": f"Client {n} item {made}"})
            key = f"FAULT-{rng.randint(1, 20)}"
            self._call("move", "POST", f"/api/v1/items/{key}/move/", {"position": rng.randint(1, 25)})
            self._call("list", "GET", "/api/v1/products/FAULT/items/?page_size=50")

    def count(self, status: int, *, after: int = 0) -> int:
        with self.lock:
            return sum(1 for _, got, _, _ in self.answers[after:] if got == status)

    def __len__(self) -> int:
        with self.lock:
            return len(self.answers)


def test_a_database_restart_is_503s_then_service_again_with_nothing_half_written(own_cluster, gunicorn_on):
    token = manage("shell", "-c", SETUP, database_url=own_cluster.url).strip().splitlines()[-1]
    server = gunicorn_on(own_cluster.url, workers=2)
    clients = Clients(server, token)
    for thread in clients.threads:
        thread.start()
    try:
        wait_for(lambda: clients.count(201) >= 10, timeout=60, what="creates before the restart")
        own_cluster.stop()  # with requests in flight
        stopped_at = len(clients)
        wait_for(lambda: clients.count(503, after=stopped_at) >= 10, timeout=60, what="503s while it is down")
        health = server.call("GET", "/healthz", token=token)
        own_cluster.start()
        back_at = len(clients)
        wait_for(lambda: clients.count(201, after=back_at) >= 10, timeout=60, what="creates after it came back")
    finally:
        clients.stop.set()
        for thread in clients.threads:
            thread.join(timeout=60)

    statuses = {status for _, status, _, _ in clients.answers}
    assert statuses <= {200, 201, 503}, f"unexpected answers: {statuses}"  # 0: a timeout or a reset
    unavailable = [(data, headers) for _, status, data, headers in clients.answers if status == 503]
    assert all(data and data["code"] == "database_unavailable" for data, _ in unavailable)
    assert all(int(headers["Retry-After"]) > 0 for _, headers in unavailable)
    assert health[0] == 503 and int(health[2]["Retry-After"]) > 0

    # Nothing half-written: every item has the history of its creation, numbers were handed out
    # once each, ranks are still one strict order, and every 201 the clients got is there.
    created = {data["key"] for what, status, data, _ in clients.answers if what == "create" and status == 201}
    rows = own_cluster.psql(
        "SELECT i.key FROM backlog_item i JOIN backlog_product p ON p.id = i.product_id WHERE p.key = 'FAULT'"
    ).split()
    assert created <= set(rows)
    assert (
        own_cluster.psql(
            "SELECT count(*) FROM backlog_item i WHERE NOT EXISTS (SELECT 1 FROM backlog_historyentry h "
            "WHERE h.item_id = i.id AND h.event = 'backlog.item.created')"
        )
        == "0"
    )
    assert (
        own_cluster.psql(
            "SELECT p.last_item_number = max(i.number) AND count(*) = count(DISTINCT i.number) "
            "FROM backlog_product p JOIN backlog_item i ON i.product_id = p.id WHERE p.key = 'FAULT' GROUP BY p.id"
        )
        == "t"
    )
    assert (
        own_cluster.psql(
            "SELECT count(*) = count(DISTINCT rank) FROM backlog_item i JOIN backlog_product p ON p.id = i.product_id "
            "WHERE p.key = 'FAULT'"
        )
        == "t"
    )
