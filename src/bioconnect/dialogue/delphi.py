"""Delphi rounds: feedback between rounds, consensus rules, stability, Kendall's W.

Ratings are on a 1–9 scale by default (the RAND/UCLA appropriateness convention: 1–3 low,
4–6 middle, 7–9 high importance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from bioconnect.errors import InputError

__all__ = [
    "Concordance",
    "ItemFeedback",
    "consensus_reached",
    "item_feedback",
    "kendall_w",
    "stability",
]


@dataclass(frozen=True)
class ItemFeedback:
    """What panellists see about one item before the next round.

    Attributes
    ----------
    n:
        Ratings given.
    median, q1, q3, iqr:
        The group's median, quartiles and interquartile range.
    share_high, share_low:
        Shares rating 7–9 and 1–3.
    """

    n: int
    median: float
    q1: float
    q3: float
    iqr: float
    share_high: float
    share_low: float


def item_feedback(ratings: np.ndarray) -> ItemFeedback:
    """Median, quartiles (linear interpolation, R's type 7) and the high and low shares.

    Parameters
    ----------
    ratings:
        One item's ratings in one round (``NaN`` = not rated, left out).

    Returns
    -------
    ItemFeedback

    Examples
    --------
    >>> f = item_feedback(np.array([7, 8, 8, 9, 6, 2, np.nan]))
    >>> f.median, f.iqr, round(f.share_high, 4), round(f.share_low, 4)
    (7.5, 1.75, 0.6667, 0.1667)

    References
    ----------
    Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
    Statistician* 50(4), 361–365 (definition 7).
    """
    x = np.asarray(ratings, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        raise InputError("The item has no ratings.", "Collect at least one rating first.")
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    return ItemFeedback(
        n=int(x.size),
        median=float(median),
        q1=float(q1),
        q3=float(q3),
        iqr=float(q3 - q1),
        share_high=float(np.mean(x >= 7)),
        share_low=float(np.mean(x <= 3)),
    )


def consensus_reached(
    feedback: ItemFeedback,
    *,
    max_iqr: float = 1.0,
    min_high: float = 0.70,
    max_low: float = 0.15,
) -> bool:
    """The stated consensus rule: IQR ≤ 1, or ≥ 70 % rating 7–9 with < 15 % rating 1–3.

    Parameters
    ----------
    feedback:
        The item's feedback.
    max_iqr, min_high, max_low:
        The thresholds of the rule.

    Returns
    -------
    bool

    Examples
    --------
    >>> consensus_reached(item_feedback(np.array([5, 5, 6, 5, 5])))
    True
    >>> consensus_reached(item_feedback(np.array([7, 9, 7, 8, 9, 7, 2, 9, 7, 4])))
    True
    >>> consensus_reached(item_feedback(np.array([1, 9, 1, 9, 5])))
    False

    References
    ----------
    Diamond, I. R. et al. (2014). Defining consensus: a systematic review recommends
    methodologic criteria for reporting of Delphi studies. *J. Clin. Epidemiol.* 67(4),
    401–409. von der Gracht, H. A. (2012). Consensus measurement in Delphi studies.
    *Technological Forecasting and Social Change* 79(8), 1525–1536.
    """
    by_iqr = feedback.iqr <= max_iqr
    by_share = feedback.share_high >= min_high and feedback.share_low < max_low
    return bool(by_iqr or by_share)


def stability(previous: np.ndarray, current: np.ndarray) -> float:
    """Share of panellists whose rating moved by at most one point between two rounds.

    Panellists who did not rate in both rounds are left out. An item is commonly called
    stable when this share is at least 0.85 (i.e. under 15 % changed).

    Parameters
    ----------
    previous, current:
        Each panellist's rating of one item in two consecutive rounds (same order).

    Returns
    -------
    float
        In ``[0, 1]``.

    Examples
    --------
    >>> stability(np.array([5, 7, 2, 9]), np.array([6, 7, 5, np.nan]))
    0.6666666666666666

    References
    ----------
    Dajani, J. S., Sincoff, M. Z. & Talley, W. K. (1979). Stability and agreement criteria
    for the termination of Delphi studies. *Technological Forecasting and Social Change*
    13(1), 83–90.
    """
    a = np.asarray(previous, dtype=float)
    b = np.asarray(current, dtype=float)
    both = ~np.isnan(a) & ~np.isnan(b)
    if not both.any():
        raise InputError(
            "No panellist rated the item in both rounds.", "Compare rounds with shared panellists."
        )
    return float(np.mean(np.abs(a[both] - b[both]) <= 1.0))


@dataclass(frozen=True)
class Concordance:
    """Kendall's coefficient of concordance and its χ² test.

    Attributes
    ----------
    w:
        The coefficient, in ``[0, 1]``.
    chi2, df, p_value:
        ``χ² = m(n − 1)W`` on ``n − 1`` degrees of freedom.
    subjects, raters:
        ``n`` and ``m``.
    """

    w: float
    chi2: float
    df: int
    p_value: float
    subjects: int
    raters: int


def kendall_w(ratings: np.ndarray, *, correct_ties: bool = False) -> Concordance:
    """Kendall's W for ``n`` subjects (rows) rated by ``m`` raters (columns).

    Each rater's ratings are ranked (ties get mid-ranks); with ``R_i`` the rank sums and
    ``S = Σ (R_i − m(n + 1)/2)²``, ``W = 12 S / (m²(n³ − n) − m T)``, where the tie
    correction ``T = Σ_raters Σ_ties (t³ − t)`` is used only when ``correct_ties``.
    Rows with a missing rating are left out (listwise).

    Parameters
    ----------
    ratings:
        Array of shape ``(n, m)``.
    correct_ties:
        Correct for ties within raters.

    Returns
    -------
    Concordance

    Examples
    --------
    >>> r = np.array([[1, 1], [2, 3], [3, 2], [4, 4]])
    >>> round(kendall_w(r).w, 4)
    0.9

    References
    ----------
    Kendall, M. G. (1948). *Rank Correlation Methods*. London: Griffin. Kendall, M. G. &
    Babington Smith, B. (1939). The problem of m rankings. *Ann. Math. Statist.* 10(3),
    275–287.
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise InputError(
            "Kendall's W needs a subjects × raters table with two raters or more.",
            "Pass an (n, m) array.",
        )
    x = x[~np.isnan(x).any(axis=1)]
    n, m = x.shape
    if n < 2:
        raise InputError(
            "Kendall's W needs at least two fully rated subjects.", "Rate more subjects."
        )
    ranks = np.column_stack([stats.rankdata(x[:, j]) for j in range(m)])
    s = float(((ranks.sum(axis=1) - m * (n + 1) / 2.0) ** 2).sum())
    ties = 0.0
    if correct_ties:
        for j in range(m):
            _, counts = np.unique(x[:, j], return_counts=True)
            ties += float((counts**3 - counts).sum())
    w = 12.0 * s / (m**2 * (n**3 - n) - m * ties)
    chi2 = m * (n - 1) * w
    return Concordance(
        w=w,
        chi2=chi2,
        df=n - 1,
        p_value=float(stats.chi2.sf(chi2, n - 1)),
        subjects=n,
        raters=m,
    )
