"""Aggregation: each method by hand, missing values, effective weights, and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bioconnect.errors import InputError
from bioconnect.indicators import (
    a_amean,
    a_copeland,
    a_gmean,
    a_hmean,
    a_wmedian,
    aggregate,
    effective_weights,
    rank_scores,
    validate_framework,
)
from indicators.conftest import tiny_data, tiny_meta

M = np.array([[1.0, 4.0, 16.0], [2.0, np.nan, 8.0]])
W = np.array([1.0, 2.0, 1.0])


def test_means_by_hand() -> None:
    assert a_amean(M, W).tolist() == [(1 + 8 + 16) / 4, (2 + 8) / 2]
    assert a_gmean(M, W) == pytest.approx([(1 * 16 * 16) ** 0.25, (2 * 8) ** 0.5])
    assert a_hmean(M, W) == pytest.approx([4 / (1 + 2 / 4 + 1 / 16), 2 / (1 / 2 + 1 / 8)])


def test_weighted_median_by_hand() -> None:
    # sorted 1, 4, 16 with weights 1/4, 1/2, 1/4: 4 holds the middle
    assert a_wmedian(M, W)[0] == 4.0
    # one missing value: 2 and 8 with weights 1/2, 1/2 -> the midpoint
    assert a_wmedian(M, W)[1] == 5.0


def test_copeland_by_hand() -> None:
    x = np.array([[3.0, 1.0, 2.0], [2.0, 2.0, 2.0], [1.0, 3.0, 1.0]])
    # weights 1, 2, 1. A-B: e_AB = 1 + 0.5 (tie) = 1.5 < e_BA = 2 + 0.5: B wins.
    # A-C: 1 + 1 against 2, a tie; B-C: 1 + 1 against 2, a tie.
    w = np.array([1.0, 2.0, 1.0])
    assert a_copeland(x, w).tolist() == [-1.0, 1.0, 0.0]


def test_all_missing_gives_missing() -> None:
    assert np.isnan(a_amean(np.array([[np.nan, np.nan]]), np.ones(2))[0])


def test_gmean_needs_positive_values() -> None:
    with pytest.raises(InputError, match="a_gmean needs positive values"):
        a_gmean(np.array([[0.0, 1.0]]), np.ones(2))


def test_hmean_stops_on_zeros_only() -> None:
    # COINr's a_hmean stops on a zero (1/x); a negative value is computed: 2 / (1/-1 + 1/2)
    assert a_hmean(np.array([[-1.0, 2.0]]), np.ones(2)).tolist() == [2 / (-1 + 1 / 2)]
    with pytest.raises(InputError, match="a_hmean cannot divide by the zeros"):
        a_hmean(np.array([[0.0, 1.0]]), np.ones(2))


def test_data_availability_threshold_by_hand() -> None:
    # COINr's Aggregate(dat_thresh = t): a unit with a share of present children below t in
    # a group gets no value there. Unit B lacks y: P has 1 of 2 children (0.5), Q 1 of 1.
    data = tiny_data().assign(y=[4.0, None, 0.0])
    fw = validate_framework(data, tiny_meta())
    loose = aggregate(fw.data, fw, dat_thresh=0.5)
    assert loose.loc["B", "P"] == 5.0  # x alone, y's weight dropped
    strict = aggregate(fw.data, fw, dat_thresh=0.6)
    assert np.isnan(strict.loc["B", "P"]) and strict.loc["B", "Q"] == 2.0
    # the Index then has one of its two children: 0.5 < 0.6, so it is missing too
    assert np.isnan(strict.loc["B", "Index"]) and not strict.drop("B")["Index"].isna().any()
    with pytest.raises(InputError, match=r"dat_thresh 2\.0 is outside"):
        aggregate(fw.data, fw, dat_thresh=2.0)


def test_tree_and_effective_weights() -> None:
    fw = validate_framework(tiny_data(), tiny_meta())
    out = aggregate(fw.data, fw, "a_amean")
    # P = (x + 3 y) / 4, Q = z, Index = (P + Q) / 2
    assert out.loc["A", "P"] == (0 + 3 * 4) / 4 and out.loc["C", "Q"] == 8.0
    assert out.loc["B", "Index"] == ((5 + 3 * 2) / 4 + 2) / 2
    mixed = aggregate(fw.data, fw, ["a_amean", "a_gmean"])
    assert mixed.loc["A", "Index"] == pytest.approx(np.sqrt(3.0 * 2.0))
    ew = effective_weights(fw)
    assert ew[["x", "y", "z"]].tolist() == [0.125, 0.375, 0.5] and ew["Index"] == 1.0
    with pytest.raises(InputError, match="f_ag lists 1 methods for 2 levels"):
        aggregate(fw.data, fw, ["a_amean"])
    with pytest.raises(InputError, match="f_ag 'a_max' is not a method"):
        aggregate(fw.data, fw, "a_max")


matrices = arrays(
    np.float64, st.tuples(st.integers(2, 12), st.integers(1, 6)), elements=st.floats(1, 100)
)
methods = st.sampled_from([a_amean, a_gmean, a_hmean, a_wmedian])


@settings(max_examples=80, deadline=None)
@given(matrices, st.floats(0.01, 1000), st.integers(0, 10_000))
def test_ranks_invariant_to_scaling_all_weights(x: np.ndarray, factor: float, seed: int) -> None:
    w = np.random.default_rng(seed).uniform(0.1, 2, size=x.shape[1])
    for method in (a_amean, a_gmean, a_hmean, a_wmedian, a_copeland):
        before = rank_scores(pd.DataFrame({"i": method(x, w)}))
        after = rank_scores(pd.DataFrame({"i": method(x, w * factor)}))
        if method in (a_wmedian, a_copeland):
            assert before.equals(after)
        else:
            assert np.allclose(method(x, w), method(x, w * factor))


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 15), elements=st.floats(1, 100)), st.integers(1, 6), methods
)
def test_identical_columns_give_that_column(col: np.ndarray, k: int, method) -> None:
    x = np.repeat(col[:, None], k, axis=1)
    w = np.arange(1.0, k + 1)
    assert np.allclose(method(x, w), col)
