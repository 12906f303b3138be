"""The reports API under ``/api/v1/reports``: the kept editions of the reports, each in
any format, the key figures that changed between two, and new editions (editors).

Every answer is a read model of :mod:`bioconnect.services.reports`, which does the work;
a report that cannot be made is refused with its problem and fix, and nothing is kept:
409 when a source is missing (no scoreboard loaded), 404 when there is no plan.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import Response
from starlette.convertors import StringConvertor, register_url_convertor

from bioconnect.services.reports import (
    MEDIA_TYPES,
    REPORT_KINDS,
    EditionDiff,
    EditionSummary,
    Format,
    ReportKind,
    diff_editions,
    edition,
    edition_file,
    list_editions,
    make_report,
)
from bioconnect.web.limits import TOO_COSTLY, Costly
from bioconnect.web.reports.files import EditionId, EditionParam, download
from bioconnect.web.routing import API_PREFIX, Editor, Reader, api_router, engine_of, preset_of

router = api_router(prefix="/reports", tags=["reports"])


class _KindConvertor(StringConvertor):
    """A report's kind in a path: other words do not match the route, so ``POST
    /reports/diff`` is a 405 (``/reports/diff`` takes GET), not a 422 for kind 'diff'."""

    regex = "|".join(REPORT_KINDS)


register_url_convertor("report_kind", _KindConvertor())


class ReportEditionSummary(EditionSummary):
    """A kept edition of a report, without its document.

    The services' ``EditionSummary`` under a name of its own in the schema: the benchmark
    API has an ``EditionSummary`` (a scoreboard edition) already.
    """

    @classmethod
    def of(cls, summary: EditionSummary) -> ReportEditionSummary:
        return cls.model_validate(summary.model_dump())


class ReportEditionDiff(EditionDiff):
    """The key figures that changed from one edition of a report to another."""

    before: ReportEditionSummary
    after: ReportEditionSummary


Kind = Annotated[ReportKind, Path(description="Which report: status, plan or evaluation.")]
KindFilter = Annotated[ReportKind | None, Query(description="Only the editions of this report.")]
FormatParam = Annotated[Format, Query(description="The file's format: html, pdf or docx (Word).")]
BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
FILE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The edition as a file (Content-Disposition: attachment).",
        "content": {
            MEDIA_TYPES["html"].split(";")[0]: {"schema": {"type": "string"}},
            MEDIA_TYPES["pdf"]: BINARY,
            MEDIA_TYPES["docx"]: BINARY,
        },
    }
}


@router.get("/editions", response_model=list[ReportEditionSummary])
def get_editions(
    request: Request, user: Reader, kind: KindFilter = None
) -> list[ReportEditionSummary]:
    """The kept editions of the reports, newest first."""
    return [ReportEditionSummary.of(e) for e in list_editions(engine_of(request), kind)]


@router.get("/editions/{edition_id}", response_model=ReportEditionSummary)
def get_edition(request: Request, user: Reader, edition_id: EditionId) -> ReportEditionSummary:
    """One kept edition: its report, title, who made it when, from which data."""
    return ReportEditionSummary.of(edition(engine_of(request), edition_id))


@router.get(
    "/editions/{edition_id}/file",
    response_class=Response,
    dependencies=[Costly],
    responses={**FILE_ANSWER, **TOO_COSTLY},
)
def get_edition_file(
    request: Request, user: Reader, edition_id: EditionId, format: FormatParam = "pdf"
) -> Response:
    """A kept edition as a file; the same edition gives the same bytes each time. A PDF or
    Word file is rendered on the first request (seconds of work) and kept until the data
    changes; callers who have not signed in are metered."""
    return download(edition_file(engine_of(request), edition_id, format))


@router.get("/diff", response_model=ReportEditionDiff)
def get_diff(
    request: Request, user: Reader, before: EditionParam, after: EditionParam
) -> ReportEditionDiff:
    """The key figures that changed from the edition ``before`` to the edition ``after``."""
    diff = diff_editions(engine_of(request), before, after)
    return ReportEditionDiff.model_validate(diff.model_dump())


@router.post("/{kind:report_kind}", response_model=ReportEditionSummary, status_code=201)
def post_report(
    request: Request,
    response: Response,
    user: Editor,
    kind: Kind,
    format: FormatParam = "html",
) -> ReportEditionSummary:
    """Make a new edition of a report from what the store holds now (editors), rendered
    in ``format``; the answer is its summary, and ``Location`` names its file. A status
    report takes about 20 seconds."""
    engine = engine_of(request)
    made = make_report(engine, kind, format, preset=preset_of(request), actor=user.username)
    response.headers["Location"] = (
        f"{API_PREFIX}{router.prefix}/editions/{made.edition}/file?format={made.fmt}"
    )
    return ReportEditionSummary.of(edition(engine, made.edition))
