"""Fixtures for the network tests: the real H2020 frames and the Baltic region network."""

from __future__ import annotations

import h2020_frames
import networkx as nx
import pytest

from bioconnect.network import CollaborationNetwork, build_network

BALTIC = ["EE", "LV", "LT", "FI"]


@pytest.fixture(scope="session")
def h2020(data_dir) -> h2020_frames.H2020Frames:
    """The three input frames built from ``cordis/h2020`` (read once per session)."""
    return h2020_frames.load()


@pytest.fixture(scope="session")
def baltic(h2020) -> CollaborationNetwork:
    """EE, LV, LT and FI organisations joined by the H2020 projects they share."""
    return build_network(
        h2020.participations, h2020.organisations, h2020.project_domains, countries=BALTIC
    )


@pytest.fixture(scope="session")
def baltic_nx(baltic) -> nx.Graph:
    """The same network as a networkx graph, nodes labelled by position."""
    graph = nx.Graph()
    graph.add_nodes_from(range(baltic.n_nodes))
    graph.add_weighted_edges_from(
        zip(baltic.source.tolist(), baltic.target.tolist(), baltic.weight.tolist(), strict=True)
    )
    return graph
