"""Outcomes as users see them: newcomer cohorts from the store, survival of any table,
KPI observations with status against the plan's targets, and forecasts.

* :mod:`~bioconnect.services.outcomes.cohorts`: newcomers to EU research, by country,
  stakeholder group, domain and SME status, with their survival;
* :mod:`~bioconnect.services.outcomes.kpis`: observations of the plan's KPIs (form, CSV),
  their history and status against baseline and target;
* :mod:`~bioconnect.services.outcomes.forecasts`: Monte Carlo forecasts against targets;
* :mod:`~bioconnect.services.outcomes.survival`: the survival of any CSV table;
* :mod:`~bioconnect.services.outcomes.registers`: company registers read as cohorts;
* :mod:`~bioconnect.services.outcomes.startups`: users' startup lists, as cohorts linked
  to the atlas;
* :mod:`~bioconnect.services.outcomes.views`: what the pages show (tables, chart specs).
"""

from bioconnect.services.outcomes.cohorts import (
    BREAKDOWNS,
    HORIZONS,
    PRIOR_SOURCES,
    CohortReport,
    CoxModel,
    CoxTerm,
    Curve,
    EntryCount,
    LogRank,
    newcomer_cohorts,
    newcomer_cox,
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
    SOURCE_LIMIT,
    UPLOAD_LIMIT,
    KpiStatus,
    Measure,
    Observation,
    ObservationCreate,
    ObservationImport,
    import_observations,
    import_uploaded_observations,
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
from bioconnect.services.outcomes.startups import (
    STARTUP_MAPPING,
    Incidence,
    StartupImport,
    StartupLink,
    StartupReport,
    import_startups,
    startup_links,
    startup_report,
)
from bioconnect.services.outcomes.survival import (
    GroupCurve,
    LogRankTest,
    SurvivalReport,
    survival_of_file,
)
from bioconnect.services.outcomes.views import (
    H2020_LAST_YEAR,
    STATUS_RULES,
    CohortsView,
    EntryYear,
    KpiDashboard,
    KpiRow,
    KpiView,
    cohort_csv,
    cohorts_view,
    kpi_dashboard,
    kpi_status,
    kpi_view,
    observations_csv,
)

__all__ = [
    "BIOTECH_ACTIVITY_CODES",
    "BREAKDOWNS",
    "CSV_COLUMNS",
    "FORECAST_PATHS",
    "FORECAST_SEED",
    "H2020_LAST_YEAR",
    "HORIZONS",
    "PRIOR_SOURCES",
    "REGISTERS",
    "SOURCE_LIMIT",
    "STARTUP_MAPPING",
    "STATUS_RULES",
    "UPLOAD_LIMIT",
    "CohortReport",
    "CohortsView",
    "CoxModel",
    "CoxTerm",
    "Curve",
    "EntryCount",
    "EntryYear",
    "GroupCurve",
    "Incidence",
    "KpiDashboard",
    "KpiForecast",
    "KpiRow",
    "KpiStatus",
    "KpiView",
    "LogRank",
    "LogRankTest",
    "Measure",
    "Observation",
    "ObservationCreate",
    "ObservationImport",
    "StartupImport",
    "StartupLink",
    "StartupReport",
    "SurvivalReport",
    "cohort_csv",
    "cohorts_view",
    "import_observations",
    "import_startups",
    "import_uploaded_observations",
    "kpi_dashboard",
    "kpi_forecast",
    "kpi_status",
    "kpi_statuses",
    "kpi_view",
    "newcomer_cohorts",
    "newcomer_cox",
    "newcomer_table",
    "observations",
    "observations_csv",
    "read_register",
    "record_observation",
    "register_cohort",
    "startup_links",
    "startup_report",
    "survival_of_file",
]
