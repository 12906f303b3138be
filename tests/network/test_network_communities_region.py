"""Communities, region-level measures and core-periphery."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from network_tiny import participations

from bioconnect.errors import InputError
from bioconnect.network import (
    build_network,
    core_periphery,
    country_matrix,
    cross_border_edge_share,
    group_brokers,
    leiden_communities,
    structure_summary,
)
from bioconnect.network.graph import subgraph

COUNTRIES = {"a": "EE", "b": "EE", "c": "LV", "d": "LV", "e": "FI"}
# a-b (EE-EE), b-c (EE-LV), c-d (LV-LV), c-e (LV-FI): a path a-b-c-d with e hanging on c
CHAIN = {"P1": ["a", "b"], "P2": ["b", "c"], "P3": ["c", "d"], "P4": ["c", "e"], "P5": ["z"]}


@pytest.fixture(scope="module")
def chain():
    return build_network(participations(CHAIN, {**COUNTRIES, "z": "FI"}))


def test_two_cliques_found_and_seeded_runs_repeat() -> None:
    net = build_network(participations({"P1": list("abcd"), "P2": list("efgh"), "P3": ["d", "e"]}))
    first = leiden_communities(net, seed=7)
    assert first.membership.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert first.n_communities == 2 and first.sizes().tolist() == [4, 4]
    graph = nx.Graph(list(zip(net.source.tolist(), net.target.tolist(), strict=True)))
    expected = nx.community.modularity(graph, [set(range(4)), set(range(4, 8))])
    assert first.modularity == pytest.approx(expected)
    assert leiden_communities(net, seed=7).membership.tolist() == first.membership.tolist()
    with pytest.raises(InputError, match="resolution"):
        leiden_communities(net, resolution=0)


def test_real_communities_are_connected_reproducible_and_scored(baltic, baltic_nx) -> None:
    found = leiden_communities(baltic, seed=1, n_iterations=-1)
    again = leiden_communities(baltic, seed=1, n_iterations=-1)
    assert np.array_equal(found.membership, again.membership)
    groups = [
        set(np.flatnonzero(found.membership == c).tolist()) for c in range(found.n_communities)
    ]
    assert all(nx.is_connected(baltic_nx.subgraph(g)) for g in groups)
    expected = nx.community.modularity(baltic_nx, groups, weight="weight")
    assert found.modularity == pytest.approx(expected, rel=1e-9)
    assert found.modularity > 0.5
    assert np.all(np.diff(found.sizes()) <= 0)  # labels by decreasing size


def test_country_matrix_counts_and_normalisations(chain) -> None:
    counts = country_matrix(chain)
    assert counts.loc["EE"].to_dict() == {"EE": 1, "FI": 0, "LV": 1}
    assert counts.loc["LV"].to_dict() == {"EE": 1, "FI": 1, "LV": 1}
    total = country_matrix(chain, normalise="total")
    assert np.triu(total.to_numpy()).sum() == pytest.approx(1.0)
    rows = country_matrix(chain, normalise="row")
    assert rows.sum(axis=1).tolist() == pytest.approx([1.0, 1.0, 1.0])
    # EE has 3 tie ends (2 domestic + 1 to LV), LV has 4 (1 from EE, 2 domestic, 1 to FI)
    salton = country_matrix(chain, normalise="salton")
    assert salton.at["EE", "LV"] == pytest.approx(1 / np.sqrt(3 * 4))
    weighted = country_matrix(
        build_network(participations(CHAIN, COUNTRIES), weight="fractional"), value="weight"
    )
    assert weighted.at["EE", "LV"] == pytest.approx(1.0)
    with pytest.raises(InputError, match="normalisation"):
        country_matrix(chain, normalise="rows")


def test_structure_summary_by_hand(chain) -> None:
    summary = structure_summary(chain)
    assert summary["n_nodes"] == 6 and summary["n_edges"] == 4
    assert summary["density"] == pytest.approx(4 / 15)
    assert summary["n_components"] == 2 and summary["n_isolates"] == 1
    assert summary["largest_component_share"] == pytest.approx(5 / 6)
    assert summary["fragmentation"] == pytest.approx(1 - 20 / 30)
    assert summary["cross_border_edge_share"] == pytest.approx(2 / 4)
    assert cross_border_edge_share(chain, weighted=True) == pytest.approx(0.5)


def brute_force_group_betweenness(graph, labels, pairs):
    score = dict.fromkeys(graph, 0.0)
    for s, t in pairs:
        paths = list(nx.all_shortest_paths(graph, s, t))
        for path in paths:
            for v in path[1:-1]:
                score[v] += 1 / len(paths)
    return {v: x / len(pairs) for v, x in score.items()}


def test_group_brokers_match_brute_force_on_real_network(baltic, baltic_nx) -> None:
    labels = baltic.nodes["country"].to_numpy()
    # a connected piece of the real network keeps the brute force small
    hub = max(baltic_nx.degree, key=lambda item: item[1])[0]
    ball = [hub, *(v for _, v in itertools.islice(nx.bfs_edges(baltic_nx, hub), 119))]
    sub = baltic_nx.subgraph(ball).copy()
    assert nx.is_connected(sub) and sub.number_of_nodes() == 120
    mask = np.zeros(baltic.n_nodes, dtype=bool)
    mask[list(sub.nodes)] = True
    small = subgraph(baltic, mask)
    positions = np.flatnonzero(mask)
    table = group_brokers(small, top=None).set_index("org_id")
    sub_labels = {v: labels[v] for v in sub.nodes}
    pairs = [
        (s, t)
        for s, t in itertools.combinations(sorted(sub.nodes), 2)
        if sub_labels[s] != sub_labels[t]
    ]
    expected = brute_force_group_betweenness(sub, sub_labels, pairs)
    ids = baltic.nodes["org_id"].to_numpy()
    for v in positions:
        assert table.at[ids[v], "broker_score"] == pytest.approx(expected[v], abs=1e-12)


def test_group_brokers_between_two_groups(chain) -> None:
    connected = build_network(
        participations({k: v for k, v in CHAIN.items() if k != "P5"}, COUNTRIES)
    )
    table = group_brokers(connected, between=("EE", "FI"), top=None).set_index("org_id")
    # EE-FI pairs: a-e and b-e; c lies on both, b on a-e only (b is an end of b-e)
    assert table.at["c", "broker_score"] == pytest.approx(1.0)
    assert table.at["b", "broker_score"] == pytest.approx(0.5)
    # an unreachable FI organisation still counts as a pair: z halves every share
    with_isolate = group_brokers(chain, between=("EE", "FI"), top=None).set_index("org_id")
    assert with_isolate.at["c", "broker_score"] == pytest.approx(0.5)
    assert table.at["d", "broker_score"] == 0
    assert table.at["c", "partner_groups"] == 2
    with pytest.raises(InputError, match="No organisation in this network has country 'SE'"):
        group_brokers(chain, between=("EE", "SE"))
    with pytest.raises(InputError, match="grouping column"):
        group_brokers(chain, by="city")


def test_domain_brokers_on_real_network(baltic) -> None:
    table = group_brokers(baltic, by="domain", between=("health", "agrifood"), top=5)
    assert len(table) == 5
    assert table["broker_score"].is_monotonic_decreasing
    assert (table["broker_score"] > 0).all()


def test_core_periphery_fixed_point_and_fit(baltic) -> None:
    result = core_periphery(baltic)
    c = result.table["coreness"].to_numpy()
    a = baltic.structure.toarray()
    # scale back so that c solves c_i = sum_j a_ij c_j / (sum_j c_j^2 - c_i^2)
    scale = np.sqrt((a @ c) @ c / ((c @ c) ** 2 - (c**4).sum()))
    x = c * scale
    residual = a @ x / ((x @ x) - x**2) - x
    assert np.max(np.abs(residual)) < 1e-6
    off = ~np.eye(len(x), dtype=bool)
    expected = np.corrcoef(a[off], np.outer(x, x)[off])[0, 1]
    assert result.correlation == pytest.approx(expected, rel=1e-9)
    assert result.table["in_main_core"].sum() == result.core_size
    assert result.table.loc[result.table["in_main_core"], "kcore"].eq(result.main_core_k).all()
