"""Collaboration-network analytics: build, measure, compare over time, recommend, export."""

from bioconnect.network.build import CollaborationNetwork, build_network
from bioconnect.network.centrality import (
    BetweennessResult,
    betweenness,
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
from bioconnect.network.communities import Communities, leiden_communities
from bioconnect.network.countries import country_ties
from bioconnect.network.dynamic import ActiveYears, active_years
from bioconnect.network.evaluate import HoldoutEvaluation, temporal_holdout
from bioconnect.network.export import (
    node_table,
    to_graphology,
    write_csv,
    write_graphml,
    write_graphology_json,
)
from bioconnect.network.gexf import write_gexf
from bioconnect.network.recommend import candidate_scores, recommend_partners
from bioconnect.network.region import (
    CorePeriphery,
    core_periphery,
    country_matrix,
    cross_border_edge_share,
    group_brokers,
    structure_summary,
)
from bioconnect.network.temporal import Timeline, snapshots

__all__ = [
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
]
