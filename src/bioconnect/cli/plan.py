"""``bioconnect plan``: the action plan's import, lint, ranking, versions and history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bioconnect.cli.options import FormatOption, actor
from bioconnect.cli.output import check_format, err, out, print_frame, print_json
from bioconnect.errors import BioconnectError

plan_app = typer.Typer(
    help="The action plan: import, lint, rank, versions and history.", no_args_is_help=True
)

RegionOption = Annotated[
    str | None,
    typer.Option("--region", help="Which region's plan (default: the store's only plan)."),
]


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(help="The plan: a .yaml, .yml or .xlsx file.")],
    preset: Annotated[
        str,
        typer.Option("--preset", help="Plan configuration: preset name or path to a plan.yaml."),
    ] = "baltic",
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep stored records that the file does not list.")
    ] = False,
) -> None:
    """Store a plan from a YAML or XLSX file (checked first; audited; re-importing is harmless).

    Records are matched by id; those missing from the file are removed unless --keep is given.

    \b
    Example:
        bioconnect plan import examples/baltic-action-plan.example.yaml
    """
    from bioconnect.services.plan import import_plan
    from bioconnect.services.store import connect

    report = import_plan(connect(), file, actor=actor(), replace=not keep, preset=preset)
    err.print(f"Imported {file}: {report.summary()}.")


@plan_app.command("export")
def plan_export(
    file: Annotated[Path, typer.Argument(help="Where to write: .yaml, .yml or .xlsx.")],
    region: RegionOption = None,
) -> None:
    """Write the stored plan to a YAML or XLSX file (importing it back changes nothing).

    \b
    Example:
        bioconnect plan export plan.xlsx
    """
    from bioconnect.services.plan import export_plan
    from bioconnect.services.store import connect

    path = export_plan(connect(), file, region=region)
    err.print(f"Wrote {path}.")


@plan_app.command("lint")
def plan_lint(fmt: FormatOption = "table", region: RegionOption = None) -> None:
    """Check the stored plan; exits with 1 when a finding is an error.

    \b
    Example:
        bioconnect plan lint --format json
    """
    from dataclasses import asdict

    from bioconnect.services.plan import lint_plan
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    findings = lint_plan(connect(), region=region)
    if fmt == "json":
        print_json([asdict(f) for f in findings])
    elif findings:
        table = Table()
        for name in ("severity", "rule", "subject"):  # ids are shown whole, never cut
            width = max(len(name), *(len(getattr(f, name)) for f in findings))
            table.add_column(name, no_wrap=True, min_width=width)
        table.add_column("message")
        table.add_column("fix")
        for f in findings:
            table.add_row(f.severity, f.rule, f.subject, f.message, f.fix)
        out.print(table)
    errors = sum(f.severity == "error" for f in findings)
    err.print(f"{len(findings)} finding(s), {errors} error(s).")
    if errors:
        raise BioconnectError(
            f"The plan has {errors} error finding(s).", "Fix them as the fix column says."
        )


@plan_app.command("rank")
def plan_rank(
    samples: Annotated[
        int, typer.Option("--samples", help="Weight draws for the rank intervals.")
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same ranks).")] = 0,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    region: RegionOption = None,
) -> None:
    """Rank the initiatives by weighted score, with 5–95 % rank intervals over uncertain weights.

    \b
    Example:
        bioconnect plan rank --samples 5000 --format csv
    """
    from bioconnect.services.plan import rank_plan
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json", "csv"))
    frame = rank_plan(connect(), samples=samples, seed=seed, region=region)
    print_frame(frame, fmt, None, title="Initiatives by priority")


def _version(engine: Any, text: str, region: str | None) -> str | Path:
    """A version named on the command line: 'current' or a snapshot's name as text, otherwise
    an existing file as a Path (a snapshot wins over a file of the same name)."""
    from bioconnect.errors import NotFoundError
    from bioconnect.services.plan import CURRENT, list_snapshots

    if text == CURRENT:
        return text
    try:
        names = {s.name for s in list_snapshots(engine, region=region)}
    except NotFoundError:
        names = set()
    return Path(text) if text not in names and Path(text).is_file() else text


@plan_app.command("diff")
def plan_diff(
    a: Annotated[str, typer.Argument(help="Old version: 'current', a snapshot or a file.")],
    b: Annotated[str, typer.Argument(help="New version: 'current', a snapshot or a file.")],
    fmt: FormatOption = "table",
    region: RegionOption = None,
) -> None:
    """Show what changed between two versions of the plan, record by record.

    Lines start with + (added), - (removed) or ~ (changed, with the fields).

    \b
    Example:
        bioconnect plan diff before-workshop current
    """
    from bioconnect.services.plan import diff_versions
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    engine = connect()
    diff = diff_versions(
        engine, _version(engine, a, region), _version(engine, b, region), region=region
    )
    if fmt == "json":
        print_json(
            {
                "metadata": [vars(c) for c in diff.metadata],
                "records": [
                    {
                        "kind": r.kind,
                        "id": r.id,
                        "change": r.change,
                        "fields": [vars(c) for c in r.fields],
                    }
                    for r in diff.records
                ],
            }
        )
        return
    if diff.empty:
        err.print(f"No differences between {a} and {b}.")
        return
    out.print(diff.summary(), markup=False)


@plan_app.command("snapshot")
def plan_snapshot(
    name: Annotated[str, typer.Argument(help="The version's name, such as 2025-workshop.")],
    region: RegionOption = None,
) -> None:
    """Keep the plan as it is now under a name, to compare with later (`plan diff`).

    \b
    Example:
        bioconnect plan snapshot before-workshop
    """
    from bioconnect.services.plan import snapshot_plan
    from bioconnect.services.store import connect

    snap = snapshot_plan(connect(), name, actor=actor(), region=region)
    err.print(f"Snapshot {snap.name!r} of the {snap.region} plan ({snap.created_at}).")


@plan_app.command("history")
def plan_history_command(
    entity_id: Annotated[
        str | None, typer.Option("--id", help="Only this record (e.g. an initiative id).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many entries.")] = 50,
    fmt: FormatOption = "table",
    region: RegionOption = None,
) -> None:
    """Who changed what in the plan, newest first (from the audit log).

    \b
    Example:
        bioconnect plan history --id S01
    """
    from bioconnect.services.accounts import Role
    from bioconnect.services.plan import plan_history
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    # the operator of the store reads every name
    entries = plan_history(connect(), entity_id, region=region, limit=limit, viewer=Role.admin)
    if fmt == "json":
        print_json([e.model_dump(mode="json") for e in entries])
        return
    table = Table("when", "who", "action", "record", "id", "detail")
    for e in entries:
        detail = {k: v for k, v in e.detail.items() if k != "plan"}
        table.add_row(
            e.at,
            e.actor,
            e.action,
            e.entity,
            e.entity_id or "",
            json.dumps(detail, ensure_ascii=False, default=str),
        )
    out.print(table)
