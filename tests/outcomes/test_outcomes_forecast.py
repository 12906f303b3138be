"""KPI progress and status, and the Monte Carlo forecasts: hand cases, a closed form, seeds."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from bioconnect.errors import InputError
from bioconnect.outcomes import forecast_counts, forecast_trend, kpi_progress

BASE, GOAL = (14.0, date(2024, 12, 31)), (25.0, date(2029, 12, 31))


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        (None, "no_data"),
        ((25.0, date(2028, 1, 1)), "met"),
        ((20.0, date(2026, 12, 31)), "on_track"),  # 6/11 = 0.545 of the way, 0.4 of the time
        ((17.0, date(2026, 12, 31)), "at_risk"),  # 0.273 ≥ 0.75 × 0.4 = 0.3? no: 0.273 < 0.3
        ((12.0, date(2026, 12, 31)), "off_track"),
    ],
)
def test_status_rule(latest: tuple[float, date] | None, status: str) -> None:
    got = kpi_progress(BASE, GOAL, latest)
    if status == "at_risk":
        # 17 is 3/11 = 0.273 of the way, below 0.75 × 0.4 = 0.3: off track; 18 is 0.364
        assert got.status == "off_track"
        assert kpi_progress(BASE, GOAL, (18.0, date(2026, 12, 31))).status == "at_risk"
    else:
        assert got.status == status


def test_an_observation_before_the_baseline_is_no_progress() -> None:
    # Baseline 14 on 2024-12-31, target 25 on 2029-12-31. A value of 25 measured on
    # 2023-06-30 equals the target: (25 - 14) / (25 - 14) = 1, which the old rule called
    # "met"; a value of 14 from 2020 was 0 of the way against 0 expected ("on_track").
    # Neither was measured since the baseline, so neither is progress.
    for early in ((25.0, date(2023, 6, 30)), (14.0, date(2020, 12, 31))):
        got = kpi_progress(BASE, GOAL, early)
        assert (got.progress, got.expected, got.status) == (None, None, "no_data")
    # on the baseline date itself: 0 of the way with 0 expected, on track
    on_day = kpi_progress(BASE, GOAL, (14.0, date(2024, 12, 31)))
    assert (on_day.progress, on_day.expected, on_day.status) == (0.0, 0.0, "on_track")
    # a day later, 25: met; 1/1826 of the time has passed
    after = kpi_progress(BASE, GOAL, (25.0, date(2025, 1, 1)))
    assert after.status == "met"
    assert after.expected == pytest.approx(1 / 1826)


def test_a_decreasing_kpi_uses_the_sign_of_its_target() -> None:
    base, goal = (30.0, date(2024, 1, 1)), (20.0, date(2026, 1, 1))
    got = kpi_progress(base, goal, (24.0, date(2025, 1, 1)))
    assert got.progress == pytest.approx(0.6)
    assert got.status == "on_track"


def test_a_target_before_its_baseline_is_refused() -> None:
    with pytest.raises(InputError, match="not after the baseline"):
        kpi_progress(GOAL, BASE, None)


def test_a_flat_poisson_history_gives_the_closed_form_probability() -> None:
    # constant counts: the fitted rate is their mean with a zero slope; with 200 years of
    # history the parameter uncertainty is tiny, so P(N ≥ 12) ≈ the Poisson tail at 10
    years = np.arange(1800, 2000)
    counts = np.full(years.size, 10)
    f = forecast_counts(years, counts, target_year=2001, target=12, n_paths=40_000, seed=3)
    assert f.probability == pytest.approx(poisson.sf(11, 10), abs=0.01)
    assert f.quantiles[2].tolist() == [10.0, 10.0]


def test_forecasts_are_reproducible_with_a_seed() -> None:
    args = ([2019, 2020, 2021, 2022, 2023], [9, 14, 12, 16, 18])
    a = forecast_counts(*args, target_year=2029, target=25, seed=7)
    b = forecast_counts(*args, target_year=2029, target=25, seed=7)
    c = forecast_counts(*args, target_year=2029, target=25, seed=8)
    assert a.probability == b.probability and np.array_equal(a.quantiles, b.quantiles)
    assert a.probability != c.probability
    assert a.times.tolist() == list(range(2024, 2030))
    more = forecast_counts(*args, target_year=2029, target=25, seed=7, uplift=0.3)
    assert more.probability > a.probability


def test_trend_forecast_on_an_exact_line_is_certain() -> None:
    f = forecast_trend([2020, 2021, 2022, 2023], [1.0, 2.0, 3.0, 4.0], target_time=2026, target=6.5)
    assert f.quantiles[:, 0] == pytest.approx([7.0] * 5)
    assert f.probability == 1.0
    below = forecast_trend(
        [2020, 2021, 2022, 2023], [1.0, 2.0, 3.0, 4.0], target_time=2026, target=6.5, increase=False
    )
    assert below.probability == 0.0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=3, max_size=10), st.integers(0, 60))
def test_probability_falls_as_the_target_rises(counts: list[int], target: int) -> None:
    assume(any(counts))
    years = list(range(2010, 2010 + len(counts)))
    low = forecast_counts(years, counts, target_year=2025, target=target, n_paths=500, seed=1)
    high = forecast_counts(years, counts, target_year=2025, target=target + 5, n_paths=500, seed=1)
    assert 0 <= high.probability <= low.probability <= 1
    assert np.all(np.diff(low.quantiles, axis=0) >= 0)


def test_too_short_a_history_is_refused() -> None:
    with pytest.raises(InputError, match="at least 3 observations"):
        forecast_counts([2020, 2021], [1, 2], target_year=2025, target=3)
    with pytest.raises(InputError, match="all zero"):
        forecast_counts([2020, 2021, 2022], [0, 0, 0], target_year=2025, target=3)
