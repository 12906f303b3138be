"""The consultation pages in-process: joining by invitation link, voting, own votes,
statements and their moderation, results by role, and a consensus statement becoming a
plan goal through the inbox. Bad input gets one clear error (HTTP 400) and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bioconnect.services.dialogue import (
    add_statement,
    consultation_summary,
    create_consultation,
    create_invitation,
    import_polis,
    revoke_invitation,
    set_status,
)
from bioconnect.services.plan import import_plan, load_plan
from bioconnect.settings import Settings
from bioconnect.store.database import open_store
from bioconnect.web import create_app
from storekit import table_snapshot
from webkit import Clients, role_clients

ROOT = Path(__file__).resolve().parents[2]
NAME = "goals-2027"
STATEMENTS = ("Shared labs help start-ups.", "Cross-border calls matter.", "Fund pilots.")


@pytest.fixture
def store(tmp_path: Path, data_dir: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'dialogue.sqlite'}")
    import_plan(engine, ROOT / "examples" / "baltic-action-plan.example.yaml", actor="setup")
    import_polis(engine, data_dir / "polis" / "brexit-consensus", name="brexit", actor="setup")
    create_consultation(engine, NAME, "Goals for 2027", actor="setup")
    for text in STATEMENTS:
        add_statement(engine, NAME, text, actor="setup", author=None, shown=True)
    set_status(engine, NAME, "open", actor="setup")
    yield engine
    engine.dispose()


@pytest.fixture
def clients(store: Engine) -> Clients:
    return role_clients(store)


def _guest(store: Engine) -> TestClient:
    client = TestClient(create_app(store, settings=Settings(public_read=True)))
    client.get("/login")
    return client


def _post(client: TestClient, url: str, **data: str) -> object:
    return client.post(
        url,
        data={"csrf_token": client.cookies.get("bc_csrf") or "", **data},
        follow_redirects=False,
    )


def test_an_invited_participant_votes_without_an_account(store: Engine) -> None:
    made = create_invitation(store, NAME, actor="setup", stakeholder_group="industry", country="LV")
    guest = _guest(store)
    assert guest.get(f"/dialogue/{NAME}/vote", follow_redirects=False).status_code == 303
    joined = guest.get(made.path, follow_redirects=False)
    assert joined.status_code == 303 and joined.headers["location"] == f"/dialogue/{NAME}/vote"
    page = guest.get(f"/dialogue/{NAME}/vote")
    assert page.status_code == 200 and STATEMENTS[0] in page.text
    assert 'name="viewport"' in page.text and "0 of 3 statements voted" in page.text
    assert _post(guest, f"/dialogue/{NAME}/vote", statement="0", vote="1").status_code == 303
    assert _post(guest, f"/dialogue/{NAME}/vote", statement="1", vote="-1").status_code == 303
    page = guest.get(f"/dialogue/{NAME}/vote")
    assert STATEMENTS[2] in page.text and "2 of 3 statements voted" in page.text
    mine = guest.get(f"/dialogue/{NAME}/my-votes").text
    assert STATEMENTS[0] in mine and "disagree" in mine
    gone = _post(guest, f"/dialogue/{NAME}/my-votes/1/delete")
    assert gone.status_code == 303
    assert STATEMENTS[1] not in guest.get(f"/dialogue/{NAME}/my-votes").text
    assert consultation_summary(store, NAME).votes == 1
    # the link is revoked: the cookie opens nothing any more
    revoke_invitation(store, NAME, made.invitation.id, actor="setup")
    refused = guest.get(f"/dialogue/{NAME}/vote")
    assert refused.status_code == 400 and "used up: it was revoked" in refused.text


def test_statements_wait_in_the_moderation_queue(store: Engine, clients: Clients) -> None:
    voter, editor = clients.by_role["stakeholder"], clients.by_role["editor"]
    sent = _post(voter, f"/dialogue/{NAME}/statements", text="Train technicians together.")
    assert sent.status_code == 303
    assert "Thank you" in voter.get(sent.headers["location"]).text
    assert "Train technicians" not in voter.get(f"/dialogue/{NAME}/vote").text
    queue = editor.get(f"/dialogue/{NAME}/manage").text
    assert "Train technicians together." in queue
    assert _post(editor, f"/dialogue/{NAME}/moderation/3", decision="approve").status_code == 303
    assert "Nothing waits for moderation" in editor.get(f"/dialogue/{NAME}/manage").text
    for sid in ("0", "1", "2"):
        _post(voter, f"/dialogue/{NAME}/vote", statement=sid, vote="0")
    assert "Train technicians together." in voter.get(f"/dialogue/{NAME}/vote").text


@pytest.mark.parametrize(
    ("url", "data", "problem"),
    [
        (f"/dialogue/{NAME}/vote", {"statement": "0", "vote": "2"}, "is not -1, 0 or 1"),
        (f"/dialogue/{NAME}/vote", {"statement": "0", "vote": "agree"}, "is not -1, 0 or 1"),
        (f"/dialogue/{NAME}/vote", {"statement": "99", "vote": "1"}, "does not exist"),
        (f"/dialogue/{NAME}/vote", {"statement": "x", "vote": "1"}, "not a whole number"),
        ("/dialogue/brexit/vote", {"statement": "3", "vote": "1"}, "closed; it takes no votes"),
        (f"/dialogue/{NAME}/statements", {"text": "x" * 10_000}, "10,000 characters"),
        (f"/dialogue/{NAME}/statements", {"text": "<b>Fund</b> pilots"}, "markup"),
        (f"/dialogue/{NAME}/my-votes/0/delete", {}, "no vote on statement 0"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    store: Engine, clients: Clients, url: str, data: dict[str, str], problem: str
) -> None:
    voter = clients.by_role["stakeholder"]
    before = table_snapshot(store)
    answer = _post(voter, url, **data)
    assert answer.status_code in (400, 404, 409), answer.text[:300]
    assert problem in answer.text
    assert table_snapshot(store) == before


def test_wrong_and_used_up_links_are_refused(store: Engine) -> None:
    guest = _guest(store)
    made = create_invitation(store, NAME, actor="setup")
    revoke_invitation(store, NAME, made.invitation.id, actor="setup")
    before = table_snapshot(store)
    for token, problem in (
        ("not-a-token", "not valid"),
        (made.token[:-2] + "zz", "not valid"),
        ("%3Cscript%3E", "not valid"),
        (made.token, "used up: it was revoked"),
    ):
        answer = guest.get(f"/dialogue/join/{token}", follow_redirects=False)
        assert answer.status_code == 400 and problem in answer.text
        assert "bc_invite" not in answer.headers.get("set-cookie", "")
    assert table_snapshot(store) == before


def test_markup_in_imported_statements_renders_as_text(store: Engine, clients: Clients) -> None:
    # statements cannot hold markup when written here; the page escapes whatever is stored
    with store.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE dialogue_statement SET text = '<img src=x onerror=alert(1)>' "
            "WHERE statement = 2 AND consultation_id = "
            f"(SELECT id FROM dialogue_consultation WHERE name = '{NAME}')"
        )
    voter = clients.by_role["stakeholder"]
    for sid in ("0", "1"):
        _post(voter, f"/dialogue/{NAME}/vote", statement=sid, vote="1")
    page = voter.get(f"/dialogue/{NAME}/vote").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_readers_see_aggregates_and_editors_the_map(clients: Clients) -> None:
    viewer, editor = clients.by_role["viewer"], clients.by_role["editor"]
    seen = viewer.get("/dialogue/brexit")
    assert seen.status_code == 200 and "opinion-map-spec" not in seen.text
    assert "only editors see it" in seen.text and "Propose as plan goal" not in seen.text
    assert viewer.get(f"/dialogue/{NAME}/vote").status_code == 403
    shown = editor.get("/dialogue/brexit").text
    assert "opinion-map-spec" in shown and "Propose as plan goal" in shown
    listed = viewer.get("/dialogue").text
    assert "Can there be consensus on Brexit?" in listed and "New consultation" not in listed


def test_a_consensus_statement_becomes_a_plan_goal(store: Engine, clients: Clients) -> None:
    editor, viewer = clients.by_role["editor"], clients.by_role["viewer"]
    top = editor.get("/api/v1/dialogue/consultations/brexit/consensus").json()["agree"][0]
    proposed = _post(editor, "/dialogue/brexit/goals", statement=str(top["statement"]))
    assert proposed.status_code == 303 and proposed.headers["location"].startswith("/plan/inbox")
    item = proposed.headers["location"].split("#item-")[1]
    inbox = editor.get("/plan/inbox").text
    assert f'action="/plan/inbox/{item}/accept-goal"' in inbox
    assert "accept-goal" not in viewer.get("/plan/inbox").text
    goal_id = re.search(rf'id="goal-{item}"[^>]*value="([^"]+)"', inbox)
    assert goal_id is not None
    accepted = _post(editor, f"/plan/inbox/{item}/accept-goal", goal_id=goal_id[1])
    assert accepted.status_code == 303
    page = viewer.get(accepted.headers["location"]).text
    assert "From consultation brexit, statement" in page and "Group-informed consensus" in page
    assert any(g.id == goal_id[1] for g in load_plan(store).goals)
    no = _post(editor, "/dialogue/brexit/goals", statement="26")
    assert no.status_code == 409 and "has no consensus" in no.text


def test_editors_run_a_consultation_from_the_web(store: Engine, clients: Clients) -> None:
    editor = clients.by_role["editor"]
    made = _post(editor, "/dialogue", name="labs", title="Shared labs", description="")
    assert made.status_code == 303 and made.headers["location"] == "/dialogue/labs/manage"
    bad = _post(editor, "/dialogue", name="Bad Name!", title="x")
    assert bad.status_code == 400 and "is not allowed" in bad.text
    assert (
        _post(editor, "/dialogue/labs/manage/statements", text="Open the labs.").status_code == 303
    )
    link = _post(editor, "/dialogue/labs/invitations", label="Ada", stakeholder_group="investors")
    assert link.status_code == 200
    found = re.search(r'value="(http://testserver/dialogue/join/[^"]+)"', link.text)
    assert found is not None
    bad_link = _post(editor, "/dialogue/labs/invitations", country="Estonia")
    assert bad_link.status_code == 400 and "two-letter" in bad_link.text
    guest = _guest(store)
    guest.get(found[1].replace("http://testserver", ""))
    assert "takes no votes yet" in guest.get("/dialogue/labs/vote").text
    assert _post(editor, "/dialogue/labs/status", status="open").status_code == 303
    assert "Open the labs." in guest.get("/dialogue/labs/vote").text
    assert _post(editor, "/dialogue/labs/status", status="paused").status_code == 400
