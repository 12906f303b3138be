"""The Benchmark pages: the scoreboard overview and the biotech research index.

Without a stored edition each page says how to import one; the figures, tables and charts
come from :mod:`bioconnect.services.benchmark_overview`.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from bioconnect.errors import BioconnectError, InputError, NotFoundError
from bioconnect.services.benchmark_overview import IMPORT_COMMAND, benchmark_page, biotech_page
from bioconnect.services.indicators import UPLOAD_LIMIT, build_uploaded_index
from bioconnect.web.limits import Costly
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


def _builder(request: Request, status: int = 200, **context: object) -> Response:
    return render(request, "benchmark/builder.html", status, active="benchmark", **context)


@router.get("/benchmark/builder")
def index_builder_page(request: Request, user: Reader) -> Response:
    return _builder(request)


def _file(upload: object) -> tuple[str, bytes] | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return upload.filename, upload.file.read(UPLOAD_LIMIT + 1)


@router.post("/benchmark/builder", dependencies=[Costly])
async def index_builder_run(request: Request, user: Reader) -> Response:
    """Build an index from an uploaded iData/iMeta pair (and pipeline); nothing is stored."""
    form = await request.form()
    try:
        data, meta = _file(form.get("data")), _file(form.get("meta"))
        if data is None or meta is None:
            raise InputError("Both iData and iMeta are needed.", "Choose the two files.")
        runs_text = str(form.get("runs") or "256")
        runs = int(runs_text) if runs_text.isdigit() else 0
        if not 32 <= runs <= 2048:
            raise InputError(f"{runs_text!r} builds is out of range.", "Give 32 to 2048.")
        result = build_uploaded_index(data, meta, _file(form.get("pipeline")), runs=runs)
    except BioconnectError as exc:
        return _builder(request, 400, error=exc)
    finally:
        await form.close()
    return _builder(request, result=result)
