"""What every benchmark entry point shares: its PostgreSQL database (DATABASE_URL when that is
PostgreSQL, else ordo_bench, created when missing), Django set up on it, and printing a section."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ordo_bench"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_URL


def on_the_server(url: str, *statements: str, unless_exists: bool = False) -> None:
    """Run statements about the database named in the URL (`{}` stands for its quoted name) on
    its server's `postgres` database, outside a transaction. `unless_exists`: only if PostgreSQL
    has no database of that name yet."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(url)
    server = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if unless_exists and cursor.fetchone() is not None:
                return
            for statement in statements:
                cursor.execute(sql.SQL(statement).format(sql.Identifier(config["NAME"])))
    finally:
        server.close()


def ensure_database(url: str) -> None:
    """Create the database named in the URL if PostgreSQL does not have it yet."""
    on_the_server(url, "CREATE DATABASE {}", unless_exists=True)


def setup_django() -> None:
    """Point Django at the bench database (with what `make bench` sets, so that `python -m bench`
    and `python -m bench.digests` run on their own), set it up and migrate."""
    url = database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    os.environ.setdefault("DJANGO_HTTPS", "0")
    os.environ.setdefault("DJANGO_MANIFEST_STATIC", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    ensure_database(url)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def print_section(name: str, run: Callable[..., tuple[str, list[str]]]) -> None:
    """Run a section that prints a table of its own; a failure is reported and the bench goes on."""
    try:
        table, notes = run(log=log)
    except Exception as error:  # report and go on, like the other sections
        table, notes = f"{name}: error", [f"{name} failed: {type(error).__name__}: {error}"]
    print()
    print(table)
    print()
    for note in notes:
        print(note)
