"""Weighted-sum scores, ranks and Monte Carlo rank intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_tiny import tiny_config, tiny_plan

from bioconnect.errors import InputError
from bioconnect.plan import (
    Initiative,
    Plan,
    PlanConfig,
    criteria_matrix,
    normalise_weights,
    rank_matrix,
    rank_stability,
    score_initiatives,
)


def test_scores_by_hand(plan: Plan, config: PlanConfig) -> None:
    """Weights impact 3 : cost 1 -> 0.75 : 0.25; cost is lower-is-better.

    I1: impact 5 -> 1.0, cost 2 -> (5-2)/4 = 0.75; 0.75*1 + 0.25*0.75 = 0.9375.
    I2: impact 3 -> 0.5, cost 1 -> 1.0;            0.75*0.5 + 0.25*1 = 0.625.
    """
    table = score_initiatives(plan, config)
    assert table[["initiative", "rank"]].values.tolist() == [["I1", 1], ["I2", 2]]
    assert table["score"].tolist() == pytest.approx([0.9375, 0.625])
    cost_only = score_initiatives(plan, config, {"impact": 0, "cost": 1})
    assert cost_only["initiative"].tolist() == ["I2", "I1"]


def test_ties_go_to_the_smaller_id(config: PlanConfig) -> None:
    p = tiny_plan(lambda d: d["initiatives"][1].update(scores={"impact": 5, "cost": 2}, id="I0"))
    assert score_initiatives(p, config)["initiative"].tolist() == ["I0", "I1"]
    assert rank_matrix(np.array([[1.0, 1.0, 2.0]])).tolist() == [[2, 3, 1]]


def test_missing_scores_are_listed_or_filled(config: PlanConfig) -> None:
    p = tiny_plan(lambda d: d["initiatives"][1].update(scores={"impact": 3}))
    with pytest.raises(InputError, match=r"I2\.cost"):
        score_initiatives(p, config)
    ids, m = criteria_matrix(p, config, fill_missing=3)
    assert ids == ["I1", "I2"]
    assert m.tolist() == [[1.0, 0.75], [0.5, 0.5]]


def test_bad_weights(plan: Plan, config: PlanConfig) -> None:
    with pytest.raises(InputError, match="unknown criteria charm; no weight for cost"):
        score_initiatives(plan, config, {"impact": 1, "charm": 1})
    with pytest.raises(InputError, match="not all zero"):
        score_initiatives(plan, config, {"impact": 0, "cost": 0})


def test_dropped_are_left_out(config: PlanConfig) -> None:
    p = tiny_plan(lambda d: d["initiatives"][0].update(status="dropped"))
    assert score_initiatives(p, config)["initiative"].tolist() == ["I2"]
    assert len(score_initiatives(p, config, include_dropped=True)) == 2


def _scored_plan(scores: list[list[int]], cfg: PlanConfig) -> Plan:
    items = [
        Initiative(
            id=f"I{n:03d}",
            title="x",
            pillar="a",
            scores=dict(zip(cfg.criterion_ids, row, strict=True)),
        )
        for n, row in enumerate(scores)
    ]
    return Plan(name="p", region="tiny", initiatives=items)


SCORES = st.lists(st.lists(st.integers(1, 5), min_size=2, max_size=2), min_size=1, max_size=25)


@settings(max_examples=80, deadline=None)
@given(
    SCORES,
    st.tuples(st.floats(0.0, 10.0), st.floats(0.01, 10.0)),
    st.floats(1e-3, 1e3),
)
def test_ranks_do_not_change_when_weights_are_scaled(
    scores: list[list[int]], raw: tuple[float, float], factor: float
) -> None:
    cfg = tiny_config()
    p = _scored_plan(scores, cfg)
    w = dict(zip(cfg.criterion_ids, raw, strict=True))
    scaled = {k: v * factor for k, v in w.items()}
    a = score_initiatives(p, cfg, w)
    b = score_initiatives(p, cfg, scaled)
    assert a["initiative"].tolist() == b["initiative"].tolist()
    assert a["rank"].tolist() == b["rank"].tolist()


@settings(max_examples=30, deadline=None)
@given(SCORES, st.sampled_from([0.5, 2.0, 1024.0]))
def test_rank_intervals_do_not_change_when_weights_are_scaled(
    scores: list[list[int]], factor: float
) -> None:
    """Scaling by a power of two is exact, so the same seed gives the same draws."""
    cfg = tiny_config()
    p = _scored_plan(scores, cfg)
    a = rank_stability(p, cfg, {"impact": 3, "cost": 1}, samples=200, seed=5)
    b = rank_stability(p, cfg, {"impact": 3 * factor, "cost": factor}, samples=200, seed=5)
    assert a.equals(b)


def test_rank_intervals_by_hand(config: PlanConfig) -> None:
    """A dominates B on both criteria, so A is first in every draw."""
    p = _scored_plan([[5, 1], [1, 5]], config)
    table = rank_stability(p, config, samples=500, seed=1)
    cols = ["initiative", "rank", "median_rank", "rank_low", "rank_high", "top_share"]
    assert table[cols].values.tolist() == [["I000", 1, 1, 1, 1, 1.0], ["I001", 2, 2, 2, 2, 0.0]]


def test_close_call_gets_a_wide_interval(config: PlanConfig) -> None:
    """B is better on impact, C on cost; with weights near 0.75/0.25 they swap places.

    B: 0.75*1 + 0.25*0 = 0.75; C: 0.75*0.75 + 0.25*1 = 0.8125. Close enough that the
    Dirichlet draws put either first.
    """
    p = _scored_plan([[5, 5], [4, 1]], config)
    table = rank_stability(p, config, samples=2000, concentration=10, seed=3)
    assert table["rank"].tolist() == [1, 2]
    assert table["rank_low"].tolist() == [1, 1]
    assert table["rank_high"].tolist() == [2, 2]
    assert 0 < table["top_share"].iloc[0] < 1


def test_same_seed_same_table_and_generator_accepted(plan: Plan, config: PlanConfig) -> None:
    a = rank_stability(plan, config, samples=100, seed=7)
    b = rank_stability(plan, config, samples=100, seed=np.random.default_rng(7))
    assert a.equals(b)


def test_bad_monte_carlo_arguments(plan: Plan, config: PlanConfig) -> None:
    with pytest.raises(InputError, match="samples"):
        rank_stability(plan, config, samples=0)
    with pytest.raises(InputError, match="concentration"):
        rank_stability(plan, config, concentration=0)
    with pytest.raises(InputError, match="interval"):
        rank_stability(plan, config, interval=(95, 5))


def test_empty_plan(config: PlanConfig) -> None:
    table = rank_stability(Plan(name="p", region="tiny"), config)
    assert table.empty
    assert "rank_low" in table.columns


def test_example_plan_ranks_with_intervals(example_plan: Plan, baltic_config: PlanConfig) -> None:
    table = rank_stability(example_plan, baltic_config, samples=2000, seed=0)
    assert len(table) == 42
    assert sorted(table["rank"]) == list(range(1, 43))
    assert (table["rank_low"] <= table["median_rank"]).all()
    assert (table["median_rank"] <= table["rank_high"]).all()
    assert (table["rank_low"] >= 1).all() and (table["rank_high"] <= 42).all()
    assert normalise_weights(baltic_config).sum() == pytest.approx(1.0)
    # the ranking is not a foregone conclusion: some initiatives move several places
    assert (table["rank_high"] - table["rank_low"]).max() >= 3
    # the table is in the order of the plain weighted-sum ranking
    plain = score_initiatives(example_plan, baltic_config)
    assert table["initiative"].tolist() == plain["initiative"].tolist()
    assert table.loc[0, "initiative"] == "S01"  # the accelerator, at 0.775
