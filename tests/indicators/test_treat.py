"""Outlier treatment: moments against scipy, winsorisation and the log fallback by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from bioconnect.indicators import kurtosis, log_ct, passes_skew_kurt, skewness, treat, winsorise


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=5, max_size=40).filter(lambda v: np.ptp(v) > 1e-3))
def test_moments_equal_scipy_unbiased(values: list[float]) -> None:
    x = np.array(values)
    assert skewness(x) == pytest.approx(stats.skew(x, bias=False), rel=1e-6, abs=1e-6)
    assert kurtosis(x) == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-6, abs=1e-6)


def test_missing_values_are_ignored() -> None:
    x = np.array([1.0, 2.0, np.nan, 3.0, 10.0])
    assert skewness(x) == pytest.approx(stats.skew([1, 2, 3, 10], bias=False))


def test_pass_rule_is_an_or() -> None:
    # skewed but light-tailed: |skew| >= 2 fails only together with kurtosis >= 3.5
    x = np.r_[np.zeros(10), 1.0]
    assert abs(skewness(x)) > 2 and kurtosis(x) > 3.5 and not passes_skew_kurt(x)
    assert passes_skew_kurt(x, skew_thresh=10)
    assert passes_skew_kurt(x, kurt_thresh=100)


def test_winsorise_moves_tied_extremes_together() -> None:
    x = np.r_[np.arange(1.0, 21.0), 100.0, 100.0]
    y, n, mark = winsorise(x, winmax=5)
    # both 100s move at once to 20, the next value: two points winsorised
    assert y[-2:].tolist() == [20.0, 20.0] and n == 2
    assert mark.tolist()[-2:] == ["winhi", "winhi"] and set(mark.tolist()[:-2]) == {""}
    assert passes_skew_kurt(y)


def test_winsorise_low_side_for_negative_skew() -> None:
    x = np.r_[-100.0, np.arange(1.0, 21.0)]
    y, n, mark = winsorise(x)
    assert y[0] == 1.0 and n == 1 and mark[0] == "winlo"


def test_winsorise_stops_at_winmax() -> None:
    x = np.r_[np.ones(40), 100.0, 200.0, 300.0]
    y, n, _ = winsorise(x, winmax=2)
    # the top is winsorised twice: 300 -> 200, then both 200s -> 100
    assert n == 2 and y.max() == 100.0 and (y == 100.0).sum() == 3
    assert not passes_skew_kurt(y)


def test_log_fallback_on_the_untreated_column() -> None:
    x = np.r_[np.ones(40), 100.0, 200.0, 300.0]
    result = treat(pd.DataFrame({"x": x}), winmax=2)
    assert result.details.loc["x", "treatment"] == "log_CT"
    expected = np.log(x - 1 + 0.01 * 299)
    assert np.allclose(result.data["x"], expected)
    assert np.allclose(log_ct(x), expected)
    kept = treat(pd.DataFrame({"x": x}), winmax=2, f2=None)
    assert kept.details.loc["x", "treatment"] == "winsorised" and kept.data["x"].max() == 100.0


def test_columns_that_pass_are_untouched() -> None:
    x = pd.DataFrame({"a": np.arange(21.0), "b": np.r_[np.arange(1.0, 21.0), 100.0]})
    result = treat(x, skip=("b",))
    assert result.data.equals(x)
    assert result.details["treatment"].tolist() == ["none", "none"]
    assert bool(result.details.loc["b", "passes"]) is False


def _one_column_at_a_time(x: np.ndarray, winmax: int | None) -> tuple[np.ndarray, str, int]:
    """The treatment of one column by the scalar functions: the reference for treat()."""
    if passes_skew_kurt(x):
        return x, "none", 0
    y, n, _ = winsorise(x, winmax)
    if passes_skew_kurt(y):
        return y, "winsorised", n
    return log_ct(x), "log_CT", 0


heavy_tails = st.lists(
    st.one_of(st.integers(0, 5), st.sampled_from([40, 40, 300, -250])), min_size=8, max_size=30
)


@settings(max_examples=80, deadline=None)
@given(st.lists(heavy_tails, min_size=1, max_size=4), st.sampled_from([0, 1, 3, 5, None]))
def test_columns_treated_together_equal_one_at_a_time(
    columns: list[list[int]], winmax: int | None
) -> None:
    # complete columns are winsorised in step; each must match the one-column loop exactly
    n = min(len(c) for c in columns)
    frame = pd.DataFrame({f"c{i}": np.array(c[:n], dtype=float) for i, c in enumerate(columns)})
    frame = frame.loc[:, frame.nunique() > 1]
    if frame.empty:
        return
    result = treat(frame, winmax=winmax)
    for code in frame.columns:
        y, method, count = _one_column_at_a_time(frame[code].to_numpy(), winmax)
        assert np.array_equal(result.data[code].to_numpy(), y)
        assert result.details.at[code, "treatment"] == method
        assert result.details.at[code, "n_winsorised"] == count
