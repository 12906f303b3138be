"""Denominate, impute and screen: small cases computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioconnect.errors import InputError
from bioconnect.indicators import data_availability, denominate, impute, impute_em, screen_units


def test_denominate_by_hand() -> None:
    x = pd.DataFrame({"a": [6.0, 9.0], "b": [1.0, 2.0]}, index=["A", "B"])
    d = pd.DataFrame({"pop": [2.0, np.nan]}, index=["A", "B"])
    out = denominate(x, d, {"a": "pop"})
    assert out.loc["A", "a"] == 3.0 and np.isnan(out.loc["B", "a"])
    assert out["b"].tolist() == [1.0, 2.0]


X = pd.DataFrame(
    {"a": [1.0, 3.0, np.nan, 10.0, np.nan, 4.0], "b": [2.0, np.nan, 6.0, 8.0, 1.0, np.nan]},
    index=list("ABCDEF"),
)
G = pd.Series(["e", "e", "e", "w", "w", "w"], index=list("ABCDEF"))


def test_impute_mean_and_median() -> None:
    assert impute(X, "i_mean").loc["C", "a"] == pytest.approx(18 / 4)
    assert impute(X, "i_median").loc["C", "a"] == pytest.approx(3.5)  # median of 1, 3, 4, 10
    assert impute(X, "i_median").loc["B", "b"] == pytest.approx(4.0)  # median of 1, 2, 6, 8


def test_impute_by_group() -> None:
    mean = impute(X, "i_mean_grp", groups=G)
    assert mean.loc["C", "a"] == 2.0 and mean.loc["E", "a"] == 7.0
    assert mean.loc["B", "b"] == 4.0 and mean.loc["F", "b"] == 4.5
    median = impute(X.assign(a=[1.0, 3.0, np.nan, 10.0, 20.0, 4.0]), "i_median_grp", groups=G)
    assert median.loc["C", "a"] == 2.0
    assert not impute(X, "i_mean_grp", groups=G).isna().any().any()


def test_impute_group_with_no_values_leaves_the_gap() -> None:
    x = pd.DataFrame({"a": [np.nan, np.nan, 5.0]}, index=list("ABC"))
    out = impute(x, "i_mean_grp", groups=pd.Series(["e", "e", "w"], index=list("ABC")))
    assert out["a"].isna().tolist() == [True, True, False]


def test_impute_em_recovers_a_linear_relation() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=40)
    full = pd.DataFrame({"a": a, "b": 3 * a + 1 + rng.normal(scale=0.01, size=40)})
    holed = full.copy()
    holed.loc[[3, 17, 29], "b"] = np.nan
    out = impute_em(holed)
    assert np.allclose(out.loc[[3, 17, 29], "b"], full.loc[[3, 17, 29], "b"], atol=0.05)
    assert out.loc[holed["b"].notna(), "b"].equals(full.loc[holed["b"].notna(), "b"])
    # better than the column mean by far
    assert (
        np.abs(out["b"] - full["b"]).sum()
        < 0.1 * np.abs(impute(holed, "i_mean")["b"] - full["b"]).sum()
    )


def test_impute_bad_method() -> None:
    with pytest.raises(InputError, match="impute: f_i 'i_knn' is not a method"):
        impute(X, "i_knn")
    with pytest.raises(InputError, match="needs a group"):
        impute(X, "i_mean_grp")


def test_screen_by_hand() -> None:
    x = pd.DataFrame(
        {"a": [1.0, np.nan, 0.0], "b": [2.0, np.nan, 0.0], "c": [1.0, 1.0, 3.0]}, index=list("ABC")
    )
    avail = data_availability(x)
    assert avail["dat_avail"].round(4).tolist() == [1.0, 0.3333, 1.0]
    assert avail["non_zero"].round(4).tolist() == [1.0, 1.0, 0.3333]
    assert screen_units(x, dat_thresh=0.5)[1] == ["B"]
    assert screen_units(x, unit_screen="byzeros", nonzero_thresh=0.5)[1] == ["C"]
    assert screen_units(x, unit_screen="byNAandzeros", dat_thresh=0.5, nonzero_thresh=0.5)[1] == [
        "B",
        "C",
    ]
    kept, removed = screen_units(x, dat_thresh=0.5, force={"B": True, "A": False})
    assert list(kept.index) == ["B", "C"] and removed == ["A"]
    with pytest.raises(InputError, match="unit_screen 'byRows' is not a rule"):
        screen_units(x, unit_screen="byRows")
