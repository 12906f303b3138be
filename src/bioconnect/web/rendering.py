"""Rendering of pages and errors: the context every page needs, and one error shape.

Pages and API routes import from here, and the app factory installs the error handlers, so
nothing imports the factory (no cycle).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from bioconnect.errors import (
    BioconnectError,
    ConflictError,
    InputError,
    NotFoundError,
    StoreBusy,
)
from bioconnect.services.accounts import RateLimited
from bioconnect.services.atlas import ATTRIBUTION
from bioconnect.services.regions import filter_choices as region_filter_choices
from bioconnect.services.scope import Scope, scope_statements
from bioconnect.services.store import is_busy
from bioconnect.web.limits import TooCostly
from bioconnect.web.routing import API_PREFIX
from bioconnect.web.security import (
    CsrfFailed,
    Forbidden,
    ReadOnlyToken,
    SignInRequired,
    TokenRefused,
    csrf_token,
    current_user,
)

#: Sent with every 401 from the API (RFC 9110 asks for it): scripts use a bearer token.
WWW_AUTHENTICATE = 'Bearer realm="bioconnect"'

#: Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): in a
#: name they reorder the text around it on the page.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def display_text(value: Any) -> Any:
    """Every value a template writes, without bidirectional controls (Jinja's ``finalize``,
    so no template can forget it); other values are left as they are.

    Examples
    --------
    >>> display_text("\u202eevil\u202c.exe"), display_text(3)
    ('evil.exe', 3)
    """
    if isinstance(value, Markup):
        return Markup(_BIDI_CONTROLS.sub("", str(value)))
    if isinstance(value, str):
        return _BIDI_CONTROLS.sub("", value)
    return value


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def problem_response(status: int, problem: str, fix: str) -> JSONResponse:
    return JSONResponse({"detail": {"problem": problem, "fix": fix}}, status_code=status)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """Render a page with the context every page needs (user, CSRF token, region)."""
    templates: Jinja2Templates = request.app.state.templates
    preset = request.app.state.preset
    return templates.TemplateResponse(
        request,
        template,
        {
            "user": current_user(request),
            "csrf_token": csrf_token(request),
            "region_label": preset.label,
            "attribution": ATTRIBUTION,
            "public_read": request.app.state.settings.public_read,
            **context,
        },
        status_code=status_code,
    )


def filter_choices(request: Request) -> dict[str, Any]:
    """The countries, stakeholder groups and domains the filter forms offer."""
    choices = region_filter_choices(request.app.state.preset.name)
    return {
        "countries": list(choices.countries),
        "groups": list(choices.groups),
        "domains": list(choices.domains),
    }


def research_choices(request: Request, research: Scope = "focus") -> dict[str, Any]:
    """The research switch of the map and the network explorer: the preset's focus, the
    scope chosen (all research when the preset has no focus) and the statement of what
    each scope covers."""
    preset = request.app.state.preset
    return {
        "focus": preset.focus,
        "research": research if preset.focus is not None else "all",
        "statements": scope_statements(request.app.state.engine, preset),
    }


def error_page(request: Request, status: int, problem: str, fix: str) -> Response:
    if is_api(request):
        return problem_response(status, problem, fix)
    return render(request, "error.html", status, status=status, problem=problem, fix=fix)


async def _sign_in_required(request: Request, _exc: Exception) -> Response:
    if is_api(request):
        response = problem_response(
            401,
            "You need to sign in for this.",
            "Sign in at /login, or send a personal API token as 'Authorization: Bearer "
            "<token>' (make one at /account/tokens).",
        )
        response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
        return response
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Forbidden)
    return error_page(
        request,
        403,
        f"Your role ({exc.user.role.name}) may not do this; it needs {exc.needed.name}.",
        "Ask an administrator for a role that allows it.",
    )


async def _csrf_failed(request: Request, _exc: Exception) -> Response:
    return error_page(
        request,
        403,
        "The form's security token is missing or out of date.",
        "Reload the page and submit again. API clients send the bc_csrf cookie's "
        "value in an X-CSRF-Token header.",
    )


async def _token_refused(request: Request, _exc: Exception) -> Response:
    response = problem_response(
        401,
        "The API token is not valid: unknown, expired or revoked.",
        "Make a new token at /account/tokens or with `bioconnect tokens create`.",
    )
    response.headers["WWW-Authenticate"] = (
        f'{WWW_AUTHENTICATE}, error="invalid_token", '
        'error_description="unknown, expired or revoked token"'
    )
    return response


async def _read_only_token(request: Request, _exc: Exception) -> Response:
    response = problem_response(
        403,
        "This API token has read scope; it cannot change anything.",
        "Use a token with write scope (make one at /account/tokens).",
    )
    response.headers["WWW-Authenticate"] = f'{WWW_AUTHENTICATE}, error="insufficient_scope"'
    return response


async def _rate_limited(request: Request, exc: Exception) -> Response:
    """Too many failed sign-ins, or an anonymous caller's heavy request over its budget."""
    assert isinstance(exc, RateLimited | TooCostly)
    response = error_page(request, 429, exc.problem, exc.fix)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFoundError)
    return error_page(request, 404, exc.problem, exc.fix)


async def _conflict(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConflictError)
    return error_page(request, 409, exc.problem, exc.fix)


async def _bad_input(request: Request, exc: Exception) -> Response:
    # InputError and every other BioconnectError: the request asked for something impossible
    assert isinstance(exc, BioconnectError)
    return error_page(request, 400, exc.problem, exc.fix)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}" for err in exc.errors()
    )
    problem = f"The request is not valid: {details}."
    if is_api(request):
        fix = "See /api/v1/openapi.json for the parameters each route takes."
        return JSONResponse({"detail": {"problem": problem, "fix": fix}}, status_code=422)
    return render(
        request,
        "error.html",
        422,
        status=422,
        problem=problem,
        fix="Check the address or the form and try again.",
    )


#: The methods a 405 answer may name in its ``Allow`` header, in this order.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """The methods the app's routes take at this request's path (for ``Allow``)."""
    routes = request.app.router.routes
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in routes):
            allowed.append(method)
    return allowed


def _or_list(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _method_not_allowed(request: Request) -> Response:
    """405 with ``Allow`` (RFC 9110 requires it), naming the methods this path takes."""
    allowed = allowed_methods(request) or ["GET"]
    response = error_page(
        request,
        405,
        f"This address does not take {request.method}; it takes {_or_list(allowed, 'and')}.",
        f"Use {_or_list(allowed, 'or')}"
        + (f" (see {API_PREFIX}/openapi.json)." if is_api(request) else "."),
    )
    response.headers["Allow"] = ", ".join(allowed)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_page(request, 404, "There is no such page.", "Go to the dashboard at /.")
    if exc.status_code == 405:
        return _method_not_allowed(request)
    return error_page(request, exc.status_code, str(exc.detail), "Try again.")


#: Seconds a client is asked to wait when the store was busy with another writer.
BUSY_RETRY_AFTER = 5


async def _store_error(request: Request, exc: Exception) -> Response:
    """The store was busy with another writer past its timeout (or a change kept meeting
    others, :class:`StoreBusy`): 503 with Retry-After, never 500. Any other database error
    is a bug, and stays a 500."""
    if not isinstance(exc, StoreBusy) and not is_busy(exc):
        raise exc
    response = error_page(
        request,
        503,
        "The store is busy with another change (an ingest or a review decision).",
        f"Nothing was saved. Try again in {BUSY_RETRY_AFTER} seconds.",
    )
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


_HANDLERS: tuple[tuple[type[Exception], Any], ...] = (
    (DBAPIError, _store_error),
    (StoreBusy, _store_error),
    (SignInRequired, _sign_in_required),
    (Forbidden, _forbidden),
    (CsrfFailed, _csrf_failed),
    (TokenRefused, _token_refused),
    (ReadOnlyToken, _read_only_token),
    (RateLimited, _rate_limited),
    (TooCostly, _rate_limited),
    (NotFoundError, _not_found),
    (ConflictError, _conflict),
    (InputError, _bad_input),
    (BioconnectError, _bad_input),
    (RequestValidationError, _invalid_request),
    (StarletteHTTPException, _http_error),
)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error a user can cause with one problem and one fix (JSON or a page)."""
    for exc_class, handler in _HANDLERS:
        app.add_exception_handler(exc_class, handler)
