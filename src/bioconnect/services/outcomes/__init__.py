"""Outcomes as users see them: newcomer cohorts from the store, survival of any table,
KPI observations with status against the plan's targets, and forecasts.

* :mod:`~bioconnect.services.outcomes.cohorts`: newcomers to EU research, by country,
  stakeholder group, domain and SME status, with their survival;
* :mod:`~bioconnect.services.outcomes.kpis`: observations of the plan's KPIs (form, CSV),
  their history and status against baseline and target;
* :mod:`~bioconnect.services.outcomes.forecasts`: Monte Carlo forecasts against targets;
* :mod:`~bioconnect.services.outcomes.survival`: the survival of any CSV table;
* :mod:`~bioconnect.services.outcomes.registers`: company registers read as cohorts.
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
from bioconnect.services.outcomes.forecasts import (
    FORECAST_PATHS,
    FORECAST_SEED,
    KpiForecast,
    kpi_forecast,
)
from bioconnect.services.outcomes.kpis import (
    CSV_COLUMNS,
    KpiStatus,
    Measure,
    Observation,
    ObservationImport,
    import_observations,
    kpi_statuses,
    observations,
    record_observation,
)
from bioconnect.services.outcomes.registers import (
    BIOTECH_ACTIVITY_CODES,
    REGISTERS,
    read_register,
    register_cohort,
)
from bioconnect.services.outcomes.survival import (
    GroupCurve,
    LogRankTest,
    SurvivalReport,
    survival_of_file,
)

__all__ = [
    "BIOTECH_ACTIVITY_CODES",
    "BREAKDOWNS",
    "CSV_COLUMNS",
    "FORECAST_PATHS",
    "FORECAST_SEED",
    "HORIZONS",
    "PRIOR_SOURCES",
    "REGISTERS",
    "CohortReport",
    "Curve",
    "EntryCount",
    "GroupCurve",
    "KpiForecast",
    "KpiStatus",
    "LogRank",
    "LogRankTest",
    "Measure",
    "Observation",
    "ObservationImport",
    "SurvivalReport",
    "import_observations",
    "kpi_forecast",
    "kpi_statuses",
    "newcomer_cohorts",
    "newcomer_table",
    "observations",
    "read_register",
    "record_observation",
    "register_cohort",
    "survival_of_file",
]
