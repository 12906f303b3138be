"""The API's OpenAPI schema and the server agree (issue 11, item 10).

One test per kind of disagreement schemathesis found (``test_openapi_fuzz.py`` runs it with
all its checks): a request the schema allows is not refused as malformed, a request the
server refuses is one the schema forbids, and every answer is documented.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bioconnect.settings import Settings
from bioconnect.web import create_app


@pytest.fixture(scope="module")
def empty_app() -> Any:
    return create_app(database_url="sqlite:///:memory:")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/api/v1/users/someone/role", "PUT"),
        ("TRACE", "/api/v1/tokens/1", "DELETE"),
        ("PATCH", "/api/v1/plan/goals/g1", "GET, PUT, DELETE"),
        ("DELETE", "/login", "GET, POST"),
    ],
)
def test_405_has_an_allow_header_naming_the_methods_of_the_path(
    empty_app: Any, method: str, path: str, allowed: str
) -> None:
    """Before: no ``Allow`` header, and "Use GET to read it" on a PUT-only route."""
    response = TestClient(empty_app).request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    if path.startswith("/api/"):
        problem = response.json()["detail"]
        assert method in problem["problem"]
        assert all(name in problem["fix"] for name in allowed.split(", "))
        assert "GET" not in problem["fix"] or "GET" in allowed


def _parameter(app: Any, path: str, name: str) -> dict[str, Any]:
    schema = app.openapi()
    (found,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    spec: dict[str, Any] = found["schema"]
    ref = spec.get("$ref") or next(
        (s.get("$ref") for s in spec.get("anyOf", []) if "$ref" in s), None
    )
    if ref:
        spec = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return spec


def test_the_schema_lists_the_domains_and_levels_the_server_takes(empty_app: Any) -> None:
    """Before: domain ``_`` (any ``[a-z_]+``) and NUTS level 1 were valid by the schema and
    refused with 400; now the schema enumerates what the services take."""
    from bioconnect.network.build import DOMAINS, STAKEHOLDER_GROUPS
    from bioconnect.services.maps import LEVELS

    for path in ("/api/v1/atlas/map", "/api/v1/network", "/api/v1/organisations"):
        domain = _parameter(empty_app, path, "domain")
        (choices,) = [s["enum"] for s in domain["anyOf"] if "enum" in s]
        assert tuple(choices) == DOMAINS
        group = _parameter(empty_app, path, "group")
        (groups,) = [s["enum"] for s in group["anyOf"] if "enum" in s]
        assert tuple(groups) == STAKEHOLDER_GROUPS
    assert tuple(_parameter(empty_app, "/api/v1/atlas/map", "level")["enum"]) == LEVELS
    client = TestClient(empty_app)
    assert client.get("/api/v1/atlas/map?level=1").status_code == 422
    assert client.get("/api/v1/organisations?domain=_").status_code == 422


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/network/summary?countries=AA",
        "/api/v1/network/summary?start_year=2020&end_year=2014",
        "/api/v1/network/metrics?start_year=2099",
        "/api/v1/atlas/map?start_year=2020&end_year=2014",
        "/api/v1/atlas/points?start_year=2020&end_year=2014",
    ],
)
def test_filters_that_select_nothing_are_not_refused_as_malformed(
    baltic_sqlite: Engine, address: str
) -> None:
    """Before: 400 for an unknown country code and for years out of order, which the schema
    cannot forbid. Now 404 (nothing matches), with the same problem and fix."""
    client = TestClient(create_app(baltic_sqlite, settings=Settings(public_read=True)))
    response = client.get(address)
    assert response.status_code == 404, response.text
    assert response.json()["detail"]["fix"]
