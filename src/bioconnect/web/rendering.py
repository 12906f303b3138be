"""Rendering of pages and errors: the context every page needs, and one error shape.

Pages and API routes import from here, and the app factory installs the error handlers, so
nothing imports the factory (no cycle).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from bioconnect.errors import BioconnectError, InputError, NotFoundError
from bioconnect.services.accounts import RateLimited
from bioconnect.services.atlas import ATTRIBUTION
from bioconnect.services.regions import filter_choices as region_filter_choices
from bioconnect.web.routing import API_PREFIX
from bioconnect.web.security import CsrfFailed, Forbidden, SignInRequired, csrf_token, current_user


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


def error_page(request: Request, status: int, problem: str, fix: str) -> Response:
    if is_api(request):
        return problem_response(status, problem, fix)
    return render(request, "error.html", status, status=status, problem=problem, fix=fix)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _exc: SignInRequired) -> Response:
        if is_api(request):
            return problem_response(401, "You need to sign in for this.", "Sign in at /login.")
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_page(
            request,
            403,
            f"Your role ({exc.user.role.name}) may not do this; it needs {exc.needed.name}.",
            "Ask an administrator for a role that allows it.",
        )

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        return error_page(
            request,
            403,
            "The form's security token is missing or out of date.",
            "Reload the page and submit again. API clients send the bc_csrf cookie's "
            "value in an X-CSRF-Token header.",
        )

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> Response:
        response = error_page(request, 429, exc.problem, exc.fix)
        response.headers["Retry-After"] = "600"
        return response

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return error_page(request, 404, exc.problem, exc.fix)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return error_page(request, 400, exc.problem, exc.fix)

    @app.exception_handler(BioconnectError)
    async def other_error(request: Request, exc: BioconnectError) -> Response:
        return error_page(request, 400, exc.problem, exc.fix)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}"
            for err in exc.errors()
        )
        if is_api(request):
            return JSONResponse(
                {
                    "detail": {
                        "problem": f"The request is not valid: {details}.",
                        "fix": "See /api/v1/openapi.json for the parameters each route takes.",
                    }
                },
                status_code=422,
            )
        return render(
            request,
            "error.html",
            422,
            status=422,
            problem=f"The request is not valid: {details}.",
            fix="Check the address or the form and try again.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, "There is no such page.", "Go to the dashboard at /.")
        if exc.status_code == 405:
            return error_page(
                request, 405, "This address does not take that method.", "Use GET to read it."
            )
        return error_page(request, exc.status_code, str(exc.detail), "Try again.")
