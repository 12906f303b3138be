"""The Benchmark pages: the scoreboard overview and the biotech research index.

Without a stored edition each page says how to import one; the figures, tables and charts
come from :mod:`bioconnect.services.benchmark_overview`.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.benchmark_overview import IMPORT_COMMAND, benchmark_page, biotech_page
from bioconnect.web.rendering import render
from bioconnect.web.routing import Reader, engine_of, page_router, preset_of

router = page_router()


def _missing(request: Request, title: str, error: Exception) -> Response:
    return render(
        request,
        "benchmark/empty.html",
        active="benchmark",
        title=title,
        error=error,
        command=IMPORT_COMMAND,
    )


@router.get("/benchmark")
def benchmark_overview_page(request: Request, user: Reader) -> Response:
    try:
        page = benchmark_page(engine_of(request), preset_of(request))
    except NotFoundError as exc:
        return _missing(request, "Benchmark", exc)
    return render(
        request,
        "benchmark/overview.html",
        active="benchmark",
        o=page.overview,
        charts=page.charts,
        groups=["Emerging", "Moderate", "Strong", "Leader"],
    )


@router.get("/benchmark/biotech")
def biotech_index_page(request: Request, user: Reader) -> Response:
    try:
        page = biotech_page(engine_of(request), preset_of(request))
    except (NotFoundError, InputError) as exc:
        return _missing(request, "Biotech research index", exc)
    return render(
        request, "benchmark/biotech.html", active="benchmark", index=page.index, chart=page.chart
    )
