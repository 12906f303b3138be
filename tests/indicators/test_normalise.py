"""Normalisation: each method by hand, directions, and min-max bounds as a property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioconnect.errors import InputError
from bioconnect.indicators import (
    n_borda,
    n_dist2max,
    n_dist2ref,
    n_dist2targ,
    n_fracmax,
    n_goalposts,
    n_minmax,
    n_prank,
    n_rank,
    n_zscore,
    normalise,
)

X = np.array([2.0, 8.0, 4.0, 8.0, np.nan])


def test_methods_by_hand() -> None:
    assert n_minmax(X, (1, 4))[:4].tolist() == [1.0, 4.0, 2.0, 4.0]
    z = n_zscore(X)
    assert z[:4] == pytest.approx([(2 - 5.5) / 3, (8 - 5.5) / 3, (4 - 5.5) / 3, (8 - 5.5) / 3])
    assert n_rank(X)[:4].tolist() == [1.0, 3.0, 2.0, 3.0]
    assert n_prank(X)[:4].tolist() == [0.0, 2 / 3, 1 / 3, 2 / 3]
    assert n_borda(X)[:4].tolist() == [0.0, 2.0, 1.0, 2.0]
    assert n_dist2max(X)[:4] == pytest.approx([0.0, 1.0, 1 / 3, 1.0])
    assert n_fracmax(X)[:4].tolist() == [0.25, 1.0, 0.5, 1.0]
    assert n_dist2targ(X, 6.0)[:4].tolist() == [0.0, 1.5, 0.5, 1.5]
    assert n_dist2targ(X, 6.0, cap_max=True)[:4].tolist() == [0.0, 1.0, 0.5, 1.0]
    assert n_dist2ref(X, 4.0)[:4].tolist() == [0.0, 3.0, 1.0, 3.0]
    assert n_goalposts(X, (3, 7, 10))[:4].tolist() == [0.0, 10.0, 2.5, 10.0]
    assert all(np.isnan(f(X)[4]) for f in (n_minmax, n_zscore, n_rank, n_prank, n_dist2max))


def test_directions_and_targets() -> None:
    data = pd.DataFrame({"up": [1.0, 2.0, 3.0], "down": [10.0, 20.0, 30.0]}, index=list("ABC"))
    dirs = pd.Series({"up": 1, "down": -1})
    out = normalise(data, dirs)
    assert out["down"].tolist() == [100.0, 50.0, 0.0]
    # the target is on the raw scale and follows the direction: 15 is "reached" at 10
    targ = normalise(
        data, dirs, "n_dist2targ", {"cap_max": True}, targets=pd.Series({"up": 2.0, "down": 20.0})
    )
    assert targ["up"].tolist() == [0.0, 1.0, 1.0] and targ["down"].tolist() == [1.0, 1.0, 0.0]
    ref = normalise(data, dirs, "n_dist2ref", {"iref": "B"})
    assert ref["up"].tolist() == [0.0, 1.0, 2.0]
    goal = normalise(data, dirs, "n_goalposts", {"gposts": [10, 30, 100]})
    assert goal["down"].tolist() == [100.0, 50.0, 0.0]


def test_bad_methods_and_parameters() -> None:
    data = pd.DataFrame({"a": [1.0, 2.0]})
    dirs = pd.Series({"a": 1})
    with pytest.raises(InputError, match="f_n 'n_logistic' is not a method"):
        normalise(data, dirs, "n_logistic")
    with pytest.raises(InputError, match="n_minmax has no parameter 'm_sd'"):
        normalise(data, dirs, "n_minmax", {"m_sd": [0, 1]})
    with pytest.raises(InputError, match="l_u 5 is not 2 numbers"):
        normalise(data, dirs, "n_minmax", {"l_u": 5})
    with pytest.raises(InputError, match="iref 'Z' is not a unit"):
        normalise(data, dirs, "n_dist2ref", {"iref": "Z"})


values = st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30).filter(lambda v: np.ptp(v) > 1e-6)


@settings(max_examples=80, deadline=None)
@given(values, st.floats(-100, 100), st.floats(0.5, 200))
def test_minmax_within_bounds(v: list[float], lo: float, width: float) -> None:
    y = n_minmax(np.array(v), (lo, lo + width))
    assert y.min() == pytest.approx(lo) and y.max() == pytest.approx(lo + width)
    assert np.all((y >= lo - 1e-9) & (y <= lo + width + 1e-9))


@settings(max_examples=60, deadline=None)
@given(values)
def test_rank_based_methods_agree(v: list[float]) -> None:
    x = np.array(v)
    assert np.array_equal(n_borda(x), n_rank(x) - 1)
    assert np.all((n_prank(x) >= 0) & (n_prank(x) <= 1))
