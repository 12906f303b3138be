"""``bioconnect regions``: the region presets; a new region from the template, and checking one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bioconnect.cli.options import DataDirOption
from bioconnect.cli.output import err, out

regions_app = typer.Typer(
    help="Region presets: list them, write a new one, check one field by field.",
    invoke_without_command=True,
)


@regions_app.callback()
def regions(ctx: typer.Context) -> None:
    """List the region presets (with no command), or write or check one.

    \b
    Example:
        bioconnect regions
    """
    if ctx.invoked_subcommand is not None:
        return
    from bioconnect.services.regions import list_regions

    table = Table("name", "label", "countries", "reference", "sources")
    for preset in list_regions():
        table.add_row(
            preset.name,
            preset.label,
            " ".join(preset.countries),
            " ".join(preset.reference_countries),
            str(len(preset.sources)),
        )
    out.print(table)


@regions_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="The preset's name, e.g. visegrad.")],
    countries: Annotated[
        str, typer.Option("--countries", help="The region's CORDIS country codes: CZ,HU,PL,SK.")
    ],
    reference: Annotated[
        str, typer.Option("--reference", help="Reference leaders to compare with, e.g. AT.")
    ] = "",
    focus: Annotated[
        str, typer.Option("--focus", help="biotech (the biotech domains), or none.")
    ] = "biotech",
    label: Annotated[
        str | None, typer.Option("--label", help="How pages and reports name the region.")
    ] = None,
    folder: Annotated[
        Path, typer.Option("--folder", help="Where to write the preset's folder.")
    ] = Path("."),
) -> None:
    """Write a preset folder for a new region: preset.yaml, plan.yaml (pillars, criteria,
    KPI library) and the CORDIS mappings, adapted from the Baltic preset, with every field
    explained in comments. Then check it, and use it with --preset FOLDER.

    \b
    Example:
        bioconnect regions new visegrad --countries CZ,HU,PL,SK --reference AT
        bioconnect regions check ./visegrad
        bioconnect ingest --preset ./visegrad
    """
    from bioconnect.services.regions import new_region

    made = new_region(name, countries, reference, folder=folder, label=label, focus=focus)
    err.print(f"Wrote the preset {made}. Check it: bioconnect regions check {made}")


@regions_app.command("check")
def check(
    preset: Annotated[str, typer.Argument(help="A preset's name, or its folder or preset.yaml.")],
    data_dir: DataDirOption = None,
) -> None:
    """Check a preset field by field and say what is missing and how to fix it; exits with
    1 when something must be fixed.

    \b
    Example:
        bioconnect regions check ./visegrad
    """
    from bioconnect.services.regions import check_region

    checks = check_region(preset, data_dir)
    table = Table("field", "", "finding", "fix")
    for c in checks:
        table.add_row(c.field, "ok" if c.ok else "MISSING", c.message, c.fix)
    out.print(table)
    failed = [c for c in checks if not c.ok]
    if failed:
        err.print(f"{len(failed)} of {len(checks)} checks fail; fix them and check again.")
        raise typer.Exit(1)
    err.print(f"All {len(checks)} checks hold.")
