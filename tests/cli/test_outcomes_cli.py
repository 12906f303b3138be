"""`bioconnect outcomes ...` against real stores: cohorts, survival of a CSV, KPIs, forecast."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from bioconnect.cli.main import main
from bioconnect.services.regions import load_region
from storekit import ROOT

EXAMPLE = ROOT / "examples" / "baltic-action-plan.example.yaml"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_survival_of_a_csv_gives_the_documented_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lifelines.datasets import load_waltons

    path = tmp_path / "waltons.csv"
    load_waltons().to_csv(path, index=False)
    code, out, err = _run(
        capsys,
        "outcomes",
        "survival",
        str(path),
        "--duration",
        "T",
        "--event",
        "E",
        "--group",
        "group",
        "--format",
        "json",
    )
    assert code == 0, err
    got = json.loads(out)
    assert set(got["groups"]) == {"control", "miR-137"}
    curve = got["groups"]["miR-137"]
    assert {"timeline", "survival", "ci_lower", "ci_upper", "median"} <= set(curve)
    assert round(got["logrank"]["chi2"], 2) == 122.25 and got["logrank"]["p"] < 1e-20
    code, out, _ = _run(
        capsys, "outcomes", "survival", str(path), "--duration", "T", "--event", "E"
    )
    assert code == 0 and "all" in out
    code, _, err = _run(
        capsys, "outcomes", "survival", str(path), "--duration", "days", "--event", "E"
    )
    assert code == 1 and "waltons.csv: there is no column 'days'" in err and "Traceback" not in err


def test_newcomer_cohorts(
    baltic_sqlite: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "BIOCONNECT_DATABASE_URL", baltic_sqlite.url.render_as_string(hide_password=False)
    )
    code, out, err = _run(capsys, "outcomes", "cohorts", "--countries", "EE,LV", "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    assert set(got["curves"]) == {"EE", "LV"}
    ee = {e["year"]: e["entries"] for e in got["entries"] if e["group"] == "EE"}
    assert ee[2015] == 40
    code, out, err = _run(capsys, "outcomes", "cohorts", "--countries", "LT", "--by", "sme")
    assert code == 0 and "Newcomers" in out and "newcomers; exit after 3 years" in err
    code, out, err = _run(capsys, "outcomes", "cohorts", "--by", "sme", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["countries"] == load_region("baltic").all_countries


def test_kpi_commands(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
) -> None:
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'kpi.sqlite'}")
    assert _run(capsys, "plan", "import", str(EXAMPLE))[0] == 0
    # real counts: Estonia's H2020 projects with partners from 2+ countries, per start year
    h2020 = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    ee = h2020[(h2020["country"] == "EE") & (pd.to_numeric(h2020["nunique"]) > 1)]
    counts = ee.groupby("start_year")["rcn"].nunique().loc["2015":"2020"]
    rows = pd.DataFrame(
        {
            "kpi": "cross_border_projects",
            "date": [f"{y}-12-31" for y in counts.index],
            "value": counts.to_numpy(),
            "unit": "projects per year",
            "source": "CORDIS h2020.csv.gz",
        }
    )
    path = tmp_path / "obs.csv"
    rows.to_csv(path, index=False)
    code, _, err = _run(capsys, "outcomes", "kpis", "import", str(path))
    assert code == 0 and "6 rows, 6 added" in err
    code, out, _ = _run(capsys, "outcomes", "kpis", "status", "--format", "json")
    state = {s["kpi"]: s for s in json.loads(out)}["cross_border_projects"]
    assert code == 0 and state["latest"]["value"] == counts.iloc[-1]
    code, out, _ = _run(
        capsys,
        "outcomes",
        "forecast",
        "cross_border_projects",
        "--seed",
        "5",
        "--paths",
        "2000",
        "--format",
        "json",
    )
    first = json.loads(out)
    code, out, _ = _run(
        capsys,
        "outcomes",
        "forecast",
        "cross_border_projects",
        "--seed",
        "5",
        "--paths",
        "2000",
        "--format",
        "json",
    )
    assert code == 0 and json.loads(out)["probability"] == first["probability"]
    code, out, err = _run(capsys, "outcomes", "forecast", "cross_border_projects", "--paths", "500")
    assert code == 0 and "P(meeting 20 by 2029-12-31)" in err
    code, _, err = _run(
        capsys,
        "outcomes",
        "kpis",
        "record",
        "cross_border_projects",
        "30",
        "2021-12-31",
        "--unit",
        "percent",
        "--source",
        "x",
    )
    assert code == 1 and "column 'unit': 'percent' is not the unit" in err
    code, _, err = _run(
        capsys, "outcomes", "forecast", "cross_border_projects", "--method", "guess"
    )
    assert code == 1 and "unknown forecast method 'guess'" in err
