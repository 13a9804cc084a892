"""The Monte Carlo forecast's math (sprints.forecast): no database."""

import datetime

import pytest

from sprints import forecast
from sprints.forecast import (
    HORIZON,
    LIKELIHOODS,
    RESAMPLE,
    Forecaster,
    SprintClock,
    clear_trend,
    counted_points,
    median_estimate,
)

CLOCK = SprintClock(last_number=11, last_end=datetime.date(2025, 1, 13), length_days=14)
NOISY = [14, 26, 19, 23, 12, 25]


def test_a_constant_velocity_gives_the_same_exact_sprint_at_every_likelihood():
    """20 points a sprint: 50 points take 3 sprints (12, 13, 14), whatever the likelihood."""
    forecast = Forecaster([20, 20, 20], clock=CLOCK).at(50)
    assert [(line.likelihood, line.sprint_number, line.end_date) for line in forecast.lines] == [
        (50, 14, datetime.date(2025, 2, 24)),
        (85, 14, datetime.date(2025, 2, 24)),
        (95, 14, datetime.date(2025, 2, 24)),
    ]


def test_a_position_exactly_on_a_sprint_boundary_is_done_in_that_sprint():
    """60 points at 20 a sprint are done at the end of the third sprint, 61 need a fourth."""
    forecaster = Forecaster([20, 20, 20])
    assert forecaster.sprints_needed(60) == {50: 3, 85: 3, 95: 3}
    assert forecaster.sprints_needed(61) == {50: 4, 85: 4, 95: 4}


def test_the_50_percent_line_follows_the_mean_velocity():
    """A symmetric history (mean 20): the median future reaches 20·k points by sprint k."""
    forecaster = Forecaster([14, 20, 26])
    assert forecaster.sprints_needed(95)[50] == 5
    assert forecaster.sprints_needed(199)[50] == 10


def test_the_stable_velocity_model_matches_the_student_t_predictive(monkeypatch):
    """The model's stable part alone (no team trending): by hand, with history 14, 20, 26 (n=3,
    s=6) the sum of k future sprints is 20k + 6·√(k²/3 + k)·t₂. Its 15th percentile
    (t₂ = −1.386) is 130.1 at k=9 and 145.3 at k=10, so 140 points are 85% likely done in 10
    sprints."""
    monkeypatch.setattr(forecast, "TREND_SLOPE", 0.0)
    forecast._thresholds.cache_clear()
    try:
        assert Forecaster([14, 20, 26]).sprints_needed(140)[85] == 10
    finally:
        forecast._thresholds.cache_clear()


def test_a_falling_velocity_moves_the_forecast_later_and_a_rising_one_earlier():
    """The same six sprints (mean 19, same spread), in three orders: falling 2 points a sprint,
    rising 2 a sprint, and shuffled (barely any trend). 200 points is ~10.5 sprints at the mean.
    The falling team's 85% line is later than the shuffled one's, the rising team's earlier."""
    falling = Forecaster([24, 22, 20, 18, 16, 14]).sprints_needed(200)
    shuffled = Forecaster([20, 14, 24, 18, 16, 22]).sprints_needed(200)
    rising = Forecaster([14, 16, 18, 20, 22, 24]).sprints_needed(200)
    assert falling[85] is None or falling[85] > shuffled[85]
    assert rising[85] < shuffled[85]


def test_ten_falling_sprints_move_the_forecast_later_than_the_same_sprints_in_no_order():
    """Ten sprints show a decline (−0.7 a sprint) that three cannot: the same ten velocities,
    falling, put 300 points (~14.5 sprints at their mean) far later than in an order with no
    trend, and rising far earlier."""
    falling = [24, 23, 23, 22, 21, 20, 19, 20, 18, 17]
    no_trend = [20, 23, 18, 22, 17, 24, 19, 21, 23, 20]
    assert sorted(falling) == sorted(no_trend)
    later = Forecaster(falling).sprints_needed(300)
    flat = Forecaster(no_trend).sprints_needed(300)
    earlier = Forecaster(falling[::-1]).sprints_needed(300)
    assert flat == {50: 15, 85: 17, 95: 18}
    assert later[50] >= flat[50] + 5 and later[85] >= flat[85] + 10
    assert earlier[85] < flat[85]


def test_more_sprints_of_a_steady_velocity_narrow_the_forecast():
    """Three sprints cannot rule out a drift in velocity, so the 95% line of 20 sprints of work
    lies far beyond the 50% line; five and then ten steady sprints pin the drift down."""
    steady = [20, 19, 21, 20, 22, 18, 20, 21, 19, 20]
    gaps = []
    for sprints in (3, 5, 10):
        needed = Forecaster(steady[:sprints]).sprints_needed(400)
        gaps.append(needed[95] - needed[50])
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] <= 3


def test_a_clear_trend_is_the_least_squares_slope_of_five_or_more_sprints():
    """By hand: 24, 23, 23, 22, 21, 20, 19, 20, 18, 17 against sprint −4.5 … 4.5 has slope
    Σxy/Σxx = −61.5/82.5 = −0.745, some 13 standard errors from 0."""
    assert clear_trend([24, 23, 23, 22, 21, 20, 19, 20, 18, 17]) == pytest.approx(-61.5 / 82.5)
    assert clear_trend([14, 16, 18, 20, 22]) == pytest.approx(2.0)  # a perfect line


@pytest.mark.parametrize(
    "velocities",
    [
        [20, 23, 18, 22, 17, 24, 19, 21, 23, 20],  # the falling values above, in no order
        [14, 26, 19, 23, 12, 25],  # noisy: a slope of +0.49 against an error of 1.54
        [24, 22, 20, 18],  # a perfect line, but only four sprints
        [20, 20, 20, 20, 20],  # no change at all
    ],
)
def test_no_clear_trend_in_noise_short_histories_or_a_flat_line(velocities):
    assert clear_trend(velocities) is None


def test_the_forecast_carries_the_clear_trend_for_the_pages():
    assert Forecaster([24, 23, 23, 22, 21, 20, 19, 20, 18, 17]).at(100).trend == pytest.approx(-61.5 / 82.5)
    assert Forecaster([20, 20, 20]).at(100).trend is None


def test_a_stable_short_history_keeps_deep_positions_within_the_horizon():
    """The trend is damped: 3 steady-ish sprints never drive velocity to 0, so even 20 sprints
    of work (400 points at 20 a sprint) gets a real 95% sprint, not "beyond"."""
    for history in ([18, 22, 20], [14, 26, 20], [22, 20, 18]):
        assert all(ahead is not None for ahead in Forecaster(history).sprints_needed(400).values())


def test_short_histories_widen_the_forecast_beyond_plain_resampling():
    """Plain resampling of 3 sprints knows only those 3 values; the posterior knows it knows
    little, so its 95% line lies further out. (No trend through these three: both medians are
    the mean, 20 a sprint.)"""
    history = [19, 22, 19]
    honest = Forecaster(history).sprints_needed(290)
    naive = Forecaster(history, method=RESAMPLE).sprints_needed(290)
    assert honest[95] > naive[95]
    assert honest[50] == naive[50] == 15


def test_the_same_seed_gives_the_same_forecast():
    first = Forecaster(NOISY, seed=7, simulations=2_000)
    second = Forecaster(NOISY, seed=7, simulations=2_000)
    assert [first.sprints_needed(p) for p in range(0, 600, 7)] == [second.sprints_needed(p) for p in range(0, 600, 7)]


def test_likelihoods_are_ordered_and_deeper_positions_never_finish_earlier():
    """Up to 1,500 points (75 sprints at this team's mean): deep enough that the 95% line of a
    team this noisy is beyond the horizon at the bottom, which counts as later than any sprint."""
    forecaster = Forecaster(NOISY)
    later_than_any = HORIZON + 1
    previous = dict.fromkeys(LIKELIHOODS, 0)
    for points in range(0, 1_500, 5):
        needed = {
            likelihood: later_than_any if ahead is None else ahead
            for likelihood, ahead in forecaster.sprints_needed(points).items()
        }
        assert needed[50] <= needed[85] <= needed[95]
        for likelihood in LIKELIHOODS:
            assert needed[likelihood] >= previous[likelihood]
        previous = needed
    assert previous[50] < later_than_any


def test_no_history_says_so_and_forecasts_nothing():
    forecast = Forecaster([], clock=CLOCK).at(40)
    assert not forecast.enough_history
    assert not forecast.available
    assert forecast.lines == ()
    assert forecast.history == 0


def test_fewer_than_three_closed_sprints_is_not_enough_history():
    forecast = Forecaster([20, 25]).at(40)
    assert not forecast.enough_history
    assert forecast.history == 2


def test_three_closed_sprints_are_enough():
    assert Forecaster([20, 25, 18]).at(40).enough_history


def test_a_history_of_zero_velocity_sprints_reports_beyond_the_horizon():
    forecast = Forecaster([0, 0, 0], clock=CLOCK).at(10)
    assert [line.beyond for line in forecast.lines] == [True, True, True]
    assert forecast.horizon == HORIZON


def test_some_zero_velocity_sprints_slow_the_forecast_without_breaking_it():
    needed = Forecaster([0, 20, 0, 25, 0]).sprints_needed(100)
    assert all(value is not None for value in needed.values())
    assert Forecaster([20, 20, 25, 25]).sprints_needed(100)[85] < needed[85]


def test_a_position_beyond_any_horizon_is_reported_as_beyond():
    forecast = Forecaster([20, 20, 20], clock=CLOCK, horizon=50).at(20 * 50 + 1)
    assert all(line.beyond and line.sprint_number is None for line in forecast.lines)


def test_nothing_left_to_do_is_done_by_the_next_sprint():
    assert Forecaster([20, 20, 20]).sprints_needed(0) == {50: 1, 85: 1, 95: 1}


def test_unestimated_items_count_at_the_median_estimate_and_are_flagged():
    """30 estimated points and 2 unestimated items, median estimate 5: 40 points."""
    forecast = Forecaster([20, 20, 20]).at(30, unestimated=2, median=median_estimate([3, 5, 8, None]))
    assert forecast.points == 40
    assert forecast.unestimated == 2
    assert forecast.median == 5
    assert forecast.line(85).sprints_ahead == 2


def test_the_median_estimate_ignores_unestimated_items_and_averages_an_even_middle():
    assert median_estimate([1, None, 3, 8, None]) == 3
    assert median_estimate([2, 3, 5, 8]) == 4


def test_when_nothing_is_estimated_there_is_no_size_to_assume():
    assert median_estimate([None, None]) is None
    assert counted_points(0, 3, None) is None
    forecast = Forecaster([20, 20, 20]).at(0, unestimated=3, median=None)
    assert forecast.enough_history and not forecast.estimable and not forecast.available
    assert forecast.lines == ()


def test_no_unestimated_items_need_no_median():
    assert counted_points(12, 0, None) == 12


def test_negative_velocities_are_refused():
    with pytest.raises(ValueError):
        Forecaster([20, -1, 20])


def test_the_clock_counts_whole_sprints_from_the_last_closed_one():
    assert CLOCK.number(3) == 14
    assert CLOCK.end_date(3) == datetime.date(2025, 2, 24)


def test_a_date_past_the_calendar_is_no_date_rather_than_an_error():
    """Sprints are dated up to 2999, but a forecast from older data must still answer."""
    clock = SprintClock(last_number=3, last_end=datetime.date(9999, 12, 1), length_days=14)
    forecast = Forecaster([20, 20, 20], clock=clock).at(100)
    assert forecast.line(85).sprint_number == 8
    assert forecast.line(85).end_date is None
    assert clock.end_date(2) == datetime.date(9999, 12, 29)
