"""The atlas of a region's organisations: ``atlas summary``, ``orgs search``, ``org show``
and ``export organisations``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from bioconnect.cli.options import FormatOption, PresetOption
from bioconnect.cli.output import check_format, err, out, print_json
from bioconnect.errors import BioconnectError

atlas_app = typer.Typer(help="The atlas of a region's organisations.", no_args_is_help=True)
orgs_app = typer.Typer(help="Find organisations.", no_args_is_help=True)
org_app = typer.Typer(help="One organisation.", no_args_is_help=True)
export_app = typer.Typer(help="Export data to files.", no_args_is_help=True)


@atlas_app.command("summary")
def summary(
    fmt: FormatOption = "table",
    preset: PresetOption = "baltic",
    scope: Annotated[
        str, typer.Option(help="focus: the preset's focus (the default); all: all research.")
    ] = "focus",
) -> None:
    """Counts by country, stakeholder group, domain and programme, with EC contribution,
    and the share of named organisations; the preset's focus unless --scope all.

    \b
    Example:
        bioconnect atlas summary --format json
        bioconnect atlas summary --scope all
    """
    from bioconnect.services.atlas import atlas_summary
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    if scope not in ("focus", "all"):
        raise BioconnectError(f"Unknown scope {scope!r}.", "Use --scope focus or --scope all.")
    data = atlas_summary(connect(), preset, "all" if scope == "all" else "focus")
    if fmt == "json":
        print_json(data.model_dump(mode="json"))
        return
    out.print(f"Scope: {data.scope.label}", markup=False)
    for note in data.scope.notes:
        out.print(f"  {note}", markup=False)
    programmes = sorted({p for c in data.countries.values() for p in c.participations})
    table = Table(
        title=f"{data.label}: EU research participation ({data.scope.label})",
        caption=data.attribution,
    )
    table.add_column("country")
    table.add_column("role")
    table.add_column("organisations", justify="right")
    table.add_column("named", justify="right")
    for programme in programmes:
        table.add_column(f"{programme} participations", justify="right")
        table.add_column(f"{programme} EC € m", justify="right")
    for code, entry in data.countries.items():
        named = data.named.by_country.get(code)
        share = f"{named.share:.1%}" if named and named.share is not None else "–"
        cells = [code, entry.role, f"{entry.organisations:,}", share]
        for programme in programmes:
            cells.append(f"{entry.participations.get(programme, 0):,}")
            cells.append(f"{entry.ec_contribution_eur.get(programme, 0.0) / 1e6:,.1f}")
        table.add_row(*cells)
    out.print(table)
    total = f"{data.named.share:.1%}" if data.named.share is not None else "–"
    out.print(
        f"Named organisations: {total} ({data.named.named:,} of {data.named.organisations:,}); "
        "the others are known only by their PIC in the files loaded.",
        markup=False,
    )
    groups = sorted({g for c in data.countries.values() for g in c.by_group})
    by_group = Table(title="Organisations by stakeholder group")
    by_group.add_column("country")
    for group in groups:
        by_group.add_column(group, justify="right")
    for code, entry in data.countries.items():
        by_group.add_row(
            code, *[f"{_figure(entry.by_group, g, 'organisations'):,}" for g in groups]
        )
    out.print(by_group)
    domains = sorted({d for c in data.countries.values() for d in c.by_domain})
    by_domain = Table(title="Participations by biotech domain (a project may have several)")
    by_domain.add_column("country")
    for domain in domains:
        by_domain.add_column(domain, justify="right")
    for code, entry in data.countries.items():
        by_domain.add_row(
            code, *[f"{_figure(entry.by_domain, d, 'participations'):,}" for d in domains]
        )
    out.print(by_domain)


def _figure(figures: Mapping[str, Any], key: str, name: str) -> int:
    """``figures[key].<name>``, or 0 when the country has none of ``key``."""
    entry = figures.get(key)
    return 0 if entry is None else int(getattr(entry, name))


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

    check_format(fmt, ("table", "json"))
    rows = search_organisations(connect(), text, country=country, limit=limit)
    if fmt == "json":
        print_json([row.model_dump(mode="json") for row in rows])
        return
    if not rows:
        err.print(f"No organisation matches {text!r}.")
        return
    table = Table(*SUMMARY_COLUMNS)
    for row in rows:
        values = [getattr(row, c) for c in SUMMARY_COLUMNS]
        table.add_row(*["" if v is None else str(v) for v in values])
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

    check_format(fmt, ("table", "json"))
    data = organisation_detail(connect(), ident)
    if fmt == "json":
        print_json(data.model_dump(mode="json"))
        return
    org = data.organisation
    out.print(
        Text.assemble(
            (org.name or f"PIC {org.pic}", "bold"),
            f"  id {org.id}  ({org.country}, {org.stakeholder_group})",
        )
    )
    out.print("identifiers: " + ", ".join(f"{i.scheme} {i.value}" for i in data.identifiers))
    if data.unnamed_reason:
        out.print(data.unnamed_reason, markup=False)
    if data.pic_register_url:
        out.print(f"PIC in the EU Funding & Tenders portal: {data.pic_register_url}", markup=False)
    if len(data.names) > 1:
        out.print("names: " + " | ".join(n.name for n in data.names))
    for programme, funding in data.funding.items():
        out.print(
            f"{programme}: {funding.participations} participations, "
            f"EC € {funding.ec_contribution_eur:,.0f}"
        )
    prov = Table("field", "value", "source", "file", "row", "method", "repairs", title="Provenance")
    for f in data.provenance:
        prov.add_row(
            f.field, str(f.value), f.source, f.file, str(f.row), f.method or "", f.repairs or ""
        )
    out.print(prov)
    projects = Table(
        "project", "acronym", "programme", "start", "role", "EC €", "file", "row", title="Projects"
    )
    for p in data.projects[:30]:
        projects.add_row(
            p.project_id,
            p.acronym or "",
            p.programme or "",
            str(p.start_year or ""),
            p.role or "",
            f"{p.ec_contribution:,.0f}" if p.ec_contribution is not None else "",
            p.file,
            str(p.row),
        )
    out.print(projects)
    if len(data.projects) > 30:
        out.print(f"... and {len(data.projects) - 30} more (use --format json for all).")
    partners = Table("partner", "name", "country", "group", "shared projects", title="Top partners")
    for partner in data.partners:
        partners.add_row(
            partner.id,
            partner.name or "",
            partner.country or "",
            partner.stakeholder_group or "",
            str(partner.shared_projects),
        )
    out.print(partners)


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
        check_format(fmt, ("csv", "xlsx", "geojson"))
    n = export_organisations(
        connect(),
        path,
        fmt,  # type: ignore[arg-type]
        preset=None if all_countries else preset,
        countries=chosen,
    )
    err.print(f"Wrote {n:,} organisations to {path}.")
