"""The atlas API: the summary, the map, organisations, projects, exports and the review queue.

Routes only translate HTTP to service calls; the services do the work (the CLI calls the
same ones).
"""

from __future__ import annotations

import pathlib
import tempfile
from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Annotated, Literal

from fastapi import Body, Depends, Path, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import Field
from starlette.background import BackgroundTask

from bioconnect.services import maps, organisations, projects, review
from bioconnect.services.atlas import AtlasSummary, atlas_summary
from bioconnect.services.export import export_organisations
from bioconnect.services.maps import GeoJSON
from bioconnect.services.organisations import OrganisationDetail, OrganisationSummary
from bioconnect.services.projects import ProjectDetail, ProjectSummary
from bioconnect.services.review import Candidate, DecisionOutcome
from bioconnect.web.routing import (
    Country,
    Domain,
    Editor,
    Group,
    Limit,
    Offset,
    Page,
    Programme,
    Reader,
    RequestBody,
    Research,
    Text,
    Year,
    api_router,
    engine_of,
    kept_or_computed,
    page_of,
    preset_of,
    split_codes,
)

router = api_router()


class OrganisationPage(Page):
    items: list[OrganisationSummary]


class ProjectPage(Page):
    items: list[ProjectSummary]


class Decision(RequestBody):
    same: bool = Field(description="True when the two records are the same organisation.")
    note: str | None = Field(default=None, max_length=2000)


@router.get("/atlas/summary", response_model=AtlasSummary, tags=["atlas"])
def get_atlas_summary(
    request: Request,
    user: Reader,
    scope: Annotated[
        Literal["focus", "all"],
        Query(
            description=(
                "focus: the preset's focus (the default); all: all research. "
                "The answer's scope says what its figures cover."
            )
        ),
    ] = "focus",
) -> AtlasSummary:
    """Counts by country, stakeholder group, domain and programme, with EC contribution."""
    return atlas_summary(engine_of(request), preset_of(request), scope)


@dataclass(frozen=True)
class AtlasFilters:
    """The atlas filters the map routes take, as the map service's keyword arguments."""

    countries: list[str] | None
    stakeholder_group: str | None
    domain: str | None
    programme: str | None
    start_year: int | None
    end_year: int | None


async def atlas_filters(
    countries: Country = None,
    group: Group = None,
    domain: Domain = None,
    programme: Programme = None,
    start_year: Year = None,
    end_year: Year = None,
) -> AtlasFilters:
    return AtlasFilters(
        list(split_codes(countries)) or None, group, domain, programme, start_year, end_year
    )


Filters = Annotated[AtlasFilters, Depends(atlas_filters)]


class NutsLevel(IntEnum):
    """The NUTS levels the map draws (``bioconnect.services.maps.LEVELS``)."""

    countries = 0
    regions = 2
    small_regions = 3


@router.get("/atlas/map", response_model=GeoJSON, tags=["atlas"])
def get_atlas_map(
    request: Request,
    user: Reader,
    filters: Filters,
    level: Annotated[
        NutsLevel, Query(description="NUTS level: 0 (countries), 2 (regions) or 3 (small regions).")
    ] = NutsLevel.countries,
    research: Research = "all",
) -> GeoJSON:
    """NUTS regions with organisations, participations and EC contribution, as GeoJSON."""
    return maps.atlas_map(
        engine_of(request),
        preset=preset_of(request),
        level=int(level),
        scope=research,
        **asdict(filters),
    )


@router.get("/atlas/points", response_model=GeoJSON, tags=["atlas"])
def get_atlas_points(
    request: Request, user: Reader, filters: Filters, research: Research = "all"
) -> GeoJSON:
    """Organisations whose coordinates are known, as GeoJSON points."""
    return maps.organisation_points(
        engine_of(request), preset=preset_of(request), scope=research, **asdict(filters)
    )


@router.get("/organisations", response_model=OrganisationPage, tags=["organisations"])
async def get_organisations(
    request: Request,
    user: Reader,
    q: Text = "",
    countries: Country = None,
    group: Group = None,
    domain: Domain = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> OrganisationPage:
    """Organisations, most active first; ``q`` searches names and identifiers."""
    rows, total = await kept_or_computed(
        organisations.list_organisations,
        engine_of(request),
        q,
        countries=list(split_codes(countries)) or None,
        stakeholder_group=group,
        domain=domain,
        limit=limit,
        offset=offset,
    )
    return OrganisationPage(items=rows, **page_of(total, limit, offset))


@router.get("/organisations/{org_id}", response_model=OrganisationDetail, tags=["organisations"])
async def get_organisation(request: Request, user: Reader, org_id: str) -> OrganisationDetail:
    """One organisation: identifiers, names, funding, projects, partners and provenance."""
    return await kept_or_computed(organisations.organisation_detail, engine_of(request), org_id)


@router.get("/projects", response_model=ProjectPage, tags=["projects"])
def get_projects(
    request: Request,
    user: Reader,
    q: Text = "",
    programme: Programme = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ProjectPage:
    """Projects, newest first; ``q`` searches acronyms, titles and ids."""
    rows, total = projects.search_projects(
        engine_of(request), q, programme=programme, limit=limit, offset=offset
    )
    return ProjectPage(items=rows, **page_of(total, limit, offset))


@router.get("/projects/{project_id}", response_model=ProjectDetail, tags=["projects"])
def get_project(request: Request, user: Reader, project_id: str) -> ProjectDetail:
    """One project with its participants, programme parts, fields of science and domains."""
    return projects.project_detail(engine_of(request), project_id)


@router.get(
    "/exports/organisations",
    tags=["exports"],
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
                "application/geo+json": {"schema": {"type": "object"}},
            },
        }
    },
)
def get_export(
    request: Request,
    user: Reader,
    format: Literal["csv", "xlsx", "geojson"] = "csv",
) -> Response:
    """The region's organisations as a file (CSV, XLSX or GeoJSON)."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bioconnect-export-"))
    path = folder / f"organisations.{format}"
    export_organisations(engine_of(request), path, format, preset=preset_of(request))
    media = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "geojson": "application/geo+json",
    }[format]

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(
        path, media_type=media, filename=path.name, background=BackgroundTask(cleanup)
    )


@router.get("/review/candidates", response_model=list[Candidate], tags=["review"])
def get_candidates(
    request: Request,
    user: Editor,
    status: Literal["pending", "auto", "accepted", "rejected"] = "pending",
    limit: Limit = 50,
) -> list[Candidate]:
    """Pairs of records that may be the same organisation (editors)."""
    return review.list_candidates(engine_of(request), status, limit)


@router.post("/review/candidates/{pair_id}", response_model=DecisionOutcome, tags=["review"])
def post_decision(
    request: Request,
    user: Editor,
    pair_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    decision: Annotated[Decision, Body()],
) -> DecisionOutcome:
    """Decide whether a candidate pair is one organisation; the registry is rebuilt."""
    return review.decide(
        engine_of(request), pair_id, decision.same, actor=user.username, note=decision.note
    )
