"""The forecast's backtest and speed, for `make bench`. Pure Python and numpy: no database.

Backtest: for each velocity process (steady, noisy, trending down) and history length (3, 5, 10
sprints), each trial draws a history and the true future from the process, forecasts positions
spread evenly over 1 to 20 sprints of work (20 points a sprint), and checks whether the true
finishing sprint is at or before each forecast line. "Oracle" forecasts with the true process
itself: the best any forecast can do when answers come in whole sprints.

Run alone: `.venv/bin/python -m bench.forecast` (add `--quick` for fewer trials).
"""

from __future__ import annotations

import bisect
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sprints.forecast import BAYESIAN, LIKELIHOODS, RESAMPLE, SIMULATIONS, Forecaster

HISTORIES = (3, 5, 10)
POSITIONS = 20  # per trial, one in each sprint-wide band from 1 to 20 sprints of work
WORK_PER_SPRINT = 20.0
TRIALS = 600
BACKTEST_SIMULATIONS = 2_000  # per forecast in the backtest; the pages use SIMULATIONS
TRUE_HORIZON = 400
ORACLE_FUTURES = 20_000


@dataclass(frozen=True)
class Process:
    """Velocity of sprint t (0 = the first of the history): normal around `mean(t)`, never below 0."""

    name: str
    start: float
    slope: float
    sd: float

    def draw(self, rng: np.random.Generator, first: int, count: int, size: int) -> np.ndarray:
        t = np.arange(first, first + count)
        values = self.start + self.slope * t + self.sd * rng.standard_normal((size, count))
        return np.maximum(values, 0.0)


PROCESSES = (
    Process("steady (20, sd 2)", 20, 0, 2),
    Process("noisy (20, sd 6)", 20, 0, 6),
    Process("trending down (24 −0.5/sprint, sd 3)", 24, -0.5, 3),
)


def finishing_sprint(cumulative: np.ndarray, points: np.ndarray) -> np.ndarray:
    """First sprint (1-based) whose cumulative points reach each target; a large number if never."""
    index = np.searchsorted(cumulative, points, side="left")
    return np.where(index < len(cumulative), index + 1, 10**9)


def coverage_cell(process: Process, history: int, method: str, trials: int, seed: int) -> dict:
    """How often the true finishing sprint is at or before each forecast line."""
    rng = np.random.default_rng(seed)
    histories = process.draw(rng, 0, history, trials)
    futures = np.cumsum(process.draw(rng, history, TRUE_HORIZON, trials), axis=1)
    bands = np.arange(POSITIONS) + rng.random((trials, POSITIONS))
    targets = WORK_PER_SPRINT * (1 + bands * (19 / POSITIONS))
    hits = dict.fromkeys(LIKELIHOODS, 0)
    beyond = dict.fromkeys(LIKELIHOODS, 0)
    widths = []
    oracle = _oracle(process, history, seed) if method == "oracle" else None
    for trial in range(trials):
        truth = finishing_sprint(futures[trial], targets[trial])
        if oracle is None:
            forecaster = Forecaster(
                histories[trial].tolist(), simulations=BACKTEST_SIMULATIONS, seed=seed + trial, method=method
            )
            needed = [forecaster.sprints_needed(points) for points in targets[trial]]
        else:
            needed = [oracle(points) for points in targets[trial]]
        for true_sprint, answer in zip(truth, needed, strict=True):
            for likelihood in LIKELIHOODS:
                # "Beyond the horizon" claims nothing, so it cannot be wrong; it is counted on its
                # own, so a forecast cannot buy coverage by saying "beyond".
                forecast = answer[likelihood]
                hits[likelihood] += forecast is None or true_sprint <= forecast
                beyond[likelihood] += forecast is None
            if answer[95] is not None and answer[50] is not None:
                widths.append(answer[95] - answer[50])
    total = trials * POSITIONS
    return {
        "rates": {likelihood: hits[likelihood] / total for likelihood in LIKELIHOODS},
        "beyond": {likelihood: beyond[likelihood] / total for likelihood in LIKELIHOODS},
        "width": statistics.mean(widths) if widths else float("nan"),
    }


def _oracle(process: Process, history: int, seed: int) -> Callable[[float], dict]:
    """Forecasts from the true process itself (many futures), answered like Ordo's: per future
    sprint, the cumulative points that each likelihood's share of futures reaches."""
    rng = np.random.default_rng(seed + 7)
    cumulative = np.sort(np.cumsum(process.draw(rng, history, TRUE_HORIZON, ORACLE_FUTURES), axis=1), axis=0)
    thresholds = {
        likelihood: cumulative[ORACLE_FUTURES - -(-likelihood * ORACLE_FUTURES // 100)].tolist()
        for likelihood in LIKELIHOODS
    }

    def needed(points: float) -> dict:
        answers = {}
        for likelihood, line in thresholds.items():
            index = bisect.bisect_left(line, points)
            answers[likelihood] = index + 1 if index < len(line) else None
        return answers

    return needed


def verdict(process: Process, method: str, rates: dict, oracle: dict) -> str:
    if method == RESAMPLE:
        return "baseline"
    if method != BAYESIAN:
        return "reference"
    if 0.83 <= rates[85] <= 0.95 and rates[95] >= 0.92:
        return "ok"
    if process.slope:
        return "miss (see notes)" if rates[85] < 0.83 or rates[95] < 0.92 else "over"
    if rates[85] > 0.95 and rates[95] >= 0.92 and oracle[85] > 0.95:
        # Even the true process comes true more often than 95% here: whole sprints.
        return f"over; oracle too ({oracle[85]:.1%})"
    return "over" if rates[85] > 0.95 else "miss"


LABELS = {BAYESIAN: "Ordo (posterior)", RESAMPLE: "plain resampling", "oracle": "oracle"}


def backtest_rows(trials: int = TRIALS, log: Callable[[str], None] = lambda message: None) -> list[tuple[str, ...]]:
    rows = []
    for p, process in enumerate(PROCESSES):
        for history in HISTORIES:
            cells = {}
            for method in ("oracle", BAYESIAN, RESAMPLE):
                started = time.monotonic()
                cells[method] = coverage_cell(process, history, method, trials, seed=1_000 * p + history)
                log(
                    f"forecast backtest {process.name}, {history} sprints, {LABELS[method]}: "
                    f"{time.monotonic() - started:.1f} s"
                )
            for method in (BAYESIAN, RESAMPLE, "oracle"):
                rates = cells[method]["rates"]
                rows.append(
                    (
                        process.name,
                        str(history),
                        LABELS[method],
                        *(f"{rates[likelihood]:.1%}" for likelihood in LIKELIHOODS),
                        *(f"{cells[method]['beyond'][likelihood]:.1%}" for likelihood in BEYOND_SHOWN),
                        f"{cells[method]['width']:.1f}",
                        verdict(process, method, rates, cells["oracle"]["rates"]),
                    )
                )
    return rows


def speed(items: int = 1_000, repeats: int = 15) -> dict:
    """Time to simulate 10,000 futures from a fresh history and answer every position of a
    backlog of `items` items (uncached: a new history each time)."""
    rng = np.random.default_rng(5)
    estimates = rng.choice([1, 2, 3, 5, 8, 13], size=items)
    running = np.cumsum(estimates).tolist()
    times = []
    for repeat in range(repeats):
        history = (rng.normal(20, 6, size=6).clip(0) + repeat * 1e-6).tolist()
        started = time.perf_counter()
        forecaster = Forecaster(history, simulations=SIMULATIONS)
        for points in running:
            forecaster.sprints_needed(points)
        times.append(time.perf_counter() - started)
    return {"median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000, "items": items}


BEYOND_SHOWN = (85, 95)
HEADER = (
    "Velocities",
    "History",
    "Forecast",
    "50% true",
    "85% true",
    "95% true",
    *(f"{likelihood}% beyond" for likelihood in BEYOND_SHOWN),
    "95%−50% (sprints)",
    "Result",
)


def format_table(rows: list[tuple[str, ...]]) -> str:
    table = [HEADER, *rows]
    widths = [max(len(row[n]) for row in table) for n in range(len(HEADER))]
    right = set(range(1, len(HEADER) - 1)) - {2}
    lines = [
        "  ".join(
            cell.rjust(w) if n in right else cell.ljust(w) for n, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


NOTES = (
    'Forecast backtest: positions spread evenly over 1–20 sprints of work; "true" = how often the real '
    "finishing sprint was at or before the forecast sprint. Target for Ordo's forecast: 85% line 83–95%, "
    "95% line ≥ 92%, at every history length.",
    "Plain resampling draws future sprints from the past ones; it knows only the few values it has seen. "
    "Ordo draws each future's mean and spread from their posterior first (Student-t predictive), so "
    "short histories widen the forecast instead of overstating its confidence. It also weighs a damped "
    "straight-line trend against a stable velocity (40% prior that a team trends; slope prior 5% of the "
    "mean velocity per sprint; each future sprint carries on 85% of the previous one's trend).",
    '"Beyond" = how often the line said "not within the 100-sprint horizon". It counts as coming true, '
    "so it is shown on its own: a forecast must not buy coverage by giving up. Before the trend model, "
    "Ordo's lines were never beyond (0.0% in every row, 600 trials); now stable teams' 85% lines are never "
    "beyond and their 95% lines at most 0.1% (the earlier undamped trend attempt: 15–29% of stable teams' 95% lines "
    "beyond). Trending down with 10 sprints of history: the velocity really reaches 0 around sprint 48, so "
    "the deepest positions are truly never done and the oracle says beyond for 10–13% of them.",
    "Oracle forecasts from the true process itself. Forecasts come in whole sprints: when velocity is very "
    "steady, the first sprint by which 85% of futures are done is usually one by which nearly all are, so "
    "even perfect knowledge comes true ~97% of the time at the 85% line. The 83–95% band cannot be met "
    "there without naming sprints that are less than 85% likely; read Ordo's steady rows against the "
    "oracle's (96.5% / 96.2% / 97.7% against 97.6% / 97.5% / 97.6%). The trend's price for steady teams "
    "is width: the 95%−50% gap is 4.5 / 3.0 / 1.5 sprints (stable-velocity model: 2.1 / 1.3 / 0.9).",
    "Trending down (miss, measured): the stable-velocity model's 85% line came true 52.6% / 38.2% / 21.0% "
    "at 3 / 5 / 10 sprints of history (95% line 73.2% / 52.4% / 28.7%); with the damped trend 70.6% / "
    "57.9% / 46.9% (95% line 90.6% / 79.3% / 64.7%). The rest is not in the histories: a −0.5/sprint "
    "decline with sd 3 is a slope of 0.5 against a fitted-slope uncertainty of 2.1 (3 sprints), 0.95 (5) "
    "and 0.33 (10), so trending histories look like steady or noisy teams'. Measured on this backtest "
    "(100 trials a cell): a forecast that knows the velocity is a straight line but not its slope (flat "
    "slope prior, no damping, no stable alternative) reaches 91.5% / 88.8% / 84.5% at the 85% line on "
    "trending down, but only by answering beyond for 79% / 62% / 49% of the positions, and it does the "
    "same to stable teams (85% line beyond: steady 64% / 36% / 7%, noisy 78% / 70% / 46%): useless. In "
    "between, the 18 priors swept (slope prior 3–8%, damping 85–95%, trend prior 20–40%) and the tried "
    "variants (undamped; slope prior relative to σ; older sprints discounted by 0.8–0.9 a sprint) all lie "
    "on one frontier: more trending coverage costs noisy teams' 85% line (already 94.6% at 10 sprints, "
    "the band's top is 95%) or stable teams' beyond rate. An undamped trend reached 79–82% / 71–74% / "
    "73% with 29–45% of steady and 37–63% of noisy 95% lines beyond at 3 sprints; a damped trend "
    "with 90% damping instead of 85% reached 74.4% / 60.9% / 51.0% (600 trials) but put noisy teams' 85% "
    "line at 94.8% and their 95% line beyond in 3.8% of positions. Only a forecast that assumes "
    "velocities fall could meet the target here, and it would be wrong for every stable team.",
)


def run(log: Callable[[str], None] = lambda message: None, trials: int = TRIALS) -> tuple[str, list[str]]:
    """The backtest table and the speed line, as text for `make bench`."""
    started = time.monotonic()
    rows = backtest_rows(trials, log)
    measured = speed()
    notes = [
        f"Forecast speed: 10,000 simulations × 100 sprints and all {measured['items']:,} positions of a "
        f"{measured['items']:,}-item backlog: median {measured['median_ms']:.1f} ms, max "
        f"{measured['max_ms']:.1f} ms (target well under 50 ms): {'ok' if measured['median_ms'] < 50 else 'over'}.",
        f"Backtest: {trials} trials × {POSITIONS} positions per cell, {BACKTEST_SIMULATIONS:,} simulations per "
        f"forecast, seeded; {time.monotonic() - started:.0f} s.",
        *NOTES,
    ]
    return format_table(rows), notes


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    table, notes = run(
        log=lambda message: print(f"… {message}", file=sys.stderr, flush=True), trials=150 if quick else TRIALS
    )
    print(table)
    print()
    print("\n".join(notes))
