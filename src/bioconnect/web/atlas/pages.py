"""The atlas pages: dashboard, map, organisation and project pages, search, review queue.

Each calls a service and renders a template; no logic lives here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import Engine

from bioconnect.services import atlas, organisations, projects, review
from bioconnect.services.cache import LRU, cached
from bioconnect.services.projects import ProjectSummary
from bioconnect.web.rendering import filter_choices, render, research_choices
from bioconnect.web.routing import Editor, Reader, engine_of, kept_or_computed, page_router

router = page_router()


ScopeParam = Annotated[
    Literal["focus", "all"],
    Query(description="focus: the preset's focus (the default); all: all research"),
]


@router.get("/")
def dashboard(request: Request, user: Reader, scope: ScopeParam = "focus") -> Response:
    board = atlas.dashboard(engine_of(request), request.app.state.preset, scope)
    return render(
        request,
        "dashboard.html",
        active="dashboard",
        summary=board.summary,
        network=board.network,
        network_region_only=board.network_region_only,
        ties_counted=board.ties_counted,
        ties_counted_region_only=board.ties_counted_region_only,
        focus=request.app.state.preset.focus,
        chart_spec=board.chart_spec,
        groups=board.groups,
        domains=board.domains,
    )


@router.get("/map")
def map_page(request: Request, user: Reader, research: ScopeParam = "focus") -> Response:
    return render(
        request,
        "map.html",
        active="map",
        **filter_choices(request),
        **research_choices(request, research),
    )


PROJECTS_SHOWN = 50
"""Projects an organisation page lists before its "show all" link (CNRS has 1,459)."""

# The main part of organisation pages as rendered HTML (about 20 KB each), kept until the
# store's data changes: it is the same for every visitor, and rendering it was half the
# CPU time of a page. Only the frame (base.html: user, CSRF token) is rendered each time.
_ORGANISATION_BODIES = LRU(256)


@router.get("/organisations/{org_id}")
async def organisation_page(
    request: Request,
    user: Reader,
    org_id: Annotated[str, Path(max_length=80)],
    projects: Annotated[Literal["all"] | None, Query(description="all: list every project")] = None,
) -> Response:
    engine = engine_of(request)
    show_all = projects == "all"

    def body() -> tuple[organisations.Organisation, str]:
        detail = organisations.organisation_detail(engine, org_id)
        shown = detail.projects if show_all else detail.projects[:PROJECTS_SHOWN]
        template = request.app.state.templates.get_template("organisation_detail.html")
        return detail.organisation, template.render(detail=detail, projects_shown=shown)

    org, html = await kept_or_computed(
        cached, engine, _ORGANISATION_BODIES, (org_id, show_all), body
    )
    return render(request, "organisation.html", active="search", org=org, body=html)


@router.get("/projects/{project_id}")
def project_page(
    request: Request, user: Reader, project_id: Annotated[str, Path(max_length=80)]
) -> Response:
    detail = projects.project_detail(engine_of(request), project_id)
    return render(request, "project.html", active="search", detail=detail)


SEARCH_PAGE = 25


# The results part of search pages as rendered HTML, kept until the store's data changes:
# it is the same for every visitor, and rendering it was most of the page's CPU time.
_SEARCH_RESULTS = LRU(512)


def _search_results(
    engine: Engine, templates: Any, text: str, country: str, offset: int, project_offset: int
) -> Markup:
    def results() -> str:
        orgs: list[organisations.OrganisationSummary] = []
        projs: list[ProjectSummary] = []
        n_orgs = n_projs = 0
        if text.strip():
            orgs, n_orgs = organisations.list_organisations(
                engine,
                text,
                countries=[country] if country else None,
                limit=SEARCH_PAGE,
                offset=offset,
            )
            projs, n_projs = projects.search_projects(
                engine, text, limit=SEARCH_PAGE, offset=project_offset
            )
        return str(
            templates.get_template("search_results.html").render(
                query_text=text,
                country=country,
                orgs=orgs,
                projs=projs,
                n_orgs=n_orgs,
                n_projs=n_projs,
                offset=offset,
                project_offset=project_offset,
                page_size=SEARCH_PAGE,
            )
        )

    key = (text, country, offset, project_offset)
    return Markup(cached(engine, _SEARCH_RESULTS, key, results))


@router.get("/search")
async def search_page(
    request: Request,
    user: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    country: Annotated[str, Query(pattern=r"^([A-Za-z]{2})?$")] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    project_offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    country = country.upper()
    results = await kept_or_computed(
        _search_results,
        engine_of(request),
        request.app.state.templates.env,
        q,
        country,
        offset,
        project_offset,
    )
    if request.headers.get("hx-request"):
        return HTMLResponse(results)
    return render(
        request,
        "search.html",
        active="search",
        query_text=q,
        country=country,
        countries=request.app.state.preset.all_countries,
        results=results,
    )


@router.get("/review")
def review_page(request: Request, user: Editor) -> Response:
    pending = review.list_candidates(engine_of(request), "pending", 100)
    decided = review.list_candidates(engine_of(request), "accepted", 20) + review.list_candidates(
        engine_of(request), "rejected", 20
    )
    return render(request, "review.html", active="review", pending=pending, decided=decided)


@router.post("/review/{pair_id}")
def review_decide(
    request: Request,
    user: Editor,
    pair_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    decision: Annotated[str, Form(pattern="^(same|different)$")],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    review.decide(
        engine_of(request),
        pair_id,
        decision == "same",
        actor=user.username,
        note=note or None,
    )
    return RedirectResponse("/review", status_code=303)
