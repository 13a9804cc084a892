"""The measurements behind the `make bench` table. Needs Django set up on PostgreSQL."""

from __future__ import annotations

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from backlog import selectors, services
from backlog.models import HistoryEntry, Item, Product

from .data import build_product, make_owner, make_token, stamp

ROOT = Path(__file__).resolve().parent.parent
Row = tuple[str, str, str, str, str, str]

SMALL, LARGE = 100, 10_000
TIMED_PAIRS, SMALL_MOVES, LARGE_MOVES, POSITION_TWO_MOVES = 1_200, 1_000, 10_000, 1_000
PAGE_SAMPLES = 15
API_ROUNDS, API_REQUESTS_PER_ROUND, API_CLIENTS = 3, 240, 4


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "ok" if ok else "over"


# --- Rows written, from PostgreSQL's statistics ---------------------------------------------------


def items_rows_written() -> int:
    """Rows inserted plus rows updated in the items table so far, by every backend. Statistics
    are flushed with a delay: force this backend's flush and read until the number settles."""
    table = Item._meta.db_table
    last = None
    for _ in range(50):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = %s", [table])
            now = cursor.fetchone()[0]
        if now == last:
            return now
        last = now
        time.sleep(0.2)
    return last


# --- Moves ---------------------------------------------------------------------------------------


MOVE_KINDS = ("after", "before", "position")


def random_move(rng: random.Random, items: list[Item], product: Product, by, kind: str = "") -> services.MoveResult:
    item, target = rng.sample(items, 2)
    kind = kind or rng.choice(MOVE_KINDS)
    # As in a request: the role is looked up again (the policy caches it on the product).
    product.__dict__.pop("_role_cache", None)
    if kind == "position":
        return services.move_item(item=item, by=by, position=rng.randint(1, len(items) + 1))
    return services.move_item(item=item, by=by, **{kind: target})


def loaded_items(product: Product) -> list[Item]:
    items = list(Item.objects.filter(product=product))
    for item in items:
        item.product = product
    return items


def move_times(small: Product, large: Product, by, pairs: int, seed: int) -> dict:
    """Median time of a random move plus the position shown to the user afterwards, on both
    backlogs, alternating one move on each so that both see the same load on the machine."""
    rng = random.Random(seed)
    backlogs = [(small, loaded_items(small)), (large, loaded_items(large))]
    times: list[list[tuple[str, float]]] = [[], []]
    for n in range(pairs + 20):
        kind = rng.choice(MOVE_KINDS)
        for side, (product, items) in enumerate(backlogs):
            started = time.perf_counter()
            result = random_move(rng, items, product, by, kind)
            selectors.position_of(result.item)
            if n >= 20:  # the first rounds warm caches and connections
                times[side].append((kind, time.perf_counter() - started))

    def median_ms(side: int, kinds=MOVE_KINDS) -> float:
        return statistics.median(seconds for kind, seconds in times[side] if kind in kinds) * 1000

    return {
        "small_ms": median_ms(0),
        "large_ms": median_ms(1),
        "by_kind": {kind: (median_ms(0, (kind,)), median_ms(1, (kind,))) for kind in MOVE_KINDS},
    }


def rows_per_random_move(product: Product, by, count: int, seed: int) -> dict:
    """Rows of the items table written per random move that moved, over `count` moves."""
    rng = random.Random(seed)
    items = loaded_items(product)
    before = items_rows_written()
    moved = sum(random_move(rng, items, product, by).moved for _ in range(count))
    return {"rows_per_move": (items_rows_written() - before) / moved, "moved": moved}


def moves_to_position_two(product: Product, by, count: int, seed: int) -> dict:
    """`count` moves of random items to position 2: the pattern that grows keys fastest."""
    rng = random.Random(seed)
    items = loaded_items(product)
    first_history = HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = items_rows_written()
    moved = 0
    for _ in range(count):
        moved += services.move_item(item=rng.choice(items), by=by, position=2).moved
    written = items_rows_written() - before
    respaced = list(
        HistoryEntry.objects.filter(
            product=product, pk__gt=first_history, event="backlog.item.moved", data__respaced__gt=0
        ).values_list("data__respaced", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(length(rank)) FROM {Item._meta.db_table} WHERE product_id = %s", [product.pk])
        longest = cursor.fetchone()[0]
    return {"rows_per_move": written / moved, "moved": moved, "longest": longest, "respacings": respaced}


# --- Backlog page --------------------------------------------------------------------------------


def backlog_page(product: Product, user) -> dict | None:
    """Median server time and query count of the backlog page; None while the page does not exist."""
    try:
        url = reverse("backlog:backlog", args=[product.key])
    except NoReverseMatch:
        return None
    client = Client()
    client.force_login(user)
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
    times = []
    for _ in range(PAGE_SAMPLES):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {"median_ms": statistics.median(times) * 1000, "queries": len(queries)}


# --- Items API under gunicorn --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, secret: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Token {secret}", "Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def throughput(port: int, path: str, secret: str, requests: int) -> float:
    """Requests a second for `requests` GETs from API_CLIENTS threads; every answer must be 200."""
    failures: list[str] = []

    def client(share: int) -> None:
        for _ in range(share):
            status, _ = get(port, path, secret)
            if status != 200:
                failures.append(f"{path} answered {status}")

    threads = [threading.Thread(target=client, args=(requests // API_CLIENTS,)) for _ in range(API_CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert not failures, failures[0]
    return requests // API_CLIENTS * API_CLIENTS / elapsed


def api_throughput(product: Product, user, log: Callable[[str], None]) -> dict | None:
    """Items API (first page of 50) against the plain view, alternating rounds on one gunicorn
    with 2 workers; None while the API does not list items yet."""
    secret = make_token(user)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "--chdir", str(ROOT)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        cwd=ROOT,
    )
    api = f"/api/v1/products/{product.key}/items/"
    plain = f"/bench/plain/{product.key}/items/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(port, plain, secret)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        assert status == 200, f"the plain view answered {status}"
        status, _ = get(port, api, secret)
        if status == 404:
            return None
        assert status == 200, f"{api} answered {status}"
        for path in (api, plain):  # warm both workers
            throughput(port, path, secret, 40)
        rates: dict[str, list[float]] = {"api": [], "plain": []}
        for n in range(API_ROUNDS):
            log(f"API round {n + 1} of {API_ROUNDS}")
            rates["plain"].append(throughput(port, plain, secret, API_REQUESTS_PER_ROUND))
            rates["api"].append(throughput(port, api, secret, API_REQUESTS_PER_ROUND))
        return {name: statistics.median(values) for name, values in rates.items()}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- The table -----------------------------------------------------------------------------------


def run(log: Callable[[str], None]) -> tuple[list[Row], list[str]]:
    """Every measurement, in order; a section that fails (the tree is young) is reported as an
    error row and the others still run."""
    rows: list[Row] = []
    notes: list[str] = []
    tag = stamp()
    owner = make_owner(tag)
    log(f"building backlogs of {SMALL} and {LARGE:,} items")
    small = build_product(owner=owner, key=f"S{tag}", count=SMALL, seed=1)
    large = build_product(owner=owner, key=f"L{tag}", count=LARGE, seed=2)
    position_two = build_product(owner=owner, key=f"P{tag}", count=LARGE, seed=3)
    sections = [
        ("Moves", lambda: move_rows(small, large, position_two, owner, log)),
        ("Backlog page", lambda: page_rows(small, large, owner, log)),
        ("Items API", lambda: api_rows(large, owner, log)),
    ]
    for name, section in sections:
        started = time.monotonic()
        try:
            section_rows, section_notes = section()
        except Exception as error:  # report and go on: one broken page must not hide the rest
            section_rows = [(name, "", "", "error", "", "over")]
            section_notes = [f"{name} failed: {type(error).__name__}: {error}"]
        for row in section_rows:
            log(" | ".join(row))
        log(f"{name}: {time.monotonic() - started:.0f} s")
        rows += section_rows
        notes += section_notes
    notes.append(
        f"PostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}; "
        f"products S{tag}, L{tag}, P{tag}."
    )
    return rows, notes


def move_rows(small: Product, large: Product, position_two: Product, owner, log) -> tuple[list[Row], list[str]]:
    log(f"{TIMED_PAIRS:,} timed random moves on each of {SMALL} and {LARGE:,} items, alternating")
    times = move_times(small, large, owner, TIMED_PAIRS, seed=11)
    log(f"{SMALL_MOVES:,} random moves on {SMALL} items, rows written")
    written_small = rows_per_random_move(small, owner, SMALL_MOVES, seed=12)
    log(f"{LARGE_MOVES:,} random moves on {LARGE:,} items, rows written")
    written_large = rows_per_random_move(large, owner, LARGE_MOVES, seed=13)
    log(f"{POSITION_TWO_MOVES:,} moves to position 2 on {LARGE:,} items")
    hot = moves_to_position_two(position_two, owner, POSITION_TWO_MOVES, seed=14)
    ratio = times["large_ms"] / times["small_ms"]
    rows: list[Row] = [
        (
            "Move + position shown, median",
            f"{times['small_ms']:.2f} ms",
            f"{times['large_ms']:.2f} ms",
            f"{ratio:.2f}x",
            "<= 1.20x",
            verdict(ratio <= 1.2),
        ),
        (
            "Items rows written per move, random",
            f"{written_small['rows_per_move']:.3f}",
            f"{written_large['rows_per_move']:.3f}",
            f"{written_large['rows_per_move']:.3f}",
            "<= 1.02",
            verdict(written_large["rows_per_move"] <= 1.02),
        ),
        (
            f"Items rows written per move, {POSITION_TWO_MOVES:,} to position 2",
            "",
            f"{hot['rows_per_move']:.3f}",
            f"{hot['rows_per_move']:.3f}",
            "<= 1.02",
            verdict(hot["rows_per_move"] <= 1.02),
        ),
        (
            "Longest key after the position-2 moves",
            "",
            f"{hot['longest']} chars",
            f"{hot['longest']}",
            "<= 48",
            verdict(hot["longest"] <= 48),
        ),
    ]
    by_kind = ", ".join(
        f"{kind} {small_ms:.1f} / {large_ms:.1f} ms" for kind, (small_ms, large_ms) in times["by_kind"].items()
    )
    notes = [
        f"Move times: medians of {TIMED_PAIRS:,} random moves (after, before, to a position) on each backlog, "
        f"one on each in turn, each with position_of() afterwards. By kind (100 / 10,000 items): {by_kind}.",
        f"Rows written: pg_stat_user_tables (n_tup_ins + n_tup_upd of {Item._meta.db_table}) around "
        f"{SMALL_MOVES:,} random moves on {SMALL} items ({written_small['moved']:,} moved) and {LARGE_MOVES:,} on "
        f"{LARGE:,} items ({written_large['moved']:,} moved); position 2: {hot['moved']:,} moved, "
        f"{len(hot['respacings'])} window respacings rewriting {sum(hot['respacings'])} neighbours in all.",
    ]
    return rows, notes


def page_rows(small: Product, large: Product, owner, log) -> tuple[list[Row], list[str]]:
    log("backlog page")
    page_small, page_large = backlog_page(small, owner), backlog_page(large, owner)
    if page_small is None or page_large is None:
        return [("Backlog page, median server time", "-", "-", "-", "<= 1.30x", "n/a")], [
            "The backlog page (backlog:backlog) does not exist yet: not measured."
        ]
    page_ratio = page_large["median_ms"] / page_small["median_ms"]
    same = page_small["queries"] == page_large["queries"]
    rows: list[Row] = [
        (
            "Backlog page, median server time",
            f"{page_small['median_ms']:.1f} ms",
            f"{page_large['median_ms']:.1f} ms",
            f"{page_ratio:.2f}x",
            "<= 1.30x",
            verdict(page_ratio <= 1.3),
        ),
        (
            "Backlog page, queries",
            str(page_small["queries"]),
            str(page_large["queries"]),
            "same" if same else "differ",
            "same",
            verdict(same),
        ),
    ]
    return rows, [f"Backlog page: median of {PAGE_SAMPLES} requests through Django's test client, logged in."]


def api_rows(large: Product, owner, log) -> tuple[list[Row], list[str]]:
    log("items API under gunicorn (2 workers)")
    rates = api_throughput(large, owner, log)
    if rates is None:
        return [("Items API vs plain view, 50 a page", "", "-", "-", ">= 0.40", "n/a")], [
            "The items API (/api/v1/products/<KEY>/items/) does not exist yet: not measured."
        ]
    api_ratio = rates["api"] / rates["plain"]
    row: Row = (
        "Items API vs plain view, 50 a page",
        "",
        f"{rates['api']:.0f} vs {rates['plain']:.0f} req/s",
        f"{api_ratio:.2f}",
        ">= 0.40",
        verdict(api_ratio >= 0.4),
    )
    note = (
        f"Items API: first page of the {LARGE:,}-item backlog, token auth, gunicorn with 2 sync workers, "
        f"{API_CLIENTS} client threads, median of {API_ROUNDS} alternating rounds of {API_REQUESTS_PER_ROUND} requests."
    )
    return [row], [note]
