"""The Reports page, for editors and administrators: make a new edition of a report and
download it, download any kept edition in any format, compare the key figures of two.

Each report is made by :func:`bioconnect.services.reports.make_report`, which keeps the
edition; a report that cannot be made is refused with its problem and fix on the page
and nothing is kept: HTTP 400 (no scoreboard loaded, an unknown format), or 404 when
the store has no plan, as the app answers a missing plan everywhere. A status report takes about
20 seconds: the form shows its progress while the answer is on its way (``reports.js``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bioconnect.errors import BioconnectError, NotFoundError
from bioconnect.services.reports import (
    FORMATS,
    REPORT_KINDS,
    Format,
    ReportKind,
    diff_editions,
    edition_file,
    list_editions,
    make_report,
)
from bioconnect.web.rendering import render
from bioconnect.web.reports.files import MAX_EDITION, EditionId, EditionParam, download
from bioconnect.web.routing import Editor, engine_of, page_router, preset_of
from bioconnect.web.routing import SubmittedForm as Form

router = page_router()

Kind = Annotated[ReportKind, Path(description="Which report.")]
Made = Annotated[int | None, Query(ge=1, le=MAX_EDITION, description="The edition just made.")]

#: What each report holds, as the page says it.
DESCRIPTIONS: dict[str, str] = {
    "status": (
        "The region's ecosystem against its reference countries: the atlas, the map, the "
        "collaboration network, the benchmark (it needs a scoreboard edition loaded), the "
        "dialogue, and recommendations. It takes about 20 seconds."
    ),
    "plan": (
        "The stored action plan: its goals, the initiatives by pillar with their leads and "
        "budgets, the KPIs, the priorities and what the plan's checks find."
    ),
    "evaluation": (
        "The evaluation and dissemination plan: each KPI's status and forecast, the "
        "logframe, and the evaluation questions of the plan's configuration."
    ),
}


def _index(
    request: Request,
    status: int = 200,
    *,
    error: BioconnectError | None = None,
    kind: str | None = None,
    fmt: str = "pdf",
    made: int | None = None,
) -> Response:
    editions = list_editions(engine_of(request))
    return render(
        request,
        "reports/index.html",
        status,
        active="reports",
        kinds=REPORT_KINDS,
        descriptions=DESCRIPTIONS,
        formats=FORMATS,
        editions=editions,
        labels=REPORT_KINDS,
        error=error,
        failed_kind=kind,
        failed_format=fmt,
        made=next((e for e in editions if e.id == made), None),
    )


@router.get("/reports")
def reports_page(request: Request, user: Editor, made: Made = None) -> Response:
    return _index(request, made=made)


def _chosen_format(form: FormData) -> str:
    value = form.get("format")
    return value.strip()[:20] if isinstance(value, str) else "pdf"


@router.post("/reports/{kind}")
def make_report_page(request: Request, user: Editor, kind: Kind, form: Form) -> Response:
    """Make a new edition and answer it as a download; a refusal shows the page again."""
    fmt = _chosen_format(form)
    try:
        report = make_report(
            engine_of(request),
            kind,
            fmt,
            preset=preset_of(request),
            actor=user.username,
        )
    except BioconnectError as exc:
        status = 404 if isinstance(exc, NotFoundError) else 400
        return _index(request, status, error=exc, kind=kind, fmt=fmt)
    return download(report)


@router.get("/reports/editions/{edition_id}.{fmt}")
def edition_download(
    request: Request, user: Editor, edition_id: EditionId, fmt: Format
) -> Response:
    """A kept edition in ``fmt``: the same edition gives the same bytes each time."""
    return download(edition_file(engine_of(request), edition_id, fmt))


@router.get("/reports/diff")
def diff_page(
    request: Request, user: Editor, before: EditionParam, after: EditionParam
) -> Response:
    """The key figures that changed from one edition to another."""
    diff = diff_editions(engine_of(request), before, after)
    context: dict[str, Any] = {"diff": diff, "labels": REPORT_KINDS}
    return render(request, "reports/diff.html", active="reports", **context)
