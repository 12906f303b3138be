"""Finding a project and showing its participants, programme parts, fields and domains."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import Engine, func, or_, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.cache import LRU, cached
from bioconnect.services.links import cordis_project_url
from bioconnect.services.readmodel import ReadModel
from bioconnect.store import schema

PR = schema.table(schema.Project)
P = schema.table(schema.Participation)
ORG = schema.table(schema.Organisation)
PD = schema.table(schema.ProjectDomain)
PART = schema.table(schema.ProjectPart)
FIELD = schema.table(schema.ProjectField)

#: Pages of project search results by query, kept until the data changes.
_SEARCHES = LRU(1024)

PROJECT_COLUMNS = (
    "id",
    "programme",
    "acronym",
    "title",
    "start_year",
    "start_date",
    "end_date",
    "ec_max_contribution",
)


class ProjectSummary(ReadModel):
    """A project in a list of search results."""

    id: str
    programme: str | None
    acronym: str | None
    title: str | None
    start_year: int | None
    start_date: str | None
    end_date: str | None
    ec_max_contribution: float | None


class Project(ReadModel):
    """Every field of a project as the source gives it."""

    id: str
    programme: str | None
    grant_id: str | None
    rcn: str | None
    acronym: str | None
    title: str | None
    status: str | None
    start_date: str | None
    end_date: str | None
    start_year: int | None
    total_cost: float | None
    ec_max_contribution: float | None
    legal_basis: str | None
    topic: str | None
    funding_scheme: str | None
    source_row: int
    repairs: str | None


class Participant(ReadModel):
    """An organisation's part in the project (``org_id`` null when unresolved)."""

    org_id: str | None
    name: str | None
    pic: str | None
    country: str | None
    stakeholder_group: str | None
    role: str | None
    ec_contribution: float | None


class ProgrammePart(ReadModel):
    part: str | None
    title: str | None


class ScienceField(ReadModel):
    code: str | None
    title: str | None


class ProjectDomain(ReadModel):
    """A domain of the project, and the preset's rule that gave it."""

    domain: str
    rule: str


class ProjectDetail(ReadModel):
    """One project with its participants, programme parts, fields of science and domains."""

    project: Project
    cordis_url: str = Field(description="The project's page on CORDIS (by grant id or rcn).")
    participants: list[Participant]
    parts: list[ProgrammePart]
    fields: list[ScienceField]
    domains: list[ProjectDomain]


def search_projects(
    engine: Engine,
    text: str = "",
    *,
    programme: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[ProjectSummary], int]:
    """Projects whose acronym, title or id contains ``text`` (all when empty), newest first.

    Returns the page of rows and the total number of matches. The page is kept in memory
    until the store's data changes (its rows are read-only; the list is the caller's).
    """
    if limit < 1 or offset < 0:
        raise InputError("limit must be at least 1 and offset at least 0.", "Fix the paging.")
    key = (text, programme, limit, offset)
    rows, total = cached(
        engine,
        _SEARCHES,
        key,
        lambda: _search_projects(engine, text, programme, limit, offset),
    )
    return list(rows), total


def _search_projects(
    engine: Engine, text: str, programme: str | None, limit: int, offset: int
) -> tuple[list[ProjectSummary], int]:
    needle = text.strip().lower()
    where = []
    if needle:
        # % and _ are literal (escaped), as in the organisation search
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        where.append(
            or_(
                func.lower(PR.c.acronym).like(like, escape="\\"),
                func.lower(PR.c.title).like(like, escape="\\"),
                PR.c.id == text.strip(),
                PR.c.grant_id == text.strip(),
            )
        )
    if programme:
        where.append(PR.c.programme == programme.upper())
    query = select(*[PR.c[c] for c in PROJECT_COLUMNS]).where(*where)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(PR).where(*where)).scalar() or 0)
        rows = conn.execute(
            query.order_by(PR.c.start_year.desc().nulls_last(), PR.c.id).limit(limit).offset(offset)
        )
        return [ProjectSummary.model_validate(row._mapping) for row in rows], total


def project_detail(engine: Engine, project_id: str) -> ProjectDetail:
    """One project: its fields, participants (with the canonical organisation), parts, domains."""
    with engine.connect() as conn:
        row = conn.execute(select(PR).where(PR.c.id == project_id)).first()
        if row is None:
            raise NotFoundError(
                f"No project with id {project_id!r}.",
                "Search for it by acronym or title, then use the id shown.",
            )
        project = dict(row._mapping)
        participants = [
            dict(r._mapping)
            for r in conn.execute(
                select(
                    P.c.org_id,
                    ORG.c.name,
                    ORG.c.pic,
                    P.c.country,
                    ORG.c.stakeholder_group,
                    P.c.role,
                    P.c.ec_contribution,
                )
                .select_from(P.outerjoin(ORG, ORG.c.id == P.c.org_id))
                .where(P.c.project_id == project_id)
                .order_by(P.c.ec_contribution.desc().nulls_last(), P.c.org_id)
            )
        ]
        parts = [
            {"part": part, "title": title}
            for part, title in conn.execute(
                select(PART.c.part, PART.c.title)
                .where(PART.c.project_id == project_id)
                .distinct()
                .order_by(PART.c.part)
            )
        ]
        fields = [
            {"code": code, "title": title}
            for code, title in conn.execute(
                select(FIELD.c.code, FIELD.c.title)
                .where(FIELD.c.project_id == project_id)
                .distinct()
                .order_by(FIELD.c.code)
            )
        ]
        domains = [
            {"domain": d, "rule": rule}
            for d, rule in conn.execute(
                select(PD.c.domain, PD.c.rule)
                .where(PD.c.project_id == project_id)
                .order_by(PD.c.domain)
            )
        ]
    project.pop("source_file_id", None)
    return ProjectDetail.model_validate(
        {
            "project": project,
            "cordis_url": cordis_project_url(
                str(project["id"]), project.get("grant_id"), project.get("rcn")
            ),
            "participants": participants,
            "parts": parts,
            "fields": fields,
            "domains": domains,
        }
    )
