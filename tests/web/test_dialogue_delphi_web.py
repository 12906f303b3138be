"""Delphi studies and surveys over HTTP, in-process: the API's roles (stakeholders answer,
viewers see aggregates only, editors create and see individual answers), the forms (CSRF,
one clear error, nothing written) and markup rendered as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bioconnect.services.plan import import_plan, load_plan
from bioconnect.store.database import open_store
from storekit import table_snapshot
from webkit import Clients, csrf_headers, role_clients

ROOT = Path(__file__).resolve().parents[2]
DELPHI = "/api/v1/dialogue/delphi"
SURVEYS = "/api/v1/dialogue/surveys"
MARKUP = "<script>alert('x')</script> <b>Shared</b> pilot plant"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'delphi.sqlite'}")
    import_plan(engine, ROOT / "examples" / "baltic-action-plan.example.yaml", actor="setup")
    yield engine
    engine.dispose()


@pytest.fixture
def clients(store: Engine) -> Clients:
    return role_clients(store)


def _post(client, path: str, body: dict):  # type: ignore[no-untyped-def]
    return client.post(path, json=body, headers=csrf_headers(client))


def _study(clients: Clients) -> None:
    editor = clients.by_role["editor"]
    body = {"name": "goals", "title": "Goals", "items": [MARKUP, "A joint biobank"]}
    assert _post(editor, DELPHI, body).status_code == 201
    assert _post(editor, f"{DELPHI}/goals/rounds", {"action": "open"}).json()["open_round"] == 1


def test_delphi_api_roles_and_round_feedback(clients: Clients) -> None:
    viewer, holder, editor = (clients.by_role[r] for r in ("viewer", "stakeholder", "editor"))
    assert _post(viewer, DELPHI, {"name": "x", "title": "x", "items": ["a"]}).status_code == 403
    _study(clients)
    body = {"round": 1, "ratings": [{"item": 1, "rating": 8}, {"item": 2, "rating": 3}]}
    assert _post(viewer, f"{DELPHI}/goals/ratings", body).status_code == 403
    form = _post(holder, f"{DELPHI}/goals/ratings", body).json()
    assert [i["rating"] for i in form["items"]] == [8, 3]
    _post(editor, f"{DELPHI}/goals/ratings", {"ratings": [{"item": 1, "rating": 9}]})
    _post(editor, f"{DELPHI}/goals/rounds", {"action": "open"})
    form = holder.get(f"{DELPHI}/goals/form").json()
    assert (form["round"], form["previous_round"]) == (2, 1)
    first = form["items"][0]
    assert (first["previous"], first["feedback"]["median"], first["feedback"]["iqr"]) == (
        8,
        8.5,
        0.5,
    )
    results = viewer.get(f"{DELPHI}/goals/results").json()
    assert results["rounds"][0]["items"][0]["consensus"] is True
    assert "username" not in str(results)
    assert viewer.get(f"{DELPHI}/goals/ratings").status_code == 403
    ratings = editor.get(f"{DELPHI}/goals/ratings").json()
    assert {r["username"] for r in ratings} == {
        clients.names["stakeholder"],
        clients.names["editor"],
    }
    # a rating for the closed round 1 is refused with one clear error
    late = _post(holder, f"{DELPHI}/goals/ratings", body)
    assert late.status_code == 409
    assert late.json()["detail"]["problem"] == "Round 1 of 'goals' is closed; it takes no ratings."
    out_of_scale = _post(
        holder, f"{DELPHI}/goals/ratings", {"ratings": [{"item": 1, "rating": 10}]}
    )
    assert out_of_scale.status_code == 422


def test_delphi_goal_proposal_through_the_api(store: Engine, clients: Clients) -> None:
    _study(clients)
    holder, editor = clients.by_role["stakeholder"], clients.by_role["editor"]
    _post(holder, f"{DELPHI}/goals/ratings", {"ratings": [{"item": 1, "rating": 8}]})
    assert _post(holder, f"{DELPHI}/goals/goals", {"item": 1}).status_code == 403
    proposal = _post(editor, f"{DELPHI}/goals/goals", {"item": 1}).json()
    assert proposal["item"] == 1 and "median 8" in proposal["evidence"]
    inbox = {i.id: i.text for i in load_plan(store, region="baltic").action_items}
    assert inbox[proposal["item_id"]].startswith("Goal from Delphi study goals, item 1: ")


def test_survey_api_roles(clients: Clients) -> None:
    viewer, holder, editor = (clients.by_role[r] for r in ("viewer", "stakeholder", "editor"))
    questions = [
        {"kind": "ranking", "text": "Rank", "options": ["a", "b", "c"]},
        {"kind": "text", "text": "Why?"},
    ]
    created = _post(editor, SURVEYS, {"name": "s", "title": "S", "questions": questions})
    assert created.status_code == 201 and created.json()["status"] == "draft"
    answers = {
        "answers": [{"question": 1, "answer": ["b", "a"]}, {"question": 2, "answer": MARKUP}]
    }
    draft = _post(holder, f"{SURVEYS}/s/answers", answers)
    assert draft.status_code == 409 and "is draft" in draft.json()["detail"]["problem"]
    _post(editor, f"{SURVEYS}/s/status", {"status": "open"})
    assert _post(viewer, f"{SURVEYS}/s/answers", answers).status_code == 403
    assert _post(holder, f"{SURVEYS}/s/answers", answers).json()["answers"]["1"] == ["b", "a"]
    results = viewer.get(f"{SURVEYS}/s/results").json()
    assert results["questions"][0]["schulze"] == ["b", "a", "c"]
    assert MARKUP not in str(results) and results["questions"][1]["respondents"] == 1
    assert viewer.get(f"{SURVEYS}/s/answers").status_code == 403
    assert editor.get(f"{SURVEYS}/s/answers").json()[1]["answer"] == MARKUP


# ------------------------------------------------------------------------------- pages


def _form(client, path: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(
        path, data={**data, "csrf_token": client.cookies.get("bc_csrf")}, follow_redirects=False
    )


def test_delphi_pages_render_markup_as_text_and_refuse_bad_input(
    store: Engine, clients: Clients
) -> None:
    _study(clients)
    holder = clients.by_role["stakeholder"]
    page = holder.get("/dialogue/delphi/goals")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &lt;b&gt;Shared&lt;/b&gt;" in page.text
    assert "<script>alert(" not in page.text and "<b>Shared" not in page.text
    before = table_snapshot(store)
    for data, problem in [
        (
            {"round": "1", "item-1": "10"},
            "The rating of item 1 is 10; ratings are whole numbers 1 to 9",
        ),
        ({"round": "1", "item-1": "seven"}, "The rating of item 1 is &#39;seven&#39;"),
        ({"round": "1", "item-7": "5"}, "has no item 7"),
        ({"round": "1"}, "No rating was given"),
    ]:
        refused = _form(holder, "/dialogue/delphi/goals", data)
        assert refused.status_code == 400 and problem in refused.text, refused.text[:2000]
        assert refused.text.count('data-testid="problem"') == 1
    without_token = holder.post("/dialogue/delphi/goals", data={"round": "1", "item-1": "5"})
    assert without_token.status_code == 403
    assert table_snapshot(store) == before
    saved = _form(holder, "/dialogue/delphi/goals", {"round": "1", "item-1": "7", "item-2": "2"})
    assert (
        saved.status_code == 303 and saved.headers["location"] == "/dialogue/delphi/goals?saved=1"
    )
    # editors: the results page has the individual ratings; viewers' does not
    assert clients.by_role["stakeholder"].get("/dialogue/delphi/goals/results").status_code == 200
    assert (
        'data-testid="ratings"'
        in clients.by_role["editor"].get("/dialogue/delphi/goals/results").text
    )
    assert (
        'data-testid="ratings"'
        not in clients.by_role["viewer"].get("/dialogue/delphi/goals/results").text
    )


def test_survey_pages_refuse_long_text_and_show_results(store: Engine, clients: Clients) -> None:
    editor, holder = clients.by_role["editor"], clients.by_role["stakeholder"]
    created = _form(
        editor,
        "/dialogue/surveys",
        {
            "name": "needs", "title": "Needs",
            "q1-kind": "likert", "q1-text": "Labs are easy to find.",
            "q2-kind": "text", "q2-text": "What is missing?",
            "q3-kind": "ranking", "q3-text": "Rank", "q3-options": "labs\nfunding\ntraining",
        },
    )  # fmt: skip
    assert created.status_code == 303
    _form(editor, "/dialogue/surveys/needs/status", {"status": "open"})
    before = table_snapshot(store)
    long = _form(holder, "/dialogue/surveys/needs", {"q-1": "4", "q-2": "x" * 10_000})
    assert long.status_code == 400
    assert "The answer to question 2 has 10,000 characters; at most 2,000 are allowed" in long.text
    tie = _form(holder, "/dialogue/surveys/needs", {"q-3-rank-0": "1", "q-3-rank-1": "1"})
    assert tie.status_code == 400 and "the places must be different whole numbers" in tie.text
    assert table_snapshot(store) == before
    ok = _form(
        holder,
        "/dialogue/surveys/needs",
        {"q-1": "4", "q-2": MARKUP, "q-3-rank-0": "2", "q-3-rank-2": "1"},
    )
    assert ok.status_code == 303
    page = editor.get("/dialogue/surveys/needs/results").text
    assert "&lt;script&gt;" in page and "<script>alert(" not in page
    assert "Schulze winner first: training, labs, funding." in page
    bad_survey = _form(
        editor, "/dialogue/surveys", {"name": "x", "title": "X", "q1-kind": "poll", "q1-text": "?"}
    )
    assert bad_survey.status_code == 400 and "Question 1, kind" in bad_survey.text
