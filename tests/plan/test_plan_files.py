"""YAML and XLSX files: exact round trips, and one clear error listing every problem."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from plan_strategies import plans
from plan_tiny import tiny_plan

from bioconnect.errors import InputError
from bioconnect.plan import (
    XLSX_COLUMNS,
    Plan,
    PlanConfig,
    plan_from_yaml,
    plan_to_yaml,
    read_plan,
    read_xlsx,
    read_yaml,
    write_plan,
    write_xlsx,
    write_yaml,
)
from conftest import EXAMPLE


def _xlsx_round_trip(plan: Plan, config: PlanConfig | None = None) -> Plan:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx(plan, Path(tmp) / "plan.xlsx", config)
        return read_xlsx(path, config)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_yaml_round_trip_is_identity(plan: Plan) -> None:
    assert plan_from_yaml(plan_to_yaml(plan)) == plan


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(max_initiatives=4))
def test_xlsx_round_trip_is_identity(plan: Plan) -> None:
    assert _xlsx_round_trip(plan) == plan


def test_tiny_round_trips(plan: Plan, config: PlanConfig, tmp_path: Path) -> None:
    assert read_plan(write_plan(plan, tmp_path / "p.yaml"), config) == plan
    assert read_plan(write_plan(plan, tmp_path / "p.xlsx", config), config) == plan
    assert read_yaml(write_yaml(plan, tmp_path / "q.yml")) == plan


def test_example_round_trips(example_plan: Plan, baltic_config: PlanConfig, tmp_path: Path) -> None:
    assert plan_from_yaml(plan_to_yaml(example_plan), config=baltic_config) == example_plan
    assert _xlsx_round_trip(example_plan, baltic_config) == example_plan
    assert example_plan.example
    assert "EXAMPLE DATA" in EXAMPLE.read_text(encoding="utf-8").splitlines()[1]


def test_xlsx_layout(plan: Plan, config: PlanConfig, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(write_xlsx(plan, tmp_path / "p.xlsx", config))
    assert book.sheetnames == ["Plan", "Goals", "Initiatives", "Milestones", "KPIs", "ActionItems"]
    header = [c.value for c in book["Initiatives"][1]]
    assert header == [*XLSX_COLUMNS["Initiatives"], "score_impact", "score_cost"]
    row = {h: c.value for h, c in zip(header, book["Initiatives"][3], strict=True)}
    assert row["depends_on"] == "I1"
    assert row["lead"] == "Org B" and row["lead_org_id"] == "org-42"
    assert row["start"] == dt.datetime(2026, 1, 1)
    assert [c.value for c in book["Milestones"][2]] == ["I1", "Half way", dt.datetime(2025, 6, 30)]
    assert [c.value for c in book["Plan"]["A"]] == [
        "field",
        "name",
        "region",
        "example",
        "description",
    ]


def test_formula_like_text_stays_text(config: PlanConfig) -> None:
    p = tiny_plan(lambda d: d["initiatives"][0].update(title="=1+1", description="=SUM(A1)"))
    assert _xlsx_round_trip(p, config) == p


def test_hand_made_xlsx_is_read_leniently(config: PlanConfig, tmp_path: Path) -> None:
    """Only required columns, ids split by commas, text dates and yes/no booleans."""
    from openpyxl import Workbook

    book = Workbook()
    meta = book.active
    meta.title = "Plan"
    for row in (["field", "value"], ["name", "Hand made"], ["region", "tiny"]):
        meta.append(row)
    ws = book.create_sheet("Initiatives")
    ws.append(["id", "title", "pillar", "goals", "start", "end", "cross_border", "score_impact"])
    ws.append(["I1", "One", "a", "G1, G2", "2025-01-31", dt.datetime(2025, 12, 31), "yes", 4.0])
    path = tmp_path / "hand.xlsx"
    book.save(path)
    p = read_xlsx(path, config)
    (item,) = p.initiatives
    assert item.goals == ["G1", "G2"]
    assert item.start == dt.date(2025, 1, 31) and item.end == dt.date(2025, 12, 31)
    assert item.cross_border is True
    assert item.scores == {"impact": 4}


def test_bad_xlsx_lists_every_problem(plan: Plan, config: PlanConfig, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(plan, tmp_path / "p.xlsx", config)
    book = load_workbook(path)
    ws = book["Initiatives"]
    header = [c.value for c in ws[1]]

    def cell(row: int, column: str):  # type: ignore[no-untyped-def]
        return ws.cell(row=row, column=header.index(column) + 1)

    cell(2, "budget").value = "lots"
    cell(3, "pillar").value = "zz"
    cell(3, "depends_on").value = "I1, I2"
    cell(3, "end").value = dt.date(2025, 6, 1)  # before its start 2026-01-01
    cell(2, "score_cost").value = 9
    kpis = book["KPIs"]
    kpis.cell(row=2, column=7).value = None  # baseline_date gone, baseline_value left
    book.save(path)
    with pytest.raises(InputError) as info:
        read_xlsx(path, config)
    message = str(info.value)
    assert message.count("\n  - ") == 6
    assert "has 6 problem(s)" in message
    for line in [
        "Initiatives row 2 (I1), column budget: 'lots' is not a number",
        "Initiatives row 2 (I1), column score_cost: Input should be less than or equal to 5 (got 9)",
        "KPIs row 2 (K1), column baseline_date: give both baseline_value and baseline_date",
        "Initiatives row 3 (I2), column end: end 2025-06-01 is before start 2026-01-01",
        "Initiatives row 3 (I2), column pillar: unknown pillar 'zz' (use one of: a, b)",
        "Initiatives row 3 (I2), column depends_on: dependency loop I2 → I2",
    ]:
        assert line in message


def test_missing_columns_and_sheets(plan: Plan, config: PlanConfig, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(plan, tmp_path / "p.xlsx", config)
    book = load_workbook(path)
    book["Initiatives"].delete_cols(4)  # pillar
    book["Goals"].cell(row=1, column=3).value = "descripton"
    book["Initiatives"].cell(row=1, column=book["Initiatives"].max_column).value = "score_charm"
    del book["Plan"]
    book.save(path)
    with pytest.raises(InputError) as info:
        read_xlsx(path, config)
    message = str(info.value)
    assert "sheet Plan is missing" in message
    assert "Initiatives: column pillar is missing" in message
    assert "Goals: unknown column 'descripton'" in message
    assert "column score_charm scores unknown criterion 'charm'" in message
    assert "has 4 problem(s)" in message


def test_duplicate_ids_and_orphan_milestones(
    plan: Plan, config: PlanConfig, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(plan, tmp_path / "p.xlsx", config)
    book = load_workbook(path)
    book["Goals"].append(["G1", "Again"])
    book["Milestones"].append(["I9", "Lost", dt.date(2025, 1, 1)])
    book.save(path)
    with pytest.raises(InputError) as info:
        read_xlsx(path, config)
    message = str(info.value)
    assert "Goals row 3, column id: 'G1' is also used in row 2" in message
    assert "Milestones row 3, column initiative: no initiative 'I9'" in message


def test_bad_yaml_lists_every_problem(config: PlanConfig) -> None:
    text = """
name: Bad
region: tiny
initiatives:
- id: I1
  title: One
  pillar: zz
  budget: lots
  start: 2025-13-01
  scores: {impact: 7}
- id: I2
  title: Two
  pillar: a
  colour: red
- id: I3
  title: Three
  pillar: b
  start: 2025-06-01
  end: 2025-01-01
"""
    with pytest.raises(InputError) as info:
        plan_from_yaml(text, config=config, source="bad.yaml")
    message = str(info.value)
    assert message.startswith("bad.yaml has 5 problem(s):")
    assert "initiatives[1] (I2).colour: extra inputs are not permitted" in message
    assert "initiatives[0] (I1).budget: Input should be a valid number (got 'lots')" in message
    assert "initiatives[0] (I1).start: Input should be a valid date (got '2025-13-01')" in message
    assert "initiatives[0] (I1).scores.impact: Input should be less than or equal to 5" in message
    assert "initiatives[2] (I3).end: end 2025-01-01 is before start 2025-06-01" in message


def test_yaml_structure_problems(config: PlanConfig) -> None:
    def change(d: dict) -> None:
        d["initiatives"][0]["depends_on"] = ["I2"]
        d["initiatives"][1]["pillar"] = "zz"
        d["initiatives"][1]["end"] = dt.date(2025, 1, 1)

    with pytest.raises(InputError) as info:
        plan_from_yaml(plan_to_yaml(tiny_plan(change)), config=config)
    message = str(info.value)
    assert "has 3 problem(s)" in message
    assert "initiatives[1] (I2).pillar: unknown pillar 'zz'" in message
    assert "initiatives[1] (I2).end: end 2025-01-01 is before start 2026-01-01" in message
    assert "initiatives[0] (I1).depends_on: dependency loop I1 → I2 → I1" in message
    # without a configuration, any pillar is accepted
    with pytest.raises(InputError, match="has 2 problem"):
        plan_from_yaml(plan_to_yaml(tiny_plan(change)))


@pytest.mark.parametrize(
    ("content", "words"),
    [("name: [unclosed", "not valid YAML"), ("- just\n- a list", "mapping of plan fields")],
)
def test_unreadable_yaml(content: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        plan_from_yaml(content)


def test_wrong_suffix_and_missing_file(plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="suffix"):
        write_plan(plan, tmp_path / "p.csv")
    with pytest.raises(InputError, match="suffix"):
        read_plan(tmp_path / "p.csv")
    with pytest.raises(InputError, match="does not exist"):
        read_yaml(tmp_path / "none.yaml")
    with pytest.raises(InputError, match="does not exist"):
        read_xlsx(tmp_path / "none.xlsx")
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    with pytest.raises(InputError, match="not a readable XLSX"):
        read_xlsx(tmp_path / "junk.xlsx")
