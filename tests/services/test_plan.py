"""The stored action plan on both engines: import, export, edits with optimistic locking,
the inbox, snapshots, diffs and the audit trail."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.plan import Goal, Initiative, Kpi, Plan, load_plan_config, read_plan
from bioconnect.services import plan as sp
from bioconnect.services.accounts import Role
from bioconnect.services.plan import PlanConflict
from bioconnect.store import schema
from storekit import ROOT, table_snapshot

EXAMPLE = ROOT / "examples" / "baltic-action-plan.example.yaml"
KNOWN_FINDINGS = [
    ("dependency-order", "S05"),
    ("gender-dimension-missing", "D04"),
    ("initiative-no-kpi", "T06"),
    ("initiative-no-owner", "E05"),
]


@pytest.fixture(scope="module")
def example() -> Plan:
    return read_plan(EXAMPLE, load_plan_config("baltic"))


@pytest.fixture
def stored(engine: Engine, example: Plan) -> Engine:
    """A store holding the example plan, imported by alice."""
    sp.import_plan(engine, EXAMPLE, actor="alice")
    return engine


def _audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.AuditEntry)).scalar_one())


def _state(engine: Engine) -> tuple[dict[str, tuple[int, int]], int]:
    return table_snapshot(engine), _audit_count(engine)


# ------------------------------------------------------------------------ import/export


def test_example_imports_lints_and_ranks(engine: Engine, example: Plan) -> None:
    report = sp.import_plan(engine, EXAMPLE, actor="alice")
    assert report.added == {"goal": 9, "initiative": 42, "kpi": 13, "action_item": 5}
    assert not any(report.changed.values()) and not any(report.removed.values())
    assert sp.load_plan(engine) == example

    findings = sp.lint_plan(engine)
    assert [(f.rule, f.subject) for f in findings] == KNOWN_FINDINGS
    assert {f.severity for f in findings} == {"warning"}

    ranks = sp.rank_plan(engine, samples=500, seed=1)
    live = [i.id for i in example.initiatives if i.status != "dropped"]
    assert sorted(ranks["initiative"]) == sorted(live)
    assert (ranks["rank_low"] <= ranks["median_rank"]).all()
    assert (ranks["median_rank"] <= ranks["rank_high"]).all()
    assert (ranks["rank_high"] > ranks["rank_low"]).any()  # the intervals are not all points
    assert ranks.equals(sp.rank_plan(engine, samples=500, seed=1))  # seeded


def test_the_example_plan_is_the_regions(engine: Engine) -> None:
    assert sp.example_plan("baltic") == EXAMPLE and sp.example_plan_available("baltic")
    assert not sp.example_plan_available("nowhere")
    with pytest.raises(NotFoundError, match="No example plan for 'nowhere'"):
        sp.import_example_plan(engine, actor="alice", region="nowhere")
    assert sp.import_example_plan(engine, actor="alice", region="baltic").added["initiative"] == 42


def test_example_counts_match_the_file(example: Plan) -> None:
    # the counts asserted above, checked against the file itself
    assert (len(example.goals), len(example.initiatives)) == (9, 42)
    assert (len(example.kpis), len(example.action_items)) == (13, 5)


def test_reimporting_the_same_file_changes_nothing(stored: Engine) -> None:
    before = _state(stored)
    report = sp.import_plan(stored, EXAMPLE, actor="bob")
    assert report.unchanged and report.summary() == "baltic: unchanged"
    assert _state(stored) == before


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_export_then_import_is_exact(
    stored: Engine, example: Plan, tmp_path: Path, suffix: str
) -> None:
    sp.save_initiative(
        stored,
        example.initiative("S01").model_copy(update={"budget": 1234567.891, "status": "active"}),
        expected_version=1,
        actor="bob",
    )
    plan_before = sp.load_plan(stored)
    state_before = _state(stored)
    path = sp.export_plan(stored, tmp_path / f"plan{suffix}")
    assert read_plan(path, load_plan_config("baltic")) == plan_before
    report = sp.import_plan(stored, path, actor="carol")
    assert report.unchanged
    assert sp.load_plan(stored) == plan_before
    assert _state(stored) == state_before


def test_import_a_plan_object_changes_only_what_differs(stored: Engine, example: Plan) -> None:
    edited = example.model_copy(deep=True)
    edited.initiatives[0].title = "Renamed call"
    edited.goals.pop()  # G6 goes
    report = sp.import_plan(stored, edited, actor="bob")
    assert report.changed["initiative"] == 1 and report.removed["goal"] == 1
    assert sum(report.changed.values()) == 1 and sum(report.added.values()) == 0
    plan = sp.load_plan(stored)
    assert plan.initiatives[0].title == "Renamed call"
    assert plan.initiatives[0].version == 2  # bumped by the change
    assert [g.id for g in plan.goals] == [g.id for g in edited.goals]
    history = sp.plan_history(stored)
    assert [(h.action, h.entity, h.entity_id) for h in history[:3]] == [
        ("import", "plan", "baltic"),
        ("update", "plan.initiative", example.initiatives[0].id),
        ("delete", "plan.goal", example.goals[-1].id),
    ]
    assert history[1].detail["fields"] == {"title": "Renamed call"}


def test_import_without_replace_keeps_other_records(stored: Engine, example: Plan) -> None:
    small = Plan(
        name=example.name,
        region="baltic",
        example=True,
        description=example.description,
        goals=[Goal(id="G90", title="A new goal")],
    )
    report = sp.import_plan(stored, small, actor="bob", replace=False)
    assert report.added == {"goal": 1, "initiative": 0, "kpi": 0, "action_item": 0}
    plan = sp.load_plan(stored)
    assert len(plan.initiatives) == 42 and plan.goals[-1].id == "G90"
    assert sp.import_plan(stored, small, actor="bob", replace=False).unchanged


def _bad_xlsx(stored: Engine, tmp_path: Path, defects: list[str]) -> Path:
    from openpyxl import load_workbook

    path = sp.export_plan(stored, tmp_path / "bad.xlsx")
    book = load_workbook(path)
    ws = book["Initiatives"]
    header = [c.value for c in ws[1]]

    def cell(row: int, column: str) -> Any:
        return ws.cell(row=row, column=header.index(column) + 1)

    ids = {cell(r, "id").value: r for r in range(2, ws.max_row + 1)}
    if "missing column" in defects:
        goals = book["Goals"]
        goals.delete_cols([c.value for c in goals[1]].index("title") + 1)
    if "unknown pillar" in defects:
        cell(ids["R01"], "pillar").value = "astrology"
    if "dates out of order" in defects:
        cell(ids["R02"], "start").value = dt.date(2027, 1, 1)
        cell(ids["R02"], "end").value = dt.date(2026, 1, 1)
    if "cyclic dependency" in defects:
        cell(ids["T01"], "depends_on").value = "T02"
        cell(ids["T02"], "depends_on").value = "T01"
    book.save(path)
    return path


DEFECTS = {
    "missing column": "Goals: column title is missing",
    "unknown pillar": "column pillar: unknown pillar 'astrology'",
    "dates out of order": "column end: end 2026-01-01 is before start 2027-01-01",
    "cyclic dependency": "column depends_on: dependency loop T01 → T02 → T01",
}


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_a_bad_xlsx_is_refused_and_the_store_is_unchanged(
    stored: Engine, tmp_path: Path, defect: str
) -> None:
    path = _bad_xlsx(stored, tmp_path, [defect])
    before = _state(stored)
    with pytest.raises(InputError) as info:
        sp.import_plan(stored, path, actor="mallory")
    assert "has 1 problem(s)" in str(info.value)
    assert DEFECTS[defect] in str(info.value)
    assert _state(stored) == before


def test_every_problem_of_a_bad_xlsx_is_in_one_error(stored: Engine, tmp_path: Path) -> None:
    # a missing column stops the reading of its sheet's rows; cell problems are all listed
    cells = [d for d in DEFECTS if d != "missing column"]
    path = _bad_xlsx(stored, tmp_path, cells)
    before = _state(stored)
    with pytest.raises(InputError) as info:
        sp.import_plan(stored, path, actor="mallory")
    message = str(info.value)
    assert f"has {len(cells)} problem(s)" in message
    for defect in cells:
        assert DEFECTS[defect] in message
    assert _state(stored) == before


def test_a_bad_first_import_leaves_an_empty_store(engine: Engine, example: Plan) -> None:
    before = _state(engine)
    bad = example.model_copy(deep=True)
    bad.initiatives[0].pillar = "astrology"
    with pytest.raises(InputError, match="unknown pillar 'astrology'"):
        sp.import_plan(engine, bad, actor="mallory")
    assert _state(engine) == before
    with pytest.raises(NotFoundError, match="no action plan"):
        sp.load_plan(engine)


# -------------------------------------------------------------------------------- edits


def test_two_saves_from_the_same_version_conflict(stored: Engine, example: Plan) -> None:
    s01 = example.initiative("S01")
    first = sp.save_initiative(
        stored, s01.model_copy(update={"budget": 1.0}), expected_version=1, actor="bob"
    )
    assert (first.version, first.changed) == (2, True)
    with pytest.raises(PlanConflict) as info:
        sp.save_initiative(
            stored,
            s01.model_copy(update={"title": "Carol's title"}).model_dump(mode="json"),
            expected_version=1,
            actor="carol",
        )
    conflict = info.value
    assert (conflict.theirs_version, conflict.yours_version) == (2, 1)
    assert conflict.theirs is not None and conflict.theirs["budget"] == 1.0
    assert conflict.yours is not None and conflict.yours["title"] == "Carol's title"
    changes = {c.field: (c.old, c.new) for c in conflict.changes}
    assert changes == {
        "title": (s01.title, "Carol's title"),
        "budget": (1.0, s01.budget),
    }
    shown = conflict.as_dict()
    assert shown["changes"][0] == {"field": "title", "theirs": s01.title, "yours": "Carol's title"}
    assert "stored version is 2, your edit started from version 1" in shown["message"]
    stored_s01 = sp.load_plan(stored).initiative("S01")
    assert (stored_s01.title, stored_s01.budget, stored_s01.version) == (s01.title, 1.0, 2)


def test_concurrent_saves_from_the_same_version_one_wins(stored: Engine, example: Plan) -> None:
    s01 = example.initiative("S01")
    barrier = threading.Barrier(2)

    def save(who: str, budget: float) -> str:
        barrier.wait()
        try:
            sp.save_initiative(
                stored,
                s01.model_copy(update={"budget": budget}),
                expected_version=1,
                actor=who,
            )
        except PlanConflict as conflict:
            assert (conflict.theirs_version, conflict.yours_version) == (2, 1)
            return "conflict"
        return "saved"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(save, ["bob", "carol"], [10.0, 20.0]))
    assert outcomes == ["conflict", "saved"]
    assert sp.load_plan(stored).initiative("S01").version == 2
    assert len(sp.plan_history(stored, "S01")) == 2  # the import's add and one update


def test_saving_creates_updates_and_is_idempotent(stored: Engine) -> None:
    goal = {"id": "G70", "title": "Keep talent in the region"}
    created = sp.save_goal(stored, goal, expected_version=None, actor="bob")
    assert (created.version, created.changed) == (1, True)
    state = _state(stored)
    again = sp.save_goal(stored, Goal(**goal), expected_version=None, actor="bob")
    assert (again.version, again.changed) == (1, False)
    same = sp.save_goal(stored, goal, expected_version=1, actor="bob")
    assert (same.version, same.changed) == (1, False)
    assert _state(stored) == state  # nothing written, nothing audited
    with pytest.raises(PlanConflict) as info:
        sp.save_goal(stored, {**goal, "title": "Other"}, expected_version=None, actor="carol")
    assert (info.value.theirs_version, info.value.yours_version) == (1, None)
    updated = sp.save_goal(stored, {**goal, "title": "Other"}, expected_version=1, actor="carol")
    assert updated.version == 2
    assert sp.load_plan(stored).goals[-1] == Goal(id="G70", title="Other")


def test_kpis_and_deletes_are_locked_too(stored: Engine, example: Plan) -> None:
    kpi = example.kpis[0]
    saved = sp.save_kpi(
        stored, kpi.model_copy(update={"owner": "Bob"}), expected_version=1, actor="bob"
    )
    assert saved.version == 2 and isinstance(saved.record, Kpi)
    with pytest.raises(PlanConflict) as info:
        sp.delete_record(stored, "kpi", kpi.id, expected_version=1, actor="carol")
    assert (info.value.theirs_version, info.value.yours_version, info.value.yours) == (2, 1, None)
    assert kpi.id in {k.id for k in sp.load_plan(stored).kpis}
    assert sp.delete_record(stored, "kpi", kpi.id, expected_version=2, actor="carol")
    assert kpi.id not in {k.id for k in sp.load_plan(stored).kpis}
    state = _state(stored)
    assert not sp.delete_record(stored, "kpi", kpi.id, expected_version=2, actor="carol")
    assert _state(stored) == state
    with pytest.raises(PlanConflict) as gone:
        sp.save_kpi(stored, kpi, expected_version=2, actor="bob")
    assert gone.value.theirs_version is None and "was deleted" in str(gone.value)


def test_an_invalid_record_is_refused_and_nothing_is_written(stored: Engine, example: Plan) -> None:
    state = _state(stored)
    bad = example.initiative("S01").model_dump(mode="json") | {"budget": "lots", "status": "maybe"}
    with pytest.raises(InputError) as info:
        sp.save_initiative(stored, bad, expected_version=1, actor="bob")
    assert "has 2 problem(s)" in str(info.value)
    assert "budget" in str(info.value) and "status" in str(info.value)
    with pytest.raises(InputError, match="not a goal"):
        sp.save_record(stored, "goal", example.kpis[0], expected_version=None, actor="bob")
    with pytest.raises(InputError, match="Unknown kind"):
        sp.save_record(stored, "pillar", {}, expected_version=None, actor="bob")  # type: ignore[arg-type]
    assert _state(stored) == state


def test_a_new_initiative_starts_at_version_one(stored: Engine) -> None:
    new = Initiative(id="N01", title="New idea", pillar="research", version=7)
    saved = sp.save_initiative(stored, new, expected_version=None, actor="bob")
    assert saved.version == 1
    plan = sp.load_plan(stored)
    assert plan.initiatives[-1].id == "N01" and plan.initiatives[-1].version == 1
    again = sp.save_initiative(
        stored, new.model_copy(update={"status": "planned"}), expected_version=1, actor="bob"
    )
    assert again.version == 2 and sp.load_plan(stored).initiative("N01").version == 2
    with stored.connect() as conn:
        row = conn.execute(
            select(schema.PlanInitiative.status, schema.PlanInitiative.pillar).where(
                schema.PlanInitiative.record_id == "N01"
            )
        ).one()
    assert tuple(row) == ("planned", "research")


# -------------------------------------------------------------------------------- inbox


def test_stakeholders_propose_and_editors_merge(stored: Engine) -> None:
    item = sp.propose_action_item(stored, "A shared cleanroom for spin-offs.", actor="sam")
    assert (item.id, item.proposed_by, item.merged_into) == ("A06", "sam", None)
    state = _state(stored)
    assert sp.propose_action_item(stored, "A shared cleanroom for spin-offs.", actor="sam") == item
    assert _state(stored) == state
    other = sp.propose_action_item(stored, "Another idea.", actor="sue")
    assert other.id == "A07"

    merged = sp.merge_action_item(stored, "A06", "S02", actor="eddie")
    assert merged.merged_into == "S02"
    assert sp.load_plan(stored).action_items[5] == merged
    state = _state(stored)
    assert sp.merge_action_item(stored, "A06", "S02", actor="eddie") == merged
    assert _state(stored) == state
    with pytest.raises(NotFoundError, match="No initiative 'Z99'"):
        sp.merge_action_item(stored, "A07", "Z99", actor="eddie")
    with pytest.raises(NotFoundError, match="No action item 'A99'"):
        sp.merge_action_item(stored, "A99", "S02", actor="eddie")
    assert not [f for f in sp.lint_plan(stored) if f.rule == "unknown-reference"]
    with stored.connect() as conn:
        link = conn.execute(
            select(schema.PlanActionItem.merged_into).where(
                schema.PlanActionItem.record_id == "A06"
            )
        ).scalar_one()
    assert link == "S02"
    history = sp.plan_history(stored, "A06", viewer=Role.editor)
    assert [(h.actor, h.action) for h in history] == [("eddie", "merge"), ("sam", "propose")]


# ---------------------------------------------------------------------- audit and versions


def test_every_write_is_audited_with_who_and_what(stored: Engine, example: Plan) -> None:
    writes = [
        (
            "bob",
            lambda: sp.save_initiative(
                stored,
                example.initiative("R01").model_copy(update={"budget": 99.0}),
                expected_version=1,
                actor="bob",
            ),
            ("update", "plan.initiative", "R01"),
            {"version": 2, "fields": {"budget": 99.0}},
        ),
        (
            "carol",
            lambda: sp.save_goal(
                stored, {"id": "G80", "title": "Grow"}, expected_version=None, actor="carol"
            ),
            ("add", "plan.goal", "G80"),
            {"version": 1, "fields": {"id": "G80", "title": "Grow"}},
        ),
        (
            "dave",
            lambda: sp.delete_record(stored, "goal", "G80", expected_version=1, actor="dave"),
            ("delete", "plan.goal", "G80"),
            {"version": 1},
        ),
        (
            "sam",
            lambda: sp.propose_action_item(stored, "Idea", actor="sam"),
            ("propose", "plan.action_item", "A06"),
            {"version": 1, "text": "Idea"},
        ),
        (
            "eddie",
            lambda: sp.merge_action_item(stored, "A06", "R01", actor="eddie"),
            ("merge", "plan.action_item", "A06"),
            {"version": 2, "merged_into": "R01"},
        ),
        (
            "erin",
            lambda: sp.snapshot_plan(stored, "v1", actor="erin"),
            ("snapshot", "plan.snapshot", "v1"),
            {},
        ),
    ]
    for actor, write, what, detail in writes:
        count = _audit_count(stored)
        write()
        assert _audit_count(stored) == count + 1, what
        entry = sp.plan_history(stored, limit=1, viewer=Role.editor)[0]
        assert entry.actor == actor
        assert (entry.action, entry.entity, entry.entity_id) == what
        assert entry.detail == {"plan": "baltic", **detail}
    assert [h.action for h in sp.plan_history(stored, "R01")] == ["update", "add"]
    assert sp.plan_history(stored, region="elsewhere") == []
    first_import = sp.plan_history(stored, viewer=Role.admin)[-1]
    assert (first_import.actor, first_import.action, first_import.entity) == (
        "alice",
        "add",
        "plan",
    )


def test_snapshots_and_diffs(stored: Engine, example: Plan, tmp_path: Path) -> None:
    v1 = sp.snapshot_plan(stored, "v1", actor="alice")
    assert (v1.name, v1.created_by, v1.region) == ("v1", "alice", "baltic")
    sp.save_initiative(
        stored,
        example.initiative("S01").model_copy(update={"budget": 5.0}),
        expected_version=1,
        actor="bob",
    )
    sp.save_goal(stored, {"id": "G70", "title": "New"}, expected_version=None, actor="bob")
    sp.snapshot_plan(stored, "v2", actor="alice")
    assert [s.name for s in sp.list_snapshots(stored)] == ["v1", "v2"]

    diff = sp.diff_versions(stored, "v1", "v2")
    assert diff.summary() == "+ goal G70\n~ initiative S01: budget"
    change = diff.of("initiative", "changed")[0]
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("budget", example.initiative("S01").budget, 5.0)
    ]
    assert sp.diff_versions(stored, "v2", "current").empty
    assert sp.diff_versions(stored, "current", "v1") == sp.diff_versions(stored, "v2", "v1")
    assert sp.plan_version(stored, "v1") == example

    path = sp.export_plan(stored, tmp_path / "now.xlsx")
    assert sp.diff_versions(stored, path, "current").empty
    assert sp.diff_versions(stored, EXAMPLE, "v1").empty

    state = _state(stored)
    assert sp.snapshot_plan(stored, "v2", actor="alice").created_by == "alice"  # same plan: kept
    assert _state(stored) == state
    with pytest.raises(InputError, match="already exists"):
        sp.snapshot_plan(stored, "v1", actor="alice")
    for bad in ("current", "", " v3", "two\nlines"):
        with pytest.raises(InputError, match="cannot name a snapshot"):
            sp.snapshot_plan(stored, bad, actor="alice")
    with pytest.raises(NotFoundError, match="neither a snapshot nor a plan file"):
        sp.diff_versions(stored, "v9", "current")
    assert _state(stored) == state


def test_plans_of_several_regions(stored: Engine) -> None:
    other = Plan(
        name="Nordic plan",
        region="nordic",
        initiatives=[Initiative(id="X1", title="x", pillar="research")],
    )
    sp.import_plan(stored, other, actor="alice")
    with pytest.raises(InputError, match="plans for 2 regions: baltic, nordic"):
        sp.load_plan(stored)
    assert sp.load_plan(stored, region="nordic") == other
    assert len(sp.load_plan(stored, region="baltic").initiatives) == 42
    with pytest.raises(NotFoundError, match="Use one of: baltic, nordic"):
        sp.load_plan(stored, region="arctic")
    sp.save_initiative(
        stored,
        {"id": "X1", "title": "y", "pillar": "research"},
        expected_version=1,
        actor="bob",
        region="nordic",
    )
    assert [h.entity_id for h in sp.plan_history(stored, region="nordic")][:1] == ["X1"]
    assert sp.load_plan(stored, region="baltic").initiatives[0].id != "X1"


def test_record_versions_and_balance_come_from_the_store(engine: Engine) -> None:
    sp.import_plan(engine, EXAMPLE, actor="tester")
    plan = sp.load_plan(engine)
    kpi = plan.kpis[0]
    assert sp.record_version(engine, "kpi", kpi.id) == 1
    edited = kpi.model_copy(update={"unit": kpi.unit + " (edited)"})
    sp.save_kpi(engine, edited, expected_version=1, actor="t")
    assert sp.record_version(engine, "kpi", kpi.id) == 2
    with pytest.raises(NotFoundError):
        sp.record_version(engine, "goal", "no-such-goal")
    balance = sp.balance_plan(engine)
    assert int(balance.by_pillar["initiatives"].sum()) == len(
        [i for i in plan.initiatives if i.status != "dropped"]
    )


def test_text_is_never_opened_as_a_plan_file(stored: Engine, tmp_path: Path) -> None:
    """A version given as text is 'current' or a snapshot's name; a file must be a Path."""
    path = sp.export_plan(stored, tmp_path / "now.yaml")
    assert sp.plan_version(stored, path) == sp.load_plan(stored)
    for text in (str(path), "now.yaml", str(EXAMPLE)):
        with pytest.raises(InputError, match="is neither a snapshot nor a plan file"):
            sp.plan_version(stored, text)
    with pytest.raises(sp.UnknownVersion, match="neither a snapshot nor a plan file"):
        sp.plan_version(stored, tmp_path / "missing.yaml")
    state = _state(stored)
    with pytest.raises(InputError, match="neither a plan file's path nor a plan"):
        sp.import_plan(stored, str(EXAMPLE), actor="mallory")  # type: ignore[arg-type]
    assert _state(stored) == state


def test_budget_split_agrees_with_the_balance_by_country(stored: Engine) -> None:
    """The page's pillar × country cells, summed over pillars, are the balance's countries."""
    cells = sp.budget_split(stored)
    by_country = sp.balance_plan(stored).by_country.set_index("country")
    summed: dict[str, float] = {}
    for cell in cells:
        summed[cell.country] = summed.get(cell.country, 0.0) + cell.budget
    assert summed.keys() == set(by_country.index)
    for country, budget in summed.items():
        assert budget == pytest.approx(by_country.loc[country, "budget"])
    assert len({(c.pillar, c.country) for c in cells}) == len(cells)
