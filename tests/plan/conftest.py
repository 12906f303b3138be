"""Fixtures for the plan tests: the Baltic configuration, the example plan and a tiny plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_tiny import tiny_config, tiny_plan

from bioconnect.plan import Plan, PlanConfig, load_plan_config, read_yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "baltic-action-plan.example.yaml"


@pytest.fixture(scope="session")
def baltic_config() -> PlanConfig:
    return load_plan_config("baltic")


@pytest.fixture(scope="session")
def example_plan(baltic_config: PlanConfig) -> Plan:
    return read_yaml(EXAMPLE, baltic_config)


@pytest.fixture
def config() -> PlanConfig:
    return tiny_config()


@pytest.fixture
def plan() -> Plan:
    return tiny_plan()
