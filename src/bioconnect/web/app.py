"""The FastAPI application: pages, the REST API under ``/api/v1``, static files, security.

Example
-------
>>> from bioconnect.web import create_app
>>> app = create_app(database_url="sqlite:///:memory:")  # doctest: +SKIP
>>> # uvicorn.run(app)
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from bioconnect import __version__
from bioconnect.services.cache import VERSION_TTL, refresh_data_version
from bioconnect.services.regions import load_region
from bioconnect.services.store import connect
from bioconnect.settings import Settings, get_settings
from bioconnect.web.etag import ETagMiddleware
from bioconnect.web.limits import CostLimiter
from bioconnect.web.rendering import display_text, install_error_handlers
from bioconnect.web.routing import (
    API_PREFIX,
    SectionRouter,
    document_api,
    refuse_control_characters,
)
from bioconnect.web.security import (
    SecurityHeadersMiddleware,
)

HERE = Path(__file__).parent
LOG = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs: objects of start-up out of the collector's sight, and the
    store's data version kept fresh in the background."""
    _freeze_startup_objects()
    refresher = asyncio.create_task(_keep_data_version_fresh(app.state.engine))
    try:
        yield
    finally:
        refresher.cancel()
        with suppress(asyncio.CancelledError):
            await refresher


def _freeze_startup_objects() -> None:
    """Move what exists after start-up out of the garbage collector's sight.

    A full garbage collection walks every tracked object: about 200,000 after the imports
    (pandas, SQLAlchemy, pydantic, FastAPI), which took about 150 ms and stalled every
    request in flight, about once a second under load. Frozen objects are never walked
    (nor freed; they live as long as the process anyway).
    """
    gc.collect()
    gc.freeze()


async def _keep_data_version_fresh(engine: Engine) -> None:
    """Read the data version every half :data:`~bioconnect.services.cache.VERSION_TTL`
    in a worker thread, so that kept answers are served on the event loop without a pause:
    when a request found the version due, it and every request arriving while it was read
    went to worker threads, each reading it again (the slowest 1% of searches under load).
    """
    while True:
        try:
            await run_in_threadpool(refresh_data_version, engine)
        except Exception as exc:  # the store is down: requests say so; try again
            LOG.warning("could not read the store's data version: %s", exc)
        await asyncio.sleep(VERSION_TTL / 2)


def _include_routers(app: FastAPI) -> None:
    """Every capability's API routes (under ``/api/v1``) and pages."""
    from bioconnect.web.accounts import api as accounts_api
    from bioconnect.web.accounts import pages as accounts_pages
    from bioconnect.web.atlas import api as atlas_api
    from bioconnect.web.atlas import pages as atlas_pages
    from bioconnect.web.benchmark import api as benchmark_api
    from bioconnect.web.benchmark import pages as benchmark_pages
    from bioconnect.web.dialogue import api as dialogue_api
    from bioconnect.web.dialogue import delphi_api as dialogue_delphi_api
    from bioconnect.web.dialogue import delphi_pages as dialogue_delphi_pages
    from bioconnect.web.dialogue import manage as dialogue_manage
    from bioconnect.web.dialogue import pages as dialogue_pages
    from bioconnect.web.dialogue import survey_pages as dialogue_survey_pages
    from bioconnect.web.network import api as network_api
    from bioconnect.web.network import pages as network_pages
    from bioconnect.web.outcomes import api as outcomes_api
    from bioconnect.web.outcomes import pages as outcomes_pages
    from bioconnect.web.plan import api as plan_api
    from bioconnect.web.plan import pages as plan_pages
    from bioconnect.web.reports import api as reports_api
    from bioconnect.web.reports import pages as reports_pages

    api_section = SectionRouter(api=True)
    page_section = SectionRouter(api=False)
    for api in (
        accounts_api,
        atlas_api,
        network_api,
        plan_api,
        dialogue_api,
        dialogue_delphi_api,
        benchmark_api,
        outcomes_api,
        reports_api,
    ):
        api_section.include_router(api.router)
    for pages in (
        atlas_pages,
        network_pages,
        accounts_pages,
        plan_pages,
        benchmark_pages,
        outcomes_pages,
        reports_pages,
        dialogue_delphi_pages,
        dialogue_survey_pages,
        dialogue_pages,  # before dialogue_manage: /dialogue/join/{token} before /dialogue/{name}/…
        dialogue_manage,
    ):
        page_section.include_router(pages.router)
    app.include_router(api_section, prefix=API_PREFIX)
    app.include_router(page_section)


def create_app(
    engine: Engine | None = None,
    *,
    settings: Settings | None = None,
    database_url: str | None = None,
) -> FastAPI:
    """Build the web app on ``engine`` (or the store the settings name)."""
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
        lifespan=_lifespan,
        dependencies=[Depends(refuse_control_characters)],
    )
    app.state.engine = engine
    app.state.settings = settings
    # the anonymous callers' budgets of server time for heavy routes (web.limits)
    app.state.cost_limiter = CostLimiter.from_settings(settings)
    app.state.preset = load_region(settings.preset)
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=display_text,  # names with bidi overrides cannot reorder the page
        # templates are read once: a changed template needs a restart (as the code does);
        # checking every template's modification time cost 3% of a search page
        auto_reload=False,
    )
    app.state.templates = Jinja2Templates(env=environment)

    # innermost of the three: error pages get the headers too
    app.add_middleware(SecurityHeadersMiddleware, cookie_secure=settings.cookie_secure)
    app.add_middleware(ETagMiddleware, prefix=API_PREFIX)
    # outermost: the ETag is computed on the plain body, then the answer is compressed
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _include_routers(app)
    document_api(app)
    return app
