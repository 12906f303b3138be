"""``bioconnect index`` and ``bioconnect benchmark``: composite indicators and the EIS.

``index`` builds a composite index from an iData/iMeta pair with a COINr pipeline and tests
how robust its ranks are; ``benchmark`` imports European Innovation Scoreboard editions and
reports performance groups with how sure each label is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bioconnect.cli.options import PresetOption
from bioconnect.cli.output import check_format, err, out, print_json

index_app = typer.Typer(
    help="Composite indicators: build an index with COINr's method, test its ranks.",
    no_args_is_help=True,
)
benchmark_app = typer.Typer(
    help="The European Innovation Scoreboard: editions, performance groups, how sure they are.",
    no_args_is_help=True,
)

DataArg = Annotated[Path, typer.Argument(help="iData: one row per unit (CSV or XLSX).")]
MetaArg = Annotated[Path, typer.Argument(help="iMeta: one row per indicator and aggregate.")]
PipelineOption = Annotated[
    Path | None,
    typer.Option("--pipeline", help="Pipeline YAML of COINr steps (default: min-max, mean)."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the result to this file.")
]


def _csv(frame: Any) -> str:
    """A table as CSV text, inert in a spreadsheet as every export is."""
    from bioconnect.services.export import table_csv

    return table_csv(frame)


def _emit(text: str, output: Path | None) -> None:
    from bioconnect.services.export import save_text

    if output is None:
        out.print(text, markup=False, highlight=False, end="")
    else:
        save_text(output, text)
        err.print(f"Wrote {output}.")


@index_app.command("build")
def index_build(
    data: DataArg,
    meta: MetaArg,
    pipeline: PipelineOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    output: OutputOption = None,
) -> None:
    """Build the index: scores and ranks of every aggregate, and the normalised indicators.

    JSON gives {"scores": {unit: {aggregate: value}}, "ranks": {unit: {aggregate: rank}},
    "normalised": {unit: {indicator: value}}}; rank 1 is the best, ties share the lowest rank.

    \b
    Example:
        bioconnect index build ASEM_iData.csv ASEM_iMeta.csv \\
            --pipeline examples/coinr-asem/pipeline.yaml --format json
    """
    from bioconnect.services.indicators import build_index, index_table

    check_format(fmt, ("table", "csv", "json"))
    built = build_index(data, meta, pipeline)
    if fmt == "json":
        payload = {"scores": built.scores, "ranks": built.ranks, "normalised": built.normalised}
        if output is None:
            print_json(payload)
        else:
            _emit(json.dumps(payload, indent=1, ensure_ascii=False), output)
        return
    frame = index_table(built)
    if fmt == "csv":
        _emit(_csv(frame), output)
        return
    top = built.aggregates[-1]
    shown = [a for a in built.aggregates if built.levels[a] >= built.levels[top] - 1]
    table = Table(
        "rank", "unit", *shown, title=f"{top} and the level below (all levels: --format csv)"
    )
    for row in frame.itertuples(index=False):
        values = row._asdict()
        table.add_row(
            str(values["rank"]),
            str(values["unit"]),
            *[f"{values[a]:.3f}" if values[a] == values[a] else "" for a in shown],
        )
    if built.removed_units:
        err.print(f"Screened out: {', '.join(built.removed_units)}.")
    out.print(table)


@index_app.command("sensitivity")
def index_sensitivity_command(
    data: DataArg,
    meta: MetaArg,
    pipeline: PipelineOption = None,
    runs: Annotated[int, typer.Option("--runs", help="Budget of index builds.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 1,
    noise: Annotated[
        float, typer.Option("--weight-noise", help="Relative noise on the weights, in [0, 1).")
    ] = 0.25,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Rank intervals and Sobol indices over weights, normalisation, aggregation and treatment.

    \b
    Example:
        bioconnect index sensitivity ASEM_iData.csv ASEM_iMeta.csv \\
            --pipeline examples/coinr-asem/pipeline.yaml --runs 1000 --seed 1
    """
    from bioconnect.services.indicators import index_sensitivity

    check_format(fmt, ("table", "json"))
    report = index_sensitivity(data, meta, pipeline, runs=runs, seed=seed, weight_noise=noise)
    if fmt == "json":
        print_json(report.model_dump())
        return
    ranks = Table(
        "unit",
        "nominal",
        "median",
        "5%",
        "95%",
        title=f"Rank intervals of {report.aggregate} ({report.runs} runs)",
    )
    for r in report.rank_intervals:
        ranks.add_row(r.unit, str(r.nominal), f"{r.median:g}", f"{r.q05:g}", f"{r.q95:g}")
    out.print(ranks)
    indices = Table(
        "choice", "first order", "±", "total", "±", title=f"Sobol indices of the {report.output}"
    )
    for s in report.indices:
        indices.add_row(
            s.factor,
            f"{s.first_order:.3f}",
            f"{s.first_order_conf:.3f}",
            f"{s.total:.3f}",
            f"{s.total_conf:.3f}",
        )
    out.print(indices)


EditionOption = Annotated[
    str | None, typer.Option("--edition", help="Edition name (default: the latest imported).")
]


@index_app.command("biotech")
def index_biotech(
    preset: Annotated[str, typer.Option("--preset", help="Region preset.")] = "baltic",
    edition: EditionOption = None,
    meta: Annotated[
        Path | None,
        typer.Option("--meta", help="An edited iMeta (default: the preset's biotech-index/)."),
    ] = None,
    pipeline: PipelineOption = None,
    runs: Annotated[int, typer.Option("--runs", help="Sensitivity budget.", min=16)] = 512,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    trace: Annotated[
        str | None,
        typer.Option("--trace", help="Instead, the source rows behind this country (CSV)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    output: OutputOption = None,
) -> None:
    """The biotech research index of the EU27 from the atlas, with rank intervals.

    Indicators per country from the store's biotech-domain participations (per inhabitant
    and per GDP, denominators from the imported EIS edition's structural sheet), the
    coordinator share, the cross-border share of ties and the network position; the
    framework is the preset's editable biotech-index/iMeta.csv and pipeline.yaml.

    \b
    Example:
        bioconnect benchmark import ../shared/data/eis/2025/EIS_web_download.xlsx
        bioconnect index biotech --format csv -o biotech.csv
        bioconnect index biotech --trace EE -o ee-rows.csv
    """
    from bioconnect.services.biotech_index import (
        biotech_index,
        biotech_source_rows,
        biotech_table,
    )
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "csv", "json"))
    if trace is not None:
        _emit(_csv(biotech_source_rows(connect(), trace, preset)), output)
        return
    index = biotech_index(
        connect(), preset, edition=edition, meta=meta, pipeline=pipeline, runs=runs, seed=seed
    )
    if fmt == "json":
        text = index.model_dump_json(indent=1)
        if output is None:
            print_json(json.loads(text))
        else:
            _emit(text, output)
        return
    if fmt == "csv":
        _emit(_csv(biotech_table(index)), output)
        return
    table = Table(
        "rank",
        "country",
        "score",
        "5%",
        "median",
        "95%",
        title=f"{index.aggregate}: {len(index.units)} countries, {index.sensitivity.runs} runs "
        f"(denominators: {index.edition})",
    )
    for r in index.rows:
        star = " *" if r.highlighted else ""
        table.add_row(
            str(r.rank),
            f"{r.unit} {r.name}{star}",
            f"{r.score:.2f}" if r.score is not None else "",
            f"{r.rank_q05:g}",
            f"{r.rank_median:g}",
            f"{r.rank_q95:g}",
        )
    out.print(table)
    err.print(f"* the preset's countries. Framework: {index.meta_file}, {index.pipeline_file}.")


@benchmark_app.command("import")
def benchmark_import(
    file: Annotated[
        Path, typer.Argument(help="The EIS web download (.xlsx), or a file in another layout.")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="YAML naming the sheet and columns of another layout."),
    ] = None,
    edition: Annotated[
        str | None,
        typer.Option("--edition", help="Name to store it under (default: EIS <last year>)."),
    ] = None,
) -> None:
    """Store a scoreboard edition with its provenance (checked first; re-importing replaces it).

    \b
    Example:
        bioconnect benchmark import ../shared/data/eis/2025/EIS_web_download.xlsx
    """
    from bioconnect.services.benchmark import import_edition
    from bioconnect.services.store import connect

    summary = import_edition(connect(), file, edition=edition, mapping=mapping)
    out.print(
        f"Stored {summary.name}: {summary.rows:,} rows from {', '.join(summary.sheets)}, "
        f"{summary.countries} units, {summary.years[0]}-{summary.years[-1]} (sha256 {summary.sha256[:12]})."
    )


@benchmark_app.command("groups")
def benchmark_groups_command(
    edition: EditionOption = None,
    runs: Annotated[int, typer.Option("--runs", help="Resampling replicates.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Performance group of every country and year, with the probability of each group.

    JSON gives {country: {year: {"group", "sii_share", "probabilities": {group: p}}}}.

    \b
    Example:
        bioconnect benchmark groups --format json
    """
    from bioconnect.services.benchmark import benchmark_groups
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    result = benchmark_groups(connect(), edition, runs=runs, seed=seed)
    if fmt == "json":
        print_json(
            {c: {str(y): g.model_dump() for y, g in ys.items()} for c, ys in result.groups.items()}
        )
        return
    last = max(y for ys in result.groups.values() for y in ys)
    table = Table(
        "country",
        "group",
        "SII % of EU",
        "Emerging",
        "Moderate",
        "Strong",
        "Leader",
        title=f"{result.edition}, {last}",
    )
    for country, years in sorted(result.groups.items()):
        if last in years:
            g = years[last]
            p = g.probabilities
            table.add_row(
                country,
                g.group,
                f"{g.sii_share:.1f}",
                *[f"{p.get(k, 0):.2f}" for k in ("Emerging", "Moderate", "Strong", "Leader")],
            )
    out.print(table)
    err.print(result.method + ".")


def _compared(countries: str | None, reference: str | None, preset: str) -> tuple[list[str], str]:
    """The countries compared and the reference leader: as given, else the preset's."""
    from bioconnect.errors import InputError
    from bioconnect.services.regions import load_region

    region = load_region(preset)
    codes = [c.strip().upper() for c in (countries or "").split(",") if c.strip()]
    leader = reference.strip().upper() if reference else next(iter(region.reference_countries), "")
    if not leader:
        raise InputError(
            f"The preset {region.name!r} names no reference country.", "Give one with --reference."
        )
    return codes or list(region.countries), leader


@benchmark_app.command("compare")
def benchmark_compare(
    countries: Annotated[
        str | None,
        typer.Option("--countries", help="Comma-separated ISO2 codes (default: the preset's)."),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            help="The reference leader (default: the preset's first reference country).",
        ),
    ] = None,
    preset: PresetOption = "baltic",
    year: Annotated[int | None, typer.Option("--year", help="Year (default: the latest).")] = None,
    edition: EditionOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """The best-practice matrix against a reference, and the areas for cooperation; by
    default the preset's countries against its first reference country.

    \b
    Example:
        bioconnect benchmark compare
        bioconnect benchmark compare --countries EE,LV,LT --reference FI
    """
    from bioconnect.services.benchmark import benchmark_best_practice, benchmark_cooperation
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    codes, reference = _compared(countries, reference, preset)
    engine = connect()
    matrix = benchmark_best_practice(engine, codes, reference, year, edition=edition)
    areas = benchmark_cooperation(engine, [*codes, reference], matrix.year, edition=edition)
    if fmt == "json":
        print_json(
            {"best_practice": matrix.model_dump(), "cooperation": [a.model_dump() for a in areas]}
        )
        return
    table = Table("dimension", *codes, title=f"% of {reference}, {matrix.year}")
    for code, name in matrix.dimensions.items():
        table.add_row(f"{code} {name}", *[f"{matrix.matrix[c][code]:.0f}" for c in codes])
    out.print(table)
    coop = Table(
        "dimension", "strong", "weak", "strong % EU", "weak % EU", title="Areas for cooperation"
    )
    for a in areas:
        coop.add_row(
            f"{a.dimension} {a.name}",
            a.strong_country,
            a.weak_country,
            f"{a.strong_vs_eu:.0f}",
            f"{a.weak_vs_eu:.0f}",
        )
    out.print(coop)
