"""Honest evaluation of the partner recommendations on a temporal hold-out.

Train on the network of projects that started up to ``train_end``; test on the ties that
first appear in projects starting in ``[test_start, test_end]`` between organisations that
were already in the training network and not yet tied there. Every not-yet-tied pair of
training organisations is a candidate, whatever its distance, so a method gets no credit
for ranking only the easy pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.network.build import build_network
from bioconnect.network.recommend import METHODS, _score_pairs

__all__ = ["HoldoutEvaluation", "auc_with_zero_pool", "precision_at_k", "temporal_holdout"]


@dataclass(frozen=True, eq=False)
class HoldoutEvaluation:
    """Result of :func:`temporal_holdout`.

    Attributes
    ----------
    table:
        One row per method (``combined``, ``common_neighbours``, ``adamic_adar``,
        ``resource_allocation``, ``random``) with ``precision_at_<k>`` columns and ``auc``.
        The random row holds expected values (precision = share of positives among
        candidates, AUC = 0.5).
    n_train_nodes, n_train_edges:
        Size of the training network.
    n_candidates:
        Not-yet-tied pairs of training organisations.
    n_positives:
        New ties among them in the test years.
    n_test_edges:
        Ties in the test-years network (before restricting to training organisations).
    params:
        The arguments used.
    """

    table: pd.DataFrame
    n_train_nodes: int
    n_train_edges: int
    n_candidates: int
    n_positives: int
    n_test_edges: int
    params: dict[str, Any] = field(default_factory=dict)

    def to_markdown(self) -> str:
        """The table as a GitHub-flavoured Markdown table (figures rounded to 4 digits)."""
        columns = list(self.table.columns)
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for record in self.table.itertuples(index=False):
            cells = [f"{v:.4f}" if isinstance(v, float) else str(v) for v in record]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def precision_at_k(
    scores: np.ndarray, labels: np.ndarray, k: int, *, zero_pool: int = 0, zero_hits: int = 0
) -> float:
    """Expected precision of the ``k`` highest scores, ties broken uniformly at random.

    Parameters
    ----------
    scores, labels:
        Scores and 0/1 labels of the scored candidates.
    k:
        Cut-off.
    zero_pool, zero_hits:
        Further candidates that were not scored (score 0): how many, and how many of them
        are positives.

    Returns
    -------
    float
        Expected share of positives among the first ``k``.

    Examples
    --------
    >>> precision_at_k(np.array([3.0, 2.0, 2.0, 1.0]), np.array([1, 1, 0, 0]), 2)
    0.75

    References
    ----------
    Lü, L. & Zhou, T. (2011). Link prediction in complex networks: a survey. *Physica A*
    390(6), 1150–1170 (precision).
    """
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=bool)
    if k < 1:
        raise InputError(f"k={k} must be at least 1.", "Use e.g. k=10.")
    n = len(scores)
    # the k-th largest score, counting the unscored candidates as zeros
    threshold = float(np.partition(scores, n - k)[n - k]) if k <= n else 0.0
    threshold = max(threshold, 0.0) if zero_pool and k > int((scores > 0).sum()) else threshold
    above = scores > threshold
    level = scores == threshold
    n_above, hits_above = int(above.sum()), int(labels[above].sum())
    n_level, hits_level = int(level.sum()), int(labels[level].sum())
    if threshold == 0.0:
        n_level += zero_pool
        hits_level += zero_hits
    room = min(max(k - n_above, 0), n_level)
    hits = hits_above + (hits_level * room / n_level if n_level else 0.0)
    return float(hits / k)


def auc_with_zero_pool(
    pos_scores: np.ndarray, neg_scores: np.ndarray, *, zero_pos: int = 0, zero_neg: int = 0
) -> float:
    """Area under the ROC curve: P(positive scores above negative), ties counting half.

    Parameters
    ----------
    pos_scores, neg_scores:
        Scores of scored positives and negatives.
    zero_pos, zero_neg:
        Positives and negatives that were not scored (score 0, below every scored pair when
        scores are positive).

    Returns
    -------
    float
        AUC in ``[0, 1]``; ``nan`` without positives or negatives.

    Examples
    --------
    >>> auc_with_zero_pool(np.array([2.0]), np.array([1.0, 2.0]), zero_neg=1)
    0.8333333333333334

    References
    ----------
    Hanley, J. A. & McNeil, B. J. (1982). The meaning and use of the area under a receiver
    operating characteristic (ROC) curve. *Radiology* 143, 29–36.
    """
    pos = np.concatenate([np.asarray(pos_scores, dtype=float), np.zeros(zero_pos)])
    negative = np.sort(np.asarray(neg_scores, dtype=float))
    n_pos, n_neg = len(pos), len(negative) + zero_neg
    if n_pos == 0 or n_neg == 0:
        return math.nan
    below = np.searchsorted(negative, pos, side="left").astype(float)
    equal = np.searchsorted(negative, pos, side="right") - below
    below += np.where(pos > 0, zero_neg, 0)
    equal = equal + np.where(pos == 0, zero_neg, 0)
    return float((below + 0.5 * equal).sum() / (n_pos * n_neg))


def temporal_holdout(
    participations: pd.DataFrame,
    organisations: pd.DataFrame | None = None,
    project_domains: pd.DataFrame | None = None,
    *,
    countries: Sequence[str] | None,
    scope: str = "region",
    programmes: Sequence[str] | None = ("H2020",),
    train_end: int = 2017,
    test_start: int = 2018,
    test_end: int = 2020,
    k: Sequence[int] = (10, 50, 100),
    domain_weight: float = 0.5,
    cross_border_weight: float = 0.5,
) -> HoldoutEvaluation:
    """Evaluate the recommenders on ties that formed after the training years.

    Parameters
    ----------
    participations, organisations, project_domains:
        As for :func:`~bioconnect.network.build.build_network`.
    countries:
        The region's country codes (a preset's
        :attr:`~bioconnect.model.preset.Preset.all_countries`), or None for every country.
    scope, programmes:
        Network filters, applied to both periods.
    train_end:
        Last project start year of the training network.
    test_start, test_end:
        Start years of the projects whose ties are to be predicted.
    k:
        Cut-offs for precision.
    domain_weight, cross_border_weight:
        Boosts of the combined score.

    Returns
    -------
    HoldoutEvaluation
        Precision@k and AUC for each method plus the sizes of the problem.

    Raises
    ------
    InputError
        When the test window does not come after the training window, or when either
        period has no project.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"org_id": ["a", "b", "b", "c", "b", "d", "a", "c"],
    ...     "project_id": ["P1", "P1", "P2", "P2", "P3", "P3", "P4", "P4"],
    ...     "programme": "H2020", "start_year": [2016] * 6 + [2019] * 2,
    ...     "ec_contribution": 1.0, "country": ["EE", "EE", "EE", "LV", "EE", "EE", "EE", "LV"]})
    >>> r = temporal_holdout(p, countries=None, k=(1,))
    >>> r.n_candidates, r.n_positives
    (3, 1)
    >>> r.table.set_index("method")["auc"].round(4).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'combined': 0.75, 'common_neighbours': 0.5, 'adamic_adar': 0.5,
     'resource_allocation': 0.5, 'random': 0.5}

    References
    ----------
    Liben-Nowell, D. & Kleinberg, J. (2007). The link-prediction problem for social networks.
    *JASIST* 58(7), 1019–1031 (temporal split). Lü, L. & Zhou, T. (2011). Link prediction in
    complex networks: a survey. *Physica A* 390(6), 1150–1170 (AUC and precision).
    """
    if test_start <= train_end or test_end < test_start:
        raise InputError(
            f"Training up to {train_end} and testing {test_start}–{test_end} overlap or are empty.",
            "Choose test_start > train_end and test_end >= test_start.",
        )
    filters: dict[str, Any] = {
        "countries": list(countries) if countries is not None else None,
        "scope": scope,
        "programmes": list(programmes) if programmes is not None else None,
    }
    train = build_network(
        participations, organisations, project_domains, end_year=train_end, **filters
    )
    test = build_network(
        participations,
        organisations,
        project_domains,
        start_year=test_start,
        end_year=test_end,
        **filters,
    )
    n = train.n_nodes
    position = pd.Index(train.nodes["org_id"])
    a = position.get_indexer(test.nodes["org_id"].to_numpy()[test.source])
    b = position.get_indexer(test.nodes["org_id"].to_numpy()[test.target])
    present = (a >= 0) & (b >= 0)
    lo, hi = np.minimum(a[present], b[present]), np.maximum(a[present], b[present])
    pair_key = lo.astype(np.int64) * n + hi
    train_key = train.source * n + train.target
    new_key = np.setdiff1d(np.unique(pair_key), train_key)
    n_candidates = n * (n - 1) // 2 - train.n_edges
    n_positive = len(new_key)

    scores = _score_pairs(train)
    scored_key = scores.row * n + scores.col
    label = np.isin(scored_key, new_key)
    zero_hits = n_positive - int(label.sum())
    zero_pool = n_candidates - len(scored_key)
    rows = []
    for method in METHODS:
        value = scores.get(method, domain_weight, cross_border_weight)
        record: dict[str, Any] = {"method": method}
        for cut in k:
            record[f"precision_at_{cut}"] = precision_at_k(
                value, label, cut, zero_pool=zero_pool, zero_hits=zero_hits
            )
        record["auc"] = auc_with_zero_pool(
            value[label],
            value[~label],
            zero_pos=zero_hits,
            zero_neg=zero_pool - zero_hits,
        )
        rows.append(record)
    base = n_positive / n_candidates if n_candidates else math.nan
    rows.append({"method": "random", **{f"precision_at_{c}": base for c in k}, "auc": 0.5})
    params = {
        **filters,
        "train_end": train_end,
        "test_start": test_start,
        "test_end": test_end,
        "k": list(k),
        "domain_weight": domain_weight,
        "cross_border_weight": cross_border_weight,
    }
    return HoldoutEvaluation(
        table=pd.DataFrame(rows),
        n_train_nodes=n,
        n_train_edges=train.n_edges,
        n_candidates=n_candidates,
        n_positives=n_positive,
        n_test_edges=test.n_edges,
        params=params,
    )
