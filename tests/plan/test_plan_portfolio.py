"""Portfolio balance by pillar, country and year."""

from __future__ import annotations

import pytest
from plan_tiny import tiny_plan

from bioconnect.plan import Plan, PlanConfig, portfolio_balance


def test_balance_by_hand(plan: Plan, config: PlanConfig) -> None:
    """I1: pillar a, EE+LV, 400 in 2025. I2: pillar b, LT, 500 in 2026."""
    b = portfolio_balance(plan, config)
    assert b.by_pillar[["pillar", "initiatives", "cross_border", "budget"]].values.tolist() == [
        ["a", 1, 1, 400.0],
        ["b", 1, 0, 500.0],
    ]
    assert b.by_pillar["budget_share"].tolist() == pytest.approx([4 / 9, 5 / 9])
    assert b.by_country[["country", "initiatives", "budget"]].values.tolist() == [
        ["EE", 1, 200.0],
        ["LT", 1, 500.0],
        ["LV", 1, 200.0],
    ]
    assert b.by_year.to_dict("list") == {
        "year": [2025, 2026],
        "active": [1, 1],
        "starting": [1, 1],
        "ending": [1, 1],
        "milestones": [1, 0],
        "budget": [400.0, 500.0],
    }
    assert b.totals == {
        "initiatives": 2,
        "budget": 900.0,
        "envelope": 1000.0,
        "envelope_share": 0.9,
        "cross_border_share": 0.5,
        "undated": 0,
        "unbudgeted": 0,
    }


def test_budget_spread_over_days_and_undated(config: PlanConfig) -> None:
    import datetime as dt

    def change(d: dict) -> None:
        # 2025-12-02 .. 2026-01-30: 30 days in 2025, 30 in 2026
        d["initiatives"][0].update(start=dt.date(2025, 12, 2), end=dt.date(2026, 1, 30))
        d["initiatives"][0]["milestones"] = []
        d["initiatives"][1].pop("start")
        d["initiatives"][1].pop("budget")

    b = portfolio_balance(tiny_plan(change), config)
    assert b.by_year[["year", "budget"]].values.tolist() == [[2025, 200.0], [2026, 200.0]]
    assert b.totals["undated"] == 1
    assert b.totals["unbudgeted"] == 1


def test_unknown_pillar_is_listed_last_and_dropped_left_out(config: PlanConfig) -> None:
    def change(d: dict) -> None:
        d["initiatives"][1]["pillar"] = "zz"
        d["initiatives"][0]["status"] = "dropped"

    b = portfolio_balance(tiny_plan(change), config)
    assert b.by_pillar[["pillar", "initiatives"]].values.tolist() == [["a", 0], ["b", 0], ["zz", 1]]
    assert (
        portfolio_balance(tiny_plan(change), config, include_dropped=True).totals["initiatives"]
        == 2
    )


def test_example_plan_balance(example_plan: Plan, baltic_config: PlanConfig) -> None:
    b = portfolio_balance(example_plan, baltic_config)
    assert b.by_pillar["initiatives"].tolist() == [6, 6, 5, 5, 5, 5, 5, 5]
    assert b.totals["budget"] == 59_800_000.0
    assert b.by_pillar["budget"].sum() == pytest.approx(59_800_000.0)
    assert b.by_year["budget"].sum() == pytest.approx(59_800_000.0)
    assert b.by_country["budget"].sum() == pytest.approx(59_800_000.0)
    assert set(b.by_country["country"]) == {"EE", "LV", "LT", "FI"}
