"""Uncertainty and sensitivity analysis on the ASEM example."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from bioconnect.errors import InputError
from bioconnect.indicators import Framework, parse_pipeline, sensitivity_analysis
from indicators.conftest import ASEM_PIPELINE


@pytest.fixture(scope="module")
def pipeline():
    return parse_pipeline(yaml.safe_load(ASEM_PIPELINE.read_text(encoding="utf-8")))


def test_same_seed_same_result(asem: Framework, pipeline) -> None:
    a = sensitivity_analysis(asem, pipeline, runs=200, seed=7)
    b = sensitivity_analysis(asem, pipeline, runs=200, seed=7)
    assert a.ranks.equals(b.ranks) and a.indices.equals(b.indices)
    assert a.n_runs == 192  # base sample 32 times (4 factors + 2)
    assert a.nominal_ranks[["CHE", "NLD", "DNK"]].tolist() == [1, 2, 3]
    iv = a.rank_intervals
    assert ((iv["q05"] <= iv["median"]) & (iv["median"] <= iv["q95"])).all()
    assert ((iv["q05"] >= 1) & (iv["q95"] <= 51)).all()


def test_a_choice_without_effect_has_zero_indices(asem: Framework, pipeline) -> None:
    # both aggregation alternatives are the arithmetic mean, so the factor changes nothing
    r = sensitivity_analysis(asem, pipeline, runs=200, seed=3, aggregations=("a_amean", "a_amean"))
    assert r.indices.loc["aggregation", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert r.indices.loc["weights", "ST"] > 0


def test_only_nominal_choices_reproduce_the_nominal_ranks(asem: Framework, pipeline) -> None:
    r = sensitivity_analysis(
        asem,
        pipeline,
        runs=48,
        seed=1,
        weight_noise=0.0,
        normalisations=({"f_n": "n_minmax", "l_u": [0, 100]},),
        aggregations=("a_amean",),
    )
    # treatment is the only factor left; its "treated" alternative rows equal the nominal ranks
    nominal = r.nominal_ranks.to_numpy()
    assert any(np.array_equal(row, nominal) for row in r.ranks.to_numpy())


def test_too_few_runs(asem: Framework, pipeline) -> None:
    with pytest.raises(InputError, match="6 runs are too few"):
        sensitivity_analysis(asem, pipeline, runs=6)
