"""Forecasts of a plan's KPI from its baseline and observations, against its target."""

from __future__ import annotations

import datetime as dt

import numpy as np
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine

from bioconnect.errors import InputError
from bioconnect.outcomes import QUANTILES, forecast_counts, forecast_trend
from bioconnect.services.outcomes.kpis import _kpis, observations

#: Paths and seed of a forecast unless asked otherwise.
FORECAST_PATHS = 10_000
FORECAST_SEED = 20240101

#: The forecast methods: ``count`` (Poisson trend), ``trend`` (linear, bootstrap), ``auto``.
METHODS = ("auto", "count", "trend")

_ASSUMPTIONS = {
    "poisson-trend": (
        "Yearly counts are Poisson with a log-linear trend fitted to the history (a weak "
        "normal prior on the yearly log change, sd 1); each path draws the trend from its "
        "approximate posterior, scales it by 1 + uplift, and draws the counts. Assumes "
        "independent years, no overdispersion and that the trend continues."
    ),
    "linear-trend-bootstrap": (
        "The value follows a straight line in time; each path refits the line to the fitted "
        "values plus resampled residuals and adds one more residual at the target date. "
        "Assumes the trend continues and the residuals are exchangeable."
    ),
}


class KpiForecast(BaseModel):
    """A fan of simulated values against a KPI's target, and the chance of meeting it."""

    model_config = ConfigDict(frozen=True)

    kpi: str
    method: str
    assumptions: str
    history: list[tuple[float, float]]
    target: float
    target_date: dt.date
    times: list[float]
    quantiles: dict[str, list[float]]
    probability: float
    uplift: float
    n_paths: int
    seed: int


def _decimal_year(day: dt.date) -> float:
    start = dt.date(day.year, 1, 1)
    return day.year + (day - start).days / (dt.date(day.year + 1, 1, 1) - start).days


def kpi_forecast(
    engine: Engine,
    kpi: str,
    *,
    region: str | None = None,
    method: str = "auto",
    uplift: float = 0.0,
    n_paths: int = FORECAST_PATHS,
    seed: int = FORECAST_SEED,
) -> KpiForecast:
    """Forecast a KPI to its target date from its baseline and observations.

    ``count`` (a Poisson trend by calendar year, for counts such as new companies a
    year) or ``trend`` (a linear trend with a residual bootstrap, for shares and levels);
    ``auto`` takes ``count`` when every value is a whole number and the unit is not a
    percentage. The same seed gives the same result.
    """
    if method not in METHODS:
        raise InputError(f"unknown forecast method {method!r}", f"use one of {', '.join(METHODS)}")
    _, kpis = _kpis(engine, region)
    if kpi not in kpis:
        raise InputError(f"no KPI {kpi!r} in the plan", f"use one of: {', '.join(sorted(kpis))}")
    record = kpis[kpi]
    if record.target is None:
        raise InputError(f"KPI {kpi!r} has no target", "give it a target value and date first")
    points = [(o.date, o.value) for o in observations(engine, kpi, region=region)]
    if record.baseline is not None:
        points.append((record.baseline.date, record.baseline.value))
    points.sort()
    values = np.array([v for _, v in points])
    whole = (
        bool(values.size) and bool(np.all(values == np.round(values))) and bool(np.all(values >= 0))
    )
    if method == "auto":
        method = (
            "count"
            if whole and "percent" not in record.unit.lower() and "%" not in record.unit
            else "trend"
        )
    increase = record.direction == "increase"
    if method == "count":
        # one value a year: the latest observation of each year
        by_year = {d.year: v for d, v in points}
        years, counts = list(by_year), list(by_year.values())
        result = forecast_counts(
            years,
            counts,
            target_year=record.target.date.year,
            target=record.target.value,
            increase=increase,
            uplift=uplift,
            n_paths=n_paths,
            seed=seed,
        )
        history = [(float(y), float(c)) for y, c in by_year.items()]
    else:
        times = [_decimal_year(d) for d, _ in points]
        result = forecast_trend(
            times,
            values,
            target_time=_decimal_year(record.target.date),
            target=record.target.value,
            increase=increase,
            n_paths=n_paths,
            seed=seed,
        )
        history = [(t, float(v)) for t, v in zip(times, values, strict=True)]
    return KpiForecast(
        kpi=kpi,
        method=result.method,
        assumptions=_ASSUMPTIONS[result.method],
        history=history,
        target=record.target.value,
        target_date=record.target.date,
        times=result.times.tolist(),
        quantiles={
            f"q{round(q * 100):02d}": row.tolist()
            for q, row in zip(QUANTILES, result.quantiles, strict=True)
        },
        probability=result.probability,
        uplift=uplift,
        n_paths=n_paths,
        seed=seed,
    )
