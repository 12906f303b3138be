"""The benchmark at a glance: what the Benchmark pages, their API and their exports show.

For the preset's countries and its reference leader: the SII over time with the group
bands, how sure each country's group is, the dimension profile, the best-practice matrix
against the reference and the areas for cooperation; and the biotech research index with
its rank intervals. Everything is computed once per data version (:mod:`.cache`) and
comes with its Vega-Lite charts (:mod:`bioconnect.charts.benchmark`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine

from bioconnect.model.exports import csv_text, xlsx_bytes
from bioconnect.services.benchmark import (
    BenchmarkGroups,
    BestPractice,
    CooperationArea,
    EditionSummary,
    GroupChange,
    ProfileRow,
)
from bioconnect.services.biotech_index import BiotechIndex
from bioconnect.services.cache import LRU, cached

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_EIS",
    "IMPORT_COMMAND",
    "BenchmarkOverview",
    "BenchmarkPage",
    "BiotechPage",
    "DefaultEdition",
    "ExportTable",
    "GroupOdds",
    "SiiPoint",
    "all_groups",
    "benchmark_export",
    "benchmark_overview",
    "benchmark_page",
    "biotech_overview",
    "biotech_page",
    "import_default_edition",
]

#: Where the official EIS 2025 download lies in a data folder (../shared/data).
DEFAULT_EIS = Path("eis") / "2025" / "EIS_web_download.xlsx"
IMPORT_COMMAND = "bioconnect benchmark import ../shared/data/eis/2025/EIS_web_download.xlsx"
GROUPS = ("Emerging", "Moderate", "Strong", "Leader")
GROUP_RUNS, GROUP_SEED, INDEX_RUNS = 1000, 1, 512
ExportTable = Literal["groups", "profile", "best-practice", "cooperation", "biotech"]

_ANSWERS = LRU(8)


class DefaultEdition(BaseModel):
    """What ``bioconnect up`` did about the EIS: imported it, found it stored, or no file."""

    model_config = ConfigDict(frozen=True)

    status: Literal["imported", "stored", "missing"]
    path: str
    edition: EditionSummary | None


def import_default_edition(
    engine: Engine, data_dir: Path | None, *, actor: str = "cli"
) -> DefaultEdition:
    """Import the EIS 2025 download from the data folder unless the same file is stored.

    ``data_dir`` is resolved as ``bioconnect ingest`` does (``--data-dir``,
    ``BIOCONNECT_DATA_DIR``, ``../shared/data``); without the file nothing happens.
    """
    from bioconnect.services.benchmark import import_edition, list_editions
    from bioconnect.settings import resolve_data_dir
    from bioconnect.sources.download import sha256_of

    folder = resolve_data_dir(data_dir)
    path = (folder or Path(".")) / DEFAULT_EIS
    if folder is None or not path.is_file():
        return DefaultEdition(status="missing", path=str(path), edition=None)
    digest = sha256_of(path)
    for stored in list_editions(engine):
        if stored.sha256 == digest:
            return DefaultEdition(status="stored", path=str(path), edition=stored)
    return DefaultEdition(
        status="imported", path=str(path), edition=import_edition(engine, path, actor=actor)
    )


class SiiPoint(BaseModel):
    """A country's SII as % of the EU's in a year, and its group."""

    model_config = ConfigDict(frozen=True)

    country: str
    year: int
    sii_share: float
    group: str
    probabilities: dict[str, float]


class GroupOdds(BaseModel):
    """A country's group in the latest year, how sure it is, and the file's own label."""

    model_config = ConfigDict(frozen=True)

    country: str
    year: int
    group: str
    sii_share: float
    probabilities: dict[str, float]
    file_label: str | None


class BenchmarkOverview(BaseModel):
    """The preset's countries in the scoreboard: groups, odds, profiles, best practice."""

    model_config = ConfigDict(frozen=True)

    edition: EditionSummary
    preset: str
    countries: list[str]
    reference: str
    year: int
    method: str
    sii: list[SiiPoint]
    odds: list[GroupOdds]
    changes: list[GroupChange]
    dimensions: dict[str, str]
    profiles: dict[str, list[ProfileRow]]
    best_practice: BestPractice
    cooperation: list[CooperationArea]


class BenchmarkPage(BaseModel):
    """The overview with its charts (Vega-Lite specifications, open JSON documents)."""

    model_config = ConfigDict(frozen=True)

    overview: BenchmarkOverview
    charts: dict[str, dict[str, Any]]


class BiotechPage(BaseModel):
    """The biotech research index with its chart."""

    model_config = ConfigDict(frozen=True)

    index: BiotechIndex
    chart: dict[str, Any]


def _overview(engine: Engine, preset: str) -> BenchmarkOverview:
    from bioconnect.model.preset import load_preset
    from bioconnect.services.benchmark import (
        benchmark_best_practice,
        benchmark_cooperation,
        benchmark_profile,
        list_editions,
    )

    chosen = load_preset(preset)
    region = list(chosen.countries)
    reference = chosen.reference_countries[0] if chosen.reference_countries else region[0]
    shown = list(dict.fromkeys([*region, reference]))
    groups = all_groups(engine)
    year = max(y for c in shown for y in groups.groups.get(c, {}))
    matrix = benchmark_best_practice(engine, region, reference, year, edition=groups.edition)
    sii = [
        SiiPoint(
            country=c, year=y, sii_share=g.sii_share, group=g.group, probabilities=g.probabilities
        )
        for c in shown
        for y, g in sorted(groups.groups.get(c, {}).items())
    ]
    odds = [
        GroupOdds(
            country=c,
            year=year,
            group=groups.groups[c][year].group,
            sii_share=groups.groups[c][year].sii_share,
            probabilities=groups.groups[c][year].probabilities,
            file_label=groups.file_labels.get(c, {}).get(year),
        )
        for c in shown
        if year in groups.groups.get(c, {})
    ]
    edition = next(e for e in list_editions(engine) if e.name == groups.edition)
    return BenchmarkOverview(
        edition=edition,
        preset=chosen.name,
        countries=region,
        reference=reference,
        year=year,
        method=groups.method,
        sii=sii,
        odds=odds,
        changes=[c for c in groups.changes if c.country in shown],
        dimensions=matrix.dimensions,
        profiles={c: benchmark_profile(engine, c, year, edition=groups.edition) for c in shown},
        best_practice=matrix,
        cooperation=benchmark_cooperation(engine, shown, year, edition=groups.edition),
    )


def all_groups(engine: Engine) -> BenchmarkGroups:
    """Every country's group in every year of the latest edition, with probabilities."""
    from bioconnect.services.benchmark import benchmark_groups

    return cached(
        engine,
        _ANSWERS,
        ("groups",),
        lambda: benchmark_groups(engine, runs=GROUP_RUNS, seed=GROUP_SEED),
    )


def benchmark_overview(engine: Engine, preset: str = "baltic") -> BenchmarkOverview:
    """The overview of the latest stored edition (``NotFoundError`` when none is)."""
    return cached(engine, _ANSWERS, ("overview", preset), lambda: _overview(engine, preset))


def _charts(o: BenchmarkOverview) -> dict[str, dict[str, Any]]:
    from bioconnect.charts.benchmark import (
        best_practice_chart,
        probability_chart,
        profile_chart,
        sii_chart,
    )

    names = list(o.dimensions.values())
    profile_rows = [
        {"country": c, "dimension": r.name, "vs_eu": r.vs_eu}
        for c, rows in o.profiles.items()
        for r in rows
    ]
    cells = [
        {"country": c, "dimension": o.dimensions[d], "share": v}
        for c, row in o.best_practice.matrix.items()
        for d, v in row.items()
    ]
    return {
        "sii": sii_chart(
            [p.model_dump() for p in o.sii], f"Summary Innovation Index, {o.edition.name}"
        ),
        "odds": probability_chart(
            [x.model_dump() for x in o.odds], f"How sure the {o.year} group is"
        ),
        "profile": profile_chart(profile_rows, names, f"Dimension profile, {o.year}"),
        "best_practice": best_practice_chart(
            cells, names, o.reference, f"Best-practice matrix against {o.reference}, {o.year}"
        ),
    }


def benchmark_page(engine: Engine, preset: str = "baltic") -> BenchmarkPage:
    """The overview and its four charts."""
    overview = benchmark_overview(engine, preset)
    return BenchmarkPage(overview=overview, charts=_charts(overview))


def biotech_overview(engine: Engine, preset: str = "baltic") -> BiotechIndex:
    """The preset's biotech index with the shipped framework, once per data version."""
    from bioconnect.services.biotech_index import biotech_index

    return cached(
        engine,
        _ANSWERS,
        ("biotech", preset),
        lambda: biotech_index(engine, preset, runs=INDEX_RUNS, seed=1),
    )


def biotech_page(engine: Engine, preset: str = "baltic") -> BiotechPage:
    """The biotech index and its rank-interval chart."""
    from bioconnect.charts.benchmark import rank_interval_chart

    index = biotech_overview(engine, preset)
    chart = rank_interval_chart(
        [r.model_dump() for r in index.rows],
        f"Biotech research index ({len(index.units)} countries)",
    )
    return BiotechPage(index=index, chart=chart)


def _export_frame(engine: Engine, preset: str, table: ExportTable) -> pd.DataFrame:
    import pandas as pd

    if table == "biotech":
        from bioconnect.services.biotech_index import biotech_table

        return biotech_table(biotech_overview(engine, preset))
    o = benchmark_overview(engine, preset)
    if table == "groups":
        return pd.DataFrame(
            [
                {
                    "country": p.country,
                    "year": p.year,
                    "sii_share": p.sii_share,
                    "group": p.group,
                    **{f"p_{g}": p.probabilities.get(g, 0.0) for g in GROUPS},
                }
                for p in o.sii
            ]
        )
    if table == "profile":
        return pd.DataFrame(
            [{"country": c, **r.model_dump()} for c, rows in o.profiles.items() for r in rows]
        )
    if table == "best-practice":
        frame = pd.DataFrame(o.best_practice.matrix).rename_axis("dimension").reset_index()
        frame.insert(1, "name", frame["dimension"].map(o.dimensions))
        return frame
    return pd.DataFrame([a.model_dump() for a in o.cooperation])


def benchmark_export(
    engine: Engine, table: ExportTable, fmt: Literal["csv", "xlsx"], preset: str = "baltic"
) -> bytes:
    """A table of the Benchmark pages as CSV (UTF-8) or XLSX bytes, written by
    :mod:`bioconnect.model.exports` (formula prefixes quoted, text cells never formulas)."""
    frame = _export_frame(engine, preset, table)
    values = frame.astype(object).where(frame.notna(), None)
    rows = [list(frame.columns), *(list(row) for row in values.itertuples(index=False))]
    if fmt == "csv":
        return csv_text(rows).encode("utf-8")
    return xlsx_bytes({table: rows})
