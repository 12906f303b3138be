"""The benchmark API: editions, performance groups, the overview, best practice, the biotech
index, and the pages' tables as CSV or XLSX. Every route reads the latest stored edition;
without one, each answers 404 saying how to import it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Request
from fastapi.responses import Response

from bioconnect.services.benchmark import (
    BenchmarkGroups,
    BestPractice,
    EditionSummary,
    list_editions,
)
from bioconnect.services.benchmark_overview import (
    BenchmarkOverview,
    ExportTable,
    all_groups,
    benchmark_export,
    benchmark_overview,
    biotech_overview,
)
from bioconnect.services.biotech_index import BiotechIndex
from bioconnect.web.routing import Reader, api_router, engine_of, preset_of

router = api_router(prefix="/benchmark", tags=["benchmark"])

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/editions", response_model=list[EditionSummary])
def get_editions(request: Request, user: Reader) -> list[EditionSummary]:
    """The stored scoreboard editions with their provenance, oldest import first."""
    return list_editions(engine_of(request))


@router.get("/groups", response_model=BenchmarkGroups)
def get_groups(request: Request, user: Reader) -> BenchmarkGroups:
    """Every country's group in every year, with the probability of each group."""
    return all_groups(engine_of(request))


@router.get("/overview", response_model=BenchmarkOverview)
def get_overview(request: Request, user: Reader) -> BenchmarkOverview:
    """The region's countries: SII over time, group odds, profiles, best practice, cooperation."""
    return benchmark_overview(engine_of(request), preset_of(request))


@router.get("/best-practice", response_model=BestPractice)
def get_best_practice(request: Request, user: Reader) -> BestPractice:
    """The region's countries against the reference leader, dimension by dimension (% of it)."""
    return benchmark_overview(engine_of(request), preset_of(request)).best_practice


@router.get("/biotech", response_model=BiotechIndex)
def get_biotech(request: Request, user: Reader) -> BiotechIndex:
    """The biotech research index of the EU27 from the atlas, with rank intervals."""
    return biotech_overview(engine_of(request), preset_of(request))


@router.get(
    "/exports/{table}",
    response_class=Response,
    responses={
        200: {
            "description": "The table as a file.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def get_export(
    request: Request,
    user: Reader,
    table: Annotated[ExportTable, Path(description="Which table of the Benchmark pages.")],
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    """A table of the Benchmark pages (groups, profile, best practice, cooperation, biotech)."""
    body = benchmark_export(engine_of(request), table, format, preset_of(request))
    name = f"benchmark-{table}.{format}"
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
