"""Finding an organisation and showing everything known about it, with provenance."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, case, func, literal, or_, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.text_search import fold_text
from bioconnect.services.cache import LRU, cached
from bioconnect.services.links import pic_search_url, unnamed_reason
from bioconnect.services.readmodel import ReadModel
from bioconnect.store import schema

ORG = schema.table(schema.Organisation)
N = schema.table(schema.OrganisationName)
P = schema.table(schema.Participation)
PR = schema.table(schema.Project)
F = schema.table(schema.FieldProvenance)
SF = schema.table(schema.SourceFile)
SR = schema.table(schema.SourceRecord)
IDS = schema.table(schema.OrganisationIdentifier)
RL = schema.table(schema.RecordLink)

# Kept until the store's data changes (see services.cache). A detail is up to ~2 MB of
# Python objects for the most active organisations; a search page about 50 KB.
_DETAILS = LRU(256)
_SEARCHES = LRU(1024)

SUMMARY_COLUMNS = (
    "id",
    "pic",
    "name",
    "country",
    "city",
    "stakeholder_group",
    "domains",
    "n_projects",
)


class OrganisationSummary(ReadModel):
    """An organisation in a list of search results."""

    id: str
    pic: str | None
    name: str | None
    country: str | None
    city: str | None
    stakeholder_group: str | None
    domains: str | None
    n_projects: int | None


class Organisation(ReadModel):
    """A canonical organisation, every field of it (where each came from: ``provenance``)."""

    id: str
    pic: str | None
    vat: str | None
    name: str | None
    short_name: str | None
    activity_type: str | None
    stakeholder_group: str | None
    sme: bool | None
    country: str | None
    city: str | None
    street: str | None
    postcode: str | None
    nuts_code: str | None
    lat: float | None
    lon: float | None
    url: str | None
    domains: str | None
    n_projects: int


class NameVariant(ReadModel):
    """A name the sources give the organisation, and in how many records."""

    name: str
    records: int


class Identifier(ReadModel):
    scheme: str
    value: str


class Funding(ReadModel):
    """Participations and EC contribution in one programme."""

    participations: int
    ec_contribution_eur: float


class OrganisationProject(ReadModel):
    """A project the organisation takes part in, with the source file and row saying so."""

    project_id: str
    acronym: str | None
    title: str | None
    programme: str | None
    start_year: int | None
    role: str | None
    ec_contribution: float | None
    file: str
    row: int


class Partner(ReadModel):
    """An organisation sharing projects with this one."""

    id: str
    pic: str | None
    name: str | None
    country: str | None
    stakeholder_group: str | None
    shared_projects: int


class Provenance(ReadModel):
    """Where one field's value came from: the source, file, row and download."""

    field: str
    value: str | int | float | bool | None
    source: str
    file: str
    row: int
    sha256: str
    download_url: str | None
    downloaded_at: str | None
    repairs: str | None
    #: Empty for a value the source states; how it was derived from that row otherwise
    #: (``geonames-city``: coordinates of its city; ``nuts-polygon``: the region they are in).
    method: str | None = None


class OrganisationDetail(ReadModel):
    """Everything known about one organisation; ``funding`` is keyed by programme."""

    organisation: Organisation
    names: list[NameVariant]
    identifiers: list[Identifier]
    funding: dict[str, Funding]
    projects: list[OrganisationProject]
    partners: list[Partner]
    provenance: list[Provenance]
    unnamed_reason: str | None = None
    pic_register_url: str | None = None


def search_organisations(
    engine: Engine, text: str, *, country: str | None = None, limit: int = 20
) -> list[OrganisationSummary]:
    """Organisations whose name, a name variant or an identifier matches ``text``, best
    match first (see :func:`list_organisations`)."""
    if not fold_text(text) and not text.strip():
        raise InputError("The search text is empty.", "Give part of a name, or a PIC.")
    if limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}.", "Use a positive number.")
    rows, _ = list_organisations(
        engine, text, countries=[country] if country else None, limit=limit
    )
    return rows


def _like_escape(word: str) -> str:
    r"""``word`` with LIKE's wildcards and the escape character taken literally.

    >>> _like_escape("100%_a\\b")
    '100\\%\\_a\\\\b'
    """
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_match(text: str) -> tuple[Any, Any]:
    """The condition for ``text`` and the match tier to order by (lower is better).

    Tier 0: the id, PIC or VAT equals the text; 1: every word is a whole word of a name;
    2: every word starts a word of a name; 3: every word is inside a name. Names are compared
    folded (:func:`bioconnect.model.text_search.fold_text`), so case and accents do not
    matter, and ``%`` and ``_`` are literal.
    """
    ident = text.strip()
    exact = or_(ORG.c.id == ident, ORG.c.id.in_(select(IDS.c.org_id).where(IDS.c.value == ident)))
    words = [_like_escape(w) for w in fold_text(text).split()]
    if not words:
        return exact, literal(0)
    inside = and_(*[ORG.c.search_text.like(f"%{w}%", escape="\\") for w in words])
    starts = and_(*[ORG.c.search_text.like(f"% {w}%", escape="\\") for w in words])
    whole = and_(*[ORG.c.search_text.like(f"% {w} %", escape="\\") for w in words])
    tier = case((exact, 0), (whole, 1), (starts, 2), else_=3)
    return or_(exact, inside), tier


def find_organisation_id(conn: Any, ident: str) -> str:
    """The organisation id behind an id, a PIC or a VAT number; NotFoundError otherwise."""
    ident = ident.strip()
    for candidate in (ident, ident.removeprefix("pic:")):
        found = conn.execute(select(ORG.c.id).where(ORG.c.id == candidate)).scalar()
        if found:
            return str(found)
    found = conn.execute(
        select(IDS.c.org_id).where(and_(IDS.c.scheme.in_(["pic", "vat"]), IDS.c.value == ident))
    ).scalar()
    if found:
        return str(found)
    raise NotFoundError(
        f"No organisation with id or PIC {ident!r}.",
        "Find it with `bioconnect orgs search NAME`, then use the id shown.",
    )


def organisation_detail(
    engine: Engine, ident: str, *, partner_limit: int = 20
) -> OrganisationDetail:
    """Everything about one organisation: fields with provenance, projects, partners, funding.

    ``ident`` is the organisation's id, its PIC or its VAT number. The answer is kept in
    memory until the store's data changes; it is frozen, shared with later callers: its
    lists and rows are read-only (changing them raises ``TypeError``).
    """
    ident = ident.strip()
    return cached(
        engine,
        _DETAILS,
        (ident, partner_limit),
        lambda: _organisation_detail(engine, ident, partner_limit),
    )


def _organisation_detail(engine: Engine, ident: str, partner_limit: int) -> OrganisationDetail:
    with engine.connect() as conn:
        org_id = find_organisation_id(conn, ident)
        org = dict(conn.execute(select(ORG).where(ORG.c.id == org_id)).one()._mapping)
        names = [
            {"name": name, "records": n}
            for name, n in conn.execute(
                select(N.c.name, N.c.n_records)
                .where(N.c.org_id == org_id)
                .order_by(N.c.n_records.desc(), N.c.name)
            )
        ]
        identifiers = [
            {"scheme": s, "value": v}
            for s, v in conn.execute(
                select(IDS.c.scheme, IDS.c.value)
                .where(IDS.c.org_id == org_id)
                .order_by(IDS.c.scheme, IDS.c.value)
            )
        ]
        detail = {
            "organisation": org,
            "names": names,
            "identifiers": identifiers,
            "funding": _funding(conn, org_id),
            "projects": _projects(conn, org_id),
            "partners": _partners(conn, org_id, partner_limit),
            "provenance": _provenance(conn, org_id, org),
            **_naming(conn, org_id, org),
        }
    # one validation of the whole answer: the most active organisations have thousands of rows
    return OrganisationDetail.model_validate(detail)


def _naming(conn: Any, org_id: str, org: dict[str, Any]) -> dict[str, Any]:
    """Why the organisation has no name (the sources that know it), and where to look its
    PIC up; nothing for a named organisation but the link."""
    sources: list[str] = []
    if not org.get("name"):
        sources = list(
            conn.execute(
                select(SF.c.source)
                .select_from(
                    RL.join(SR, SR.c.record_key == RL.c.record_key).join(
                        SF, SF.c.id == SR.c.source_file_id
                    )
                )
                .where(RL.c.org_id == org_id)
                .distinct()
                .order_by(SF.c.source)
            ).scalars()
        )
    return {
        "unnamed_reason": unnamed_reason(org.get("name"), org.get("pic"), sources),
        "pic_register_url": pic_search_url(org.get("pic")),
    }


def _provenance(conn: Any, org_id: str, org: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "field": field,
            "value": org.get(field),
            "source": source,
            "file": path,
            "row": row,
            "sha256": sha,
            "download_url": url,
            "downloaded_at": at,
            "repairs": repairs,
            "method": method,
        }
        for field, source, path, row, sha, url, at, repairs, method in conn.execute(
            select(
                F.c.field,
                SF.c.source,
                SF.c.path,
                F.c.source_row,
                SF.c.sha256,
                SF.c.download_url,
                SF.c.downloaded_at,
                SR.c.repairs,
                F.c.method,
            )
            .select_from(
                F.join(SF, SF.c.id == F.c.source_file_id).join(SR, SR.c.id == F.c.source_record_id)
            )
            .where(F.c.org_id == org_id)
            .order_by(F.c.id)
        )
    ]


def _projects(conn: Any, org_id: str) -> list[dict[str, Any]]:
    return [
        dict(row._mapping)
        for row in conn.execute(
            select(
                P.c.project_id,
                PR.c.acronym,
                PR.c.title,
                P.c.programme,
                PR.c.start_year,
                P.c.role,
                P.c.ec_contribution,
                SF.c.path.label("file"),
                P.c.source_row.label("row"),
            )
            .select_from(
                P.outerjoin(PR, PR.c.id == P.c.project_id).join(SF, SF.c.id == P.c.source_file_id)
            )
            .where(P.c.org_id == org_id)
            .order_by(PR.c.start_year.desc().nulls_last(), P.c.project_id)
        )
    ]


def _partners(conn: Any, org_id: str, partner_limit: int) -> list[dict[str, Any]]:
    other = P.alias("other")
    shared = func.count(func.distinct(other.c.project_id)).label("shared_projects")
    # Rank the partners by id first and join the organisation table for the top ones
    # only: the most active organisations have thousands of partners.
    top = (
        select(other.c.org_id.label("org_id"), shared)
        .select_from(
            P.join(
                other,
                and_(other.c.project_id == P.c.project_id, other.c.org_id != P.c.org_id),
            )
        )
        .where(P.c.org_id == org_id)
        .group_by(other.c.org_id)
        .order_by(shared.desc(), other.c.org_id)
        .limit(partner_limit)
        .subquery()
    )
    return [
        dict(row._mapping)
        for row in conn.execute(
            select(
                ORG.c.id,
                ORG.c.pic,
                ORG.c.name,
                ORG.c.country,
                ORG.c.stakeholder_group,
                top.c.shared_projects,
            )
            .select_from(top.join(ORG, ORG.c.id == top.c.org_id))
            .order_by(top.c.shared_projects.desc(), ORG.c.id)
        )
    ]


def _funding(conn: Any, org_id: str) -> dict[str, dict[str, Any]]:
    return {
        programme or "unknown": {
            "participations": int(n),
            "ec_contribution_eur": round(float(ec or 0), 2),
        }
        for programme, n, ec in conn.execute(
            select(P.c.programme, func.count(P.c.id), func.sum(P.c.ec_contribution))
            .where(P.c.org_id == org_id)
            .group_by(P.c.programme)
            .order_by(P.c.programme)
        )
    }


def list_organisations(
    engine: Engine,
    text: str = "",
    *,
    countries: list[str] | None = None,
    stakeholder_group: str | None = None,
    domain: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[OrganisationSummary], int]:
    """A page of organisations and the total number that match.

    ``text`` (empty lists all) matches an id, PIC or VAT exactly, or the organisation's
    names and short names whatever their case and accents ("tartu ulikool" finds "TARTU
    ÜLIKOOL"); ``%`` and ``_`` are literal. The best matches come first (see
    :func:`_text_match`), then the most active. ``domain`` keeps organisations tagged
    with that domain. The page is kept in memory until the store's data changes; its rows
    are read-only (shared with later callers: changing them raises ``TypeError``), the
    list is the caller's.
    """
    if limit < 1 or offset < 0:
        raise InputError("limit must be at least 1 and offset at least 0.", "Fix the paging.")
    key = (text, tuple(countries or ()), stakeholder_group, domain, limit, offset)
    rows, total = cached(
        engine,
        _SEARCHES,
        key,
        lambda: _list_organisations(
            engine, text, countries, stakeholder_group, domain, limit, offset
        ),
    )
    return list(rows), total


def _list_organisations(
    engine: Engine,
    text: str,
    countries: list[str] | None,
    stakeholder_group: str | None,
    domain: str | None,
    limit: int,
    offset: int,
) -> tuple[list[OrganisationSummary], int]:
    where = []
    order: list[Any] = []
    if text.strip():
        condition, tier = _text_match(text)
        where.append(condition)
        order.append(tier)
    if countries:
        where.append(ORG.c.country.in_([c.upper() for c in countries]))
    if stakeholder_group:
        where.append(ORG.c.stakeholder_group == stakeholder_group)
    if domain:
        where.append(func.coalesce(ORG.c.domains, "").like(f"%{domain}%"))
    columns = [ORG.c[c] for c in SUMMARY_COLUMNS]
    total_column = func.count().over().label("_total")
    with engine.connect() as conn:
        # One scan for the page and the total (a window count) instead of two.
        rows = list(
            conn.execute(
                select(*columns, total_column)
                .where(*where)
                .order_by(*order, ORG.c.n_projects.desc(), ORG.c.id)
                .limit(limit)
                .offset(offset)
            )
        )
        if rows:
            total = rows[0]._total
        elif offset:
            total = conn.execute(select(func.count()).select_from(ORG).where(*where)).scalar()
        else:
            total = 0
    # the summary ignores the window count (pydantic drops unknown keys)
    return [OrganisationSummary.model_validate(row._mapping) for row in rows], int(total or 0)
