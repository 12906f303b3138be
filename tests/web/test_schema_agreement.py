"""The API's OpenAPI schema and the server agree (issue 11, item 10).

One test per kind of disagreement schemathesis found (``test_openapi_fuzz.py`` runs it with
all its checks): a request the schema allows is not refused as malformed, a request the
server refuses is one the schema forbids, and every answer is documented.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

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
