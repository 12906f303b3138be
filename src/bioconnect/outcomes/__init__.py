"""Outcomes: cohorts of entities, their survival, and KPI progress and forecasts.

Pure functions on arrays and DataFrames; the store and the files are the services' work.
"""

from bioconnect.outcomes.cohorts import (
    COHORT_COLUMNS,
    EXIT_KINDS,
    cohort_table,
    entries_per_year,
    newcomer_cohort,
)
from bioconnect.outcomes.competing import (
    CumulativeIncidence,
    cumulative_incidence,
    incidence_at,
)
from bioconnect.outcomes.cox import CoxResult, cox_ph
from bioconnect.outcomes.forecast import QUANTILES, Forecast, forecast_counts, forecast_trend
from bioconnect.outcomes.logrank import LogRankResult, logrank_test
from bioconnect.outcomes.progress import AT_RISK_SHARE, Progress, kpi_progress
from bioconnect.outcomes.startups import EXIT_REASONS, FAILURE_KINDS, exit_kind, startup_cohort
from bioconnect.outcomes.survival import (
    SurvivalCurve,
    kaplan_meier,
    median_survival,
    survival_at,
)

__all__ = [
    "AT_RISK_SHARE",
    "COHORT_COLUMNS",
    "EXIT_KINDS",
    "EXIT_REASONS",
    "FAILURE_KINDS",
    "QUANTILES",
    "CoxResult",
    "CumulativeIncidence",
    "Forecast",
    "LogRankResult",
    "Progress",
    "SurvivalCurve",
    "cohort_table",
    "cox_ph",
    "cumulative_incidence",
    "entries_per_year",
    "exit_kind",
    "forecast_counts",
    "forecast_trend",
    "incidence_at",
    "kaplan_meier",
    "kpi_progress",
    "logrank_test",
    "median_survival",
    "newcomer_cohort",
    "startup_cohort",
    "survival_at",
]
