"""The dialogue services on both engines: Pol.is import and export, bad input, votes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import Engine

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.dialogue import (
    consultation_consensus,
    consultation_groups,
    consultation_report,
    export_polis,
    group_of_each_participant,
    import_polis,
    record_vote,
    set_status,
)
from storekit import table_snapshot


@pytest.fixture
def brexit_dir(data_dir: Path) -> Path:
    return data_dir / "polis" / "brexit-consensus"


def _copy(src: Path, tmp: Path) -> Path:
    dst = tmp / src.name
    shutil.copytree(src, dst)
    return dst


def test_import_brexit_is_idempotent_and_groups_match_polis(
    engine: Engine, brexit_dir: Path
) -> None:
    first = import_polis(engine, brexit_dir, name="brexit", actor="tester")
    assert (first.statements, first.participants, first.votes, first.vote_events) == (
        50,
        204,
        5303,
        5312,
    )
    assert first.status == "closed" and first.title == "Can there be consensus on Brexit?"
    before = table_snapshot(engine)
    again = import_polis(engine, brexit_dir, name="brexit", actor="tester")
    assert again == first
    assert table_snapshot(engine) == before
    groups = consultation_groups(engine, "brexit")
    assert groups.n_groups == 2 and groups.clustered == 189
    ref = (
        pd.read_csv(brexit_dir / "participants-votes.csv")
        .set_index("participant")["group-id"]
        .dropna()
    )
    ours = {p.participant: (-1 if p.group is None else p.group) for p in groups.participants}
    assert adjusted_rand_score(ref.astype(int), [ours[p] for p in ref.index]) >= 0.8


def test_report_and_consensus_carry_statement_texts(engine: Engine, brexit_dir: Path) -> None:
    import_polis(engine, brexit_dir, name="brexit", actor="tester")
    report = consultation_report(engine, "brexit")
    assert report.n_groups == 2 and sum(g.size for g in report.groups) == 189
    assert all(1 <= len(g.representative) <= 5 for g in report.groups)
    assert all(r.text for g in report.groups for r in g.representative)
    consensus = consultation_consensus(engine, "brexit")
    assert consensus.agree and all(c.p_success > 0.5 for c in consensus.agree)
    gics = [s.group_informed_consensus for s in consensus.statements]
    assert gics == sorted(gics, reverse=True) and len(gics) == 50
    assert consensus.statements[0].stakeholder_consensus is None  # no stakeholder groups known


def test_export_round_trips(engine: Engine, brexit_dir: Path, tmp_path: Path) -> None:
    import_polis(engine, brexit_dir, name="brexit", actor="tester")
    files = export_polis(
        engine, "brexit", tmp_path / "out", group_of_each_participant(engine, "brexit")
    )
    assert [f.name for f in files] == [
        "comments.csv",
        "votes.csv",
        "participants-votes.csv",
        "summary.csv",
    ]
    exported = pd.read_csv(tmp_path / "out" / "participants-votes.csv").set_index("participant")
    original = (
        pd.read_csv(brexit_dir / "participants-votes.csv").set_index("participant").sort_index()
    )
    columns = [str(c) for c in range(50)]
    assert exported[columns].equals(original[columns])
    assert (exported["n-votes"] == original["n-votes"]).all()
    back = import_polis(engine, tmp_path / "out", name="brexit-again", actor="tester")
    assert (back.statements, back.participants, back.votes, back.vote_events) == (
        50,
        204,
        5303,
        5312,
    )
    a = consultation_groups(engine, "brexit").participants
    b = consultation_groups(engine, "brexit-again").participants
    assert [p.group for p in a] == [p.group for p in b]


def _bad(folder: Path, file: str, column: str, row: int, value: object) -> None:
    frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(folder / file, index=False)


@pytest.mark.parametrize(
    ("file", "column", "value", "message"),
    [
        ("votes.csv", "vote", "2", r"votes.csv, row 12, column vote: 2 is not -1, 0 or 1"),
        (
            "votes.csv",
            "comment-id",
            "999",
            r"row 12, column comment-id: statement 999 is not in comments.csv",
        ),
        (
            "comments.csv",
            "comment-body",
            "x" * 10_000,
            r"comments.csv, row 12, column comment-body: the statement has 10,000 characters",
        ),
        (
            "comments.csv",
            "comment-body",
            "Click <a href='x'>here</a>",
            r"row 12, column comment-body: the statement contains markup",
        ),
    ],
)
def test_bad_export_is_one_clear_error_and_writes_nothing(
    engine: Engine,
    brexit_dir: Path,
    tmp_path: Path,
    file: str,
    column: str,
    value: str,
    message: str,
) -> None:
    folder = _copy(brexit_dir, tmp_path)
    _bad(folder, file, column, 10, value)
    before = table_snapshot(engine)
    with pytest.raises(InputError, match=message):
        import_polis(engine, folder, name="bad", actor="tester")
    assert table_snapshot(engine) == before
    with pytest.raises(NotFoundError):
        consultation_groups(engine, "bad")


def test_votes_only_on_open_consultations(engine: Engine, brexit_dir: Path) -> None:
    import_polis(engine, brexit_dir, name="brexit", actor="tester")
    before = table_snapshot(engine)
    with pytest.raises(InputError, match="is closed; it takes no votes"):
        record_vote(engine, "brexit", participant=0, statement=0, vote=1, actor="p0")
    assert table_snapshot(engine) == before
    set_status(engine, "brexit", "open", actor="tester")
    record_vote(engine, "brexit", participant=0, statement=0, vote=-1, actor="p0")
    record_vote(engine, "brexit", participant=500, statement=3, vote=1, actor="p500")
    with pytest.raises(InputError, match="does not exist"):
        record_vote(engine, "brexit", participant=0, statement=4242, vote=1, actor="p0")
    with pytest.raises(InputError, match="not -1, 0 or 1"):
        record_vote(engine, "brexit", participant=0, statement=0, vote=5, actor="p0")
    groups = consultation_groups(engine, "brexit")
    assert len(groups.participants) == 205


def test_a_consensus_statement_becomes_a_plan_goal_with_its_evidence(
    engine: Engine, brexit_dir: Path
) -> None:
    from bioconnect.services import plan as sp
    from bioconnect.services.dialogue import accept_goal, propose_goal
    from storekit import ROOT

    sp.import_plan(engine, ROOT / "examples" / "baltic-action-plan.example.yaml", actor="alice")
    import_polis(engine, brexit_dir, name="brexit", actor="tester")
    consensus = consultation_consensus(engine, "brexit")
    top = consensus.agree[0]
    disagreed = consensus.disagree[0]
    before = table_snapshot(engine)
    with pytest.raises(InputError, match="has no consensus"):
        propose_goal(engine, "brexit", disagreed.statement, actor="coordinator")
    assert table_snapshot(engine) == before

    proposal = propose_goal(engine, "brexit", top.statement, actor="coordinator")
    assert proposal.title == " ".join(top.text.split())
    assert f"{top.n_success} of {top.n_trials} votes agree" in proposal.evidence
    assert "Group-informed consensus" in proposal.evidence and "group 0" in proposal.evidence
    assert propose_goal(engine, "brexit", top.statement, actor="coordinator") == proposal
    inbox = {i.id: i for i in sp.load_plan(engine).action_items}
    assert inbox[proposal.item_id].text.startswith(
        f"Goal from consultation brexit, statement {top.statement}: "
    )

    goal = accept_goal(engine, proposal.item_id, "G-brexit-1", actor="eddie")
    plan = sp.load_plan(engine)
    stored = next(g for g in plan.goals if g.id == "G-brexit-1")
    assert stored == goal and stored.title == proposal.title
    assert stored.description.startswith(
        f"From consultation brexit, statement {top.statement} (inbox item {proposal.item_id}"
    )
    assert proposal.evidence in stored.description
    assert proposal.item_id not in {i.id for i in plan.action_items}


def test_participants_are_linked_to_stakeholder_groups(
    engine: Engine, brexit_dir: Path, tmp_path: Path
) -> None:
    from bioconnect.services.dialogue import link_participants

    import_polis(engine, brexit_dir, name="brexit", actor="tester")
    links = tmp_path / "links.csv"
    links.write_text(
        "participant,stakeholder_group,country\n0,academia,ee\n1,industry,FI\n2,industry,\n",
        encoding="utf-8",
    )
    assert link_participants(engine, "brexit", links, actor="coordinator") == 3
    groups = {
        p.participant: p.stakeholder_group
        for p in consultation_groups(engine, "brexit").participants
    }
    assert (groups[0], groups[1], groups[2], groups[3]) == (
        "academia",
        "industry",
        "industry",
        None,
    )
    support = consultation_consensus(engine, "brexit", weights={"industry": 2.0})
    assert support.stakeholder_weights == {"academia": 1.0, "industry": 2.0}
    assert all(set(s.agree_by_stakeholder) == {"academia", "industry"} for s in support.statements)
    assert all(s.stakeholder_consensus is not None for s in support.statements)

    before = table_snapshot(engine)
    links.write_text("participant,stakeholder_group\n0,academia\n1,astronauts\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3, column stakeholder_group: 'astronauts'"):
        link_participants(engine, "brexit", links, actor="coordinator")
    links.write_text("participant,stakeholder_group\n99999,academia\n", encoding="utf-8")
    with pytest.raises(InputError, match="99999 is not a participant"):
        link_participants(engine, "brexit", links, actor="coordinator")
    assert table_snapshot(engine) == before
