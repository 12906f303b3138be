"""The OpenAPI schema is part of the product: a committed snapshot, and typed answers.

A change to the schema shows as a diff of ``tests/web/openapi.json`` in review. Refresh
it after an intended change with::

    UPDATE_SNAPSHOTS=1 uv run pytest tests/web/test_openapi_snapshot.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from bioconnect.web import create_app
from bioconnect.web.routing import API_PREFIX

SNAPSHOT = Path(__file__).with_name("openapi.json")


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(database_url="sqlite:///:memory:")


def _schema_text(app: Any) -> str:
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def test_the_openapi_schema_matches_the_snapshot(app: Any) -> None:
    live = _schema_text(app)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(live, encoding="utf-8")
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.is_file() else ""
    assert live == committed, (
        f"The OpenAPI schema differs from {SNAPSHOT.name}. If the change is intended, "
        "refresh the snapshot with `UPDATE_SNAPSHOTS=1 uv run pytest "
        "tests/web/test_openapi_snapshot.py` and commit the diff for review."
    )


def _documents_its_answer(route: APIRoute) -> bool:
    """A response model, or a 200 answer whose content (or model) is given explicitly."""
    if route.response_model is not None:
        return True
    ok = route.responses.get(200) or route.responses.get("200") or {}
    if "model" in ok:
        return True
    content = ok.get("content", {})
    return bool(content) and all("schema" in media for media in content.values())


def _schema_routes(routes: list[Any]) -> list[APIRoute]:
    """The API routes in the schema; pages are left out of it (``include_in_schema``)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            found.append(route)
        # FastAPI keeps an included router whole (and prefixes its paths when routing)
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found.extend(_schema_routes(inner.routes))
    return found


def test_every_api_route_documents_its_answer(app: Any) -> None:
    routes = _schema_routes(app.routes)
    assert len(routes) >= 15
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if not _documents_its_answer(r)]
    assert missing == [], "Give these routes a response_model (or responses={200: ...}):\n" + (
        "\n".join(missing)
    )
    # and so no operation answers with the empty schema {} that checks nothing
    schema = app.openapi()
    assert all(path.startswith(API_PREFIX) for path in schema["paths"])
    empty = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation["responses"].items()
        if status.startswith("2")
        for media in answer.get("content", {}).values()
        if media.get("schema") in (None, {})
    ]
    assert empty == []
