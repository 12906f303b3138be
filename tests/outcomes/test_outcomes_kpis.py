"""KPI observations in the store, on SQLite and PostgreSQL: CSV and form, status,
forecast, and every bad input refused with the store unchanged.

The observations are real: Estonia's H2020 projects with partners from two or more
countries per start year (2015–2020, the complete years of ``h2020.csv.gz``), recorded
against the example plan's ``cross_border_projects`` KPI (the plan itself is illustrative).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from bioconnect.errors import InputError
from bioconnect.services.outcomes import (
    import_observations,
    kpi_forecast,
    kpi_statuses,
    observations,
    record_observation,
)
from bioconnect.services.plan import example_plan, import_plan
from bioconnect.store import schema

KPI = "cross_border_projects"
UNIT = "projects per year"
SOURCE = "CORDIS h2020.csv.gz: EE projects with partners from 2+ countries"


@pytest.fixture(scope="module")
def cross_border(data_dir: Path) -> dict[int, int]:
    h2020 = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    ee = h2020[(h2020["country"] == "EE") & (pd.to_numeric(h2020["nunique"]) > 1)]
    per_year = ee.groupby("start_year")["rcn"].nunique()
    return {int(y): int(n) for y, n in per_year.items() if 2015 <= int(y) <= 2020}


@pytest.fixture
def planned(engine: Engine) -> Engine:
    import_plan(engine, example_plan("baltic"), actor="alice")
    return engine


def _write(path: Path, rows: list[dict[str, object]], header: list[str] | None = None) -> Path:
    header = header or ["kpi", "date", "value", "unit", "source"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rows(counts: dict[int, int]) -> list[dict[str, object]]:
    return [
        {"kpi": KPI, "date": f"{y}-12-31", "value": n, "unit": UNIT, "source": SOURCE}
        for y, n in counts.items()
    ]


def _state(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        n_obs = conn.execute(select(func.count()).select_from(schema.KpiObservation)).scalar()
        n_audit = conn.execute(select(func.count()).select_from(schema.AuditEntry)).scalar()
    return int(n_obs or 0), int(n_audit or 0)


def test_csv_import_is_idempotent_and_audited(
    planned: Engine, tmp_path: Path, cross_border: dict[int, int]
) -> None:
    assert cross_border[2019] == 99
    path = _write(tmp_path / "cross-border.csv", _rows(cross_border))
    before = _state(planned)
    report = import_observations(planned, path, actor="bob")
    assert (report.rows, report.added, report.changed) == (6, 6, 0)
    assert _state(planned) == (before[0] + 6, before[1] + 6)
    again = import_observations(planned, path, actor="bob")
    assert (again.added, again.unchanged) == (0, 6)
    assert _state(planned) == (before[0] + 6, before[1] + 6)
    stored = observations(planned, KPI)
    assert [o.value for o in stored] == list(map(float, cross_border.values()))
    assert {o.origin for o in stored} == {"csv:cross-border.csv"}


def test_status_and_forecast_from_the_observations(
    planned: Engine, tmp_path: Path, cross_border: dict[int, int]
) -> None:
    import_observations(planned, _write(tmp_path / "o.csv", _rows(cross_border)), actor="bob")
    status = {s.kpi: s for s in kpi_statuses(planned)}
    mine = status[KPI]
    assert mine.latest is not None and mine.latest.value == cross_border[2020]
    # every observation (2015-2020) predates the example plan's baseline (2024-12-31):
    # none says how far the KPI has come since, so there is no status yet
    assert mine.baseline is not None and mine.baseline.date == dt.date(2024, 12, 31)
    assert len(mine.history) == 6 and mine.status == "no_data" and mine.progress is None
    assert status["startups_per_year"].status == "no_data"
    first = kpi_forecast(planned, KPI, seed=11, n_paths=5000)
    again = kpi_forecast(planned, KPI, seed=11, n_paths=5000)
    other = kpi_forecast(planned, KPI, seed=12, n_paths=5000)
    assert first.method == "poisson-trend"
    assert first.probability == again.probability and first.quantiles == again.quantiles
    assert first.quantiles != other.quantiles
    assert first.times[-1] == 2029 and 0 <= first.probability <= 1
    assert "Poisson" in first.assumptions


def test_a_form_observation_and_a_trend_forecast(planned: Engine) -> None:
    # the plan's own baseline of the survival KPI (42% at 2024-12-31), then two entries
    for day, value in (("2025-06-30", 44.0), ("2025-12-31", 47.5)):
        record_observation(
            planned,
            "startup_survival_3y",
            value,
            day,
            unit="percent",
            source="form test",
            actor="carol",
            today=dt.date(2026, 1, 31),
        )
    got = kpi_forecast(planned, "startup_survival_3y", seed=3, n_paths=2000)
    assert got.method == "linear-trend-bootstrap" and len(got.history) == 3
    status = {s.kpi: s for s in kpi_statuses(planned)}["startup_survival_3y"]
    assert status.latest is not None and status.latest.origin == "form"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kpi": "unicorns"}, r"bad\.csv, row 4, column 'kpi': no KPI 'unicorns'"),
        ({"unit": "percent"}, r"bad\.csv, row 4, column 'unit': 'percent' is not the unit"),
        ({"date": "2999-12-31"}, r"bad\.csv, row 4, column 'date': 2999-12-31 is in the future"),
        ({"date": "31/12/2019"}, r"bad\.csv, row 4, column 'date'.*not a date"),
        ({"value": "many"}, r"bad\.csv, row 4, column 'value'.*not a number"),
        ({"value": ""}, r"bad\.csv, row 4, column 'value': the cell is empty"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(
    planned: Engine, tmp_path: Path, cross_border: dict[int, int], change: dict, message: str
) -> None:
    rows = _rows(cross_border)
    rows[2] = {**rows[2], **change}  # the header is row 1, so this is row 4
    before = _state(planned)
    with pytest.raises(InputError, match=message):
        import_observations(planned, _write(tmp_path / "bad.csv", rows), actor="bob")
    assert _state(planned) == before


def test_a_missing_column_is_named(planned: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.csv", [], header=["kpi", "date", "value"])
    before = _state(planned)
    with pytest.raises(InputError, match=r"bad\.csv, row 1: the header lacks column 'unit'"):
        import_observations(planned, path, actor="bob")
    assert _state(planned) == before


def test_the_outcomes_migration_adds_its_table_and_takes_it_back(engine: Engine) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from bioconnect.store.database import _alembic_config

    assert "kpi_observation" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0005")
    assert "kpi_observation" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert "kpi_observation" in inspect(engine).get_table_names()
