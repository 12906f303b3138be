"""The FastAPI application: pages, the REST API under ``/api/v1``, static files, security.

Example
-------
>>> from bioconnect.web import create_app
>>> app = create_app(database_url="sqlite:///:memory:")  # doctest: +SKIP
>>> # uvicorn.run(app)
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from bioconnect import __version__
from bioconnect.errors import BioconnectError, InputError, NotFoundError
from bioconnect.model.preset import load_preset
from bioconnect.services.accounts import RateLimited
from bioconnect.services.atlas import ATTRIBUTION
from bioconnect.services.store import connect
from bioconnect.settings import Settings, get_settings
from bioconnect.web.etag import ETagMiddleware
from bioconnect.web.security import (
    CsrfFailed,
    Forbidden,
    SecurityHeadersMiddleware,
    SignInRequired,
    csrf_token,
    current_user,
)

HERE = Path(__file__).parent
API_PREFIX = "/api/v1"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _problem(status: int, problem: str, fix: str) -> JSONResponse:
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


def _error_page(request: Request, status: int, problem: str, fix: str) -> Response:
    if _is_api(request):
        return _problem(status, problem, fix)
    return render(request, "error.html", status, status=status, problem=problem, fix=fix)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _exc: SignInRequired) -> Response:
        if _is_api(request):
            return _problem(401, "You need to sign in for this.", "Sign in at /login.")
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error_page(
            request,
            403,
            f"Your role ({exc.user.role.name}) may not do this; it needs {exc.needed.name}.",
            "Ask an administrator for a role that allows it.",
        )

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        return _error_page(
            request,
            403,
            "The form's security token is missing or out of date.",
            "Reload the page and submit again. API clients send the bc_csrf cookie's "
            "value in an X-CSRF-Token header.",
        )

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> Response:
        response = _error_page(request, 429, exc.problem, exc.fix)
        response.headers["Retry-After"] = "600"
        return response

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error_page(request, 404, exc.problem, exc.fix)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return _error_page(request, 400, exc.problem, exc.fix)

    @app.exception_handler(BioconnectError)
    async def other_error(request: Request, exc: BioconnectError) -> Response:
        return _error_page(request, 400, exc.problem, exc.fix)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}"
            for err in exc.errors()
        )
        if _is_api(request):
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
            return _error_page(request, 404, "There is no such page.", "Go to the dashboard at /.")
        if exc.status_code == 405:
            return _error_page(
                request, 405, "This address does not take that method.", "Use GET to read it."
            )
        return _error_page(request, exc.status_code, str(exc.detail), "Try again.")


@asynccontextmanager
async def _freeze_startup_objects(_app: FastAPI) -> AsyncIterator[None]:
    """When the server starts: move what exists after start-up out of the collector's sight.

    A full garbage collection walks every tracked object: about 200,000 after the imports
    (pandas, SQLAlchemy, pydantic, FastAPI), which took about 150 ms and stalled every
    request in flight, about once a second under load. Frozen objects are never walked
    (nor freed; they live as long as the process anyway).
    """
    gc.collect()
    gc.freeze()
    yield


def create_app(
    engine: Engine | None = None,
    *,
    settings: Settings | None = None,
    database_url: str | None = None,
) -> FastAPI:
    """Build the web app on ``engine`` (or the store the settings name)."""
    from bioconnect.web import api, pages, plan_api, plan_pages

    settings = settings or get_settings()
    engine = engine or connect(database_url or settings.database_url)
    app = FastAPI(
        title="bioconnect",
        version=__version__,
        description="Regional innovation ecosystem atlas, network and plan: the REST API.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=_freeze_startup_objects,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.preset = load_preset(settings.preset)
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.state.templates = Jinja2Templates(env=environment)

    # innermost of the three: error pages get the headers too
    app.add_middleware(SecurityHeadersMiddleware, cookie_secure=settings.cookie_secure)
    app.add_middleware(ETagMiddleware, prefix=API_PREFIX)
    # outermost: the ETag is computed on the plain body, then the answer is compressed
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    _install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(plan_api.router, prefix=API_PREFIX)
    app.include_router(pages.router)
    app.include_router(plan_pages.router)
    return app
