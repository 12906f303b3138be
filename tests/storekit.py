"""Helpers shared by the tests: the real data folder, store URLs on both engines, snapshots.

Store tests run once per backend. PostgreSQL is the server at BIOCONNECT_TEST_POSTGRES_URL
(default: postgres@127.0.0.1:5432/test, trust auth); each test gets a database of its own,
dropped afterwards. Without a server the PostgreSQL cases are skipped locally, and fail
under CI=true.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("BIOCONNECT_TEST_DATA", ROOT.parent / "shared" / "data"))
POSTGRES_ADMIN = os.environ.get(
    "BIOCONNECT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _postgres_available() -> bool:
    try:
        engine = create_engine(_psycopg_url(POSTGRES_ADMIN))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


_PG = _postgres_available()


def _new_postgres_database() -> tuple[str, str]:
    name = f"bioconnect_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_psycopg_url(POSTGRES_ADMIN), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(_psycopg_url(POSTGRES_ADMIN), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_store_url(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'store.sqlite'}"
        return
    if not _PG:
        if os.environ.get("CI"):
            pytest.fail(
                f"PostgreSQL is not reachable at {POSTGRES_ADMIN}; CI runs every store test on it."
            )
        pytest.skip("PostgreSQL not reachable")
    name, url = _new_postgres_database()
    try:
        yield url
    finally:
        _drop_postgres_database(name)


BACKENDS = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]


def copy_sqlite(source: Engine, copy: Path) -> str:
    """Copy a SQLite store, its WAL's pages too, to ``copy``; return the copy's URL.

    A copy of the session's ingested Baltic store is the same store as a new ingest of the
    preset, in a second instead of the ingest's half minute.
    """
    import sqlite3

    assert source.url.database is not None
    src, dst = sqlite3.connect(source.url.database), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return f"sqlite:///{copy}"


def copy_store(source: Engine, tmp: Path) -> Iterator[str]:
    """A copy of the store ``source`` (SQLite or PostgreSQL) for a test that writes; yields
    its URL, and drops a PostgreSQL copy afterwards.

    PostgreSQL copies a database as the template of a new one, which needs the source to
    have no open connection: the source's pool is emptied first (it reconnects on use).
    """
    if source.dialect.name == "sqlite":
        yield copy_sqlite(source, tmp / "copy.sqlite")
        return
    template = source.url.database
    source.dispose()
    name = f"bioconnect_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_psycopg_url(POSTGRES_ADMIN), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    try:
        yield f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        _drop_postgres_database(name)


def table_snapshot(engine: Engine) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent checksum of every table but the logs (and data version)."""
    from bioconnect.store.schema import Base

    snapshot: dict[str, tuple[int, int]] = {}
    with engine.connect() as conn:
        for name, table in sorted(Base.metadata.tables.items()):
            if name in {"ingest_run", "audit_log", "data_version"}:
                continue
            columns = [
                c for c in table.columns if c.name not in {"added_at", "decided_at", "created_at"}
            ]
            rows = conn.execute(table.select().with_only_columns(*columns)).all()
            snapshot[name] = (len(rows), hash(frozenset(map(tuple, rows))) if rows else 0)
    return snapshot


def preset_with(*source_names: str, **updates: object):  # type: ignore[no-untyped-def]
    """The Baltic preset restricted to some of its sources (for small, fast stores)."""
    from bioconnect.model.preset import load_preset

    baltic = load_preset("baltic")
    sources = [s for s in baltic.sources if s.name in source_names]
    return baltic.model_copy(update={"sources": sources, **updates})
