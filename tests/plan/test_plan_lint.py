"""Every lint rule fires on a plan that breaks it and stays quiet on one that does not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_tiny import tiny_config, tiny_plan

from bioconnect.errors import InputError
from bioconnect.plan import RULES, Plan, PlanConfig, dependency_cycles, lint

D = dt.date


def test_tiny_plan_is_clean(plan: Plan, config: PlanConfig) -> None:
    assert lint(plan, config) == []


def _first(data: dict[str, Any]) -> dict[str, Any]:
    return data["initiatives"][0]


def _second(data: dict[str, Any]) -> dict[str, Any]:
    return data["initiatives"][1]


def _third(data: dict[str, Any], **fields: Any) -> None:
    item = {**_second(data), "id": "I3", "depends_on": [], **fields}
    data["initiatives"].append(item)


def _cycle(data: dict[str, Any]) -> None:
    _first(data)["depends_on"] = ["I2"]
    _first(data)["end"] = D(2027, 12, 31)  # keep dependency-order quiet for I2 -> I1 only


# rule -> (how to break the tiny plan, the finding's subject, words its message holds)
BREAKS: dict[str, tuple[Callable[[dict[str, Any]], object], str, str]] = {
    "initiative-no-owner": (lambda d: _second(d).pop("lead"), "I2", "no lead"),
    "initiative-no-kpi": (lambda d: _first(d).update(kpis=[]), "I1", "baseline"),
    "initiative-no-timeline": (lambda d: _second(d).pop("end"), "I2", "no end date"),
    "initiative-no-goal": (lambda d: _second(d).update(goals=[]), "I2", "serves no goal"),
    "goal-no-initiative": (
        lambda d: d["goals"].append({"id": "G2", "title": "Unused"}),
        "G2",
        "goal G2",
    ),
    "pillar-no-initiative": (lambda d: _second(d).update(pillar="a"), "b", "Pillar B"),
    "dependency-order": (lambda d: _second(d).update(start=D(2025, 6, 1)), "I2", "ends 2025-12-31"),
    "unknown-reference": (lambda d: _second(d).update(goals=["G1", "G9"]), "I2", "G9"),
    "milestone-outside-dates": (
        lambda d: _first(d)["milestones"].append({"title": "Late", "date": D(2026, 3, 1)}),
        "I1",
        "'Late'",
    ),
    "end-before-start": (lambda d: _second(d).update(end=D(2025, 12, 1)), "I2", "before it starts"),
    "budget-over-envelope": (lambda d: _second(d).update(budget=700.0), "Tiny", "1,100"),
    "cross-border-share-low": (lambda d: _first(d).update(cross_border=False), "Tiny", "0%"),
    "gender-dimension-missing": (lambda d: _first(d).pop("gender_dimension"), "I1", "pillar a"),
    "plan-too-small": (lambda d: _second(d).update(status="dropped"), "Tiny", "1 initiatives"),
}


def test_every_rule_has_a_case() -> None:
    assert set(BREAKS) | {"dependency-cycle"} == set(RULES)


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_rule_fires_and_clears(rule: str, config: PlanConfig) -> None:
    breaker, subject, words = BREAKS[rule]
    clean = tiny_plan()
    assert [f for f in lint(clean, config) if f.rule == rule] == []
    found = [f for f in lint(tiny_plan(breaker), config) if f.rule == rule]
    assert len(found) == 1, found
    assert found[0].subject == subject
    assert words in found[0].message
    assert found[0].severity == RULES[rule].severity
    assert found[0].fix == RULES[rule].fix


def test_dependency_cycle_fires_and_clears(config: PlanConfig) -> None:
    findings = lint(tiny_plan(_cycle), config)
    cycles = [f for f in findings if f.rule == "dependency-cycle"]
    assert [(f.subject, f.message) for f in cycles] == [("I1", "Dependency loop: I1 → I2 → I1.")]
    assert cycles[0].severity == "error"
    assert not [f for f in lint(tiny_plan(), config) if f.rule == "dependency-cycle"]


def test_cycle_of_three_and_self_loop() -> None:
    graph = {"c": ["a"], "a": ["b"], "b": ["c"], "d": ["d"], "e": ["a", "zz"]}
    assert dependency_cycles(graph) == [["a", "b", "c"], ["d"]]
    assert dependency_cycles({"a": ["b"], "b": []}) == []


def test_unknown_reference_covers_every_kind(config: PlanConfig) -> None:
    def change(d: dict[str, Any]) -> None:
        _second(d).update(pillar="zz", kpis=["K9"], depends_on=["I9"], scores={"charm": 5})
        d["kpis"][0]["goals"] = ["G7"]
        d["action_items"][0]["merged_into"] = "I8"

    messages = [f.message for f in lint(tiny_plan(change), config) if f.rule == "unknown-reference"]
    assert messages == [
        "A1 names unknown initiative in merged_into: I8.",
        "I2 names unknown KPI(s): K9.",
        "I2 names unknown criteria in scores: charm.",
        "I2 names unknown initiative(s) in depends_on: I9.",
        "I2 names unknown pillar: zz.",
        "K1 names unknown goal(s): G7.",
    ]


def test_kpi_link_from_either_side(config: PlanConfig) -> None:
    """I2 has no KPI of its own but K1 names it; dropping that link triggers the rule."""
    assert not lint(tiny_plan(), config, rules=["initiative-no-kpi"])
    found = lint(tiny_plan(lambda d: d["kpis"][0].update(initiatives=[])), config)
    assert [f.subject for f in found if f.rule == "initiative-no-kpi"] == ["I2"]


def test_kpi_without_baseline_does_not_count(config: PlanConfig) -> None:
    found = lint(tiny_plan(lambda d: d["kpis"][0].pop("baseline")), config)
    assert [f.subject for f in found if f.rule == "initiative-no-kpi"] == ["I1", "I2"]


def test_dropped_initiatives_are_not_completeness_checked(config: PlanConfig) -> None:
    def change(d: dict[str, Any]) -> None:
        _third(d, status="dropped", goals=[], lead=None, start=None)

    assert lint(tiny_plan(change), config) == []


def test_gender_rule_for_all_pillars() -> None:
    cfg = tiny_config(gender_dimension={"required": True, "pillars": "all"})
    found = lint(tiny_plan(), cfg, rules=["gender-dimension-missing"])
    assert [f.subject for f in found] == ["I2"]
    off = tiny_config(gender_dimension={"required": False})
    assert lint(tiny_plan(), off, rules=["gender-dimension-missing"]) == []


def test_no_envelope_no_budget_rule() -> None:
    cfg = tiny_config(budget_envelope=None)
    assert lint(tiny_plan(lambda d: _second(d).update(budget=1e9)), cfg) == []


def test_order_is_errors_first_then_rule_then_subject(config: PlanConfig) -> None:
    def change(d: dict[str, Any]) -> None:
        _second(d).pop("lead")
        _first(d).pop("lead")
        _second(d).update(end=D(2025, 12, 1))

    findings = lint(tiny_plan(change), config)
    assert [(f.severity, f.rule, f.subject) for f in findings] == [
        ("error", "end-before-start", "I2"),
        ("warning", "initiative-no-owner", "I1"),
        ("warning", "initiative-no-owner", "I2"),
    ]


def test_unknown_rule_id_is_an_input_error(plan: Plan, config: PlanConfig) -> None:
    with pytest.raises(InputError, match="no-such-rule"):
        lint(plan, config, rules=["no-such-rule"])


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(BREAKS)), st.randoms(use_true_random=False))
def test_lint_is_deterministic(order: list[str], rnd: Any) -> None:
    """Same plan, same findings, whatever order its records are listed in."""
    chosen = order[: rnd.randint(1, 5)]

    def change(d: dict[str, Any]) -> None:
        for rule in chosen:
            BREAKS[rule][0](d)

    def shuffled(d: dict[str, Any]) -> None:
        change(d)
        for key in ("goals", "initiatives", "kpis", "action_items"):
            rnd.shuffle(d[key])

    cfg = tiny_config()
    first = lint(tiny_plan(change), cfg)
    assert first == lint(tiny_plan(change), cfg)
    assert first == lint(tiny_plan(shuffled), cfg)


def test_example_plan_findings(example_plan: Plan, baltic_config: PlanConfig) -> None:
    """The example's four deliberate gaps, and nothing else (see its header comment)."""
    findings = lint(example_plan, baltic_config)
    assert [(f.rule, f.severity, f.subject) for f in findings] == [
        ("dependency-order", "warning", "S05"),
        ("gender-dimension-missing", "warning", "D04"),
        ("initiative-no-kpi", "warning", "T06"),
        ("initiative-no-owner", "warning", "E05"),
    ]
