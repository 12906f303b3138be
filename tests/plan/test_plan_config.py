"""The Baltic plan configuration and configuration validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_tiny import tiny_config

from bioconnect.errors import InputError, NotFoundError
from bioconnect.plan import PlanConfig, load_plan_config


def test_baltic_configuration(baltic_config: PlanConfig) -> None:
    assert baltic_config.pillar_ids == [
        "research",
        "talent",
        "incubation",
        "funding",
        "policy",
        "fdi",
        "industry",
        "engagement",
    ]
    assert baltic_config.min_initiatives == 40
    assert baltic_config.gender_dimension.required
    assert baltic_config.gender_dimension.pillars == "all"
    assert baltic_config.budget_envelope is not None
    assert "example" in baltic_config.budget_envelope.label.lower()
    assert baltic_config.criterion_ids == [
        "impact",
        "feasibility",
        "cost",
        "time_to_impact",
        "stakeholder_support",
        "cross_border_value",
        "gender_equality",
    ]
    lower = [c.id for c in baltic_config.criteria if c.direction == "lower"]
    assert lower == ["cost", "time_to_impact"]
    assert sum(baltic_config.default_weights.values()) == pytest.approx(1.0)
    library = {k.id: k for k in baltic_config.kpi_library}
    assert len(library) == 9
    assert (library["startups_per_year"].target_low, library["startups_per_year"].target_high) == (
        20,
        30,
    )
    assert library["startup_survival_5y"].target_low == 50
    assert library["phd_graduates_life_sciences"].sources[0].dataset == "educ_uoe_grad02"
    assert "CORDIS" in library["ec_funding"].sources[0].name
    assert all(k.frequency and k.unit and k.definition for k in library.values())


def test_load_by_path_and_errors(tmp_path: Path) -> None:
    packaged = Path(__file__).resolve().parents[2] / "src/bioconnect/presets/baltic"
    assert load_plan_config(packaged) == load_plan_config("baltic")
    with pytest.raises(NotFoundError, match="No plan configuration"):
        load_plan_config("atlantis")
    bad = tmp_path / "plan.yaml"
    bad.write_text("region: x\npillars: []\ncriteria: []\ndefault_weights: {}\n")
    with pytest.raises(InputError, match="pillars"):
        load_plan_config(bad)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"default_weights": {"impact": 1.0}}, "one weight for every criterion"),
        ({"default_weights": {"impact": 0.0, "cost": 0.0}}, "not all zero"),
        ({"gender_dimension": {"required": True, "pillars": ["zz"]}}, "unknown pillars"),
        ({"pillars": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]}, "not unique"),
    ],
)
def test_bad_configuration(changes: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        tiny_config(**changes)
