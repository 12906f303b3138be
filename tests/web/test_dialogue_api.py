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
    assert closed.status_code == 409 and "takes no votes" in closed.json()["detail"]["problem"]
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
    assert no.status_code == 409 and "has no consensus" in no.json()["detail"]["problem"]


def test_replaying_the_brexit_vote_log_through_the_api_gives_the_offline_groups(
    store: Engine, data_dir: Path, tmp_path: Path
) -> None:
    """Each brexit participant signs in as a stakeholder and casts their votes, in the order
    of votes.csv's timestamps; the groups equal those of the offline import."""
    import shutil

    import pandas as pd
    from fastapi.testclient import TestClient

    from bioconnect.services.accounts import add_user, sign_in
    from bioconnect.services.dialogue import consultation_groups
    from bioconnect.settings import Settings
    from bioconnect.web import create_app

    source = data_dir / "polis" / "brexit-consensus"
    empty = tmp_path / "brexit-statements"
    empty.mkdir()
    for name in ("comments.csv", "summary.csv"):
        shutil.copy(source / name, empty / name)
    (empty / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n", encoding="utf-8"
    )
    import_polis(store, empty, name="replay", actor="setup")
    set_status(store, "replay", "open", actor="setup")

    log = pd.read_csv(source / "votes.csv").sort_values("timestamp", kind="stable")
    tokens: dict[int, str] = {}
    for pid in sorted(log["voter-id"].unique()):
        add_user(store, f"p{pid}", "a passphrase for p", "stakeholder")
        tokens[int(pid)] = sign_in(store, f"p{pid}", "a passphrase for p", client="test")[1]
    client = TestClient(create_app(store, settings=Settings()), base_url="http://testserver")
    client.get("/login")
    headers = {"X-CSRF-Token": client.cookies.get("bc_csrf") or ""}
    account_of: dict[int, int] = {}
    for pid, sid, vote in log[["voter-id", "comment-id", "vote"]].itertuples(index=False):
        client.cookies.set("bc_session", tokens[int(pid)])
        answer = client.post(
            f"{BASE}/replay/votes", json={"statement": int(sid), "vote": int(vote)}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        account_of[int(pid)] = answer.json()["participant"]

    offline = {p.participant: p.group for p in consultation_groups(store, "brexit").participants}
    online = {p.participant: p.group for p in consultation_groups(store, "replay").participants}
    assert len(online) == len(offline) == 204
    assert {pid: online[account_of[pid]] for pid in offline} == offline
