"""The plan's chart specs against the example plan: figures add up, and they render."""

from __future__ import annotations

from pathlib import Path

from bioconnect.charts.specs import gantt_chart, matrix_chart, priority_chart, render
from bioconnect.plan import Plan, PlanConfig, load_plan_config, rank_stability, read_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "baltic-action-plan.example.yaml"


def _plan() -> tuple[Plan, PlanConfig]:
    config = load_plan_config("baltic")
    return read_plan(EXAMPLE, config), config


def test_gantt_has_one_bar_per_dated_initiative() -> None:
    plan, _ = _plan()
    items = [i.model_dump(mode="json") for i in plan.initiatives]
    items.append({**items[0], "id": "U1", "start": None})
    spec = gantt_chart(items, "Timeline")
    values = spec["data"]["values"]
    assert len(values) == 42 and "U1" not in {v["id"] for v in values}
    assert all(v["start"] <= v["end"] for v in values)
    r01 = next(v for v in values if v["id"] == "R01")
    assert (r01["start"], r01["end"]) == ("2025-03-01", "2028-12-31")
    assert render(spec, "svg").startswith(b"<svg")


def test_priority_chart_keeps_rank_order_and_intervals() -> None:
    plan, config = _plan()
    frame = rank_stability(plan, config, samples=300, seed=1)
    spec = priority_chart(frame.to_dict("records"), "Priorities")
    values = spec["data"]["values"]
    assert [v["rank"] for v in values] == list(range(1, 43))
    assert spec["encoding"]["y"]["sort"] == [v["label"] for v in values]
    assert all(v["rank_low"] <= v["median_rank"] <= v["rank_high"] for v in values)
    assert b"rank (1 = highest priority)" in render(spec, "svg")


def test_matrix_counts_each_initiative_once_per_country() -> None:
    _, config = _plan()
    cells = [
        {"pillar": "research", "country": "EE", "initiatives": 2, "budget": 10.0},
        {"pillar": "talent", "country": "LV", "initiatives": 1, "budget": 5.0},
    ]
    pillars = [p.id for p in config.pillars]
    spec = matrix_chart(cells, pillars, "Pillars by country")
    assert spec["encoding"]["y"]["sort"] == pillars
    assert sum(v["initiatives"] for v in spec["data"]["values"]) == 3
    assert render(spec, "png")[:8] == b"\x89PNG\r\n\x1a\n"
