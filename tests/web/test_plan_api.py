"""The plan API and pages in-process: reads, versioned writes, 409 conflicts, roles, audit.

Each test gets a store of its own holding the example plan (SQLite, no CORDIS data), so
writes never touch the session's shared store.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from bioconnect.services.accounts import Role
from bioconnect.services.plan import import_plan, load_plan, plan_history
from bioconnect.services.plan.versions import HIDDEN_ACTOR
from bioconnect.store.database import open_store
from bioconnect.web.app import API_PREFIX
from webkit import Clients, csrf_headers, role_clients

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "baltic-action-plan.example.yaml"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'plan.sqlite'}")
    import_plan(engine, EXAMPLE, actor="setup")
    yield engine
    engine.dispose()


@pytest.fixture
def clients(store: Engine) -> Clients:
    return role_clients(store)


def _editor(clients: Clients) -> Any:
    return clients.by_role["editor"]


def test_reads(clients: Clients) -> None:
    viewer = clients.by_role["viewer"]
    plan = viewer.get("/api/v1/plan").json()
    assert len(plan["initiatives"]) == 42 and plan["example"] is True
    lint = viewer.get("/api/v1/plan/lint").json()
    assert sorted((f["rule"], f["subject"]) for f in lint) == [
        ("dependency-order", "S05"),
        ("gender-dimension-missing", "D04"),
        ("initiative-no-kpi", "T06"),
        ("initiative-no-owner", "E05"),
    ]
    assert all(f["fix"] and f["severity"] == "warning" for f in lint)
    ranks = viewer.get("/api/v1/plan/rank?samples=500&seed=3").json()
    assert [r["rank"] for r in ranks] == list(range(1, 43))
    assert all(r["rank_low"] <= r["median_rank"] <= r["rank_high"] for r in ranks)
    assert viewer.get("/api/v1/plan/rank?samples=500&seed=3").json() == ranks
    assert viewer.get("/api/v1/plan/rank?samples=20001").status_code == 422
    balance = viewer.get("/api/v1/plan/balance").json()
    assert balance["totals"]["initiatives"] == 42
    assert sum(p["initiatives"] for p in balance["by_pillar"]) == 42
    one = viewer.get("/api/v1/plan/initiatives/R01").json()
    assert one["version"] == 1 and one["record"]["pillar"] == "research"
    kpi = viewer.get("/api/v1/plan/kpis/startups_per_year").json()
    assert kpi["record"]["baseline"] == {"value": 14.0, "date": "2024-12-31"}
    missing = viewer.get("/api/v1/plan/goals/NOPE")
    assert missing.status_code == 404 and set(missing.json()["detail"]) == {"problem", "fix"}


def test_no_plan_is_a_404_with_a_fix(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    clients = role_clients(engine)
    response = clients.by_role["viewer"].get("/api/v1/plan/lint")
    assert response.status_code == 404
    assert "bioconnect plan import" in response.json()["detail"]["fix"]
    page = clients.by_role["viewer"].get("/plan")
    assert page.status_code == 200
    assert "bioconnect plan import examples/baltic-action-plan.example.yaml" in page.text
    assert "Import the example plan" not in page.text  # viewers cannot import
    assert "Import the example plan" in _editor(clients).get("/plan").text
    engine.dispose()


def test_put_with_a_stale_version_is_a_409_and_nothing_is_lost(
    clients: Clients, store: Engine
) -> None:
    editor = _editor(clients)
    headers = csrf_headers(editor)
    start = editor.get("/api/v1/plan/initiatives/R01").json()
    first = {**start["record"], "budget": 1_000_000.0}
    response = editor.put(
        "/api/v1/plan/initiatives/R01",
        json={"record": first, "expected_version": start["version"]},
        headers=headers,
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    second = {**start["record"], "budget": 2_000_000.0}
    conflict = editor.put(
        "/api/v1/plan/initiatives/R01",
        json={"record": second, "expected_version": start["version"]},
        headers=headers,
    )
    assert conflict.status_code == 409
    detail = conflict.json()["detail"]
    assert "changed by someone else" in detail["problem"] and detail["fix"]
    assert detail["conflict"]["theirs_version"] == 2
    assert detail["conflict"]["yours_version"] == 1
    assert detail["conflict"]["changes"] == [
        {"field": "budget", "theirs": 1_000_000.0, "yours": 2_000_000.0}
    ]
    assert load_plan(store).initiative("R01").budget == 1_000_000.0
    entry = plan_history(store, "R01", viewer=Role.editor)[0]
    assert entry.actor == clients.names["editor"] and entry.action == "update"
    assert entry.detail["fields"] == {"budget": 1_000_000.0}


def test_goal_and_kpi_versions_follow_saves(clients: Clients) -> None:
    editor = _editor(clients)
    headers = csrf_headers(editor)
    created = editor.post(
        "/api/v1/plan/goals", json={"id": "G99", "title": "Test goal"}, headers=headers
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    again = editor.post("/api/v1/plan/goals", json={"id": "G99", "title": "Other"}, headers=headers)
    assert again.status_code == 409
    changed = editor.put(
        "/api/v1/plan/goals/G99",
        json={"record": {"id": "G99", "title": "Renamed"}, "expected_version": 1},
        headers=headers,
    )
    assert changed.json()["version"] == 2
    assert editor.get("/api/v1/plan/goals/G99").json()["version"] == 2
    wrong_id = editor.put(
        "/api/v1/plan/goals/G99",
        json={"record": {"id": "G98", "title": "x"}, "expected_version": 2},
        headers=headers,
    )
    assert wrong_id.status_code == 409  # RFC 9110: a PUT that does not fit its target
    assert "not the id in the address" in wrong_id.json()["detail"]["problem"]
    stale = editor.delete("/api/v1/plan/goals/G99?expected_version=1", headers=headers)
    assert stale.status_code == 409
    gone = editor.delete("/api/v1/plan/goals/G99?expected_version=2", headers=headers)
    assert gone.json() == {"deleted": True}
    assert editor.get("/api/v1/plan/goals/G99").status_code == 404
    kpi = editor.get("/api/v1/plan/kpis/ec_funding").json()
    record = {**kpi["record"], "owner": "Someone"}
    saved = editor.put(
        "/api/v1/plan/kpis/ec_funding",
        json={"record": record, "expected_version": kpi["version"]},
        headers=headers,
    )
    assert saved.status_code == 200
    assert editor.get("/api/v1/plan/kpis/ec_funding").json()["version"] == kpi["version"] + 1


def test_roles_inbox_snapshots_diff_history(clients: Clients) -> None:
    stakeholder = clients.by_role["stakeholder"]
    viewer = clients.by_role["viewer"]
    editor = _editor(clients)
    idea = {"text": "A shared cleanroom booking system"}
    assert (
        viewer.post("/api/v1/plan/action-items", json=idea, headers=csrf_headers(viewer))
    ).status_code == 403
    proposed = stakeholder.post(
        "/api/v1/plan/action-items", json=idea, headers=csrf_headers(stakeholder)
    )
    assert proposed.status_code == 201
    item = proposed.json()
    assert item["proposed_by"] == clients.names["stakeholder"] and item["merged_into"] is None
    merge_url = f"/api/v1/plan/action-items/{item['id']}/merge"
    refused = stakeholder.post(
        merge_url, json={"initiative": "R01"}, headers=csrf_headers(stakeholder)
    )
    assert refused.status_code == 403
    merged = editor.post(merge_url, json={"initiative": "R01"}, headers=csrf_headers(editor))
    assert merged.json()["merged_into"] == "R01"

    headers = csrf_headers(editor)
    assert (
        editor.post("/api/v1/plan/snapshots", json={"name": "before"}, headers=headers).json()[
            "created_by"
        ]
        == (clients.names["editor"])
    )
    start = editor.get("/api/v1/plan/initiatives/S01").json()
    editor.put(
        "/api/v1/plan/initiatives/S01",
        json={"record": {**start["record"], "status": "done"}, "expected_version": 1},
        headers=headers,
    )
    diff = editor.get("/api/v1/plan/diff?a=before&b=current").json()
    changes = {(r["kind"], r["id"]): r for r in diff["records"]}
    assert changes[("initiative", "S01")]["fields"] == [
        {"field": "status", "old": "active", "new": "done"}
    ]
    # only stored versions: no reading files from the server
    assert editor.get(f"/api/v1/plan/diff?a={EXAMPLE}").status_code == 404
    history = viewer.get("/api/v1/plan/history?id=S01").json()
    assert history[0]["action"] == "update" and history[0]["actor"] == HIDDEN_ACTOR
    history = editor.get("/api/v1/plan/history?id=S01").json()
    assert history[0]["actor"] == clients.names["editor"]
    assert [s["name"] for s in viewer.get("/api/v1/plan/snapshots").json()] == ["before"]


def test_form_conflict_page_and_history(clients: Clients, store: Engine) -> None:
    editor = _editor(clients)
    page = editor.get("/plan/initiatives/R02")
    assert page.status_code == 200 and 'name="expected_version" value="1"' in page.text
    record = load_plan(store).initiative("R02")
    form = {
        "csrf_token": editor.cookies.get("bc_csrf"),
        "expected_version": "1",
        "title": record.title,
        "pillar": record.pillar,
        "status": record.status,
        "budget": "42",
        "start": str(record.start),
        "goals": record.goals,
        "countries": record.countries,
    }
    first = editor.post("/plan/initiatives/R02", data=form, follow_redirects=False)
    assert first.status_code == 303
    stored = load_plan(store).initiative("R02")
    assert stored.budget == 42.0 and stored.milestones == record.milestones  # kept
    second = editor.post("/plan/initiatives/R02", data={**form, "budget": "43"})
    assert second.status_code == 409
    assert "changed by someone else" in second.text
    assert 'data-field="budget"' in second.text
    assert load_plan(store).initiative("R02").budget == 42.0
    history = editor.get("/plan/initiatives/R02").text
    assert clients.names["editor"] in history and "budget" in history
    # a record that saves but makes the plan wrong: lint says so on the overview
    early = {**form, "expected_version": "2", "end": "2000-01-01"}
    assert (
        editor.post("/plan/initiatives/R02", data=early, follow_redirects=False).status_code == 303
    )
    overview = editor.get("/plan").text
    assert 'data-rule="end-before-start" data-subject="R02"' in overview
    not_a_number = editor.post(
        "/plan/initiatives/R02", data={**form, "expected_version": "3", "budget": "lots"}
    )
    assert not_a_number.status_code == 400 and "is not a number" in not_a_number.text


def test_upload_import(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'upload.sqlite'}")
    clients = role_clients(engine)
    editor = _editor(clients)
    token = {"csrf_token": editor.cookies.get("bc_csrf") or "", "source": "upload"}
    bad = editor.post(
        "/plan/import", data=token, files={"file": ("plan.yaml", b"name: [unclosed", "text/yaml")}
    )
    assert bad.status_code == 400
    good = editor.post(
        "/plan/import",
        data=token,
        files={"file": ("plan.yaml", EXAMPLE.read_bytes(), "text/yaml")},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert len(load_plan(engine).initiatives) == 42
    engine.dispose()


CHECKS = [
    schemathesis.checks.not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]


def test_plan_api_fuzz_with_a_stored_plan(clients: Clients) -> None:
    """Schemathesis over every plan route, as an administrator, on a store with a plan."""
    admin = clients.by_role["admin"]
    cookie = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
    headers = {"Cookie": cookie, **csrf_headers(admin)}
    schema = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", admin.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if "/plan" not in operation.label:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except Exception as exc:
            failures.append(
                f"{operation.label}: {''.join(traceback.format_exception(exc))[-3000:]}"
            )
    assert failures == [], "\n\n".join(failures)


def test_plan_history_hides_user_names_below_editor(clients: Clients, store: Engine) -> None:
    """Issue 11, item 11: anonymous visitors and viewers read who changed what as "an
    editor", in the service's read model (API and pages alike); editors read the names."""
    editor = _editor(clients)
    start = editor.get(f"{API_PREFIX}/plan/initiatives/R02").json()
    saved = editor.put(
        f"{API_PREFIX}/plan/initiatives/R02",
        json={"record": {**start["record"], "budget": 7.0}, "expected_version": start["version"]},
        headers=csrf_headers(editor),
    )
    assert saved.status_code == 200, saved.text
    name = clients.names["editor"]
    for role in ("anonymous", "viewer", "stakeholder"):
        reader = clients.by_role[role]
        api = reader.get(f"{API_PREFIX}/plan/history?id=R02").json()
        assert api[0]["actor"] == HIDDEN_ACTOR and name not in str(api)
        assert name not in reader.get("/plan/initiatives/R02").text
    assert editor.get(f"{API_PREFIX}/plan/history?id=R02").json()[0]["actor"] == name
    assert plan_history(store, "R02")[0].actor == HIDDEN_ACTOR
