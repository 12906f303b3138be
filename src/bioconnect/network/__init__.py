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

__all__ = [
    "BetweennessResult",
    "CollaborationNetwork",
    "Communities",
    "betweenness",
    "build_network",
    "burt_constraint",
    "coreness",
    "cross_border_share",
    "degree_strength",
    "eigenvector_centrality",
    "leiden_communities",
    "local_clustering",
    "organisation_metrics",
    "pagerank",
    "sample_size_for_epsilon",
]
