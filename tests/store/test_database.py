"""The store on both engines: migrations, bulk writes, transactions."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text

from bioconnect.errors import BioconnectError, InputError
from bioconnect.store import schema
from bioconnect.store.database import (
    bulk_insert,
    current_revision,
    make_engine,
    normalise_url,
    open_store,
    serialise_on,
    table_names,
    transaction,
)


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bioconnect.store.database import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return str(ScriptDirectory.from_config(config).get_current_head())


def test_migrations_create_every_table_and_match_the_models(engine: Engine) -> None:
    assert _head() == "0015_report_editions"
    assert current_revision(engine) == _head()
    assert set(schema.Base.metadata.tables) <= set(table_names(engine))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.Base.metadata)
    assert diff == []


def test_migration_0004_adds_the_partner_index_and_takes_it_back(engine: Engine) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from bioconnect.store.database import _alembic_config

    def indexes() -> dict[str, list[str | None]]:
        found = inspect(engine).get_indexes("participation")
        return {i["name"]: i["column_names"] for i in found if i["name"]}

    assert indexes()["ix_participation_project_org"] == ["project_id", "org_id"]
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0003")
    assert "ix_participation_project_org" not in indexes()
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert indexes()["ix_participation_project_org"] == ["project_id", "org_id"]


def test_statistics_are_refreshed_after_a_load_on_postgresql(engine: Engine) -> None:
    from sqlalchemy import text

    from bioconnect.store.database import refresh_statistics

    refresh_statistics(engine, ["participation", "organisation"])  # SQLite: nothing to do
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        done = conn.execute(
            text(
                "SELECT relname, last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
                "FROM pg_stat_user_tables WHERE relname IN ('participation', 'organisation')"
            )
        ).all()
    assert dict(done) == {"participation": True, "organisation": True}


def test_opening_twice_is_harmless(store_url: str) -> None:
    first = open_store(store_url)
    second = open_store(store_url)
    try:
        assert current_revision(second) == _head()
    finally:
        first.dispose()
        second.dispose()


def test_bulk_insert_round_trips_nulls_and_types(engine: Engine) -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "pic": pd.array(["999981634", None], dtype="string"),
            "name": ["WAGENINGEN UNIVERSITY", "TARTU ÜLIKOOL"],
            "sme": pd.array([False, None], dtype="boolean"),
            "lat": [51.9863279, float("nan")],
            "n_projects": [3, 0],
        }
    )
    with transaction(engine) as conn:
        assert bulk_insert(conn, "organisation", frame) == 2
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                schema.Organisation.id,
                schema.Organisation.pic,
                schema.Organisation.name,
                schema.Organisation.sme,
                schema.Organisation.lat,
                schema.Organisation.n_projects,
            ).order_by(schema.Organisation.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("a", "999981634", "WAGENINGEN UNIVERSITY", False, 51.9863279, 3),
        ("b", None, "TARTU ÜLIKOOL", None, None, 0),
    ]


def test_a_failed_transaction_writes_nothing(engine: Engine) -> None:
    frame = pd.DataFrame({"id": ["x"], "n_projects": [1]})
    with pytest.raises(RuntimeError), transaction(engine) as conn:
        bulk_insert(conn, "organisation", frame)
        raise RuntimeError("boom")
    with engine.connect() as conn:
        assert conn.execute(select(schema.Organisation.id)).all() == []


def test_serialise_on_holds_the_key_until_the_transaction_ends(engine: Engine) -> None:
    """Another transaction cannot take the same key meanwhile: on SQLite the one write lock
    (taken before anything is read), on PostgreSQL the advisory lock."""

    def free() -> bool:
        if engine.dialect.name == "sqlite":
            other = sqlite3.connect(engine.url.database or "", timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                return True
            except sqlite3.OperationalError as exc:
                assert "database is locked" in str(exc)
                return False
            finally:
                other.close()
        with engine.connect() as other:
            taken = other.execute(
                text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": "key"}
            ).scalar()
            other.rollback()
            return bool(taken)

    assert free()
    with transaction(engine) as conn:
        serialise_on(conn, "key")
        assert not free()
    assert free()


def test_urls() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(InputError, match="not a database URL"):
        make_engine("no such thing")
    with pytest.raises(InputError, match="cannot run on 'mysql'"):
        make_engine("mysql://root@127.0.0.1/test")


def test_an_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(BioconnectError, match="Cannot open the store"):
        open_store("postgresql://postgres@127.0.0.1:1/none")


def test_replacing_tables_keeps_the_schema(engine: Engine) -> None:
    """The bulk load drops indexes (SQLite) or foreign keys (PostgreSQL) and restores them."""
    from bioconnect.store.database import replace_tables

    files = pd.DataFrame(
        {
            "id": [1],
            "source": ["s"],
            "path": ["p"],
            "sha256": ["0" * 64],
            "size_bytes": [1],
            "rows_read": [1],
            "repairs": [0],
        }
    )
    projects = pd.DataFrame({"id": ["P1"], "source_file_id": [1], "source_row": [2]})
    with transaction(engine) as conn:
        counts = replace_tables(
            conn, {"source_file": files, "project": projects}, schema.BULK_TABLES
        )
    assert counts == {"source_file": 1, "project": 1}
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.Base.metadata)
    assert diff == []
    orphan = pd.DataFrame({"id": ["P2"], "source_file_id": [99], "source_row": [2]})
    with pytest.raises(Exception, match=r"(?i)foreign key"), transaction(engine) as conn:
        replace_tables(conn, {"source_file": files, "project": orphan}, schema.BULK_TABLES)
    with engine.connect() as conn:
        assert conn.execute(select(schema.Project.id)).scalars().all() == ["P1"]


def test_migration_0009_folds_the_names_of_a_store_upgraded_in_place(engine: Engine) -> None:
    """A store made before search folding finds "Tartu Ülikool" after the upgrade alone."""
    from alembic import command
    from sqlalchemy import text

    from bioconnect.store.database import _alembic_config

    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0008_dialogue")
        conn.execute(
            text(
                "INSERT INTO organisation (id, name, short_name, n_projects) VALUES (:i, :n, :s, 1)"
            ),
            [
                {"i": "999895013", "n": "TARTU ULIKOOL", "s": "UT"},
                {"i": "x1", "n": None, "s": None},
            ],
        )
        conn.execute(
            text("INSERT INTO organisation_name (org_id, name, n_records) VALUES (:o, :n, 1)"),
            [
                {"o": "999895013", "n": "Tartu Ülikool"},
                {"o": "999895013", "n": "University of Tartu"},
            ],
        )
        command.upgrade(_alembic_config(conn), "head")
    with engine.connect() as conn:
        texts = dict(conn.execute(text("SELECT id, search_text FROM organisation")).all())
    assert texts == {"999895013": " tartu ulikool ut university of tartu ", "x1": ""}
