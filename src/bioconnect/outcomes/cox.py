"""The Cox proportional-hazards model: how attributes (SME, group, country) shift the hazard
of exit, fitted by lifelines (imported when called)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bioconnect.errors import InputError

__all__ = ["CoxResult", "cox_ph"]


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model: one row per covariate in ``table`` (``coef``, ``hazard_ratio``,
    ``se``, ``ci_lower``, ``ci_upper`` of the hazard ratio, ``p``), the number of entities
    and exits, the concordance index, and the proportional-hazards test's smallest p-value
    (Schoenfeld residuals, rank-transformed time)."""

    table: pd.DataFrame
    n: int
    events: int
    concordance: float
    ph_test_min_p: float | None


def _design(frame: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numbers as they are; booleans as 0/1; text as indicators against its most common
    value (the reference level)."""
    parts = []
    for name in covariates:
        values = frame[name]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            parts.append(values.astype(float).rename(name))
            continue
        text = values.astype("string").fillna("unknown")
        reference = text.value_counts().index[0]
        dummies = pd.get_dummies(text, prefix=name, prefix_sep="=", dtype=float)
        parts.append(dummies.drop(columns=f"{name}={reference}"))
    return pd.concat(parts, axis=1)


def cox_ph(
    frame: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Sequence[str],
    *,
    penalizer: float = 0.0,
) -> CoxResult:
    """Fit a Cox proportional-hazards model of exit on the covariates.

    Parameters
    ----------
    frame:
        One row per entity.
    duration, event:
        Columns of the time followed and of the exit flag (true when observed).
    covariates:
        Columns of attributes. Booleans become 0/1; text columns become indicators against
        their most common value; rows with a missing number are an error.
    penalizer:
        lifelines' L2 penalty, for small or separated data (0: the plain partial likelihood).

    Returns
    -------
    CoxResult
        Coefficients, hazard ratios with 95% intervals and p-values (Wald), concordance and
        the smallest p-value of the proportional-hazards test.

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> fit = cox_ph(load_rossi(), "week", "arrest", ["fin", "age", "prio"])
    >>> fit.table["coef"].round(3).to_dict()
    {'fin': -0.347, 'age': -0.067, 'prio': 0.097}

    References
    ----------
    Cox, D. R. (1972). Regression models and life-tables. *Journal of the Royal
    Statistical Society B* 34(2), 187–220. Grambsch, P. M. & Therneau, T. M. (1994).
    Proportional hazards tests and diagnostics based on weighted residuals. *Biometrika*
    81(3), 515–526. Fox, J. (2002). *Cox Proportional-Hazards Regression for Survival
    Data*, appendix to *An R and S-PLUS Companion to Applied Regression* (the Rossi data).
    """
    missing = [c for c in (duration, event, *covariates) if c not in frame.columns]
    if missing:
        raise InputError(f"there is no column {missing[0]!r}", "name columns of the table")
    if not covariates:
        raise InputError("no covariates given", "name at least one attribute column")
    design = _design(frame, covariates)
    if design.isna().any().any():
        column = str(design.columns[design.isna().any()][0])
        raise InputError(f"column {column!r} has missing values", "fill them or leave it out")
    data = design.assign(_t=frame[duration].astype(float), _e=frame[event].astype(bool))
    if not data["_e"].any():
        raise InputError("no exits in the data", "a Cox model needs at least one observed exit")
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    fitter = CoxPHFitter(penalizer=penalizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(data, duration_col="_t", event_col="_e")
        ph = proportional_hazard_test(fitter, data, time_transform="rank")
    summary = fitter.summary
    table = pd.DataFrame(
        {
            "coef": summary["coef"],
            "hazard_ratio": summary["exp(coef)"],
            "se": summary["se(coef)"],
            "ci_lower": summary["exp(coef) lower 95%"],
            "ci_upper": summary["exp(coef) upper 95%"],
            "p": summary["p"],
        }
    )
    table.index = table.index.astype(str)
    table.index.name = "covariate"
    p_values = np.asarray(ph.p_value, dtype=float)
    return CoxResult(
        table=table,
        n=len(data),
        events=int(data["_e"].sum()),
        concordance=float(fitter.concordance_index_),
        ph_test_min_p=float(p_values.min()) if p_values.size else None,
    )
