"""`make load`: Ordo under load, as in production — gunicorn (config/gunicorn.py, two sync
workers, persistent connections) on PostgreSQL — with a realistic mix of people, at rising
concurrency until the median latency has doubled. Prints throughput, median and p99 latency and
errors per step, the single-client latency per page, and where the backlog page spends its time.

Loopback only, bounded in time (each step STEP_SECONDS; two steps past the point where the
median doubled, at most MAX_CLIENTS clients), and it stops by itself. It runs on its own
database, `ordo_load` (or LOAD_DATABASE_URL), which it empties and fills with the demo data plus
filler items at the start of every run.

The mix, per request: product owners read the backlog page (30%) and rank items (10%), the team
reads the sprint board (20%), stakeholders read item pages (20%), and API clients list the
backlog (20%).
"""

from __future__ import annotations

import cProfile
import http.client
import json
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ordo_load"
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "8"))
WARMUP_SECONDS = 1.5
CLIENT_STEPS = (1, 2, 4, 8, 16, 32)
MAX_CLIENTS = CLIENT_STEPS[-1]
OVERLOAD_STEPS = 2
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))
OPEN_ITEMS = 100  # the backlog page shows 100 rows
MIX = (("backlog page", 30), ("rank an item", 10), ("sprint board", 20), ("item page", 20), ("API item list", 20))


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The database and the people ----------------------------------------------------------------


def environment(url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or "load-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_HTTPS="0",
        DJANGO_MANIFEST_STATIC="0",
        EMAIL_URL="console://",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def fresh_database(url: str) -> None:
    """Drop and create the load database: every run measures the same data."""
    from bench.database import on_the_server

    on_the_server(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}")


def setup_django(url: str) -> None:
    os.environ.update(environment(url))
    import django

    django.setup()


@dataclass
class People:
    """Who the simulated clients are: session cookies for the pages, a token for the API."""

    sessions: dict[str, str]
    token: str
    product: str
    item_keys: list[str]
    sprint_id: int


def seed(url: str) -> People:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.models import User
    from accounts.services import create_api_token
    from backlog import selectors, services
    from backlog.models import Product
    from sprints.models import Sprint

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", allow_demo_users=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    product = Product.objects.get(key="SHOP")
    po = User.objects.get(email="po@example.com")
    rng = random.Random(7)
    words = [
        "checkout",
        "basket",
        "payment",
        "refund",
        "invoice",
        "search",
        "filter",
        "review",
        "rating",
        "coupon",
        "shipping",
        "returns",
    ]
    while selectors.live_count(product) < OPEN_ITEMS + 10:
        services.create_item(
            product=product,
            by=po,
            title=" ".join(rng.choices(words, k=4)).capitalize(),
            estimate=rng.choice([None, 1, 2, 3, 5, 8]),
        )
    sessions = {}
    for role, email in (
        ("po", "po@example.com"),
        ("dev", "dev@example.com"),
        ("stakeholder", "stakeholder@example.com"),
    ):
        user = User.objects.get(email=email)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[role] = store.session_key
    assert settings.SESSION_COOKIE_NAME == "sessionid"
    sprint = Sprint.objects.get(product=product, status=Sprint.Status.ACTIVE)
    keys = list(selectors.backlog_items(product).values_list("key", flat=True)[:OPEN_ITEMS])
    return People(sessions, create_api_token(by=po, name="load")[1], product.key, keys, sprint.pk)


# --- The server -------------------------------------------------------------------------------------


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    log(f"gunicorn with {WORKERS} workers on 127.0.0.1:{port}")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "config/gunicorn.py",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env={**environment(url), "DJANGO_CONN_MAX_AGE": "60"},
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "load-gunicorn.log", "wb"),  # noqa: SIM115 - lives as long as the server
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not answer /healthz within 30 s (see var/load-gunicorn.log)")


def request(port: int, method: str, path: str, *, headers=None, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- The clients ------------------------------------------------------------------------------------


@dataclass
class Sample:
    action: str
    seconds: float
    ok: bool


@dataclass
class Step:
    clients: int
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds

    def latency_ms(self, quantile: float) -> float:
        times = sorted(s.seconds for s in self.samples)
        return 1000 * times[min(int(quantile * len(times)), len(times) - 1)]

    @property
    def errors(self) -> int:
        return sum(not s.ok for s in self.samples)


def act(port: int, people: People, action: str, rng: random.Random) -> bool:
    page = {"Cookie": ""}
    if action == "backlog page":
        page["Cookie"] = f"sessionid={people.sessions['po']}"
        status, _ = request(port, "GET", f"/p/{people.product}/", headers=page)
        return status == 200
    if action == "sprint board":
        page["Cookie"] = f"sessionid={people.sessions['dev']}"
        status, _ = request(port, "GET", f"/sprints/{people.sprint_id}/", headers=page)
        return status == 200
    if action == "item page":
        page["Cookie"] = f"sessionid={people.sessions['stakeholder']}"
        status, _ = request(port, "GET", f"/items/{rng.choice(people.item_keys)}/", headers=page)
        return status == 200
    api = {"Authorization": f"Token {people.token}", "Content-Type": "application/json"}
    if action == "rank an item":
        body = json.dumps({"position": rng.randint(1, len(people.item_keys))}).encode()
        status, _ = request(port, "POST", f"/api/v1/items/{rng.choice(people.item_keys)}/move/", headers=api, body=body)
        return status == 200
    status, _ = request(port, "GET", f"/api/v1/products/{people.product}/items/?page_size=50", headers=api)
    return status == 200


def run_step(port: int, people: People, clients: int) -> Step:
    step = Step(clients)
    actions = [name for name, weight in MIX for _ in range(weight)]
    stop, measuring = threading.Event(), threading.Event()
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            action = rng.choice(actions)
            started = time.perf_counter()
            try:
                ok = act(port, people, action, rng)
            except OSError:
                ok = False
            took = time.perf_counter() - started
            if measuring.is_set() and not stop.is_set():
                with lock:
                    step.samples.append(Sample(action, took, ok))

    threads = [threading.Thread(target=client, args=(clients * 100 + n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(WARMUP_SECONDS)
    measuring.set()
    began = time.perf_counter()
    time.sleep(STEP_SECONDS)
    stop.set()
    step.seconds = time.perf_counter() - began
    for thread in threads:
        thread.join(timeout=60)
    return step


def single_client_pages(port: int, people: People, rounds: int = 25) -> list[tuple[str, float]]:
    rng = random.Random(1)
    medians = []
    for action, _weight in MIX:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            act(port, people, action, rng)
            times.append(time.perf_counter() - started)
        medians.append((action, 1000 * statistics.median(times)))
    return medians


# --- Where the backlog page spends its time -------------------------------------------------------


def profile_backlog_page(people: People, rounds: int = 30) -> list[str]:
    """The backlog page of 100 rows rendered in this process: its median time, and the shares
    spent rendering templates and waiting for the database (cumulative times from cProfile)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="po@example.com"))
    url = f"/p/{people.product}/"
    for _ in range(3):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)

    def cumulative(path_end: str, name: str) -> float:
        return sum(row[3] for key, row in stats.stats.items() if key[0].endswith(path_end) and key[2] == name)

    total = cumulative("backlog/views/items.py", "backlog")
    templates = cumulative("django/shortcuts.py", "render")
    database = sum(row[2] for key, row in stats.stats.items() if "psycopg2.extensions.cursor" in key[2])
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries.captured_queries)
    return [
        f"The backlog page (100 rows), rendered in-process: median {1000 * statistics.median(times):.1f} ms over "
        f"{rounds} requests, {count} queries; of the view's time (profiled) {100 * templates / total:.0f}% is "
        f"template rendering and {100 * database / total:.0f}% waiting for PostgreSQL.",
    ]


# --- The run ------------------------------------------------------------------------------------------


def main() -> int:
    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL)
    started = time.monotonic()
    (ROOT / "var").mkdir(exist_ok=True)
    log(f"fresh database {url.rsplit('/', 1)[-1]}")
    fresh_database(url)
    setup_django(url)
    people = seed(url)
    port = free_port()
    server = start_gunicorn(url, port)
    try:
        log("single-client latency per page")
        pages = single_client_pages(port, people)
        steps: list[Step] = []
        knee = None  # the first step whose median is twice the single client's
        for clients in CLIENT_STEPS:
            log(f"{clients} client{'s' if clients > 1 else ''} for {STEP_SECONDS:g} s")
            step = run_step(port, people, clients)
            steps.append(step)
            if knee is None and step.latency_ms(0.5) > 2 * steps[0].latency_ms(0.5):
                knee = step
            # Past the knee, OVERLOAD_STEPS more say what overload does (queueing, not errors).
            if knee is not None and len(steps) - steps.index(knee) > OVERLOAD_STEPS:
                break
    finally:
        server.terminate()
        server.wait(timeout=30)
    notes = profile_backlog_page(people)
    print()
    print(f"Load: gunicorn, {WORKERS} sync workers, PostgreSQL, loopback; {STEP_SECONDS:g} s a step")
    print()
    rows = [("Clients", "Requests/s", "Median ms", "p99 ms", "Errors")]
    rows += [
        (str(s.clients), f"{s.throughput:.1f}", f"{s.latency_ms(0.5):.1f}", f"{s.latency_ms(0.99):.1f}", str(s.errors))
        for s in steps
    ]
    widths = [max(len(row[n]) for row in rows) for n in range(5)]
    for index, row in enumerate(rows):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print()
    if knee is None:
        print(f"The median had not doubled at {steps[-1].clients} clients.")
    else:
        below = steps[: steps.index(knee)]
        print(
            f"The median doubled at {knee.clients} clients, after {max(s.throughput for s in below):.1f} requests/s. "
            f"Errors below that point: {sum(s.errors for s in below)}; at it and beyond "
            f"(up to {steps[-1].clients} clients): {sum(s.errors for s in steps[len(below) :])}."
        )
    print()
    print("One client, median per page:")
    for action, ms in pages:
        print(f"  {action:<16} {ms:6.1f} ms")
    print()
    for note in notes:
        print(note)
    print(f"Total load time {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
