"""Monte Carlo forecasts of when the backlog down to a position is done. Pure math: no Django.

The model. Each closed sprint's completed points are one observation of the team's velocity.
Plain resampling of those few numbers treats the past 3–5 sprints as the whole truth, so its
85% line comes true only ~75–80% of the time (see `make bench`). Here each simulated future
first draws the team's *own* velocity — its spread, level and trend — from their posterior given
the history, then draws every future sprint around it, truncated at 0 (a sprint never un-does
work):
- Spread: σ² = Σ(x − x̄)² / χ²(n−1) (normal model, Jeffreys prior). Any trend in the history
  counts as spread here too, which can only widen the forecast.
- Trend: every team's velocity may be drifting. The slope's prior is N(0, (TREND_SLOPE · mean
  velocity)²) — a drift of ~4% of the velocity per sprint is plausible, 12% is not — and each
  future draws a slope from its posterior given σ: the regression slope through the history,
  shrunk towards 0 by that prior. Three sprints barely move the prior, so a short history's
  forecast is wide on both sides; ten sprints of a steady decline pin it down. The trend is
  damped: each future sprint carries on TREND_DAMPING = 90% of the previous one's, so it moves
  the velocity by at most ~9 sprints' worth of slope. An undamped line drawn from 3–5 sprints
  drives stable teams' velocity to 0 in some futures and puts their 95% line "beyond the
  horizon"; no team's velocity changes the same way forever.
- Level: the velocity now: N(x̄, σ²/n), plus the drawn trend from the middle of the history to
  the last closed sprint.
For a steady team the forecast is close to the Student-t predictive with n−1 degrees of freedom,
widened by the trend it cannot rule out; a falling velocity moves the forecast later, a rising
one earlier. What no model can do is tell a slow decline from noise in 3–5 sprints: the backtest
(bench/forecast.py) gives the numbers, against a reference that knows which kinds of team exist.

The speed. The simulation depends only on the history, not on the position asked: it runs
once — `simulations` futures × `horizon` sprints, cumulated — and keeps, per future sprint, the
order statistic that 50%, 85% and 95% of the futures reach. A position's answer is then a
bisection over those thresholds, so a 1,000-item backlog costs one simulation, not 1,000.

Public API (also used by the sprints API):
- `Forecaster(velocities, clock=…)`: simulate once; `.at(points, unestimated=…, median=…)`
  gives a `Forecast` for any position.
- `clear_trend(velocities)`: the change per sprint the history clearly shows, for the pages to
  say why a forecast leans later or earlier (the simulation weighs every slope either way).
- `SprintClock`: turns "k sprints after the last closed one" into a sprint number and end date.
- `median_estimate(estimates)`: the size assumed for each unestimated item.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

LIKELIHOODS = (50, 85, 95)
MIN_HISTORY = 3
# A trend the pages mention: fitted over at least this many sprints, this many standard errors
# from no change.
CLEAR_TREND_HISTORY = 5
CLEAR_TREND_ERRORS = 2.0
SIMULATIONS = 10_000
HORIZON = 100
# A fixed seed: the same history gives the same forecast on every page load, and no flicker
# between the backlog page, the item page and the API.
SEED = 20_250_101

BAYESIAN, RESAMPLE = "bayesian", "resample"

# The trend's prior (see the module docstring; bench/forecast.py measures the choice).
TREND_SLOPE = 0.04  # prior spread of a trend, per sprint, as a share of the mean velocity; 0: none
TREND_DAMPING = 0.9  # each future sprint carries on this share of the previous one's trend


@dataclass(frozen=True)
class SprintClock:
    """Counts sprints forward from the last closed sprint: `ahead=1` is the sprint after it."""

    last_number: int
    last_end: date
    length_days: int = 14

    def number(self, ahead: int) -> int:
        return self.last_number + ahead

    def end_date(self, ahead: int) -> date | None:
        """None past the calendar's end (year 9999): no date to give."""
        try:
            return self.last_end + timedelta(days=self.length_days * ahead)
        except OverflowError:
            return None


@dataclass(frozen=True)
class ForecastLine:
    """ "`likelihood`% likely done by sprint `sprint_number` (ending `end_date`)"; `beyond` when
    not even the horizon's last sprint reaches that likelihood."""

    likelihood: int
    sprints_ahead: int | None
    sprint_number: int | None = None
    end_date: date | None = None

    @property
    def beyond(self) -> bool:
        return self.sprints_ahead is None


@dataclass(frozen=True)
class Forecast:
    """The forecast for one backlog position.

    `enough_history` False: fewer than MIN_HISTORY closed sprints, and `lines` is empty.
    `estimable` False: everything above is unestimated and nothing in the backlog is estimated,
    so there is no size to assume; `lines` is empty.
    `unestimated` items above (and at) the position were counted at `median` points each.
    `trend`: the velocity's change per sprint when the history clearly shows one (clear_trend).
    """

    history: int
    points: float
    unestimated: int = 0
    median: float | None = None
    horizon: int = HORIZON
    trend: float | None = None
    lines: tuple[ForecastLine, ...] = field(default_factory=tuple)
    enough_history: bool = True
    estimable: bool = True

    @property
    def available(self) -> bool:
        return self.enough_history and self.estimable

    def line(self, likelihood: int) -> ForecastLine | None:
        return next((line for line in self.lines if line.likelihood == likelihood), None)


def median_estimate(estimates: Iterable[float | None]) -> float | None:
    """The median of the estimated items' points (None: nothing is estimated)."""
    known = [value for value in estimates if value is not None]
    return statistics.median(known) if known else None


def clear_trend(velocities: Sequence[float]) -> float | None:
    """The velocity's change per sprint, fitted through the history by least squares, when the
    history shows it clearly: at least CLEAR_TREND_HISTORY sprints and a slope at least
    CLEAR_TREND_ERRORS standard errors from 0. None otherwise."""
    n = len(velocities)
    if n < CLEAR_TREND_HISTORY:
        return None
    values = np.asarray(velocities, dtype=float)
    age = np.arange(n) - (n - 1) / 2
    slope = float((age * (values - values.mean())).sum() / (age**2).sum())
    residual = float(((values - values.mean() - slope * age) ** 2).sum())
    if residual == 0.0:
        return slope or None  # a perfect line: as clear as a trend gets
    error = math.sqrt(residual / (n - 2) / (age**2).sum())
    return slope if abs(slope) >= CLEAR_TREND_ERRORS * error else None


def counted_points(estimated_points: float, unestimated: int, median: float | None) -> float | None:
    """Points down to a position with each unestimated item counted at the median estimate;
    None when there are unestimated items and no median to count them with."""
    if unestimated and median is None:
        return None
    return estimated_points + unestimated * (median or 0)


class Forecaster:
    """One simulation of a team's future sprints, answering any number of positions.

    `velocities`: completed points of past closed sprints, oldest first. Zero-velocity sprints
    are fine: futures that never reach a position within `horizon` sprints report it as beyond.
    """

    def __init__(
        self,
        velocities: Sequence[float],
        *,
        clock: SprintClock | None = None,
        simulations: int = SIMULATIONS,
        horizon: int = HORIZON,
        seed: int = SEED,
        method: str = BAYESIAN,
    ) -> None:
        if method not in (BAYESIAN, RESAMPLE):
            raise ValueError(f"unknown method {method!r}")
        self.velocities = tuple(float(v) for v in velocities)
        if any(v < 0 or not math.isfinite(v) for v in self.velocities):
            raise ValueError("velocities must be finite and not negative")
        self.clock = clock
        self.simulations = simulations
        self.horizon = horizon
        self.history = len(self.velocities)
        self.enough_history = self.history >= MIN_HISTORY
        self.trend = clear_trend(self.velocities) if self.enough_history else None
        self._thresholds: dict[int, list[float]] = (
            _thresholds(self.velocities, simulations, horizon, seed, method) if self.enough_history else {}
        )

    def sprints_needed(self, points: float) -> dict[int, int | None]:
        """For each likelihood, how many sprints after the last closed one it takes to finish
        `points` (None: not within the horizon). Deeper positions never finish earlier."""
        return {
            likelihood: _first_reaching(self._thresholds[likelihood], points, self.horizon)
            for likelihood in LIKELIHOODS
        }

    def at(self, estimated_points: float, *, unestimated: int = 0, median: float | None = None) -> Forecast:
        """The forecast for the position whose items above it (and it) hold `estimated_points`,
        plus `unestimated` items counted at `median` points each."""
        points = counted_points(estimated_points, unestimated, median)
        base = {
            "history": self.history,
            "unestimated": unestimated,
            "median": median,
            "horizon": self.horizon,
            "trend": self.trend,
        }
        if not self.enough_history:
            return Forecast(points=points or 0.0, enough_history=False, **base)
        if points is None:
            return Forecast(points=estimated_points, estimable=False, **base)
        lines = []
        for likelihood, ahead in self.sprints_needed(points).items():
            if ahead is None or self.clock is None:
                lines.append(ForecastLine(likelihood, ahead))
            else:
                lines.append(ForecastLine(likelihood, ahead, self.clock.number(ahead), self.clock.end_date(ahead)))
        return Forecast(points=points, lines=tuple(lines), **base)


def _first_reaching(thresholds: list[float], points: float, horizon: int) -> int | None:
    index = bisect.bisect_left(thresholds, points)
    return index + 1 if index < horizon else None


@lru_cache(maxsize=64)
def _thresholds(
    velocities: tuple[float, ...], simulations: int, horizon: int, seed: int, method: str
) -> dict[int, list[float]]:
    """Per likelihood L, per future sprint k: the cumulative points that L% of the simulated
    futures reach by sprint k. Velocities are never negative, so each future's cumulative points
    never fall, "done by sprint k" is "reached the position's points by k", and the thresholds
    rise with k: a position is answered by bisection."""
    rng = np.random.default_rng(seed)
    history = np.asarray(velocities, dtype=float)
    if method == RESAMPLE:
        cumulative = rng.choice(history, size=(horizon, simulations))
    else:
        sigma, level, slope = _posterior_draws(history, simulations, rng)
        # One row per future sprint, one column per simulated future: level, plus the damped
        # trend carried forward (φ + φ² + … + φᵏ sprints' worth of slope by sprint k), plus noise.
        carried = TREND_DAMPING * (1 - TREND_DAMPING ** np.arange(1, horizon + 1)) / (1 - TREND_DAMPING)
        cumulative = _standard_normals(horizon, simulations, seed) * sigma
        cumulative += level
        cumulative += np.multiply.outer(carried, slope)
        np.maximum(cumulative, 0.0, out=cumulative)
    np.cumsum(cumulative, axis=0, out=cumulative)
    # "At least L% of futures have reached P by sprint k" ⟺ the ⌈L·N/100⌉-th largest cumulative
    # total at k is ≥ P: that order statistic is the threshold.
    ranks = {likelihood: simulations - -(-likelihood * simulations // 100) for likelihood in LIKELIHOODS}
    selected = np.partition(cumulative, sorted(set(ranks.values())), axis=1)
    return {likelihood: selected[:, rank].tolist() for likelihood, rank in ranks.items()}


def _posterior_draws(
    history: np.ndarray, simulations: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per simulated future: the sprint-to-sprint spread σ, the velocity level at the last closed
    sprint and the trend per sprint. See the module docstring."""
    n = len(history)
    mean = history.mean()
    age = np.arange(n) - (n - 1) / 2  # sprint index, centred: the mean sits at age 0
    spread = float(((history - mean) ** 2).sum())
    zeros = np.zeros(simulations)
    if spread == 0.0:
        # A constant history: every posterior draw is that velocity, with no spread and no trend.
        return zeros, zeros + mean, zeros
    # σ² = Σ(x − x̄)² / χ²(n−1): the stationary model's posterior, which counts any trend as spread.
    variance = spread / np.maximum(rng.chisquare(n - 1, size=simulations), 1e-12)
    sigma = np.sqrt(variance)
    centre = mean + sigma / math.sqrt(n) * rng.standard_normal(simulations)
    if not TREND_SLOPE:
        return sigma, centre, zeros
    # The trend given σ: the regression slope shrunk towards 0 by its prior N(0, (τ·mean)²)
    # (mean > 0: some sprint did work), and drawn from that posterior.
    prior_precision = 1.0 / (TREND_SLOPE * mean) ** 2
    precision = float((age**2).sum()) / variance + prior_precision
    fitted = float((age * (history - mean)).sum()) / variance / precision
    slope = fitted + rng.standard_normal(simulations) / np.sqrt(precision)
    return sigma, centre + slope * (n - 1) / 2, slope


@lru_cache(maxsize=2)
def _standard_normals(horizon: int, simulations: int, seed: int) -> np.ndarray:
    """The standard-normal draws behind every history's futures, made once per process (common
    random numbers: a third of the simulation's time, and forecasts of similar histories stay
    comparable). Read-only: callers scale a copy."""
    draws = np.random.default_rng([seed, 1]).standard_normal((horizon, simulations))
    draws.flags.writeable = False
    return draws
