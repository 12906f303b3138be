"""COINr's build_example_coin() on the ASEM data, and its variants checked by hand.

The reference figures are COINr's Index for the top three units (CHE 68.384, NLD 64.820,
DNK 64.804, quoted in issue 12). The variants have no reference numbers in the repository,
so each is checked against a plain pandas computation from the engine's previous stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from bioconnect.indicators import Framework, parse_pipeline, passes_skew_kurt, run_pipeline
from indicators.conftest import ASEM_PIPELINE


def _pipeline(**changes: dict | None):
    spec = yaml.safe_load(ASEM_PIPELINE.read_text(encoding="utf-8"))
    p = parse_pipeline(spec, ASEM_PIPELINE.name)
    for name, args in changes.items():
        p = p.replace(name, args)
    return p


def _tree_mean(frame: pd.DataFrame, fw: Framework, mean) -> pd.DataFrame:
    """Aggregate level by level with plain pandas (equal weights in ASEM)."""
    out = frame.copy()
    for level in range(2, fw.n_levels + 1):
        for code in fw.meta.index[fw.meta["Level"] == level]:
            kids = list(fw.meta.index[fw.meta["Parent"] == code])
            out[code] = mean(out[kids])
    return out


def test_index_reproduces_coinr(asem: Framework) -> None:
    result = run_pipeline(asem, _pipeline())
    index = result.scores["Index"]
    assert index["CHE"] == pytest.approx(68.384, abs=5e-4)
    assert index["NLD"] == pytest.approx(64.820, abs=5e-4)
    assert index["DNK"] == pytest.approx(64.804, abs=5e-4)
    assert result.ranks.loc[["CHE", "NLD", "DNK"], "Index"].tolist() == [1, 2, 3]
    assert result.removed_units == []  # imputation fills every gap, so the screen keeps all 51
    assert list(result.datasets) == [
        "Raw",
        "Denominated",
        "Imputed",
        "Screened",
        "Treated",
        "Normalised",
    ]


def test_stages_against_pandas(asem: Framework, asem_frames) -> None:
    data, _ = asem_frames
    result = run_pipeline(asem, _pipeline())
    raw = data.set_index("uCode")
    denominated = result.datasets["Denominated"]
    # Flights is denominated by Population, LPI is not
    assert np.allclose(denominated["Flights"], raw["Flights"] / raw["Population"])
    assert np.allclose(denominated["LPI"], raw["LPI"])
    imputed = result.datasets["Imputed"]
    for code, group in (("ConSpeed", "Asia"), ("Poverty", "Europe"), ("Pat", "Asia")):
        members = raw["EurAsia_group"] == group
        gap = raw[code].isna() & members
        assert gap.sum() > 0
        expected = denominated.loc[members, code].mean()
        assert np.allclose(imputed.loc[gap, code], expected)
    assert imputed.notna().all().all()
    # every treated column passes COINr's test, and untreated columns are unchanged
    treated, details = result.datasets["Treated"], result.treatment
    assert all(passes_skew_kurt(treated[c].to_numpy()) for c in treated)
    untouched = details.index[details["treatment"] == "none"]
    assert np.allclose(treated[untouched], imputed[untouched])
    # min-max 0-100 after directions; the index is the mean of the means
    signed = treated * asem.meta["Direction"][treated.columns]
    expected = (signed - signed.min()) / (signed.max() - signed.min()) * 100
    assert np.allclose(result.normalised, expected)
    tree = _tree_mean(expected, asem, lambda f: f.mean(axis=1))
    assert np.allclose(result.scores, tree[result.scores.columns])


def test_zscore_variant(asem: Framework) -> None:
    result = run_pipeline(asem, _pipeline(normalise={"f_n": "n_zscore", "f_n_para": [10, 2]}))
    signed = result.datasets["Treated"] * asem.meta["Direction"][result.normalised.columns]
    expected = (signed - signed.mean()) / signed.std(ddof=1) * 2 + 10
    assert np.allclose(result.normalised, expected)
    assert np.allclose(result.normalised.mean(), 10) and np.allclose(result.normalised.std(), 2)
    tree = _tree_mean(expected, asem, lambda f: f.mean(axis=1))
    assert np.allclose(result.scores, tree[result.scores.columns])


def test_geometric_mean_variant(asem: Framework) -> None:
    result = run_pipeline(
        asem,
        _pipeline(normalise={"f_n": "n_minmax", "l_u": [1, 100]}, aggregate={"f_ag": "a_gmean"}),
    )
    assert result.normalised.min().min() == pytest.approx(1.0)
    geometric = lambda f: np.exp(np.log(f).mean(axis=1))  # noqa: E731
    tree = _tree_mean(result.normalised, asem, geometric)
    assert np.allclose(result.scores, tree[result.scores.columns])
    # a geometric mean is at most the arithmetic one
    arithmetic = _tree_mean(result.normalised, asem, lambda f: f.mean(axis=1))
    assert (result.scores["Physical"] <= arithmetic["Physical"] + 1e-9).all()


def test_geometric_mean_of_zeros_is_refused(asem: Framework) -> None:
    from bioconnect.errors import InputError

    with pytest.raises(InputError, match="a_gmean needs positive values"):
        run_pipeline(asem, _pipeline(aggregate={"f_ag": "a_gmean"}))


def test_no_treatment_variant(asem: Framework) -> None:
    result = run_pipeline(asem, _pipeline(treat=None))
    assert "Treated" not in result.datasets and result.treatment is None
    signed = result.datasets["Screened"] * asem.meta["Direction"][result.normalised.columns]
    expected = (signed - signed.min()) / (signed.max() - signed.min()) * 100
    assert np.allclose(result.normalised, expected)
    tree = _tree_mean(expected, asem, lambda f: f.mean(axis=1))
    assert np.allclose(result.scores, tree[result.scores.columns])
    nominal = run_pipeline(asem, _pipeline())
    assert not np.allclose(result.scores["Index"], nominal.scores["Index"])
