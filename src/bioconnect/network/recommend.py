"""Partner recommendations: which organisations that have not yet worked together should.

Candidate pairs are organisations two steps apart (they share at least one partner). Each
pair is scored by local link prediction (common neighbours, Adamic–Adar, resource
allocation) and, in the combined score, boosted when the two are strong in different
domains or sit in different countries:

``combined = RA * (1 + domain_weight * complementarity + cross_border_weight * cross_border)``

where ``RA`` is the resource-allocation index, ``complementarity`` is the total-variation
distance between the two organisations' domain profiles (0 = same mix of domains, 1 =
disjoint domains; 0 when either has no domain-tagged project) and ``cross_border`` is 1 when
the two are in different countries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from bioconnect.errors import InputError
from bioconnect.network.graph import CollaborationNetwork

__all__ = ["METHODS", "candidate_scores", "recommend_partners"]

#: Scoring methods understood by :func:`candidate_scores`.
METHODS = ("combined", "common_neighbours", "adamic_adar", "resource_allocation")


@dataclass(frozen=True)
class _Scores:
    """Scores of candidate pairs (row, col), positions in node order."""

    row: np.ndarray
    col: np.ndarray
    common_neighbours: np.ndarray
    adamic_adar: np.ndarray
    resource_allocation: np.ndarray
    complementarity: np.ndarray
    cross_border: np.ndarray

    def combined(self, domain_weight: float, cross_border_weight: float) -> np.ndarray:
        boost = 1.0 + domain_weight * self.complementarity + cross_border_weight * self.cross_border
        return self.resource_allocation * boost

    def get(self, method: str, domain_weight: float, cross_border_weight: float) -> np.ndarray:
        if method == "combined":
            return self.combined(domain_weight, cross_border_weight)
        return np.asarray(getattr(self, method), dtype=float)


def _domain_shares(net: CollaborationNetwork) -> np.ndarray:
    profile = net.domain_profile
    if profile.empty or profile.shape[1] == 0:
        return np.zeros((net.n_nodes, 0))
    counts = profile.to_numpy(dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def _score_pairs(
    net: CollaborationNetwork, rows: np.ndarray | None = None, *, upper_only: bool = True
) -> _Scores:
    """Score every not-yet-linked pair at distance two (for ``rows`` only, if given)."""
    structure = net.structure
    n = net.n_nodes
    degree = np.asarray(structure.sum(axis=1)).ravel()
    log_degree = np.log(np.maximum(degree, 2.0))
    # 1 / log(max(degree, 2)): a common neighbour always has degree >= 2, and keeping every
    # factor positive keeps the three products on the same sparsity pattern.
    inv_log = np.divide(1.0, log_degree, out=np.zeros(n), where=degree > 0)
    inv = np.divide(1.0, degree, out=np.zeros(n), where=degree > 0)
    left = structure if rows is None else structure[rows]
    matrices = []
    for weights in (np.ones(n), inv_log, inv):
        product = (left @ sp.diags(weights) @ structure).tocsr()
        # drop pairs that are already tied; values are positive, so the three products
        # keep one sparsity pattern
        product = (product - product.multiply(left)).tocsr()
        product.eliminate_zeros()
        if rows is None and upper_only:
            product = sp.triu(product, k=1, format="csr")
        product.sort_indices()
        matrices.append(product)
    cn, aa, ra = matrices
    if not (cn.nnz == aa.nnz == ra.nnz):
        raise AssertionError("link-prediction scores lost their shared sparsity pattern")
    local = np.repeat(np.arange(cn.shape[0]), np.diff(cn.indptr))
    row = (local if rows is None else np.asarray(rows)[local]).astype(np.int64)
    col = cn.indices.astype(np.int64)
    keep = row != col
    row, col = row[keep], col[keep]
    cn_values, aa_values, ra_values = cn.data[keep], aa.data[keep], ra.data[keep]
    shares = _domain_shares(net)
    if shares.shape[1]:
        active = (shares.sum(axis=1) > 0)[row] & (shares.sum(axis=1) > 0)[col]
        distance = 0.5 * np.abs(shares[row] - shares[col]).sum(axis=1)
        complementarity = np.where(active, distance, 0.0)
    else:
        complementarity = np.zeros(len(row))
    country = net.nodes["country"].to_numpy(dtype=object)
    cross = (country[row] != country[col]).astype(float)
    return _Scores(row, col, cn_values, aa_values, ra_values, complementarity, cross)


def candidate_scores(
    net: CollaborationNetwork,
    org_id: str | None = None,
    *,
    domain_weight: float = 0.5,
    cross_border_weight: float = 0.5,
) -> pd.DataFrame:
    """Score every pair of not-yet-linked organisations that share at least one partner.

    Parameters
    ----------
    net:
        The collaboration network.
    org_id:
        Score only the pairs that include this organisation; ``None`` scores all pairs.
    domain_weight, cross_border_weight:
        Boosts of the combined score (see the module description).

    Returns
    -------
    pandas.DataFrame
        ``source, target`` (org ids; ``source`` is ``org_id`` when given),
        ``common_neighbours, adamic_adar, resource_allocation, complementarity,
        cross_border, combined``.

    Raises
    ------
    NotFoundError
        When ``org_id`` is not in the network.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "b", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0,
    ...     "country": ["EE", "EE", "EE", "LV"]})
    >>> s = candidate_scores(build_network(p))
    >>> s[["source", "target", "common_neighbours", "resource_allocation", "combined"]].values.tolist()
    [['a', 'c', 1.0, 0.5, 0.75]]

    References
    ----------
    Liben-Nowell, D. & Kleinberg, J. (2007). The link-prediction problem for social networks.
    *JASIST* 58(7), 1019–1031. Adamic, L. A. & Adar, E. (2003). Friends and neighbors on the
    Web. *Social Networks* 25(3), 211–230. Zhou, T., Lü, L. & Zhang, Y.-C. (2009). Predicting
    missing links via local information. *Eur. Phys. J. B* 71, 623–630.
    """
    rows = None if org_id is None else np.array([net.index_of(org_id)])
    scores = _score_pairs(net, rows)
    ids = net.nodes["org_id"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "source": ids[scores.row],
            "target": ids[scores.col],
            "common_neighbours": scores.common_neighbours.astype(float),
            "adamic_adar": scores.adamic_adar,
            "resource_allocation": scores.resource_allocation,
            "complementarity": scores.complementarity,
            "cross_border": scores.cross_border,
            "combined": scores.combined(domain_weight, cross_border_weight),
        }
    )


def _label(nodes: pd.DataFrame, i: int) -> str:
    name = nodes.at[i, "name"]
    if isinstance(name, str) and name:
        return name
    return f"PIC {nodes.at[i, 'org_id']}"


def _explain(
    net: CollaborationNetwork,
    neighbours: list[set[int]],
    strength: np.ndarray,
    i: int,
    j: int,
    complementarity: float,
) -> str:
    nodes = net.nodes
    common = sorted(neighbours[i] & neighbours[j], key=lambda z: (-strength[z], z))
    names = [_label(nodes, z) for z in common[:2]]
    if len(common) == 1:
        parts = [f"both work with {names[0]}"]
    else:
        more = f" (and {len(common) - 2} more shared partners)" if len(common) > 2 else ""
        parts = [f"both work with {names[0]} and {names[1]}{more}"]
    a, b = _label(nodes, i), _label(nodes, j)
    domain_a, domain_b = nodes.at[i, "domain"], nodes.at[j, "domain"]
    if isinstance(domain_a, str) and isinstance(domain_b, str):
        if domain_a != domain_b:
            parts.append(f"{a} is strong in {domain_a}, {b} in {domain_b}")
        elif complementarity > 0:
            parts.append(f"both are active in {domain_a} with different domain mixes")
        else:
            parts.append(f"both are active in {domain_a}")
    country_a, country_b = nodes.at[i, "country"], nodes.at[j, "country"]
    if country_a != country_b:
        parts.append(f"a cross-border tie {country_a}–{country_b}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def recommend_partners(
    net: CollaborationNetwork,
    org_id: str | None = None,
    *,
    top: int = 10,
    partner_countries: list[str] | tuple[str, ...] | None = None,
    method: str = "combined",
    domain_weight: float = 0.5,
    cross_border_weight: float = 0.5,
) -> pd.DataFrame:
    """Suggest new partners for one organisation, or new ties across the whole network.

    Parameters
    ----------
    net:
        The collaboration network (e.g. the region with its partners).
    org_id:
        The organisation to find partners for; ``None`` ranks all unlinked pairs.
    top:
        Number of suggestions.
    partner_countries:
        Only suggest partners from these countries (with ``org_id=None``: both ends).
    method:
        Ranking score: ``"combined"`` (default), ``"common_neighbours"``, ``"adamic_adar"``
        or ``"resource_allocation"``.
    domain_weight, cross_border_weight:
        Boosts of the combined score (see the module description).

    Returns
    -------
    pandas.DataFrame
        One row per suggestion, best first: ``org_id, org_name, partner_id, partner_name,
        partner_country, score`` and the components ``common_neighbours, adamic_adar,
        resource_allocation, complementarity, cross_border``, and ``explanation``, a
        sentence naming the shared partners and the domain and border argument.

    Raises
    ------
    NotFoundError
        When ``org_id`` is not in the network.
    InputError
        For an unknown method or a non-positive ``top``.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.network import build_network
    >>> p = pd.DataFrame({"org_id": ["a", "b", "b", "c"], "project_id": ["P1", "P1", "P2", "P2"],
    ...     "programme": "H2020", "start_year": 2016, "ec_contribution": 1.0,
    ...     "country": ["EE", "EE", "EE", "LV"]})
    >>> r = recommend_partners(build_network(p), "a")
    >>> r[["partner_id", "score"]].values.tolist()
    [['c', 0.75]]
    >>> r.at[0, "explanation"]
    'Both work with PIC b; a cross-border tie EE–LV.'

    References
    ----------
    Zhou, T., Lü, L. & Zhang, Y.-C. (2009). Predicting missing links via local information.
    *Eur. Phys. J. B* 71, 623–630. Lü, L. & Zhou, T. (2011). Link prediction in complex
    networks: a survey. *Physica A* 390(6), 1150–1170.
    """
    if method not in METHODS:
        raise InputError(f"Unknown method {method!r}.", f"Use one of {', '.join(METHODS)}.")
    if top < 1:
        raise InputError(f"top={top} must be at least 1.", "Ask for e.g. top=10.")
    rows = None if org_id is None else np.array([net.index_of(org_id)])
    scores = _score_pairs(net, rows)
    value = scores.get(method, domain_weight, cross_border_weight)
    keep = np.ones(len(value), dtype=bool)
    if partner_countries is not None:
        country = net.nodes["country"].to_numpy(dtype=object)
        allowed = np.isin(country, list(partner_countries))
        keep &= allowed[scores.col]
        if org_id is None:
            keep &= allowed[scores.row]
    index = np.flatnonzero(keep)
    order = index[np.lexsort((scores.col[index], scores.row[index], -value[index]))][:top]
    structure = net.structure
    neighbours = [
        set(structure.indices[structure.indptr[k] : structure.indptr[k + 1]].tolist())
        for k in range(net.n_nodes)
    ]
    strength = np.asarray(net.adjacency.sum(axis=1)).ravel()
    nodes = net.nodes
    records = []
    for k in order:
        i, j = int(scores.row[k]), int(scores.col[k])
        records.append(
            {
                "org_id": nodes.at[i, "org_id"],
                "org_name": nodes.at[i, "name"],
                "partner_id": nodes.at[j, "org_id"],
                "partner_name": nodes.at[j, "name"],
                "partner_country": nodes.at[j, "country"],
                "score": float(value[k]),
                "common_neighbours": int(scores.common_neighbours[k]),
                "adamic_adar": float(scores.adamic_adar[k]),
                "resource_allocation": float(scores.resource_allocation[k]),
                "complementarity": float(scores.complementarity[k]),
                "cross_border": bool(scores.cross_border[k]),
                "explanation": _explain(
                    net, neighbours, strength, i, j, float(scores.complementarity[k])
                ),
            }
        )
    columns = [
        "org_id",
        "org_name",
        "partner_id",
        "partner_name",
        "partner_country",
        "score",
        "common_neighbours",
        "adamic_adar",
        "resource_allocation",
        "complementarity",
        "cross_border",
        "explanation",
    ]
    frame = pd.DataFrame(records, columns=columns)
    for column in ("org_id", "org_name", "partner_id", "partner_name", "partner_country"):
        # keep missing names as None, as in the node table
        frame[column] = pd.Series([r[column] for r in records], dtype=object)
    return frame
