"""Outlier treatment as COINr does it: skew/kurtosis test, winsorisation, log fallback."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bioconnect.errors import InputError

__all__ = [
    "TreatmentResult",
    "kurtosis",
    "log_ct",
    "passes_skew_kurt",
    "skewness",
    "treat",
    "winsorise",
]


def _present(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x)]


def _skew_kurt(x: np.ndarray) -> tuple[float, float]:
    """Skewness and kurtosis from one pass over the present values (formulas below)."""
    v = _present(x)
    n = v.size
    if n < 3:
        raise InputError(
            "treat: skewness needs at least 3 values.", "Screen out sparse indicators."
        )
    if n < 4:
        raise InputError(
            "treat: kurtosis needs at least 4 values.", "Screen out sparse indicators."
        )
    d = v - v.mean()
    m2 = float((d**2).sum())
    if m2 == 0:
        return 0.0, 0.0
    g1 = np.sqrt(n) * float((d**3).sum()) / m2**1.5
    r = n * float((d**4).sum()) / m2**2
    return (
        float(g1 * np.sqrt(n * (n - 1)) / (n - 2)),
        float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))),
    )


def _column_moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_skew_kurt` of every column at once, for columns with no missing value.

    The columns are laid out as contiguous rows, so each row's sums run in the same order as
    the one-column computation and the results are the same to the last bit.
    """
    return _row_moments(np.ascontiguousarray(values.T))


def _row_moments(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = rows.shape[1]
    d = rows - rows.mean(axis=1)[:, None]
    m2 = (d**2).sum(axis=1)
    flat = m2 == 0
    m2 = np.where(flat, 1.0, m2)
    g1 = np.sqrt(n) * (d**3).sum(axis=1) / m2**1.5
    r = n * (d**4).sum(axis=1) / m2**2
    skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return np.where(flat, 0.0, skew), np.where(flat, 0.0, kurt)


def _winsorise_rows(
    rows: np.ndarray, skew: np.ndarray, winmax: int | None, skew_thresh: float, kurt_thresh: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`winsorise` of several complete columns in step, given as rows that all fail.

    Each round moves, in every row still failing and under ``winmax``, the tied maximum (skew
    >= 0) or minimum down or up to the next value, then tests the moved rows again. The
    moments come from :func:`_row_moments`, so every decision equals the one-column loop's.
    Returns the rows, the points counted as :func:`winsorise` counts them, and pass flags.
    """
    rows = rows.copy()
    k = rows.shape[0]
    passing = np.zeros(k, dtype=bool)
    top, bottom = np.zeros(k, dtype=int), np.zeros(k, dtype=int)
    stuck = np.zeros(k, dtype=bool)
    limit = np.inf if winmax is None else winmax
    while True:
        active = np.flatnonzero(~passing & ~stuck & (top + bottom < limit))
        if active.size == 0:
            return rows, top + bottom, passing
        sub = rows[active]
        high = skew[active] >= 0
        extreme = np.where(high, sub.max(axis=1), sub.min(axis=1))
        hit = sub == extreme[:, None]
        others = np.where(hit, np.where(high, -np.inf, np.inf)[:, None], sub)
        nearest = np.where(high, others.max(axis=1), others.min(axis=1))
        stuck[active] = hit.all(axis=1)  # nothing left to move to (cannot fail the test)
        sub = np.where(hit & ~stuck[active][:, None], nearest[:, None], sub)
        top[active] = np.where(high, hit.sum(axis=1), top[active])
        bottom[active] = np.where(high, bottom[active], hit.sum(axis=1))
        rows[active] = sub
        sk, kt = _row_moments(sub)
        skew[active] = sk
        passing[active] = (np.abs(sk) < skew_thresh) | (kt < kurt_thresh)


def _passes(x: np.ndarray, skew_thresh: float, kurt_thresh: float) -> tuple[bool, float]:
    sk, kt = _skew_kurt(x)
    return bool(abs(sk) < skew_thresh or kt < kurt_thresh), sk


def skewness(x: np.ndarray) -> float:
    """Sample-adjusted skewness (Excel's SKEW, type 2 of Joanes & Gill), missing values ignored.

    ``G1 = sqrt(n (n-1)) / (n-2) * m3 / m2^(3/2)`` with ``m_k`` the k-th central moment.

    Parameters
    ----------
    x:
        Values; at least 3 present.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(skewness(np.array([1.0, 2.0, 3.0, 10.0])), 4)
    1.7636

    References
    ----------
    Joanes, D. N. & Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis.
    *The Statistician* 47(1), 183–189. COINr ``skew()``.
    """
    v = _present(np.asarray(x, dtype=float))
    n = v.size
    if n < 3:
        raise InputError(
            "treat: skewness needs at least 3 values.", "Screen out sparse indicators."
        )
    d = v - v.mean()
    m2 = float(np.sum(d**2))
    if m2 == 0:
        return 0.0
    g1 = np.sqrt(n) * float(np.sum(d**3)) / m2**1.5
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(x: np.ndarray) -> float:
    """Sample-adjusted excess kurtosis (Excel's KURT, type 2 of Joanes & Gill).

    ``G2 = ((n+1) (r - 3) + 6) (n-1) / ((n-2)(n-3))`` with ``r = n m4 / m2^2``.

    Parameters
    ----------
    x:
        Values; at least 4 present.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(kurtosis(np.array([1.0, 2.0, 3.0, 10.0])), 4)
    3.228

    References
    ----------
    Joanes & Gill (1998), as :func:`skewness`. COINr ``kurt()``.
    """
    v = _present(np.asarray(x, dtype=float))
    n = v.size
    if n < 4:
        raise InputError(
            "treat: kurtosis needs at least 4 values.", "Screen out sparse indicators."
        )
    d = v - v.mean()
    m2 = float(np.sum(d**2))
    if m2 == 0:
        return 0.0
    r = n * float(np.sum(d**4)) / m2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def passes_skew_kurt(x: np.ndarray, skew_thresh: float = 2.0, kurt_thresh: float = 3.5) -> bool:
    """COINr's outlier test: pass if ``|skew| < skew_thresh`` **or** ``kurtosis < kurt_thresh``.

    Parameters
    ----------
    x:
        Values.
    skew_thresh, kurt_thresh:
        Thresholds (COINr's defaults 2 and 3.5).

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> passes_skew_kurt(np.arange(1.0, 11.0)), passes_skew_kurt(np.r_[np.arange(1.0, 11.0), 30, 100])
    (True, False)

    References
    ----------
    OECD/JRC (2008), *Handbook*, step 3; COINr ``check_SkewKurt()``.
    """
    v = np.asarray(x, dtype=float)
    if np.count_nonzero(~np.isnan(v)) == 3:  # skew alone is defined: its error wins
        return bool(abs(skewness(v)) < skew_thresh or kurtosis(v) < kurt_thresh)
    return _passes(v, skew_thresh, kurt_thresh)[0]


def winsorise(
    x: np.ndarray, winmax: int | None = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5
) -> tuple[np.ndarray, int, np.ndarray]:
    """Winsorise the extreme values one step at a time until the skew/kurtosis test passes.

    While the test fails and fewer than ``winmax`` points are winsorised: if the skew is
    positive (or zero) every point equal to the maximum takes the largest other value,
    else every point equal to the minimum takes the smallest other value (tied extremes
    move together). The count is the points now sharing the treated top value plus those
    sharing the treated bottom value.

    Parameters
    ----------
    x:
        Values (missing ones are left alone).
    winmax:
        Most points to winsorise; ``None`` for no limit.
    skew_thresh, kurt_thresh:
        The test of :func:`passes_skew_kurt`.

    Returns
    -------
    tuple
        The treated values, the number of winsorised points, and a text array marking each
        point ``"winhi"``, ``"winlo"`` or ``""``.

    Examples
    --------
    >>> import numpy as np
    >>> y, n, mark = winsorise(np.r_[np.arange(1.0, 11.0), 30, 100], winmax=2)
    >>> y[-2:].tolist(), n
    ([30.0, 30.0], 1)

    References
    ----------
    OECD/JRC (2008), *Handbook*, step 3 (winsorisation); COINr ``winsorise()``.
    """
    y = np.asarray(x, dtype=float).copy()
    top = np.array([], dtype=int)
    bottom = np.array([], dtype=int)
    passing, sk = _passes(y, skew_thresh, kurt_thresh)
    while not passing and (winmax is None or top.size + bottom.size < winmax):
        if sk >= 0:
            top = np.flatnonzero(y == np.nanmax(y))
            rest = np.delete(y, top)
            if np.all(np.isnan(rest)):
                break
            y[top] = np.nanmax(rest)
        else:
            bottom = np.flatnonzero(y == np.nanmin(y))
            rest = np.delete(y, bottom)
            if np.all(np.isnan(rest)):
                break
            y[bottom] = np.nanmin(rest)
        passing, sk = _passes(y, skew_thresh, kurt_thresh)
    mark = np.full(y.size, "", dtype=object)
    mark[top] = "winhi"
    mark[bottom] = "winlo"
    return y, int(top.size + bottom.size), mark


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's "COIN Tool" log: ``log(x - min(x) + 0.01 (max(x) - min(x)))``.

    Parameters
    ----------
    x:
        Values.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> log_ct(np.array([0.0, 100.0])).round(4).tolist()
    [0.0, 4.6151]

    References
    ----------
    COINr ``log_CT()``; the JRC COIN Tool.
    """
    v = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(v), np.nanmax(v)
    return np.asarray(np.log(v - lo + 0.01 * (hi - lo)))


@dataclass(frozen=True)
class TreatmentResult:
    """Treated data and what was done to each indicator.

    Attributes
    ----------
    data:
        The treated values.
    details:
        One row per indicator: ``skew``, ``kurt`` (before), ``treatment`` (``none``,
        ``winsorised`` or ``log_CT``), ``n_winsorised``, ``passes`` (after).
    """

    data: pd.DataFrame
    details: pd.DataFrame


def treat(
    data: pd.DataFrame,
    *,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    f2: str | None = "log_CT",
    skip: tuple[str, ...] = (),
) -> TreatmentResult:
    """Treat each indicator: test, winsorise if it fails, log the *untreated* column if still failing.

    Parameters
    ----------
    data:
        Indicator values, one row per unit.
    winmax, skew_thresh, kurt_thresh:
        As :func:`winsorise`.
    f2:
        The fallback, ``log_CT`` or ``None`` (keep the winsorised values).
    skip:
        Indicators to leave untreated.

    Returns
    -------
    TreatmentResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = pd.DataFrame({"ok": np.arange(1.0, 13.0), "out": np.r_[np.arange(1.0, 11.0), 30, 100]})
    >>> r = treat(x, winmax=2)
    >>> r.details["treatment"].tolist(), float(r.data["out"].max())
    (['none', 'winsorised'], 30.0)

    References
    ----------
    OECD/JRC (2008), *Handbook*, step 3; COINr ``Treat()`` (with ``combine_treat = FALSE``:
    the log is applied to the original column, not the winsorised one).
    """
    if f2 not in (None, "log_CT"):
        raise InputError(f"treat: f2 {f2!r} is not a method.", "Use log_CT, or none.")
    thresholds = (skew_thresh, kurt_thresh)
    values = data.to_numpy(float)
    out = values.copy()
    p = values.shape[1]
    skews, kurts, passes = np.empty(p), np.empty(p), np.empty(p, dtype=bool)
    methods, counts = np.full(p, "none", dtype=object), np.zeros(p, dtype=int)
    # complete columns are tested (and winsorised) together; columns with gaps one by one
    whole = ~np.isnan(values).any(axis=0) & (values.shape[0] >= 4)
    skews[whole], kurts[whole] = _column_moments(values[:, whole])
    for j in np.flatnonzero(~whole):
        skews[j], kurts[j] = _skew_kurt(values[:, j])
    passes[:] = (np.abs(skews) < skew_thresh) | (kurts < kurt_thresh)
    failing = ~passes & ~np.isin(np.asarray(data.columns, dtype=object), list(skip))
    methods[failing] = "winsorised"
    batch = np.flatnonzero(failing & whole)
    rows, counts[batch], passes[batch] = _winsorise_rows(
        np.ascontiguousarray(values[:, batch].T), skews[batch].copy(), winmax, *thresholds
    )
    out[:, batch] = rows.T
    for j in np.flatnonzero(failing & ~whole):
        out[:, j], counts[j], _ = winsorise(values[:, j], winmax, *thresholds)
        passes[j] = _passes(out[:, j], *thresholds)[0]
    for j in np.flatnonzero(failing & ~passes) if f2 is not None else []:
        out[:, j], counts[j], methods[j] = log_ct(values[:, j]), 0, "log_CT"
        passes[j] = _passes(out[:, j], *thresholds)[0]
    details = pd.DataFrame(
        {
            "skew": skews,
            "kurt": kurts,
            "treatment": methods,
            "n_winsorised": counts,
            "passes": passes,
        },
        index=pd.Index(list(data.columns), name="iCode"),
    )
    return TreatmentResult(pd.DataFrame(out, index=data.index, columns=data.columns), details)
