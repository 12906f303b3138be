"""A tiny plan that passes every lint rule, and its configuration, to break one rule at a time."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from bioconnect.plan import Plan, PlanConfig

CRITERIA = ["impact", "cost"]


def tiny_config(**changes: Any) -> PlanConfig:
    """Two pillars, two criteria, envelope 1000, cross-border share 0.5, gender in pillar a."""
    data: dict[str, Any] = {
        "region": "tiny",
        "pillars": [{"id": "a", "label": "Pillar A"}, {"id": "b", "label": "Pillar B"}],
        "min_initiatives": 2,
        "gender_dimension": {"required": True, "pillars": ["a"]},
        "budget_envelope": {"amount_eur": 1000.0, "label": "test"},
        "min_cross_border_share": 0.5,
        "criteria": [
            {"id": "impact", "label": "Impact", "direction": "higher"},
            {"id": "cost", "label": "Cost", "direction": "lower"},
        ],
        "default_weights": {"impact": 3.0, "cost": 1.0},
    }
    data.update(changes)
    return PlanConfig.model_validate(data)


def tiny_data() -> dict[str, Any]:
    """A plan (as a dict) with no lint findings under :func:`tiny_config`."""
    d = dt.date
    return {
        "name": "Tiny",
        "region": "tiny",
        "goals": [{"id": "G1", "title": "Grow"}],
        "initiatives": [
            {
                "id": "I1",
                "title": "First",
                "pillar": "a",
                "goals": ["G1"],
                "lead": {"name": "Org A"},
                "countries": ["EE", "LV"],
                "start": d(2025, 1, 1),
                "end": d(2025, 12, 31),
                "milestones": [{"title": "Half way", "date": d(2025, 6, 30)}],
                "budget": 400.0,
                "gender_dimension": "Balanced panels.",
                "cross_border": True,
                "kpis": ["K1"],
                "scores": {"impact": 5, "cost": 2},
            },
            {
                "id": "I2",
                "title": "Second",
                "pillar": "b",
                "goals": ["G1"],
                "lead": {"name": "Org B", "org_id": "org-42"},
                "countries": ["LT"],
                "start": d(2026, 1, 1),
                "end": d(2026, 12, 31),
                "budget": 500.0,
                "depends_on": ["I1"],
                "scores": {"impact": 3, "cost": 1},
            },
        ],
        "kpis": [
            {
                "id": "K1",
                "name": "Startups",
                "baseline": {"value": 10.0, "date": d(2024, 12, 31)},
                "target": {"value": 20.0, "date": d(2026, 12, 31)},
                "initiatives": ["I2"],
                "goals": ["G1"],
            }
        ],
        "action_items": [{"id": "A1", "text": "Idea", "merged_into": "I1"}],
    }


def tiny_plan(change: Callable[[dict[str, Any]], object] | None = None) -> Plan:
    """The tiny plan, after ``change`` has edited its dict form in place."""
    data = copy.deepcopy(tiny_data())
    if change is not None:
        change(data)
    return Plan.model_validate(data)
