"""`make bench`: build throwaway backlogs on PostgreSQL, measure, print one table.

Runs on DATABASE_URL when that is PostgreSQL, otherwise on postgres://postgres@127.0.0.1:5432/
ordo_bench, which it creates when missing. It only ever adds new products and users (keys
stamped with the time), so it never touches data it did not make.
"""

from __future__ import annotations

import os
import sys
import time

from bench.database import database_url, ensure_database


def main() -> int:
    url = database_url()
    os.environ["DATABASE_URL"] = url
    # What `make bench` sets; here too so that `python -m bench` runs on its own.
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

    from bench.measures import run

    started = time.monotonic()
    rows, notes = run(log=lambda message: print(f"… {message}", file=sys.stderr, flush=True))
    print_table(rows)
    for note in notes:
        print(note)
    print_forecast_table()
    print_digest_table()
    print(f"Total bench time {time.monotonic() - started:.0f} s.")
    return 0


def print_forecast_table() -> None:
    """The forecast's backtest and speed: a table of its own (its columns are not the backlog's)."""
    from bench import forecast

    try:
        table, notes = forecast.run(log=lambda message: print(f"… {message}", file=sys.stderr, flush=True))
    except Exception as error:  # report and go on, like the other sections
        table, notes = "Forecast backtest: error", [f"Forecast backtest failed: {type(error).__name__}: {error}"]
    print()
    print(table)
    print()
    for note in notes:
        print(note)


def print_digest_table() -> None:
    """Digests for 1,000 stakeholders through the real worker and an SMTP server: its own table."""
    from bench import digests

    try:
        table, notes = digests.run(log=lambda message: print(f"… {message}", file=sys.stderr, flush=True))
    except Exception as error:  # report and go on, like the other sections
        table, notes = "Digests: error", [f"Digest bench failed: {type(error).__name__}: {error}"]
    print()
    print(table)
    print()
    for note in notes:
        print(note)


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("Measure", "100 items", "10,000 items", "Value", "Target", "Result")
    table = [header, *rows]
    widths = [max(len(row[n]) for row in table) for n in range(len(header))]
    right = {1, 2, 3}
    lines = []
    for row in table:
        cells = [
            cell.rjust(width) if n in right else cell.ljust(width)
            for n, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    print()
    print("\n".join(lines))
    print()


if __name__ == "__main__":
    sys.exit(main())
