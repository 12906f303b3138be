"""The reports API in-process: kept editions listed, read, downloaded and compared as the
services give them; new editions made by editors only (sessions and tokens, read and
write scope); every refusal a problem and a fix, with nothing kept.

The plan is the illustrative example plan (``examples/baltic-action-plan.example.yaml``)
in a store of the test's own; the status report's refusal uses the session's Baltic store,
which holds the atlas but no scoreboard edition.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bioconnect.services.plan import example_plan, import_plan
from bioconnect.services.reports import (
    diff_editions,
    edition_file,
    list_editions,
    make_report,
)
from bioconnect.services.tokens import create_token
from bioconnect.store.database import open_store
from webkit import Clients, csrf_headers, role_clients

EXAMPLE_PLAN = example_plan("baltic")

API = "/api/v1/reports"


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, int, int]]:
    """A store with the example plan and two editions: the action plan, the evaluation."""
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('reports') / 'store.sqlite'}")
    import_plan(engine, EXAMPLE_PLAN, actor="setup")
    plan = make_report(engine, "plan", "html", actor="setup").edition
    evaluation = make_report(engine, "evaluation", "html", actor="setup").edition
    yield engine, plan, evaluation
    engine.dispose()


@pytest.fixture(scope="module")
def readers(kept: tuple[Engine, int, int]) -> Clients:
    return role_clients(kept[0])


def test_editions_are_listed_read_downloaded_and_compared(
    kept: tuple[Engine, int, int], readers: Clients
) -> None:
    engine, plan, evaluation = kept
    viewer = readers.by_role["viewer"]
    listed = viewer.get(f"{API}/editions")
    assert listed.status_code == 200
    assert listed.json() == [e.model_dump() for e in list_editions(engine)]
    assert [e["id"] for e in listed.json()][-2:] == [evaluation, plan]
    only = viewer.get(f"{API}/editions", params={"kind": "evaluation"}).json()
    assert {e["kind"] for e in only} == {"evaluation"}

    one = viewer.get(f"{API}/editions/{plan}").json()
    assert one["kind"] == "plan" and one["created_by"] == "setup"
    assert one["title"] == "Action plan: Baltic biotech action plan (example)"

    got = viewer.get(f"{API}/editions/{plan}/file", params={"format": "html"})
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/html; charset=utf-8"
    expected = edition_file(engine, plan, "html")
    assert got.content == expected.content
    assert got.headers["content-disposition"] == f'attachment; filename="{expected.filename}"'

    diff = viewer.get(f"{API}/diff", params={"before": plan, "after": evaluation}).json()
    assert diff == diff_editions(engine, plan, evaluation).model_dump()
    assert diff["changes"] and diff["before"]["id"] == plan


def test_missing_editions_and_bad_parameters_are_refused(readers: Clients) -> None:
    viewer = readers.by_role["viewer"]
    missing = viewer.get(f"{API}/editions/2147483000")
    assert missing.status_code == 404
    assert missing.json()["detail"] == {
        "problem": "No report edition 2147483000.",
        "fix": "List the editions: `bioconnect report editions`.",
    }
    assert viewer.get(f"{API}/editions/2147483000/file").status_code == 404
    assert viewer.get(f"{API}/editions/2147483648").status_code == 422  # past a 32-bit id
    assert viewer.get(f"{API}/editions/1/file", params={"format": "exe"}).status_code == 422
    assert viewer.get(f"{API}/diff", params={"before": 1, "after": 2147483000}).status_code == 404
    assert viewer.get(f"{API}/editions", params={"kind": "budget"}).status_code == 422


def _post(client: TestClient, kind: str, **headers: str) -> Any:
    return client.post(f"{API}/{kind}", params={"format": "html"}, headers=headers)


def test_editors_make_editions_and_others_are_refused(engine: Engine) -> None:
    import_plan(engine, EXAMPLE_PLAN, actor="setup")
    clients = role_clients(engine)
    editor = clients.by_role["editor"]
    made = _post(editor, "plan", **csrf_headers(editor))
    assert made.status_code == 201, made.text
    summary = made.json()
    assert summary["kind"] == "plan" and summary["created_by"] == clients.names["editor"]
    assert made.headers["location"] == f"{API}/editions/{summary['id']}/file?format=html"
    assert (
        editor.get(made.headers["location"]).content
        == edition_file(engine, summary["id"], "html").content
    )

    assert _post(editor, "plan").status_code == 403  # no CSRF token
    viewer = clients.by_role["viewer"]
    assert _post(viewer, "plan", **csrf_headers(viewer)).status_code == 403
    anonymous = clients.by_role["anonymous"]
    assert _post(anonymous, "plan", **csrf_headers(anonymous)).status_code == 401
    token = TestClient(editor.app)
    for scope, status in (("read", 403), ("write", 201)):
        secret = create_token(engine, clients.names["editor"], f"reports {scope}", scope).token
        answer = _post(token, "evaluation", Authorization=f"Bearer {secret}")
        assert answer.status_code == status, answer.text
    assert [e.kind for e in list_editions(engine)] == ["evaluation", "plan"]


def test_a_report_that_cannot_be_made_is_refused_and_nothing_is_kept(
    baltic_sqlite: Engine,
) -> None:
    admin = role_clients(baltic_sqlite).by_role["admin"]
    headers = csrf_headers(admin)
    unknown = _post(admin, "budget", **headers)  # no such report: no such address
    assert unknown.status_code == 404
    status = _post(admin, "status", **headers)
    assert status.status_code == 409  # well formed, but the store lacks the data
    problem = status.json()["detail"]
    assert "the store holds no scoreboard edition" in problem["problem"]
    assert problem["fix"].startswith("Load the European Innovation Scoreboard first")
    plan = _post(admin, "plan", **headers)  # the session's store holds no plan
    assert plan.status_code == 404
    assert plan.json()["detail"]["problem"] == "No action plan for region 'baltic' in the store."
    assert list_editions(baltic_sqlite) == []
