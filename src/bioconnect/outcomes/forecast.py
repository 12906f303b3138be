"""Monte Carlo forecasts of a KPI and the probability of meeting its target."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from bioconnect.errors import InputError

__all__ = ["QUANTILES", "SLOPE_PRIOR_SD", "Forecast", "forecast_counts", "forecast_trend"]

#: The quantiles of the fan chart.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Forecast:
    """Simulated paths summarised: per future time, the :data:`QUANTILES` of the value;
    and the share of paths meeting the target at the target time."""

    method: str
    times: np.ndarray
    quantiles: np.ndarray  # (len(QUANTILES), len(times))
    probability: float
    n_paths: int
    seed: int


#: Standard deviation of the normal prior on the yearly change of the log rate: weak (a
#: factor e ≈ 2.7 a year is one sd), it keeps the fit finite when the history starts or
#: ends with zeros, where the maximum-likelihood slope would run off to infinity.
SLOPE_PRIOR_SD = 1.0
#: The largest log rate simulated (e^30 ≈ 10^13 a year): a numerical guard only.
_MAX_LOG_RATE = 30.0


def _poisson_fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-linear Poisson regression by Newton's method (IRLS), with the slope prior;
    returns the mode and the inverse Hessian (the Laplace approximation)."""
    design = np.column_stack([np.ones_like(x), x])
    penalty = np.diag([0.0, 1.0 / SLOPE_PRIOR_SD**2])
    beta = np.array([np.log(max(y.mean(), 0.5)), 0.0])
    for _ in range(200):
        mu = np.exp(design @ beta)
        info = design.T @ (design * mu[:, None]) + penalty
        step = np.linalg.solve(info, design.T @ (y - mu) - penalty @ beta)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(design @ beta)
    return beta, np.linalg.inv(design.T @ (design * mu[:, None]) + penalty)


def _meets(values: np.ndarray, target: float, increase: bool) -> float:
    return float(np.mean(values >= target if increase else values <= target))


def _check(times: ArrayLike, values: ArrayLike, minimum: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(times, dtype=float), np.asarray(values, dtype=float)
    if x.shape != y.shape or x.size < minimum or np.unique(x).size < 2:
        raise InputError(
            f"{x.size} observations at {np.unique(x).size} distinct times",
            f"a forecast needs at least {minimum} observations at two or more times",
        )
    return x, y


def forecast_counts(
    years: ArrayLike,
    counts: ArrayLike,
    *,
    target_year: int,
    target: float,
    increase: bool = True,
    uplift: float = 0.0,
    n_paths: int = 10_000,
    seed: int = 0,
) -> Forecast:
    """Forecast a yearly count (e.g. new companies a year) with a Poisson trend.

    Fits log E[N_y] = a + b·y by maximum likelihood, with a weak normal prior on b
    (:data:`SLOPE_PRIOR_SD`); each path draws (a, b) from their
    asymptotic normal distribution (so the trend's uncertainty is carried), multiplies the
    rate by ``1 + uplift`` (a scenario, e.g. the plan's expected effect) and draws Poisson
    counts for every year up to ``target_year``.

    Parameters
    ----------
    years, counts:
        The history: at least three years, counts ≥ 0.
    target_year, target:
        When and what the KPI aims at.
    increase:
        Whether the target is met from above (``True``) or from below.
    uplift:
        Relative change of the rate in the forecast years (0.2 = 20% more).
    n_paths, seed:
        Number of simulated paths and the random seed (same seed, same result).

    Returns
    -------
    Forecast
        The fan per future year and the probability that the count in ``target_year``
        meets the target.

    Examples
    --------
    >>> f = forecast_counts([2020, 2021, 2022, 2023], [10, 12, 15, 17],
    ...     target_year=2026, target=25, n_paths=2000, seed=1)
    >>> f.times.tolist(), round(f.probability, 2)
    ([2024.0, 2025.0, 2026.0], 0.62)

    References
    ----------
    McCullagh, P. & Nelder, J. A. (1989). *Generalized Linear Models*, 2nd ed., ch. 6
    (Poisson log-linear models, IRLS). Gelman, A. & Hill, J. (2007). *Data Analysis Using
    Regression and Multilevel/Hierarchical Models*, ch. 7 (predictive simulation).
    """
    x, y = _check(years, counts, 3)
    if np.any(y < 0) or not np.any(y > 0):
        raise InputError(
            "the counts are negative or all zero", "counts are zero or more, some above zero"
        )
    origin = x.min()
    beta, cov = _poisson_fit(x - origin, y)
    future = np.arange(x.max() + 1, target_year + 1, dtype=float)
    if future.size == 0:
        raise InputError(
            f"the target year {target_year} is not after the history", "forecast a later year"
        )
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(beta, cov, size=n_paths)
    log_rates = draws[:, :1] + draws[:, 1:] * (future - origin) + np.log1p(uplift)
    rates = np.exp(np.minimum(log_rates, _MAX_LOG_RATE))
    paths = rng.poisson(rates).astype(float)
    return Forecast(
        method="poisson-trend",
        times=future,
        quantiles=np.quantile(paths, QUANTILES, axis=0),
        probability=_meets(paths[:, -1], target, increase),
        n_paths=n_paths,
        seed=seed,
    )


def forecast_trend(
    times: ArrayLike,
    values: ArrayLike,
    *,
    target_time: float,
    target: float,
    increase: bool = True,
    n_paths: int = 10_000,
    seed: int = 0,
) -> Forecast:
    """Forecast a level (a share, a rate) by a linear trend with a residual bootstrap.

    Fits y = a + b·t by least squares; each path rebuilds the history from the fitted line
    plus residuals resampled with replacement, refits, and predicts the target time plus
    one more resampled residual (Efron and Tibshirani's bootstrap prediction).

    Parameters
    ----------
    times, values:
        The history (times as decimal years), at least three observations.
    target_time, target:
        When and what the KPI aims at.
    increase:
        Whether the target is met from above (``True``) or from below.
    n_paths, seed:
        Number of simulated paths and the random seed.

    Returns
    -------
    Forecast
        The fan at the target time and the probability of meeting the target there.

    Examples
    --------
    >>> f = forecast_trend([2021, 2022, 2023, 2024], [40.0, 43.0, 44.0, 47.0],
    ...     target_time=2027, target=55, n_paths=2000, seed=1)
    >>> round(float(f.quantiles[2, 0]), 1), round(f.probability, 2)
    (53.4, 0.14)

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, §9.5
    (bootstrapping regression residuals); Davison, A. C. & Hinkley, D. V. (1997).
    *Bootstrap Methods and their Application*, §6.3.3 (prediction).
    """
    x, y = _check(times, values, 3)
    design = np.column_stack([np.ones_like(x), x - x.min()])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coef
    residuals = (y - fitted) * np.sqrt(x.size / max(x.size - 2, 1))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, x.size, size=(n_paths, x.size + 1))
    series = fitted[None, :] + residuals[picks[:, :-1]]
    refit = np.linalg.lstsq(design, series.T, rcond=None)[0]
    at = np.array([1.0, target_time - x.min()])
    predicted = at @ refit + residuals[picks[:, -1]]
    return Forecast(
        method="linear-trend-bootstrap",
        times=np.array([float(target_time)]),
        quantiles=np.quantile(predicted, QUANTILES)[:, None],
        probability=_meets(predicted, target, increase),
        n_paths=n_paths,
        seed=seed,
    )
