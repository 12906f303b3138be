"""The dialogue API in-process: aggregates for readers, individual groups for editors,
votes for stakeholders on open consultations only, goal proposals into the plan's inbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bioconnect.services.dialogue import import_polis, set_status
from bioconnect.services.plan import import_plan, load_plan
from bioconnect.store.database import open_store
from webkit import Clients, csrf_headers, role_clients

ROOT = Path(__file__).resolve().parents[2]
BASE = "/api/v1/dialogue/consultations"


@pytest.fixture
def store(tmp_path: Path, data_dir: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'dialogue.sqlite'}")
    import_plan(engine, ROOT / "examples" / "baltic-action-plan.example.yaml", actor="setup")
    import_polis(engine, data_dir / "polis" / "brexit-consensus", name="brexit", actor="setup")
    yield engine
    engine.dispose()


@pytest.fixture
def clients(store: Engine) -> Clients:
    return role_clients(store)


def test_readers_see_aggregates_and_editors_see_participants(clients: Clients) -> None:
    viewer = clients.by_role["viewer"]
    listed = viewer.get(BASE).json()
    assert [c["name"] for c in listed] == ["brexit"] and listed[0]["votes"] == 5303
    report = viewer.get(f"{BASE}/brexit/report").json()
    assert report["n_groups"] == 2 and "participants" not in report
    assert viewer.get(f"{BASE}/brexit/consensus").json()["agree"]
    assert viewer.get(f"{BASE}/brexit/groups").status_code == 403
    groups = clients.by_role["editor"].get(f"{BASE}/brexit/groups").json()
    assert groups["n_groups"] == 2 and len(groups["participants"]) == 204
    assert viewer.get(f"{BASE}/nothing").status_code == 404


def test_stakeholders_vote_only_while_open(store: Engine, clients: Clients) -> None:
    voter = clients.by_role["stakeholder"]
    body = {"statement": 3, "vote": 1}
    closed = voter.post(f"{BASE}/brexit/votes", json=body, headers=csrf_headers(voter))
    assert closed.status_code == 400 and "takes no votes" in closed.json()["detail"]["problem"]
    set_status(store, "brexit", "open", actor="setup")
    ok = voter.post(f"{BASE}/brexit/votes", json=body, headers=csrf_headers(voter))
    assert ok.status_code == 200 and ok.json()["participant"] >= 1_000_000
    bad = voter.post(
        f"{BASE}/brexit/votes", json={"statement": 3, "vote": 2}, headers=csrf_headers(voter)
    )
    assert bad.status_code == 422
    viewer = clients.by_role["viewer"]
    refused = viewer.post(f"{BASE}/brexit/votes", json=body, headers=csrf_headers(viewer))
    assert refused.status_code == 403
    assert viewer.get(f"{BASE}/brexit").json()["vote_events"] == 5313


def test_editors_propose_a_consensus_statement_as_a_goal(store: Engine, clients: Clients) -> None:
    editor = clients.by_role["editor"]
    top = editor.get(f"{BASE}/brexit/consensus").json()["agree"][0]
    made = editor.post(
        f"{BASE}/brexit/goals", json={"statement": top["statement"]}, headers=csrf_headers(editor)
    )
    assert made.status_code == 200, made.text
    item = next(i for i in load_plan(store).action_items if i.id == made.json()["item_id"])
    assert "Group-informed consensus" in item.text
    no = editor.post(f"{BASE}/brexit/goals", json={"statement": 26}, headers=csrf_headers(editor))
    assert no.status_code == 400 and "has no consensus" in no.json()["detail"]["problem"]
