"""Report editions: storing what was rendered, listing, downloading and comparing them."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.reports.diff import diff_figures
from bioconnect.reports.document import ReportDocument
from bioconnect.store import changes
from bioconnect.store.reports_tables import ReportEdition
from bioconnect.store.schema import table

TABLE = table(ReportEdition)

Format = Literal["html", "pdf", "docx"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "docx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class EditionSummary(BaseModel):
    """A stored edition of a report, without its document."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    preset: str
    title: str
    created_at: str
    created_by: str
    data_version: int
    parameters: dict[str, str]
    files: list[str]
    sha256: str


class FigureChangeOut(BaseModel):
    """One key figure that differs between two editions."""

    model_config = ConfigDict(frozen=True)

    name: str
    before: str | None
    after: str | None
    kind: str


class EditionDiff(BaseModel):
    """The key figures that changed from one edition to another."""

    model_config = ConfigDict(frozen=True)

    before: EditionSummary
    after: EditionSummary
    changes: list[FigureChangeOut]


def _summary(row: ReportEdition) -> EditionSummary:
    return EditionSummary(
        id=row.id,
        kind=row.kind,
        preset=row.preset,
        title=row.title,
        created_at=row.created_at,
        created_by=row.created_by,
        data_version=row.data_version,
        parameters=json.loads(row.parameters_json),
        files=json.loads(row.files_json),
        sha256=row.sha256,
    )


def store_edition(engine: Engine, document: ReportDocument, html: str, *, actor: str) -> int:
    """Keep an edition (its HTML and key figures), audited; returns its id."""
    files = sorted({f for s in document.sources for f in s.files})
    body = html.encode("utf-8")
    row = dict(
        kind=document.kind,
        preset=str(document.parameters.get("preset", "")),
        title=document.title,
        created_at=document.created,
        created_by=actor,
        data_version=document.data_version,
        parameters_json=json.dumps(
            {k: str(v) for k, v in document.parameters.items()}, sort_keys=True
        ),
        files_json=json.dumps(files),
        key_figures_json=json.dumps(dict(document.key_figures)),
        html=body,
        sha256=hashlib.sha256(body).hexdigest(),
    )
    with engine.begin() as conn:
        new_id = conn.execute(TABLE.insert().values(**row).returning(TABLE.c.id)).scalar_one()
        changes.audit(
            conn,
            actor,
            "report",
            "report_edition",
            str(new_id),
            json.dumps({"kind": document.kind, "title": document.title}),
        )
    return int(new_id)


def list_editions(engine: Engine, kind: str | None = None) -> list[EditionSummary]:
    """Stored editions, newest first (of one kind when ``kind`` is given)."""
    from sqlalchemy.orm import Session

    query = select(ReportEdition).order_by(ReportEdition.id.desc())
    if kind is not None:
        query = query.where(ReportEdition.kind == kind)
    with Session(engine) as session:
        return [_summary(r) for r in session.scalars(query)]


def _row(engine: Engine, edition: int) -> ReportEdition:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        row = session.get(ReportEdition, edition)
        if row is None:
            raise NotFoundError(
                f"No report edition {edition}.", "List the editions: `bioconnect report editions`."
            )
        session.expunge(row)
        return row


def edition(engine: Engine, edition_id: int) -> EditionSummary:
    """One stored edition's summary (``NotFoundError`` when there is none)."""
    return _summary(_row(engine, edition_id))


def edition_html(engine: Engine, edition_id: int) -> tuple[EditionSummary, str]:
    """An edition's summary and its HTML."""
    row = _row(engine, edition_id)
    return _summary(row), row.html.decode("utf-8")


def check_format(fmt: str) -> Format:
    """``fmt`` when it is a report format, else one clear error."""
    if fmt not in FORMATS:
        raise InputError(f"Unknown report format {fmt!r}.", f"Use one of {', '.join(FORMATS)}.")
    return fmt


def diff_editions(engine: Engine, before: int, after: int) -> EditionDiff:
    """The key figures that changed between two stored editions."""
    a, b = _row(engine, before), _row(engine, after)
    found = diff_figures(json.loads(a.key_figures_json), json.loads(b.key_figures_json))
    return EditionDiff(
        before=_summary(a),
        after=_summary(b),
        changes=[
            FigureChangeOut(name=c.name, before=c.before, after=c.after, kind=c.kind) for c in found
        ],
    )
