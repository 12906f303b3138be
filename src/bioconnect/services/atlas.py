"""The atlas: who takes part in EU research in a region, of what kind, with how much funding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, distinct, func, select

from bioconnect.charts.specs import atlas_chart
from bioconnect.errors import InputError
from bioconnect.model.preset import Preset, load_preset
from bioconnect.store import schema

ATTRIBUTION = "Source: CORDIS, European Commission (CC BY 4.0)"
PROGRAMMES = ("H2020", "HORIZON")
UNASSIGNED = "unassigned"

P = schema.table(schema.Participation)
ORG = schema.table(schema.Organisation)
D = schema.table(schema.ProjectDomain)


def _num(value: Any) -> float:
    return round(float(value or 0.0), 2)


def _breakdown(conn: Any, key: Any, source: Any, countries: list[str]) -> list[Any]:
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
            .where(P.c.country.in_(countries))
            .group_by(P.c.country, key)
        ).all()
    )


def atlas_summary(engine: Engine, preset: str | Preset = "baltic") -> dict[str, Any]:
    """Counts by country × stakeholder group × domain × programme, with EC contribution.

    Participations are counted by the country the source row gives. A participation in a
    project with two domains counts under both in ``by_domain`` and ``rows``; the country
    totals count it once.

    Returns
    -------
    dict
        ``{"region", "label", "countries": {code: {"role", "organisations",
        "participations": {programme: n}, "ec_contribution_eur": {programme: eur},
        "by_group": {...}, "by_domain": {...}}}, "rows": [...], "attribution"}``
    """
    chosen = preset if isinstance(preset, Preset) else load_preset(preset)
    countries = chosen.all_countries
    group = func.coalesce(ORG.c.stakeholder_group, "unknown").label("group")
    domain = func.coalesce(D.c.domain, UNASSIGNED).label("domain")
    with engine.connect() as conn:
        totals = conn.execute(
            select(
                P.c.country,
                P.c.programme,
                func.count(P.c.id),
                func.sum(P.c.ec_contribution),
            )
            .where(P.c.country.in_(countries))
            .group_by(P.c.country, P.c.programme)
        ).all()
        orgs: dict[str, int] = dict(
            conn.execute(
                select(P.c.country, func.count(distinct(P.c.org_id)))
                .where(P.c.country.in_(countries))
                .group_by(P.c.country)
            ).all()
        )
        by_group = _breakdown(conn, group, P.outerjoin(ORG, ORG.c.id == P.c.org_id), countries)
        group_programme = conn.execute(
            select(P.c.country, group, P.c.programme, func.count(P.c.id))
            .select_from(P.outerjoin(ORG, ORG.c.id == P.c.org_id))
            .where(P.c.country.in_(countries))
            .group_by(P.c.country, group, P.c.programme)
        ).all()
        by_domain = _breakdown(
            conn, domain, P.outerjoin(D, D.c.project_id == P.c.project_id), countries
        )
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
            .select_from(
                P.outerjoin(ORG, ORG.c.id == P.c.org_id).outerjoin(
                    D, D.c.project_id == P.c.project_id
                )
            )
            .where(P.c.country.in_(countries))
            .group_by(P.c.country, group, domain, P.c.programme)
            .order_by(P.c.country, group, domain, P.c.programme)
        ).all()
    result: dict[str, Any] = {
        "region": chosen.name,
        "label": chosen.label,
        "countries": {},
        "rows": [],
        "attribution": ATTRIBUTION,
    }
    for code in countries:
        result["countries"][code] = {
            "role": "region" if code in chosen.countries else "reference",
            "organisations": int(orgs.get(code, 0)),
            "participations": dict.fromkeys(PROGRAMMES, 0),
            "ec_contribution_eur": dict.fromkeys(PROGRAMMES, 0.0),
            "by_group": {},
            "by_domain": {},
        }
    for country, programme, count, ec in totals:
        entry = result["countries"][country]
        key = programme or "unknown"
        entry["participations"][key] = int(count)
        entry["ec_contribution_eur"][key] = _num(ec)
    for country, key, n_orgs, count, ec in by_group:
        result["countries"][country]["by_group"][key] = {
            "organisations": int(n_orgs),
            "participations": int(count),
            "ec_contribution_eur": _num(ec),
            "participations_by_programme": {},
        }
    for country, key, programme, count in group_programme:
        entry = result["countries"][country]["by_group"][key]
        entry["participations_by_programme"][programme or "unknown"] = int(count)
    for country, key, n_orgs, count, ec in by_domain:
        result["countries"][country]["by_domain"][key] = {
            "organisations": int(n_orgs),
            "participations": int(count),
            "ec_contribution_eur": _num(ec),
        }
    result["rows"] = [
        {
            "country": country,
            "stakeholder_group": g,
            "domain": d,
            "programme": programme,
            "organisations": int(n_orgs),
            "participations": int(count),
            "ec_contribution_eur": _num(ec),
        }
        for country, g, d, programme, n_orgs, count, ec in rows
    ]
    return result


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows: the atlas summary, the network's, and the chart of both."""

    summary: dict[str, Any]
    network: dict[str, Any] | None
    chart_spec: dict[str, Any]
    groups: list[str]
    domains: list[str]


def dashboard(engine: Engine, preset: str | Preset = "baltic") -> Dashboard:
    """The region at a glance: the atlas summary, the network summary (None before an
    ingest has given a network) and the Vega-Lite chart of organisations per country."""
    from bioconnect.services.network import NetworkQuery, network_summary

    chosen = preset if isinstance(preset, Preset) else load_preset(preset)
    summary = atlas_summary(engine, chosen)
    try:
        network: dict[str, Any] | None = network_summary(engine, NetworkQuery(preset=chosen.name))
    except InputError:
        network = None
    countries = summary["countries"].values()
    return Dashboard(
        summary=summary,
        network=network,
        chart_spec=atlas_chart(summary),
        groups=sorted({g for c in countries for g in c["by_group"]}),
        domains=sorted({d for c in countries for d in c["by_domain"]}),
    )
