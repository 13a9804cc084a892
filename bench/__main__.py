"""`make bench`: build throwaway backlogs on PostgreSQL, measure, print one table.

Runs on DATABASE_URL when that is PostgreSQL, otherwise on postgres://postgres@127.0.0.1:5432/
ordo_bench, which it creates when missing. It only ever adds new products and users (keys
stamped with the time), so it never touches data it did not make.
"""

from __future__ import annotations

import sys
import time

from bench.database import log, print_section, setup_django


def main() -> int:
    setup_django()
    from bench import digests, forecast
    from bench.measures import run

    started = time.monotonic()
    rows, notes = run(log=log)
    print_table(rows)
    for note in notes:
        print(note)
    # The forecast's backtest and the digests have columns of their own: tables of their own.
    print_section("Forecast backtest", forecast.run)
    print_section("Digests", digests.run)
    print(f"Total bench time {time.monotonic() - started:.0f} s.")
    return 0


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
