"""``bioconnect index`` and ``bioconnect benchmark``: composite indicators and the EIS.

``index`` builds a composite index from an iData/iMeta pair with a COINr pipeline and tests
how robust its ranks are; ``benchmark`` imports European Innovation Scoreboard editions and
reports performance groups with how sure each label is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

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


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        out.print(text, markup=False, highlight=False, end="")
    else:
        output.write_text(text, encoding="utf-8")
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
        _emit(frame.to_csv(index=False), output)
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
