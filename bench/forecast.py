"""The forecast's backtest and speed, for `make bench`. Pure Python and numpy: no database.

Backtest: for each velocity process (steady, noisy, trending down) and history length (3, 5, 10
sprints), each trial draws a history and the true future from the process, forecasts positions
spread evenly over 1 to 20 sprints of work, and checks whether the true finishing sprint is at or
before each forecast line. A sprint of work is measured at the process's own pace: k sprints of
work are the points the process is expected to complete in the k sprints after the history (20
points a sprint for the stable processes; fewer and fewer for the falling one).

Two references beside Ordo's forecast and plain resampling:
- "Oracle" forecasts with the true process itself: the best any forecast can do when answers come
  in whole sprints.
- "Informed" knows the three kinds of team this backtest draws (each process's trend and spread
  relative to its starting velocity) but not which kind a history comes from, nor the team's size;
  it weighs the kinds by how well each explains the history. It shows what the target needs: not
  only the history, but knowledge of which kinds of team exist.

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

    def work(self, first: int, sprints: np.ndarray) -> np.ndarray:
        """The points this process is expected to complete in the first `sprints` (fractional)
        sprints from sprint `first` on: "k sprints of work" at the team's own pace."""
        pace = np.maximum(self.start + self.slope * np.arange(first, first + TRUE_HORIZON), 0.0)
        done = np.concatenate(([0.0], np.cumsum(pace)))
        whole = np.floor(sprints).astype(int)
        return done[whole] + (sprints - whole) * pace[whole]


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
    targets = process.work(history, 1 + bands * (19 / POSITIONS))
    hits = dict.fromkeys(LIKELIHOODS, 0)
    beyond = dict.fromkeys(LIKELIHOODS, 0)
    widths = []
    oracle = _oracle(process, history, seed) if method == "oracle" else None
    for trial in range(trials):
        truth = finishing_sprint(futures[trial], targets[trial])
        if oracle is not None:
            needed = [oracle(points) for points in targets[trial]]
        else:
            if method == INFORMED:
                forecaster = Informed(histories[trial], seed=seed + trial)
            else:
                forecaster = Forecaster(
                    histories[trial].tolist(), simulations=BACKTEST_SIMULATIONS, seed=seed + trial, method=method
                )
            needed = [forecaster.sprints_needed(points) for points in targets[trial]]
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

    return lambda points: answered(thresholds, points)


def answered(thresholds: dict[int, list[float]], points: float) -> dict:
    """For each likelihood, the first future sprint whose threshold reaches `points` (None:
    not within the thresholds' horizon), as Ordo's Forecaster answers."""
    answers = {}
    for likelihood, line in thresholds.items():
        index = bisect.bisect_left(line, points)
        answers[likelihood] = index + 1 if index < len(line) else None
    return answers


INFORMED = "informed"


class Informed:
    """The "informed" reference: knows the kinds of team in PROCESSES — each one's trend and
    spread relative to its starting velocity — but not which kind a history comes from, nor its
    size. Each kind, with each starting velocity on a grid (prior ∝ 1/velocity: no size is
    favoured), is weighed by the likelihood of the history; futures are drawn from that
    posterior and answered like Ordo's."""

    LEVELS = np.geomspace(1.0, 200.0, 2_000)
    FUTURES = 4_000
    HORIZON = 100

    def __init__(self, history: np.ndarray, *, seed: int) -> None:
        rng = np.random.default_rng([seed, 3])
        kinds = [(process.slope / process.start, process.sd / process.start) for process in PROCESSES]
        t = np.arange(len(history))
        log_posterior = []
        for relative_slope, relative_sd in kinds:
            mean = self.LEVELS[:, None] * (1 + relative_slope * t)[None, :]
            sd = self.LEVELS[:, None] * relative_sd
            log_posterior.append((-0.5 * ((history[None, :] - mean) / sd) ** 2 - np.log(sd)).sum(axis=1))
        # Each kind equally likely; the geometric grid gives every starting velocity the 1/v prior.
        weights = np.exp(np.asarray(log_posterior) - np.max(log_posterior)).ravel()
        drawn = rng.choice(weights.size, size=self.FUTURES, p=weights / weights.sum())
        kind, level = np.divmod(drawn, self.LEVELS.size)
        relative_slope, relative_sd = (np.array([kinds[k][n] for k in kind]) for n in (0, 1))
        start = self.LEVELS[level]
        future = np.arange(len(history), len(history) + self.HORIZON)[:, None]
        noise = rng.standard_normal((self.HORIZON, self.FUTURES))
        cumulative = np.cumsum(np.maximum(start * (1 + relative_slope * future + relative_sd * noise), 0.0), axis=0)
        ranks = {likelihood: self.FUTURES - -(-likelihood * self.FUTURES // 100) for likelihood in LIKELIHOODS}
        selected = np.partition(cumulative, sorted(set(ranks.values())), axis=1)
        self.thresholds = {likelihood: selected[:, rank].tolist() for likelihood, rank in ranks.items()}

    def sprints_needed(self, points: float) -> dict:
        return answered(self.thresholds, points)


def verdict(process: Process, method: str, rates: dict, oracle: dict) -> str:
    """Ordo's row against the band, for one kind of team (the target itself is per history
    length over the kinds together: `pooled_line`)."""
    if method == RESAMPLE:
        return "baseline"
    if method != BAYESIAN:
        return "reference"
    if 0.83 <= rates[85] <= 0.95 and rates[95] >= 0.92:
        return "in band"
    if rates[85] < 0.83 or rates[95] < 0.92:
        return "below (see notes)"
    if oracle[85] > 0.95:
        # Even the true process comes true more often than 95% here: whole sprints.
        return f"above; oracle too ({oracle[85]:.1%})"
    return "above"


LABELS = {BAYESIAN: "Ordo (posterior)", RESAMPLE: "plain resampling", INFORMED: "informed", "oracle": "oracle"}


def backtest_rows(
    trials: int = TRIALS, log: Callable[[str], None] = lambda message: None
) -> tuple[list[tuple[str, ...]], dict[int, dict[int, float]]]:
    """The table's rows, and Ordo's rates per history length pooled over the velocity kinds."""
    rows = []
    pooled = {history: dict.fromkeys(LIKELIHOODS, 0.0) for history in HISTORIES}
    for p, process in enumerate(PROCESSES):
        for history in HISTORIES:
            cells = {}
            for method in ("oracle", BAYESIAN, RESAMPLE, INFORMED):
                started = time.monotonic()
                cells[method] = coverage_cell(process, history, method, trials, seed=1_000 * p + history)
                log(
                    f"forecast backtest {process.name}, {history} sprints, {LABELS[method]}: "
                    f"{time.monotonic() - started:.1f} s"
                )
            for likelihood in LIKELIHOODS:
                pooled[history][likelihood] += cells[BAYESIAN]["rates"][likelihood] / len(PROCESSES)
            for method in (BAYESIAN, RESAMPLE, INFORMED, "oracle"):
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
    return rows, pooled


def pooled_line(pooled: dict[int, dict[int, float]]) -> str:
    """The target: Ordo's rates at each history length over the three kinds together (each
    weighed alike)."""
    parts = [
        f"{history} sprints: 85% line {rates[85]:.1%}, 95% line {rates[95]:.1%}"
        f" ({'met' if 0.83 <= rates[85] <= 0.95 and rates[95] >= 0.92 else 'MISSED'})"
        for history, rates in pooled.items()
    ]
    return (
        "Target, at every history length (85% line 83–95%, 95% line ≥ 92%), over the three kinds of "
        "team together, each weighed alike: " + "; ".join(parts) + ". The rows above show each kind "
        "on its own: see the notes for the falling teams."
    )


def speed(items: int = 1_000, repeats: int = 15) -> dict:
    """Time to simulate 10,000 futures from a fresh history and answer every position of a
    backlog of `items` items (uncached: a new history each time). The first forecast in a process
    also makes the standard-normal draws every later one shares: it is timed on its own."""
    rng = np.random.default_rng(5)
    estimates = rng.choice([1, 2, 3, 5, 8, 13], size=items)
    running = np.cumsum(estimates).tolist()
    times = []
    for repeat in range(-1, repeats):
        history = (rng.normal(20, 6, size=6).clip(0) + repeat * 1e-6).tolist()
        started = time.perf_counter()
        forecaster = Forecaster(history, simulations=SIMULATIONS)
        for points in running:
            forecaster.sprints_needed(points)
        times.append(time.perf_counter() - started)
    first, times = times[0], times[1:]
    return {
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "first_ms": first * 1000,
        "items": items,
    }


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
    "Forecast backtest: positions spread evenly over 1–20 sprints of work, measured at each process's "
    'own pace; "true" = how often the real finishing sprint was at or before the forecast sprint. The '
    "target is per history length, over the kinds of team together (the line above); each row shows "
    "one kind on its own.",
    "Plain resampling draws future sprints from the past ones; it knows only the few values it has seen. "
    "Ordo draws each future's mean, spread and trend from their posterior first (Student-t predictive for "
    "a stable team), so short histories widen the forecast instead of overstating its confidence. Every "
    "team's velocity may be drifting: the slope's prior is 4% of the mean velocity per sprint, the history "
    "sharpens it, and each future sprint carries on 90% of the previous one's trend.",
    '"Beyond" = how often the line said "not within the 100-sprint horizon". It counts as coming true, '
    "so it is shown on its own: a forecast must not buy coverage by giving up.",
    "Oracle forecasts from the true process itself. Forecasts come in whole sprints: when velocity is very "
    "steady, the first sprint by which 85% of futures are done is usually one by which nearly all are, so "
    "even perfect knowledge comes true ~97% of the time at the 85% line, above the band; read Ordo's "
    "steady rows against the oracle's. The band cannot be met kind by kind for that reason alone.",
    "Falling teams on their own: Ordo's 85% line comes true about 79% of the time at 5 and 10 sprints, "
    "below the band; noisy teams' is about a point above it at 3 and 5. Informed knows the three kinds "
    "of team in this table (each one's trend and spread relative to its starting velocity), not the "
    "team's size nor its kind, and it is in the band in every row (though its 95% line says beyond for up "
    "to 13% of steady teams' positions, where it cannot rule out a fall). What it knows and the history does "
    "not show: that the falling teams are the ones with sd 3 and fall by exactly 2% of their first "
    "velocity a sprint, undamped, and that the noisy teams never trend. From 3–5 sprints alone a "
    "−0.5/sprint decline with sd 3 is a slope of 0.5 against a fitted-slope uncertainty of 2.1 "
    "(3 sprints) and 0.95 (5): falling histories look like steady or noisy ones, so a forecast from the "
    "history alone can cover the falling teams only by widening everyone's forecast.",
    "Where Ordo stands on that trade: before the always-present trend, a stable velocity with a "
    "40%-likely damped trend, its 85% line came true for falling teams 72.0% / 62.2% / 57.7% of the time "
    "(95% line 91.5% / 83.0% / 75.2%) with noisy teams at 92.9% / 94.1% / 94.3% and 95%−50% gaps of "
    "4.5 / 3.0 / 1.5 sprints (steady) and 9.9 / 8.5 / 6.9 (noisy), 300 trials a cell. The price of the "
    "trend is width for stable teams, shown in the 95%−50% column, which narrows as the history grows. "
    "Swept on the way (100–600 trials a cell), all on one frontier: slope priors 2–5%, damping 85–100% "
    "and damping that grows with the history, a 40–75% trend prior against a stable velocity, an "
    "informative prior on the spread, random damping per future, an undamped trend when the history "
    "shows it clearly (falling teams' 85% line unmoved: the misses are the histories that do not show "
    "it), and the fitted trend undamped with only its uncertainty damped. More coverage for falling teams "
    "always cost noisy teams' 85% line (above 95%) or everyone's 95% lines (beyond the horizon for "
    "5–30% of positions).",
    "Positions were measured in fixed 20-point sprints until this table; at 10 sprints of history a "
    "falling team's velocity reaches 0 around sprint 48, so its deepest positions were never done at all "
    "(the oracle said beyond for 10–13% of them). At the process's own pace every position is done "
    "within about 20 sprints: k sprints of work are what that team is expected to do in k sprints.",
)


def run(log: Callable[[str], None] = lambda message: None, trials: int = TRIALS) -> tuple[str, list[str]]:
    """The backtest table and the speed line, as text for `make bench`."""
    started = time.monotonic()
    rows, pooled = backtest_rows(trials, log)
    measured = speed()
    notes = [
        f"Forecast speed: 10,000 simulations × 100 sprints and all {measured['items']:,} positions of a "
        f"{measured['items']:,}-item backlog: median {measured['median_ms']:.1f} ms, max "
        f"{measured['max_ms']:.1f} ms (target well under 50 ms): {'ok' if measured['median_ms'] < 50 else 'over'}. "
        f"The first forecast in a process, which also makes the draws all later ones share: "
        f"{measured['first_ms']:.1f} ms.",
        f"Backtest: {trials} trials × {POSITIONS} positions per cell, {BACKTEST_SIMULATIONS:,} simulations per "
        f"forecast, seeded; {time.monotonic() - started:.0f} s.",
        pooled_line(pooled),
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
