"""The outcomes chart specs on real cohorts: figures carried over exactly, and they render."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bioconnect.charts.outcomes import entries_chart, fan_chart, sparkline_chart, survival_chart
from bioconnect.charts.specs import render
from bioconnect.services.outcomes import CohortReport, newcomer_cohorts


@pytest.fixture(scope="module")
def report(baltic_sqlite: Engine) -> CohortReport:
    return newcomer_cohorts(baltic_sqlite, ["EE", "LV", "LT", "FI"], end_year=2020)


def test_survival_chart_carries_every_point_of_every_curve(report: CohortReport) -> None:
    curves = {k: c.model_dump() for k, c in report.curves.items()}
    spec = survival_chart(curves, "Survival")
    values = spec["data"]["values"]
    assert len(values) == sum(len(c["timeline"]) for c in curves.values())
    fi = [v for v in values if v["group"] == "FI"]
    assert [v["survival"] for v in fi] == pytest.approx(curves["FI"]["survival"], abs=1e-6)
    assert all(v["lower"] <= v["survival"] <= v["upper"] for v in values)
    assert {layer["mark"]["interpolate"] for layer in spec["layer"]} == {"step-after"}
    assert render(spec, "svg").startswith(b"<svg")


def test_entries_chart_counts_every_newcomer_once(report: CohortReport) -> None:
    entries = [e.model_dump() for e in report.entries]
    spec = entries_chart(entries, "Newcomers")
    assert sum(v["entries"] for v in spec["data"]["values"]) == report.members
    assert render(spec, "png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_fan_starts_at_the_last_observation_and_sparkline_renders() -> None:
    forecast = {
        "history": [[2019.0, 99.0], [2020.0, 99.0]],
        "times": [2021.0, 2022.0],
        "quantiles": {
            q: [90.0 + i, 95.0 + i] for i, q in enumerate(("q05", "q25", "q50", "q75", "q95"))
        },
        "target": 110.0,
        "probability": 0.25,
    }
    spec = fan_chart(forecast, "Cross-border projects", "projects per year")
    fan = spec["layer"][0]["data"]["values"]
    assert fan[0] == {"time": 2020.0, **dict.fromkeys(("q05", "q25", "q50", "q75", "q95"), 99.0)}
    assert [f["q95"] for f in fan[1:]] == [94.0, 99.0]
    assert spec["layer"][-1]["data"]["values"] == [{"target": 110.0}]
    assert b"projects per year" in render(spec, "svg")
    line = sparkline_chart(
        [{"date": "2019-12-31", "value": 1.0}, {"date": "2020-12-31", "value": 2.0}], None
    )
    assert len(line["layer"]) == 1 and render(line, "svg").startswith(b"<svg")
