"""Per-organisation position measures on a collaboration network.

Every function takes a :class:`~bioconnect.network.build.CollaborationNetwork` and returns one
value per node, in node order (row ``i`` of ``net.nodes``). :func:`organisation_metrics`
gathers them into one table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from bioconnect.errors import InputError
from bioconnect.network.graph import CollaborationNetwork

__all__ = [
    "EXACT_BETWEENNESS_MAX_NODES",
    "BetweennessResult",
    "betweenness",
    "burt_constraint",
    "coreness",
    "cross_border_share",
    "degree_strength",
    "eigenvector_centrality",
    "local_clustering",
    "organisation_metrics",
    "pagerank",
    "sample_size_for_epsilon",
]

#: Networks with at most this many nodes get exact betweenness by default.
EXACT_BETWEENNESS_MAX_NODES = 5000

_ID_COLUMNS = ["org_id", "pic", "name", "country", "stakeholder_group"]


def degree_strength(net: CollaborationNetwork) -> pd.DataFrame:
    """Number of partners (degree) and summed tie weight (strength) of each organisation.

    Parameters
    ----------
    net:
        The collaboration network.

    Returns
    -------
    pandas.DataFrame
        Columns ``degree`` (int) and ``strength`` (float), one row per node.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c", "a", "c"],
    ...     "project_id": ["P1", "P1", "P1", "P2", "P2"], "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> degree_strength(build_network(p)).to_dict("list")
    {'degree': [2, 2, 2], 'strength': [3.0, 2.0, 3.0]}

    References
    ----------
    Barrat, A., Barthélemy, M., Pastor-Satorras, R. & Vespignani, A. (2004). The
    architecture of complex weighted networks. *PNAS* 101(11), 3747–3752.
    """
    n = net.n_nodes
    degree = np.bincount(net.source, minlength=n) + np.bincount(net.target, minlength=n)
    strength = np.bincount(net.source, weights=net.weight, minlength=n) + np.bincount(
        net.target, weights=net.weight, minlength=n
    )
    return pd.DataFrame({"degree": degree.astype(np.int64), "strength": strength.astype(float)})


def pagerank(
    net: CollaborationNetwork, *, damping: float = 0.85, weighted: bool = True
) -> np.ndarray:
    """Weighted PageRank of each organisation (sums to 1).

    A random walker follows a tie with probability proportional to its weight and jumps to
    a uniformly chosen organisation with probability ``1 - damping``; organisations without
    ties jump uniformly. Computed with igraph's PRPACK solver.

    Parameters
    ----------
    net:
        The collaboration network.
    damping:
        Probability of following a tie, in ``(0, 1)``.
    weighted:
        Use the edge weights (default) or treat every tie alike.

    Returns
    -------
    numpy.ndarray
        One value per node.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "a", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> pagerank(build_network(p)).round(4).tolist()
    [0.4865, 0.2568, 0.2568]

    References
    ----------
    Brin, S. & Page, L. (1998). The anatomy of a large-scale hypertextual Web search engine.
    *Computer Networks and ISDN Systems* 30, 107–117.
    """
    if not 0.0 < damping < 1.0:
        raise InputError(f"damping={damping} is outside (0, 1).", "Use a value such as 0.85.")
    weights = "weight" if weighted and net.n_edges else None
    values = net.graph.pagerank(directed=False, damping=damping, weights=weights)
    return np.asarray(values, dtype=float)


def eigenvector_centrality(net: CollaborationNetwork, *, weighted: bool = True) -> np.ndarray:
    """Eigenvector centrality, scaled so that the largest value is 1.

    The leading eigenvector of the (weighted) adjacency matrix. In a network made of several
    components it is concentrated on the component with the largest eigenvalue; nodes of the
    other components get (close to) 0, which is the definition, not an error.

    Parameters
    ----------
    net:
        The collaboration network.
    weighted:
        Use the edge weights (default) or the 0/1 adjacency.

    Returns
    -------
    numpy.ndarray
        One value per node in ``[0, 1]``; all zeros for a network without ties.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "a", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> eigenvector_centrality(build_network(p)).round(4).tolist()
    [1.0, 0.7071, 0.7071]

    References
    ----------
    Bonacich, P. (1972). Factoring and weighting approaches to status scores and clique
    identification. *Journal of Mathematical Sociology* 2(1), 113–120.
    """
    n = net.n_nodes
    if net.n_edges == 0:
        return np.zeros(n)
    matrix = net.adjacency if weighted else net.structure
    if n <= 300:
        _, vectors = np.linalg.eigh(matrix.toarray())
        vector = vectors[:, -1]
    else:
        start = np.ones(n) / math.sqrt(n)
        _, vectors = spla.eigsh(matrix.astype(float), k=1, which="LA", v0=start)
        vector = vectors[:, 0]
    vector = np.abs(vector)
    vector[vector < 1e-12 * vector.max()] = 0.0
    return vector / vector.max()


def coreness(net: CollaborationNetwork) -> np.ndarray:
    """k-core number of each organisation (unweighted).

    The largest ``k`` such that the organisation belongs to a subnetwork in which every
    organisation has at least ``k`` partners.

    Parameters
    ----------
    net:
        The collaboration network.

    Returns
    -------
    numpy.ndarray
        Integer coreness per node (0 for isolates).

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c", "c", "d"],
    ...     "project_id": ["P1", "P1", "P1", "P2", "P2"], "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> coreness(build_network(p)).tolist()
    [2, 2, 2, 1]

    References
    ----------
    Seidman, S. B. (1983). Network structure and minimum degree. *Social Networks* 5, 269–287.
    Batagelj, V. & Zaversnik, M. (2003). An O(m) algorithm for cores decomposition of
    networks. arXiv:cs/0310049.
    """
    return np.asarray(net.graph.coreness(), dtype=np.int64)


def local_clustering(net: CollaborationNetwork) -> np.ndarray:
    """Local clustering coefficient (share of an organisation's partner pairs that are tied).

    Unweighted; 0 for organisations with fewer than two partners.

    Parameters
    ----------
    net:
        The collaboration network.

    Returns
    -------
    numpy.ndarray
        One value per node in ``[0, 1]``.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c", "c", "d"],
    ...     "project_id": ["P1", "P1", "P1", "P2", "P2"], "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> local_clustering(build_network(p)).round(4).tolist()
    [1.0, 1.0, 0.3333, 0.0]

    References
    ----------
    Watts, D. J. & Strogatz, S. H. (1998). Collective dynamics of 'small-world' networks.
    *Nature* 393, 440–442.
    """
    return np.asarray(net.graph.transitivity_local_undirected(mode="zero"), dtype=float)


@dataclass(frozen=True)
class BetweennessResult:
    """Betweenness values and how they were obtained.

    Attributes
    ----------
    values:
        Normalised betweenness per node: the share of shortest paths between pairs of other
        organisations that pass through it (``2 b / ((n-1)(n-2))`` for raw count ``b``).
    method:
        ``"exact"`` (Brandes) or ``"sampled"`` (uniformly sampled source nodes).
    n_sources:
        Number of source nodes used (``n`` for exact).
    epsilon:
        With probability at least ``1 - delta``, every value is within ``epsilon`` of the exact
        normalised betweenness (0 for exact).
    delta:
        Failure probability of the bound (0 for exact).
    """

    values: np.ndarray
    method: str
    n_sources: int
    epsilon: float
    delta: float


def sample_size_for_epsilon(n_nodes: int, epsilon: float, delta: float) -> int:
    """Number of sampled sources that bounds every betweenness error by ``epsilon``.

    Each source ``s`` contributes a dependency ``delta_s(v) / (n - 2)`` in ``[0, 1]`` to node
    ``v``; by Hoeffding's inequality for sampling without replacement and a union bound over
    the ``n`` nodes, ``k >= ln(2n / delta) (n / (n - 1))^2 / (2 epsilon^2)`` sources give
    ``|estimate - exact| <= epsilon`` for all nodes with probability ``>= 1 - delta``.

    Parameters
    ----------
    n_nodes:
        Number of nodes ``n``.
    epsilon:
        Additive error bound on normalised betweenness, in ``(0, 1)``.
    delta:
        Failure probability, in ``(0, 1)``.

    Returns
    -------
    int
        Number of sources (may exceed ``n``, in which case exact computation is cheaper).

    Examples
    --------
    >>> sample_size_for_epsilon(35871, 0.1, 0.1)
    675

    References
    ----------
    Hoeffding, W. (1963). Probability inequalities for sums of bounded random variables.
    *JASA* 58(301), 13–30. Brandes, U. & Pich, C. (2007). Centrality estimation in large
    networks. *Int. J. Bifurcation and Chaos* 17(7), 2303–2318.
    """
    if not (0.0 < epsilon < 1.0 and 0.0 < delta < 1.0):
        raise InputError(
            f"epsilon={epsilon}, delta={delta}: both must lie strictly between 0 and 1.",
            "Use for example epsilon=0.05 and delta=0.1.",
        )
    n = max(n_nodes, 3)
    factor = (n / (n - 1)) ** 2
    return math.ceil(math.log(2 * n / delta) * factor / (2 * epsilon**2))


def _epsilon_for_sample(n_nodes: int, n_sources: int, delta: float) -> float:
    n = max(n_nodes, 3)
    return (n / (n - 1)) * math.sqrt(math.log(2 * n / delta) / (2 * n_sources))


def betweenness(
    net: CollaborationNetwork,
    *,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    epsilon: float = 0.05,
    delta: float = 0.1,
    n_sources: int | None = None,
    seed: int = 0,
    weighted: bool = False,
) -> BetweennessResult:
    """Normalised shortest-path betweenness, exact or estimated from sampled sources.

    Exact (Brandes 2001) when the network has at most ``exact_max_nodes`` nodes. Above that,
    ``k`` source nodes are drawn uniformly without replacement and their dependencies are
    scaled by ``n / k`` (Brandes & Pich 2007); ``k`` follows from ``epsilon`` and ``delta``
    (:func:`sample_size_for_epsilon`) unless ``n_sources`` is given, in which case the
    ``epsilon`` that ``k`` guarantees is reported instead.

    Parameters
    ----------
    net:
        The collaboration network.
    exact_max_nodes:
        Node-count threshold for the exact computation.
    epsilon, delta:
        Additive error bound and failure probability of the sampled estimate.
    n_sources:
        Fix the number of sampled sources instead of deriving it from ``epsilon``.
    seed:
        Seed of the source sample.
    weighted:
        ``False`` (default): path length is the number of ties. ``True``: a tie of weight
        ``w`` has length ``1 / w`` (stronger ties are shorter; Newman 2001).

    Returns
    -------
    BetweennessResult
        Values in node order, with the method and error bound.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "b", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> r = betweenness(build_network(p))
    >>> r.values.tolist(), r.method
    ([0.0, 1.0, 0.0], 'exact')

    References
    ----------
    Freeman, L. C. (1977). A set of measures of centrality based on betweenness.
    *Sociometry* 40(1), 35–41. Brandes, U. (2001). A faster algorithm for betweenness
    centrality. *J. Math. Sociology* 25(2), 163–177. Brandes, U. & Pich, C. (2007).
    Centrality estimation in large networks. *Int. J. Bifurcation and Chaos* 17(7).
    """
    n = net.n_nodes
    if n < 3 or net.n_edges == 0:
        return BetweennessResult(np.zeros(n), "exact", n, 0.0, 0.0)
    weights = (1.0 / net.weight).tolist() if weighted else None
    if weighted and np.any(net.weight <= 0):
        raise InputError(
            "Weighted betweenness needs positive tie weights; some ties have weight 0.",
            "Use weighted=False or a 'projects' / 'fractional' weighting.",
        )
    scale = 2.0 / ((n - 1) * (n - 2))
    if n_sources is None:
        k = n if n <= exact_max_nodes else sample_size_for_epsilon(n, epsilon, delta)
    else:
        if n_sources < 1:
            raise InputError(f"n_sources={n_sources} must be at least 1.", "Use e.g. 500.")
        k = min(n_sources, n)
    if k >= n:
        raw = net.graph.betweenness(directed=False, weights=weights)
        return BetweennessResult(np.asarray(raw, dtype=float) * scale, "exact", n, 0.0, 0.0)
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(n, size=k, replace=False)).tolist()
    raw = net.graph.betweenness(directed=False, weights=weights, sources=sources)
    # ``raw`` counts each sampled (source, target) pair once: an estimate of half the
    # ordered-pair dependency sum after scaling by n / k.
    values = np.asarray(raw, dtype=float) * (n / k) * scale
    return BetweennessResult(values, "sampled", k, _epsilon_for_sample(n, k, delta), delta)


def burt_constraint(net: CollaborationNetwork, *, block_size: int = 4096) -> np.ndarray:
    """Burt's network constraint: how much an organisation's ties lead to the same others.

    ``c_i = sum_j (p_ij + sum_q p_iq p_qj)^2`` over partners ``j`` of ``i``, where ``p_ij`` is
    the share of ``i``'s tie weight that goes to ``j``. Low constraint means the organisation
    bridges otherwise unconnected partners (a structural hole). Computed with sparse matrix
    products in row blocks, so memory stays bounded on large networks.

    Parameters
    ----------
    net:
        The collaboration network.
    block_size:
        Rows per sparse block.

    Returns
    -------
    numpy.ndarray
        One value per node; ``nan`` for organisations without ties (or without tie weight).

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "b", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> burt_constraint(build_network(p)).tolist()
    [1.0, 0.5, 1.0]

    References
    ----------
    Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition*. Harvard
    University Press, ch. 2.
    """
    n = net.n_nodes
    adjacency = net.adjacency
    strength = np.asarray(adjacency.sum(axis=1)).ravel()
    inverse = np.divide(1.0, strength, out=np.zeros(n), where=strength > 0)
    shares = (sp.diags(inverse) @ adjacency).tocsr()
    shares.sort_indices()
    result = np.zeros(n)
    for start in range(0, n, block_size):
        stop = min(start + block_size, n)
        direct = shares[start:stop]
        indirect = (direct @ shares).tocsr()
        # indirect restricted to the partners of each row, aligned with ``direct``
        rows = np.repeat(np.arange(stop - start), np.diff(direct.indptr))
        values = np.asarray(indirect[rows, direct.indices]).ravel()
        total = (direct.data + values) ** 2
        result[start:stop] = np.bincount(rows, weights=total, minlength=stop - start)
    result[strength <= 0] = np.nan
    return result


def cross_border_share(net: CollaborationNetwork) -> np.ndarray:
    """Share of an organisation's tie weight that goes to partners in another country.

    Parameters
    ----------
    net:
        The collaboration network.

    Returns
    -------
    numpy.ndarray
        One value per node in ``[0, 1]``; ``nan`` for organisations without tie weight.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "a", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0,
    ...     "country": ["EE", "EE", "EE", "LV"]})
    >>> cross_border_share(build_network(p)).tolist()
    [0.5, 0.0, 1.0]

    References
    ----------
    Glänzel, W. (2001). National characteristics in international scientific
    co-authorship relations. *Scientometrics* 51(1), 69–115.
    """
    n = net.n_nodes
    country = net.nodes["country"].to_numpy(dtype=object)
    foreign = country[net.source] != country[net.target]
    w = net.weight
    total = np.bincount(net.source, weights=w, minlength=n) + np.bincount(
        net.target, weights=w, minlength=n
    )
    abroad = np.bincount(net.source[foreign], weights=w[foreign], minlength=n) + np.bincount(
        net.target[foreign], weights=w[foreign], minlength=n
    )
    return np.divide(abroad, total, out=np.full(n, np.nan), where=total > 0)


def organisation_metrics(
    net: CollaborationNetwork,
    *,
    membership: np.ndarray | None = None,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    epsilon: float = 0.05,
    delta: float = 0.1,
    seed: int = 0,
) -> pd.DataFrame:
    """All per-organisation measures in one table.

    Parameters
    ----------
    net:
        The collaboration network.
    membership:
        Community of each node (e.g. ``leiden_communities(net).membership``). When ``None``
        the Leiden communities are computed with ``seed``.
    exact_max_nodes, epsilon, delta, seed:
        Passed to :func:`betweenness`.

    Returns
    -------
    pandas.DataFrame
        One row per organisation with ``org_id, pic, name, country, stakeholder_group,
        degree, strength, pagerank, eigenvector, coreness, clustering, betweenness,
        constraint, cross_border_share, community`` and, stating how betweenness was
        obtained, ``betweenness_method`` and ``betweenness_epsilon`` (0 when exact).

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "b", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> organisation_metrics(build_network(p))[["org_id", "degree", "betweenness"]].values.tolist()
    [['a', 1, 0.0], ['b', 2, 1.0], ['c', 1, 0.0]]

    References
    ----------
    See the individual measures.
    """
    from bioconnect.network.communities import leiden_communities

    if membership is None:
        membership = leiden_communities(net, seed=seed).membership
    table = net.nodes[_ID_COLUMNS].copy()
    table = pd.concat([table, degree_strength(net)], axis=1)
    table["pagerank"] = pagerank(net)
    table["eigenvector"] = eigenvector_centrality(net)
    table["coreness"] = coreness(net)
    table["clustering"] = local_clustering(net)
    between = betweenness(
        net, exact_max_nodes=exact_max_nodes, epsilon=epsilon, delta=delta, seed=seed
    )
    table["betweenness"] = between.values
    table["constraint"] = burt_constraint(net)
    table["cross_border_share"] = cross_border_share(net)
    table["community"] = np.asarray(membership, dtype=np.int64)
    table["betweenness_method"] = between.method
    table["betweenness_epsilon"] = between.epsilon
    return table
