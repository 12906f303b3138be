"""The web app from the command line: ``up`` (the main job) and ``serve``.

These are top-level commands; :mod:`bioconnect.cli.main` registers them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bioconnect.cli.atlas import summary
from bioconnect.cli.ingest import ingest_preset
from bioconnect.cli.options import DataDirOption, PresetOption, actor
from bioconnect.cli.output import RichStages, err, stage_progress

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]


def _prepare_web(preset: str) -> None:
    """Build the front-end assets and warm the caches the first page views need."""
    from bioconnect.services.network import NetworkQuery, network_summary, network_view
    from bioconnect.services.store import connect
    from bioconnect.web.assets import build_assets

    with stage_progress() as progress:
        stages = RichStages(progress)
        stages.start(3, "Front-end packages (npm)")
        build_assets()
        stages.step("Network layout")
        engine = connect()
        query = NetworkQuery(preset=preset)
        network_view(engine, query)
        stages.step("Network summary")
        network_summary(engine, query)
        stages.step("Ready")


def _import_benchmark(data_dir: Path | None) -> None:
    from bioconnect.services.benchmark_overview import import_default_edition
    from bioconnect.services.store import connect

    done = import_default_edition(connect(), data_dir, actor=actor())
    if done.edition is None:
        err.print(f"No EIS download at {done.path}; the Benchmark pages say how to import one.")
    elif done.status == "imported":
        err.print(f"Imported {done.edition.name} from {done.path} for the Benchmark pages.")
    else:
        err.print(f"{done.edition.name} is stored already (same file).")


def _serve(host: str, port: int, workers: int, preset: str | None = None) -> None:
    import os

    import uvicorn

    if preset is not None:
        # the app (in each worker) reads its preset from the settings: a name, or a path
        # made absolute so that it means the same file whatever the worker's folder
        path = Path(preset)
        os.environ["BIOCONNECT_PRESET"] = str(path.resolve()) if path.exists() else preset
    err.print(f"Serving on http://{host}:{port}/ (Ctrl+C stops it).")
    uvicorn.run(
        "bioconnect.web:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
    )


def up(
    preset: PresetOption = "baltic",
    data_dir: DataDirOption = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web app when done.")
    ] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    benchmark: Annotated[
        bool,
        typer.Option(
            "--benchmark/--no-benchmark",
            help="Import the EIS 2025 download from the data folder if it is there.",
        ),
    ] = True,
) -> None:
    """The main job: ingest the preset, print the atlas summary, and serve the web app.

    The EIS 2025 web download (eis/2025/EIS_web_download.xlsx in the data folder) is
    imported for the Benchmark pages unless the same file is stored already.

    \b
    Example:
        bioconnect up
        bioconnect up --no-serve
    """
    ingest_preset(preset, data_dir)
    summary(fmt="table", preset=preset)
    if benchmark:
        _import_benchmark(data_dir)
    _prepare_web(preset)
    if serve:
        _serve(host, port, 1, preset)


def serve_command(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="Worker processes (PostgreSQL: one per core)."
        ),
    ] = 1,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="Region preset name, or a path to a preset.yaml (default: the settings').",
        ),
    ] = None,
) -> None:
    """Serve the web app and the REST API (/api/v1) on the configured store.

    With PostgreSQL (BIOCONNECT_DATABASE_URL=postgresql://...) use several workers;
    SQLite serves one machine's users well with one.

    \b
    Example:
        bioconnect serve --port 8000
        bioconnect serve --preset ./my-region/preset.yaml
        BIOCONNECT_DATABASE_URL=postgresql://bioconnect@db/bioconnect bioconnect serve --host 0.0.0.0 --workers 4
    """
    from bioconnect.web.assets import assets_ready, build_assets

    if not assets_ready():
        build_assets()
    _serve(host, port, workers, preset)
