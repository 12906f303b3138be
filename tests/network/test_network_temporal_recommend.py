"""Snapshots over time, partner recommendations and their temporal hold-out evaluation."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from network_tiny import organisations, participations

from bioconnect.errors import InputError, NotFoundError
from bioconnect.network import (
    build_network,
    candidate_scores,
    recommend_partners,
    snapshots,
    temporal_holdout,
)
from bioconnect.network.evaluate import auc_with_zero_pool, precision_at_k

BALTIC = ["EE", "LV", "LT", "FI"]


def test_yearly_rolling_and_cumulative_windows() -> None:
    projects = {"P1": ["a", "b"], "P2": ["a", "c"], "P3": ["b", "c"]}
    years = {"P1": 2015, "P2": 2016, "P3": 2018}
    frame = participations(projects, {"a": "EE", "b": "LV", "c": "FI"}, years=years)
    yearly = snapshots(frame, communities=False)
    assert yearly.summary["end_year"].tolist() == [2015, 2016, 2017, 2018]
    assert yearly.summary["n_edges"].tolist() == [1, 1, 0, 1]
    rolling = snapshots(frame, window=2, communities=True)
    assert rolling.summary[["start_year", "end_year"]].values.tolist() == [
        [2015, 2016],
        [2016, 2017],
        [2017, 2018],
    ]
    assert rolling.summary["n_edges"].tolist() == [2, 1, 1]
    grown = snapshots(frame, cumulative=True, communities=False)
    assert grown.summary["n_edges"].tolist() == [1, 2, 2, 3]
    assert grown.links_between(["EE", "LV"])["EE-LV"].tolist() == [1, 1, 1, 1]
    with pytest.raises(InputError, match="first_year and last_year"):
        snapshots(frame, start_year=2015)
    with pytest.raises(InputError, match="no complete window"):
        snapshots(frame, window=10)


def test_real_yearly_links_equal_one_network_per_year(h2020) -> None:
    timeline = snapshots(
        h2020.participations,
        h2020.organisations,
        countries=BALTIC,
        first_year=2014,
        last_year=2020,
        communities=False,
    )
    links = timeline.links_between(BALTIC)
    assert list(links.index) == list(range(2014, 2021))
    for year in (2014, 2017, 2020):
        net = build_network(h2020.participations, countries=BALTIC, start_year=year, end_year=year)
        assert links.loc[year].sum() == net.n_edges
        row = timeline.summary.set_index("end_year").loc[year]
        assert row["n_nodes"] == net.n_nodes


def test_scores_match_networkx_link_prediction(baltic, baltic_nx) -> None:
    scores = candidate_scores(baltic)
    positions = {org: i for i, org in enumerate(baltic.nodes["org_id"])}
    pairs = list(zip(scores["source"].map(positions), scores["target"].map(positions), strict=True))
    sample = pairs[:: max(1, len(pairs) // 2000)]
    aa = {(u, v): p for u, v, p in nx.adamic_adar_index(baltic_nx, sample)}
    ra = {(u, v): p for u, v, p in nx.resource_allocation_index(baltic_nx, sample)}
    frame = scores.iloc[:: max(1, len(pairs) // 2000)]
    for (u, v), row in zip(sample, frame.itertuples(), strict=True):
        assert row.adamic_adar == pytest.approx(aa[(u, v)], rel=1e-12)
        assert row.resource_allocation == pytest.approx(ra[(u, v)], rel=1e-12)
        assert row.common_neighbours == len(list(nx.common_neighbors(baltic_nx, u, v)))
        assert not baltic_nx.has_edge(u, v) and u < v
    # every pair at distance two is a candidate
    two_hop = sum(
        1
        for u in baltic_nx
        for v in nx.single_source_shortest_path_length(baltic_nx, u, cutoff=2)
        if u < v and not baltic_nx.has_edge(u, v)
    )
    assert two_hop == len(scores)


def test_recommendation_explains_shared_partners_domains_and_border() -> None:
    projects = {
        "P1": ["a", "x"],
        "P2": ["a", "y"],
        "P3": ["b", "x"],
        "P4": ["b", "y"],
        "P5": ["c", "x"],
    }
    countries = {"a": "EE", "b": "LV", "c": "EE", "x": "FI", "y": "FI"}
    domains = pd.DataFrame(
        {
            "project_id": ["P1", "P2", "P3", "P4"],
            "domain": ["health", "health", "industrial", "industrial"],
        }
    )
    orgs = organisations({k: "academia" for k in countries}, countries)
    net = build_network(participations(projects, countries), orgs, domains)
    result = recommend_partners(net, "a")
    assert result["partner_id"].tolist() == ["b", "c"]
    top = result.iloc[0]
    assert top["common_neighbours"] == 2 and top["complementarity"] == 1.0 and top["cross_border"]
    assert top["explanation"] == (
        "Both work with Org X and Org Y; Org A is strong in health, Org B in industrial; "
        "a cross-border tie EE–LV."
    )
    assert recommend_partners(net, "a", partner_countries=["EE"])["partner_id"].tolist() == ["c"]
    plain = recommend_partners(net, "a", method="common_neighbours")
    assert plain["score"].tolist() == [2.0, 1.0]
    everyone = recommend_partners(net, top=3)
    assert len(everyone) == 3 and everyone["score"].is_monotonic_decreasing
    with pytest.raises(NotFoundError, match="'q' is not in this network"):
        recommend_partners(net, "q")
    with pytest.raises(InputError, match="Unknown method"):
        recommend_partners(net, "a", method="katz")


def test_real_region_recommendations_have_explanations(baltic) -> None:
    result = recommend_partners(baltic, top=20, partner_countries=["EE", "LV", "LT"])
    assert len(result) == 20
    assert result["explanation"].str.startswith("Both work with").all()
    assert result["partner_country"].isin(["EE", "LV", "LT"]).all()


def brute_precision(scores, labels, k, rng, rounds=4000):
    hits = []
    for _ in range(rounds):
        order = np.lexsort((rng.random(len(scores)), -scores))
        hits.append(labels[order[:k]].mean())
    return float(np.mean(hits))


def test_precision_and_auc_against_brute_force() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, 60).astype(float)
    labels = rng.random(60) < 0.3
    for k in (1, 5, 17):
        assert precision_at_k(scores, labels, k) == pytest.approx(
            brute_precision(scores, labels, k, rng), abs=0.02
        )
    pos, neg = scores[labels], scores[~labels]
    expected = np.mean(
        [1.0 if p > q else 0.5 if p == q else 0.0 for p, q in itertools.product(pos, neg)]
    )
    assert auc_with_zero_pool(pos, neg) == pytest.approx(expected)
    # unscored candidates behave like explicit zeros
    nz_pos, nz_neg = pos[pos > 0], neg[neg > 0]
    assert auc_with_zero_pool(
        nz_pos, nz_neg, zero_pos=int((pos == 0).sum()), zero_neg=int((neg == 0).sum())
    ) == pytest.approx(expected)
    nz = scores > 0
    assert precision_at_k(
        scores[nz], labels[nz], 30, zero_pool=int((~nz).sum()), zero_hits=int(labels[~nz].sum())
    ) == pytest.approx(precision_at_k(scores, labels, 30))


def test_real_holdout_evaluation(h2020) -> None:
    result = temporal_holdout(
        h2020.participations, h2020.organisations, h2020.project_domains, countries=BALTIC
    )
    table = result.table.set_index("method")
    assert result.n_positives > 100
    assert (
        result.n_candidates
        == result.n_train_nodes * (result.n_train_nodes - 1) // 2 - result.n_train_edges
    )
    assert table.at["random", "precision_at_10"] == pytest.approx(
        result.n_positives / result.n_candidates
    )
    for method in ("combined", "common_neighbours", "adamic_adar", "resource_allocation"):
        assert table.at[method, "auc"] > 0.6
        assert table.at[method, "precision_at_100"] > 10 * table.at["random", "precision_at_100"]
    with pytest.raises(InputError, match="overlap"):
        temporal_holdout(h2020.participations, countries=BALTIC, train_end=2018, test_start=2018)
