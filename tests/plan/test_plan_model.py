"""The plan records: strict types, clear errors, unique ids."""

from __future__ import annotations

import datetime as dt

import pytest
from plan_tiny import tiny_plan
from pydantic import ValidationError

from bioconnect.plan import Initiative, Kpi, Measurement, Plan


def test_strict_types_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Initiative.model_validate(
            {
                "id": "I 1",
                "title": "",
                "pillar": "a",
                "budget": "100",
                "cross_border": "yes",
                "scores": {"impact": 6},
                "status": "maybe",
                "colour": "red",
            }
        )
    fields = sorted(".".join(map(str, e["loc"])) for e in info.value.errors())
    assert fields == ["budget", "colour", "cross_border", "id", "scores.impact", "status", "title"]


def test_iso_text_dates_are_accepted_and_nothing_looser() -> None:
    item = Initiative(id="I1", title="x", pillar="a", start="2025-01-31")  # type: ignore[arg-type]
    assert item.start == dt.date(2025, 1, 31)
    with pytest.raises(ValidationError, match="valid date"):
        Initiative(id="I1", title="x", pillar="a", start="31.01.2025")  # type: ignore[arg-type]


def test_control_characters_and_empty_optional_text_are_refused() -> None:
    with pytest.raises(ValidationError):
        Initiative(id="I1", title="a\x07b", pillar="a")
    with pytest.raises(ValidationError):
        Initiative(id="I1", title="x", pillar="a", gender_dimension="")
    with pytest.raises(ValidationError):
        Initiative(id="I1", title="x", pillar="a", risks=["two\nlines"])
    assert Initiative(id="I1", title="x", pillar="a", description="two\nlines\tok").description


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValidationError, match="duplicate initiative id"):
        tiny_plan(lambda d: d["initiatives"][1].update(id="I1"))


def test_measurable_kpi_and_lookup() -> None:
    kpi = Kpi(id="K", name="k", target=Measurement(value=1, date=dt.date(2030, 1, 1)))
    assert not kpi.measurable
    plan = tiny_plan()
    assert plan.initiative("I2").title == "Second"
    with pytest.raises(KeyError):
        plan.initiative("nope")


def test_assignment_is_validated() -> None:
    plan: Plan = tiny_plan()
    with pytest.raises(ValidationError):
        plan.initiatives[0].budget = -1.0
