"""``bioconnect review``: the entity-resolution review queue."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bioconnect.cli.options import FormatOption, actor
from bioconnect.cli.output import check_format, err, out, print_json

review_app = typer.Typer(help="The entity-resolution review queue.", no_args_is_help=True)


@review_app.command("list")
def review_list(
    status: Annotated[
        str, typer.Option("--status", help="pending, auto, accepted, rejected or below.")
    ] = "pending",
    limit: Annotated[int, typer.Option("--limit")] = 50,
    fmt: FormatOption = "table",
) -> None:
    """Pairs of records that may be the same organisation, waiting for a decision.

    \b
    Example:
        bioconnect review list
    """
    from bioconnect.services.review import list_candidates
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    rows = list_candidates(connect(), status, limit)
    if fmt == "json":
        print_json([row.model_dump(mode="json") for row in rows])
        return
    if not rows:
        err.print(f"No {status} pairs.")
        return
    table = Table("id", "probability", "record", "candidate", "evidence")
    for row in rows:
        table.add_row(
            str(row.id),
            f"{row.probability:.3f}",
            f"{row.left_name} ({row.left_key})",
            f"{row.right_name} ({row.right_key})",
            row.evidence or "",
        )
    out.print(table)


def _decide(pair_id: int, same: bool, note: str | None) -> None:
    from bioconnect.services.review import decide
    from bioconnect.services.store import connect

    result = decide(connect(), pair_id, same, actor=actor(), note=note)
    verdict = "merged into" if same else "kept apart from"
    err.print(
        f"{result.left_key} {verdict} {result.right_key} (organisation {result.org_id}); "
        f"{result.pending} pairs left to review."
    )


NoteOption = Annotated[str | None, typer.Option("--note", help="Why (kept in the audit log).")]


@review_app.command("accept")
def review_accept(
    pair_id: Annotated[int, typer.Argument(metavar="ID")], note: NoteOption = None
) -> None:
    """Decide that a pair is the same organisation, and merge it.

    \b
    Example:
        bioconnect review accept 12 --note "same address"
    """
    _decide(pair_id, True, note)


@review_app.command("reject")
def review_reject(
    pair_id: Annotated[int, typer.Argument(metavar="ID")], note: NoteOption = None
) -> None:
    """Decide that a pair are different organisations; they are never merged.

    \b
    Example:
        bioconnect review reject 12
    """
    _decide(pair_id, False, note)
