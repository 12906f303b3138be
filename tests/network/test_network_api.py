"""The public surface of bioconnect.network and its place in the layers."""

from __future__ import annotations

import subprocess
import sys

import bioconnect.network as network

PUBLIC = {
    "ActiveYears",
    "BetweennessResult",
    "CollaborationNetwork",
    "Communities",
    "CorePeriphery",
    "HoldoutEvaluation",
    "Timeline",
    "active_years",
    "betweenness",
    "build_network",
    "burt_constraint",
    "candidate_scores",
    "core_periphery",
    "coreness",
    "country_matrix",
    "country_ties",
    "cross_border_edge_share",
    "cross_border_share",
    "degree_strength",
    "eigenvector_centrality",
    "group_brokers",
    "leiden_communities",
    "local_clustering",
    "node_table",
    "organisation_metrics",
    "pagerank",
    "recommend_partners",
    "sample_size_for_epsilon",
    "snapshots",
    "structure_summary",
    "temporal_holdout",
    "to_graphology",
    "write_csv",
    "write_gexf",
    "write_graphml",
    "write_graphology_json",
}


def test_all_lists_the_public_functions() -> None:
    assert set(network.__all__) == PUBLIC
    for name in network.__all__:
        item = getattr(network, name)
        doc = item.__doc__ or ""
        if callable(item) and not isinstance(item, type):
            for section in ("Parameters", "Returns", "Examples", "References"):
                assert section in doc, f"{name} lacks {section}"


def test_importing_network_pulls_no_upper_layer_and_no_networkx() -> None:
    code = (
        "import sys, bioconnect.network; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'networkx' "
        "or m.startswith(('bioconnect.store', 'bioconnect.services', 'bioconnect.cli'))]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
