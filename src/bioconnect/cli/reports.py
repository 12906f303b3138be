"""``bioconnect report``: the status report, the action plan and the evaluation plan as
HTML, PDF or Word, each kept as an edition; list, export and compare editions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bioconnect.cli.options import PresetOption, actor
from bioconnect.cli.output import RichStages, err, out, print_json, stage_progress

report_app = typer.Typer(
    help="Reports from the store: status report, action plan, evaluation plan (HTML, PDF, DOCX).",
    no_args_is_help=True,
)

FormatOption = Annotated[str, typer.Option("--format", "-f", help="html, pdf or docx.")]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (default: a name in the current folder)."
    ),
]
TimestampOption = Annotated[
    str | None,
    typer.Option(
        "--timestamp",
        help="The time the report states (ISO 8601, UTC); default now. The same data, "
        "parameters and timestamp give the same bytes.",
    ),
]


def _make(kind: str, fmt: str, output: Path | None, preset: str, timestamp: str | None) -> None:
    from bioconnect.services.reports import check_format, make_report
    from bioconnect.services.store import connect

    check_format(fmt)
    with stage_progress() as progress:
        made = make_report(
            connect(),
            kind,
            fmt,
            preset=preset,
            actor=actor(),
            created=timestamp,
            progress=RichStages(progress),
        )
    target = output or Path(made.filename)
    target.write_bytes(made.content)
    err.print(f"Wrote {target} ({len(made.content):,} bytes), edition {made.edition}.")


#: Each report's help: what it holds, and an example.
_HELP = {
    "status": """The status report: the atlas, the network, the benchmark, the dialogue, and where
    to cooperate, against the preset's reference countries.

    Needs an ingest and a scoreboard edition (`bioconnect benchmark import FILE`).

    \b
    Example:
        bioconnect report status --format pdf -o baltic-status.pdf
    """,
    "plan": """The action plan: goals and their evidence, initiatives by pillar with owners,
    budgets, timelines, KPIs and priorities, and the lint findings that remain.

    \b
    Example:
        bioconnect report plan --format docx -o action-plan.docx
    """,
    "evaluation": """The evaluation and dissemination plan: each KPI's definition, source,
    baseline, target, frequency and owner, its status and forecast, and the questions per
    pillar.

    \b
    Example:
        bioconnect report evaluation --format pdf
    """,
}


def _report_command(kind: str) -> Callable[..., None]:
    def command(
        fmt: FormatOption = "html",
        output: OutputOption = None,
        preset: PresetOption = "baltic",
        timestamp: TimestampOption = None,
    ) -> None:
        _make(kind, fmt, output, preset, timestamp)

    command.__doc__ = _HELP[kind]
    command.__name__ = kind
    return command


for _kind in _HELP:
    report_app.command(_kind)(_report_command(_kind))


@report_app.command("editions")
def editions(
    kind: Annotated[str | None, typer.Option("--kind", help="status, plan or evaluation.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """The stored editions, newest first.

    \b
    Example:
        bioconnect report editions --kind status
    """
    from bioconnect.cli.output import check_format
    from bioconnect.services.reports import check_kind, list_editions
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    rows = list_editions(connect(), check_kind(kind) if kind else None)
    if fmt == "json":
        print_json([r.model_dump() for r in rows])
        return
    table = Table("Edition", "Report", "Preset", "Created", "By", "Data version")
    for r in rows:
        table.add_row(str(r.id), r.title, r.preset, r.created_at, r.created_by, str(r.data_version))
    out.print(table)


@report_app.command("export")
def export(
    edition: Annotated[int, typer.Argument(help="The edition's number (`report editions`).")],
    fmt: FormatOption = "pdf",
    output: OutputOption = None,
) -> None:
    """Write a stored edition again, as HTML, PDF or Word: the same bytes every time.

    \b
    Example:
        bioconnect report export 3 --format pdf -o status-3.pdf
    """
    from bioconnect.services.reports import edition_file
    from bioconnect.services.store import connect

    made = edition_file(connect(), edition, fmt)
    target = output or Path(made.filename)
    target.write_bytes(made.content)
    err.print(f"Wrote {target} ({len(made.content):,} bytes).")


@report_app.command("diff")
def diff(
    before: Annotated[int, typer.Argument(help="The older edition's number.")],
    after: Annotated[int, typer.Argument(help="The newer edition's number.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """The key figures that changed between two editions.

    \b
    Example:
        bioconnect report diff 3 5
    """
    from bioconnect.cli.output import check_format
    from bioconnect.services.reports import diff_editions
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    found = diff_editions(connect(), before, after)
    if fmt == "json":
        print_json(found.model_dump())
        return
    if not found.changes:
        out.print(f"Editions {before} and {after} have the same key figures.")
        return
    table = Table("Key figure", f"Edition {before}", f"Edition {after}", "Change")
    for c in found.changes:
        table.add_row(c.name, c.before or "–", c.after or "–", c.kind)
    out.print(table)
