"""The atlas: who takes part in EU research in a region, of what kind, with how much funding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import ColumnElement, Engine, and_, distinct, func, select

from bioconnect.charts.specs import atlas_chart
from bioconnect.errors import InputError
from bioconnect.model.preset import Preset, load_preset
from bioconnect.services.cache import LRU, cached
from bioconnect.services.readmodel import ReadModel
from bioconnect.services.scope import (
    NamedShare,
    Scope,
    ScopeStatement,
    in_scope,
    named_share,
    scope_domains,
    scope_statement,
)
from bioconnect.store import schema

if TYPE_CHECKING:
    from bioconnect.services.network import NetworkSummary

ATTRIBUTION = "Source: CORDIS, European Commission (CC BY 4.0)"
PROGRAMMES = ("H2020", "HORIZON")
UNASSIGNED = "unassigned"

#: Atlas summaries by preset and scope, kept until the store's data changes.
_SUMMARIES = LRU(64)

P = schema.table(schema.Participation)
ORG = schema.table(schema.Organisation)
D = schema.table(schema.ProjectDomain)


class DomainFigures(ReadModel):
    """One country's participations in one domain (a project may have several)."""

    organisations: int
    participations: int
    ec_contribution_eur: float


class GroupFigures(DomainFigures):
    """One country's participations by one stakeholder group, also per programme."""

    participations_by_programme: dict[str, int]


class CountrySummary(ReadModel):
    """One country's figures; the maps are keyed by programme, group or domain."""

    role: Literal["region", "reference"]
    organisations: int
    participations: dict[str, int]
    ec_contribution_eur: dict[str, float]
    by_group: dict[str, GroupFigures]
    by_domain: dict[str, DomainFigures]


class AtlasRow(ReadModel):
    """Figures for one country × stakeholder group × domain × programme."""

    country: str
    stakeholder_group: str
    domain: str
    programme: str | None
    organisations: int
    participations: int
    ec_contribution_eur: float


class AtlasSummary(ReadModel):
    """The atlas summary: each country's figures (by code, in the preset's order) and the
    flat rows they add up from."""

    region: str
    label: str
    scope: ScopeStatement
    named: NamedShare
    countries: dict[str, CountrySummary]
    rows: list[AtlasRow]
    attribution: str


def _num(value: Any) -> float:
    return round(float(value or 0.0), 2)


def _breakdown(conn: Any, key: Any, source: Any, where: ColumnElement[bool]) -> list[Any]:
    """(country, key, organisations, participations, EC contribution) rows grouped by ``key``."""
    return list(
        conn.execute(
            select(
                P.c.country,
                key,
                func.count(distinct(P.c.org_id)),
                func.count(P.c.id),
                func.sum(P.c.ec_contribution),
            )
            .select_from(source)
            .where(where)
            .group_by(P.c.country, key)
        ).all()
    )


@dataclass(frozen=True)
class _Figures:
    """The grouped rows :func:`atlas_summary` is assembled from."""

    totals: list[Any]
    orgs: dict[str, int]
    by_group: list[Any]
    group_programme: list[Any]
    by_domain: list[Any]
    rows: list[Any]


def _read_figures(engine: Engine, countries: list[str], domains: list[str] | None) -> _Figures:
    group = func.coalesce(ORG.c.stakeholder_group, "unknown").label("group")
    domain = func.coalesce(D.c.domain, UNASSIGNED).label("domain")
    with_org = P.outerjoin(ORG, ORG.c.id == P.c.org_id)
    in_region = in_scope(countries, domains)
    on_domain = D.c.project_id == P.c.project_id
    if domains is not None:
        on_domain = and_(on_domain, D.c.domain.in_(domains))
    with engine.connect() as conn:
        totals = conn.execute(
            select(P.c.country, P.c.programme, func.count(P.c.id), func.sum(P.c.ec_contribution))
            .where(in_region)
            .group_by(P.c.country, P.c.programme)
        ).all()
        orgs: dict[str, int] = dict(
            conn.execute(
                select(P.c.country, func.count(distinct(P.c.org_id)))
                .where(in_region)
                .group_by(P.c.country)
            ).all()
        )
        by_group = _breakdown(conn, group, with_org, in_region)
        group_programme = conn.execute(
            select(P.c.country, group, P.c.programme, func.count(P.c.id))
            .select_from(with_org)
            .where(in_region)
            .group_by(P.c.country, group, P.c.programme)
        ).all()
        by_domain = _breakdown(conn, domain, P.outerjoin(D, on_domain), in_region)
        rows = conn.execute(
            select(
                P.c.country,
                group,
                domain,
                P.c.programme,
                func.count(distinct(P.c.org_id)),
                func.count(P.c.id),
                func.sum(P.c.ec_contribution),
            )
            .select_from(with_org.outerjoin(D, on_domain))
            .where(in_region)
            .group_by(P.c.country, group, domain, P.c.programme)
            .order_by(P.c.country, group, domain, P.c.programme)
        ).all()
    return _Figures(list(totals), orgs, by_group, list(group_programme), by_domain, list(rows))


def _countries(chosen: Preset, figures: _Figures) -> dict[str, dict[str, Any]]:
    countries: dict[str, dict[str, Any]] = {
        code: {
            "role": "region" if code in chosen.countries else "reference",
            "organisations": int(figures.orgs.get(code, 0)),
            "participations": dict.fromkeys(PROGRAMMES, 0),
            "ec_contribution_eur": dict.fromkeys(PROGRAMMES, 0.0),
            "by_group": {},
            "by_domain": {},
        }
        for code in chosen.all_countries
    }
    for country, programme, count, ec in figures.totals:
        entry = countries[country]
        key = programme or "unknown"
        entry["participations"][key] = int(count)
        entry["ec_contribution_eur"][key] = _num(ec)
    for country, key, n_orgs, count, ec in figures.by_group:
        countries[country]["by_group"][key] = {
            "organisations": int(n_orgs),
            "participations": int(count),
            "ec_contribution_eur": _num(ec),
            "participations_by_programme": {},
        }
    for country, key, programme, count in figures.group_programme:
        entry = countries[country]["by_group"][key]
        entry["participations_by_programme"][programme or "unknown"] = int(count)
    for country, key, n_orgs, count, ec in figures.by_domain:
        countries[country]["by_domain"][key] = {
            "organisations": int(n_orgs),
            "participations": int(count),
            "ec_contribution_eur": _num(ec),
        }
    return countries


def atlas_summary(
    engine: Engine, preset: str | Preset = "baltic", scope: Scope = "focus"
) -> AtlasSummary:
    """Counts by country × stakeholder group × domain × programme, with EC contribution.

    Participations are counted by the country the source row gives. A participation in a
    project with two domains counts under both in ``by_domain`` and ``rows``; the country
    totals count it once. ``scope`` is ``focus`` (the preset's focus: participations in
    projects of its domains; all research when the preset has none) or ``all``.

    Returns
    -------
    AtlasSummary
        ``region``, ``label``, ``scope`` (what the figures cover, with notes), ``named``
        (the share of organisations the files name), ``countries`` (by code: ``role``,
        ``organisations``, ``participations`` and ``ec_contribution_eur`` by programme,
        ``by_group``, ``by_domain``), the flat ``rows`` and the ``attribution``.
    """
    chosen = preset if isinstance(preset, Preset) else load_preset(preset)
    domains = scope_domains(chosen, scope)
    key = (chosen.name, chosen.label, tuple(chosen.all_countries), tuple(domains or ()), scope)
    return cached(engine, _SUMMARIES, key, lambda: _atlas_summary(engine, chosen, scope, domains))


def _atlas_summary(
    engine: Engine, chosen: Preset, scope: Scope, domains: list[str] | None
) -> AtlasSummary:
    figures = _read_figures(engine, chosen.all_countries, domains)
    rows = [
        {
            "country": country,
            "stakeholder_group": g,
            "domain": d,
            "programme": programme,
            "organisations": int(n_orgs),
            "participations": int(count),
            "ec_contribution_eur": _num(ec),
        }
        for country, g, d, programme, n_orgs, count, ec in figures.rows
    ]
    return AtlasSummary.model_validate(
        {
            "region": chosen.name,
            "label": chosen.label,
            "scope": scope_statement(engine, chosen, scope),
            "named": named_share(engine, chosen.all_countries, domains),
            "countries": _countries(chosen, figures),
            "rows": rows,
            "attribution": ATTRIBUTION,
        }
    )


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows: the atlas summary, the network's (the region with its
    reference countries, and the region's own countries alone), and the chart."""

    summary: AtlasSummary
    network: NetworkSummary | None
    # a Vega-Lite specification: an open JSON document that the browser renders
    chart_spec: dict[str, Any]
    groups: list[str]
    domains: list[str]
    network_region_only: NetworkSummary | None = None
    ties_counted: str = ""
    ties_counted_region_only: str = ""


def _listed(codes: list[str], word: str) -> str:
    return ", ".join(codes[:-1]) + f" {word} {codes[-1]}" if len(codes) > 1 else codes[0]


def ties_counted(countries: list[str], excluded: list[str]) -> str:
    """Which ties a cross-border share counts, in words.

    >>> ties_counted(["EE", "LV", "LT", "FI"], [])
    'Ties between two organisations of EE, LV, LT or FI; a tie within one country (FI–FI too) is not cross-border.'
    >>> ties_counted(["EE", "LV", "LT"], ["FI"])
    'Ties between two organisations of EE, LV or LT, without FI; a tie within one country is not cross-border.'
    """
    if excluded:
        return (
            f"Ties between two organisations of {_listed(countries, 'or')}, without "
            f"{_listed(excluded, 'and')}; a tie within one country is not cross-border."
        )
    last = countries[-1]
    return (
        f"Ties between two organisations of {_listed(countries, 'or')}; a tie within one "
        f"country ({last}–{last} too) is not cross-border."
    )


def dashboard(engine: Engine, preset: str | Preset = "baltic", scope: Scope = "focus") -> Dashboard:
    """The region at a glance in ``scope`` (the preset's focus, or ``all`` research): the
    atlas summary, the network summaries (None before an ingest has given a network) and
    the Vega-Lite chart of organisations per country.

    The cross-border share is given twice: over the region and its reference countries
    (a tie within one reference country counts, as not cross-border) and over the region's own
    countries alone."""
    from bioconnect.services.network import NetworkQuery, network_summary

    chosen = preset if isinstance(preset, Preset) else load_preset(preset)
    summary = atlas_summary(engine, chosen, scope)
    focus = tuple(summary.scope.domains)
    networks: list[NetworkSummary | None] = []
    for countries in (chosen.all_countries, chosen.countries):
        query = NetworkQuery(preset=chosen.name, countries=tuple(countries), domains=focus)
        try:
            networks.append(network_summary(engine, query))
        except InputError:
            networks.append(None)
    countries_of = summary.countries.values()
    return Dashboard(
        summary=summary,
        network=networks[0],
        chart_spec=atlas_chart(summary),
        groups=sorted({g for c in countries_of for g in c.by_group}),
        domains=sorted({d for c in countries_of for d in c.by_domain}),
        network_region_only=networks[1] if chosen.reference_countries else None,
        ties_counted=ties_counted(chosen.all_countries, []),
        ties_counted_region_only=ties_counted(chosen.countries, chosen.reference_countries),
    )
