"""Issue 11, item 3: a write that waits past SQLite's busy timeout answers 503 with
Retry-After (before: 500 "database is locked"), and stores nothing.

Another connection holds SQLite's write lock (as a review decision or an ingest does while
it rewrites the registry) for longer than the 5 s busy timeout.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bioconnect.services.accounts import add_user
from bioconnect.services.plan import import_plan
from bioconnect.settings import Settings
from bioconnect.store.database import is_busy, open_store
from bioconnect.web import create_app
from storekit import ROOT, table_snapshot
from webkit import PASSWORD, csrf_headers, signed_in


def test_a_write_behind_a_long_transaction_gets_503_and_retry_after(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    engine = open_store(f"sqlite:///{path}")
    add_user(engine, "ed", PASSWORD, "editor")
    import_plan(engine, ROOT / "examples" / "baltic-action-plan.example.yaml", actor="tests")
    client = signed_in(create_app(engine, settings=Settings()), "ed")
    before = table_snapshot(engine)
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held past the busy timeout
    try:
        page = client.post("/logout", headers=csrf_headers(client), follow_redirects=False)
        api = client.post(
            "/api/v1/plan/snapshots",
            json={"name": "before-the-review"},
            headers=csrf_headers(client),
        )
    finally:
        holder.rollback()
        holder.close()
    for response in (page, api):
        assert response.status_code == 503, (response.status_code, response.text[:300])
        assert response.headers["Retry-After"] == "5"
        assert "busy with another change" in response.text
    assert api.json()["detail"]["fix"].startswith("Nothing was saved.")
    assert table_snapshot(engine) == before
    engine.dispose()


def test_only_a_busy_store_is_a_503() -> None:
    from sqlalchemy.exc import OperationalError

    locked = OperationalError("UPDATE x", {}, sqlite3.OperationalError("database is locked"))
    broken = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    assert is_busy(locked) and not is_busy(broken)
