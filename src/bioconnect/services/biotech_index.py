"""The biotech research index: a composite index of the EU27 built from the atlas.

Indicators come from the store's participations in the preset's (biotech) domains, for
every EU27 country and the preset's own countries, which are highlighted:

- ``BioPart``: participations in biotech projects, per million inhabitants;
- ``BioFund``: EC contribution to those participations (EUR), per unit of GDP;
- ``CoordShare``: the share of those participations that coordinate their project;
- ``XBorder``: the share of the country's tie ends that reach another country;
- ``NetPos``: the country's eigenvector centrality in the country network of biotech ties
  (:func:`bioconnect.network.country_ties`; every country of the store takes part, EU or not).

The denominators come from the EIS structural sheet of an imported edition
(:func:`bioconnect.services.benchmark.structural_denominators`): ``Population`` is 5.6.1
in millions, ``GDP`` is population times GDP per capita (5.1.1, PPS, EU = 100) / 100, so
one unit is the GDP of a million EU-average inhabitants. The framework (iMeta) and the
pipeline are files of the preset (``presets/<name>/biotech-index/``) that users may copy
and edit; the engine is the one of ``bioconnect index build``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.preset import load_preset
from bioconnect.services.indicators import (
    IndexBuild,
    SensitivityReport,
    index_build_model,
    load_pipeline,
    read_table,
    sensitivity_report,
)
from bioconnect.store import schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EU27",
    "BiotechIndex",
    "BiotechRow",
    "SourceCount",
    "biotech_framework_files",
    "biotech_idata",
    "biotech_index",
    "biotech_source_rows",
    "biotech_table",
]

#: The EU member states, in CORDIS's and the EIS's codes (EL is Greece).
EU27 = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)
INDICATORS = ("BioPart", "BioFund", "CoordShare", "XBorder", "NetPos")
P = schema.table(schema.Participation)
PD = schema.table(schema.ProjectDomain)
SF = schema.table(schema.SourceFile)


class SourceCount(BaseModel):
    """How many participation rows of one source file a country's figures rest on."""

    model_config = ConfigDict(frozen=True)

    source: str
    path: str
    rows: int


class BiotechRow(BaseModel):
    """One country of the index: its score, rank and rank interval."""

    model_config = ConfigDict(frozen=True)

    unit: str
    name: str
    highlighted: bool
    score: float | None
    rank: int | None
    rank_q05: float | None
    rank_median: float | None
    rank_q95: float | None


class BiotechIndex(BaseModel):
    """The biotech research index: data, scores, ranks and their intervals, and provenance."""

    model_config = ConfigDict(frozen=True)

    preset: str
    edition: str
    aggregate: str
    meta_file: str
    pipeline_file: str
    units: list[str]
    highlighted: list[str]
    domains: list[str]
    indicators: dict[str, str]
    data: dict[str, dict[str, float | None]]
    denominated: dict[str, dict[str, float | None]]
    rows: list[BiotechRow]
    build: IndexBuild
    sensitivity: SensitivityReport
    sources: dict[str, list[SourceCount]]


def biotech_framework_files(preset: str = "baltic") -> tuple[Path, Path]:
    """The preset's iMeta and pipeline of the biotech index (in its ``biotech-index/``)."""
    folder = load_preset(preset).folder
    meta = folder / "biotech-index" / "iMeta.csv" if folder else None
    pipeline = folder / "biotech-index" / "pipeline.yaml" if folder else None
    if meta is None or pipeline is None or not meta.is_file() or not pipeline.is_file():
        raise NotFoundError(
            f"Preset {preset!r} ships no biotech index framework.",
            "Give --meta and --pipeline files, or copy a shipped preset's biotech-index/ "
            "folder as a model.",
        )
    return meta, pipeline


def _participations(engine: Engine, domains: list[str]) -> pd.DataFrame:
    import pandas as pd

    projects = select(PD.c.project_id).where(PD.c.domain.in_(domains)).distinct()
    query = select(
        P.c.project_id,
        P.c.org_id,
        P.c.role,
        P.c.country,
        P.c.ec_contribution,
        P.c.source_file_id,
        P.c.source_row,
    ).where(P.c.project_id.in_(projects))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    if frame.empty:
        raise InputError(
            "The store holds no participations in the preset's domains.",
            "Run `bioconnect ingest` first.",
        )
    frame["ec_contribution"] = frame["ec_contribution"].astype(float)
    return frame


def biotech_idata(
    engine: Engine, preset: str = "baltic", *, edition: str | None = None
) -> pd.DataFrame:
    """The index's iData: one row per country (``uCode``), indicators and denominators.

    ``BioPart`` and ``BioFund`` are raw here (a count and EUR); the pipeline's
    ``denominate`` step divides them by ``Population`` and ``GDP`` as iMeta says.
    """
    from bioconnect.model.preset import load_preset

    chosen = load_preset(preset)
    rows = _participations(engine, [d.key for d in chosen.domains])
    return _idata(engine, rows, chosen.all_countries, edition)


def _idata(
    engine: Engine, rows: pd.DataFrame, preset_countries: list[str], edition: str | None
) -> pd.DataFrame:
    import pandas as pd

    from bioconnect.network import country_ties
    from bioconnect.services.benchmark import edition_values, structural_denominators

    units = list(dict.fromkeys([*EU27, *preset_countries]))
    by = rows.groupby("country")
    count = by.size().reindex(units).fillna(0)
    ties = country_ties(rows).reindex(units)
    structural = structural_denominators(engine, edition).reindex(units)
    names = edition_values(engine, edition, sheet="structural").drop_duplicates("country")
    name = names.set_index("country")["country_name"].reindex(units)
    population = structural.get("5.6.1", pd.Series(index=units, dtype=float)) / 1e6
    gdp_pc = structural.get("5.1.1", pd.Series(index=units, dtype=float))
    coordinators = (rows["role"] == "coordinator").groupby(rows["country"]).sum()
    frame = pd.DataFrame(
        {
            "uCode": units,
            "uName": [
                str(n) if isinstance(n, str) else u for u, n in zip(units, name, strict=True)
            ],
            "Population": population.to_numpy(),
            "GDP": (population * gdp_pc / 100).to_numpy(),
            "BioPart": count.to_numpy(dtype=float),
            "BioFund": by["ec_contribution"].sum(min_count=1).reindex(units).fillna(0).to_numpy(),
            "CoordShare": (coordinators.reindex(units) / count.where(count > 0)).to_numpy(),
            "XBorder": ties["cross_border_share"].to_numpy(dtype=float),
            "NetPos": ties["eigenvector"].to_numpy(dtype=float),
        }
    )
    return frame.reset_index(drop=True)


def biotech_source_rows(engine: Engine, country: str, preset: str = "baltic") -> pd.DataFrame:
    """The participation rows behind a country's figures, with their source file and row."""
    from bioconnect.model.preset import load_preset

    chosen = load_preset(preset)
    rows = _participations(engine, [d.key for d in chosen.domains])
    rows = rows[rows["country"] == country.upper()]
    files = _files(engine)
    rows = rows.assign(
        source=[files.get(i, ("?", "?"))[0] for i in rows["source_file_id"]],
        path=[files.get(i, ("?", "?"))[1] for i in rows["source_file_id"]],
    )
    columns = ["source", "path", "source_row", "project_id", "org_id", "role", "ec_contribution"]
    return rows[columns].sort_values(["source", "source_row"]).reset_index(drop=True)


def _files(engine: Engine) -> dict[int, tuple[str, str]]:
    with engine.connect() as conn:
        found = conn.execute(select(SF.c.id, SF.c.source, SF.c.path)).all()
    return {int(r.id): (str(r.source), str(r.path)) for r in found}


def _sources(engine: Engine, rows: pd.DataFrame, units: list[str]) -> dict[str, list[SourceCount]]:
    files = _files(engine)
    counts = rows[rows["country"].isin(units)].groupby(["country", "source_file_id"]).size()
    out: dict[str, list[SourceCount]] = {u: [] for u in units}
    for (country, file_id), n in counts.items():
        source, path = files.get(int(file_id), ("?", "?"))
        out[str(country)].append(SourceCount(source=source, path=path, rows=int(n)))
    return out


def _nested(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, float | None]]:
    return {
        str(u): {c: (None if v != v else float(v)) for c, v in row.items() if c in columns}
        for u, row in frame.iterrows()
    }


def biotech_index(
    engine: Engine,
    preset: str = "baltic",
    *,
    edition: str | None = None,
    meta: Path | None = None,
    pipeline: Path | None = None,
    runs: int = 512,
    seed: int = 1,
) -> BiotechIndex:
    """Build the biotech research index of the EU27 and the preset's countries.

    Parameters
    ----------
    engine:
        The store (ingested atlas, and an imported EIS edition for the denominators).
    preset:
        Whose domains count as biotech and whose countries are highlighted.
    edition:
        The EIS edition whose structural sheet gives the denominators (default: latest).
    meta, pipeline:
        An edited iMeta and pipeline (default: the preset's shipped files).
    runs, seed:
        The sensitivity analysis's budget and seed (rank intervals).
    """
    from bioconnect.indicators import run_pipeline, sensitivity_analysis, validate_framework
    from bioconnect.model.preset import load_preset
    from bioconnect.services.benchmark import list_editions

    shipped_meta, shipped_pipeline = biotech_framework_files(preset)
    meta_path, pipeline_path = meta or shipped_meta, pipeline or shipped_pipeline
    chosen = load_preset(preset)
    domains = [d.key for d in chosen.domains]
    participations = _participations(engine, domains)
    data = _idata(engine, participations, chosen.all_countries, edition)
    framework = validate_framework(
        data, read_table(meta_path), data_source="biotech iData", meta_source=meta_path.name
    )
    steps = load_pipeline(pipeline_path)
    result = run_pipeline(framework, steps)
    built = index_build_model(result)
    report = sensitivity_report(sensitivity_analysis(framework, steps, runs=runs, seed=seed), seed)
    highlighted = list(chosen.all_countries)
    top = built.aggregates[-1]
    intervals = {r.unit: r for r in report.rank_intervals}
    table = data.set_index("uCode")
    rows = [
        BiotechRow(
            unit=u,
            name=str(table.at[u, "uName"]),
            highlighted=u in highlighted,
            score=built.scores.get(u, {}).get(top),
            rank=built.ranks.get(u, {}).get(top),
            rank_q05=intervals[u].q05 if u in intervals else None,
            rank_median=intervals[u].median if u in intervals else None,
            rank_q95=intervals[u].q95 if u in intervals else None,
        )
        for u in table.index
    ]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit))
    denominated = result.datasets.get("Denominated", result.datasets["Raw"])
    codes = list(framework.indicators)
    used = edition or list_editions(engine)[-1].name  # _idata found one
    return BiotechIndex(
        preset=preset,
        edition=used,
        aggregate=top,
        meta_file=str(meta_path),
        pipeline_file=str(pipeline_path),
        units=[str(u) for u in table.index],
        highlighted=highlighted,
        domains=domains,
        indicators={c: str(framework.meta.at[c, "iName"]) for c in codes},
        data=_nested(table, [*INDICATORS, "Population", "GDP"]),
        denominated=_nested(denominated, codes),
        rows=rows,
        build=built,
        sensitivity=report,
        sources=_sources(engine, participations, list(table.index)),
    )


def biotech_table(index: BiotechIndex) -> pd.DataFrame:
    """One row per country, best first: rank and interval, scores of every aggregate,
    the indicators as computed (``raw:``) and as denominated, and the denominators."""
    import pandas as pd

    records = []
    for r in index.rows:
        record: dict[str, object] = {
            "rank": r.rank,
            "country": r.unit,
            "name": r.name,
            "highlighted": r.highlighted,
            "rank_q05": r.rank_q05,
            "rank_median": r.rank_median,
            "rank_q95": r.rank_q95,
        }
        record.update(index.build.scores.get(r.unit, {}))
        record.update(index.denominated.get(r.unit, {}))
        record.update({f"raw:{k}": v for k, v in index.data.get(r.unit, {}).items()})
        records.append(record)
    return pd.DataFrame(records)
