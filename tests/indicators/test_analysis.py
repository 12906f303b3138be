"""Analysis on the ASEM index: correlations, Cronbach's alpha, PCA weights, remove-one impacts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.decomposition import PCA

from bioconnect.errors import InputError
from bioconnect.indicators import (
    Framework,
    correlations,
    cronbach_alpha,
    parse_pipeline,
    pca_weights,
    remove_one,
    run_pipeline,
)
from indicators.conftest import ASEM_PIPELINE


@pytest.fixture(scope="module")
def built(asem: Framework):
    return run_pipeline(
        asem, parse_pipeline(yaml.safe_load(ASEM_PIPELINE.read_text(encoding="utf-8")))
    )


def test_correlations(built, asem: Framework) -> None:
    table = pd.concat([built.normalised, built.scores], axis=1)
    within = correlations(table, asem)
    assert len(within) == 49 + 8 + 2
    lpi = within.set_index("code").loc["LPI"]
    assert lpi["against"] == "Physical"
    assert lpi["r"] == pytest.approx(np.corrcoef(table["LPI"], table["Physical"])[0, 1])
    across = correlations(table, asem, within=False)
    assert set(across[across["code"] == "LPI"]["against"]) == {
        *asem.codes_at(2),
        "Conn",
        "Sust",
        "Index",
    }


def test_cronbach_alpha_by_hand(built) -> None:
    x = built.normalised[["LPI", "Flights", "Ship"]]
    k = 3
    expected = k / (k - 1) * (1 - x.var().sum() / x.sum(axis=1).var())
    assert cronbach_alpha(x) == pytest.approx(expected)
    with pytest.raises(InputError, match="two or more columns"):
        cronbach_alpha(x[["LPI"]])


def test_pca_weights_against_scikit_learn(built) -> None:
    x = built.normalised[["LPI", "Flights", "Ship", "Bord", "Elec"]]
    z = (x - x.mean()) / x.std()
    loadings = PCA(n_components=1).fit(z.to_numpy()).components_[0]
    assert np.allclose(pca_weights(x).to_numpy(), loadings**2 / (loadings**2).sum())


def test_remove_one_by_hand(built, asem: Framework) -> None:
    impacts = remove_one(built.normalised, asem, level=2).set_index("removed")
    assert list(impacts.index) == asem.codes_at(2)
    weights = asem.meta["Weight"].astype(float).copy()
    weights["P2P"] = 0.0
    kids = [c for c in asem.codes_at(2) if c != "P2P"]
    conn = built.scores[[k for k in kids if asem.meta.at[k, "Parent"] == "Conn"]].mean(axis=1)
    index = (conn + built.scores["Sust"]) / 2
    ranks = index.rank(ascending=False, method="min")
    nominal = built.ranks["Index"].astype(float)
    assert impacts.at["P2P", "mean_abs_rank_change"] == pytest.approx(
        (ranks - nominal).abs().mean()
    )
