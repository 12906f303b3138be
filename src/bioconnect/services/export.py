"""Exports of the atlas: organisations as CSV, XLSX or GeoJSON; and the CLI's tables.

The CSV and XLSX columns are those of the ``bioconnect-organisations`` mapping
(``bioconnect/sources/organisations_export.yaml``), so an export can be edited and
imported again. A command's ``--format csv`` table and ``--output`` file go through
:func:`table_csv` and :func:`save_text`, so they follow the rules of every export.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

import yaml
from sqlalchemy import Engine, select

from bioconnect.errors import InputError
from bioconnect.model.exports import frame_csv, write_csv, write_text, write_xlsx
from bioconnect.model.mapping import Mapping
from bioconnect.model.preset import load_preset
from bioconnect.registry.places import GEONAMES_CREDIT
from bioconnect.services.atlas import ATTRIBUTION
from bioconnect.store import schema

if TYPE_CHECKING:
    import pandas as pd

ORG = schema.table(schema.Organisation)
F = schema.table(schema.FieldProvenance)


class ExportedOrganisation(NamedTuple):
    """One row of an organisations export (a tuple: exports are bulk rows)."""

    id: str
    pic: str | None
    vat: str | None
    name: str | None
    short_name: str | None
    stakeholder_group: str | None
    activity_type: str | None
    sme: bool | None
    country: str | None
    city: str | None
    nuts_code: str | None
    lat: float | None
    lon: float | None
    url: str | None
    domains: str | None
    n_projects: int


COLUMNS = ExportedOrganisation._fields
ExportFormat = Literal["csv", "xlsx", "geojson"]


@cache
def export_mapping() -> Mapping:
    """The mapping that reads an organisations export back."""
    text = (
        resources.files("bioconnect.sources")
        .joinpath("organisations_export.yaml")
        .read_text("utf-8")
    )
    return Mapping.model_validate(yaml.safe_load(text))


def organisation_rows(engine: Engine, countries: list[str] | None) -> list[ExportedOrganisation]:
    """The organisations of ``countries`` (all when None), by country and name."""
    query = select(*[ORG.c[c] for c in COLUMNS]).order_by(ORG.c.country, ORG.c.name, ORG.c.id)
    if countries:
        query = query.where(ORG.c.country.in_(countries))
    with engine.connect() as conn:
        return [ExportedOrganisation(*row) for row in conn.execute(query)]


def _countries(preset: str | None, countries: list[str] | None) -> list[str] | None:
    if countries:
        return [c.upper() for c in countries]
    if preset:
        return load_preset(preset).all_countries
    return None


def export_organisations(
    engine: Engine,
    path: Path,
    fmt: ExportFormat | None = None,
    *,
    preset: str | None = "baltic",
    countries: list[str] | None = None,
) -> int:
    """Write the region's organisations (or ``countries``'; or all with neither) to ``path``.

    The format is taken from the file extension unless given. Returns the number written.
    GeoJSON features carry a Point where coordinates are known and a null geometry
    otherwise (RFC 7946 §3.2), so no organisation is left out; a point's
    ``coordinates_from`` says ``source`` (stated by a source file) or ``geonames-city``
    (its city's place in GeoNames). Files are written by :mod:`bioconnect.model.exports`
    (inert cells, XML-safe text, atomic).
    """
    path = Path(path)
    kind = fmt or path.suffix.lower().lstrip(".")
    if kind not in ("csv", "xlsx", "geojson"):
        raise InputError(
            f"Cannot export to {path.name!r}: unknown format {kind!r}.",
            "Use a .csv, .xlsx or .geojson file name, or --format.",
        )
    rows = organisation_rows(engine, _countries(preset, countries))
    if kind == "csv":
        write_csv(path, [COLUMNS, *rows])
    elif kind == "xlsx":
        about = [["Exported by bioconnect"], [ATTRIBUTION]]
        write_xlsx(path, {"organisations": [COLUMNS, *rows], "about": about})
    else:
        write_text(path, json.dumps(_geojson(engine, rows), ensure_ascii=False))
    return len(rows)


def _geojson(engine: Engine, rows: list[ExportedOrganisation]) -> dict[str, object]:
    with engine.connect() as conn:
        derived = dict(
            conn.execute(
                select(F.c.org_id, F.c.method).where(F.c.field == "lat", F.c.method.is_not(None))
            ).all()
        )
    features = []
    for row in rows:
        placed = row.lat is not None and row.lon is not None
        properties: dict[str, object] = {
            k: v for k, v in row._asdict().items() if k not in ("lat", "lon")
        }
        properties["coordinates_from"] = derived.get(row.id, "source") if placed else None
        features.append(
            {
                "type": "Feature",
                "id": row.id,
                "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]}
                if placed
                else None,
                "properties": properties,
            }
        )
    return {
        "type": "FeatureCollection",
        "attribution": f"{ATTRIBUTION}. {GEONAMES_CREDIT}",
        "features": features,
    }


def table_csv(frame: pd.DataFrame) -> str:
    """A command's table as CSV text: formula prefixes neutralised, numbers as pandas writes
    them (:func:`bioconnect.model.exports.frame_csv`).

    Example:
        >>> import pandas as pd
        >>> table_csv(pd.DataFrame({"name": ["=1+1"], "n": [2]}))
        "name,n\\n'=1+1,2\\n"
    """
    return frame_csv(frame)


def save_text(path: Path, text: str) -> Path:
    """Write a command's output to ``path`` (UTF-8), atomically, as every export is written."""
    return write_text(path, text)
