"""Per-organisation measures: hand-computed cases, then networkx as an oracle on real data."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from network_tiny import participations

from bioconnect.errors import InputError
from bioconnect.network import (
    betweenness,
    build_network,
    burt_constraint,
    coreness,
    cross_border_share,
    degree_strength,
    eigenvector_centrality,
    local_clustering,
    organisation_metrics,
    pagerank,
    sample_size_for_epsilon,
)

# a-b-c path plus a triangle c-d-e: c is the cut vertex
PATH_TRIANGLE = {"P1": ["a", "b"], "P2": ["b", "c"], "P3": ["c", "d", "e"]}


def rel_close(got, expected, tol=1e-9) -> bool:
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    both_nan = np.isnan(got) & np.isnan(expected)
    ok = np.isclose(got, expected, rtol=tol, atol=0.0) | both_nan
    return bool(ok.all())


@pytest.fixture(scope="module")
def small():
    return build_network(participations(PATH_TRIANGLE, {"a": "EE", "b": "EE", "c": "LV"}))


def test_hand_computed_degree_strength_coreness_clustering(small) -> None:
    table = degree_strength(small)
    assert table["degree"].tolist() == [1, 2, 3, 2, 2]
    assert table["strength"].tolist() == [1.0, 2.0, 3.0, 2.0, 2.0]
    assert coreness(small).tolist() == [1, 1, 2, 2, 2]
    assert local_clustering(small).tolist() == pytest.approx([0, 0, 1 / 3, 1, 1])


def test_hand_computed_betweenness(small) -> None:
    # n = 5, pairs among others = 6. b lies on a-c, a-d, a-e (3 of the 6 pairs of others);
    # c lies on a-d, a-e, b-d, b-e (4 pairs).
    result = betweenness(small)
    assert result.method == "exact" and result.epsilon == 0
    assert result.values.tolist() == pytest.approx([0, 3 / 6, 4 / 6, 0, 0])


def test_hand_computed_constraint_and_cross_border(small) -> None:
    c = burt_constraint(small)
    # a has one partner: constraint 1. b: p = 1/2 each, no indirect: 2 * 0.25.
    # d: partners c (p=1/2) and e (p=1/2); indirect d-e via c: p_dc * p_ce = 1/2 * 1/3,
    # indirect d-c via e: p_de * p_ec = 1/2 * 1/2.
    assert c[0] == pytest.approx(1.0)
    assert c[1] == pytest.approx(0.5)
    assert c[3] == pytest.approx((0.5 + 0.25) ** 2 + (0.5 + 1 / 6) ** 2)
    # d and e have country EE by default; c is LV: b has 1 of 2, c has 3 of 3 abroad.
    assert cross_border_share(small).tolist() == pytest.approx([0, 0.5, 1, 0.5, 0.5])


def test_isolates_have_nan_constraint_and_cross_border() -> None:
    net = build_network(participations({"P1": ["a", "b"], "P2": ["z"]}))
    assert math.isnan(burt_constraint(net)[2])
    assert math.isnan(cross_border_share(net)[2])
    assert pagerank(net).sum() == pytest.approx(1.0)
    assert eigenvector_centrality(net).tolist() == pytest.approx([1, 1, 0])


def test_pagerank_and_eigenvector_on_a_star() -> None:
    net = build_network(participations({"P1": ["h", "x"], "P2": ["h", "y"], "P3": ["h", "z"]}))
    # star with 3 leaves: eigenvector of the hub is sqrt(3) times a leaf's
    assert eigenvector_centrality(net).tolist() == pytest.approx([1, 3**-0.5, 3**-0.5, 3**-0.5])
    pr = pagerank(net, damping=0.85)
    # hub = (1 - d)/n + d * 3 * leaf; leaf = (1 - d)/n + d * hub / 3
    d, n = 0.85, 4
    leaf = ((1 - d) / n + d * (1 - d) / n / 3) / (1 - d * d)
    hub = (1 - d) / n + d * 3 * leaf
    assert pr.tolist() == pytest.approx([hub, leaf, leaf, leaf], rel=1e-9)
    with pytest.raises(InputError, match="outside"):
        pagerank(net, damping=1.5)


def test_sampled_betweenness_states_its_bound(baltic) -> None:
    exact = betweenness(baltic).values
    sampled = betweenness(baltic, exact_max_nodes=10, n_sources=400, seed=3)
    assert sampled.method == "sampled" and sampled.n_sources == 400
    n = baltic.n_nodes
    assert sampled.epsilon == pytest.approx(n / (n - 1) * math.sqrt(math.log(2 * n / 0.1) / 800))
    assert np.max(np.abs(sampled.values - exact)) <= sampled.epsilon
    again = betweenness(baltic, exact_max_nodes=10, n_sources=400, seed=3)
    assert np.array_equal(again.values, sampled.values)
    by_epsilon = betweenness(baltic, exact_max_nodes=10, epsilon=0.2, delta=0.1)
    assert by_epsilon.n_sources == sample_size_for_epsilon(n, 0.2, 0.1)
    assert by_epsilon.epsilon <= 0.2


def test_sample_size_rejects_bad_epsilon() -> None:
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        sample_size_for_epsilon(100, 0.0, 0.1)


def test_real_network_degree_strength_match_networkx(baltic, baltic_nx) -> None:
    table = degree_strength(baltic)
    nodes = range(baltic.n_nodes)
    assert table["degree"].tolist() == [baltic_nx.degree(i) for i in nodes]
    assert rel_close(table["strength"], [baltic_nx.degree(i, weight="weight") for i in nodes])


def test_real_network_weighted_pagerank_matches_networkx(baltic, baltic_nx) -> None:
    expected = nx.pagerank(baltic_nx, alpha=0.85, weight="weight", tol=1e-15, max_iter=10_000)
    assert rel_close(pagerank(baltic), [expected[i] for i in range(baltic.n_nodes)])


def test_real_network_exact_betweenness_matches_networkx(baltic, baltic_nx) -> None:
    expected = nx.betweenness_centrality(baltic_nx, normalized=True)
    result = betweenness(baltic)
    assert result.method == "exact"
    assert rel_close(result.values, [expected[i] for i in range(baltic.n_nodes)])


def test_real_network_burt_constraint_matches_networkx(baltic, baltic_nx) -> None:
    expected = nx.constraint(baltic_nx, weight="weight")
    assert rel_close(burt_constraint(baltic), [expected[i] for i in range(baltic.n_nodes)])
    # the blocked computation does not depend on the block size
    assert rel_close(burt_constraint(baltic, block_size=97), burt_constraint(baltic))


def test_real_network_clustering_coreness_eigenvector(baltic, baltic_nx) -> None:
    nodes = range(baltic.n_nodes)
    clustering = nx.clustering(baltic_nx)
    assert np.allclose(local_clustering(baltic), [clustering[i] for i in nodes], atol=1e-12)
    core = nx.core_number(baltic_nx)
    assert coreness(baltic).tolist() == [core[i] for i in nodes]
    # the leading eigenvector lives on the component with the largest eigenvalue
    ours = eigenvector_centrality(baltic)
    dominant = [i for i in nodes if ours[i] > 0]
    sub = baltic_nx.subgraph(dominant)
    assert nx.is_connected(sub)
    expected = nx.eigenvector_centrality_numpy(sub, weight="weight")
    top = max(expected.values())
    assert np.allclose(
        [ours[i] for i in dominant], [expected[i] / top for i in dominant], atol=1e-8
    )


def test_organisation_metrics_table(baltic) -> None:
    table = organisation_metrics(baltic)
    assert list(table.columns[:5]) == ["org_id", "pic", "name", "country", "stakeholder_group"]
    assert len(table) == baltic.n_nodes
    assert set(table["betweenness_method"]) == {"exact"}
    assert table["community"].min() == 0
    named = table["name"].notna().mean()
    assert 0.3 < named < 1.0  # organizations_2017.csv names only part of the PICs
