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
from bioconnect.outcomes.logrank import LogRankResult, logrank_test
from bioconnect.outcomes.survival import (
    SurvivalCurve,
    kaplan_meier,
    median_survival,
    survival_at,
)

__all__ = [
    "COHORT_COLUMNS",
    "EXIT_KINDS",
    "LogRankResult",
    "SurvivalCurve",
    "cohort_table",
    "entries_per_year",
    "kaplan_meier",
    "logrank_test",
    "median_survival",
    "newcomer_cohort",
    "survival_at",
]
