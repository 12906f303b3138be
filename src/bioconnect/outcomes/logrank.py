"""The log-rank test: do two or more groups share one survival function?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import chi2 as chi2_distribution

from bioconnect.errors import InputError
from bioconnect.outcomes.survival import _check

__all__ = ["LogRankResult", "logrank_test"]


@dataclass(frozen=True)
class LogRankResult:
    """The test statistic with its degrees of freedom and p-value, and per group the
    observed and expected exits (``groups`` gives the order)."""

    chi2: float
    df: int
    p: float
    groups: tuple[str, ...]
    observed: np.ndarray
    expected: np.ndarray


def logrank_test(durations: ArrayLike, events: ArrayLike, groups: ArrayLike) -> LogRankResult:
    """Mantel's log-rank test of equal survival across K ≥ 2 groups.

    At each distinct exit time t with d_t exits among n_t at risk, group g expects
    E_gt = d_t n_gt / n_t. With O − E summed over time and the hypergeometric covariance
    V_gh = Σ_t d_t (n_t − d_t) / (n_t − 1) · (n_gt / n_t) (δ_gh − n_ht / n_t), the
    statistic (O − E)ᵀ V⁻ (O − E) over the first K − 1 groups is χ² with K − 1 degrees
    of freedom under the null hypothesis.

    Parameters
    ----------
    durations, events:
        As for :func:`~bioconnect.outcomes.survival.kaplan_meier`.
    groups:
        A group label per entity (any values; compared as strings).

    Returns
    -------
    LogRankResult
        χ², degrees of freedom, p-value, and observed and expected exits per group.

    Examples
    --------
    >>> r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], ["a", "a", "a", "b", "b", "b"])
    >>> round(r.chi2, 4), r.df, r.observed.tolist(), r.expected.round(3).tolist()
    (5.0517, 1, [3.0, 3.0], [1.15, 4.85])

    References
    ----------
    Mantel, N. (1966). Evaluation of survival data and two new rank order statistics
    arising in its consideration. *Cancer Chemotherapy Reports* 50(3), 163–170. Peto, R. &
    Peto, J. (1972). Asymptotically efficient rank invariant test procedures. *JRSS A*
    135(2), 185–207.
    """
    t, e = _check(durations, events)
    labels = np.asarray(groups).astype(str)
    if labels.shape != t.shape:
        raise InputError("groups must have one label per duration", "pass a group per entity")
    names, g = np.unique(labels, return_inverse=True)
    k = names.size
    if k < 2:
        raise InputError("the log-rank test needs at least two groups", "pass a second group")
    times, ti = np.unique(t, return_inverse=True)
    n_times = times.size
    cell = g * n_times + ti
    removed = np.bincount(cell, minlength=k * n_times).reshape(k, n_times)
    exits = np.bincount(cell, weights=e, minlength=k * n_times).reshape(k, n_times)
    # at risk just before t: everyone of the group minus those removed strictly earlier
    before = np.cumsum(removed, axis=1) - removed
    at_risk = removed.sum(axis=1, keepdims=True) - before
    n_t, d_t = at_risk.sum(axis=0).astype(float), exits.sum(axis=0)
    expected = (at_risk * (d_t / n_t)).sum(axis=1)
    observed = exits.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n_t > 1, d_t * (n_t - d_t) / ((n_t - 1) * n_t), 0.0)
    share = at_risk * w
    cov = np.diag(share.sum(axis=1)) - (share / n_t) @ at_risk.T.astype(float)
    diff = (observed - expected)[:-1]
    stat = float(diff @ np.linalg.pinv(cov[:-1, :-1]) @ diff)
    return LogRankResult(
        chi2=stat,
        df=k - 1,
        p=float(chi2_distribution.sf(stat, k - 1)),
        groups=tuple(str(n) for n in names),
        observed=observed,
        expected=expected,
    )
