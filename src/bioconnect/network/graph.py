"""The collaboration network as a value: nodes, weighted ties and the parameters behind them.

:func:`bioconnect.network.build_network` makes one from participations; every measure in
this package takes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

if TYPE_CHECKING:
    import igraph

__all__ = ["CollaborationNetwork", "subgraph"]


@dataclass(frozen=True, eq=False)
class CollaborationNetwork:
    """An undirected, weighted organisation network and the parameters that made it.

    Parameters
    ----------
    nodes:
        One row per organisation, in node order (row ``i`` is node ``i``). Columns
        ``org_id, pic, name, country, stakeholder_group, domain`` (the domain with most of the
        organisation's projects, ``None`` when it has none), ``n_projects`` and
        ``ec_contribution`` (sum of known EC contributions in the selected projects).
    source, target:
        Edge end points as node positions, ``source < target``, one entry per edge.
    weight:
        Edge weights (see ``params["weight"]``).
    params:
        The arguments of :func:`build_network`, so a result can be cached with them.
    domain_profile:
        Organisations x domains matrix of project counts (rows in node order), or an empty
        frame when no project domains were given.
    """

    nodes: pd.DataFrame
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    domain_profile: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n_nodes(self) -> int:
        """Number of organisations."""
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        """Number of collaboration ties."""
        return len(self.source)

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        """Symmetric weighted adjacency matrix (``n x n`` CSR, zero diagonal)."""
        n = self.n_nodes
        rows = np.concatenate([self.source, self.target])
        cols = np.concatenate([self.target, self.source])
        data = np.concatenate([self.weight, self.weight])
        return sp.csr_matrix((data, (rows, cols)), shape=(n, n))

    @cached_property
    def structure(self) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency matrix (``n x n`` CSR), ignoring weights."""
        a = self.adjacency.copy()
        a.data = np.ones_like(a.data)
        return a

    @cached_property
    def graph(self) -> igraph.Graph:
        """The network as an :class:`igraph.Graph` with node and edge attributes.

        Vertex attributes are the columns of :attr:`nodes`; the edge attribute ``weight``
        holds :attr:`weight`. Built on first access and kept.
        """
        import igraph

        g = igraph.Graph(
            n=self.n_nodes,
            edges=list(zip(self.source.tolist(), self.target.tolist(), strict=True)),
            directed=False,
        )
        for column in self.nodes.columns:
            g.vs[column] = self.nodes[column].tolist()
        g.es["weight"] = self.weight.tolist()
        return g

    def index_of(self, org_id: str) -> int:
        """Node position of ``org_id``.

        Raises
        ------
        NotFoundError
            When the organisation is not in this network.
        """
        from bioconnect.errors import NotFoundError

        hits = np.flatnonzero(self.nodes["org_id"].to_numpy() == str(org_id))
        if len(hits) == 0:
            raise NotFoundError(
                f"Organisation {org_id!r} is not in this network "
                f"({self.n_nodes} organisations, filters {self.params}).",
                "Check the id (for H2020 it is the PIC) or widen the filters.",
            )
        return int(hits[0])

    def edges(self) -> pd.DataFrame:
        """Edge list with org ids: columns ``source, target, weight`` (``source < target``)."""
        ids = self.nodes["org_id"].to_numpy()
        return pd.DataFrame(
            {"source": ids[self.source], "target": ids[self.target], "weight": self.weight}
        )


def subgraph(net: CollaborationNetwork, keep: np.ndarray, **params: Any) -> CollaborationNetwork:
    """The network induced by the nodes where boolean ``keep`` is true (internal helper)."""
    keep = np.asarray(keep, dtype=bool)
    position = np.cumsum(keep) - 1
    edge_keep = keep[net.source] & keep[net.target]
    merged: Mapping[str, Any] = {**net.params, **params}
    profile = net.domain_profile
    if not profile.empty:
        profile = profile.iloc[np.flatnonzero(keep)]
    return CollaborationNetwork(
        nodes=net.nodes[keep].reset_index(drop=True),
        source=position[net.source[edge_keep]],
        target=position[net.target[edge_keep]],
        weight=net.weight[edge_keep],
        params=dict(merged),
        domain_profile=profile,
    )
