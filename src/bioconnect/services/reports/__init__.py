"""Reports as users ask for them: build a report from the store, render it as HTML, PDF or
Word, keep it as an edition, list, download and compare editions.

* :mod:`~bioconnect.services.reports.status`: the status report's sections;
* :mod:`~bioconnect.services.reports.plan`: the action plan's;
* :mod:`~bioconnect.services.reports.evaluation`: the evaluation and dissemination plan's;
* :mod:`~bioconnect.services.reports.provenance`: the sources appendix, from the store;
* :mod:`~bioconnect.services.reports.editions`: stored editions and their differences.

The CLI's ``bioconnect report``, the Reports page and the API call :func:`make_report`
and the edition functions; the templates live in :mod:`bioconnect.reports`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine

from bioconnect.errors import InputError
from bioconnect.reports.document import ReportDocument
from bioconnect.services.cache import LRU, cached
from bioconnect.services.progress import NoProgress, Progress
from bioconnect.services.reports.editions import (
    FORMATS,
    MEDIA_TYPES,
    EditionDiff,
    EditionSummary,
    FigureChangeOut,
    Format,
    check_format,
    diff_editions,
    edition,
    edition_html,
    list_editions,
    store_edition,
)

ReportKind = Literal["status", "plan", "evaluation"]
REPORT_KINDS: dict[str, str] = {
    "status": "Status report",
    "plan": "Action plan",
    "evaluation": "Evaluation and dissemination plan",
}

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "REPORT_KINDS",
    "EditionDiff",
    "EditionSummary",
    "FigureChangeOut",
    "Format",
    "RenderedReport",
    "ReportKind",
    "build_document",
    "check_format",
    "check_kind",
    "convert",
    "diff_editions",
    "edition",
    "edition_file",
    "edition_html",
    "list_editions",
    "make_report",
]


@dataclass(frozen=True)
class RenderedReport:
    """A rendered report: its bytes in one format, a file name, and the edition it is."""

    kind: str
    fmt: Format
    content: bytes
    filename: str
    media_type: str
    edition: int
    title: str


def check_kind(kind: str) -> ReportKind:
    """``kind`` when it names a report, else one clear error."""
    if kind not in REPORT_KINDS:
        raise InputError(
            f"Unknown report {kind!r}.",
            f"Choose one of: {', '.join(REPORT_KINDS)} (e.g. `bioconnect report status`).",
        )
    return kind  # type: ignore[return-value]


def now() -> str:
    """The current time, UTC, to the second, as reports state it."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_document(
    engine: Engine,
    kind: str,
    *,
    preset: str = "baltic",
    created: str | None = None,
    progress: Progress | None = None,
) -> ReportDocument:
    """Gather one report's content from the services (nothing is written).

    Raises :class:`~bioconnect.errors.InputError` naming what is missing and how to load
    it: no atlas data, no scoreboard edition (status), no plan (plan, evaluation).
    """
    from bioconnect.model.preset import load_preset
    from bioconnect.services.cache import read_data_version

    chosen_kind = check_kind(kind)
    chosen = load_preset(preset)
    progress = progress or NoProgress()
    version = int(read_data_version(engine))
    stated = created or now()
    if chosen_kind == "status":
        from bioconnect.services.reports.status import status_document

        return status_document(engine, chosen, stated, version, progress)
    from bioconnect.services.reports.plan import plan_document

    return plan_document(engine, chosen, chosen_kind, stated, version, progress)


def convert(html: str, fmt: Format, created: str) -> bytes:
    """A report's HTML in ``fmt``: the HTML itself, a PDF, or a Word copy."""
    if fmt == "html":
        return html.encode("utf-8")
    if fmt == "pdf":
        from bioconnect.reports.pdf import html_to_pdf

        return html_to_pdf(html, created)
    from bioconnect.reports.word import html_to_docx

    return html_to_docx(html)


def _filename(kind: str, preset: str, created: str, fmt: str) -> str:
    day = created[:10]
    return f"{preset}-{kind}-report-{day}.{fmt}"


def make_report(
    engine: Engine,
    kind: str,
    fmt: str = "html",
    *,
    preset: str = "baltic",
    actor: str = "cli",
    created: str | None = None,
    progress: Progress | None = None,
) -> RenderedReport:
    """Build, render and keep a new edition of a report; returns it in ``fmt``.

    Nothing is stored when the report cannot be made (a missing source, an empty plan).
    """
    from bioconnect.reports.render import render_html

    chosen = check_format(fmt)
    progress = progress or NoProgress()
    document = build_document(engine, kind, preset=preset, created=created, progress=progress)
    progress.step("rendering the HTML")
    html = render_html(document)
    progress.step(f"writing the {chosen.upper()}")
    content = convert(html, chosen, document.created)
    edition_id = store_edition(engine, document, html, actor=actor)
    return RenderedReport(
        kind=document.kind,
        fmt=chosen,
        content=content,
        filename=_filename(document.kind, preset, document.created, chosen),
        media_type=MEDIA_TYPES[chosen],
        edition=edition_id,
        title=document.title,
    )


#: Files of stored editions, kept until the store's data changes: an edition never changes,
#: and a PDF of it took seconds to render again for every download. Few, as they are large.
_EDITION_FILES = LRU(8)


def edition_file(engine: Engine, edition_id: int, fmt: str) -> RenderedReport:
    """A stored edition in ``fmt``; the same edition gives the same bytes each time (it is
    rendered once and kept until the store's data changes)."""
    chosen = check_format(fmt)
    return cached(
        engine,
        _EDITION_FILES,
        (edition_id, chosen),
        lambda: _edition_file(engine, edition_id, chosen),
    )


def _edition_file(engine: Engine, edition_id: int, chosen: Format) -> RenderedReport:
    summary, html = edition_html(engine, edition_id)
    return RenderedReport(
        kind=summary.kind,
        fmt=chosen,
        content=convert(html, chosen, summary.created_at),
        filename=_filename(summary.kind, summary.preset, summary.created_at, chosen),
        media_type=MEDIA_TYPES[chosen],
        edition=summary.id,
        title=summary.title,
    )
