"""The ``bioconnect`` command: a thin loop over the service functions.

Errors a user can cause print one line (what is wrong, how to fix it) and exit 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from bioconnect.errors import BioconnectError

app = typer.Typer(
    name="bioconnect",
    help="Map and build regional innovation ecosystems from open data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
atlas_app = typer.Typer(help="The atlas of a region's organisations.", no_args_is_help=True)
orgs_app = typer.Typer(help="Find organisations.", no_args_is_help=True)
org_app = typer.Typer(help="One organisation.", no_args_is_help=True)
review_app = typer.Typer(help="The entity-resolution review queue.", no_args_is_help=True)
export_app = typer.Typer(help="Export data to files.", no_args_is_help=True)
fetch_app = typer.Typer(help="Download official open data.", no_args_is_help=True)
network_app = typer.Typer(
    help="Collaboration networks: who works with whom, who bridges, who should meet.",
    no_args_is_help=True,
)
app.add_typer(atlas_app, name="atlas")
app.add_typer(orgs_app, name="orgs")
app.add_typer(org_app, name="org")
app.add_typer(review_app, name="review")
app.add_typer(export_app, name="export")
app.add_typer(fetch_app, name="fetch")
app.add_typer(network_app, name="network")
users_app = typer.Typer(help="Accounts and roles for the web app.", no_args_is_help=True)
app.add_typer(users_app, name="users")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PresetOption = Annotated[
    str, typer.Option("--preset", help="Region preset name, or a path to a preset.yaml.")
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Folder with the open data (default: ../shared/data, else downloads)."
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "cli"


class _RichStages:
    """Shows a service's stages as a progress bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def start(self, total: int, description: str) -> None:
        self.task = self.progress.add_task(description, total=total)

    def step(self, description: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=description)


class _RichDownloads:
    """Shows downloads as byte progress bars (the fetch ProgressHook)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def start(self, name: str, total: int | None, completed: int) -> None:
        if name in self.tasks:
            self.progress.update(self.tasks[name], total=total, completed=completed)
        else:
            self.tasks[name] = self.progress.add_task(name, total=total, completed=completed)

    def advance(self, name: str, nbytes: int) -> None:
        self.progress.update(self.tasks[name], advance=nbytes)

    def finish(self, name: str) -> None:
        task = self.tasks[name]
        self.progress.update(task, completed=self.progress.tasks[task].total or 0)


def _stages() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    if fmt not in allowed:
        raise BioconnectError(f"Unknown format {fmt!r}.", f"Use one of: {', '.join(allowed)}.")
    return fmt


def _json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str, ensure_ascii=False))


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Map and build regional innovation ecosystems from open data.

    The store is SQLite at ~/.local/share/bioconnect/bioconnect.sqlite unless
    BIOCONNECT_DATABASE_URL names another (postgresql://... works the same way).
    """


@app.command()
def regions() -> None:
    """List the region presets.

    \b
    Example:
        bioconnect regions
    """
    from bioconnect.model.preset import list_presets

    table = Table("name", "label", "countries", "reference", "sources")
    for preset in list_presets():
        table.add_row(
            preset.name,
            preset.label,
            " ".join(preset.countries),
            " ".join(preset.reference_countries),
            str(len(preset.sources)),
        )
    out.print(table)


def _ingest(preset: str, data_dir: Path | None) -> None:
    from bioconnect.services.fetching import fetch_cordis, needs_download
    from bioconnect.services.ingest import ingest
    from bioconnect.services.store import connect

    engine = connect()
    if needs_download(data_dir):
        err.print("No local data folder; downloading the official CORDIS files.")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=err,
        ) as progress:
            fetch_cordis(preset=preset, progress=_RichDownloads(progress))
    with _stages() as progress:
        report = ingest(engine, preset, data_dir, actor=_actor(), progress=_RichStages(progress))
    counts = report.counts
    err.print(
        f"Ingested {report.preset} from {report.data_dir}: {counts.get('organisation', 0):,} organisations, "
        f"{counts.get('participation', 0):,} participations, {counts.get('project', 0):,} projects, "
        f"{counts.get('repair', 0):,} documented repairs, {report.review_pending} pairs to review "
        f"({report.seconds:.1f} s)."
    )


@app.command("ingest")
def ingest_command(preset: PresetOption = "baltic", data_dir: DataDirOption = None) -> None:
    """Load a region preset's sources into the store (replacing earlier open data).

    \b
    Example:
        bioconnect ingest --preset baltic --data-dir ../shared/data
    """
    _ingest(preset, data_dir)


@app.command("import")
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
    from bioconnect.services.ingest import import_user_source
    from bioconnect.services.store import connect

    with _stages() as progress:
        report = import_user_source(
            connect(), file, mapping, name=name, actor=_actor(), progress=_RichStages(progress)
        )
    err.print(
        f"Imported {file.name}; the store now holds {report.counts.get('organisation', 0):,} organisations, "
        f"{report.review_pending} pairs to review (`bioconnect review list`)."
    )


HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]


def _prepare_web(preset: str) -> None:
    """Build the front-end assets and warm the caches the first page views need."""
    from bioconnect.services.network import NetworkQuery, network_summary, network_view
    from bioconnect.services.store import connect
    from bioconnect.web.assets import build_assets

    with _stages() as progress:
        stages = _RichStages(progress)
        stages.start(3, "Front-end packages (npm)")
        build_assets()
        stages.step("Network layout")
        engine = connect()
        query = NetworkQuery(preset=preset)
        network_view(engine, query)
        stages.step("Network summary")
        network_summary(engine, query)
        stages.step("Ready")


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

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


@app.command()
def up(
    preset: PresetOption = "baltic",
    data_dir: DataDirOption = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web app when done.")
    ] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """The main job: ingest the preset, print the atlas summary, and serve the web app.

    \b
    Example:
        bioconnect up
        bioconnect up --no-serve
    """
    _ingest(preset, data_dir)
    summary(fmt="table", preset=preset)
    _prepare_web(preset)
    if serve:
        _serve(host, port, 1)


@app.command("serve")
def serve_command(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="Worker processes (PostgreSQL: one per core)."
        ),
    ] = 1,
) -> None:
    """Serve the web app and the REST API (/api/v1) on the configured store.

    With PostgreSQL (BIOCONNECT_DATABASE_URL=postgresql://...) use several workers;
    SQLite serves one machine's users well with one.

    \b
    Example:
        bioconnect serve --port 8000
        BIOCONNECT_DATABASE_URL=postgresql://bioconnect@db/bioconnect bioconnect serve --host 0.0.0.0 --workers 4
    """
    from bioconnect.web.assets import assets_ready, build_assets

    if not assets_ready():
        build_assets()
    _serve(host, port, workers)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name (lower case).")],
    role: Annotated[
        str, typer.Option("--role", help="admin, editor, stakeholder or viewer.")
    ] = "viewer",
    display_name: Annotated[str | None, typer.Option("--name", help="Full name shown.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account. The password is asked for (or read from stdin), never an argument.

    \b
    Example:
        bioconnect users add alice --role editor --name "Alice Tamm"
    """
    from bioconnect.services.accounts import add_user
    from bioconnect.services.store import connect

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise BioconnectError("The two passwords differ.", "Type the same password twice.")
    user = add_user(connect(), username, password, role, display_name=display_name, actor=_actor())
    err.print(f"Added {user.username} ({user.role.name}).")


@users_app.command("list")
def users_list(fmt: FormatOption = "table") -> None:
    """List the accounts and their roles.

    \b
    Example:
        bioconnect users list --format json
    """
    from bioconnect.services.accounts import list_users
    from bioconnect.services.store import connect

    rows = list_users(connect())
    if _check_format(fmt, ("table", "json")) == "json":
        _json(rows)
        return
    table = Table("user", "name", "role", "active", "since")
    for row in rows:
        table.add_row(
            row["username"],
            row["display_name"] or "",
            row["role"],
            "yes" if row["active"] else "no",
            row["created_at"],
        )
    out.print(table)


@users_app.command("set-role")
def users_set_role(
    username: Annotated[str, typer.Argument(help="The account.")],
    role: Annotated[str, typer.Argument(help="admin, editor, stakeholder or viewer.")],
) -> None:
    """Change an account's role (audited).

    \b
    Example:
        bioconnect users set-role alice admin
    """
    from bioconnect.services.accounts import set_role
    from bioconnect.services.store import connect

    user = set_role(connect(), username, role, actor=_actor())
    err.print(f"{user.username} is now {user.role.name}.")


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

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=err,
    ) as progress:
        results = fetch_cordis(
            cache_dir,
            base_url=base_url,
            preset=preset,
            force=force,
            progress=_RichDownloads(progress),
        )
    for result in results:
        state = "cached" if result.from_cache else ("resumed" if result.resumed else "downloaded")
        out.print(f"{result.path}  {result.size:,} bytes  sha256 {result.sha256[:12]}  {state}")


@atlas_app.command("summary")
def summary(
    fmt: FormatOption = "table",
    preset: PresetOption = "baltic",
) -> None:
    """Counts by country, stakeholder group, domain and programme, with EC contribution.

    \b
    Example:
        bioconnect atlas summary --format json
    """
    from bioconnect.services.atlas import atlas_summary
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json"))
    data = atlas_summary(connect(), preset)
    if fmt == "json":
        _json(data)
        return
    programmes = sorted({p for c in data["countries"].values() for p in c["participations"]})
    table = Table(title=f"{data['label']}: EU research participation", caption=data["attribution"])
    table.add_column("country")
    table.add_column("role")
    table.add_column("organisations", justify="right")
    for programme in programmes:
        table.add_column(f"{programme} participations", justify="right")
        table.add_column(f"{programme} EC € m", justify="right")
    for code, entry in data["countries"].items():
        cells = [code, entry["role"], f"{entry['organisations']:,}"]
        for programme in programmes:
            cells.append(f"{entry['participations'].get(programme, 0):,}")
            cells.append(f"{entry['ec_contribution_eur'].get(programme, 0.0) / 1e6:,.1f}")
        table.add_row(*cells)
    out.print(table)
    groups = sorted({g for c in data["countries"].values() for g in c["by_group"]})
    by_group = Table(title="Organisations by stakeholder group")
    by_group.add_column("country")
    for group in groups:
        by_group.add_column(group, justify="right")
    for code, entry in data["countries"].items():
        by_group.add_row(
            code, *[f"{entry['by_group'].get(g, {}).get('organisations', 0):,}" for g in groups]
        )
    out.print(by_group)
    domains = sorted({d for c in data["countries"].values() for d in c["by_domain"]})
    by_domain = Table(title="Participations by biotech domain (a project may have several)")
    by_domain.add_column("country")
    for domain in domains:
        by_domain.add_column(domain, justify="right")
    for code, entry in data["countries"].items():
        by_domain.add_row(
            code, *[f"{entry['by_domain'].get(d, {}).get('participations', 0):,}" for d in domains]
        )
    out.print(by_domain)


@orgs_app.command("search")
def orgs_search(
    text: Annotated[str, typer.Argument(help="Part of a name, or a PIC.")],
    country: Annotated[
        str | None, typer.Option("--country", help="Only this country (e.g. EE).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many results.")] = 20,
    fmt: FormatOption = "table",
) -> None:
    """Find organisations by name, name variant or identifier.

    \b
    Example:
        bioconnect orgs search tartu --country EE
    """
    from bioconnect.services.organisations import SUMMARY_COLUMNS, search_organisations
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json"))
    rows = search_organisations(connect(), text, country=country, limit=limit)
    if fmt == "json":
        _json(rows)
        return
    if not rows:
        err.print(f"No organisation matches {text!r}.")
        return
    table = Table(*SUMMARY_COLUMNS)
    for row in rows:
        table.add_row(*["" if row[c] is None else str(row[c]) for c in SUMMARY_COLUMNS])
    out.print(table)


@org_app.command("show")
def org_show(
    ident: Annotated[str, typer.Argument(metavar="ID", help="Organisation id, PIC or VAT number.")],
    fmt: FormatOption = "table",
) -> None:
    """Projects, partners, funding and provenance of one organisation.

    \b
    Example:
        bioconnect org show 999895013
    """
    from bioconnect.services.organisations import organisation_detail
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json"))
    data = organisation_detail(connect(), ident)
    if fmt == "json":
        _json(data)
        return
    org = data["organisation"]
    out.print(
        f"[bold]{org['name']}[/bold]  id {org['id']}  ({org['country']}, {org['stakeholder_group']})"
    )
    out.print(
        "identifiers: " + ", ".join(f"{i['scheme']} {i['value']}" for i in data["identifiers"])
    )
    if len(data["names"]) > 1:
        out.print("names: " + " | ".join(n["name"] for n in data["names"]))
    for programme, f in data["funding"].items():
        out.print(
            f"{programme}: {f['participations']} participations, EC € {f['ec_contribution_eur']:,.0f}"
        )
    prov = Table("field", "value", "source", "file", "row", "repairs", title="Provenance")
    for p in data["provenance"]:
        prov.add_row(
            p["field"], str(p["value"]), p["source"], p["file"], str(p["row"]), p["repairs"] or ""
        )
    out.print(prov)
    projects = Table(
        "project", "acronym", "programme", "start", "role", "EC €", "file", "row", title="Projects"
    )
    for p in data["projects"][:30]:
        projects.add_row(
            p["project_id"],
            p["acronym"] or "",
            p["programme"] or "",
            str(p["start_year"] or ""),
            p["role"] or "",
            f"{p['ec_contribution']:,.0f}" if p["ec_contribution"] is not None else "",
            p["file"],
            str(p["row"]),
        )
    out.print(projects)
    if len(data["projects"]) > 30:
        out.print(f"... and {len(data['projects']) - 30} more (use --format json for all).")
    partners = Table("partner", "name", "country", "group", "shared projects", title="Top partners")
    for p in data["partners"]:
        partners.add_row(
            p["id"],
            p["name"] or "",
            p["country"] or "",
            p["stakeholder_group"] or "",
            str(p["shared_projects"]),
        )
    out.print(partners)


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

    _check_format(fmt, ("table", "json"))
    rows = list_candidates(connect(), status, limit)
    if fmt == "json":
        _json(rows)
        return
    if not rows:
        err.print(f"No {status} pairs.")
        return
    table = Table("id", "probability", "record", "candidate", "evidence")
    for row in rows:
        table.add_row(
            str(row["id"]),
            f"{row['probability']:.3f}",
            f"{row['left_name']} ({row['left_key']})",
            f"{row['right_name']} ({row['right_key']})",
            row["evidence"] or "",
        )
    out.print(table)


def _decide(pair_id: int, same: bool, note: str | None) -> None:
    from bioconnect.services.review import decide
    from bioconnect.services.store import connect

    result = decide(connect(), pair_id, same, actor=_actor(), note=note)
    verdict = "merged into" if same else "kept apart from"
    err.print(
        f"{result['left_key']} {verdict} {result['right_key']} (organisation {result['org_id']}); "
        f"{result['pending']} pairs left to review."
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


@export_app.command("organisations")
def export_organisations_command(
    path: Annotated[Path, typer.Argument(help="Output file: .csv, .xlsx or .geojson.")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="csv, xlsx or geojson.")] = None,
    preset: PresetOption = "baltic",
    countries: Annotated[
        str | None, typer.Option("--countries", help="Comma-separated, e.g. EE,LV.")
    ] = None,
    all_countries: Annotated[
        bool, typer.Option("--all", help="Every country, not just the region.")
    ] = False,
) -> None:
    """Export organisations with identifiers, group, domains and location.

    \b
    Example:
        bioconnect export organisations baltic.geojson
    """
    from bioconnect.services.export import export_organisations
    from bioconnect.services.store import connect

    chosen = [c.strip() for c in countries.split(",") if c.strip()] if countries else None
    if fmt is not None:
        _check_format(fmt, ("csv", "xlsx", "geojson"))
    n = export_organisations(
        connect(),
        path,
        fmt,  # type: ignore[arg-type]
        preset=None if all_countries else preset,
        countries=chosen,
    )
    err.print(f"Wrote {n:,} organisations to {path}.")


# --- network -----------------------------------------------------------------------

CountriesOption = Annotated[
    str | None,
    typer.Option("--countries", help="Comma-separated country codes (default: the preset's)."),
]
ScopeOption = Annotated[
    str, typer.Option("--scope", help="region, or region_plus_partners to add partners abroad.")
]
ProgrammeOption = Annotated[
    str | None, typer.Option("--programme", help="H2020 and/or HORIZON, comma-separated.")
]
DomainOption = Annotated[
    str | None, typer.Option("--domain", help="Only projects in these domains (comma-separated).")
]
GroupOption = Annotated[
    str | None, typer.Option("--group", help="Only these stakeholder groups (comma-separated).")
]
FromOption = Annotated[int | None, typer.Option("--from", help="First project start year.")]
ToOption = Annotated[int | None, typer.Option("--to", help="Last project start year.")]
WeightOption = Annotated[str, typer.Option("--weight", help="projects, fractional or funding.")]
RefreshOption = Annotated[
    bool, typer.Option("--refresh", help="Recompute instead of using the cached result.")
]


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip()) if text else ()


def _query(
    preset: str,
    countries: str | None,
    scope: str,
    programme: str | None,
    domain: str | None,
    group: str | None,
    start: int | None,
    end: int | None,
    weight: str,
) -> Any:
    from bioconnect.services.network import NetworkQuery

    return NetworkQuery(
        preset=preset,
        countries=_split(countries),
        scope=scope,
        programmes=_split(programme),
        domains=_split(domain),
        stakeholder_groups=_split(group),
        start_year=start,
        end_year=end,
        weight=weight,
    )


def _print_frame(frame: Any, fmt: str, output: Path | None, title: str | None = None) -> None:
    if fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=1)
    else:
        table = Table(*[str(c) for c in frame.columns], title=title)
        for row in frame.itertuples(index=False):
            table.add_row(
                *[
                    "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
                    for v in row
                ]
            )
        out.print(table)
        return
    if output is not None:
        output.write_text(text, encoding="utf-8")
        err.print(f"Wrote {len(frame):,} rows to {output}.")
    else:
        out.print(text, markup=False, highlight=False)


@network_app.command("build")
def network_build(
    preset: PresetOption = "baltic",
    countries: CountriesOption = None,
    scope: ScopeOption = "region",
    programme: ProgrammeOption = None,
    domain: DomainOption = None,
    group: GroupOption = None,
    start: FromOption = None,
    end: ToOption = None,
    weight: WeightOption = "projects",
    fmt: FormatOption = "table",
    refresh: RefreshOption = False,
) -> None:
    """Build the network and report its size, density, fragmentation, cross-border share and brokers.

    \b
    Example:
        bioconnect network build --countries EE,LV,LT,FI --from 2014 --to 2020
    """
    from bioconnect.services.network import network_summary
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json"))
    data = network_summary(
        connect(),
        _query(preset, countries, scope, programme, domain, group, start, end, weight),
        refresh=refresh,
    )
    if fmt == "json":
        _json(data)
        return
    structure = data["structure"]
    table = Table("measure", "value", title="Collaboration network")
    for key, value in structure.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    table.add_row("cross-border share (weighted)", f"{data['cross_border_share']['weighted']:.4g}")
    table.add_row("core-periphery correlation", f"{data['core_periphery']['correlation']:.4g}")
    table.add_row("main core k", str(data["core_periphery"]["main_core_k"]))
    out.print(table)
    brokers = data["brokers_between_countries"]
    if brokers:
        import pandas as pd

        _print_frame(pd.DataFrame(brokers), "table", None, title="Top brokers between countries")


@network_app.command("metrics")
def network_metrics_command(
    preset: PresetOption = "baltic",
    countries: CountriesOption = None,
    scope: ScopeOption = "region",
    programme: ProgrammeOption = None,
    domain: DomainOption = None,
    group: GroupOption = None,
    start: FromOption = None,
    end: ToOption = None,
    weight: WeightOption = "projects",
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json or table.")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    refresh: RefreshOption = False,
) -> None:
    """Per organisation: degree, strength, PageRank, eigenvector, k-core, clustering, betweenness, constraint, cross-border share, community.

    \b
    Example:
        bioconnect network metrics --format csv --output metrics.csv
    """
    from bioconnect.services.network import network_metrics
    from bioconnect.services.store import connect

    _check_format(fmt, ("csv", "json", "table"))
    frame = network_metrics(
        connect(),
        _query(preset, countries, scope, programme, domain, group, start, end, weight),
        refresh=refresh,
    )
    _print_frame(frame, fmt, output)


@network_app.command("communities")
def network_communities_command(
    preset: PresetOption = "baltic",
    countries: CountriesOption = None,
    scope: ScopeOption = "region",
    programme: ProgrammeOption = None,
    domain: DomainOption = None,
    group: GroupOption = None,
    start: FromOption = None,
    end: ToOption = None,
    weight: WeightOption = "projects",
    resolution: Annotated[float, typer.Option("--resolution", help="Leiden resolution.")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (runs are reproducible).")] = 0,
    fmt: FormatOption = "table",
    refresh: RefreshOption = False,
) -> None:
    """Leiden communities (connected, seeded) with their modularity.

    \b
    Example:
        bioconnect network communities --seed 1
    """
    from bioconnect.services.network import network_communities
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json"))
    data = network_communities(
        connect(),
        _query(preset, countries, scope, programme, domain, group, start, end, weight),
        resolution=resolution,
        seed=seed,
        refresh=refresh,
    )
    if fmt == "json":
        _json(data)
        return
    out.print(f"{data['n_communities']} communities, modularity {data['modularity']:.4f}")
    table = Table("community", "size", "countries", "largest members")
    for c in data["communities"][:20]:
        names = ", ".join((m["name"] or m["org_id"]) for m in c["members"][:3])
        countries_text = " ".join(f"{k}:{v}" for k, v in c["countries"].items())
        table.add_row(str(c["community"]), str(c["size"]), countries_text, names)
    out.print(table)


@network_app.command("matrix")
def network_matrix_command(
    preset: PresetOption = "baltic",
    countries: CountriesOption = None,
    scope: ScopeOption = "region",
    programme: ProgrammeOption = None,
    domain: DomainOption = None,
    group: GroupOption = None,
    start: FromOption = None,
    end: ToOption = None,
    weight: WeightOption = "projects",
    normalise: Annotated[
        str | None, typer.Option("--normalise", help="total, row or salton.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    refresh: RefreshOption = False,
) -> None:
    """Country × country collaboration matrix, in counts or normalised.

    \b
    Example:
        bioconnect network matrix --normalise salton
    """
    from bioconnect.services.network import network_matrix
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "csv", "json"))
    frame = network_matrix(
        connect(),
        _query(preset, countries, scope, programme, domain, group, start, end, weight),
        normalise=normalise,
        refresh=refresh,
    )
    _print_frame(
        frame.reset_index(names="country"), fmt, None, title="Collaboration between countries"
    )


@network_app.command("recommend")
def network_recommend_command(
    org: Annotated[
        str | None, typer.Option("--org", help="Organisation id or PIC (default: whole region).")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many suggestions.")] = 10,
    preset: PresetOption = "baltic",
    countries: CountriesOption = None,
    scope: ScopeOption = "region",
    programme: ProgrammeOption = None,
    domain: DomainOption = None,
    group: GroupOption = None,
    start: FromOption = None,
    end: ToOption = None,
    weight: WeightOption = "projects",
    fmt: FormatOption = "table",
    refresh: RefreshOption = False,
) -> None:
    """Suggest partners who do not work together yet, each with the reason why.

    \b
    Example:
        bioconnect network recommend --org 999895013 --top 5
    """
    from bioconnect.services.network import network_recommendations
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json", "csv"))
    frame = network_recommendations(
        connect(),
        _query(preset, countries, scope, programme, domain, group, start, end, weight),
        org,
        top=top,
        refresh=refresh,
    )
    if fmt != "table":
        _print_frame(frame, fmt, None)
        return
    for row in frame.itertuples(index=False):
        out.print(
            f"[bold]{row.org_name}[/bold] ({row.org_id}) + [bold]{row.partner_name}[/bold] ({row.partner_id}, {row.partner_country}): score {row.score:.3f}"
        )
        out.print(f"  {row.explanation}", markup=False)


@network_app.command("export")
def network_export_command(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="File to write (csv writes -nodes.csv and -edges.csv)."
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="graphml, gexf, csv or json (graphology).")
    ] = "gexf",
    preset: PresetOption = "baltic",
    countries: CountriesOption = None,
    scope: ScopeOption = "region",
    programme: ProgrammeOption = None,
    domain: DomainOption = None,
    group: GroupOption = None,
    start: FromOption = None,
    end: ToOption = None,
    weight: WeightOption = "projects",
) -> None:
    """Export the network for Gephi (GEXF, GraphML), spreadsheets (CSV) or the web (JSON).

    \b
    Example:
        bioconnect network export --format gexf --output baltic.gexf
    """
    from bioconnect.services.network import export_network
    from bioconnect.services.store import connect

    _check_format(fmt, ("graphml", "gexf", "csv", "json"))
    paths = export_network(
        connect(),
        _query(preset, countries, scope, programme, domain, group, start, end, weight),
        fmt,  # type: ignore[arg-type]
        output,
    )
    for path in paths:
        err.print(f"Wrote {path}.")


@network_app.command("timeline")
def network_timeline_command(
    first: Annotated[int | None, typer.Option("--first", help="First year.")] = None,
    last: Annotated[int | None, typer.Option("--last", help="Last year.")] = None,
    window: Annotated[int, typer.Option("--window", help="Years per snapshot (rolling).")] = 1,
    cumulative: Annotated[
        bool, typer.Option("--cumulative", help="Each snapshot includes all earlier years.")
    ] = False,
    preset: PresetOption = "baltic",
    countries: CountriesOption = None,
    scope: ScopeOption = "region",
    programme: ProgrammeOption = None,
    weight: WeightOption = "projects",
    fmt: FormatOption = "table",
) -> None:
    """The network's measures per year (or rolling window), e.g. the growth of EE–LV–LT–FI links.

    \b
    Example:
        bioconnect network timeline --first 2014 --last 2020
    """
    import pandas as pd

    from bioconnect.services.network import network_timeline
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json"))
    data = network_timeline(
        connect(),
        _query(preset, countries, scope, programme, None, None, None, None, weight),
        first_year=first,
        last_year=last,
        window=window,
        cumulative=cumulative,
    )
    if fmt == "json":
        _json(data)
        return
    summary = pd.DataFrame(data["summary"])
    table = Table(
        "years",
        "organisations",
        "ties",
        "density",
        "cross-border",
        "components",
        "modularity",
        title="Network per period",
    )
    for row in summary.itertuples(index=False):
        years = (
            str(row.start_year)
            if row.start_year == row.end_year
            else f"{row.start_year}–{row.end_year}"
        )
        table.add_row(
            years,
            f"{row.n_nodes:,}",
            f"{row.n_edges:,}",
            f"{row.density:.4f}",
            f"{row.cross_border_edge_share:.3f}",
            str(row.n_components),
            f"{row.modularity:.3f}" if pd.notna(row.modularity) else "",
        )
    out.print(table)
    links = pd.DataFrame(data["country_links"])
    if not links.empty:
        links = links[links["country_a"] != links["country_b"]]
        links["pair"] = links["country_a"] + "–" + links["country_b"]
        pivot = links.pivot_table(
            index="start_year", columns="pair", values="edges", aggfunc="sum", fill_value=0
        )
        cross = Table("from", *pivot.columns, title="Cross-border ties per period")
        for year, row in pivot.iterrows():
            cross.add_row(str(year), *[str(int(v)) for v in row])
        out.print(cross)


@network_app.command("evaluate")
def network_evaluate_command(
    train_end: Annotated[
        int, typer.Option("--train-end", help="Train on projects starting up to this year.")
    ] = 2017,
    preset: PresetOption = "baltic",
    countries: CountriesOption = None,
    scope: ScopeOption = "region",
    fmt: FormatOption = "table",
) -> None:
    """Evaluate the partner recommendations honestly: train on the past, test on new links.

    \b
    Example:
        bioconnect network evaluate --train-end 2017
    """
    import pandas as pd

    from bioconnect.services.network import network_evaluation
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json"))
    data = network_evaluation(
        connect(),
        _query(preset, countries, scope, None, None, None, None, None, "projects"),
        train_end=train_end,
    )
    if fmt == "json":
        _json(data)
        return
    out.print(
        f"train: {data['train_nodes']} organisations, {data['train_edges']} ties; "
        f"test: {data['positives']} new ties among {data['candidates']:,} candidate pairs"
    )
    _print_frame(pd.DataFrame(data["table"]), "table", None, title="Temporal hold-out")


# --- action plans ---------------------------------------------------------------------

plan_app = typer.Typer(
    help="The action plan: import, lint, rank, versions and history.", no_args_is_help=True
)
app.add_typer(plan_app, name="plan")

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

    report = import_plan(connect(), file, actor=_actor(), replace=not keep, preset=preset)
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

    _check_format(fmt, ("table", "json"))
    findings = lint_plan(connect(), region=region)
    if fmt == "json":
        _json([asdict(f) for f in findings])
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

    _check_format(fmt, ("table", "json", "csv"))
    frame = rank_plan(connect(), samples=samples, seed=seed, region=region)
    _print_frame(frame, fmt, None, title="Initiatives by priority")


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

    _check_format(fmt, ("table", "json"))
    diff = diff_versions(connect(), a, b, region=region)
    if fmt == "json":
        _json(
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

    snap = snapshot_plan(connect(), name, actor=_actor(), region=region)
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
    from bioconnect.services.plan import plan_history
    from bioconnect.services.store import connect

    _check_format(fmt, ("table", "json"))
    entries = plan_history(connect(), entity_id, region=region, limit=limit)
    if fmt == "json":
        _json(entries)
        return
    table = Table("when", "who", "action", "record", "id", "detail")
    for e in entries:
        detail = {k: v for k, v in e["detail"].items() if k != "plan"}
        table.add_row(
            e["at"],
            e["actor"],
            e["action"],
            e["entity"],
            e["entity_id"] or "",
            json.dumps(detail, ensure_ascii=False, default=str),
        )
    out.print(table)


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
