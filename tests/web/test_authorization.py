"""Every route × every role: what each role may do, and that everything else is refused.

Every API route is also called with a read and a write API token of every role.

The table below is the authorisation policy. A route missing from it fails the test, so
a new route cannot ship without a decision about who may use it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from bioconnect.services.tokens import create_token
from bioconnect.store import schema
from webkit import ROLES, csrf_headers, role_clients

PUBLIC = "public"  # anyone, signed in or not, whatever BIOCONNECT_PUBLIC_READ says
READ = "read"  # anyone when public reading is on; any signed-in user otherwise

POLICY: dict[tuple[str, str], str] = {
    ("GET", "/"): READ,
    ("GET", "/map"): READ,
    ("GET", "/network"): READ,
    ("GET", "/search"): READ,
    ("GET", "/organisations/{org_id}"): READ,
    ("GET", "/projects/{project_id}"): READ,
    ("GET", "/review"): "editor",
    ("POST", "/review/{pair_id}"): "editor",
    ("GET", "/admin/users"): "admin",
    ("POST", "/admin/users"): "admin",
    ("POST", "/admin/users/{username}/role"): "admin",
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/me"): READ,
    ("GET", "/api/v1/atlas/summary"): READ,
    ("GET", "/api/v1/atlas/map"): READ,
    ("GET", "/api/v1/atlas/points"): READ,
    ("GET", "/api/v1/organisations"): READ,
    ("GET", "/api/v1/organisations/{org_id}"): READ,
    ("GET", "/api/v1/projects"): READ,
    ("GET", "/api/v1/projects/{project_id}"): READ,
    ("GET", "/api/v1/network"): READ,
    ("GET", "/api/v1/network/summary"): READ,
    ("GET", "/api/v1/network/metrics"): READ,
    ("GET", "/api/v1/network/recommendations"): READ,
    ("GET", "/api/v1/exports/organisations"): READ,
    ("GET", "/api/v1/review/candidates"): "editor",
    ("POST", "/api/v1/review/candidates/{pair_id}"): "editor",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("PUT", "/api/v1/users/{username}/role"): "admin",
    ("GET", "/api/v1/audit"): "admin",
    ("GET", "/api/v1/tokens"): "viewer",
    ("DELETE", "/api/v1/tokens/{token_id}"): "viewer",
    ("GET", "/account/tokens"): "viewer",
    ("POST", "/account/tokens"): "viewer",
    ("POST", "/account/tokens/{token_id}/revoke"): "viewer",
    ("GET", "/plan"): READ,
    ("POST", "/plan/import"): "editor",
    ("GET", "/plan/initiatives/new"): "editor",
    ("POST", "/plan/initiatives/new"): "editor",
    ("GET", "/plan/initiatives/{record_id}"): READ,
    ("POST", "/plan/initiatives/{record_id}"): "editor",
    ("POST", "/plan/initiatives/{record_id}/delete"): "editor",
    ("GET", "/plan/kpis/new"): "editor",
    ("POST", "/plan/kpis/new"): "editor",
    ("GET", "/plan/kpis/{record_id}"): READ,
    ("POST", "/plan/kpis/{record_id}"): "editor",
    ("GET", "/plan/inbox"): READ,
    ("POST", "/plan/inbox"): "stakeholder",
    ("POST", "/plan/inbox/{record_id}/merge"): "editor",
    ("POST", "/plan/inbox/{record_id}/accept-goal"): "editor",
    ("GET", "/plan/goals/{record_id}"): READ,
    ("GET", "/api/v1/plan"): READ,
    ("GET", "/api/v1/plan/lint"): READ,
    ("GET", "/api/v1/plan/rank"): READ,
    ("GET", "/api/v1/plan/balance"): READ,
    ("GET", "/api/v1/plan/goals"): READ,
    ("POST", "/api/v1/plan/goals"): "editor",
    ("GET", "/api/v1/plan/goals/{record_id}"): READ,
    ("PUT", "/api/v1/plan/goals/{record_id}"): "editor",
    ("DELETE", "/api/v1/plan/goals/{record_id}"): "editor",
    ("GET", "/api/v1/plan/initiatives"): READ,
    ("POST", "/api/v1/plan/initiatives"): "editor",
    ("GET", "/api/v1/plan/initiatives/{record_id}"): READ,
    ("PUT", "/api/v1/plan/initiatives/{record_id}"): "editor",
    ("DELETE", "/api/v1/plan/initiatives/{record_id}"): "editor",
    ("GET", "/api/v1/plan/kpis"): READ,
    ("POST", "/api/v1/plan/kpis"): "editor",
    ("GET", "/api/v1/plan/kpis/{record_id}"): READ,
    ("PUT", "/api/v1/plan/kpis/{record_id}"): "editor",
    ("DELETE", "/api/v1/plan/kpis/{record_id}"): "editor",
    ("POST", "/api/v1/plan/action-items"): "stakeholder",
    ("POST", "/api/v1/plan/action-items/{record_id}/merge"): "editor",
    ("GET", "/api/v1/plan/snapshots"): READ,
    ("POST", "/api/v1/plan/snapshots"): "editor",
    ("GET", "/api/v1/plan/diff"): READ,
    ("GET", "/api/v1/plan/history"): READ,
    ("GET", "/api/v1/dialogue/consultations"): READ,
    ("GET", "/api/v1/dialogue/consultations/{name}"): READ,
    ("GET", "/api/v1/dialogue/consultations/{name}/report"): READ,
    ("GET", "/api/v1/dialogue/consultations/{name}/consensus"): READ,
    ("GET", "/api/v1/dialogue/consultations/{name}/groups"): "editor",
    ("POST", "/api/v1/dialogue/consultations/{name}/votes"): "stakeholder",
    ("POST", "/api/v1/dialogue/consultations/{name}/goals"): "editor",
    ("GET", "/dialogue/delphi"): READ,
    ("POST", "/dialogue/delphi"): "editor",
    ("GET", "/dialogue/delphi/{study}"): READ,
    ("POST", "/dialogue/delphi/{study}"): "stakeholder",
    ("GET", "/dialogue/delphi/{study}/results"): READ,
    ("POST", "/dialogue/delphi/{study}/rounds"): "editor",
    ("POST", "/dialogue/delphi/{study}/goals"): "editor",
    ("GET", "/dialogue/surveys"): READ,
    ("POST", "/dialogue/surveys"): "editor",
    ("GET", "/dialogue/surveys/{survey}"): READ,
    ("POST", "/dialogue/surveys/{survey}"): "stakeholder",
    ("GET", "/dialogue/surveys/{survey}/results"): READ,
    ("POST", "/dialogue/surveys/{survey}/status"): "editor",
    ("GET", "/api/v1/dialogue/delphi"): READ,
    ("POST", "/api/v1/dialogue/delphi"): "editor",
    ("GET", "/api/v1/dialogue/delphi/{study}"): READ,
    ("POST", "/api/v1/dialogue/delphi/{study}/rounds"): "editor",
    ("GET", "/api/v1/dialogue/delphi/{study}/form"): "stakeholder",
    ("POST", "/api/v1/dialogue/delphi/{study}/ratings"): "stakeholder",
    ("GET", "/api/v1/dialogue/delphi/{study}/results"): READ,
    ("GET", "/api/v1/dialogue/delphi/{study}/ratings"): "editor",
    ("POST", "/api/v1/dialogue/delphi/{study}/goals"): "editor",
    ("GET", "/api/v1/dialogue/surveys"): READ,
    ("POST", "/api/v1/dialogue/surveys"): "editor",
    ("GET", "/api/v1/dialogue/surveys/{survey}"): READ,
    ("POST", "/api/v1/dialogue/surveys/{survey}/status"): "editor",
    ("GET", "/api/v1/dialogue/surveys/{survey}/form"): "stakeholder",
    ("POST", "/api/v1/dialogue/surveys/{survey}/answers"): "stakeholder",
    ("GET", "/api/v1/dialogue/surveys/{survey}/results"): READ,
    ("GET", "/api/v1/dialogue/surveys/{survey}/answers"): "editor",
    ("GET", "/api/v1/dialogue/consultations/{name}/participation"): READ,
    ("GET", "/dialogue"): READ,
    ("POST", "/dialogue"): "editor",
    ("GET", "/dialogue/join/{token}"): PUBLIC,
    ("GET", "/dialogue/{name}"): READ,
    ("GET", "/dialogue/{name}/manage"): "editor",
    ("POST", "/dialogue/{name}/status"): "editor",
    ("POST", "/dialogue/{name}/manage/statements"): "editor",
    ("POST", "/dialogue/{name}/moderation/{statement}"): "editor",
    ("POST", "/dialogue/{name}/invitations"): "editor",
    ("POST", "/dialogue/{name}/invitations/{invitation}/revoke"): "editor",
    ("POST", "/dialogue/{name}/goals"): "editor",
    # a stakeholder, or anyone holding an invitation link (the matrix's clients hold none)
    ("GET", "/dialogue/{name}/vote"): "stakeholder",
    ("POST", "/dialogue/{name}/vote"): "stakeholder",
    ("POST", "/dialogue/{name}/statements"): "stakeholder",
    ("GET", "/dialogue/{name}/my-votes"): "stakeholder",
    ("POST", "/dialogue/{name}/my-votes/{statement}/delete"): "stakeholder",
    ("GET", "/benchmark"): READ,
    ("GET", "/benchmark/biotech"): READ,
    ("GET", "/benchmark/builder"): READ,
    ("POST", "/benchmark/builder"): READ,
    ("GET", "/api/v1/benchmark/editions"): READ,
    ("GET", "/api/v1/benchmark/groups"): READ,
    ("GET", "/api/v1/benchmark/overview"): READ,
    ("GET", "/api/v1/benchmark/best-practice"): READ,
    ("GET", "/api/v1/benchmark/biotech"): READ,
    ("GET", "/api/v1/benchmark/exports/{table}"): READ,
    ("GET", "/outcomes"): READ,
    ("GET", "/outcomes/cohorts.csv"): READ,
    ("GET", "/outcomes/kpis"): READ,
    ("GET", "/outcomes/kpis/observations.csv"): READ,
    ("POST", "/outcomes/kpis/import"): "editor",
    ("GET", "/outcomes/kpis/{kpi}"): READ,
    ("POST", "/outcomes/kpis/{kpi}/observations"): "editor",
    ("GET", "/api/v1/outcomes/cohorts"): READ,
    ("GET", "/api/v1/outcomes/kpis"): READ,
    ("GET", "/api/v1/outcomes/kpis/{kpi}"): READ,
    ("GET", "/api/v1/outcomes/kpis/{kpi}/observations"): READ,
    ("POST", "/api/v1/outcomes/kpis/{kpi}/observations"): "editor",
    ("GET", "/api/v1/outcomes/kpis/{kpi}/forecast"): READ,
    ("GET", "/reports"): "editor",
    ("POST", "/reports/{kind}"): "editor",
    ("GET", "/reports/editions/{edition_id}.{fmt}"): "editor",
    ("GET", "/reports/diff"): "editor",
    ("GET", "/api/v1/reports/editions"): READ,
    ("GET", "/api/v1/reports/editions/{edition_id}"): READ,
    ("GET", "/api/v1/reports/editions/{edition_id}/file"): READ,
    ("GET", "/api/v1/reports/diff"): READ,
    ("POST", "/api/v1/reports/{kind}"): "editor",
}


def _walk(routes: Any, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # an included router (newer FastAPI keeps them nested)
            found += _walk(included.routes, prefix + route.include_context.prefix)
            continue
        # the address as the schema writes it: /reports/{kind}, not {kind:report_kind}
        path = getattr(route, "path_format", None)
        methods = getattr(route, "methods", None) or set()
        if path is None or path.startswith("/static"):
            continue
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            found.append((method, prefix + path))
    return found


def _routes(app: Any) -> list[tuple[str, str]]:
    return sorted(set(_walk(app.routes)))


def _allowed(rule: str, role: str, public_read: bool) -> bool:
    if rule == PUBLIC:
        return True
    if rule == READ:
        return public_read or role != "anonymous"
    if role == "anonymous":
        return False
    return ROLES.index(role) >= ROLES.index(rule)


def _ids(engine: Engine) -> tuple[str, str]:
    """The organisation with the most projects and the first project: the ids the routes get.

    Looked up once per matrix (the store is not changed by the refused or read-only
    requests); a lookup per request sorted every organisation ~2,000 times a test.
    """
    with engine.connect() as conn:
        org = conn.execute(
            select(schema.Organisation.id).order_by(schema.Organisation.n_projects.desc())
        ).scalar()
        project = conn.execute(select(schema.Project.id).order_by(schema.Project.id)).scalar()
    return str(org), str(project)


def _fill(path: str, ids: tuple[str, str], names: dict[str, str]) -> str:
    values = {
        "{org_id}": ids[0],
        "{project_id}": ids[1],
        "{pair_id}": "2147483000",
        "{username}": names["viewer"],
        "{name}": "no-such-consultation",
        "{table}": "best-practice",
        "{kpi}": "startups_per_year",
        "{study}": "no-such-study",
        "{survey}": "no-such-survey",
        "{token}": "no-such-token",
        "{statement}": "1",
        "{invitation}": "1",
        "{token_id}": "2147483000",
        # the session's store holds no plan: refused at once, with a message
        "{kind}": "plan",
        "{edition_id}": "2147483000",
        "{fmt}": "pdf",
    }
    for key, value in values.items():
        path = path.replace(key, value)
    return path


def _refused(response: Any, role: str, path: str) -> bool:
    if role == "anonymous":
        if path.startswith("/api/"):
            return bool(response.status_code == 401)
        return response.status_code == 303 and response.headers["location"].startswith("/login")
    return bool(response.status_code == 403)


def _check_matrix(engine: Engine, public_read: bool) -> None:
    clients = role_clients(engine, public_read=public_read)
    app = clients.by_role["anonymous"].app
    routes = _routes(app)
    assert sorted(POLICY) == routes, "classify every route in POLICY"
    # Sign-out last, so each client keeps its session for the other routes.
    routes.sort(key=lambda r: r[1] == "/logout")
    ids = _ids(engine)
    failures = []
    for role in ROLES:
        client = clients.by_role[role]
        for method, template in routes:
            url = _fill(template, ids, clients.names)
            if template == "/api/v1/network/recommendations":
                url += "?top=3"
            response = client.request(
                method, url, headers=csrf_headers(client), follow_redirects=False
            )
            allowed = _allowed(POLICY[(method, template)], role, public_read)
            refused = _refused(response, role, url)
            assert response.status_code < 500, (method, url, role, response.text[:300])
            if allowed == refused:
                failures.append((role, method, url, response.status_code))
    failures += _token_failures(engine, app, clients.names, routes, public_read, ids)
    assert failures == []


def _token_failures(
    engine: Engine,
    app: Any,
    names: dict[str, str],
    routes: list[tuple[str, str]],
    public: bool,
    ids: tuple[str, str],
) -> list[tuple[str, ...]]:
    """Every API route with a read and a write token of every role, sent with no cookies.

    A token may do what its owner's role may, and a read token only with safe methods.
    """
    failures: list[tuple[str, ...]] = []
    for role in ROLES[1:]:
        for scope in ("read", "write"):
            secret = create_token(engine, names[role], f"matrix {scope}", scope).token
            client = TestClient(app)
            for method, template in routes:
                if not template.startswith("/api/"):
                    continue
                url = _fill(template, ids, names)
                client.cookies.clear()
                response = client.request(
                    method, url, headers={"Authorization": f"Bearer {secret}"}
                )
                assert response.status_code < 500, (method, url, role, scope, response.text)
                allowed = _allowed(POLICY[(method, template)], role, public) and (
                    method == "GET" or scope == "write"
                )
                if allowed == (response.status_code in (401, 403)):
                    failures.append((role, scope, method, url, str(response.status_code)))
    return failures


def test_every_route_for_every_role(baltic_store: Engine) -> None:
    _check_matrix(baltic_store, public_read=True)


def test_every_route_for_every_role_without_public_reading(baltic_store: Engine) -> None:
    _check_matrix(baltic_store, public_read=False)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/admin/users", {"username": "x", "password": "p", "role": "viewer"}),
        ("POST", "/api/v1/users", None),
        ("PUT", "/api/v1/users/anyone/role", None),
        ("POST", "/api/v1/review/candidates/1", None),
        ("POST", "/review/1", {"decision": "same"}),
        ("POST", "/logout", {}),
    ],
)
def test_writes_without_the_csrf_token_are_refused(
    baltic_store: Engine, method: str, path: str, body: dict[str, str] | None
) -> None:
    clients = role_clients(baltic_store)
    admin = clients.by_role["admin"]
    if body is None:
        response = admin.request(method, path, json={}, follow_redirects=False)
    else:
        response = admin.request(method, path, data=body, follow_redirects=False)
    assert response.status_code == 403
    assert "security token" in response.text
    wrong = admin.request(
        method, path, headers={"X-CSRF-Token": "forged"}, data=body, follow_redirects=False
    )
    assert wrong.status_code == 403
