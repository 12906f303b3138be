"""The outcomes API under ``/api/v1/outcomes``: newcomer cohorts, KPI status and history,
observations and forecasts against the plan's targets.

Readers read; editors record observations. Every answer is a read model of
:mod:`bioconnect.services.outcomes`, which does the work.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Body, Path, Query, Request

from bioconnect.services.outcomes import (
    FORECAST_SEED,
    H2020_LAST_YEAR,
    CohortReport,
    KpiForecast,
    KpiStatus,
    Observation,
    ObservationCreate,
    kpi_forecast,
    kpi_status,
    kpi_statuses,
    newcomer_cohorts,
    observations,
    record_observation,
)
from bioconnect.web.limits import TOO_COSTLY, Costly
from bioconnect.web.routing import (
    Country,
    Editor,
    Reader,
    api_router,
    engine_of,
    preset_of,
    region_countries,
    split_codes,
)

router = api_router(prefix="/outcomes", tags=["outcomes"])

#: A plan record id (as the plan model defines it).
KPI_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$"
KpiId = Annotated[
    str, Path(max_length=100, pattern=KPI_PATTERN, description="The KPI's id in the plan.")
]
Breakdown = Literal["country", "stakeholder_group", "domain", "sme"]
Gap = Annotated[
    int, Query(ge=1, le=10, description="Years without a new project that make an exit.")
]
EndYear = Annotated[
    int,
    Query(ge=1980, le=2100, description="The last year of the data; later starts are ignored."),
]
Method = Literal["auto", "count", "trend"]
Uplift = Annotated[
    float,
    Query(ge=-0.9, le=5.0, description="Scenario: relative change of the rate (0.2 = +20%)."),
]
Paths = Annotated[int, Query(ge=100, le=20_000, description="Simulated paths.")]
Seed = Annotated[int, Query(ge=0, le=2**32 - 1, description="Random seed: same seed, same result.")]


@router.get("/cohorts", response_model=CohortReport, dependencies=[Costly], responses=TOO_COSTLY)
def get_cohorts(
    request: Request,
    user: Reader,
    countries: Country = None,
    by: Breakdown = "country",
    gap: Gap = 3,
    end_year: EndYear = H2020_LAST_YEAR,
) -> CohortReport:
    """Newcomers to EU research (first H2020/Horizon Europe project, not in FP7): entries
    per year and Kaplan–Meier survival with 95% bands, per group of ``by``; by default for
    the region's countries and its reference countries."""
    codes = split_codes(countries) or region_countries(request)
    return newcomer_cohorts(engine_of(request), codes, by=by, gap_years=gap, end_year=end_year)


@router.get("/kpis", response_model=list[KpiStatus])
def get_kpis(request: Request, user: Reader) -> list[KpiStatus]:
    """Every KPI of the plan: baseline, latest observation, target, progress and status."""
    return kpi_statuses(engine_of(request), region=preset_of(request))


@router.get("/kpis/{kpi}", response_model=KpiStatus)
def get_kpi(request: Request, user: Reader, kpi: KpiId) -> KpiStatus:
    """One KPI with its history and status."""
    return kpi_status(engine_of(request), kpi, region=preset_of(request))


@router.get("/kpis/{kpi}/observations", response_model=list[Observation])
def get_observations(request: Request, user: Reader, kpi: KpiId) -> list[Observation]:
    """A KPI's observations by date."""
    engine, region = engine_of(request), preset_of(request)
    kpi_status(engine, kpi, region=region)  # 404 for a KPI the plan lacks
    return observations(engine, kpi, region=region)


@router.post("/kpis/{kpi}/observations", response_model=Observation, status_code=201)
def post_observation(
    request: Request, user: Editor, kpi: KpiId, observation: Annotated[ObservationCreate, Body()]
) -> Observation:
    """Record an observation of a KPI (editors). The unit must be the KPI's; a date in the
    future is refused. The same KPI, date and source replaces the value."""
    engine, region = engine_of(request), preset_of(request)
    kpi_status(engine, kpi, region=region)  # 404 for a KPI the plan lacks
    return record_observation(
        engine,
        kpi,
        observation.value,
        observation.date,
        unit=observation.unit,
        source=observation.source,
        actor=user.username,
        region=region,
        origin="api",
    )


@router.get("/kpis/{kpi}/forecast", response_model=KpiForecast)
def get_forecast(
    request: Request,
    user: Reader,
    kpi: KpiId,
    method: Method = "auto",
    uplift: Uplift = 0.0,
    paths: Paths = 10_000,
    seed: Seed = FORECAST_SEED,
) -> KpiForecast:
    """A Monte Carlo forecast of the KPI to its target date, with the probability of
    meeting the target; the same seed gives the same answer."""
    engine, region = engine_of(request), preset_of(request)
    kpi_status(engine, kpi, region=region)  # 404 for a KPI the plan lacks
    return kpi_forecast(
        engine, kpi, region=region, method=method, uplift=uplift, n_paths=paths, seed=seed
    )
