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
from typer.exceptions import TyperException

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
    regions,
    reports,
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
app.add_typer(regions.regions_app, name="regions")
app.command("ingest")(ingest.ingest_command)
app.command("import")(ingest.import_command)
app.add_typer(ingest.sources_app, name="sources")
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
app.add_typer(accounts.tokens_app, name="tokens")
app.add_typer(plan.plan_app, name="plan")
app.add_typer(indicators.index_app, name="index")
app.add_typer(indicators.benchmark_app, name="benchmark")
app.add_typer(outcomes.outcomes_app, name="outcomes")
app.add_typer(dialogue.dialogue_app, name="dialogue")
app.add_typer(reports.report_app, name="report")


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Map and build regional innovation ecosystems from open data.

    The store is SQLite at ~/.local/share/bioconnect/bioconnect.sqlite unless
    BIOCONNECT_DATABASE_URL names another (postgresql://... works the same way).
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code.

    A user error prints one line (what is wrong, how to fix it) and returns 1; a usage
    error (unknown command, missing or bad option) prints the usage, a hint and one line,
    and returns 2. No traceback unless ``--debug`` is given. The locked typer carries its
    own copy of click, so both its exceptions and click's are caught.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        app(args=args, prog_name="bioconnect", standalone_mode=False)
    except BioconnectError as exc:
        if debug:
            raise
        err.print(f"Error: {exc}", markup=False)
        return 1
    except (click.exceptions.Exit, typer.Exit) as exc:
        return int(exc.exit_code or 0)
    except (click.exceptions.Abort, typer.Abort, EOFError, KeyboardInterrupt):
        if debug:
            raise
        err.print("Aborted: no input was given. Run the command in a terminal, or see --help.")
        return 1
    except (click.ClickException, TyperException) as exc:
        if debug:
            raise
        _show_usage_error(exc, args)
        return int(getattr(exc, "exit_code", 1))
    return 0


def _show_usage_error(exc: Exception, args: list[str]) -> None:
    """The command's usage (when known), a hint where to find help, and one error line."""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        err.print(ctx.get_usage(), markup=False, highlight=False)
        path = ctx.command_path
    else:
        words = [a for a in args if not a.startswith("-")]
        path = " ".join(["bioconnect", *words[:2]])
    err.print(f"Try '{path} --help' for help.", markup=False, highlight=False)
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    err.print(f"Error: {message}", markup=False, highlight=False)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
