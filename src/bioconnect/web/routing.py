"""What every route module shares: the error shape, role dependencies and common parameters.

Each capability's ``api.py`` makes its router with :func:`api_router`, so every API route
documents the same error answers, and takes the same CSRF check.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.routing import Match
from starlette.types import Scope

from bioconnect.errors import InputError
from bioconnect.services.accounts import Role, User
from bioconnect.services.cache import from_memory
from bioconnect.services.text_rules import ADDRESS_TEXT, BODY_TEXT
from bioconnect.web.security import API_PREFIX as API_PREFIX
from bioconnect.web.security import csrf_protect, require


class RequestBody(BaseModel):
    """A JSON request body: a field the model does not declare is refused (422), so the
    schema says ``additionalProperties: false`` and means it."""

    model_config = ConfigDict(extra="forbid")


class ProblemDetail(BaseModel):
    problem: str = Field(description="What is wrong.")
    fix: str = Field(description="How to fix it.")


class Problem(BaseModel):
    """Every error: one line saying what is wrong, and one saying how to fix it."""

    detail: ProblemDetail


def error_response(description: str) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for an error answered as a :class:`Problem`."""
    return {"model": Problem, "description": description}


#: Control characters refused in the address (path and query): C0 controls and DEL.
_ADDRESS_CONTROL = re.compile("[\x00-\x1f\x7f]")
#: In a form or JSON body, tab, line feed and carriage return are text (a textarea's lines).
_BODY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse(where: str, name: str, value: str, pattern: re.Pattern[str]) -> None:
    found = pattern.search(name) or pattern.search(value)
    if found:
        raise InputError(
            f"The {where} {name!r} holds a control character "
            f"(U+{ord(found.group()):04X}), which no text here may contain.",
            "Remove NUL and other control characters from the address or the form.",
        )


def _json_strings(value: Any, name: str = "body") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield name, str(key)
            yield from _json_strings(item, str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, name)


async def refuse_control_characters(request: Request) -> None:
    """Refuse NUL and other control characters in any text a request carries (400).

    One dependency of the whole app (:func:`bioconnect.web.create_app`), so every route
    refuses them the same way before a database sees them (PostgreSQL cannot store NUL in
    text). Path and query parameters may hold none; form fields and JSON strings may hold
    tab and line breaks. Uploaded files are not text parameters and are not checked here.
    """
    for name, value in request.path_params.items():
        _refuse("address part", name, str(value), _ADDRESS_CONTROL)
    for name, value in request.query_params.multi_items():
        _refuse("parameter", name, value, _ADDRESS_CONTROL)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(_FORM_TYPES):
        for name, field in (await request.form()).multi_items():
            if isinstance(field, str):
                _refuse("form field", name, field, _BODY_CONTROL)
    elif content_type.startswith("application/json"):
        try:
            body = json.loads(await request.body())
        except ValueError:
            return  # the route's own validation answers malformed JSON
        for name, text in _json_strings(body):
            _refuse("field", name, text, _BODY_CONTROL)


#: What a 409 means (:class:`bioconnect.errors.ConflictError`).
CONFLICT_DESCRIPTION = (
    "The request is well formed but does not fit what the store holds now: a name that is "
    "taken, a survey or round that is not open, data not loaded yet (the problem says what)."
)


#: The answer when the store was busy with another writer (``web.rendering``).
BUSY: dict[str, Any] = {
    **error_response("The store is busy with another change; nothing was saved."),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer"},
        }
    },
}


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
            409: error_response(CONFLICT_DESCRIPTION),
            422: error_response("A parameter is missing or malformed."),
            503: BUSY,
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


def _publish_text_rule(spec: Any, pattern: str, components: dict[str, Any], seen: set[str]) -> None:
    """Give every string of ``spec`` without a pattern, enum or format the ``pattern``,
    and every object that takes extra keys a ``propertyNames`` rule (following $refs)."""
    if not isinstance(spec, dict):
        return
    ref = spec.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _publish_text_rule(components.get(name), pattern, components, seen)
    if spec.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(spec):
        spec["pattern"] = pattern
    extra = spec.get("additionalProperties", True)
    if spec.get("type") == "object" and extra is not False:
        spec.setdefault("propertyNames", {"pattern": pattern})
    children: list[Any] = [spec.get("items"), extra, spec.get("not")]
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        children.extend(spec.get(key, []))
    for key in ("properties", "patternProperties"):
        children.extend(spec.get(key, {}).values())
    for child in children:
        _publish_text_rule(child, pattern, components, seen)


def publish_text_rule(schema: dict[str, Any]) -> None:
    """Say in ``schema`` what :func:`refuse_control_characters` refuses (with 400): a
    control character in a path or query parameter (any; ``ADDRESS_TEXT``) or in a JSON
    body's text (tab and line breaks allowed; ``BODY_TEXT``), keys included.

    Patterns a route declares itself are kept: they admit no control character.
    """
    components = schema.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _publish_text_rule(parameter.get("schema"), ADDRESS_TEXT, components, set())
            body = operation.get("requestBody", {}).get("content", {})
            media = body.get("application/json", {})
            _publish_text_rule(media.get("schema"), BODY_TEXT, components, seen)


def document_api(app: FastAPI) -> None:
    """Complete the app's OpenAPI schema: the ways to authenticate (all optional: public
    reading may need none), and the text rule every route enforces."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()  # cached by FastAPI; the additions below are idempotent
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        schema["security"] = [{"bearerToken": []}, {"sessionCookie": []}, {}]
        publish_text_rule(schema)
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
Research = Annotated[
    Literal["focus", "all"],
    Query(
        description="focus: the preset's focus domains (the web pages' default); all: all research"
    ),
]
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
#: The network's domains (``bioconnect.network.build.DOMAINS``; a test checks they agree).
Domain = Annotated[
    Literal["health", "industrial", "agrifood", "marine", "environmental"] | None,
    Query(description="Research domain."),
]
Programme = Annotated[Literal["H2020", "HORIZON"] | None, Query()]


T = TypeVar("T")


class SectionRouter(APIRouter):
    """The routes of one part of the site: the API (``api=True``: paths under ``/api/v1``)
    or the pages (every other path). A request for the other part is turned away by one
    prefix test, where the framework would try each of the part's routes in turn (about 4
    microseconds each; the API has about 90): that was a third of a search page's time.
    """

    def __init__(self, *, api: bool) -> None:
        super().__init__()
        self.api = api

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if get_route_path(scope).startswith(API_PREFIX) != self.api:
            return Match.NONE, {}
        return super().matches(scope)


async def kept_or_computed(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` for an ``async`` read route: answered on the event loop
    when it is kept in memory (:func:`bioconnect.services.cache.from_memory`: no statement
    reaches the store), else computed in a worker thread.

    A sync route costs two thread hops (the route and the check of its answer), and under
    load its requests finish in whatever order the threads get the GIL, which made the
    slowest 1% of searches wait 2-5 times as long as the median.
    """
    found, value = from_memory(func, *args, **kwargs)
    if found:
        return value  # type: ignore[return-value]
    return await run_in_threadpool(func, *args, **kwargs)


def engine_of(request: Request) -> Engine:
    """The store the app serves."""
    engine: Engine = request.app.state.engine
    return engine


def preset_of(request: Request) -> str:
    """The name of the region preset the app serves."""
    return str(request.app.state.preset.name)


def region_countries(request: Request) -> tuple[str, ...]:
    """The countries, then the reference countries, of the region preset the app serves."""
    return tuple(request.app.state.preset.all_countries)


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


async def form_data(request: Request) -> AsyncIterator[FormData]:
    """The submitted form (read once; the CSRF check has read it already), closed after.

    Pages that take a whole form (plan, dialogue, outcomes, reports) depend on it as
    :data:`SubmittedForm`; uploaded files are closed when the request ends.
    """
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


SubmittedForm = Annotated[FormData, Depends(form_data)]
