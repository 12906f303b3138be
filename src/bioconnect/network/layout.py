"""Drawing a network: pick the part worth drawing, and lay it out ahead of time.

The web explorer draws what the server sends; laying out on the server (and caching the
result) means a browser with 10,000 nodes starts drawing at once instead of simulating
forces for seconds.
"""

from __future__ import annotations

import numpy as np

from bioconnect.network.graph import CollaborationNetwork, subgraph

__all__ = ["layout_positions", "strongest_edges", "strongest_nodes", "view_filter"]


def strongest_nodes(net: CollaborationNetwork, max_nodes: int) -> np.ndarray:
    """Boolean mask of the ``max_nodes`` organisations with the largest strength.

    Ties are broken by organisation id, so the choice is deterministic.

    Parameters
    ----------
    net:
        The collaboration network.
    max_nodes:
        How many organisations to keep (all when the network is smaller).

    Returns
    -------
    numpy.ndarray
        Boolean mask over nodes.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c", "a", "b"],
    ...     "project_id": ["P1", "P1", "P1", "P2", "P2"], "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> strongest_nodes(build_network(p), 2).tolist()
    [True, True, False]

    References
    ----------
    None: a ranking.
    """
    n = net.n_nodes
    keep = np.zeros(n, dtype=bool)
    if max_nodes >= n:
        keep[:] = True
        return keep
    strength = np.bincount(net.source, weights=net.weight, minlength=n) + np.bincount(
        net.target, weights=net.weight, minlength=n
    )
    ids = net.nodes["org_id"].astype(str).to_numpy()
    order = np.lexsort((ids, -strength))
    keep[order[:max_nodes]] = True
    return keep


def strongest_edges(net: CollaborationNetwork, max_edges: int) -> np.ndarray:
    """Boolean mask of the ``max_edges`` heaviest ties (ties broken by node positions).

    Parameters
    ----------
    net:
        The collaboration network.
    max_edges:
        How many ties to keep (all when the network has fewer).

    Returns
    -------
    numpy.ndarray
        Boolean mask over edges.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c", "a", "b"],
    ...     "project_id": ["P1", "P1", "P1", "P2", "P2"], "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> strongest_edges(build_network(p), 1).tolist()
    [True, False, False]

    References
    ----------
    None: a ranking.
    """
    keep = np.zeros(net.n_edges, dtype=bool)
    if max_edges >= net.n_edges:
        keep[:] = True
        return keep
    order = np.lexsort((net.target, net.source, -net.weight))
    keep[order[:max_edges]] = True
    return keep


def view_filter(
    net: CollaborationNetwork,
    *,
    min_weight: float = 0.0,
    cross_border_only: bool = False,
    max_nodes: int | None = None,
    max_edges: int | None = None,
) -> CollaborationNetwork:
    """The network the explorer draws: strong enough ties, optionally only cross-border ones.

    Ties below ``min_weight`` are dropped first (and, with ``cross_border_only``, ties within a
    country); organisations left without a tie are then dropped, and finally the
    ``max_nodes`` strongest remain, joined by at most ``max_edges`` of their heaviest ties
    (a drawing of half a million ties is a hairball; the strongest ties carry the picture).

    Parameters
    ----------
    net:
        The collaboration network.
    min_weight:
        Smallest tie weight kept.
    cross_border_only:
        Keep only ties between organisations in different countries.
    max_nodes:
        Keep at most this many organisations (the strongest), or all when None.
    max_edges:
        Keep at most this many ties (the heaviest), or all when None.

    Returns
    -------
    CollaborationNetwork
        The filtered network; its ``params`` record the filter.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": ["EE", "EE", "FI"]})
    >>> view_filter(build_network(p), cross_border_only=True).n_edges
    2

    References
    ----------
    None: filters.
    """
    edge_keep = net.weight >= min_weight
    if cross_border_only:
        country = net.nodes["country"].astype(str).to_numpy()
        edge_keep &= country[net.source] != country[net.target]
    trimmed = type(net)(
        nodes=net.nodes,
        source=net.source[edge_keep],
        target=net.target[edge_keep],
        weight=net.weight[edge_keep],
        params=net.params,
        domain_profile=net.domain_profile,
    )
    if min_weight > 0 or cross_border_only:
        touched = np.zeros(net.n_nodes, dtype=bool)
        touched[trimmed.source] = True
        touched[trimmed.target] = True
    else:
        touched = np.ones(net.n_nodes, dtype=bool)
    view = subgraph(trimmed, touched, min_weight=min_weight, cross_border_only=cross_border_only)
    if max_nodes is not None:
        view = subgraph(view, strongest_nodes(view, max_nodes), max_nodes=max_nodes)
    if max_edges is not None and view.n_edges > max_edges:
        keep = strongest_edges(view, max_edges)
        view = type(view)(
            nodes=view.nodes,
            source=view.source[keep],
            target=view.target[keep],
            weight=view.weight[keep],
            params={**view.params, "max_edges": max_edges},
            domain_profile=view.domain_profile,
        )
    return view


def layout_positions(net: CollaborationNetwork, *, seed: int = 0) -> np.ndarray:
    """Node positions (n × 2, scaled to [-1, 1]) from a force-directed layout.

    Uses igraph's Fruchterman–Reingold layout (its grid variant above 1,000 nodes) with
    log-scaled tie weights, from seeded random positions, so the same network and seed give
    the same picture.

    Parameters
    ----------
    net:
        The collaboration network.
    seed:
        Seed of the initial positions.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_nodes, 2)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> layout_positions(build_network(p)).shape
    (3, 2)

    References
    ----------
    Fruchterman, T. M. J. and Reingold, E. M. (1991). Graph drawing by force-directed
    placement. Software: Practice and Experience 21(11).
    """
    n = net.n_nodes
    if n == 0:
        return np.zeros((0, 2))
    graph = net.graph
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1, 1, size=(n, 2)).tolist()
    # The layout needs positive weights; a tie of weight 0 (funding unknown) still pulls.
    weights = (
        np.maximum(np.log1p(np.maximum(net.weight, 0.0)), 0.05).tolist() if net.n_edges else None
    )
    # Fruchterman–Reingold at every size (igraph switches to its grid variant above 1,000
    # nodes); DrL aborts the process on some sparse graphs with many isolated nodes.
    layout = graph.layout_fruchterman_reingold(
        weights=weights, seed=start, niter=500 if n <= 1000 else 200, grid="auto"
    )
    coords = np.asarray(layout.coords, dtype=float)
    coords -= coords.mean(axis=0)
    span = np.abs(coords).max()
    return coords / span if span > 0 else coords
