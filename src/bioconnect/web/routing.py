"""What every route module shares: the error shape, role dependencies and common parameters.

Each capability's ``api.py`` makes its router with :func:`api_router`, so every API route
documents the same error answers, and takes the same CSRF check.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from bioconnect.services.accounts import Role, User
from bioconnect.web.security import API_PREFIX as API_PREFIX
from bioconnect.web.security import csrf_protect, require


class ProblemDetail(BaseModel):
    problem: str = Field(description="What is wrong.")
    fix: str = Field(description="How to fix it.")


class Problem(BaseModel):
    """Every error: one line saying what is wrong, and one saying how to fix it."""

    detail: ProblemDetail


def error_response(description: str) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for an error answered as a :class:`Problem`."""
    return {"model": Problem, "description": description}


def api_router(**kwargs: Any) -> APIRouter:
    """A router for API routes: CSRF-checked, with the common error answers documented."""
    return APIRouter(
        dependencies=[Depends(csrf_protect)],
        responses={
            304: {"description": "Not modified: the If-None-Match ETag is current."},
            400: error_response(
                "The request asks for something impossible (the problem says what)."
            ),
            401: error_response("Sign in first (or the store requires accounts for reading)."),
            403: error_response("Your role may not do this, or the CSRF token is missing."),
            404: error_response("No such organisation, project or resource."),
            422: error_response("A parameter is missing or malformed."),
        },
        **kwargs,
    )


SECURITY_SCHEMES: dict[str, Any] = {
    "bearerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "A personal API token (make one at /account/tokens or with `bioconnect tokens "
            "create`), sent as `Authorization: Bearer <token>`. It acts with its owner's "
            "role; a read-scope token may only use GET. No CSRF token is needed."
        ),
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "bc_session",
        "description": (
            "The browser's session (sign in at /login). Unsafe methods must also send the "
            "bc_csrf cookie's value in an X-CSRF-Token header."
        ),
    },
}


def document_security(app: FastAPI) -> None:
    """Add the ways to authenticate to the app's OpenAPI schema (all optional: public
    reading may need none)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        schema["security"] = [{"bearerToken": []}, {"sessionCookie": []}, {}]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def page_router() -> APIRouter:
    """A router for server-rendered pages: CSRF-checked, left out of the OpenAPI schema."""
    return APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


Reader = Annotated[User | None, Depends(require(None))]
Viewer = Annotated[User, Depends(require(Role.viewer))]
Stakeholder = Annotated[User, Depends(require(Role.stakeholder))]
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


def engine_of(request: Request) -> Engine:
    """The store the app serves."""
    engine: Engine = request.app.state.engine
    return engine


def preset_of(request: Request) -> str:
    """The name of the region preset the app serves."""
    return str(request.app.state.preset.name)


def split_codes(text: str | None) -> tuple[str, ...]:
    """``"ee, lv"`` → ``("EE", "LV")``: a comma-separated list of codes, upper-cased."""
    return tuple(t.strip().upper() for t in (text or "").split(",") if t.strip())


class Page(BaseModel):
    """A page of results: ``next`` is the offset of the next page, or null on the last."""

    total: int
    limit: int
    offset: int
    next: int | None


def page_of(total: int, limit: int, offset: int) -> dict[str, Any]:
    """The paging fields of a :class:`Page`."""
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": offset + limit if offset + limit < total else None,
    }
