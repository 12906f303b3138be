"""``bioconnect outcomes``: newcomer cohorts, survival of any table, KPI tracking, forecasts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bioconnect.cli.options import FormatOption, PresetOption, actor, region_countries
from bioconnect.cli.output import check_format, err, out, print_json

outcomes_app = typer.Typer(
    help="Outcomes: newcomer cohorts, survival, KPI observations and forecasts.",
    no_args_is_help=True,
)
kpis_app = typer.Typer(
    help="The plan's KPIs: observations, history and status.", no_args_is_help=True
)
outcomes_app.add_typer(kpis_app, name="kpis")

CohortCountriesOption = Annotated[
    str | None,
    typer.Option(
        "--countries",
        help="Comma-separated country codes (default: the preset's countries and reference countries).",
    ),
]
RegionOption = Annotated[
    str | None,
    typer.Option("--region", help="Which region's plan (default: the store's only plan)."),
]


def _number(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}g}"


@outcomes_app.command("cohorts")
def cohorts(
    countries: CohortCountriesOption = None,
    preset: PresetOption = "baltic",
    by: Annotated[
        str, typer.Option("--by", help="country, stakeholder_group, domain or sme.")
    ] = "country",
    gap: Annotated[
        int, typer.Option("--gap", help="Years without a new project that make an exit.")
    ] = 3,
    end_year: Annotated[
        int | None,
        typer.Option("--end-year", help="Last year of the data (default: the latest start)."),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Newcomers to EU research (first H2020/Horizon Europe project, not in FP7): entries
    per year and survival by group.

    \b
    Example:
        bioconnect outcomes cohorts --countries EE,LV,LT --by stakeholder_group
    """
    from bioconnect.services.outcomes import newcomer_cohorts
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    codes = region_countries(countries, preset)
    report = newcomer_cohorts(connect(), codes, by=by, gap_years=gap, end_year=end_year)
    if fmt == "json":
        print_json(report.model_dump(mode="json"))
        return
    names = list(report.curves)
    counts = {(e.group, e.year): e.entries for e in report.entries}
    entries = Table("entry year", *names, title="Newcomers per entry year")
    for year in sorted({e.year for e in report.entries}):
        entries.add_row(str(year), *[str(counts.get((name, year), 0)) for name in names])
    out.print(entries)
    table = Table("group", "n", "exits", "median", "S(3)", "S(5)", title="Survival")
    for name, curve in report.curves.items():
        table.add_row(
            name,
            str(curve.n),
            str(curve.events),
            _number(curve.median),
            _number(curve.at_horizons["3"]),
            _number(curve.at_horizons["5"]),
        )
    out.print(table)
    if report.logrank is not None:
        lr = report.logrank
        err.print(f"Log-rank test: chi2 = {lr.chi2:.2f}, df = {lr.df}, p = {lr.p:.3g}.")
    err.print(
        f"{report.members} newcomers; exit after {report.gap_years} years without a new project; data to {report.end_year}."
    )


@outcomes_app.command("cox")
def cox(
    countries: CohortCountriesOption = None,
    preset: PresetOption = "baltic",
    gap: Annotated[
        int, typer.Option("--gap", help="Years without a new project that make an exit.")
    ] = 3,
    end_year: Annotated[
        int | None,
        typer.Option("--end-year", help="Last year of the data (default: the latest start)."),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """A Cox proportional-hazards model of newcomers' exit on country, stakeholder group
    and SME status (hazard ratios against the most common value of each).

    \b
    Example:
        bioconnect outcomes cox --countries EE,LV,LT --end-year 2020
    """
    from bioconnect.services.outcomes import newcomer_cox
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    codes = region_countries(countries, preset)
    model = newcomer_cox(connect(), codes, gap_years=gap, end_year=end_year)
    if fmt == "json":
        print_json(model.model_dump(mode="json"))
        return
    table = Table("covariate", "hazard ratio", "95% interval", "p", title="Cox model of exit")
    for term in model.terms:
        table.add_row(
            term.covariate,
            f"{term.hazard_ratio:.3g}",
            f"{term.ci_lower:.3g} to {term.ci_upper:.3g}",
            f"{term.p:.3g}",
        )
    out.print(table)
    err.print(
        f"{model.n} newcomers, {model.events} exits; concordance {model.concordance:.3f}; "
        f"smallest proportional-hazards test p = {_number(model.ph_test_min_p)}."
    )


@outcomes_app.command("survival")
def survival(
    file: Annotated[Path, typer.Argument(help="A CSV with one row per entity.")],
    duration: Annotated[str, typer.Option("--duration", help="The column of durations.")],
    event: Annotated[
        str, typer.Option("--event", help="The column of event flags (1 = exit, 0 = censored).")
    ],
    group: Annotated[
        str | None, typer.Option("--group", help="A column to compare groups by.")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Kaplan–Meier curves (95% log-log bands, median) of any CSV, and the log-rank test.

    \b
    Example:
        bioconnect outcomes survival startups.csv --duration years --event closed --group country --format json
    """
    from bioconnect.services.outcomes import survival_of_file

    check_format(fmt, ("table", "json"))
    report = survival_of_file(file, duration=duration, event=event, group=group)
    if fmt == "json":
        print_json(report.model_dump(mode="json"))
        return
    table = Table("group", "n", "exits", "median", title=f"Survival in {file.name}")
    for name, curve in report.groups.items():
        table.add_row(name, str(curve.n), str(curve.events), _number(curve.median))
    out.print(table)
    if report.logrank is not None:
        err.print(
            f"Log-rank test: chi2 = {report.logrank.chi2:.2f}, df = {report.logrank.df}, p = {report.logrank.p:.3g}."
        )


@outcomes_app.command("startups")
def startups(
    file: Annotated[Path, typer.Argument(help="A startup list (CSV or XLSX).")],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="Its mapping (default: the preset's startups.yaml)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The list's name (default: the file name).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The date the list is complete to (default: today)."),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Import a startup list as a cohort, link its rows to atlas organisations (VAT or
    registration code, else the matcher; doubtful pairs go to `bioconnect review`), and
    show its entries, survival to closure and the incidence of each kind of exit.

    \b
    Example:
        bioconnect outcomes startups startups.xlsx --as-of 2025-12-31
    """
    import datetime as dt

    from bioconnect.errors import InputError
    from bioconnect.services.outcomes import import_startups, startup_links, startup_report
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    try:
        end = None if as_of is None else dt.date.fromisoformat(as_of)
    except ValueError:
        raise InputError(f"--as-of {as_of!r} is not a date", "write it as YYYY-MM-DD") from None
    engine = connect()
    done = import_startups(engine, file, mapping=mapping, name=name, actor=actor(), end_of_data=end)
    report = startup_report(engine, done.list_name)
    links = startup_links(engine, done.list_name)
    if fmt == "json":
        print_json(
            {
                "import": done.model_dump(mode="json"),
                "report": report.model_dump(mode="json"),
                "links": [link.model_dump(mode="json") for link in links],
            }
        )
        return
    table = Table("row", "name", "founded", "exit", "link", "organisation", title=file.name)
    for link in links:
        exit_text = "" if link.closed is None else f"{link.exit_kind} {link.closed}"
        how = link.status if link.method is None else f"{link.status} ({link.method})"
        org = "" if link.org_id is None else f"{link.org_name} [{link.org_id}]"
        table.add_row(str(link.row), link.name, str(link.founded), exit_text, how, org)
    out.print(table)
    curve = report.survival
    err.print(
        f"{done.rows} startups; {'written' if done.written else 'unchanged, nothing written'}; "
        f"review queue: {done.review_pending}. Survival to closure: S(3) = "
        f"{_number(curve.at_horizons['3'])}, S(5) = {_number(curve.at_horizons['5'])}; "
        + ", ".join(f"{i.kind} by 5 years {i.at_horizons['5']:.3g}" for i in report.incidence)
        + "."
    )


@kpis_app.command("import")
def kpis_import(
    file: Annotated[Path, typer.Argument(help="A CSV with columns kpi,date,value,unit[,source].")],
    region: RegionOption = None,
) -> None:
    """Import KPI observations from a CSV: all rows checked first, nothing written on an error.

    \b
    Example:
        bioconnect outcomes kpis import observations.csv
    """
    from bioconnect.services.outcomes import import_observations
    from bioconnect.services.store import connect

    report = import_observations(connect(), file, actor=actor(), region=region)
    err.print(
        f"{report.file}: {report.rows} rows, {report.added} added, {report.changed} changed, {report.unchanged} unchanged."
    )


@kpis_app.command("record")
def kpis_record(
    kpi: Annotated[str, typer.Argument(help="The KPI's id in the plan.")],
    value: Annotated[str, typer.Argument(help="The measured value.")],
    date: Annotated[str, typer.Argument(help="When it was measured (YYYY-MM-DD).")],
    unit: Annotated[str, typer.Option("--unit", help="The value's unit (the KPI's own).")],
    source: Annotated[str, typer.Option("--source", help="Where the value comes from.")],
    region: RegionOption = None,
) -> None:
    """Record one observation of a KPI.

    \b
    Example:
        bioconnect outcomes kpis record startups_per_year 17 2025-12-31 --unit "companies per year" --source "Registers"
    """
    from bioconnect.services.outcomes import record_observation
    from bioconnect.services.store import connect

    got = record_observation(
        connect(), kpi, value, date, unit=unit, source=source, actor=actor(), region=region
    )
    err.print(f"Recorded {got.kpi} = {got.value:g} {got.unit} on {got.date}.")


@kpis_app.command("status")
def kpis_status(fmt: FormatOption = "table", region: RegionOption = None) -> None:
    """Every KPI with its latest observation and status against baseline and target.

    \b
    Example:
        bioconnect outcomes kpis status --format json
    """
    from bioconnect.services.outcomes import kpi_statuses
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    states = kpi_statuses(connect(), region=region)
    if fmt == "json":
        print_json([s.model_dump(mode="json") for s in states])
        return
    table = Table(
        "kpi", "baseline", "latest", "target", "progress", "expected", "status", title="KPIs"
    )
    for s in states:
        table.add_row(
            s.kpi,
            "" if s.baseline is None else f"{s.baseline.value:g} ({s.baseline.date})",
            "" if s.latest is None else f"{s.latest.value:g} ({s.latest.date})",
            "" if s.target is None else f"{s.target.value:g} ({s.target.date})",
            _number(s.progress, 2),
            _number(s.expected, 2),
            s.status,
        )
    out.print(table)


@outcomes_app.command("forecast")
def forecast(
    kpi: Annotated[str, typer.Argument(help="The KPI's id in the plan.")],
    method: Annotated[str, typer.Option("--method", help="auto, count or trend.")] = "auto",
    uplift: Annotated[
        float, typer.Option("--uplift", help="Scenario: relative change of the rate (0.2 = +20%).")
    ] = 0.0,
    paths: Annotated[int, typer.Option("--paths", help="Simulated paths.")] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (same seed, same result).")
    ] = 20240101,
    fmt: FormatOption = "table",
    region: RegionOption = None,
) -> None:
    """Forecast a KPI to its target date and the probability of meeting the target.

    \b
    Example:
        bioconnect outcomes forecast startups_per_year --uplift 0.2 --seed 7
    """
    from bioconnect.services.outcomes import kpi_forecast
    from bioconnect.services.store import connect

    check_format(fmt, ("table", "json"))
    got = kpi_forecast(
        connect(), kpi, region=region, method=method, uplift=uplift, n_paths=paths, seed=seed
    )
    if fmt == "json":
        print_json(got.model_dump(mode="json"))
        return
    table = Table("time", *got.quantiles, title=f"{kpi}: {got.method}")
    for i, t in enumerate(got.times):
        table.add_row(f"{t:g}", *[f"{q[i]:.3g}" for q in got.quantiles.values()])
    out.print(table)
    err.print(
        f"P(meeting {got.target:g} by {got.target_date}) = {got.probability:.3f} "
        f"({got.n_paths} paths, seed {got.seed}). {got.assumptions}"
    )
