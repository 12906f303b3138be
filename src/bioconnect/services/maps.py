"""The atlas map: NUTS regions shaded by activity, and organisations as points.

Boundaries are Eurostat GISCO's NUTS GeoJSON (EPSG:4326), read from the data folder's
``nuts/`` or downloaded once into the cache. Values come from participations in the
store, filtered like the rest of the atlas. At NUTS level 0 every participation counts
(its country is always known); at levels 2 and 3 only organisations with a NUTS code are
counted (the source's, or the region their coordinates fall in: see
:mod:`bioconnect.services.places`), and the response says how many that is.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, distinct, func, select

from bioconnect.errors import InputError, NothingMatches
from bioconnect.model.preset import load_preset
from bioconnect.registry.places import GEONAMES_CREDIT
from bioconnect.services.readmodel import ReadModel
from bioconnect.services.scope import Scope, filter_domains
from bioconnect.settings import get_settings, resolve_data_dir
from bioconnect.sources.fetch import RemoteFile, fetch
from bioconnect.store import schema

P = schema.table(schema.Participation)
ORG = schema.table(schema.Organisation)
PR = schema.table(schema.Project)
PD = schema.table(schema.ProjectDomain)
FP = schema.table(schema.FieldProvenance)

NUTS_FILE = "NUTS_RG_20M_2024_4326.geojson"
NUTS_URL = f"https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/{NUTS_FILE}"
NUTS_CREDIT = "© EuroGeographics for the administrative boundaries"
LEVELS = (0, 2, 3)


class RegionProperties(ReadModel):
    """A NUTS region's activity under the filters."""

    nuts_id: str
    name: str
    country: str
    organisations: int
    participations: int
    ec_contribution_eur: float


class PointProperties(ReadModel):
    """An organisation drawn as a point; ``coordinates_from`` is ``source`` (a source file
    states them) or ``geonames-city`` (its city's place in GeoNames)."""

    org_id: str
    name: str | None
    country: str | None
    stakeholder_group: str | None
    coordinates_from: str | None = None


class Feature(ReadModel):
    """A GeoJSON feature: a NUTS region or an organisation."""

    type: Literal["Feature"]
    id: str
    properties: RegionProperties | PointProperties
    # A GeoJSON geometry (RFC 7946 §3.1): its coordinates nest one array deeper per kind
    # (Point, Polygon, MultiPolygon), as GISCO's boundaries give them; left open.
    geometry: dict[str, Any]


class Coverage(ReadModel):
    """How many of the organisations under the filters could be placed at the map's level."""

    organisations: int
    placed: int


class GeoJSON(ReadModel):
    """A GeoJSON feature collection; a map of regions also says its level and coverage."""

    type: Literal["FeatureCollection"]
    features: list[Feature]
    level: int | None = None
    coverage: Coverage | None = None
    attribution: str | None = None


def nuts_path(data_dir: Path | None = None) -> Path:
    """Where the NUTS boundaries are: the data folder's copy, else a cached download."""
    folder = resolve_data_dir(data_dir)
    if folder is not None and (folder / "nuts" / NUTS_FILE).is_file():
        return folder / "nuts" / NUTS_FILE
    cache = Path(get_settings().cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    return fetch([RemoteFile(url=NUTS_URL, name=NUTS_FILE)], cache)[0].path


@lru_cache(maxsize=4)
def _boundaries(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["features"])


def _filters(
    countries: list[str],
    stakeholder_group: str | None,
    domains: list[str] | None,
    programme: str | None,
    start_year: int | None,
    end_year: int | None,
) -> tuple[Any, list[Any]]:
    source = P.outerjoin(ORG, ORG.c.id == P.c.org_id).outerjoin(PR, PR.c.id == P.c.project_id)
    where: list[Any] = [P.c.country.in_(countries)]
    if stakeholder_group:
        where.append(ORG.c.stakeholder_group == stakeholder_group)
    if domains is not None:
        where.append(P.c.project_id.in_(select(PD.c.project_id).where(PD.c.domain.in_(domains))))
    if programme:
        where.append(P.c.programme == programme.upper())
    if start_year is not None:
        where.append(PR.c.start_year >= start_year)
    if end_year is not None:
        where.append(PR.c.start_year <= end_year)
    if start_year is not None and end_year is not None and start_year > end_year:
        raise NothingMatches(
            f"The years are out of order ({start_year} > {end_year}).",
            "Give the earlier year first.",
        )
    return source, where


def _scoped_filters(
    preset: str,
    countries: list[str] | None,
    stakeholder_group: str | None,
    domain: str | None,
    programme: str | None,
    start_year: int | None,
    end_year: int | None,
    scope: Scope,
) -> tuple[Any, list[Any], list[str]]:
    """The join, the conditions and the countries chosen, with the scope's domains."""
    loaded = load_preset(preset)
    chosen = [c.upper() for c in countries] if countries else loaded.all_countries
    domains = filter_domains(loaded, scope, domain)
    source, where = _filters(chosen, stakeholder_group, domains, programme, start_year, end_year)
    return source, where, chosen


def atlas_map(
    engine: Engine,
    *,
    preset: str = "baltic",
    level: int = 0,
    countries: list[str] | None = None,
    stakeholder_group: str | None = None,
    domain: str | None = None,
    programme: str | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
    scope: Scope = "all",
    data_dir: Path | None = None,
) -> GeoJSON:
    """NUTS regions of the chosen countries as GeoJSON, with activity figures.

    Each feature's properties: ``nuts_id``, ``name``, ``country``, ``organisations``,
    ``participations``, ``ec_contribution_eur``. The collection's ``coverage`` says how
    many organisations could be placed at this level. ``scope`` ``focus`` counts only
    projects of the preset's focus domains unless one ``domain`` is chosen (see
    :func:`bioconnect.services.scope.filter_domains`); ``all`` counts all research.
    """
    if level not in LEVELS:
        raise InputError(
            f"Unknown NUTS level {level}.",
            "Use level 0 (countries), 2 (regions) or 3 (small regions).",
        )
    source, where, chosen = _scoped_filters(
        preset, countries, stakeholder_group, domain, programme, start_year, end_year, scope
    )
    key = P.c.country if level == 0 else func.substr(ORG.c.nuts_code, 1, level + 2)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                key,
                func.count(distinct(P.c.org_id)),
                func.count(P.c.id),
                func.sum(P.c.ec_contribution),
            )
            .select_from(source)
            .where(*where)
            .group_by(key)
        ).all()
        total = conn.execute(
            select(func.count(distinct(P.c.org_id))).select_from(source).where(*where)
        ).scalar()
    values = {str(k): (int(o), int(n), round(float(ec or 0), 2)) for k, o, n, ec in rows if k}
    features = []
    for feature in _boundaries(nuts_path(data_dir)):
        props = feature["properties"]
        if props["LEVL_CODE"] != level or props["CNTR_CODE"] not in chosen:
            continue
        orgs, participations, ec = values.get(props["NUTS_ID"], (0, 0, 0.0))
        features.append(
            {
                "type": "Feature",
                "id": props["NUTS_ID"],
                "properties": {
                    "nuts_id": props["NUTS_ID"],
                    "name": props["NAME_LATN"],
                    "country": props["CNTR_CODE"],
                    "organisations": orgs,
                    "participations": participations,
                    "ec_contribution_eur": ec,
                },
                "geometry": feature["geometry"],
            }
        )
    # a code of an older NUTS version than the boundaries has no region drawn: not placed
    drawn = {f["id"] for f in features}
    placed = sum(v[0] for k, v in values.items() if k in drawn) if level else int(total or 0)
    return GeoJSON.model_validate(
        {
            "type": "FeatureCollection",
            "features": features,
            "level": level,
            "coverage": {"organisations": int(total or 0), "placed": min(placed, int(total or 0))},
            "attribution": f"{NUTS_CREDIT}. {GEONAMES_CREDIT}",
        }
    )


def organisation_points(
    engine: Engine,
    *,
    preset: str = "baltic",
    countries: list[str] | None = None,
    stakeholder_group: str | None = None,
    domain: str | None = None,
    programme: str | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
    scope: Scope = "all",
) -> GeoJSON:
    """Organisations with known coordinates, as GeoJSON points, under the same filters
    (``scope`` as for :func:`atlas_map`)."""
    source, where, _ = _scoped_filters(
        preset, countries, stakeholder_group, domain, programme, start_year, end_year, scope
    )
    derived = (
        select(FP.c.org_id, FP.c.method)
        .where(FP.c.field == "lat", FP.c.method.is_not(None))
        .subquery()
    )
    source = source.outerjoin(derived, derived.c.org_id == ORG.c.id)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ORG.c.id,
                ORG.c.name,
                ORG.c.country,
                ORG.c.stakeholder_group,
                ORG.c.lat,
                ORG.c.lon,
                func.coalesce(derived.c.method, "source"),
            )
            .select_from(source)
            .where(*where, ORG.c.lat.is_not(None), ORG.c.lon.is_not(None))
            .distinct()
            .order_by(ORG.c.id)
        ).all()
    return GeoJSON.model_validate(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": org_id,
                    "properties": {
                        "org_id": org_id,
                        "name": name,
                        "country": country,
                        "stakeholder_group": group,
                        "coordinates_from": method,
                    },
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                }
                for org_id, name, country, group, lat, lon, method in rows
            ],
        }
    )
