"""Region-level measures: who collaborates with whom across borders, how cohesive the
network is, who brokers between groups, and which organisations form its core."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from bioconnect.errors import InputError
from bioconnect.network.centrality import (
    EXACT_BETWEENNESS_MAX_NODES,
    coreness,
    sample_size_for_epsilon,
)
from bioconnect.network.graph import CollaborationNetwork

__all__ = [
    "CorePeriphery",
    "core_periphery",
    "country_matrix",
    "cross_border_edge_share",
    "group_brokers",
    "structure_summary",
]

_ID_COLUMNS = ["org_id", "pic", "name", "country", "stakeholder_group"]


def country_matrix(
    net: CollaborationNetwork,
    *,
    value: str = "edges",
    normalise: str | None = None,
) -> pd.DataFrame:
    """Country x country collaboration matrix.

    Cell ``(a, b)`` counts ties between an organisation of ``a`` and one of ``b`` (or sums
    their weight). The matrix is symmetric; the diagonal holds domestic ties.

    Parameters
    ----------
    net:
        The collaboration network.
    value:
        ``"edges"`` (number of ties) or ``"weight"`` (sum of tie weights).
    normalise:
        ``None``: raw values. ``"total"``: share of all ties (the upper triangle including the
        diagonal sums to 1). ``"row"``: share of country ``a``'s tie ends that reach ``b``
        (rows sum to 1; a domestic tie has two ends in ``a``). ``"salton"``: Salton's cosine
        ``x_ab / sqrt(x_a x_b)`` where ``x_a`` is the number of tie ends of ``a``, the usual
        size-free measure of the strength of a bilateral link.

    Returns
    -------
    pandas.DataFrame
        Square frame indexed and labelled by country code (sorted).

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c", "a", "d"],
    ...     "project_id": ["P1", "P1", "P1", "P2", "P2"], "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0,
    ...     "country": ["EE", "EE", "LV", "EE", "FI"]})
    >>> country_matrix(build_network(p)).to_dict()
    {'EE': {'EE': 1, 'FI': 1, 'LV': 2}, 'FI': {'EE': 1, 'FI': 0, 'LV': 0}, 'LV': {'EE': 2, 'FI': 0, 'LV': 0}}

    References
    ----------
    Luukkonen, T., Tijssen, R. J. W., Persson, O. & Sivertsen, G. (1993). The measurement of
    international scientific collaboration. *Scientometrics* 28(1), 15–36.
    """
    if value not in ("edges", "weight"):
        raise InputError(f"Unknown value {value!r}.", "Use 'edges' or 'weight'.")
    if normalise not in (None, "total", "row", "salton"):
        raise InputError(
            f"Unknown normalisation {normalise!r}.", "Use None, 'total', 'row' or 'salton'."
        )
    codes, names = pd.factorize(net.nodes["country"].fillna("??"), sort=True)
    k = len(names)
    data = net.weight if value == "weight" else np.ones(net.n_edges)
    a, b = codes[net.source], codes[net.target]
    counts = sp.coo_matrix((data, (a, b)), shape=(k, k)).toarray()
    matrix = counts + counts.T - np.diag(np.diag(counts))
    if value == "edges":
        matrix = np.rint(matrix).astype(np.int64)
    result: np.ndarray = matrix
    if normalise == "total":
        total = np.triu(matrix).sum()
        result = matrix / total if total > 0 else matrix * 0.0
    elif normalise in ("row", "salton"):
        ends = matrix.sum(axis=1) + np.diag(matrix)  # a domestic tie has two ends at home
        with np.errstate(invalid="ignore", divide="ignore"):
            if normalise == "row":
                ends_matrix = matrix + np.diag(np.diag(matrix))
                result = np.nan_to_num(ends_matrix / ends[:, None])
            else:
                result = np.nan_to_num(matrix / np.sqrt(np.outer(ends, ends)))
    labels = pd.Index([str(x) for x in names], name="country")
    return pd.DataFrame(result, index=labels, columns=labels.rename(None))


def cross_border_edge_share(net: CollaborationNetwork, *, weighted: bool = False) -> float:
    """Share of ties (or of tie weight) that join organisations of different countries.

    Parameters
    ----------
    net:
        The collaboration network.
    weighted:
        Share of tie weight instead of share of ties.

    Returns
    -------
    float
        In ``[0, 1]``; ``nan`` for a network without ties.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c"], "project_id": "P1", "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": ["EE", "EE", "LV"]})
    >>> round(cross_border_edge_share(build_network(p)), 4)
    0.6667

    References
    ----------
    Glänzel, W. (2001). National characteristics in international scientific
    co-authorship relations. *Scientometrics* 51(1), 69–115.
    """
    if net.n_edges == 0:
        return math.nan
    country = net.nodes["country"].to_numpy(dtype=object)
    foreign = country[net.source] != country[net.target]
    if weighted:
        total = float(net.weight.sum())
        return float(net.weight[foreign].sum()) / total if total > 0 else math.nan
    return float(foreign.mean())


def structure_summary(net: CollaborationNetwork) -> dict[str, Any]:
    """Size, density and fragmentation of the network.

    Parameters
    ----------
    net:
        The collaboration network.

    Returns
    -------
    dict
        ``n_nodes, n_edges, density`` (ties / possible ties), ``mean_degree``,
        ``n_components``, ``n_isolates``, ``largest_component_share`` (share of organisations
        in the largest connected component), ``fragmentation`` (Borgatti's F: share of pairs
        of organisations that cannot reach each other) and ``cross_border_edge_share``.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c", "d"], "project_id": ["P1", "P1", "P2", "P3"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> s = structure_summary(build_network(p))
    >>> s["n_components"], s["n_isolates"], s["largest_component_share"], s["fragmentation"]
    (3, 2, 0.5, 0.8333333333333334)

    References
    ----------
    Borgatti, S. P. (2006). Identifying sets of key players in a social network.
    *Computational and Mathematical Organization Theory* 12, 21–34.
    Wasserman, S. & Faust, K. (1994). *Social Network Analysis*. Cambridge UP, ch. 4.
    """
    n, m = net.n_nodes, net.n_edges
    n_components, labels = connected_components(net.structure, directed=False)
    sizes = np.bincount(labels) if n else np.zeros(0, dtype=np.int64)
    degree = np.bincount(net.source, minlength=n) + np.bincount(net.target, minlength=n)
    pairs = n * (n - 1)
    return {
        "n_nodes": n,
        "n_edges": m,
        "density": 2 * m / pairs if pairs else math.nan,
        "mean_degree": 2 * m / n if n else math.nan,
        "n_components": int(n_components),
        "n_isolates": int((degree == 0).sum()),
        "largest_component_share": float(sizes.max() / n) if n else math.nan,
        "fragmentation": (
            1.0 - float((sizes.astype(float) * (sizes - 1)).sum()) / pairs if pairs else math.nan
        ),
        "cross_border_edge_share": cross_border_edge_share(net),
    }


def group_brokers(
    net: CollaborationNetwork,
    *,
    by: str = "country",
    between: tuple[str, str] | None = None,
    top: int | None = 10,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    epsilon: float = 0.05,
    delta: float = 0.1,
    seed: int = 0,
) -> pd.DataFrame:
    """Organisations that broker between groups (countries, domains, stakeholder groups).

    The broker score of ``v`` is its *group-restricted betweenness*: the share of shortest
    paths between pairs of organisations in different groups that pass through ``v``
    (``v`` not an end point), averaged over those pairs. With ``between=(A, B)`` only pairs
    with one end in ``A`` and the other in ``B`` count (e.g. health vs industrial). A score of
    0.2 means that a fifth of the cross-group shortest paths run through the organisation.
    Organisations without a group (e.g. no domain) are never end points but can broker.

    Parameters
    ----------
    net:
        The collaboration network.
    by:
        Node column that defines the groups: ``"country"``, ``"domain"`` or
        ``"stakeholder_group"``.
    between:
        Restrict to paths between these two groups.
    top:
        Number of rows to return (highest scores first); ``None`` returns every organisation.
    exact_max_nodes, epsilon, delta, seed:
        Above ``exact_max_nodes`` nodes, the source end points are sampled as in
        :func:`~bioconnect.network.centrality.betweenness`.

    Returns
    -------
    pandas.DataFrame
        ``org_id, pic, name, country, stakeholder_group, group, broker_score,
        partner_groups`` (number of distinct other groups among its partners) and ``method``.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "b", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0,
    ...     "country": ["EE", "EE", "EE", "LV"]})
    >>> group_brokers(build_network(p), top=1)[["org_id", "broker_score"]].values.tolist()
    [['b', 0.5]]

    References
    ----------
    Brandes, U. (2008). On variants of shortest-path betweenness centrality and their generic
    computation. *Social Networks* 30(2), 136–145 (betweenness restricted to sources and
    targets). Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal
    approach to brokerage in transaction networks. *Sociological Methodology* 19, 89–126.
    """
    if by not in net.nodes.columns:
        raise InputError(
            f"Unknown grouping column {by!r}.", "Use 'country', 'domain' or 'stakeholder_group'."
        )
    labels = net.nodes[by].to_numpy(dtype=object)
    has = np.array([isinstance(x, str) for x in labels])
    if between is not None:
        _check_between(by, between, labels, has)
    rng = np.random.default_rng(seed)
    candidates = np.flatnonzero(has)
    sampled = len(candidates) > exact_max_nodes
    if sampled:
        k = min(len(candidates), sample_size_for_epsilon(len(candidates), epsilon, delta))
        chosen = np.zeros(net.n_nodes, dtype=bool)
        chosen[rng.choice(candidates, size=k, replace=False)] = True
    else:
        chosen = has.copy()
    if between is not None:
        score = _between_two_groups(net, labels, chosen, between)
    else:
        score = _between_all_groups(net, labels, has, chosen)
    neighbour_groups = _partner_group_counts(net, labels, has)
    table = net.nodes[_ID_COLUMNS].copy()
    table["group"] = labels
    table["broker_score"] = score
    table["partner_groups"] = neighbour_groups
    table["method"] = "sampled" if sampled else "exact"
    table = table.sort_values(["broker_score", "org_id"], ascending=[False, True], kind="stable")
    if top is not None:
        table = table.head(top)
    return table.reset_index(drop=True)


def _check_between(by: str, between: tuple[str, str], labels: np.ndarray, has: np.ndarray) -> None:
    present = set(labels[has])
    missing = [g for g in between if g not in present]
    if missing:
        raise InputError(
            f"No organisation in this network has {by} {', '.join(map(repr, missing))}.",
            f"Use groups present in the network: {', '.join(sorted(present))}.",
        )
    if between[0] == between[1]:
        raise InputError(
            f"between={between} names the same group twice.", "Give two different groups."
        )


def _between_two_groups(
    net: CollaborationNetwork, labels: np.ndarray, chosen: np.ndarray, between: tuple[str, str]
) -> np.ndarray:
    """Broker scores on the shortest paths between group ``between[0]`` and ``between[1]``."""
    group_a, group_b = (np.flatnonzero(labels == g) for g in between)
    sources = [int(i) for i in group_a if chosen[i]]
    pair_count = len(group_a) * len(group_b)
    scale = len(group_a) / max(len(sources), 1)
    if not sources or not pair_count:
        return np.zeros(net.n_nodes)
    raw = net.graph.betweenness(directed=False, sources=sources, targets=group_b.tolist())
    return np.asarray(2.0 * np.asarray(raw) * scale / pair_count)


def _between_all_groups(
    net: CollaborationNetwork, labels: np.ndarray, has: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Broker scores on the shortest paths between any two organisations of different groups."""
    score = np.zeros(net.n_nodes)
    groups = pd.unique(labels[has])
    sizes = np.array([(labels == g).sum() for g in groups], dtype=float)
    pair_count = (sizes.sum() ** 2 - (sizes**2).sum()) / 2
    for group in groups:
        members = np.flatnonzero(labels == group)
        others = np.flatnonzero(has & (labels != group))
        sources = [int(i) for i in members if chosen[i]]
        if not sources or not len(others):
            continue
        raw = net.graph.betweenness(directed=False, sources=sources, targets=others.tolist())
        score += np.asarray(raw) * (len(members) / len(sources))
    return score / pair_count if pair_count else score


def _partner_group_counts(
    net: CollaborationNetwork, labels: np.ndarray, has: np.ndarray
) -> np.ndarray:
    """Number of distinct groups, other than its own, among each node's partners."""
    masked = pd.Series(labels, dtype=object).where(pd.Series(has), None)
    codes, _ = pd.factorize(masked)
    src = np.concatenate([net.source, net.target])
    dst = np.concatenate([net.target, net.source])
    other = codes[dst]
    keep = (other >= 0) & (other != codes[src])
    pairs = pd.DataFrame({"node": src[keep], "group": other[keep]}).drop_duplicates()
    return np.bincount(pairs["node"].to_numpy(), minlength=net.n_nodes).astype(np.int64)


@dataclass(frozen=True, eq=False)
class CorePeriphery:
    """Core–periphery structure of a network.

    Attributes
    ----------
    table:
        One row per organisation: ``org_id, pic, name, country, stakeholder_group,
        coreness`` (continuous Borgatti–Everett score, largest = 1), ``kcore`` (k-core
        number) and ``in_main_core`` (belongs to the innermost k-core).
    correlation:
        Pearson correlation between the observed ties and the ideal pattern ``c_i c_j``
        (Borgatti & Everett's fit; 1 is a perfect core–periphery structure).
    main_core_k:
        ``k`` of the innermost k-core.
    """

    table: pd.DataFrame
    correlation: float
    main_core_k: int

    @property
    def core_size(self) -> int:
        """Number of organisations in the innermost k-core."""
        return int(self.table["in_main_core"].sum())


def core_periphery(
    net: CollaborationNetwork,
    *,
    weighted: bool = False,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> CorePeriphery:
    """Continuous core–periphery scores (Borgatti–Everett) and the k-core based core.

    The continuous model looks for scores ``c`` that minimise
    ``sum_{i != j} (a_ij - c_i c_j)^2``; setting the gradient to zero gives the fixed point
    ``c_i = sum_j a_ij c_j / (sum_j c_j^2 - c_i^2)``, which is iterated from the degree
    vector until it changes by less than ``tol``. The discrete core is the innermost k-core
    (Seidman 1983), a parameter-free and reproducible choice.

    Parameters
    ----------
    net:
        The collaboration network.
    weighted:
        Fit the tie weights instead of the 0/1 ties.
    max_iter, tol:
        Iteration limit and convergence tolerance (maximum absolute change).

    Returns
    -------
    CorePeriphery
        Per-organisation scores, fit correlation and the main core.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "c", "a", "d", "b", "e"],
    ...     "project_id": ["P1", "P1", "P1", "P2", "P2", "P3", "P3"], "programme": "H2020",
    ...     "start_year": 2016, "ec_contribution": 1.0, "country": "EE"})
    >>> cp = core_periphery(build_network(p))
    >>> cp.table["in_main_core"].tolist(), cp.main_core_k
    ([True, True, True, False, False], 2)
    >>> bool(cp.table["coreness"].iloc[0] > cp.table["coreness"].iloc[3])
    True

    References
    ----------
    Borgatti, S. P. & Everett, M. G. (2000). Models of core/periphery structures.
    *Social Networks* 21(4), 375–395.
    Seidman, S. B. (1983). Network structure and minimum degree. *Social Networks* 5, 269–287.
    """
    n = net.n_nodes
    matrix = (net.adjacency if weighted else net.structure).tocsr()
    c = np.asarray(matrix.sum(axis=1)).ravel().astype(float)
    if c.max(initial=0.0) > 0:
        c = c / math.sqrt(float((c**2).sum()))
    for _ in range(max_iter):
        total = float((c**2).sum())
        denominator = total - c**2
        new = np.divide(matrix @ c, denominator, out=np.zeros(n), where=denominator > 0)
        # half step: the plain fixed-point map can oscillate between two scalings
        new = 0.5 * (new + c)
        if np.max(np.abs(new - c), initial=0.0) < tol:
            c = new
            break
        c = new
    correlation = _fit_correlation(matrix, c)
    k = coreness(net)
    main = int(k.max(initial=0))
    table = net.nodes[_ID_COLUMNS].copy()
    table["coreness"] = c / c.max() if c.max(initial=0.0) > 0 else c
    table["kcore"] = k
    table["in_main_core"] = (k == main) & (k > 0)
    return CorePeriphery(table=table, correlation=correlation, main_core_k=main)


def _fit_correlation(matrix: sp.csr_matrix, c: np.ndarray) -> float:
    """Pearson correlation over ordered pairs i != j between a_ij and c_i c_j."""
    n = len(c)
    pairs = n * (n - 1)
    if pairs == 0:
        return math.nan
    sum_x = float(matrix.sum())
    sum_xx = float(matrix.multiply(matrix).sum())
    s1, s2, s4 = float(c.sum()), float((c**2).sum()), float((c**4).sum())
    sum_y = s1**2 - s2
    sum_yy = s2**2 - s4
    sum_xy = float(c @ (matrix @ c))
    cov = pairs * sum_xy - sum_x * sum_y
    var = (pairs * sum_xx - sum_x**2) * (pairs * sum_yy - sum_y**2)
    return cov / math.sqrt(var) if var > 0 else math.nan
