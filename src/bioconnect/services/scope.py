"""What a figure covers: the preset's focus or all research, the programmes loaded, and
how far the domains and the Horizon Europe participations can be trusted.

Every figure of the atlas, the dashboard, the map and the network states its scope, read
from the store rather than written into the page: which domains (the preset's focus, e.g.
"biotech domains", or all research), which programmes, whether a programme's participations
come from a subset of its projects (the 1,118-project Horizon Europe extract), and whether
a programme's domains come from programme parts only (an upper bound: a part such as SC1
holds projects outside the domain).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, Engine, and_, distinct, func, select, union

from bioconnect.model.preset import Preset
from bioconnect.services.cache import LRU, cached
from bioconnect.services.readmodel import ReadModel
from bioconnect.store import schema

Scope = Literal["focus", "all"]
SCOPES: tuple[Scope, ...] = ("focus", "all")

#: How programmes are named in a scope statement.
PROGRAMME_LABELS = {"H2020": "H2020", "HORIZON": "Horizon Europe", "FP7": "FP7"}

P = schema.table(schema.Participation)
PR = schema.table(schema.Project)
D = schema.table(schema.ProjectDomain)
ORG = schema.table(schema.Organisation)
SF = schema.table(schema.SourceFile)
RUN = schema.table(schema.IngestRun)
DETAIL_TABLES = (
    schema.table(schema.ProjectTopic),
    schema.table(schema.ProjectPart),
    schema.table(schema.ProjectField),
)
FIELD = schema.table(schema.ProjectField)


class ProgrammeCoverage(ReadModel):
    """How much of one programme the loaded files cover."""

    programme: str
    label: str
    projects_with_participations: int
    projects_listed: int
    subset: bool
    by_source: dict[str, int]
    project_files: dict[str, int]
    domains_from_parts_only: bool


class ScopeStatement(ReadModel):
    """What a figure covers, in words (``label``) and as data."""

    scope: Scope
    focus: str | None
    label: str
    domains: list[str]
    programmes: list[ProgrammeCoverage]
    notes: list[str]


class NamedCount(ReadModel):
    """Organisations and how many of them the loaded files name."""

    organisations: int
    named: int
    share: float | None


class NamedShare(NamedCount):
    """The share of named organisations, overall and by country."""

    by_country: dict[str, NamedCount]


def scope_domains(preset: Preset, scope: Scope) -> list[str] | None:
    """The domains a scope counts: the focus's, or None for all research.

    >>> from bioconnect.model.preset import load_preset
    >>> scope_domains(load_preset("baltic"), "focus")
    ['health', 'industrial', 'agrifood', 'marine', 'environmental']
    >>> scope_domains(load_preset("baltic"), "all") is None
    True
    """
    if scope not in SCOPES:
        from bioconnect.errors import InputError

        raise InputError(f"Unknown scope {scope!r}.", "Use focus or all.")
    if scope == "all" or preset.focus is None:
        return None
    return list(preset.focus.domains)


def filter_domains(
    preset: Preset, scope: Scope, domain: str | Sequence[str] | None = None
) -> list[str] | None:
    """The domains a filtered figure (the map, the network) counts: the chosen ``domain``
    (one, or several) when there is one, else the scope's (the focus's, or None for all
    research).

    >>> from bioconnect.model.preset import load_preset
    >>> filter_domains(load_preset("baltic"), "focus", "marine")
    ['marine']
    >>> filter_domains(load_preset("baltic"), "all", ("marine", "health"))
    ['marine', 'health']
    >>> filter_domains(load_preset("baltic"), "focus")[:2]
    ['health', 'industrial']
    >>> filter_domains(load_preset("baltic"), "all") is None
    True
    """
    chosen = scope_domains(preset, scope)  # the scope is checked even when a domain wins
    picked = [domain] if isinstance(domain, str) else list(domain or ())
    return picked or chosen


def in_scope(countries: list[str], domains: list[str] | None) -> ColumnElement[bool]:
    """The participations a scope counts: of ``countries``, in a project of ``domains``."""
    where = P.c.country.in_(countries)
    if domains is None:
        return where
    return and_(where, P.c.project_id.in_(select(D.c.project_id).where(D.c.domain.in_(domains))))


def _count(value: int, named: int) -> dict[str, Any]:
    return {
        "organisations": int(value),
        "named": int(named),
        "share": round(named / value, 4) if value else None,
    }


def named_share(engine: Engine, countries: list[str], domains: list[str] | None) -> NamedShare:
    """Organisations taking part in the scope, and how many have a name.

    An organisation counts in each country its participations give, and once overall.
    """
    named = func.count(distinct(ORG.c.id)).filter(ORG.c.name.is_not(None))
    source = P.join(ORG, ORG.c.id == P.c.org_id)
    where = in_scope(countries, domains)
    with engine.connect() as conn:
        rows = conn.execute(
            select(P.c.country, func.count(distinct(ORG.c.id)), named)
            .select_from(source)
            .where(where)
            .group_by(P.c.country)
        ).all()
        total, total_named = conn.execute(
            select(func.count(distinct(ORG.c.id)), named).select_from(source).where(where)
        ).one()
    by_country = {c: _count(0, 0) for c in countries}
    by_country.update({c: _count(n, k) for c, n, k in rows})
    return NamedShare.model_validate({**_count(total, total_named), "by_country": by_country})


def _listed(conn: Any, programme: str, preset: Preset) -> int:
    """Projects of ``programme`` the files list: its projects, and the projects of the topic,
    part and field files of the preset's sources of that programme."""
    sources = [
        s.name for s in [*preset.sources, *preset.official_sources] if s.programme == programme
    ]
    parts = [select(PR.c.id.label("id")).where(PR.c.programme == programme)]
    for table in DETAIL_TABLES:
        parts.append(
            select(table.c.project_id.label("id"))
            .join(SF, SF.c.id == table.c.source_file_id)
            .where(SF.c.source.in_(sources))
        )
    ids = union(*parts).subquery()
    return int(conn.execute(select(func.count()).select_from(ids)).scalar() or 0)


def _by_source(conn: Any, table: Any, where: ColumnElement[bool], key: str) -> dict[str, int]:
    """For each source of the programme's rows in ``table``, the projects its files hold,
    as the last ingest read them (``key`` of its file list: before duplicates across files
    were dropped), else as stored."""
    project = table.c.project_id if "project_id" in table.c else table.c.id
    sources = {
        str(source): int(n or 0)
        for source, n in conn.execute(
            select(SF.c.source, func.count(distinct(project)))
            .join(SF, SF.c.id == table.c.source_file_id)
            .where(where)
            .group_by(SF.c.source)
            .order_by(SF.c.source)
        ).all()
    }
    summary = conn.execute(select(RUN.c.summary).order_by(RUN.c.id.desc()).limit(1)).scalar()
    read: dict[str, int] = {}
    for entry in json.loads(summary).get("files", []) if summary else []:
        if entry.get("source") in sources and key in entry:
            read[entry["source"]] = read.get(entry["source"], 0) + int(entry[key])
    return {s: read.get(s, n) for s, n in sources.items()}


def coverage(engine: Engine, preset: Preset, where: ColumnElement[bool]) -> list[ProgrammeCoverage]:
    """Each programme the scope's participations come from, with how much of it is loaded."""
    with engine.connect() as conn:
        counts = conn.execute(
            select(P.c.programme, func.count(distinct(P.c.project_id)))
            .where(where)
            .group_by(P.c.programme)
            .order_by(P.c.programme)
        ).all()
        out = []
        for programme, _n in counts:
            if programme is None:
                continue
            of_programme = P.c.programme == programme
            all_projects = int(
                conn.execute(
                    select(func.count(distinct(P.c.project_id))).where(of_programme)
                ).scalar()
                or 0
            )
            by_source = _by_source(conn, P, of_programme, "participation_projects")
            project_files = _by_source(conn, PR, PR.c.programme == programme, "projects")
            with_fields = conn.execute(
                select(func.count())
                .select_from(FIELD.join(PR, PR.c.id == FIELD.c.project_id))
                .where(PR.c.programme == programme)
            ).scalar()
            listed = max(_listed(conn, programme, preset), all_projects)
            out.append(
                ProgrammeCoverage(
                    programme=programme,
                    label=PROGRAMME_LABELS.get(programme, programme),
                    projects_with_participations=all_projects,
                    projects_listed=listed,
                    subset=all_projects < listed,
                    by_source=by_source,
                    project_files=project_files,
                    domains_from_parts_only=not with_fields,
                )
            )
    return out


def _notes(programmes: list[ProgrammeCoverage], domains: list[str] | None) -> list[str]:
    notes = []
    for p in programmes:
        if p.subset:
            sources = "; ".join(f"{s}: {n:,}" for s, n in p.by_source.items())
            extracts = " and ".join(f"{n:,} ({s})" for s, n in p.project_files.items())
            notes.append(
                f"{p.label} participations come from a subset of the {p.projects_listed:,} "
                f"{p.label} projects the files list: {p.projects_with_participations:,} "
                f"projects have participations ({sources})"
                + (f", from project extracts of {extracts} projects." if extracts else ".")
            )
        if p.domains_from_parts_only and domains is not None:
            notes.append(
                f"{p.label} domains come only from programme parts (such as SC1 Health, "
                "SC2 Food and bioeconomy): an upper bound, since a part also holds projects "
                "outside the domain."
            )
    return notes


def scope_statement(
    engine: Engine, preset: Preset, scope: Scope = "focus", countries: list[str] | None = None
) -> ScopeStatement:
    """What figures in ``scope`` cover: e.g. "biotech domains, H2020 + Horizon Europe subset",
    with notes on subsets and upper bounds, all read from the store."""
    domains = scope_domains(preset, scope)
    where = in_scope(countries or preset.all_countries, domains)
    programmes = coverage(engine, preset, where)
    what = preset.focus.label if domains is not None and preset.focus else "all research"
    loaded = " + ".join(f"{p.label} subset" if p.subset else p.label for p in programmes)
    return ScopeStatement(
        scope="focus" if domains is not None else "all",
        focus=preset.focus.name if domains is not None and preset.focus else None,
        label=f"{what}, {loaded}" if loaded else what,
        domains=domains or [],
        programmes=programmes,
        notes=_notes(programmes, domains),
    )


#: Scope statements by preset, kept until the store's data changes.
_STATEMENTS = LRU(16)


def scope_statements(engine: Engine, preset: Preset) -> dict[str, ScopeStatement]:
    """The statements of the scopes a page can switch between: ``focus`` and ``all`` when
    the preset has a focus, else ``all`` alone (kept until the store's data changes)."""
    scopes: tuple[Scope, ...] = SCOPES if preset.focus is not None else ("all",)
    key = (preset.name, tuple(preset.all_countries), preset.focus and preset.focus.name)
    return cached(
        engine, _STATEMENTS, key, lambda: {s: scope_statement(engine, preset, s) for s in scopes}
    )
