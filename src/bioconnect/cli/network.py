"""``bioconnect network``: collaboration networks, who works with whom, who bridges, who should meet.

Each command takes the network filter options (see :func:`bioconnect.cli.options.network_query`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from bioconnect.cli.options import FormatOption, RefreshOption, network_query
from bioconnect.cli.output import check_format, err, out, print_frame, print_json

if TYPE_CHECKING:
    from bioconnect.services.network import NetworkQuery

network_app = typer.Typer(
    help="Collaboration networks: who works with whom, who bridges, who should meet.",
    no_args_is_help=True,
)


def _measure(value: object) -> str:
    """A measure for the table: 4 significant digits, '–' when undefined (null)."""
    if value is None:
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


@network_app.command("build")
@network_query()
def network_build(
    query: NetworkQuery,
    fmt: FormatOption = "table",
    refresh: RefreshOption = False,
) -> None:
    """Build the network and report its size, density, fragmentation, cross-border share and brokers.

    \b
    Example:
        bioconnect network build --countries EE,LV,LT,FI --from 2014 --to 2020
        bioconnect network build --research focus     # the preset's focus, as the web shows
    """
    from bioconnect.services.network import network_summary
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    data = network_summary(
        connect(),
        query,
        refresh=refresh,
    )
    if fmt == "json":
        print_json(data.model_dump(mode="json"))
        return
    table = Table("measure", "value", title="Collaboration network")
    for key, value in data.structure.model_dump().items():
        table.add_row(key, _measure(value))
    table.add_row("cross-border share (weighted)", _measure(data.cross_border_share.weighted))
    table.add_row("core-periphery correlation", _measure(data.core_periphery.correlation))
    table.add_row("main core k", str(data.core_periphery.main_core_k))
    out.print(table)
    brokers = [b.model_dump() for b in data.brokers_between_countries]
    if brokers:
        import pandas as pd

        print_frame(pd.DataFrame(brokers), "table", None, title="Top brokers between countries")


@network_app.command("metrics")
@network_query()
def network_metrics_command(
    query: NetworkQuery,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json or table.")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    refresh: RefreshOption = False,
) -> None:
    """Per organisation: degree, strength, PageRank, eigenvector, k-core, clustering, betweenness, constraint, cross-border share, community.

    \b
    Example:
        bioconnect network metrics --format csv --output metrics.csv
    """
    from bioconnect.services.network import network_metrics
    from bioconnect.services.store import connect

    check_format(fmt, ("csv", "json", "table"))
    frame = network_metrics(
        connect(),
        query,
        refresh=refresh,
    )
    print_frame(frame, fmt, output)


@network_app.command("communities")
@network_query()
def network_communities_command(
    query: NetworkQuery,
    resolution: Annotated[float, typer.Option("--resolution", help="Leiden resolution.")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (runs are reproducible).")] = 0,
    fmt: FormatOption = "table",
    refresh: RefreshOption = False,
) -> None:
    """Leiden communities (connected, seeded) with their modularity.

    \b
    Example:
        bioconnect network communities --seed 1
    """
    from bioconnect.services.network import network_communities
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    data = network_communities(
        connect(),
        query,
        resolution=resolution,
        seed=seed,
        refresh=refresh,
    )
    if fmt == "json":
        print_json(data.model_dump(mode="json"))
        return
    out.print(f"{data.n_communities} communities, modularity {data.modularity:.4f}")
    table = Table("community", "size", "countries", "largest members")
    for c in data.communities[:20]:
        names = ", ".join((m.name or m.org_id) for m in c.members[:3])
        countries_text = " ".join(f"{k}:{v}" for k, v in c.countries.items())
        table.add_row(str(c.community), str(c.size), countries_text, names)
    out.print(table)


@network_app.command("matrix")
@network_query()
def network_matrix_command(
    query: NetworkQuery,
    normalise: Annotated[
        str | None, typer.Option("--normalise", help="total, row or salton.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    refresh: RefreshOption = False,
) -> None:
    """Country × country collaboration matrix, in counts or normalised.

    \b
    Example:
        bioconnect network matrix --normalise salton
    """
    from bioconnect.services.network import network_matrix
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "csv", "json"))
    frame = network_matrix(
        connect(),
        query,
        normalise=normalise,
        refresh=refresh,
    )
    print_frame(
        frame.reset_index(names="country"), fmt, None, title="Collaboration between countries"
    )


@network_app.command("recommend")
@network_query()
def network_recommend_command(
    org: Annotated[
        str | None, typer.Option("--org", help="Organisation id or PIC (default: whole region).")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many suggestions.")] = 10,
    *,
    query: NetworkQuery,
    fmt: FormatOption = "table",
    refresh: RefreshOption = False,
) -> None:
    """Suggest partners who do not work together yet, each with the reason why.

    \b
    Example:
        bioconnect network recommend --org 999895013 --top 5
    """
    from bioconnect.services.network import network_recommendations
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json", "csv"))
    frame = network_recommendations(
        connect(),
        query,
        org,
        top=top,
        refresh=refresh,
    )
    if fmt != "table":
        print_frame(frame, fmt, None)
        return
    for row in frame.itertuples(index=False):
        out.print(
            Text.assemble(
                (str(row.org_name), "bold"),
                f" ({row.org_id}) + ",
                (str(row.partner_name), "bold"),
                f" ({row.partner_id}, {row.partner_country}): score {row.score:.3f}",
            )
        )
        out.print(f"  {row.explanation}", markup=False)


@network_app.command("export")
@network_query()
def network_export_command(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="File to write (csv writes -nodes.csv and -edges.csv)."
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="graphml, gexf, csv or json (graphology).")
    ] = "gexf",
    dynamic: Annotated[
        bool,
        typer.Option(
            "--dynamic",
            help="Add the years each tie is active (GEXF 1.3 spells for Gephi's timeline; "
            "GraphML edge columns).",
        ),
    ] = False,
    *,
    query: NetworkQuery,
) -> None:
    """Export the network for Gephi (GEXF, GraphML), spreadsheets (CSV) or the web (JSON).

    Nodes carry domain, centralities and community.

    \b
    Example:
        bioconnect network export --format gexf --output baltic.gexf
        bioconnect network export --dynamic --output baltic-years.gexf
    """
    from bioconnect.services.network import export_network
    from bioconnect.services.store import connect

    check_format(fmt, ("graphml", "gexf", "csv", "json"))
    paths = export_network(
        connect(),
        query,
        fmt,  # type: ignore[arg-type]
        output,
        dynamic=dynamic,
    )
    for path in paths:
        err.print(f"Wrote {path}.")


@network_app.command("timeline")
@network_query("preset", "countries", "scope", "programme", "weight")
def network_timeline_command(
    first: Annotated[int | None, typer.Option("--first", help="First year.")] = None,
    last: Annotated[int | None, typer.Option("--last", help="Last year.")] = None,
    window: Annotated[int, typer.Option("--window", help="Years per snapshot (rolling).")] = 1,
    cumulative: Annotated[
        bool, typer.Option("--cumulative", help="Each snapshot includes all earlier years.")
    ] = False,
    *,
    query: NetworkQuery,
    fmt: FormatOption = "table",
) -> None:
    """The network's measures per year (or rolling window), e.g. the growth of EE–LV–LT–FI links.

    \b
    Example:
        bioconnect network timeline --first 2014 --last 2020
    """
    import pandas as pd

    from bioconnect.services.network import network_timeline
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    data = network_timeline(
        connect(),
        query,
        first_year=first,
        last_year=last,
        window=window,
        cumulative=cumulative,
    )
    if fmt == "json":
        print_json(data.model_dump(mode="json"))
        return
    summary = pd.DataFrame([period.model_dump() for period in data.summary])
    table = Table(
        "years",
        "organisations",
        "ties",
        "density",
        "cross-border",
        "components",
        "modularity",
        title="Network per period",
    )
    for row in summary.itertuples(index=False):
        years = (
            str(row.start_year)
            if row.start_year == row.end_year
            else f"{row.start_year}–{row.end_year}"
        )
        table.add_row(
            years,
            f"{row.n_nodes:,}",
            f"{row.n_edges:,}",
            f"{row.density:.4f}",
            f"{row.cross_border_edge_share:.3f}",
            str(row.n_components),
            f"{row.modularity:.3f}" if pd.notna(row.modularity) else "",
        )
    out.print(table)
    pairs, rows = data.cross_border_by_period()
    if rows:
        cross = Table("from", *pairs, title="Cross-border ties per period")
        for year, counts in rows:
            cross.add_row(str(year), *[str(n) for n in counts])
        out.print(cross)


@network_app.command("evaluate")
@network_query("preset", "countries", "scope")
def network_evaluate_command(
    train_end: Annotated[
        int, typer.Option("--train-end", help="Train on projects starting up to this year.")
    ] = 2017,
    *,
    query: NetworkQuery,
    fmt: FormatOption = "table",
) -> None:
    """Evaluate the partner recommendations honestly: train on the past, test on new links.

    \b
    Example:
        bioconnect network evaluate --train-end 2017
    """
    import pandas as pd

    from bioconnect.services.network import network_evaluation
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    data = network_evaluation(
        connect(),
        query,
        train_end=train_end,
    )
    if fmt == "json":
        print_json(data.model_dump(mode="json"))
        return
    out.print(
        f"train: {data.train_nodes} organisations, {data.train_edges} ties; "
        f"test: {data.positives} new ties among {data.candidates:,} candidate pairs"
    )
    table = pd.DataFrame([score.model_dump() for score in data.table])
    print_frame(table, "table", None, title="Temporal hold-out")
