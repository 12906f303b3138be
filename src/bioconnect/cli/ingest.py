"""Loading data: ``ingest``, ``import`` and ``sources``.

These are top-level commands; :mod:`bioconnect.cli.main` registers them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bioconnect.cli.options import DataDirOption, FormatOption, PresetOption, actor
from bioconnect.cli.output import (
    RichDownloads,
    RichStages,
    check_format,
    download_progress,
    err,
    out,
    print_json,
    stage_progress,
)


def ingest_preset(preset: str, data_dir: Path | None, *, allow_shrink: bool = False) -> None:
    """Ingest a preset (downloading CORDIS first when there is no local data), with progress."""
    from bioconnect.services.fetching import fetch_cordis, needs_download
    from bioconnect.services.ingest import ingest
    from bioconnect.services.store import connect

    engine = connect()
    if needs_download(data_dir):
        err.print("No local data folder; downloading the official CORDIS files.")
        with download_progress() as progress:
            fetch_cordis(preset=preset, progress=RichDownloads(progress))
    with stage_progress() as progress:
        report = ingest(
            engine,
            preset,
            data_dir,
            actor=actor(),
            progress=RichStages(progress),
            allow_shrink=allow_shrink,
        )
    counts = report.counts
    err.print(
        f"Ingested {report.preset} from {report.data_dir}: {counts.get('organisation', 0):,} organisations, "
        f"{counts.get('participation', 0):,} participations, {counts.get('project', 0):,} projects, "
        f"{counts.get('repair', 0):,} documented repairs, {report.review_pending} pairs to review "
        f"({report.seconds:.1f} s)."
    )


def ingest_command(
    preset: PresetOption = "baltic",
    data_dir: DataDirOption = None,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Ingest even when a source lost more than half its rows since the last ingest.",
        ),
    ] = False,
) -> None:
    """Load a region preset's sources into the store (replacing earlier open data).

    An ingest in which a source has lost more than half its rows since the last one
    (an empty or cut file) is refused, and nothing is written, unless --allow-shrink.

    \b
    Example:
        bioconnect ingest --preset baltic --data-dir ../shared/data
    """
    ingest_preset(preset, data_dir, allow_shrink=allow_shrink)


def import_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file, e.g. your stakeholder list.")],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="Mapping YAML (see docs/mappings.md).")
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Name of this source (default: file name).")
    ] = None,
) -> None:
    """Import your own file through a mapping; it is kept and loaded by every later ingest.

    \b
    Example:
        bioconnect import stakeholders.xlsx --mapping stakeholders.yaml
    """
    from bioconnect.services.store import connect
    from bioconnect.services.user_sources import import_user_source

    with stage_progress() as progress:
        report = import_user_source(
            connect(), file, mapping, name=name, actor=actor(), progress=RichStages(progress)
        )
    err.print(
        f"Imported {file.name}; the store now holds {report.counts.get('organisation', 0):,} organisations, "
        f"{report.review_pending} pairs to review (`bioconnect review list`)."
    )


sources_app = typer.Typer(
    help="Your own files (stakeholder lists) that every ingest loads.", no_args_is_help=True
)


@sources_app.command("list")
def sources_list(fmt: FormatOption = "table") -> None:
    """List the files you imported with `bioconnect import`, and whether each is still there.

    \b
    Example:
        bioconnect sources list
    """
    from bioconnect.services.store import connect
    from bioconnect.services.user_sources import list_user_sources

    check_format(fmt, ("table", "json"))
    rows = list_user_sources(connect())
    if fmt == "json":
        print_json([row.model_dump(mode="json") for row in rows])
        return
    if not rows:
        err.print("No user sources. Add one with `bioconnect import FILE --mapping M`.")
        return
    table = Table("name", "file", "added by", "added at", "file found")
    for row in rows:
        table.add_row(
            row.name, row.path, row.added_by, row.added_at, "yes" if row.file_exists else "NO"
        )
    out.print(table)


@sources_app.command("remove")
def sources_remove(
    name: Annotated[str, typer.Argument(help="The source's name, as `sources list` shows it.")],
    data_dir: DataDirOption = None,
) -> None:
    """Forget one of your files and re-ingest without it: the store is as before its import.

    \b
    Example:
        bioconnect sources remove stakeholders
    """
    from bioconnect.services.store import connect
    from bioconnect.services.user_sources import remove_user_source

    with stage_progress() as progress:
        report = remove_user_source(
            connect(), name, actor=actor(), data_dir=data_dir, progress=RichStages(progress)
        )
    err.print(
        f"Removed {name}; the store now holds {report.counts.get('organisation', 0):,} "
        "organisations."
    )
