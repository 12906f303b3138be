"""Kaplan–Meier survival curves with Greenwood confidence bands, median and fixed horizons.

Every function takes plain arrays (durations and event flags) and returns numpy values;
nothing here reads the store. Durations are non-negative numbers in any unit (years for
the cohorts of :mod:`bioconnect.outcomes.cohorts`); an event flag is true when the exit was
observed and false when the entity was censored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from bioconnect.errors import InputError

__all__ = ["SurvivalCurve", "kaplan_meier", "median_survival", "survival_at"]

_CI_METHODS = ("log-log", "linear")


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan–Meier estimate: one row per distinct time, starting at time 0.

    ``timeline`` holds 0 and every distinct observed time (events and censorings);
    ``at_risk`` is the number still followed just before each time, ``events`` and
    ``censored`` the exits and censorings at it. ``survival`` is S(t) just after t, and
    ``ci_lower``/``ci_upper`` its pointwise band at ``1 - alpha``. ``median`` is the first
    time at which S(t) ≤ 0.5 (``inf`` when the curve stays above one half).
    """

    timeline: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    censored: np.ndarray
    survival: np.ndarray
    greenwood: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    median: float
    alpha: float
    ci_method: str


def _check(durations: ArrayLike, events: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events)
    if t.ndim != 1 or e.shape != t.shape:
        raise InputError(
            "durations and events must be one-dimensional and of the same length",
            "pass one duration and one event flag per entity",
        )
    if t.size == 0:
        raise InputError("there are no entities to estimate from", "pass at least one duration")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        bad = int(np.flatnonzero(~np.isfinite(t) | (t < 0))[0])
        raise InputError(
            f"duration {t[bad]!r} at position {bad} is negative or missing",
            "durations are the time from entry to exit or censoring, zero or more",
        )
    if not np.isin(e, (0, 1, True, False)).all():
        raise InputError("event flags must be 0/1 or true/false", "mark exits 1, censored 0")
    return t, e.astype(bool)


def _band(s: np.ndarray, gw: np.ndarray, z: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    if method == "linear":
        half = z * s * np.sqrt(gw)
        return np.clip(s - half, 0.0, 1.0), np.clip(s + half, 0.0, 1.0)
    lower, upper = s.copy(), s.copy()
    inside = (s > 0) & (s < 1)
    log_s = np.log(s[inside])
    se = np.sqrt(gw[inside]) / np.abs(log_s)
    lower[inside] = np.exp(-np.exp(np.log(-log_s) + z * se))
    upper[inside] = np.exp(-np.exp(np.log(-log_s) - z * se))
    return lower, upper


def kaplan_meier(
    durations: ArrayLike, events: ArrayLike, *, alpha: float = 0.05, ci: str = "log-log"
) -> SurvivalCurve:
    """Kaplan–Meier product-limit estimate of the survival function.

    S(t) = ∏_{t_i ≤ t} (1 − d_i / n_i), with d_i exits and n_i at risk at t_i. Its variance
    is Greenwood's, Var Ŝ(t) = Ŝ(t)² Σ d_i / (n_i (n_i − d_i)). The band is either
    ``"log-log"`` (Kalbfleisch and Prentice's transform, the default: it stays inside
    [0, 1]) or ``"linear"`` (Ŝ ± z·√Var, clipped).

    Parameters
    ----------
    durations:
        Time from entry to exit or censoring, one per entity, zero or more.
    events:
        1 (or true) when the exit was observed, 0 when the entity was censored.
    alpha:
        One minus the band's coverage (0.05 gives 95% bands).
    ci:
        ``"log-log"`` or ``"linear"``.

    Returns
    -------
    SurvivalCurve
        The curve on its timeline with the band and the median.

    Examples
    --------
    >>> curve = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    >>> curve.timeline.tolist(), curve.survival.round(4).tolist()
    ([0.0, 1.0, 2.0, 3.0, 4.0], [1.0, 0.8, 0.6, 0.3, 0.3])
    >>> curve.median
    3.0

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. *JASA* 53(282), 457–481. Greenwood, M. (1926). The natural duration of
    cancer. *Reports on Public Health and Medical Subjects* 33, 1–26. Kalbfleisch, J. D. &
    Prentice, R. L. (2002). *The Statistical Analysis of Failure Time Data*, 2nd ed., §4.3.
    """
    if ci not in _CI_METHODS:
        raise InputError(f"unknown confidence band {ci!r}", f"use one of {', '.join(_CI_METHODS)}")
    if not 0 < alpha < 1:
        raise InputError(f"alpha {alpha} is not between 0 and 1", "use e.g. 0.05 for 95% bands")
    t, e = _check(durations, events)
    times, inverse = np.unique(t, return_inverse=True)
    removed = np.bincount(inverse, minlength=times.size)
    deaths = np.bincount(inverse, weights=e, minlength=times.size).astype(np.int64)
    at_risk = t.size - np.concatenate(([0], np.cumsum(removed)[:-1]))
    if times[0] > 0:
        times = np.concatenate(([0.0], times))
        removed, deaths = np.concatenate(([0], removed)), np.concatenate(([0], deaths))
        at_risk = np.concatenate(([t.size], at_risk))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = 1.0 - deaths / at_risk
        terms = np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), np.inf)
    survival = np.cumprod(factor)
    greenwood = np.cumsum(np.where(deaths > 0, terms, 0.0))
    lower, upper = _band(survival, greenwood, float(norm.ppf(1 - alpha / 2)), ci)
    below = np.flatnonzero(survival <= 0.5)
    return SurvivalCurve(
        timeline=times,
        at_risk=at_risk.astype(np.int64),
        events=deaths,
        censored=(removed - deaths).astype(np.int64),
        survival=survival,
        greenwood=greenwood,
        ci_lower=lower,
        ci_upper=upper,
        median=float(times[below[0]]) if below.size else math.inf,
        alpha=alpha,
        ci_method=ci,
    )


def survival_at(curve: SurvivalCurve, horizons: ArrayLike) -> np.ndarray:
    """The estimated survival S(t) at given horizons (a step function, right-continuous).

    Parameters
    ----------
    curve:
        A curve from :func:`kaplan_meier`.
    horizons:
        Times at which to read the curve, e.g. ``[3, 5]`` for the share surviving three
        and five years.

    Returns
    -------
    numpy.ndarray
        S at each horizon; NaN beyond the last time followed, where the curve is unknown.

    Examples
    --------
    >>> curve = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    >>> survival_at(curve, [0.5, 2, 3.5, 9]).round(2).tolist()
    [1.0, 0.6, 0.3, nan]

    References
    ----------
    Klein, J. P. & Moeschberger, M. L. (2003). *Survival Analysis: Techniques for Censored
    and Truncated Data*, 2nd ed., §4.2.
    """
    h = np.atleast_1d(np.asarray(horizons, dtype=float))
    idx = np.searchsorted(curve.timeline, h, side="right") - 1
    out = curve.survival[np.clip(idx, 0, None)].astype(float)
    out[(idx < 0)] = 1.0
    out[h > curve.timeline[-1]] = np.nan
    return out


def median_survival(durations: ArrayLike, events: ArrayLike) -> float:
    """The median survival time: the first time at which the Kaplan–Meier S(t) ≤ 0.5.

    Parameters
    ----------
    durations, events:
        As for :func:`kaplan_meier`.

    Returns
    -------
    float
        The median, or ``inf`` when more than half survive the whole follow-up.

    Examples
    --------
    >>> median_survival([1, 2, 3, 4], [1, 1, 1, 1])
    2.0
    >>> median_survival([1, 2, 3], [0, 0, 0])
    inf

    References
    ----------
    Brookmeyer, R. & Crowley, J. (1982). A confidence interval for the median survival
    time. *Biometrics* 38(1), 29–41.
    """
    return kaplan_meier(durations, events).median
