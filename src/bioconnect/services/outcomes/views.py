"""What the outcomes pages show: read models with their tables and Vega-Lite specs.

The pages render these as they are; the API returns the reports inside them
(:class:`~bioconnect.services.outcomes.CohortReport`,
:class:`~bioconnect.services.outcomes.KpiStatus`,
:class:`~bioconnect.services.outcomes.KpiForecast`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine

from bioconnect.charts.outcomes import entries_chart, fan_chart, sparkline_chart, survival_chart
from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.exports import CsvWriter
from bioconnect.outcomes import AT_RISK_SHARE
from bioconnect.services.outcomes.cohorts import CohortReport, newcomer_cohorts
from bioconnect.services.outcomes.forecasts import (
    FORECAST_PATHS,
    FORECAST_SEED,
    KpiForecast,
    kpi_forecast,
)
from bioconnect.services.outcomes.kpis import CSV_COLUMNS, KpiStatus, kpi_statuses, observations

#: The last year of H2020 project starts: the cohort pages end the data there by default,
#: since later starts in the CORDIS files here are few (``docs/outcomes.md``).
H2020_LAST_YEAR = 2020
SOURCE = "Source: CORDIS, European Commission"

#: The status rule of :func:`bioconnect.outcomes.kpi_progress`, in words, for the pages.
STATUS_RULES = (
    ("met", "progress ≥ 1: the target is reached"),
    ("on_track", "progress ≥ expected, the share of the time to the target date passed"),
    ("at_risk", f"progress ≥ {AT_RISK_SHARE:g} × expected"),
    ("off_track", "otherwise"),
    ("no_data", "no observation yet"),
    ("no_target", "the KPI has no baseline or no target"),
)


class EntryYear(BaseModel):
    """One row of the entries table: a year and the newcomers of each group."""

    model_config = ConfigDict(frozen=True)

    year: int
    counts: dict[str, int]
    total: int


class CohortsView(BaseModel):
    """The newcomer cohorts page: the report, its tables and its two charts."""

    model_config = ConfigDict(frozen=True)

    report: CohortReport
    groups: list[str]
    years: list[EntryYear]
    entries_spec: dict[str, Any]
    survival_spec: dict[str, Any]


def _entry_years(report: CohortReport) -> list[EntryYear]:
    counts: dict[int, dict[str, int]] = {}
    for e in report.entries:
        counts.setdefault(e.year, {})[e.group] = e.entries
    return [
        EntryYear(
            year=year,
            counts={g: counts[year].get(g, 0) for g in report.curves},
            total=sum(counts[year].values()),
        )
        for year in sorted(counts)
    ]


def cohorts_view(
    engine: Engine,
    countries: Sequence[str],
    *,
    by: str = "country",
    gap_years: int = 3,
    end_year: int | None = H2020_LAST_YEAR,
) -> CohortsView:
    """Newcomer cohorts (:func:`newcomer_cohorts`) with the entries table and the charts.

    The pages ask for the region's countries and reference countries
    (:attr:`~bioconnect.model.preset.Preset.all_countries`) unless given others.
    """
    report = newcomer_cohorts(engine, countries, by=by, gap_years=gap_years, end_year=end_year)
    label = ", ".join(report.countries)
    by_label = by.replace("_", " ")
    return CohortsView(
        report=report,
        groups=list(report.curves),
        years=_entry_years(report),
        entries_spec=entries_chart(
            [e.model_dump() for e in report.entries],
            f"Newcomers to EU research per entry year ({label}), by {by_label}",
            SOURCE,
        ),
        survival_spec=survival_chart(
            {name: c.model_dump() for name, c in report.curves.items()},
            f"Newcomers still active (Kaplan–Meier, 95% band), by {by_label}",
            f"Exit after {report.gap_years} years without a new project; data to "
            f"{report.end_year}. {SOURCE}",
        ),
    )


def cohort_csv(view: CohortsView, table: str) -> str:
    """The entries (``table="entries"``) or the survival curves (``"survival"``) as CSV."""
    out = io.StringIO()
    writer = CsvWriter(out)
    if table == "entries":
        writer.writerow(["entry_year", *view.groups, "total"])
        for row in view.years:
            writer.writerow([row.year, *[row.counts[g] for g in view.groups], row.total])
    elif table == "survival":
        writer.writerow(["group", "time", "at_risk", "survival", "ci_lower", "ci_upper"])
        for name, c in view.report.curves.items():
            for i, t in enumerate(c.timeline):
                writer.writerow(
                    [name, t, c.at_risk[i], c.survival[i], c.ci_lower[i], c.ci_upper[i]]
                )
    else:
        raise InputError(f"unknown table {table!r}", "ask for entries or survival")
    return out.getvalue()


class KpiRow(BaseModel):
    """A KPI on the dashboard: where it stands and a sparkline of its values."""

    model_config = ConfigDict(frozen=True)

    status: KpiStatus
    sparkline_spec: dict[str, Any] | None


class KpiDashboard(BaseModel):
    """Every KPI of the plan with its status, and how many are in each status."""

    model_config = ConfigDict(frozen=True)

    rows: list[KpiRow]
    by_status: dict[str, int]


def _sparkline(status: KpiStatus) -> dict[str, Any] | None:
    points = [(o.date, o.value) for o in status.history]
    if status.baseline is not None:
        points.append((status.baseline.date, status.baseline.value))
    if len(points) < 2:
        return None
    values = [{"date": day, "value": value} for day, value in sorted(points)]
    return sparkline_chart(values, None if status.target is None else status.target.value)


def kpi_dashboard(engine: Engine, *, region: str | None = None) -> KpiDashboard:
    """The KPI dashboard of the stored plan."""
    states = kpi_statuses(engine, region=region)
    by_status: dict[str, int] = {}
    for s in states:
        by_status[s.status] = by_status.get(s.status, 0) + 1
    return KpiDashboard(
        rows=[KpiRow(status=s, sparkline_spec=_sparkline(s)) for s in states],
        by_status=by_status,
    )


def kpi_status(engine: Engine, kpi: str, *, region: str | None = None) -> KpiStatus:
    """One KPI's status and history; :class:`NotFoundError` when the plan has no such KPI."""
    for s in kpi_statuses(engine, region=region):
        if s.kpi == kpi:
            return s
    raise NotFoundError(f"no KPI {kpi!r} in the plan", "see the KPIs at /outcomes/kpis")


class KpiView(BaseModel):
    """A KPI's page: status and history, and the forecast (or why there is none)."""

    model_config = ConfigDict(frozen=True)

    status: KpiStatus
    forecast: KpiForecast | None
    forecast_problem: str | None
    fan_spec: dict[str, Any] | None


def kpi_view(
    engine: Engine,
    kpi: str,
    *,
    region: str | None = None,
    method: str = "auto",
    uplift: float = 0.0,
    n_paths: int = FORECAST_PATHS,
    seed: int = FORECAST_SEED,
) -> KpiView:
    """A KPI with its forecast against the target; a forecast that cannot be made (no
    target, too short a history) is reported in ``forecast_problem``."""
    status = kpi_status(engine, kpi, region=region)
    try:
        forecast = kpi_forecast(
            engine, kpi, region=region, method=method, uplift=uplift, n_paths=n_paths, seed=seed
        )
    except InputError as exc:
        return KpiView(
            status=status,
            forecast=None,
            forecast_problem=f"{exc.problem}: {exc.fix}.",
            fan_spec=None,
        )
    title = f"{status.name}: forecast to {forecast.target_date.year} against the target"
    return KpiView(
        status=status,
        forecast=forecast,
        forecast_problem=None,
        fan_spec=fan_chart(forecast.model_dump(mode="json"), title, status.unit),
    )


def observations_csv(engine: Engine, *, region: str | None = None) -> str:
    """Every stored observation as a CSV that :func:`import_observations` reads back."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow([*CSV_COLUMNS, "origin", "recorded_by", "recorded_at"])
    for o in observations(engine, region=region):
        writer.writerow(
            [
                o.kpi,
                o.date,
                f"{o.value:.15g}",
                o.unit,
                o.source,
                o.origin,
                o.recorded_by,
                o.recorded_at,
            ]
        )
    return out.getvalue()
