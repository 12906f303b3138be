"""``bioconnect fetch``: download official open data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bioconnect.cli.options import PresetOption
from bioconnect.cli.output import RichDownloads, download_progress, out

fetch_app = typer.Typer(help="Download official open data.", no_args_is_help=True)


@fetch_app.command("cordis")
def fetch_cordis_command(
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Where to keep the files.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="A mirror of cordis.europa.eu/data/.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Download again even when cached.")
    ] = False,
    preset: PresetOption = "baltic",
) -> None:
    """Download the official CORDIS files (resumes broken downloads, checks sizes, caches).

    \b
    Example:
        bioconnect fetch cordis --cache-dir ~/cordis
    """
    from bioconnect.services.fetching import fetch_cordis

    with download_progress() as progress:
        results = fetch_cordis(
            cache_dir,
            base_url=base_url,
            preset=preset,
            force=force,
            progress=RichDownloads(progress),
        )
    for result in results:
        state = "cached" if result.from_cache else ("resumed" if result.resumed else "downloaded")
        out.print(f"{result.path}  {result.size:,} bytes  sha256 {result.sha256[:12]}  {state}")
