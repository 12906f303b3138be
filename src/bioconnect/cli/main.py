"""The ``bioconnect`` command: a thin loop over the service functions.

The root app holds the top-level commands and one sub-app per capability, each in its
own module (``atlas``, ``review``, ``fetch``, ``network``, ``accounts``, ``plan``,
``dialogue``).
Errors a user can cause print one line (what is wrong, how to fix it) and exit 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from typing import Annotated

import click
import typer

from bioconnect.cli import (
    accounts,
    atlas,
    dialogue,
    fetch,
    indicators,
    ingest,
    network,
    outcomes,
    plan,
    review,
    web,
)
from bioconnect.cli.output import err
from bioconnect.errors import BioconnectError

app = typer.Typer(
    name="bioconnect",
    help="Map and build regional innovation ecosystems from open data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# the order here is the order of `bioconnect --help`: top-level commands first
app.command()(ingest.regions)
app.command("ingest")(ingest.ingest_command)
app.command("import")(ingest.import_command)
app.command()(web.up)
app.command("serve")(web.serve_command)
app.add_typer(atlas.atlas_app, name="atlas")
app.add_typer(atlas.orgs_app, name="orgs")
app.add_typer(atlas.org_app, name="org")
app.add_typer(review.review_app, name="review")
app.add_typer(atlas.export_app, name="export")
app.add_typer(fetch.fetch_app, name="fetch")
app.add_typer(network.network_app, name="network")
app.add_typer(accounts.users_app, name="users")
app.add_typer(plan.plan_app, name="plan")
app.add_typer(indicators.index_app, name="index")
app.add_typer(indicators.benchmark_app, name="benchmark")
app.add_typer(outcomes.outcomes_app, name="outcomes")
app.add_typer(dialogue.dialogue_app, name="dialogue")


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Map and build regional innovation ecosystems from open data.

    The store is SQLite at ~/.local/share/bioconnect/bioconnect.sqlite unless
    BIOCONNECT_DATABASE_URL names another (postgresql://... works the same way).
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code. User errors print one line without a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        app(args=args, prog_name="bioconnect", standalone_mode=False)
    except BioconnectError as exc:
        if debug:
            raise
        err.print(f"Error: {exc}", markup=False)
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.exceptions.Abort:
        err.print("Aborted.")
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
