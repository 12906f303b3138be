"""The REST API under ``/api/v1``: typed responses, pagination and ETags.

Routes only translate HTTP to service calls; the services do the work (the CLI calls the
same ones).
"""

from __future__ import annotations

import json
import pathlib
import tempfile
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from bioconnect.services import maps, organisations, projects, review
from bioconnect.services.accounts import Role, User, add_user, audit_entries, list_users, set_role
from bioconnect.services.atlas import atlas_summary
from bioconnect.services.export import export_organisations
from bioconnect.services.network import (
    NetworkQuery,
    network_metrics_page,
    network_recommendations,
    network_summary,
    network_view_body,
)
from bioconnect.web.etag import body_etag
from bioconnect.web.security import csrf_protect, require


class ProblemDetail(BaseModel):
    problem: str = Field(description="What is wrong.")
    fix: str = Field(description="How to fix it.")


class Problem(BaseModel):
    """Every error: one line saying what is wrong, and one saying how to fix it."""

    detail: ProblemDetail


def _error(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


router = APIRouter(
    dependencies=[Depends(csrf_protect)],
    responses={
        304: {"description": "Not modified: the If-None-Match ETag is current."},
        400: _error("The request asks for something impossible (the problem says what)."),
        401: _error("Sign in first (or the store requires accounts for reading)."),
        403: _error("Your role may not do this, or the CSRF token is missing."),
        404: _error("No such organisation, project or resource."),
        422: _error("A parameter is missing or malformed."),
    },
)

Reader = Annotated[User | None, Depends(require(None))]
Editor = Annotated[User, Depends(require(Role.editor))]
Admin = Annotated[User, Depends(require(Role.admin))]

Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]
Text = Annotated[str, Query(max_length=200, description="Text to look for.")]
Year = Annotated[int | None, Query(ge=1980, le=2100)]
Country = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[A-Za-z]{2}(,[A-Za-z]{2})*$",
        description="Comma-separated country codes as CORDIS writes them (EE,LV,LT,FI).",
    ),
]
Group = Annotated[
    Literal["academia", "industry", "investors", "public", "intermediaries", "other"] | None,
    Query(description="Stakeholder group."),
]
Domain = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")]
Programme = Annotated[Literal["H2020", "HORIZON"] | None, Query()]


class Page(BaseModel):
    """A page of results: ``next`` is the offset of the next page, or null on the last."""

    total: int
    limit: int
    offset: int
    next: int | None


class OrganisationSummary(BaseModel):
    id: str
    pic: str | None
    name: str | None
    country: str | None
    city: str | None
    stakeholder_group: str | None
    domains: str | None
    n_projects: int | None


class OrganisationPage(Page):
    items: list[OrganisationSummary]


class ProjectSummary(BaseModel):
    id: str
    programme: str | None
    acronym: str | None
    title: str | None
    start_year: int | None
    start_date: str | None
    end_date: str | None
    ec_max_contribution: float | None


class ProjectPage(Page):
    items: list[ProjectSummary]


class OrganisationDetail(BaseModel):
    organisation: dict[str, Any]
    names: list[dict[str, Any]]
    identifiers: list[dict[str, Any]]
    funding: dict[str, Any]
    projects: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    provenance: list[dict[str, Any]]


class ProjectDetail(BaseModel):
    project: dict[str, Any]
    participants: list[dict[str, Any]]
    parts: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    domains: list[dict[str, Any]]


class GraphNode(BaseModel):
    key: str
    attributes: dict[str, Any]


class GraphEdge(BaseModel):
    """A tie; graphology makes the key when it is absent, and the graph is undirected."""

    key: str | None = None
    source: str
    target: str
    undirected: bool | None = None
    attributes: dict[str, Any]


class NetworkGraph(BaseModel):
    """A graphology serialised graph: ``graph.import(data)`` in the browser."""

    attributes: dict[str, Any]
    options: dict[str, Any]
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class GeoJSON(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]
    level: int | None = None
    coverage: dict[str, int] | None = None
    attribution: str | None = None


class MetricsPage(Page):
    items: list[dict[str, Any]]


class Candidate(BaseModel):
    id: int
    left_key: str
    right_key: str
    probability: float
    status: str
    left_name: str | None
    right_name: str | None
    evidence: str | None


class Decision(BaseModel):
    same: bool = Field(description="True when the two records are the same organisation.")
    note: str | None = Field(default=None, max_length=2000)


class UserOut(BaseModel):
    username: str
    display_name: str | None
    role: str
    active: bool
    created_at: str


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=80)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["admin", "editor", "stakeholder", "viewer"] = "viewer"
    display_name: str | None = Field(default=None, max_length=200)


class RoleChange(BaseModel):
    role: Literal["admin", "editor", "stakeholder", "viewer"]


class Me(BaseModel):
    username: str | None
    role: str | None


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _preset(request: Request) -> str:
    return str(request.app.state.preset.name)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(t.strip().upper() for t in (text or "").split(",") if t.strip())


def _page(total: int, limit: int, offset: int) -> dict[str, Any]:
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": offset + limit if offset + limit < total else None,
    }


def network_query(
    request: Request,
    countries: Country = None,
    scope: Literal["region", "region_plus_partners"] = "region",
    programme: Programme = None,
    domain: Domain = None,
    group: Group = None,
    start_year: Year = None,
    end_year: Year = None,
    weight: Literal["projects", "fractional", "funding"] = "projects",
) -> NetworkQuery:
    """The network filters every network route takes."""
    return NetworkQuery(
        preset=_preset(request),
        countries=_split(countries),
        scope=scope,
        programmes=(programme,) if programme else (),
        domains=(domain,) if domain else (),
        stakeholder_groups=(group,) if group else (),
        start_year=start_year,
        end_year=end_year,
        weight=weight,
    )


Network = Annotated[NetworkQuery, Depends(network_query)]


@router.get("/me", response_model=Me, tags=["accounts"])
def me(request: Request, user: Reader) -> Me:
    """Who is signed in (nulls for an anonymous visitor)."""
    return Me(username=user.username if user else None, role=user.role.name if user else None)


@router.get("/atlas/summary", tags=["atlas"])
def get_atlas_summary(request: Request, user: Reader) -> dict[str, Any]:
    """Counts by country, stakeholder group, domain and programme, with EC contribution."""
    return atlas_summary(_engine(request), _preset(request))


@dataclass(frozen=True)
class AtlasFilters:
    """The atlas filters the map routes take, as the map service's keyword arguments."""

    countries: list[str] | None
    stakeholder_group: str | None
    domain: str | None
    programme: str | None
    start_year: int | None
    end_year: int | None


def atlas_filters(
    countries: Country = None,
    group: Group = None,
    domain: Domain = None,
    programme: Programme = None,
    start_year: Year = None,
    end_year: Year = None,
) -> AtlasFilters:
    return AtlasFilters(
        list(_split(countries)) or None, group, domain, programme, start_year, end_year
    )


Filters = Annotated[AtlasFilters, Depends(atlas_filters)]


@router.get("/atlas/map", response_model=GeoJSON, tags=["atlas"])
def get_atlas_map(
    request: Request,
    user: Reader,
    filters: Filters,
    level: Annotated[int, Query(ge=0, le=3, description="NUTS level: 0 (countries) or 2.")] = 0,
) -> dict[str, Any]:
    """NUTS regions with organisations, participations and EC contribution, as GeoJSON."""
    return maps.atlas_map(_engine(request), preset=_preset(request), level=level, **asdict(filters))


@router.get("/atlas/points", response_model=GeoJSON, tags=["atlas"])
def get_atlas_points(request: Request, user: Reader, filters: Filters) -> dict[str, Any]:
    """Organisations whose coordinates are known, as GeoJSON points."""
    return maps.organisation_points(_engine(request), preset=_preset(request), **asdict(filters))


@router.get("/organisations", response_model=OrganisationPage, tags=["organisations"])
def get_organisations(
    request: Request,
    user: Reader,
    q: Text = "",
    countries: Country = None,
    group: Group = None,
    domain: Domain = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Organisations, most active first; ``q`` searches names and identifiers."""
    rows, total = organisations.list_organisations(
        _engine(request),
        q,
        countries=list(_split(countries)) or None,
        stakeholder_group=group,
        domain=domain,
        limit=limit,
        offset=offset,
    )
    return {"items": rows, **_page(total, limit, offset)}


@router.get("/organisations/{org_id}", response_model=OrganisationDetail, tags=["organisations"])
def get_organisation(request: Request, user: Reader, org_id: str) -> dict[str, Any]:
    """One organisation: identifiers, names, funding, projects, partners and provenance."""
    return organisations.organisation_detail(_engine(request), org_id)


@router.get("/projects", response_model=ProjectPage, tags=["projects"])
def get_projects(
    request: Request,
    user: Reader,
    q: Text = "",
    programme: Programme = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Projects, newest first; ``q`` searches acronyms, titles and ids."""
    rows, total = projects.search_projects(
        _engine(request), q, programme=programme, limit=limit, offset=offset
    )
    return {"items": rows, **_page(total, limit, offset)}


@router.get("/projects/{project_id}", response_model=ProjectDetail, tags=["projects"])
def get_project(request: Request, user: Reader, project_id: str) -> dict[str, Any]:
    """One project with its participants, programme parts, fields of science and domains."""
    return projects.project_detail(_engine(request), project_id)


@router.get(
    "/network",
    response_class=Response,
    tags=["network"],
    responses={200: {"model": NetworkGraph, "description": "graphology JSON."}},
)
def get_network(
    request: Request,
    user: Reader,
    query: Network,
    min_weight: Annotated[float, Query(ge=0, le=1e12)] = 0.0,
    cross_border_only: bool = False,
    max_nodes: Annotated[int, Query(ge=1, le=50_000)] = 2000,
    max_edges: Annotated[int, Query(ge=1, le=1_000_000)] = 20_000,
) -> Response:
    """The collaboration network (subgraph by filter) with layout and measures per node.

    The ``max_nodes`` strongest organisations are drawn with their ``max_edges`` heaviest
    ties. The answer is sent straight from the analysis cache.
    """
    view = network_view_body(
        _engine(request),
        query,
        min_weight=min_weight,
        cross_border_only=cross_border_only,
        max_nodes=max_nodes,
        max_edges=max_edges,
    )
    # the ETag middleware takes the tag as it is instead of hashing the body again
    return Response(
        content=view.body, media_type="application/json", headers={"ETag": body_etag(view.sha256)}
    )


@router.get("/network/summary", tags=["network"])
def get_network_summary(request: Request, user: Reader, query: Network) -> dict[str, Any]:
    """Size, density, fragmentation, cross-border share, core–periphery and brokers."""
    return network_summary(_engine(request), query)


@router.get("/network/metrics", response_model=MetricsPage, tags=["network"])
def get_network_metrics(
    request: Request,
    user: Reader,
    query: Network,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Per-organisation measures (degree … community), by PageRank."""
    items, total = network_metrics_page(_engine(request), query, limit=limit, offset=offset)
    return {"items": items, **_page(total, limit, offset)}


@router.get("/network/recommendations", tags=["network"])
def get_recommendations(
    request: Request,
    user: Reader,
    query: Network,
    org: Annotated[str | None, Query(max_length=40)] = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[dict[str, Any]]:
    """Suggested partners with explanations, for one organisation or the whole region."""
    frame = network_recommendations(_engine(request), query, org, top=top)
    return list(json.loads(frame.to_json(orient="records")))


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
    export_organisations(_engine(request), path, format, preset=_preset(request))
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
) -> list[dict[str, Any]]:
    """Pairs of records that may be the same organisation (editors)."""
    return review.list_candidates(_engine(request), status, limit)


@router.post("/review/candidates/{pair_id}", tags=["review"])
def post_decision(
    request: Request,
    user: Editor,
    pair_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    decision: Annotated[Decision, Body()],
) -> dict[str, Any]:
    """Decide whether a candidate pair is one organisation; the registry is rebuilt."""
    return review.decide(
        _engine(request), pair_id, decision.same, actor=user.username, note=decision.note
    )


@router.get("/users", response_model=list[UserOut], tags=["accounts"])
def get_users(request: Request, user: Admin) -> list[dict[str, Any]]:
    """Every account (administrators)."""
    return list_users(_engine(request))


@router.post("/users", response_model=UserOut, status_code=201, tags=["accounts"])
def post_user(request: Request, user: Admin, new: Annotated[NewUser, Body()]) -> dict[str, Any]:
    """Create an account (administrators)."""
    add_user(
        _engine(request),
        new.username,
        new.password,
        new.role,
        display_name=new.display_name,
        actor=user.username,
    )
    return next(u for u in list_users(_engine(request)) if u["username"] == new.username.lower())


@router.put("/users/{username}/role", response_model=UserOut, tags=["accounts"])
def put_role(
    request: Request, user: Admin, username: str, change: Annotated[RoleChange, Body()]
) -> dict[str, Any]:
    """Change a user's role (administrators)."""
    set_role(_engine(request), username, change.role, actor=user.username)
    return next(u for u in list_users(_engine(request)) if u["username"] == username.lower())


@router.get("/audit", tags=["accounts"])
def get_audit(
    request: Request, user: Admin, limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    """The audit log, newest first (administrators)."""
    return audit_entries(_engine(request), limit=limit, offset=offset)
