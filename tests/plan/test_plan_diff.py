"""Field-level differences between two plans."""

from __future__ import annotations

import datetime as dt

from plan_tiny import tiny_plan

from bioconnect.plan import FieldChange, Plan, diff_plans


def test_same_plan_no_diff(plan: Plan) -> None:
    d = diff_plans(plan, tiny_plan())
    assert d.empty
    assert d.summary() == ""


def test_changes_by_hand(plan: Plan) -> None:
    def change(d: dict) -> None:
        d["name"] = "Tiny v2"
        d["initiatives"][0].update(budget=450.0, version=2)
        d["initiatives"][0]["scores"]["impact"] = 4
        d["initiatives"][1]["end"] = dt.date(2027, 6, 30)
        d["goals"].append({"id": "G2", "title": "Train"})
        d["kpis"] = []

    new = tiny_plan(change)
    diff = diff_plans(plan, new)
    assert diff.metadata == (FieldChange("name", "Tiny", "Tiny v2"),)
    assert diff.summary().splitlines() == [
        "~ plan: name",
        "+ goal G2",
        "~ initiative I1: budget, scores.impact",
        "~ initiative I2: end",
        "- kpi K1",
    ]
    i1 = diff.of("initiative", "changed")[0]
    assert i1.fields == (
        FieldChange("budget", 400.0, 450.0),
        FieldChange("scores.impact", 5, 4),
    )
    removed = diff.of("kpi", "removed")[0]
    assert FieldChange("name", "Startups", None) in removed.fields
    added = diff.of("goal", "added")[0]
    assert FieldChange("title", None, "Train") in added.fields


def test_version_is_compared_on_request(plan: Plan) -> None:
    new = tiny_plan(lambda d: d["initiatives"][0].update(version=3))
    assert diff_plans(plan, new).empty
    fields = diff_plans(plan, new, ignore=()).of("initiative")[0].fields
    assert fields == (FieldChange("version", 1, 3),)


def test_nested_changes_are_reported_per_field(plan: Plan) -> None:
    new = tiny_plan(lambda d: d["initiatives"][1]["lead"].update(org_id="org-7"))
    (change,) = diff_plans(plan, new).records
    assert change.fields == (
        FieldChange(
            "lead", {"name": "Org B", "org_id": "org-42"}, {"name": "Org B", "org_id": "org-7"}
        ),
    )
