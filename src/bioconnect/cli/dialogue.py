"""``bioconnect dialogue``: consultations, their opinion groups and consensus."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bioconnect.cli.options import actor
from bioconnect.cli.output import check_format, err, out, print_json

dialogue_app = typer.Typer(
    help="Consultations: import Pol.is exports, opinion groups, consensus, reports.",
    no_args_is_help=True,
)

NameArgument = Annotated[str, typer.Argument(help="The consultation's name.")]


def _weights(values: list[str]) -> dict[str, float]:
    from bioconnect.errors import InputError

    found: dict[str, float] = {}
    for value in values:
        group, _, weight = value.partition("=")
        try:
            found[group.strip()] = float(weight)
        except ValueError:
            raise InputError(
                f"--weight {value!r} is not GROUP=NUMBER.", "Write for example --weight industry=2."
            ) from None
    return found


WeightOption = Annotated[
    list[str] | None,
    typer.Option(
        "--weight", help="A stakeholder group's weight, GROUP=NUMBER (repeatable; default 1 each)."
    ),
]


@dialogue_app.command("import")
def dialogue_import(
    folder: Annotated[
        Path, typer.Argument(help="A Pol.is export folder (comments.csv, votes.csv, ...).")
    ],
    name: Annotated[str, typer.Option("--name", help="Name to store the consultation under.")],
) -> None:
    """Store a Pol.is export as a closed consultation (checked first; re-importing is harmless).

    \b
    Example:
        bioconnect dialogue import ../shared/data/polis/brexit-consensus --name brexit
    """
    from bioconnect.services.dialogue import import_polis
    from bioconnect.services.store import connect

    s = import_polis(connect(), folder, name=name, actor=actor())
    err.print(
        f"Imported {s.name}: {s.statements} statements, {s.participants} participants, {s.votes} votes ({s.vote_events} vote events)."
    )


@dialogue_app.command("participants")
def dialogue_participants(
    name: NameArgument,
    file: Annotated[
        Path, typer.Argument(help="CSV: participant, stakeholder_group, country, org_id.")
    ],
) -> None:
    """Link participants to stakeholder groups, countries and atlas organisations.

    An atlas org_id fills a blank stakeholder group and country from the organisation.

    \b
    Example:
        bioconnect dialogue participants brexit participants.csv
    """
    from bioconnect.services.dialogue import link_participants
    from bioconnect.services.store import connect

    n = link_participants(connect(), name, file, actor=actor())
    err.print(f"Linked {n} participants of {name}.")


@dialogue_app.command("export")
def dialogue_export(
    name: NameArgument,
    folder: Annotated[Path, typer.Argument(help="Folder to write the Pol.is export files into.")],
) -> None:
    """Write a consultation as a Pol.is export folder, with our opinion groups as group-id.

    \b
    Example:
        bioconnect dialogue export brexit out/brexit
    """
    from bioconnect.services.dialogue import export_polis, group_of_each_participant
    from bioconnect.services.store import connect

    engine = connect()
    files = export_polis(engine, name, folder, group_of_each_participant(engine, name))
    err.print(f"Wrote {', '.join(str(f) for f in files)}.")


@dialogue_app.command("groups")
def dialogue_groups(
    name: NameArgument,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Opinion groups, computed as Pol.is does; csv gives one row per participant.

    The csv has the export's `participant` id and its `group` (blank when not clustered),
    and the 2-D position (`x`, `y`).

    \b
    Example:
        bioconnect dialogue groups brexit --format csv > groups.csv
    """
    from bioconnect.services.dialogue import consultation_groups
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "csv", "json"))
    result = consultation_groups(connect(), name)
    if fmt == "json":
        print_json(result.model_dump())
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["participant", "group", "x", "y"])
        for p in result.participants:
            writer.writerow(
                [p.participant, "" if p.group is None else p.group, f"{p.x:.6f}", f"{p.y:.6f}"]
            )
        out.print(buffer.getvalue(), end="")
        return
    table = Table(
        "group",
        "participants",
        title=f"{result.n_groups} opinion groups, {result.clustered} clustered",
    )
    for k, size in enumerate(result.sizes):
        table.add_row(str(k), str(size))
    out.print(table)


@dialogue_app.command("consensus")
def dialogue_consensus(
    name: NameArgument,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    weight: WeightOption = None,
    top: Annotated[
        int, typer.Option("--top", help="Statements to list by group-informed consensus.")
    ] = 10,
) -> None:
    """What unites participants: consensus overall, across opinion groups and stakeholder groups.

    \b
    Example:
        bioconnect dialogue consensus brexit --top 5
    """
    from bioconnect.services.dialogue import consultation_consensus
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    result = consultation_consensus(connect(), name, weights=_weights(weight or []))
    if fmt == "json":
        print_json(result.model_dump())
        return
    for direction, items in (("agree", result.agree), ("disagree", result.disagree)):
        table = Table("statement", "share", "z", "text", title=f"Consensus: {direction}")
        for c in items:
            table.add_row(str(c.statement), f"{c.p_success:.2f}", f"{c.p_test:.2f}", c.text)
        out.print(table)
    table = Table(
        "statement", "group-informed", "stakeholders", "text", title="Across opinion groups"
    )
    for s in result.statements[:top]:
        across = "" if s.stakeholder_consensus is None else f"{s.stakeholder_consensus:.3f}"
        table.add_row(str(s.statement), f"{s.group_informed_consensus:.3f}", across, s.text)
    out.print(table)


@dialogue_app.command("report")
def dialogue_report(
    name: NameArgument,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    weight: WeightOption = None,
) -> None:
    """Each opinion group with its representative statements, then the consensus.

    \b
    Example:
        bioconnect dialogue report brexit --format json > brexit-report.json
    """
    from bioconnect.services.dialogue import consultation_report
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    report = consultation_report(connect(), name, weights=_weights(weight or []))
    if fmt == "json":
        print_json(report.model_dump())
        return
    s = report.summary
    out.print(
        f"{s.title} ({s.name}, {s.status}): {s.statements} statements, {s.participants} participants, {s.votes} votes"
    )
    for g in report.groups:
        table = Table(
            "statement",
            "for",
            "share",
            "vs rest",
            "text",
            title=f"Group {g.group} ({g.size} participants)",
        )
        for r in g.representative:
            table.add_row(
                str(r.statement), r.repful_for, f"{r.p_success:.2f}", f"{r.repness:.2f}", r.text
            )
        out.print(table)
    table = Table("statement", "share", "text", title="Consensus: agree")
    for c in report.consensus.agree:
        table.add_row(str(c.statement), f"{c.p_success:.2f}", c.text)
    out.print(table)
