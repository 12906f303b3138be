"""Server-rendered pages. Each calls a service and renders a template; no logic lives here."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from bioconnect.charts.specs import atlas_chart
from bioconnect.errors import InputError
from bioconnect.model.preset import load_preset
from bioconnect.services import organisations, projects, review
from bioconnect.services.accounts import (
    SESSION_LIFETIME,
    Role,
    User,
    add_user,
    list_users,
    set_role,
    sign_in,
    sign_out,
)
from bioconnect.services.atlas import atlas_summary
from bioconnect.services.cache import LRU, cached
from bioconnect.services.network import NetworkQuery, network_summary
from bioconnect.web.app import render
from bioconnect.web.security import (
    SESSION_COOKIE,
    csrf_protect,
    require,
    set_csrf_cookie,
    set_session_cookie,
)

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

Reader = Annotated[User | None, Depends(require(None))]
Editor = Annotated[User, Depends(require(Role.editor))]
Admin = Annotated[User, Depends(require(Role.admin))]


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/")
def dashboard(request: Request, user: Reader) -> Response:
    preset = request.app.state.preset
    summary = atlas_summary(_engine(request), preset.name)
    try:
        network = network_summary(_engine(request), NetworkQuery(preset=preset.name))
    except InputError:
        network = None
    chart = atlas_chart(summary)
    groups = sorted({g for c in summary["countries"].values() for g in c["by_group"]})
    domains = sorted({d for c in summary["countries"].values() for d in c["by_domain"]})
    return render(
        request,
        "dashboard.html",
        active="dashboard",
        summary=summary,
        network=network,
        chart_spec=chart,
        groups=groups,
        domains=domains,
    )


def _filter_choices(request: Request) -> dict[str, Any]:
    """The countries, stakeholder groups and domains the filter forms offer."""
    preset = load_preset(request.app.state.preset.name)
    return {
        "countries": preset.all_countries,
        "groups": [g.key for g in preset.stakeholder_groups],
        "domains": [d.key for d in preset.domains],
    }


@router.get("/map")
def map_page(request: Request, user: Reader) -> Response:
    return render(request, "map.html", active="map", **_filter_choices(request))


@router.get("/network")
def network_page(request: Request, user: Reader) -> Response:
    return render(request, "network.html", active="network", **_filter_choices(request))


PROJECTS_SHOWN = 50
"""Projects an organisation page lists before its "show all" link (CNRS has 1,459)."""

# The main part of organisation pages as rendered HTML (about 20 KB each), kept until the
# store's data changes: it is the same for every visitor, and rendering it was half the
# CPU time of a page. Only the frame (base.html: user, CSRF token) is rendered each time.
_ORGANISATION_BODIES = LRU(256)


@router.get("/organisations/{org_id}")
def organisation_page(
    request: Request,
    user: Reader,
    org_id: Annotated[str, Path(max_length=80)],
    projects: Annotated[Literal["all"] | None, Query(description="all: list every project")] = None,
) -> Response:
    engine = _engine(request)
    show_all = projects == "all"

    def body() -> tuple[dict[str, Any], str]:
        detail = organisations.organisation_detail(engine, org_id)
        shown = detail["projects"] if show_all else detail["projects"][:PROJECTS_SHOWN]
        template = request.app.state.templates.get_template("organisation_detail.html")
        return detail["organisation"], template.render(detail=detail, projects_shown=shown)

    org, html = cached(engine, _ORGANISATION_BODIES, (org_id, show_all), body)
    return render(request, "organisation.html", active="search", org=org, body=html)


@router.get("/projects/{project_id}")
def project_page(
    request: Request, user: Reader, project_id: Annotated[str, Path(max_length=80)]
) -> Response:
    detail = projects.project_detail(_engine(request), project_id)
    return render(request, "project.html", active="search", detail=detail)


@router.get("/search")
def search_page(
    request: Request,
    user: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    orgs: list[dict[str, Any]] = []
    projs: list[dict[str, Any]] = []
    n_orgs = n_projs = 0
    if q.strip():
        orgs, n_orgs = organisations.list_organisations(
            _engine(request), q, limit=25, offset=offset
        )
        projs, n_projs = projects.search_projects(_engine(request), q, limit=25, offset=offset)
    template = "search_results.html" if request.headers.get("hx-request") else "search.html"
    return render(
        request,
        template,
        active="search",
        query_text=q,
        orgs=orgs,
        projs=projs,
        n_orgs=n_orgs,
        n_projs=n_projs,
        offset=offset,
    )


@router.get("/review")
def review_page(request: Request, user: Editor) -> Response:
    pending = review.list_candidates(_engine(request), "pending", 100)
    decided = review.list_candidates(_engine(request), "accepted", 20) + review.list_candidates(
        _engine(request), "rejected", 20
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
        _engine(request),
        pair_id,
        decision == "same",
        actor=user.username,
        note=note or None,
    )
    return RedirectResponse("/review", status_code=303)


@router.get("/admin/users")
def users_page(request: Request, user: Admin) -> Response:
    return render(
        request,
        "users.html",
        active="users",
        users=list_users(_engine(request)),
        roles=[r.name for r in Role],
    )


@router.post("/admin/users")
def users_add(
    request: Request,
    user: Admin,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        add_user(
            _engine(request),
            username,
            password,
            role,
            display_name=display_name or None,
            actor=user.username,
        )
    except InputError as exc:
        return render(
            request,
            "users.html",
            400,
            active="users",
            users=list_users(_engine(request)),
            roles=[r.name for r in Role],
            error=exc,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/role")
def users_set_role(
    request: Request,
    user: Admin,
    username: Annotated[str, Path(max_length=80)],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    set_role(_engine(request), username, role, actor=user.username)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/login")
def login_page(request: Request, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    return render(request, "login.html", active="login", next=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    client = request.client.host if request.client else "unknown"
    try:
        _user, token = sign_in(_engine(request), username, password, client=client)
    except InputError as exc:
        return render(request, "login.html", 401, active="login", next=_safe_next(next), error=exc)
    response = RedirectResponse(_safe_next(next), status_code=303)
    secure = request.app.state.settings.cookie_secure
    set_session_cookie(
        response, token, secure=secure, max_age=int(SESSION_LIFETIME.total_seconds())
    )
    # A new CSRF token with the new session, so a token seen before sign-in is useless.
    import secrets

    set_csrf_cookie(response, secrets.token_urlsafe(32), secure=secure)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    sign_out(_engine(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
