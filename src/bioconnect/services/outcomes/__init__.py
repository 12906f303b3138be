"""Outcomes as users see them: newcomer cohorts from the store, survival of any table,
KPI observations with status against the plan's targets, and forecasts.

* :mod:`~bioconnect.services.outcomes.cohorts`: newcomers to EU research, by country,
  stakeholder group, domain and SME status, with their survival;
"""

from bioconnect.services.outcomes.cohorts import (
    BREAKDOWNS,
    HORIZONS,
    PRIOR_SOURCES,
    CohortReport,
    Curve,
    EntryCount,
    LogRank,
    newcomer_cohorts,
    newcomer_table,
)

__all__ = [
    "BREAKDOWNS",
    "HORIZONS",
    "PRIOR_SOURCES",
    "CohortReport",
    "Curve",
    "EntryCount",
    "LogRank",
    "newcomer_cohorts",
    "newcomer_table",
]
